import JSONText

/// The envelope of a line of `ledger export --format jsonl` (or `ledger log`), appended as an import.
///
/// The new ledger stores the event at its own next seq, in the stream and version it computes, and with
/// its own recorded time, so `recorded` and `hash` are taken as information only (the new records'
/// hashes differ, as they cover the new recorded time). `seq`, `stream` and `version` must be what
/// this ledger would assign, so an import can neither skip, reorder nor repeat events.
struct ImportEnvelope: Equatable {
    static let keys: Set<String> = ["seq", "stream", "version", "recorded", "hash"]

    var seq: Int64
    var stream: String
    var version: Int64

    /// Splits the envelope off a parsed line; the envelope is nil when the line has none of its keys.
    static func split(_ value: JSONValue, line: Int) throws(LedgerError) -> (JSONValue, ImportEnvelope?) {
        guard case .object(let members) = value, members.contains(where: { keys.contains($0.key) }) else { return (value, nil) }
        func bad(_ reason: String) -> LedgerError { LedgerError(.refused, "line \(line): envelope: \(reason)") }
        guard let seq = members[key: "seq"]?.integerValue, seq >= 1 else { throw bad("\"seq\" must be a whole number from 1") }
        guard let stream = members[key: "stream"]?.stringValue else { throw bad("\"stream\" must be a string") }
        guard let version = members[key: "version"]?.integerValue, version >= 1 else { throw bad("\"version\" must be a whole number from 1") }
        if let recorded = members[key: "recorded"], !(recorded.stringValue.map(MerkleHex.isTimestamp) ?? false) {
            throw bad("\"recorded\" must be a time like 2026-11-26T08:00:00.123456Z")
        }
        if let hash = members[key: "hash"], hash.stringValue.flatMap(MerkleHex.digest) == nil {
            throw bad("\"hash\" must be 64 lowercase hex digits")
        }
        return (.object(members.filter { !keys.contains($0.key) }), ImportEnvelope(seq: seq, stream: stream, version: version))
    }

    /// Why this ledger cannot store the line at `expectedSeq`, or nil when it can.
    func mismatch(seq expectedSeq: Int64) -> String? {
        seq == expectedSeq ? nil : "seq \(seq): this ledger would store the event at seq \(expectedSeq)"
    }

    /// Why this ledger cannot store the line in the stream and version its envelope names, or nil when it can.
    func mismatch(stream expectedStream: String, version expectedVersion: UInt32) -> String? {
        if stream != expectedStream { return "seq \(seq): stream \"\(stream)\", but this ledger would store the event in \"\(expectedStream)\"" }
        if version != Int64(expectedVersion) { return "seq \(seq): version \(version), but this ledger would store it as version \(expectedVersion) of \(expectedStream)" }
        return nil
    }
}
