let helpText = """
ledger — an event-sourced warranty ledger (三包): an append-only, hash-chained log of
sales, complaints, repairs, part swaps and write-offs, folded into warranty status,
dealer claim balances and the five-year repair archive.

usage: ledger [--dir PATH] COMMAND [ARGUMENTS]

The ledger lives in one folder: --dir PATH, else $LEDGER_DIR, else ./ledger.

commands:
  init [--tz +08:00]        create an empty ledger; business days are counted in this zone
  append [FILE|-] [--wait SECONDS]
                            validate JSON Lines (a file, or standard input) and append them as
                            one atomic batch; prints appended and duplicate counts, the seq
                            range and the new head digest. While another process appends, fail
                            at once (exit 74) or, with --wait, wait up to SECONDS for it
  log [--from SEQ] [--limit N] [--stream S]
                            print stored events as JSON Lines with their envelope
                            (seq, stream, version, recorded, hash) and input fields
  verify                    re-read the whole log: every checksum, the hash chain, every record;
                            print the event count and head digest

queries (each takes --as-of YYYY-MM-DD: events whose business day is on or before it, default
today; --known-at SEQ: only the first SEQ events, what the ledger knew then; --json):
  status SERIAL             the unit's warranty: state, start, end, extension, components,
                            registration, repairs, escalation
  claims [--dealer D]       every claim line: labor and part, amount, status, rejection reason, notice
  dealers                   each dealer's claimed, pending, approved, rejected, written-off and
                            deducted amounts and receivable
  archive [--expired]       the repair archive: one record per complaint; --expired lists the
                            records past their retention instead
  units [--state S] [--dealer D]
                            every unit's status, for service staff
  rebuild                   rebuild every projection from the log, check it equals the stored
                            snapshot (exit 1 if not) and store it as the new snapshot
  generate --units N [--seed S] [--out FILE]
                            write a simulated dealer network's events as JSON Lines
  demo [--units N] [--seed S]
                            generate a dealer network of N units (10,000) into a new folder under
                            /tmp, append it, rebuild the projections, verify and report
  help                      print this text

exit codes: 0 ok, 1 verification failed, 64 usage, 65 refused input,
            66 no such ledger, unit or file, 74 I/O error

"""
