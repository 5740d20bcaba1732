#!/usr/bin/env python3
"""Checks that the independent Python verifier and the `ledger` binary agree on a generated ledger.

    compare_verifier.py --ledger-binary .build/release/ledger [--units 2000] [--seed 1]

Generates a dealer network (`ledger generate`), appends it in two batches into a new ledger under /tmp,
then compares `ledger verify` with `verify_ledger.py` (summary lines), `ledger digest` with `--digest`
(the five lines, `taken` aside, at the full size and at the first batch's size), and `ledger log` with
`--events` (byte for byte). Proofs from `ledger prove` must pass `verify_ledger.py --check-proof` and
`ledger check-proof` against both digests, and a proof with one byte changed must fail in both. Finally a
copy of the ledger with one byte flipped in a segment must fail both verifiers. Prints one PASS/FAIL line
with both programs' times and exits 0 on PASS, 1 on FAIL.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFIER = os.path.join(HERE, "verify_ledger.py")


class Timed:
    """Runs commands and adds up their wall-clock time per program."""

    def __init__(self):
        self.seconds = {"ledger": 0.0, "python": 0.0}
        self.last = 0.0
        self.verify = (0.0, 0.0)

    def run(self, program, command):
        start = time.monotonic()
        result = subprocess.run(command, capture_output=True, timeout=900)
        self.last = time.monotonic() - start
        self.seconds[program] += self.last
        return result


def text(result):
    return result.stdout.decode("utf-8", "replace")


def describe(result):
    return f"exit {result.returncode}: {result.stderr.decode('utf-8', 'replace').strip()[:300]}"


def flip(path, offset, mask=0x01):
    with open(path, "r+b") as file:
        file.seek(offset)
        byte = file.read(1)[0]
        file.seek(offset)
        file.write(bytes([byte ^ mask]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger-binary", required=True, help="path to the built `ledger` executable")
    parser.add_argument("--units", type=int, default=2000, help="units of the generated dealer network (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    options = parser.parse_args()
    binary = os.path.abspath(options.ledger_binary)
    if not os.access(binary, os.X_OK):
        print(f"error: {binary} is not an executable; build it with `swift build -c release --product ledger`",
              file=sys.stderr)
        return 64
    work = tempfile.mkdtemp(prefix="pyverify-compare-")
    timed = Timed()
    problems, notes, events = [], [], 0
    try:
        events = compare(binary, work, options.units, options.seed, timed, problems, notes)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        problems.append(str(error))
    finally:
        if options.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for problem in problems:
        print(f"  mismatch: {problem}")
    for note in notes:
        print(f"  note: {note}")
    verdict = "FAIL" if problems else "PASS"
    swift_verify, python_verify = timed.verify
    print(f"{verdict}: {events} events ({options.units} units, seed {options.seed}); full check: ledger verify "
          f"{swift_verify:.2f} s, python {python_verify:.2f} s; all runs: ledger {timed.seconds['ledger']:.2f} s, "
          f"python {timed.seconds['python']:.2f} s; {len(problems)} mismatches")
    return 1 if problems else 0


def compare(binary, work, units, seed, timed, problems, notes):
    """Runs every comparison, appending to `problems` and `notes`; returns the number of events."""
    folder = os.path.join(work, "ledger")

    def ledger(*args, program="ledger"):
        return timed.run(program, [binary, "--dir", folder, *args])

    def python(*args):
        return timed.run("python", [sys.executable, VERIFIER, *args])

    def must(result, what):
        if result.returncode != 0:
            raise RuntimeError(f"{what} failed ({describe(result)})")
        return result

    events_path = os.path.join(work, "events.jsonl")
    must(subprocess.run([binary, "generate", "--units", str(units), "--seed", str(seed), "--out", events_path],
                        capture_output=True), "ledger generate")
    with open(events_path, "rb") as file:
        lines = file.read().splitlines(keepends=True)
    first_batch = len(lines) * 3 // 5
    for name, part in (("batch1.jsonl", lines[:first_batch]), ("batch2.jsonl", lines[first_batch:])):
        with open(os.path.join(work, name), "wb") as file:
            file.writelines(part)
    must(ledger("init"), "ledger init")
    must(ledger("append", os.path.join(work, "batch1.jsonl")), "ledger append (first batch)")
    first_size = int(text(must(ledger("verify"), "ledger verify")).split()[1])
    must(ledger("append", os.path.join(work, "batch2.jsonl")), "ledger append (second batch)")

    # Summary lines.
    swift = ledger("verify")
    swift_seconds = timed.last
    mine = python(folder)
    timed.verify = (swift_seconds, timed.last)
    if swift.returncode != 0 or mine.returncode != 0:
        problems.append(f"verify: ledger {describe(swift)}; python {describe(mine)}")
    elif text(swift).splitlines()[:2] != text(mine).splitlines()[:2]:
        problems.append(f"verify summaries differ: {text(swift).splitlines()[:2]} vs {text(mine).splitlines()[:2]}")
    events = int(text(mine).split()[1]) if mine.returncode == 0 else 0

    # Events, byte for byte.
    swift, mine = ledger("log"), python(folder, "--events")
    if swift.returncode != 0 or mine.returncode != 0:
        problems.append(f"log: ledger {describe(swift)}; python {describe(mine)}")
    elif swift.stdout != mine.stdout:
        a, b = swift.stdout.splitlines(), mine.stdout.splitlines()
        line = next((n for n, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        problems.append(f"log output differs from --events at line {line + 1} ({len(a)} vs {len(b)} lines)")

    # Digests at the full size and at the first batch's size.
    digest_files = {}
    digest_available = True
    for size, swift_args, python_args in ((events, (), ()), (first_size, ("--known-at", str(first_size)),
                                                              ("--size", str(first_size)))):
        swift, mine = ledger("digest", *swift_args), python(folder, "--digest", *python_args)
        if swift.returncode == 64 and b"unknown command" in swift.stderr:
            digest_available = False
            notes.append("`ledger digest` is not in this binary yet: digests not compared")
            break
        if swift.returncode != 0 or mine.returncode != 0:
            problems.append(f"digest {size}: ledger {describe(swift)}; python {describe(mine)}")
            continue
        swift_lines = [line for line in text(swift).splitlines() if not line.startswith("taken ")]
        if swift_lines != text(mine).splitlines():
            problems.append(f"digest at size {size} differs: {swift_lines} vs {text(mine).splitlines()}")
        digest_files[size] = os.path.join(work, f"digest-{size}.txt")
        with open(digest_files[size], "wb") as file:
            file.write(swift.stdout)

    # Proofs: `ledger prove` output checked by both programs, then with one byte changed by both.
    if digest_available:
        compare_proofs(ledger, python, folder, work, events, first_size, digest_files, problems, notes)

    # Damage: one flipped byte in a copy of the segment must fail both verifiers.
    compare_damage(timed, binary, python, folder, work, problems)
    return events


def compare_proofs(ledger, python, folder, work, events, first_size, digest_files, problems, notes):
    seq = max(1, first_size // 2)
    cases = [("inclusion", ("prove", str(seq), "--size", str(events)), [digest_files[events]]),
             ("consistency", ("prove", "--from", str(first_size), "--size", str(events)),
              [digest_files[first_size], digest_files[events]])]
    for kind, args, digests in cases:
        made = ledger(*args)
        if made.returncode == 64 and b"unknown command" in made.stderr:
            notes.append("`ledger prove` is not in this binary yet: proofs not compared")
            return
        if made.returncode != 0:
            problems.append(f"ledger {' '.join(args)}: {describe(made)}")
            continue
        proof = os.path.join(work, f"{kind}.json")
        with open(proof, "wb") as file:
            file.write(made.stdout)
        digest_args = [word for path in digests for word in ("--digest", path)]
        mine = python("--check-proof", proof, *digest_args, folder)
        swift = ledger("check-proof", proof, *digest_args)
        if mine.returncode != 0 or swift.returncode != 0:
            problems.append(f"{kind} proof refused: python {describe(mine)}; ledger {describe(swift)}")
        # One byte changed: a hex digit of the path (or the record for a path-less proof), and a digit of "size".
        raw = made.stdout
        targets = [raw.rindex(b'"]') - 1, raw.index(b'"size":') + len(b'"size":')]
        for position in targets:
            mutated = raw[:position] + bytes([raw[position] ^ 0x01]) + raw[position + 1:]
            bad = os.path.join(work, f"{kind}-mutated.json")
            with open(bad, "wb") as file:
                file.write(mutated)
            mine = python("--check-proof", bad, *digest_args)
            swift = ledger("check-proof", bad, *digest_args)
            if mine.returncode == 0 or swift.returncode == 0:
                problems.append(f"{kind} proof with byte {position} changed was accepted: python exit "
                                f"{mine.returncode}, ledger exit {swift.returncode}")


def compare_damage(timed, binary, python, folder, work, problems):
    segment = sorted(name for name in os.listdir(folder) if name.endswith(".seg"))[0]
    size = os.path.getsize(os.path.join(folder, segment))
    # A byte in the middle (a record's payload or header), one in the first block header, one in the last record.
    for offset in (size // 2, 32 + 5, size - 3):
        copy = os.path.join(work, "damaged")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(folder, copy)
        flip(os.path.join(copy, segment), offset)
        swift = timed.run("ledger", [binary, "--dir", copy, "verify"])
        mine = python(copy)
        if swift.returncode != 1 or mine.returncode != 1:
            problems.append(f"byte {offset} of {segment} flipped: ledger verify exit {swift.returncode}, python "
                            f"exit {mine.returncode} (both must be 1)")
        elif segment.encode() not in mine.stderr:
            problems.append(f"byte {offset} flipped: the python error does not name the segment: {describe(mine)}")
    # A torn tail (bytes of an interrupted append after the last commit) is reported by both, and tolerated.
    copy = os.path.join(work, "torn")
    shutil.copytree(folder, copy)
    last = sorted(name for name in os.listdir(copy) if name.endswith(".seg"))[-1]
    with open(os.path.join(copy, last), "ab") as file:
        file.write(b"WLBK" + bytes(17))
    swift = timed.run("ledger", [binary, "--dir", copy, "verify"])
    mine = python(copy)
    # The caches (`snapshot:`, `merkle store:` lines) are the binary's own; the Python verifier reads the log only.
    caches = ("snapshot:", "merkle store:")
    notes_of = [[line for line in text(result).splitlines() if not line.startswith(caches)] for result in (swift, mine)]
    if swift.returncode != 0 or mine.returncode != 0 or notes_of[0] != notes_of[1]:
        problems.append(f"torn tail: ledger verify {swift.returncode} {notes_of[0]}, python {mine.returncode} {notes_of[1]}")


if __name__ == "__main__":
    sys.exit(main())
