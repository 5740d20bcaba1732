#!/usr/bin/env python3
"""Concurrent writers: one writer at a time, every batch exactly once and contiguous.

What it proves
--------------
`--writers` processes (default 8) each append `--batches` small batches (default
200; 1-`--max-events` `payment.received` events, ids unique per writer, batch
and event) to the same ledger at the same time. Half of the writers use
`append --wait 60` and must succeed on every first attempt; the other half run
without `--wait` and retry after exit 74 ("another process is appending"),
counting those immediate refusals. Every successful append must print
`appended: <batch size>` and `duplicates: 0` (a refused attempt changed nothing)
and a `seq: A-B` range of the batch's size. Afterwards it checks:

  * `verify` exits 0;
  * seqs run 1..N without gaps and every stored event is one we sent;
  * every batch is present exactly once (no id twice, none missing);
  * each batch's events are contiguous in seq and in input order (nothing
    interleaved inside a batch), at exactly the range its append printed.

How to run
----------
    swift build -c release --product ledger --scratch-path .build-crash
    python3 Tools/concurrent_writers.py --ledger-binary .build-crash/release/ledger --writers 8 --batches 200

Exit status 0 only if every check passed; the last line is a one-line summary.
"""

import argparse
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from ledgertools import ENROLL, parse_ack, payment, run, write_batch

LOCKED = 74


def event_id(w, b, i):
    return "w%d-b%d-%d" % (w, b, i)


