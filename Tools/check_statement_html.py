#!/usr/bin/env python3
"""Render a dealer statement's HTML page in headless Chromium and check it.

Builds a ledger from a golden scenario (or uses --dir), prints `ledger statement DEALER --format html` and
`--format json`, then asks Chromium for the DOM after layout (--dump-dom) and an A4-sized screenshot. Checks that
every text a dealer signs for is in the DOM (name in Chinese, id, period, each opening and closing balance, every
movement's seq, the signature line) and that the screenshot is a sensible, non-blank page.

Exits 0 with a "skipped" message when no Chromium is installed (Debian package `chromium`), so that the test suite
never depends on it; 1 when a check fails; 2 on bad usage.

    python3 Tools/check_statement_html.py --ledger-binary .build/debug/ledger [--keep /tmp/finance-html]
"""

import argparse
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLUMNS = ["claimed", "pending", "approved", "rejected", "writtenOff", "deducted", "receivable"]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def yuan(fen):
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def run(arguments, **options):
    result = subprocess.run(arguments, capture_output=True, **options)
    if result.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(arguments)} exited {result.returncode}: {result.stderr.decode(errors='replace')}")
    return result.stdout


def png_pixels(path):
    """Width, height and the fraction of pixels that are not near-white, from a PNG (8-bit RGB or RGBA)."""
    with open(path, "rb") as file:
        data = file.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"FAIL: {path} is not a PNG")
    position, chunks, width, height, depth, colour = 8, [], 0, 0, 0, 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    if depth != 8 or colour not in (2, 6):
        return width, height, None
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    previous = bytearray(stride)
    inked = 0
    offset = 0
    for _ in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for index in range(stride):
            left = line[index - channels] if index >= channels else 0
            up = previous[index]
            corner = previous[index - channels] if index >= channels else 0
            if kind == 1:
                line[index] = (line[index] + left) & 0xFF
            elif kind == 2:
                line[index] = (line[index] + up) & 0xFF
            elif kind == 3:
                line[index] = (line[index] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[index] = (line[index] + predictor) & 0xFF
        for pixel in range(0, stride, channels):
            if min(line[pixel], line[pixel + 1], line[pixel + 2]) < 200:
                inked += 1
        previous = line
    return width, height, inked / float(width * height)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger-binary", required=True)
    parser.add_argument("--dir", help="an existing ledger (default: a new one from --scenario)")
    parser.add_argument("--scenario", default="writeoffs-and-balances")
    parser.add_argument("--dealer", default="WA")
    parser.add_argument("--from", dest="start", default="2025-01-01")
    parser.add_argument("--to", dest="end", default="2025-06-30")
    parser.add_argument("--keep", help="a folder to keep statement.html and statement.png in")
    arguments = parser.parse_args()

    chromium = find_chromium()
    if chromium is None:
        print("skipped: no chromium found (apt-get install -y chromium to run this check)")
        return 0

    scratch = tempfile.mkdtemp(prefix="finance-html-")
    try:
        folder = arguments.dir
        if folder is None:
            folder = os.path.join(scratch, "ledger")
            run([arguments.ledger_binary, "--dir", folder, "init"])
            events = os.path.join(ROOT, "Snapshots", "scenarios", arguments.scenario, "events.jsonl")
            run([arguments.ledger_binary, "--dir", folder, "append", events])
        base = [arguments.ledger_binary, "--dir", folder, "statement", arguments.dealer,
                "--from", arguments.start, "--to", arguments.end]
        statement = json.loads(run(base + ["--format", "json"]))
        page = os.path.join(arguments.keep or scratch, "statement.html")
        shot = os.path.join(arguments.keep or scratch, "statement.png")
        if arguments.keep:
            os.makedirs(arguments.keep, exist_ok=True)
        run(base + ["--format", "html", "--out", page])

        flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--user-data-dir={os.path.join(scratch, 'profile')}"]
        dom = run(flags + ["--dump-dom", "file://" + page], timeout=120).decode("utf-8")
        # 794 × 1123 CSS pixels is A4 at 96 dpi.
        run(flags + ["--window-size=794,1123", f"--screenshot={shot}", "file://" + page], timeout=120)

        text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
        text = re.sub(r"\s+", " ", text)
        expected = [statement["dealer"], statement["from"], statement["to"], "经销商确认", "签字", "日期",
                    "期初 + 本期发生 = 期末"]
        if statement.get("name"):
            expected.append(statement["name"])
        for side in ("opening", "closing"):
            expected += [yuan(statement[side][column]) for column in COLUMNS]
        expected += [yuan(statement["movementTotals"][column]) for column in COLUMNS]
        failures = [f"missing from the DOM: {item!r}" for item in expected if item not in text]
        rows = re.findall(r"<tr>(.*?)</tr>", dom.split('class="movements-list"', 1)[-1], re.S)
        movement_rows = [row for row in rows if "<td" in row]
        if statement["movements"] and len(movement_rows) != len(statement["movements"]):
            failures.append(f"{len(movement_rows)} movement rows in the DOM, {len(statement['movements'])} in the statement")
        for movement in statement["movements"]:
            if f">{movement['seq']}<" not in dom:
                failures.append(f"movement seq {movement['seq']} not in the DOM")
        if '<meta charset="utf-8">' not in dom:
            failures.append("no <meta charset=\"utf-8\">")

        width, height, inked = png_pixels(shot)
        size = os.path.getsize(shot)
        if width < 700 or height < 1000:
            failures.append(f"screenshot is {width}×{height}, expected about 794×1123")
        if size < 10_000:
            failures.append(f"screenshot is only {size} bytes: an empty page?")
        if inked is not None and not 0.005 < inked < 0.5:
            failures.append(f"{inked:.1%} of the screenshot is ink: blank or broken page")
        fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True).stdout if shutil.which("fc-list") else b"?"
        if not fonts.strip():
            print("warning: no font with Chinese glyphs is installed (fonts-noto-cjk); the page will show empty boxes")

        if failures:
            for failure in failures:
                print("FAIL:", failure)
            return 1
        ink = "" if inked is None else f", {inked:.1%} ink"
        print(f"ok: {statement['dealer']} {statement['from']}–{statement['to']}: {len(expected)} texts and "
              f"{len(statement['movements'])} movements in the DOM; screenshot {width}×{height}, {size} bytes{ink}")
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
