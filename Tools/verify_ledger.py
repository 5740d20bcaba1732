#!/usr/bin/env python3
"""An independent verifier for a warranty-ledger folder, written from the format documents alone.

It reads `Sources/Ledger/Ledger.docc/StorageFormat.md` (files, segments, blocks, records, torn tails)
and the event encoding at the top of `Sources/WarrantyDomain/EventCodec.swift`, and uses nothing but the
Python 3.11 standard library, so an auditor need not trust the `ledger` binary.

    verify_ledger.py LEDGER_DIR                       check everything; print the summary `ledger verify` prints
    verify_ledger.py LEDGER_DIR --events              the events as JSON Lines, byte for byte as `ledger log`
    verify_ledger.py LEDGER_DIR --digest [--size N]   the RFC 9162 checkpoint of the first N records (default all)
    verify_ledger.py --check-proof FILE [--digest FILE]... [LEDGER_DIR]
                                                      check an inclusion or consistency proof
    verify_ledger.py --self-test                      CRC-32C, SHA-256, Merkle and proof vectors

Exit 0 when everything checks out; 1 with `error: ...` on standard error when something does not
(naming the segment file and byte offset for damage); 64 for a usage error.
"""

import hashlib
import json
import mmap
import os
import re
import struct
import sys
import unicodedata
from array import array
from functools import lru_cache


class VerificationError(Exception):
    """Something in the ledger, a proof or a digest is not what the format documents say."""


# MARK: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven, eight bytes per step

def _crc_tables():
    first = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        first.append(c)
    tables = [first]
    for _ in range(7):
        previous = tables[-1]
        tables.append([(previous[n] >> 8) ^ first[previous[n] & 0xFF] for n in range(256)])
    return tables


CRC_TABLES = _crc_tables()
_EIGHT_BYTES = struct.Struct("<II")


