"""Helpers shared by the reliability tools: the events they append and how they call the `ledger` binary."""

import json
import subprocess

ENROLL = {"type": "dealer.enrolled", "at": "2025-01-01", "id": "enroll-D1",
          "data": {"dealer": "D1", "name": "测试经销商"}}


def payment(eid, amount):
    """A valid payment by dealer D1 with idempotency key `eid`."""
    return {"type": "payment.received", "at": "2025-02-01", "id": eid,
            "data": {"dealer": "D1", "amount": amount, "ref": eid[:64]}}


def write_batch(path, events):
    """Writes events as JSON Lines."""
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")


def run(binary, ledger_dir, *args, timeout=600):
    """Runs `ledger --dir ledger_dir ARGS` and returns the completed process."""
    return subprocess.run([binary, "--dir", ledger_dir, *args], capture_output=True,
                          text=True, timeout=timeout)


def parse_ack(stdout):
    """The `key: value` lines printed by append, as a dict."""
    out = {}
    for line in stdout.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out
