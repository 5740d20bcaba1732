#!/usr/bin/env python3
"""A real full disk: append until the disk is full, then free space and append again.

What it proves
--------------
A small file system (`--size`, default 4m) is mounted: tmpfs, or if that is not
permitted (or with `--loop`) an ext2 image on a loop device. A filler file (`--filler-kb`, default
1024) is written there first, then a ledger is created beside it and batches of
generated `payment.received` events (seeded, 1-`--max-events` per batch) are
appended through the real `ledger` binary until an append fails. Then:

  * the failing append exits 74 and says "no space left on device";
  * a second attempt on the still-full disk fails the same way;
  * `verify` exits 0 and counts exactly the acknowledged events, and `ledger log`
    holds exactly the acknowledged events' ids in order (nothing of a failed batch);
  * the filler is deleted, the failed batch is appended again and succeeds, and
    `verify` counts it too.

How to run (as root; exits 0 with "SKIP" where mounting is not permitted)
----------
    swift build -c release --product ledger
    python3 Tools/full_disk.py --ledger-binary .build/release/ledger

Exit status 0 if every check passed (or the check was skipped); the last line is
a PASS/FAIL/SKIP summary with the figures.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from ledgertools import ENROLL, parse_ack, payment, run, write_batch

IO_ERROR = 74


def said(done):
    """A failed command's message on one line."""
    return " ".join(done.stderr.split()) or "exit %d" % done.returncode


def mount(directory, size, work, loop_only):
    """Mounts a small file system on `directory`; returns its kind, or None with the reasons it could not."""
    reasons = []
    if not loop_only:
        attempt = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % size, "tmpfs", directory],
                                 capture_output=True, text=True)
        if attempt.returncode == 0:
            return "tmpfs", []
        reasons.append("tmpfs: " + said(attempt))
    image = os.path.join(work, "disk.img")
    steps = [["truncate", "-s", size.upper(), image], ["mkfs.ext2", "-q", "-F", image],
             ["mount", "-o", "loop", image, directory]]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True)
        except FileNotFoundError:
            reasons.append("loop device: %s is not installed" % step[0])
            return None, reasons
        if done.returncode != 0:
            reasons.append("loop device: %s: %s" % (" ".join(step[:2]), said(done)))
            return None, reasons
    return "ext2 on a loop device", reasons


def verified_count(binary, ledger):
    """(exit code, event count or None, output) of `ledger verify`."""
    done = run(binary, ledger, "verify")
    count = None
    if done.returncode == 0 and done.stdout.startswith("verified: "):
        count = int(done.stdout.split()[1])
    return done.returncode, count, (done.stdout + done.stderr).strip()