def writer(args):
    """One writer process: append its batches in order; return its record."""
    binary, ledger_dir, work, w, batches, max_events, wait, seed, start_at = args
    rng = random.Random(seed * 1000 + w)
    path = os.path.join(work, "w%d.jsonl" % w)
    result = {"writer": w, "wait": wait, "refusals": 0, "ok": 0, "failures": [], "ranges": {},
              "sizes": {}, "slowest": 0.0}
    # start together
    while time.time() < start_at:
        time.sleep(0.001)
    for b in range(batches):
        n = rng.randint(1, max_events)
        result["sizes"][b] = n
        write_batch(path, [payment(event_id(w, b, i), rng.randint(1, 10_000_000)) for i in range(n)])
        cmd = [binary, "--dir", ledger_dir, "append", path] + (["--wait", "60"] if wait else [])
        t0 = time.monotonic()
        deadline = t0 + 120
        while True:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
            if r.returncode == LOCKED and not wait and time.monotonic() < deadline:
                result["refusals"] += 1
                time.sleep(rng.uniform(0.0005, 0.005))
                continue
            break
        result["slowest"] = max(result["slowest"], time.monotonic() - t0)
        info = parse_ack(r.stdout)
        if r.returncode != 0:
            result["failures"].append("writer %d batch %d: exit %d: %s" % (w, b, r.returncode, r.stderr.strip()))
            continue
        if info.get("appended") != str(n) or info.get("duplicates") != "0":
            result["failures"].append("writer %d batch %d: printed %r, expected appended %d duplicates 0"
                                      % (w, b, info, n))
        try:
            lo, hi = (int(x) for x in info["seq"].split("-"))
            if hi - lo + 1 != n:
                result["failures"].append("writer %d batch %d: seq %s is not %d events" % (w, b, info["seq"], n))
            result["ranges"][b] = (lo, hi)
        except (KeyError, ValueError):
            result["failures"].append("writer %d batch %d: no seq range in %r" % (w, b, r.stdout))
        result["ok"] += 1
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See the module docstring for what is checked.")
    ap.add_argument("--ledger-binary", required=True, help="path to the built `ledger` program")
    ap.add_argument("--writers", type=int, default=8, help="concurrent writer processes (default 8)")
    ap.add_argument("--batches", type=int, default=200, help="batches per writer (default 200)")
    ap.add_argument("--max-events", type=int, default=20, help="events per batch: 1..this (default 20)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the ledger folder (printed at the end)")
    a = ap.parse_args()

    binary = os.path.abspath(a.ledger_binary)
    if not os.access(binary, os.X_OK):
        ap.error("not an executable: " + binary)
    work = tempfile.mkdtemp(prefix="concurrent-writers-")
    d = os.path.join(work, "ledger")
    failures = []
    r = run(binary, d, "init")
    if r.returncode != 0:
        raise SystemExit("init failed: " + r.stderr)
    p = os.path.join(work, "enroll.jsonl")
    write_batch(p, [ENROLL])
    r = run(binary, d, "append", p)
    if r.returncode != 0:
        raise SystemExit("enrolment failed: " + r.stderr)

    start_at = time.time() + 0.5
    jobs = [(binary, d, work, w, a.batches, a.max_events, w % 2 == 0, a.seed, start_at)
            for w in range(a.writers)]
    t0 = time.monotonic()
    with multiprocessing.Pool(a.writers) as pool:
        results = pool.map(writer, jobs)
    elapsed = time.monotonic() - t0 - 0.5
    for res in results:
        failures.extend(res["failures"])

    r = run(binary, d, "verify")
    verify_clean = r.returncode == 0
    if not verify_clean:
        failures.append("verify exit %d: %s" % (r.returncode, r.stderr.strip()))
    r = run(binary, d, "log")
    if r.returncode != 0:
        failures.append("log exit %d: %s" % (r.returncode, r.stderr.strip()))
    events = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]

    # seqs 1..N, ids once
    seq_of = {}
    for k, e in enumerate(events, start=1):
        if e["seq"] != k:
            failures.append("seq %d at position %d (gap or disorder)" % (e["seq"], k))
            break
    for e in events:
        eid = e.get("id")
        if eid in seq_of:
            failures.append("id %s twice (seqs %d and %d)" % (eid, seq_of[eid], e["seq"]))
        seq_of[eid] = e["seq"]
    if events and events[0].get("id") != "enroll-D1":
        failures.append("seq 1 is not the enrolment")
    expected_ids = {"enroll-D1"}
    batches_ok = 0
    for res in results:
        w = res["writer"]
        for b, n in res["sizes"].items():
            ids = [event_id(w, b, i) for i in range(n)]
            expected_ids.update(ids)
            seqs = [seq_of.get(i) for i in ids]
            if None in seqs:
                failures.append("writer %d batch %d: %d of %d events missing" % (w, b, seqs.count(None), n))
                continue
            if seqs != list(range(seqs[0], seqs[0] + n)):
                failures.append("writer %d batch %d: not contiguous in seq (interleaved): %s..."
                                % (w, b, seqs[:5]))
                continue
            if res["ranges"].get(b) != (seqs[0], seqs[-1]):
                failures.append("writer %d batch %d: stored at %d-%d but append printed %r"
                                % (w, b, seqs[0], seqs[-1], res["ranges"].get(b)))
                continue
            batches_ok += 1
    strangers = [e["seq"] for e in events if e.get("id") not in expected_ids]
    if strangers:
        failures.append("%d stored events we never sent (first seq %d)" % (len(strangers), strangers[0]))

    wait_writers = [res for res in results if res["wait"]]
    retry_writers = [res for res in results if not res["wait"]]
    total_batches = a.writers * a.batches
    for f in failures[:50]:
        print("FAIL " + f)
    if a.keep:
        print("ledger folder: " + d)
    else:
        shutil.rmtree(work, ignore_errors=True)
    ok = not failures and batches_ok == total_batches and verify_clean
    print("%d writers x %d batches in %.1f s: %d/%d batches present once and contiguous, %d events, "
          "--wait writers %d/%d ok (slowest %.2f s), retrying writers %d/%d ok after %d immediate refusals "
          "(exit 74), verify %s -> %s"
          % (a.writers, a.batches, elapsed, batches_ok, total_batches, len(events),
             sum(x["ok"] for x in wait_writers), len(wait_writers) * a.batches,
             max([x["slowest"] for x in wait_writers] or [0]),
             sum(x["ok"] for x in retry_writers), len(retry_writers) * a.batches,
             sum(x["refusals"] for x in retry_writers),
             "clean" if verify_clean else "FAILED",
             "PASS" if ok else "FAIL (%d problems)" % len(failures)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
