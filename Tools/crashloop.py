#!/usr/bin/env python3
"""Crash-loop test: a SIGKILLed `ledger append` never leaves a partial batch.

What it proves
--------------
For every cycle it writes a random valid batch of 1-5,000 `payment.received`
events (each with a unique `id`), starts `ledger append` on it and SIGKILLs the
process after a random delay between 0 and about the typical duration of an
append of that size (calibrated at start-up on a scratch ledger), so kills land
before, during and after the write and the fdatasync. It records whether the
acknowledgement (the `appended:` line, which the ledger prints only after the
fsync) was printed before the kill. Then it runs `ledger verify` (must exit 0
every time, even with a torn tail still on disk) and reads the log, checking:

  * every acknowledged batch is present in full;
  * no batch is partly present (a batch's ids are all present or all absent);
  * a present batch occupies one contiguous run of seqs;
  * seqs run 1..N without gaps and no id appears twice;
  * every stored event belongs to a batch we sent;
  * the previously checked prefix is unchanged (the hash of the last event seen
    in the previous cycle is still the same; `verify` proves the chain up to it).

Unacknowledged batches may be present in full (killed after the fsync but before
the print); those are counted separately. The `recovered:` lines printed by the
append after a torn write are counted too. Because an append's fixed cost grows with
the ledger (it reads the existing log), every 10th cycle first times an append that
changes nothing (the enrolment again, counted as 1 duplicate) and re-bases the delay
on it: delay = uniform(0, factor * (fixed cost + per-event cost * batch size)).

To keep each cycle's `verify` cheap the ledger is replaced by a fresh one every
`--rotate-every` cycles (default 100); the log is read incrementally with
`log --from`, anchored on the hash of the last event already checked.

How to run
----------
    swift build -c release --product ledger --scratch-path .build-crash
    python3 Tools/crashloop.py --ledger-binary .build-crash/release/ledger --cycles 1000 --seed 1

Exit status 0 only if every check passed; the last line is a one-line summary.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from ledgertools import ENROLL, parse_ack, payment, run, write_batch


def batch_size(rng, largest):
    r = rng.random()
    if r < 0.25:
        return rng.randint(1, min(20, largest))
    if r < 0.60:
        return rng.randint(1, min(500, largest))
    return rng.randint(1, largest)  # large: the kill often lands mid-write


class Failure(Exception):
    pass


def calibrate(binary, work):
    """Measure un-killed append durations; return a function size -> seconds."""
    d = os.path.join(work, "calib")
    r = run(binary, d, "init")
    if r.returncode != 0:
        raise SystemExit("calibration: init failed: " + r.stderr)
    p = os.path.join(work, "calib.jsonl")
    write_batch(p, [ENROLL])
    run(binary, d, "append", p)
    samples = []
    n = 0
    for size in (1, 1, 1, 1000, 1000, 5000, 5000, 5000):
        write_batch(p, [payment("cal-%d" % (n + i), 100 + i) for i in range(size)])
        n += size
        t0 = time.monotonic()
        r = run(binary, d, "append", p)
        dt = time.monotonic() - t0
        if r.returncode != 0:
            raise SystemExit("calibration append failed: " + r.stderr)
        samples.append((size, dt))
    small = sorted(dt for s, dt in samples if s == 1)[1]
    big = sorted(dt for s, dt in samples if s == 5000)[1]
    per_event = max(0.0, (big - small) / 4999)
    shutil.rmtree(d, ignore_errors=True)
    return per_event, small, big


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See the module docstring for what is checked.")
    ap.add_argument("--ledger-binary", required=True, help="path to the built `ledger` program")
    ap.add_argument("--cycles", type=int, default=100, help="number of kill cycles (default 100)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--rotate-every", type=int, default=100,
                    help="start a fresh ledger every N cycles to bound verify time (default 100; 0 = never)")
    ap.add_argument("--delay-factor", type=float, default=1.5,
                    help="kill delay is uniform in [0, factor * typical duration] (default 1.5, so about a third of the kills come after the acknowledgement)")
    ap.add_argument("--max-batch", type=int, default=5000,
                    help="largest batch (default 5000). The ledger writes 4 MiB blocks, so only batches above "
                         "about 30,000 of these events span several writes and can leave a torn tail")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (printed at the end)")
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    a = ap.parse_args()

    binary = os.path.abspath(a.ledger_binary)
    if not os.access(binary, os.X_OK):
        ap.error("not an executable: " + binary)
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="crashloop-")
    per_event, small, big = calibrate(binary, work)
    if not a.quiet:
        print("calibration: 1 event %.1f ms, 5000 events %.1f ms" % (small * 1e3, big * 1e3), flush=True)
    enroll_file = os.path.join(work, "enroll.jsonl")
    write_batch(enroll_file, [ENROLL])
    fixed = [small]

    def probe(st, cycle):
        """Time an append that changes nothing (the enrolment again: 1 duplicate). An append's
        fixed cost grows with the ledger, so the kill delay is re-based on it every few cycles."""
        nonlocal recovered
        t0 = time.monotonic()
        r = run(binary, st["dir"], "append", enroll_file)
        fixed[0] = time.monotonic() - t0
        info = parse_ack(r.stdout)
        if "recovered" in info:
            recovered += 1
        if r.returncode != 0 or info.get("appended") != "0" or info.get("duplicates") != "1":
            failures.append("cycle %d: duplicate-only append: exit %d %r %s"
                            % (cycle, r.returncode, info, r.stderr.strip()))

    def expected(n):
        return fixed[0] + per_event * n

    failures = []
    acked = acked_present = 0
    unacked_present = unacked_absent = 0
    partial = 0
    verify_ok = 0
    recovered = 0
    killed_exits = 0
    ledgers = 0
    total_events_checked = 0
    batch_file = os.path.join(work, "batch.jsonl")
    t_start = time.monotonic()

    state = None  # per-ledger state
    attempted = 0

    def new_ledger():
        nonlocal ledgers
        ledgers += 1
        d = os.path.join(work, "ledger-%d" % ledgers)
        r = run(binary, d, "init")
        if r.returncode != 0:
            raise Failure("init failed: " + r.stderr.strip())
        write_batch(batch_file, [ENROLL])
        r = run(binary, d, "append", batch_file)
        if r.returncode != 0:
            raise Failure("enroll append failed: " + r.stderr.strip())
        return {
            "dir": d,
            "batches": {},      # batch name -> list of ids
            "id_batch": {},     # id -> batch name
            "present": set(),   # batch names known present
            "acked": set(),
            "seen": 1,          # highest seq checked
            "seen_hash": None,
            "ids": set(),
        }

    def check(st, cycle, name, counted=True):
        """verify + incremental log check; returns whether batch `name` is present."""
        nonlocal verify_ok, partial, total_events_checked
        r = run(binary, st["dir"], "verify")
        if r.returncode == 0:
            verify_ok += 1 if counted else 0
        else:
            failures.append("cycle %d: verify exit %d: %s" % (cycle, r.returncode, r.stderr.strip()))
        r = run(binary, st["dir"], "log", "--from", str(st["seen"]))
        if r.returncode != 0:
            raise Failure("cycle %d: log exit %d: %s" % (cycle, r.returncode, r.stderr.strip()))
        lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        if not lines or lines[0]["seq"] != st["seen"]:
            raise Failure("cycle %d: log --from %d did not start at seq %d" % (cycle, st["seen"], st["seen"]))
        if st["seen_hash"] is not None and lines[0]["hash"] != st["seen_hash"]:
            failures.append("cycle %d: hash of seq %d changed" % (cycle, st["seen"]))
        if st["seen_hash"] is None and lines[0].get("type") != "dealer.enrolled":
            failures.append("cycle %d: seq 1 is not the enrolment" % cycle)
        new = lines[1:]
        expect_seq = st["seen"] + 1
        found = {}  # batch -> list of seqs
        for e in new:
            if e["seq"] != expect_seq:
                failures.append("cycle %d: seq gap/out of order: expected %d got %d" % (cycle, expect_seq, e["seq"]))
                expect_seq = e["seq"]
            expect_seq += 1
            eid = e.get("id")
            if eid is None or eid not in st["id_batch"]:
                failures.append("cycle %d: unknown event at seq %d (id %r)" % (cycle, e["seq"], eid))
                continue
            if eid in st["ids"]:
                failures.append("cycle %d: id %s twice (seq %d)" % (cycle, eid, e["seq"]))
                continue
            st["ids"].add(eid)
            found.setdefault(st["id_batch"][eid], []).append(e["seq"])
        total_events_checked += len(new)
        for b, seqs in found.items():
            ids = st["batches"][b]
            if b in st["present"]:
                failures.append("cycle %d: batch %s appears again" % (cycle, b))
            if len(seqs) != len(ids):
                partial += 1
                failures.append("cycle %d: batch %s partly present: %d of %d events"
                                % (cycle, b, len(seqs), len(ids)))
            elif seqs != list(range(seqs[0], seqs[0] + len(seqs))):
                failures.append("cycle %d: batch %s not contiguous" % (cycle, b))
            st["present"].add(b)
        for b in found:
            if b != name:
                # an earlier batch appearing only now: it was absent at the previous check
                failures.append("cycle %d: batch %s (absent before) appeared later" % (cycle, b))
        if new:
            st["seen"] = new[-1]["seq"]
            st["seen_hash"] = new[-1]["hash"]
        elif st["seen_hash"] is None:
            st["seen_hash"] = lines[0]["hash"]
        return name in found and len(found[name]) == len(st["batches"][name])

    try:
        for cycle in range(1, a.cycles + 1):
            if state is None or (a.rotate_every and (cycle - 1) % a.rotate_every == 0):
                if state is not None and not a.keep:
                    shutil.rmtree(state["dir"], ignore_errors=True)
                state = new_ledger()
                check(state, cycle, None, counted=False)
            if (cycle - 1) % 10 == 0:
                probe(state, cycle)
            attempted = cycle
            name = "c%d" % cycle
            n = batch_size(rng, a.max_batch)
            ids = ["s%d-c%d-%d" % (a.seed, cycle, i) for i in range(n)]
            state["batches"][name] = ids
            for eid in ids:
                state["id_batch"][eid] = name
            write_batch(batch_file, [payment(eid, rng.randint(1, 10_000_000)) for eid in ids])
            delay = rng.uniform(0, a.delay_factor * expected(n))

            proc = subprocess.Popen([binary, "--dir", state["dir"], "append", batch_file],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(delay)
            try:
                proc.send_signal(signal.SIGKILL)  # no-op if already reaped
            except ProcessLookupError:
                pass
            out, err = proc.communicate()
            rc = proc.returncode
            info = parse_ack(out)
            is_ack = "appended" in info
            if rc == -signal.SIGKILL:
                killed_exits += 1
            elif rc != 0:
                failures.append("cycle %d: append exit %d (not killed): %s" % (cycle, rc, err.strip()))
            elif not is_ack:
                failures.append("cycle %d: exit 0 without an `appended:` line" % cycle)
            if "recovered" in info:
                recovered += 1
            if is_ack:
                if info.get("appended") != str(n) or info.get("duplicates") != "0":
                    failures.append("cycle %d: acknowledgement says %r, expected appended %d duplicates 0"
                                    % (cycle, info, n))

            present = check(state, cycle, name)
            if is_ack:
                acked += 1
                if present:
                    acked_present += 1
                else:
                    failures.append("cycle %d: acknowledged batch of %d missing" % (cycle, n))
                if "seq" in info and present:
                    lo, hi = (int(x) for x in info["seq"].split("-"))
                    if hi - lo + 1 != n or hi != state["seen"]:
                        failures.append("cycle %d: printed seq %s does not match the log" % (cycle, info["seq"]))
            else:
                if present:
                    unacked_present += 1
                else:
                    unacked_absent += 1
            if not a.quiet and cycle % 100 == 0:
                print("  %d cycles, %.0f s, %d failures" % (cycle, time.monotonic() - t_start, len(failures)),
                      flush=True)
            if len(failures) > 50:
                failures.append("stopping after too many failures")
                break
    except Failure as ex:
        failures.append(str(ex))
    except subprocess.TimeoutExpired as ex:
        failures.append("timeout: %s" % ex)

    cycles_run = acked + unacked_present + unacked_absent
    elapsed = time.monotonic() - t_start
    for f in failures[:50]:
        print("FAIL " + f)
    if a.keep:
        print("work folder: " + work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    ok = not failures and cycles_run == a.cycles and verify_ok == a.cycles
    if attempted > cycles_run:
        print("stopped in cycle %d" % attempted)
    print("%d cycles in %.0f s: %d acknowledged (%s), %d killed before acknowledgement "
          "(%d present in full, %d absent), %d partial, verify clean %d/%d, %d recoveries, "
          "%d events checked, %d ledgers -> %s"
          % (cycles_run, elapsed, acked,
             "all present" if acked == acked_present else "%d present" % acked_present,
             unacked_present + unacked_absent, unacked_present, unacked_absent, partial,
             verify_ok, attempted, recovered, total_events_checked, ledgers,
             "PASS" if ok else "FAIL (%d problems)" % len(failures)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
