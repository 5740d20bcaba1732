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

finance:
  statement DEALER|--all --from DAY --to DAY [--format table|csv|json|html] [--known-at SEQ] [--out FILE]
                            the dealer's balances the day before --from and on --to and every
                            movement between (new lines, status changes, notices, confirmations,
                            invoices, payments), each with the seq of the event behind it;
                            opening + movements = closing is checked. csv: RFC 4180 with a BOM,
                            fen and yuan columns; html: one printable A4 page to sign. --all:
                            every dealer (a JSON array, one CSV, an HTML page per dealer)
  reconcile [--as-of DAY] [--known-at SEQ] [--json]
                            re-check every event and the finance invariants across all dealers
                            (exit 1 listing each breach), and list what needs action: parts due
                            for return within 30 days, parts awaiting appraisal, approved lines
                            on no notice, notices unconfirmed after 30 days
  writeoff-draft DEALER [--as-of DAY] [--notice ID]
                            print the cost.written-off event (JSON Lines) for all the dealer's
                            approved lines on no notice, ready to review and append; default
                            notice id WO-DEALER-DAY; nothing approved: a note on stderr, exit 0

  rebuild                   rebuild every projection from the log, check it equals the stored
                            snapshot (exit 1 if not) and store it as the new snapshot
  generate --units N [--seed S] [--out FILE]
                            write a simulated dealer network's events as JSON Lines
  demo [--units N] [--seed S]
                            generate a dealer network of N units (10,000) into a new folder under
                            /tmp, append it, rebuild the projections, verify and report

audit:
  digest [--known-at N]     print a checkpoint of the first N records (all by default): size, RFC 9162
                            Merkle root, head hash, recorded time of the last record, time taken
  prove SEQ [--size N]      print the inclusion proof (JSON) of record SEQ in the tree of N records
  prove --from M [--size N] print the consistency proof (JSON) from the tree of M records to that of N
  check-proof FILE [--digest FILE]...
                            check a proof; with --digest (once or twice) against saved digests,
                            without against this ledger's log; exit 1 naming what does not match
  export --format jsonl|csv [--as-of DAY] [--known-at N] [--out PATH]
                            every event with its envelope: jsonl as `log` prints it (standard output
                            or --out FILE), which `append` takes back into a new ledger; csv into
                            folder --out DIR, one RFC 4180 file per event type, UTF-8 with a BOM,
                            written into a new folder beside DIR and renamed into place: DIR must be
                            new, empty or a previous export. --out never inside the ledger folder.
                            CSV cells are exact, never altered against spreadsheet formulas: a cell
                            starting with = + - @ is text here; import the files as text columns
  history SERIAL [--as-of DAY] [--known-at N] [--json]
                            every event behind the unit's status and claim lines (as of today by
                            default), in log order, with seq, day, recorded time and hash: its
                            exchange chain, voids, notices naming its lines, its policy and dealer
                            enrolments

  help                      print this text

exit codes: 0 ok, 1 verification failed, 64 usage, 65 refused input,
            66 no such ledger, unit or file, 74 I/O error

"""