def logged_ids(binary, ledger):
    """The ids of the stored events, in seq order."""
    done = run(binary, ledger, "log")
    if done.returncode != 0:
        raise SystemExit("FAIL: ledger log exited %d: %s" % (done.returncode, done.stderr.strip()))
    return [json.loads(line).get("id") for line in done.stdout.splitlines()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--ledger-binary", default=".build/release/ledger")
    parser.add_argument("--size", default="4m", help="size of the file system (mount syntax: 4m)")
    parser.add_argument("--filler-kb", type=int, default=1024, help="KiB written before the ledger, freed at the end")
    parser.add_argument("--max-events", type=int, default=400, help="largest batch")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--loop", action="store_true", help="use an ext2 image on a loop device, not tmpfs")
    args = parser.parse_args()
    binary = os.path.abspath(args.ledger_binary)
    if not os.access(binary, os.X_OK):
        raise SystemExit("FAIL: no ledger binary at %s (swift build -c release --product ledger)" % binary)

    work = tempfile.mkdtemp(prefix="reliability-full-disk-", dir="/tmp")
    disk = os.path.join(work, "disk")
    os.mkdir(disk, 0o700)
    kind, reasons = mount(disk, args.size, work, args.loop)
    if kind is None:
        shutil.rmtree(work, ignore_errors=True)
        print("SKIP: cannot mount a small file system here (%s); the fault-injection tests "
              "(swift test --filter FaultInjectionTests) cover a full disk instead" % "; ".join(reasons))
        return 0
    failures = []
    started = time.time()
    try:
        filler = os.path.join(disk, "filler")
        with open(filler, "wb") as f:
            f.write(os.urandom(args.filler_kb * 1024))
        ledger = os.path.join(disk, "ledger")
        done = run(binary, ledger, "init")
        if done.returncode != 0:
            raise SystemExit("FAIL: init exited %d: %s" % (done.returncode, done.stderr.strip()))

        rng = random.Random(args.seed)
        acknowledged = []      # ids of acknowledged events, in order
        batches = 0
        batch_path = os.path.join(work, "batch.jsonl")
        first = True
        while True:
            size = rng.randint(1, args.max_events)
            events = ([ENROLL] if first else []) + [
                payment("fill-%d-%d-%s" % (batches, i, "x" * rng.randint(0, 40)), rng.randint(1, 10**9))
                for i in range(size)]
            write_batch(batch_path, events)
            done = run(binary, ledger, "append", batch_path)
            if done.returncode != 0:
                break
            ack = parse_ack(done.stdout)
            if int(ack.get("appended", -1)) != len(events):
                failures.append("batch %d: acknowledged %s of %d events" % (batches, ack.get("appended"), len(events)))
            acknowledged += [e["id"] for e in events]
            batches += 1
            first = False
        full = (done.returncode, done.stderr.strip())
        used = shutil.disk_usage(disk)

        # The failure: exit 74, and a message that names the cause.
        if full[0] != IO_ERROR:
            failures.append("the failing append exited %d, expected %d" % (full[0], IO_ERROR))
        if "no space left on device" not in full[1].lower():
            failures.append("the failing append's message does not say 'no space left on device': %r" % full[1])
        again = run(binary, ledger, "append", batch_path)
        if again.returncode != IO_ERROR or "no space left on device" not in again.stderr.lower():
            failures.append("a second append on the full disk: exit %d, %r" % (again.returncode, again.stderr.strip()))

        # The ledger: verifies and holds exactly the acknowledged events.
        code, count, output = verified_count(binary, ledger)
        if code != 0 or count != len(acknowledged):
            failures.append("verify on the full disk: exit %d, %s events, expected %d: %s"
                            % (code, count, len(acknowledged), output))
        if logged_ids(binary, ledger) != acknowledged:
            failures.append("the log does not hold exactly the acknowledged events in order")

        # Space freed: the refused batch is appended in full.
        os.unlink(filler)
        done = run(binary, ledger, "append", batch_path)
        retried = int(parse_ack(done.stdout).get("appended", -1)) if done.returncode == 0 else None
        if done.returncode != 0 or retried != len(events):
            failures.append("append after freeing space: exit %d, appended %s of %d: %s"
                            % (done.returncode, retried, len(events), done.stderr.strip()))
        else:
            acknowledged += [e["id"] for e in events]
        code, count_after, output = verified_count(binary, ledger)
        if code != 0 or count_after != len(acknowledged):
            failures.append("verify after freeing space: exit %d, %s events, expected %d: %s"
                            % (code, count_after, len(acknowledged), output))
        if logged_ids(binary, ledger) != acknowledged:
            failures.append("after freeing space the log does not hold exactly the acknowledged events in order")

        figures = ("%s of %s; %d batches (%d events) acknowledged before the disk filled (%d KiB used of %d KiB); "
                   "failing append: exit %d, %r; after freeing %d KiB: %d events verified; %.1f s"
                   % (kind, args.size, batches, count or 0, (used.total - used.free) // 1024, used.total // 1024,
                      full[0], full[1], args.filler_kb, count_after or 0, time.time() - started))
    finally:
        subprocess.run(["umount", disk], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    for failure in failures:
        print("FAIL: " + failure)
    print(("PASS: " if not failures else "FAIL: ") + figures)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