def crc32c(data):
    """CRC-32C of a bytes-like object ("slicing by 8": one step per 8 bytes, then byte by byte)."""
    t0, t1, t2, t3, t4, t5, t6, t7 = CRC_TABLES
    crc = 0xFFFFFFFF
    whole = len(data) - len(data) % 8
    for low, high in _EIGHT_BYTES.iter_unpack(data[:whole]):
        low ^= crc
        crc = (t7[low & 0xFF] ^ t6[(low >> 8) & 0xFF] ^ t5[(low >> 16) & 0xFF] ^ t4[low >> 24]
               ^ t3[high & 0xFF] ^ t2[(high >> 8) & 0xFF] ^ t1[(high >> 16) & 0xFF] ^ t0[high >> 24])
    for byte in data[whole:]:
        crc = t0[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c_bytewise(data):
    """CRC-32C one byte at a time: the plain definition the self-test compares `crc32c` with."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = CRC_TABLES[0][(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# MARK: Merkle tree (RFC 9162 §2.1)

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf):
    return hashlib.sha256(b"\x00" + bytes(leaf)).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class MerkleFrontier:
    """The roots of the complete subtrees of the leaves so far, largest first: O(log n) hashes."""

    def __init__(self):
        self.size = 0
        self.hashes = []

    def append(self, leaf_digest):
        digest, size = leaf_digest, self.size
        while size & 1:
            digest = node_hash(self.hashes.pop(), digest)
            size >>= 1
        self.hashes.append(digest)
        self.size += 1

    def root(self):
        if not self.hashes:
            return EMPTY_ROOT
        digest = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            digest = node_hash(left, digest)
        return digest


def _split(n):
    """The largest power of two smaller than n (n ≥ 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def merkle_root(leaf_hashes):
    """MTH(D[n]) over leaf hashes, by the RFC's recursion."""
    if not leaf_hashes:
        return EMPTY_ROOT
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = _split(len(leaf_hashes))
    return node_hash(merkle_root(leaf_hashes[:k]), merkle_root(leaf_hashes[k:]))


def inclusion_path(m, leaf_hashes):
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    if len(leaf_hashes) <= 1:
        return []
    k = _split(len(leaf_hashes))
    if m < k:
        return inclusion_path(m, leaf_hashes[:k]) + [merkle_root(leaf_hashes[k:])]
    return inclusion_path(m - k, leaf_hashes[k:]) + [merkle_root(leaf_hashes[:k])]


def consistency_path(m, leaf_hashes):
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 (empty when m is 0 or n)."""
    def subproof(m, d, complete):
        if m == len(d):
            return [] if complete else [merkle_root(d)]
        k = _split(len(d))
        if m <= k:
            return subproof(m, d[:k], complete) + [merkle_root(d[k:])]
        return subproof(m - k, d[k:], False) + [merkle_root(d[:k])]
    if m == 0 or m == len(leaf_hashes):
        return []
    return subproof(m, leaf_hashes, True)


def verify_inclusion(index, size, leaf_digest, path, root):
    """RFC 9162 §2.1.3.2: whether `path` proves leaf `index` (0-based) in the tree of `size` with `root`."""
    if index < 0 or index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_digest
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn != 0 and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, path):
    """RFC 9162 §2.1.4.2: whether `path` proves the tree of `second` extends the tree of `first`.

    The RFC covers 0 < first < second; equal sizes need equal roots and no path, and the empty tree
    (whose root is SHA-256 of nothing) is extended by every tree, with no path.
    """
    if first < 0 or second < first:
        return False
    if first == 0 and first_root != EMPTY_ROOT:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0:
        return not path
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_root] + list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn != 0 and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# MARK: Days and times

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def days_from_civil(year, month, day):
    y = year - 1 if month <= 2 else year
    era = y // 400
    year_of_era = y - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def civil_from_days(days):
    z = days + 719468
    era = z // 146097
    day_of_era = z - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    mp = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return year_of_era + era * 400 + (1 if month <= 2 else 0), month, day


def days_in_month(month, year):
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _pad(value, width):
    """Decimal digits left-padded with zeros (as the Swift code pads, sign included in the width)."""
    text = str(value)
    return "0" * (width - len(text)) + text


def day_text(ordinal):
    """`YYYY-MM-DD` of a day counted from 1970-01-01."""
    year, month, day = civil_from_days(ordinal)
    return f"{_pad(year, 4)}-{_pad(month, 2)}-{_pad(day, 2)}"


def recorded_text(microseconds):
    """A recorded time as `ledger log` prints it: `2026-11-26T06:23:32.123456Z`."""
    seconds = microseconds // 1_000_000
    micros = microseconds - seconds * 1_000_000
    days = seconds // 86400
    second_of_day = seconds - days * 86400
    date = day_text(min(max(days, INT32_MIN), INT32_MAX))
    return (f"{date}T{_pad(second_of_day // 3600, 2)}:{_pad(second_of_day // 60 % 60, 2)}:"
            f"{_pad(second_of_day % 60, 2)}.{_pad(micros, 6)}Z")


ZONE = re.compile(r"([+-])([0-9]{2}):([0-9]{2})")
BUSINESS_TIME = re.compile(rb"([0-9]{4})-([0-9]{2})-([0-9]{2})"
                           rb"(?:[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2})))?")


def zone_minutes(text):
    """Minutes east of UTC of `+HH:MM` / `-HH:MM` (hours below 24), or None."""
    match = ZONE.fullmatch(text)
    if not match or int(match[2]) >= 24 or int(match[3]) >= 60:
        return None
    minutes = int(match[2]) * 60 + int(match[3])
    return -minutes if match[1] == "-" else minutes


@lru_cache(maxsize=1 << 16)  # the same few thousand days and times recur across millions of events
def business_day(at, zone):
    """The day ordinal of business time `at` (bytes) in a zone of `zone` minutes, or None if `at` is not one.

    `YYYY-MM-DD` is that day; a date-time with offset is moved to the zone, hours and minutes only.
    """
    match = BUSINESS_TIME.fullmatch(at)
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if not (1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= days_in_month(month, year)):
        return None
    date = days_from_civil(year, month, day)
    if match[4] is None:
        return date
    hour, minute, second = int(match[4]), int(match[5]), int(match[6])
    if hour >= 24 or minute >= 60 or second > 60:
        return None
    offset = 0
    if match[7] is not None:
        if int(match[8]) >= 24 or int(match[9]) >= 60:
            return None
        offset = int(match[8]) * 60 + int(match[9])
        offset = -offset if match[7] == b"-" else offset
    return date + (hour * 60 + minute - offset + zone) // 1440


# MARK: The event encoding (EventCodec version 1)

IDENTIFIER, ID, TEXT, AT = 64, 128, 256, 64
MONEY_MAX = 1_000_000_000_000
EFFECTIVE_MIN, EFFECTIVE_MAX = days_from_civil(1, 1, 1), days_from_civil(9999, 12, 31)
CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
FIXED = {fmt: struct.Struct(fmt) for fmt in ("<B", "<H", "<i", "<q")}

# Each body field: (name, kind, presence bit or None). Kinds: "id"/"text" strings; "money"; (low, high)
# an i32 range; a tuple of names a u8 code; and the special kinds handled in `EventReader.field`.
BODIES = {
    0: ("policy.published", [
        ("policy", "id", None), ("models", "ids1", None), ("effective", "effective", None),
        ("clockStart", ("sale", "install"), None), ("returnDays", (0, 36500), None),
        ("exchangeDays", "exchangeDays", None), ("warrantyMonths", (1, 1200), None),
        ("components", "components", 0), ("excluded", "excluded", 1), ("escalateAfter", (0, 1000), 2),
        ("maxRepairDays", (0, 36500), 3), ("registrationDays", (0, 36500), 4),
        ("partReturnDeadlines", "monthDays", 5), ("retentionYears", (1, 100), 6), ("laborRate", "money", None),
        ("sla", "sla", 7)]),
    1: ("dealer.enrolled", [("dealer", "id", None), ("name", "text", None), ("region", "text", 0)]),
    2: ("unit.sold", [("serial", "id", None), ("model", "id", None), ("dealer", "id", None),
                      ("customer", "text", 0), ("invoice", "id", 1), ("price", "money", None)]),
    3: ("card.registered", [("serial", "id", None)]),
    4: ("unit.installed", [("serial", "id", None), ("site", "text", 0)]),
    5: ("complaint.lodged", [("complaint", "id", None), ("serial", "id", None), ("part", "id", 0),
                             ("fault", "text", None)]),
    6: ("visit.recorded", [("visit", "id", None), ("serial", "id", None), ("dealer", "id", None),
                           ("complaint", "id", 0), ("kind", ("repair", "return", "inspection"), None),
                           ("finding", ("defect", "misuse", "supplier", "none"), None),
                           ("laborMinutes", (0, 100000), None), ("travel", "money", None),
                           ("resolved", "bool", None)]),
    7: ("part.swapped", [("swap", "id", None), ("visit", "id", None), ("serial", "id", None), ("part", "id", None),
                         ("removed", "id", 0), ("installed", "id", 1), ("cost", "money", None)]),
    8: ("part.returned", [("swap", "id", None)]),
    9: ("part.appraised", [("swap", "id", None), ("verdict", ("defect", "premature", "misuse", "no-fault"), None),
                           ("disposition", ("reusable", "scrap"), None)]),
    10: ("cost.written-off", [("notice", "id", None), ("dealer", "id", None), ("lines", "ids1", None),
                              ("amount", "money", None)]),
    11: ("writeoff.confirmed", [("notice", "id", None)]),
    12: ("dealer.invoiced", [("dealer", "id", None), ("invoice", "id", None), ("amount", "money", None)]),
    13: ("payment.received", [("dealer", "id", None), ("amount", "money", None), ("ref", "id", 0)]),
    14: ("unit.returned", [("serial", "id", None), ("refund", "money", None)]),
    15: ("unit.exchanged", [("serial", "id", None), ("replacement", "id", None)]),
    16: ("event.voided", [("seq", "seq", None), ("reason", "text", None)]),
}
# The presence bits each type defines: one per optional field.
DEFINED_BITS = {tag: sum(1 << bit for _, _, bit in fields if bit is not None) for tag, (_, fields) in BODIES.items()}


def canonical(text):
    """The key under which Swift's `String ==` (canonical equivalence) treats strings as equal."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


class EventReader:
    """Reads one stored event; every refusal names the byte offset within the event and the field."""

    def __init__(self, data, zone):
        self.data = data
        self.zone = zone
        self.pos = 0

    def fail(self, offset, reason):
        raise VerificationError(f"stored event refused at byte {offset}: {reason}")

    def fixed(self, fmt, size, field):
        if len(self.data) - self.pos < size:
            self.fail(self.pos, f"{field}: record ends inside a {size}-byte field")
        value = FIXED[fmt].unpack_from(self.data, self.pos)[0]
        self.pos += size
        return value

    def ranged(self, fmt, size, field, low, high):
        start = self.pos
        value = self.fixed(fmt, size, field)
        if not low <= value <= high:
            self.fail(start, f"{field}: {value} is outside {low}...{high}")
        return value

    def code(self, field, names):
        start = self.pos
        value = self.fixed("<B", 1, field)
        if value >= len(names):
            self.fail(start, f"{field}: code {value} is not below {len(names)}")
        return names[value]

    def string(self, limit, field):
        start = self.pos
        length = self.fixed("<H", 2, field)
        if len(self.data) - self.pos < length:
            self.fail(start, f"{field}: string of {length} bytes runs past the record's end")
        raw = self.data[self.pos:self.pos + length]
        control = CONTROL.search(raw)
        if control:
            self.fail(self.pos + control.start(), f"{field}: control character U+{raw[control.start()]:04X}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            self.fail(self.pos + error.start, f"{field}: invalid UTF-8")
        if not text:
            self.fail(start, f"{field}: empty string")
        if len(text) > limit:
            self.fail(start, f"{field}: {len(text)} characters, more than {limit}")
        self.pos += length
        return text

    def count(self, field, minimum):
        start = self.pos
        items = self.fixed("<H", 2, field)
        if not minimum <= items <= 1000:
            self.fail(start, f"{field}: {items} items, outside {minimum}...1000")
        return items

    def identifiers(self, field, minimum):
        start = self.pos
        items = [self.string(IDENTIFIER, field) for _ in range(self.count(field, minimum))]
        if len({canonical(item) for item in items}) != len(items):
            self.fail(start, f"{field}: duplicate items")
        return items

    def field(self, name, kind, fields):
        if kind == "id":
            return self.string(IDENTIFIER, name)
        if kind == "text":
            return self.string(TEXT, name)
        if kind == "money":
            return self.ranged("<q", 8, name, 0, MONEY_MAX)
        if isinstance(kind, tuple) and isinstance(kind[0], int):
            return self.ranged("<i", 4, name, *kind)
        if isinstance(kind, tuple):
            return self.code(name, kind)
        if kind == "bool":
            start = self.pos
            value = self.fixed("<B", 1, name)
            if value > 1:
                self.fail(start, f"{name}: {value} is not a bool (0 or 1)")
            return value == 1
        if kind == "ids1":
            return self.identifiers(name, 1)
        if kind == "seq":
            return self.ranged("<q", 8, name, 1, (1 << 63) - 1)
        if kind == "effective":
            start = self.pos
            ordinal = self.fixed("<i", 4, name)
            if not EFFECTIVE_MIN <= ordinal <= EFFECTIVE_MAX:
                self.fail(start, f"effective: day {ordinal} is outside years 1-9999")
            return day_text(ordinal)
        if kind == "exchangeDays":
            return self.ranged("<i", 4, name, fields["returnDays"], 36500)
        if kind == "components":
            start = self.pos
            items = [{"part": self.string(IDENTIFIER, "components.part"),
                      "months": self.ranged("<i", 4, "components.months", 1, 1200)}
                     for _ in range(self.count(name, 0))]
            if len({canonical(item["part"]) for item in items}) != len(items):
                self.fail(start, "components: two with the same part")
            return items
        if kind == "excluded":
            start = self.pos
            items = self.identifiers(name, 0)
            parts = {canonical(component["part"]) for component in fields.get("components", [])}
            if any(canonical(item) in parts for item in items):
                self.fail(start, "excluded: a part is also a component")
            return items
        if kind == "monthDays":
            start = self.pos
            items = []
            for _ in range(self.count(name, 0)):
                item_start = self.pos
                month = self.fixed("<B", 1, "partReturnDeadlines.month")
                day = self.fixed("<B", 1, "partReturnDeadlines.day")
                if not (1 <= month <= 12 and 1 <= day <= days_in_month(month, 2000)):
                    self.fail(item_start, f"partReturnDeadlines: {month}-{day} is not a day of the year")
                items.append(f"{month:02d}-{day:02d}")
            if len(set(items)) != len(items):
                self.fail(start, "partReturnDeadlines: duplicate items")
            return items
        if kind == "sla":
            return {"onsiteHours": self.ranged("<i", 4, "sla.onsiteHours", 0, 100000),
                    "resolveHours": self.ranged("<i", 4, "sla.resolveHours", 0, 100000)}
        raise AssertionError(kind)

    def event(self):
        """The event as (type, at, id or None, by or None, data dict in the catalogue's order)."""
        version = self.fixed("<B", 1, "version")
        if version != 1:
            self.fail(0, f"codec version {version} is not 1")
        tag = self.fixed("<B", 1, "type tag")
        if tag not in BODIES:
            self.fail(1, f"type tag {tag} is not a known event type")
        envelope = self.fixed("<B", 1, "envelope presence bits")
        if envelope & ~3:
            self.fail(2, f"envelope presence bits {envelope} set undefined bits")
        day = self.fixed("<i", 4, "day")
        at = self.business_time(day)
        event_id = self.string(ID, "id") if envelope & 1 else None
        by = self.string(TEXT, "by") if envelope & 2 else None
        type_name, layout = BODIES[tag]
        bits_start = self.pos
        bits = self.fixed("<H", 2, "body presence bits")
        if bits & ~DEFINED_BITS[tag]:
            self.fail(bits_start, f"body presence bits {bits} set bits outside {DEFINED_BITS[tag]}")
        data = {}
        for name, kind, bit in layout:
            if bit is None or bits >> bit & 1:
                data[name] = self.field(name, kind, data)
        if self.pos != len(self.data):
            self.fail(self.pos, f"{len(self.data) - self.pos} bytes after the end of the {type_name} event")
        return type_name, at, event_id, by, data

    def business_time(self, day):
        start = self.pos
        length = self.fixed("<H", 2, "at")
        if len(self.data) - self.pos < length:
            self.fail(start, f"at: string of {length} bytes runs past the record's end")
        if length > AT:
            self.fail(start, f"at: {length} bytes, more than {AT}")
        raw = self.data[self.pos:self.pos + length]
        expected = business_day(raw, self.zone)
        if expected is None:
            self.fail(start, "at: not a business time")
        if expected != day:
            self.fail(start, f"at: stored business day {day_text(day)} is not the day of {raw.decode()} "
                             f"in the ledger's zone ({day_text(expected)})")
        self.pos += length
        return raw.decode("ascii")


# MARK: JSON Lines as `ledger log` writes them

_JSON_ESCAPES = {0x22: '\\"', 0x5C: "\\\\", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
_JSON_ESCAPES.update({c: f"\\u{c:04x}" for c in range(0x20) if c not in _JSON_ESCAPES})


def json_text(value):
    """Compact JSON: members in the given order, only `"`, `\\` and U+0000-U+001F escaped, UTF-8 kept."""
    if isinstance(value, str):
        return '"' + value.translate(_JSON_ESCAPES) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ",".join(json_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json_text(key) + ":" + json_text(item) for key, item in value.items()) + "}"
    raise AssertionError(type(value))


# MARK: The ledger folder

RECORD_HEADER = struct.Struct("<IIqq")
BLOCK_HEADER = struct.Struct("<4sIIIQII")
SEGMENT_HEADER = struct.Struct("<8sIIQII")
SEGMENT_NAME = re.compile(r"[0-9]{20}\.seg")
PAYLOAD_MAX = 1 << 20
BLOCK_BODY_MAX = (4 << 20) + 56 + PAYLOAD_MAX
ZERO32 = bytes(32)


def read_manifest(folder):
    """The ledger's time zone in minutes, after checking `LEDGER` line by line and its checksum."""
    path = os.path.join(folder, "LEDGER")
    try:
        with open(path, "rb") as file:
            text = file.read()
    except OSError as error:
        raise VerificationError(f"{path}: cannot read the manifest ({error.strerror}); is {folder} a ledger?")
    lines = text.split(b"\n")
    if len(lines) != 5 or lines[4] != b"" or lines[0] != b"warranty-ledger 1" \
            or not lines[1].startswith(b"time-zone ") or not lines[2].startswith(b"created ") \
            or not lines[3].startswith(b"checksum "):
        raise VerificationError(f"{path}: not a warranty-ledger version 1 manifest (four lines: "
                                "warranty-ledger 1, time-zone, created, checksum)")
    body = b"\n".join(lines[:3]) + b"\n"
    if lines[3][len(b"checksum "):] != b"%08x" % crc32c(body):
        raise VerificationError(f"{path}: checksum mismatch (the file was changed): "
                                f"stored {lines[3][9:].decode(errors='replace')}, computed {crc32c(body):08x}")
    zone = zone_minutes(lines[1][len(b"time-zone "):].decode("utf-8", "replace"))
    if zone is None:
        raise VerificationError(f"{path}: invalid time zone {lines[1][10:].decode(errors='replace')!r}")
    if not re.fullmatch(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", lines[2][len(b"created "):]):
        raise VerificationError(f"{path}: created time {lines[2][8:].decode(errors='replace')!r} is not "
                                "a UTC time like 2026-11-26T06:23:32Z")
    return zone


def segment_files(folder):
    """The segment file names in order; the first must be 00000000000000000001.seg."""
    names = sorted(name for name in os.listdir(folder)
                   if SEGMENT_NAME.fullmatch(name) and int(name[:20]) < 1 << 63)
    if not names:
        raise VerificationError(f"{folder} holds no log segments")
    if int(names[0][:20]) != 1:
        raise VerificationError(f"the first segment is {names[0]}; 00000000000000000001.seg is missing")
    return names


class Damage(VerificationError):
    """Damage in a segment, named by file and byte offset."""

    def __init__(self, segment, offset, reason):
        super().__init__(f"segment {segment} at byte {offset}: {reason}")


def scan_log(folder, visit):
    """Checks every segment, block and record and calls `visit(seq, recorded, record, hash, segment, offset)`
    for each committed record in order. Returns (events, head, segments, committed bytes, torn bytes)."""
    names = segment_files(folder)
    chain = ZERO32
    last_seq = 0
    committed_bytes = 0
    torn = 0
    for index, name in enumerate(names):
        base = int(name[:20])
        if base != last_seq + 1:
            raise VerificationError(f"segment {name} starts at seq {base}, but the log before it ends at seq {last_seq}")
        with open(os.path.join(folder, name), "rb") as file:
            size = os.fstat(file.fileno()).st_size
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        try:
            end, last_seq, chain = scan_segment(data, name, base, chain, visit)
        finally:
            if size:
                data.close()
        if end < size and index < len(names) - 1:
            raise Damage(name, end, f"{size - end} bytes after the last committed batch, but it is not the last segment")
        torn = size - end
        committed_bytes += end
    return last_seq, chain, len(names), committed_bytes, torn


def _zero_from(data, offset):
    """Whether every byte from `offset` to the end is zero."""
    step = 1 << 20
    while offset < len(data):
        if data[offset:offset + step].count(0) != len(data[offset:offset + step]):
            return False
        offset += step
    return True


def scan_segment(data, name, base, chain, visit):
    """Walks one segment; returns (end of the last committed batch, last committed seq, chain head)."""
    size = len(data)
    if size < 32 or (data[:32] == ZERO32 and _zero_from(data, 32)):
        return 0, base - 1, chain  # a header that never reached the disk: the segment holds nothing
    magic, version, reserved1, header_base, reserved2, crc = SEGMENT_HEADER.unpack_from(data, 0)
    if crc != crc32c(data[:28]):
        raise Damage(name, 0, "segment header checksum mismatch")
    if magic != b"WLEDGSEG":
        raise Damage(name, 0, "not a segment file (bad magic)")
    if version != 1:
        raise Damage(name, 0, f"segment format version {version} is not supported")
    if reserved1 or reserved2:
        raise Damage(name, 0, "segment header reserved bytes are not zero")
    if header_base != base:
        raise Damage(name, 0, f"segment header says base seq {header_base}, file name says {base}")
    offset = committed_end = 32
    seq = base
    last_seq = base - 1
    pending = []  # (offset, record count, body length, first seq) of the blocks of a batch not yet committed
    while size - offset >= 32:
        header = data[offset:offset + 32]
        if header == ZERO32:
            if not _zero_from(data, offset):
                raise Damage(name, offset, "block header is zeroed but data follows it")
            break  # zeros to the end: pages a crash never wrote
        magic, flags, count, body_length, first_seq, reserved, crc = BLOCK_HEADER.unpack(header)
        if crc != crc32c(header[:28]):
            raise Damage(name, offset, "block header checksum mismatch")
        if magic != b"WLBK":
            raise Damage(name, offset, "bad block magic")
        if flags & ~1 or reserved:
            raise Damage(name, offset, "block header has unknown flags or non-zero reserved bytes")
        if count < 1 or body_length < 56 * count or body_length > BLOCK_BODY_MAX:
            raise Damage(name, offset, f"block header has impossible sizes ({count} records in {body_length} bytes)")
        if first_seq != seq:
            raise Damage(name, offset, f"block starts at seq {first_seq}, expected {seq}")
        if offset + 32 + body_length > size:
            break  # a block cut short by a crash
        pending.append((offset + 32, count, body_length, first_seq))
        seq += count
        offset += 32 + body_length
        if flags & 1:
            for block in pending:
                chain = walk_block(data, name, block, chain, visit)
            pending = []
            committed_end, last_seq = offset, seq - 1
    return committed_end, last_seq, chain


def walk_block(data, name, block, chain, visit):
    """Checks every record of a committed block and visits it; returns the hash of its last record."""
    body_offset, count, body_length, first_seq = block
    position, end = body_offset, body_offset + body_length
    sha256 = hashlib.sha256
    for index in range(count):
        if end - position < 56:
            raise Damage(name, position, "block holds fewer records than its header says")
        length, crc, seq, recorded = RECORD_HEADER.unpack_from(data, position)
        if length < 56 or length > end - position or length - 56 > PAYLOAD_MAX:
            raise Damage(name, position, f"record length {length} is impossible")
        record = data[position:position + length]
        if crc != crc32c(memoryview(record)[8:]):
            raise Damage(name, position, "record checksum mismatch")
        if seq != first_seq + index:
            raise Damage(name, position, f"record has seq {seq}, expected {first_seq + index}")
        if record[24:56] != chain:
            raise Damage(name, position, f"seq {seq} does not link to the previous record's hash (the log was changed)")
        chain = sha256(record).digest()
        visit(seq, recorded, record, chain, name, position)
        position += length
    if position != end:
        raise Damage(name, position, f"block has {end - position} bytes after its last record")
    return chain


class LedgerCheck:
    """Everything checked per event: the payload decodes, its stream is the one the format names, stream
    versions count 1, 2, 3, …; optionally writes `ledger log` lines and tracks Merkle roots."""

    def __init__(self, zone, out=None, merkle=False, root_sizes=()):
        self.zone = zone
        self.out = out
        self.lines = []
        self.versions = {}
        self.stream_ids = {}
        self.stream_names = []
        self.stream_of_seq = array("I")
        self.notice_dealers = {}
        self.swap_serials = {}
        self.root_sizes = set(root_sizes)
        self.frontier = MerkleFrontier() if merkle or root_sizes else None
        self.roots = {0: EMPTY_ROOT}  # tree size -> root, for the root sizes
        self.records = {}  # seq -> (hash, recorded time), for the root sizes
        self.last_recorded = None

    def visit(self, seq, recorded, record, digest, segment, offset):
        try:
            stream, version, event = self.decode(seq, record[56:])
        except VerificationError as error:
            raise Damage(segment, offset, f"seq {seq}: {error}")
        self.last_recorded = recorded
        if self.out is not None:
            type_name, at, event_id, by, data = event
            line = {"seq": seq, "stream": stream, "version": version, "recorded": recorded_text(recorded),
                    "hash": digest.hex(), "type": type_name, "at": at}
            if event_id is not None:
                line["id"] = event_id
            if by is not None:
                line["by"] = by
            line["data"] = data
            self.lines.append(json_text(line))
            if len(self.lines) >= 4096:
                self.flush()
        if self.frontier is not None:
            self.frontier.append(leaf_hash(record))
            if seq in self.root_sizes:
                self.roots[seq] = self.frontier.root()
                self.records[seq] = (digest, recorded)

    def flush(self):
        if self.lines:
            self.out.write(("\n".join(self.lines) + "\n").encode("utf-8"))
            self.lines = []

    def decode(self, seq, payload):
        """(stream, version, event) of one payload, checking the stream and its version."""
        if len(payload) < 1 or payload[0] != 1:
            raise VerificationError("empty payload" if not payload else f"unknown payload format {payload[0]}")
        if len(payload) < 3:
            raise VerificationError("payload too short for its stream name")
        length = payload[1] | payload[2] << 8
        if len(payload) < 3 + length + 4:
            raise VerificationError("payload too short for its stream name")
        try:
            stream = payload[3:3 + length].decode("utf-8")
        except UnicodeDecodeError:
            raise VerificationError("stream name is not valid UTF-8")
        if not stream:
            raise VerificationError("empty stream name")
        version = struct.unpack_from("<I", payload, 3 + length)[0]
        event = EventReader(payload[7 + length:], self.zone).event()
        expected = self.stream_of(seq, event)
        if stream != expected:
            raise VerificationError(f"stored under stream {stream!r}, but by its fields this {event[0]} belongs "
                                    f"to {expected!r}")
        previous = self.versions.get(stream, 0)
        if version != previous + 1:
            raise VerificationError(f"stream {stream} version {version}, expected {previous + 1}")
        self.versions[stream] = version
        stream_id = self.stream_ids.get(stream)
        if stream_id is None:
            stream_id = self.stream_ids[stream] = len(self.stream_names)
            self.stream_names.append(stream)
        self.stream_of_seq.append(stream_id)
        return stream, version, event

    def stream_of(self, seq, event):
        """The stream StorageFormat.md assigns to an event (remembering what later events refer back to)."""
        type_name, _, _, _, data = event
        if type_name == "policy.published":
            return "policy:" + data["policy"]
        if type_name == "cost.written-off":
            self.notice_dealers.setdefault(canonical(data["notice"]), data["dealer"])
        if type_name in ("dealer.enrolled", "dealer.invoiced", "payment.received", "cost.written-off"):
            return "dealer:" + data["dealer"]
        if type_name == "writeoff.confirmed":
            dealer = self.notice_dealers.get(canonical(data["notice"]))
            if dealer is None:
                raise VerificationError(f"writeoff.confirmed names notice {data['notice']!r}, which no earlier "
                                        "cost.written-off introduced, so its stream cannot be checked")
            return "dealer:" + dealer
        if type_name == "part.swapped":
            self.swap_serials.setdefault(canonical(data["swap"]), data["serial"])
        if type_name in ("part.returned", "part.appraised"):
            serial = self.swap_serials.get(canonical(data["swap"]))
            if serial is None:
                raise VerificationError(f"{type_name} names swap {data['swap']!r}, which no earlier part.swapped "
                                        "introduced, so its stream cannot be checked")
            return "unit:" + serial
        if type_name == "event.voided":
            target = data["seq"]
            if target >= seq:
                raise VerificationError(f"event.voided targets seq {target}, which is not before it")
            return self.stream_names[self.stream_of_seq[target - 1]]
        return "unit:" + data["serial"]


def check_ledger(folder, out=None, merkle=False, root_sizes=()):
    """Verifies the whole folder; returns (summary tuple, LedgerCheck)."""
    if not os.path.isdir(folder):
        raise VerificationError(f"no ledger at {folder}")
    check = LedgerCheck(read_manifest(folder), out, merkle, root_sizes)
    try:
        summary = scan_log(folder, check.visit)
    finally:
        if out is not None:
            check.flush()  # like `ledger log`, the events before a damaged one are printed
    return summary, check


def summary_lines(summary):
    events, head, segments, committed, torn = summary
    lines = [f"verified: {events} events in {segments} segment{'' if segments == 1 else 's'} ({committed} bytes)",
             f"head: {head.hex()}"]
    if torn:
        lines.append(f"note: {torn} bytes of an interrupted append follow seq {events}; the next append cuts them")
    return lines


def digest_lines(size, root, head, recorded):
    return ["warranty-ledger digest 1", f"size {size}", f"root {root.hex()}", f"head {head.hex()}",
            f"recorded {'none' if recorded is None else recorded_text(recorded)}"]


def ledger_digest(folder, size=None):
    """The five checkpoint lines of the first `size` records (all of them when None)."""
    summary, check = check_ledger(folder, merkle=True, root_sizes=() if size is None else (size,))
    if size is None:
        size = summary[0]
        check.roots[size] = check.frontier.root()
        check.records[size] = (summary[1], check.last_recorded)
    elif size > summary[0]:
        raise VerificationError(f"--size {size} is beyond the log, which ends at seq {summary[0]}")
    if size == 0:
        return digest_lines(0, EMPTY_ROOT, ZERO32, None)
    head, recorded = check.records[size]
    return digest_lines(size, check.roots[size], head, recorded)


# MARK: Proof and digest files

HEX64 = re.compile(r"[0-9a-f]{64}")
PROOF_KEYS = {"inclusion": ["proof", "seq", "size", "record", "root", "path"],
              "consistency": ["proof", "from", "size", "fromRoot", "root", "path"]}


def proof_json(proof):
    """The one text form of a proof: compact JSON, members in the order given, a final line feed."""
    return json.dumps(proof, separators=(",", ":")) + "\n"


def _hash_field(value, what):
    if not isinstance(value, str) or not HEX64.fullmatch(value):
        raise VerificationError(f"{what} must be 64 lowercase hex digits")
    return bytes.fromhex(value)


def _count_field(value, what, minimum):
    if type(value) is not int or value < minimum:
        raise VerificationError(f"{what} must be an integer ≥ {minimum}")
    return value


def read_file(path, what):
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise VerificationError(f"{path}: cannot read the {what} ({error.strerror})")


def parse_proof(raw, path):
    """Parses a proof file's bytes, refusing any byte that differs from its one canonical form."""
    try:
        pairs = json.loads(raw.decode("utf-8"), object_pairs_hook=lambda items: items)
    except (UnicodeDecodeError, ValueError) as error:
        raise VerificationError(f"{path}: not a JSON proof ({error})")
    if not isinstance(pairs, list) or not pairs or not all(isinstance(p, tuple) for p in pairs):
        raise VerificationError(f"{path}: a proof is one JSON object")
    keys = [key for key, _ in pairs]
    proof = dict(pairs)
    kind = proof.get("proof")
    if kind not in PROOF_KEYS:
        raise VerificationError(f"{path}: \"proof\" must be \"inclusion\" or \"consistency\"")
    if keys != PROOF_KEYS[kind]:
        raise VerificationError(f"{path}: an {kind} proof has exactly the members {', '.join(PROOF_KEYS[kind])}, "
                                f"in that order (found {', '.join(keys)})")
    if proof_json(proof).encode() != raw:
        raise VerificationError(f"{path}: not in the one form proofs are written in (compact JSON on one line, "
                                "members in order, lowercase hex, a final line feed): the file was changed")
    try:
        result = {"kind": kind, "size": _count_field(proof["size"], "size", 0), "root": _hash_field(proof["root"], "root")}
        if not isinstance(proof["path"], list):
            raise VerificationError("path must be an array of hashes")
        result["path"] = [_hash_field(item, f"path[{n}]") for n, item in enumerate(proof["path"])]
        if kind == "inclusion":
            result["seq"] = _count_field(proof["seq"], "seq", 1)
            if not isinstance(proof["record"], str) or not re.fullmatch(r"(?:[0-9a-f]{2})+", proof["record"]):
                raise VerificationError("record must be the record's bytes in lowercase hex")
            result["record"] = bytes.fromhex(proof["record"])
        else:
            result["from"] = _count_field(proof["from"], "from", 0)
            result["fromRoot"] = _hash_field(proof["fromRoot"], "fromRoot")
    except VerificationError as error:
        raise VerificationError(f"{path}: {error}")
    return result


def parse_digest(raw, path):
    """(size, root, lines) of a digest file: the five lines of `--digest`, optionally then `taken <time>`."""
    try:
        lines = raw.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        raise VerificationError(f"{path}: a digest is UTF-8 text")
    if lines[-1] == "":
        lines.pop()
    if len(lines) == 6 and lines[5].startswith("taken "):
        lines.pop()
    if len(lines) != 5 or lines[0] != "warranty-ledger digest 1" or not re.fullmatch(r"size (0|[1-9][0-9]*)", lines[1]) \
            or not re.fullmatch(r"root [0-9a-f]{64}", lines[2]) or not re.fullmatch(r"head [0-9a-f]{64}", lines[3]) \
            or not lines[4].startswith("recorded "):
        raise VerificationError(f"{path}: not a digest (lines: warranty-ledger digest 1, size N, root HEX, head HEX, "
                                "recorded TIME, optionally taken TIME)")
    return int(lines[1][5:]), bytes.fromhex(lines[2][5:]), lines


def check_proof(proof_path, digest_paths, folder):
    """Verifies a proof file, the digests it must match and, given a folder, the ledger's own roots."""
    return check_proof_bytes(read_file(proof_path, "proof"), proof_path,
                             [(read_file(path, "digest"), path) for path in digest_paths], folder)


def check_proof_bytes(proof_raw, proof_path, digests, folder):
    """`check_proof` on the bytes of the proof and of each digest, named by their paths in messages."""
    proof = parse_proof(proof_raw, proof_path)
    size, root, path = proof["size"], proof["root"], proof["path"]
    if proof["kind"] == "inclusion":
        record, seq = proof["record"], proof["seq"]
        if len(record) < 56 or struct.unpack_from("<I", record)[0] != len(record):
            raise VerificationError(f"{proof_path}: record is not one whole record (its length field must equal "
                                    f"its {len(record)} bytes, at least 56)")
        if struct.unpack_from("<q", record, 8)[0] != seq:
            raise VerificationError(f"{proof_path}: the record holds seq {struct.unpack_from('<q', record, 8)[0]}, "
                                    f"the proof says seq {seq}")
        if struct.unpack_from("<I", record, 4)[0] != crc32c(record[8:]):
            raise VerificationError(f"{proof_path}: the record's checksum does not match its bytes")
        if not verify_inclusion(seq - 1, size, leaf_hash(record), path, root):
            raise VerificationError(f"{proof_path}: inclusion proof of seq {seq} in a tree of size {size} does not "
                                    f"lead to root {root.hex()}")
        ends = {size: root}
        message = f"inclusion of seq {seq} in tree size {size} verified"
    else:
        first, first_root = proof["from"], proof["fromRoot"]
        if not verify_consistency(first, size, first_root, root, path):
            raise VerificationError(f"{proof_path}: consistency proof from size {first} to size {size} does not "
                                    "connect the two roots")
        ends = {first: first_root, size: root}
        message = f"consistency from tree size {first} to {size} verified"
    lines = [f"proof: {message} (root {root.hex()})"]
    for digest_raw, digest_path in digests:
        digest_size, digest_root, digest_lines = parse_digest(digest_raw, digest_path)
        if ends.get(digest_size) != digest_root:
            raise VerificationError(f"{digest_path}: digest of size {digest_size} with root {digest_root.hex()} "
                                    f"matches no end of the proof ({', '.join(f'size {s}' for s in sorted(ends))})")
        digest_head = bytes.fromhex(digest_lines[3][5:])
        if proof["kind"] == "inclusion" and proof["seq"] == digest_size and hashlib.sha256(proof["record"]).digest() != digest_head:
            raise VerificationError(f"{digest_path}: the digest's head is {digest_head.hex()}, but the proof's record, "
                                    f"seq {digest_size} and the last of the tree, hashes to "
                                    f"{hashlib.sha256(proof['record']).digest().hex()}")
        lines.append(f"digest {digest_path}: matches tree size {digest_size}")
    unanchored = sorted(set(ends) - {parse_digest(raw, path)[0] for raw, path in digests})
    if unanchored and folder is None:
        # The RFC 9162 root does not commit to the tree size: only a trusted root at that size binds it.
        raise VerificationError(f"{proof_path}: the path checks out, but nothing vouches for the root at tree size "
                                f"{' and '.join(map(str, unanchored))}: give the digest taken at that size "
                                "(--digest FILE) or the ledger folder, or any changed size would go unnoticed")
    if folder is not None:
        summary, check = check_ledger(folder, root_sizes=ends.keys())
        for end_size, end_root in sorted(ends.items()):
            if end_size > summary[0]:
                raise VerificationError(f"the proof's tree size {end_size} is beyond the ledger, which ends at seq "
                                        f"{summary[0]}")
            if check.roots[end_size] != end_root:
                raise VerificationError(f"the ledger's root at tree size {end_size} is "
                                        f"{check.roots[end_size].hex()}, the proof says {end_root.hex()}")
        lines.append(f"ledger {folder}: roots at tree size {' and '.join(str(s) for s in sorted(ends))} match")
    return lines


# MARK: Self-test

# LeafInputs and RootHashes of transparency-dev/merkle testonly/constants.go (as in MerkleTreeTests.swift).
VECTOR_LEAVES = [bytes.fromhex(h) for h in
                 ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]
VECTOR_ROOTS = [bytes.fromhex(h) for h in [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]]
_N = {name: bytes.fromhex(h) for name, h in [
    ("l1", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
    ("l0", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    ("l4", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
    ("l6", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
    ("n01", "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    ("n23", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
    ("n45", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
    ("n67", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ("n0123", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    ("n4567", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]}
# Inclusion proofs of proof/verify_test.go (0-based leaf index, size, path) and consistency proofs (old, new, path).
VECTOR_INCLUSIONS = [(0, 1, []), (0, 2, ["l1"]), (1, 2, ["l0"]), (2, 3, ["n01"]), (1, 5, ["l0", "n23", "l4"]),
                     (0, 8, ["l1", "n23", "n4567"]), (5, 8, ["l4", "n67", "n0123"])]
VECTOR_CONSISTENCIES = [(1, 1, []), (1, 8, ["l1", "n23", "n4567"]), (6, 8, ["n45", "n67", "n0123"]),
                        (2, 5, ["n23", "l4"]), (6, 7, ["n45", "l6", "n0123"])]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def synthetic_records(count):
    """Well-formed records (seq 1…count, hash-chained) with made-up payloads, for proof-file tests."""
    records, previous = [], ZERO32
    for seq in range(1, count + 1):
        payload = b"payload %d" % seq
        rest = struct.pack("<qq", seq, 1_764_000_000_000_000 + seq) + previous + payload
        record = struct.pack("<II", 8 + len(rest), crc32c(rest)) + rest
        records.append(record)
        previous = hashlib.sha256(record).digest()
    return records


def self_test():
    """Runs every vector and mutation case; returns the number of failures."""
    failures = []

    def expect(condition, what):
        if not condition:
            failures.append(what)

    # CRC-32C: the check value, RFC 3720 B.4 vectors, and the 8-byte path against the byte-by-byte definition.
    expect(crc32c(b"123456789") == 0xE3069283, "CRC-32C(123456789) = 0xE3069283")
    expect(crc32c(bytes(32)) == 0x8A9136AA, "CRC-32C of 32 zero bytes (RFC 3720)")
    expect(crc32c(b"\xff" * 32) == 0x62A8AB43, "CRC-32C of 32 0xFF bytes (RFC 3720)")
    expect(crc32c(bytes(range(32))) == 0x46DD794E, "CRC-32C of 0..31 (RFC 3720)")
    sample = hashlib.sha256(b"crc").digest() * 9
    for length in range(len(sample) + 1):
        expect(crc32c(sample[:length]) == crc32c_bytewise(sample[:length]), f"CRC-32C slicing = bytewise ({length} bytes)")
    # SHA-256 (FIPS 180-4 examples).
    expect(hashlib.sha256(b"abc").hexdigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256(abc)")
    expect(EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "SHA-256 of nothing")

    # Merkle: published roots, frontier, proofs and the corrupt-proof probes of verify_test.go.
    leaves = [leaf_hash(leaf) for leaf in VECTOR_LEAVES]
    frontier = MerkleFrontier()
    for size in range(9):
        expect(merkle_root(leaves[:size]) == VECTOR_ROOTS[size], f"root of size {size}")
        expect(frontier.root() == VECTOR_ROOTS[size], f"frontier root of size {size}")
        if size < 8:
            frontier.append(leaves[size])
    for index, size, names in VECTOR_INCLUSIONS:
        path, root, leaf = [_N[n] for n in names], VECTOR_ROOTS[size], leaves[index]
        expect(inclusion_path(index, leaves[:size]) == path, f"inclusion path {index} of {size}")
        expect(verify_inclusion(index, size, leaf, path, root), f"inclusion {index} of {size} verifies")
        probes = [(index - 1, size, leaf, path, root), (index + 1, size, leaf, path, root),
                  (index ^ 2, size, leaf, path, root), (index, size * 2, leaf, path, root),
                  (index, size // 2, leaf, path, root), (index, size, leaf_hash(b"WrongLeaf"), path, root),
                  (index, size, leaf, path, EMPTY_ROOT), (index, size, leaf, path, SOME_HASH),
                  (index, size, leaf, path + [ZERO32], root), (index, size, leaf, path + [root], root),
                  (index, size, leaf, [ZERO32] + path, root), (index, size, leaf, [root] + path, root)]
        for position in range(len(path)):
            wrong = list(path)
            wrong[position] = bytes([wrong[position][0] ^ 8]) + wrong[position][1:]
            probes.append((index, size, leaf, wrong, root))
        if path:
            probes.append((index, size, leaf, path[:-1], root))
        if len(path) > 1:
            probes.append((index, size, leaf, [path[0], SOME_HASH] + path[1:], root))
        for number, probe in enumerate(probes):
            expect(not verify_inclusion(*probe), f"corrupt inclusion probe {number} of {index}/{size} fails")
    for first, second, names in VECTOR_CONSISTENCIES:
        path, r1, r2 = [_N[n] for n in names], VECTOR_ROOTS[first], VECTOR_ROOTS[second]
        expect(consistency_path(first, leaves[:second]) == path, f"consistency path {first} to {second}")
        expect(verify_consistency(first, second, r1, r2, path), f"consistency {first} to {second} verifies")
        if not path:
            continue
        wrong_root = hashlib.sha256(b"WrongRoot").digest()
        probes = [(first - 1, second, r1, r2, path), (first + 1, second, r1, r2, path), (first ^ 2, second, r1, r2, path),
                  (first, second * 2, r1, r2, path), (first, second // 2, r1, r2, path),
                  (first, second, wrong_root, r2, path), (first, second, r1, wrong_root, path),
                  (first, second, r2, r1, path), (first, second, r1, r2, []),
                  (first, second, r1, r2, path + [ZERO32]), (first, second, r1, r2, path + [r1]),
                  (first, second, r1, r2, path + [r2]), (first, second, r1, r2, [ZERO32] + path),
                  (first, second, r1, r2, [r1] + path), (first, second, r1, r2, [r2] + path),
                  (first, second, r1, r2, [path[0]] + path), (first, second, r1, r2, path[:-1])]
        for position in range(len(path)):
            wrong = list(path)
            wrong[position] = bytes([wrong[position][0] ^ 16]) + wrong[position][1:]
            probes.append((first, second, r1, r2, wrong))
        for number, probe in enumerate(probes):
            expect(not verify_consistency(*probe), f"corrupt consistency probe {number} of {first}/{second} fails")
    one = leaf_hash(b"data")
    expect(verify_inclusion(0, 1, one, [], one), "a one-leaf tree needs no inclusion path")
    for index, size in [(0, 0), (0, 1), (1, 0), (2, 1), (-1, 1)]:
        expect(not verify_inclusion(index, size, SOME_HASH, [], EMPTY_ROOT), f"degenerate inclusion {index}/{size} fails")
    expect(not verify_inclusion(0, 1 << 62, one, [one] * 200, one), "an over-long inclusion path fails")
    r1, r2 = hashlib.sha256(b"don't care 1").digest(), hashlib.sha256(b"don't care 2").digest()
    for first, second, a, b, path, valid in [
            (0, 0, EMPTY_ROOT, EMPTY_ROOT, [], True), (0, 1, EMPTY_ROOT, r2, [], True), (1, 1, r2, r2, [], True),
            (0, 0, r1, r2, [], False), (1, 1, r1, r2, [], False), (0, 1, r1, r2, [], False), (1, 0, r1, r2, [], False),
            (2, 1, r1, r2, [], False), (1, 2, r1, r2, [], False), (0, 0, EMPTY_ROOT, r2, [], False),
            (1, 1, EMPTY_ROOT, r2, [], False), (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
            (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False), (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
            (-1, 1, r1, r2, [r1], False), (1, -1, r1, r2, [r1], False),
            ((1 << 63) - 2, (1 << 63) - 1, r1, r2, [r1, r2], False), (1, 2, r1, r2, [r1] * 200, False),
            # Stricter than verify_test.go: a tree of size 0 has the empty root, nothing else.
            (0, 0, r1, r1, [], False)]:
        expect(verify_consistency(first, second, a, b, path) == valid, f"degenerate consistency {first}/{second}")

    # Exhaustive up to 64 leaves: every proof the RFC defines verifies; a flipped byte, an extra or a
    # missing hash, a neighbouring index or a swapped pair of roots does not.
    many = [leaf_hash(b"leaf %d" % n) for n in range(64)]
    for size in range(1, 65):
        root = merkle_root(many[:size])
        for index in range(size):
            path = inclusion_path(index, many[:size])
            expect(verify_inclusion(index, size, many[index], path, root), f"inclusion {index}/{size}")
            for position in range(len(path)):
                wrong = list(path)
                flip = (index + position) % 32
                wrong[position] = wrong[position][:flip] + bytes([wrong[position][flip] ^ 1]) + wrong[position][flip + 1:]
                expect(not verify_inclusion(index, size, many[index], wrong, root), f"flipped inclusion {index}/{size}")
            expect(not verify_inclusion(index, size, many[index], path + [root], root), f"long inclusion {index}/{size}")
            if path:
                expect(not verify_inclusion(index, size, many[index], path[:-1], root), f"short inclusion {index}/{size}")
            if index ^ 1 < size:
                expect(not verify_inclusion(index ^ 1, size, many[index], path, root), f"wrong index {index}/{size}")
        expect(verify_consistency(0, size, EMPTY_ROOT, root, []), f"consistency 0/{size}")
        for first in range(1, size + 1):
            first_root = merkle_root(many[:first])
            path = consistency_path(first, many[:size])
            expect(verify_consistency(first, size, first_root, root, path), f"consistency {first}/{size}")
            for position in range(len(path)):
                wrong = list(path)
                flip = (first + position) % 32
                wrong[position] = wrong[position][:flip] + bytes([wrong[position][flip] ^ 1]) + wrong[position][flip + 1:]
                expect(not verify_consistency(first, size, first_root, root, wrong), f"flipped consistency {first}/{size}")
            expect(not verify_consistency(first, size, first_root, root, path + [root]), f"long consistency {first}/{size}")
            if path:
                expect(not verify_consistency(first, size, first_root, root, path[:-1]), f"short consistency {first}/{size}")
                expect(not verify_consistency(first, size, root, first_root, path), f"swapped consistency {first}/{size}")

    # Proof files: written canonically they verify against digests of both ends; every single changed byte fails.
    failures.extend(_proof_file_cases())

    # Times, days and the event encoding's worked example.
    expect(recorded_text(0) == "1970-01-01T00:00:00.000000Z", "recorded time 0")
    expect(recorded_text(-1) == "1969-12-31T23:59:59.999999Z", "recorded time -1")
    expect(recorded_text(1_764_138_212_123_456) == "2025-11-26T06:23:32.123456Z", "recorded time 2025")
    expect(days_from_civil(2025, 4, 10) == 20188 and day_text(20188) == "2025-04-10", "day 2025-04-10 is 20188")
    expect(business_day(b"2025-04-09T20:00:00-08:00", 480) == 20188, "business day moves to the zone")
    expect(business_day(b"2025-04-10T07:59:60.5+00:00", 480) == 20188, "seconds never move the day")
    expect(business_day(b"2025-02-29", 480) is None and business_day(b"2025-04-10T24:00:00Z", 0) is None,
           "impossible business times are refused")
    example = bytes.fromhex("010300dc4e0000" "0a00323032352d30342d3130" "0000" "0600" "48392d303031")
    expect(EventReader(example, 480).event() == ("card.registered", "2025-04-10", None, None, {"serial": "H9-001"}),
           "the worked example of EventCodec.swift decodes")
    for mutated, why in [(example + b"\x00", "a byte left over"), (example[:-1], "a short string"),
                         (example[:1] + b"\x11" + example[2:], "an unknown tag"),
                         (example[:2] + b"\x04" + example[3:], "an undefined envelope bit"),
                         (example[:3] + b"\xdd" + example[4:], "a day that is not the day of at"),
                         (example[:-6] + b"H9\x7f001", "a control character"),
                         (example[:-6] + b"H9\xc0\xaf01", "an overlong UTF-8 form"),
                         (example[:19] + b"\x01\x00" + example[21:], "an undefined body bit")]:
        try:
            EventReader(mutated, 480).event()
            failures.append(f"the worked example with {why} is refused")
        except VerificationError:
            pass
    expect(json_text({"a": "q\"\\\n\x01é", "b": [1, True, None is None], "c": {}}) == '{"a":"q\\"\\\\\\n\\u0001é","b":[1,true,true],"c":{}}',
           "JSON escaping as JSONWriter")
    for failure in failures:
        print(f"FAILED: {failure}")
    return len(failures)


def _proof_file_cases():
    """Proof files for synthetic records verify with digests of both ends; each byte changed in turn fails."""
    failures = []
    records = synthetic_records(13)
    leaves = [leaf_hash(record) for record in records]

    def digest(size):
        head = hashlib.sha256(records[size - 1]).digest() if size else ZERO32
        text = "\n".join(digest_lines(size, merkle_root(leaves[:size]), head, None)) + "\ntaken 2026-11-26T09:00:00Z\n"
        return text.encode(), f"digest-{size}"

    cases = []
    for seq, size in [(5, 13), (1, 1), (13, 13), (8, 8)]:
        cases.append((proof_json({"proof": "inclusion", "seq": seq, "size": size, "record": records[seq - 1].hex(),
                                  "root": merkle_root(leaves[:size]).hex(),
                                  "path": [h.hex() for h in inclusion_path(seq - 1, leaves[:size])]}), [size]))
    for first, size in [(6, 13), (4, 13), (1, 2), (0, 7), (7, 7)]:
        cases.append((proof_json({"proof": "consistency", "from": first, "size": size,
                                  "fromRoot": merkle_root(leaves[:first]).hex(), "root": merkle_root(leaves[:size]).hex(),
                                  "path": [h.hex() for h in consistency_path(first, leaves[:size])]}), [first, size]))
    for text, sizes in cases:
        raw, digests = text.encode(), [digest(size) for size in sizes]
        try:
            check_proof_bytes(raw, "proof", digests, None)
        except VerificationError as error:
            failures.append(f"proof file {text[:60]}… verifies ({error})")
            continue
        for position in range(len(raw)):
            for replacement in {raw[position] ^ 1, raw[position] ^ 0x20, ord("0"), ord(" ")} - {raw[position]}:
                mutated = raw[:position] + bytes([replacement]) + raw[position + 1:]
                try:
                    check_proof_bytes(mutated, "mutated", digests, None)
                    failures.append(f"proof with byte {position} changed to {replacement:#04x} is refused: {mutated[:80]!r}")
                except VerificationError:
                    pass
    # A digest of another size, or a proof with an end no digest vouches for, is refused.
    for text, digests in [(cases[0][0], [digest(12)]), (cases[0][0], []), (cases[4][0], [digest(13)]),
                          (cases[4][0], [digest(6)]), (cases[0][0].rstrip("\n"), [digest(13)]),
                          (cases[0][0] + "\n", [digest(13)]), (" " + cases[0][0], [digest(13)])]:
        try:
            check_proof_bytes(text.encode(), "proof", digests, None)
            failures.append(f"proof {text[:40]}… with digests of sizes {[d[1] for d in digests]} is refused")
        except VerificationError:
            pass
    # The proof of a tree's last record (13 of 13) against a digest whose head names another record.
    raw, name = digest(13)
    wrong_head = raw.replace(f"head {hashlib.sha256(records[12]).digest().hex()}".encode(),
                             f"head {hashlib.sha256(records[11]).digest().hex()}".encode())
    try:
        check_proof_bytes(cases[2][0].encode(), "proof", [(wrong_head, name)], None)
        failures.append("a digest whose head is not the proved last record is refused")
    except VerificationError as error:
        if "the digest's head is" not in str(error):
            failures.append(f"a digest with the wrong head is refused for its head, not: {error}")
    return failures


# MARK: Command line

USAGE = """usage: verify_ledger.py LEDGER_DIR [--events | --digest [--size N]]
       verify_ledger.py --check-proof FILE [--digest FILE]... [LEDGER_DIR]
       verify_ledger.py --self-test"""


def main(argv):
    arguments = list(argv)
    checking_proof = "--check-proof" in arguments
    options = {"events": False, "digest": False, "size": None, "proof": None, "digests": [], "folder": None}
    try:
        while arguments:
            argument = arguments.pop(0)
            if argument == "--self-test":
                if argv != ["--self-test"]:
                    raise ValueError("--self-test takes no other arguments")
                failed = self_test()
                print(f"self-test: {'FAILED, ' + str(failed) + ' cases' if failed else 'all cases passed'}")
                return 1 if failed else 0
            elif argument == "--events":
                options["events"] = True
            elif argument == "--digest" and checking_proof:
                if not arguments:
                    raise ValueError("--digest needs a digest FILE with --check-proof")
                options["digests"].append(arguments.pop(0))
            elif argument == "--digest":
                options["digest"] = True
            elif argument in ("--size", "--check-proof"):
                if not arguments:
                    raise ValueError(f"{argument} needs a value")
                value = arguments.pop(0)
                if argument == "--check-proof":
                    options["proof"] = value
                elif not re.fullmatch(r"0|[1-9][0-9]*", value):
                    raise ValueError(f"--size must be a tree size 0, 1, 2, …, not {value!r}")
                else:
                    options["size"] = int(value)
            elif argument.startswith("-") or options["folder"] is not None:
                raise ValueError(f"unexpected argument {argument!r}")
            else:
                options["folder"] = argument
        if options["size"] is not None and not options["digest"]:
            raise ValueError("--size goes with --digest")
        if checking_proof and (options["events"] or options["size"] is not None):
            raise ValueError("--check-proof takes only --digest FILE and an optional LEDGER_DIR")
        if options["events"] and options["digest"]:
            raise ValueError("choose one of --events and --digest")
        if not checking_proof and options["folder"] is None:
            raise ValueError("a LEDGER_DIR is needed")
    except ValueError as error:
        print(f"error: {error}\n{USAGE}", file=sys.stderr)
        return 64
    try:
        if checking_proof:
            lines = check_proof(options["proof"], options["digests"], options["folder"])
        elif options["digest"]:
            lines = ledger_digest(options["folder"], options["size"])
        elif options["events"]:
            check_ledger(options["folder"], out=sys.stdout.buffer)
            return 0
        else:
            lines = summary_lines(check_ledger(options["folder"])[0])
    except VerificationError as error:
        sys.stdout.flush()
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
