import Integrity
import JSONText

/// A checkpoint of the log an auditor can file away: `ledger digest`, six lines of text.
public struct MerkleDigest: Equatable, Sendable {
    public static let firstLine = "warranty-ledger digest 1"
    /// The number of records the tree covers.
    public var size: Int64
    /// The RFC 9162 root over the first `size` records.
    public var root: SHA256Digest
    /// The hash of record `size` (zeros for size 0).
    public var head: SHA256Digest
    /// The recorded time of record `size` as the log prints it, or `none` for size 0.
    public var recorded: String
    /// When the digest was printed.
    public var taken: String

    public init(size: Int64, root: SHA256Digest, head: SHA256Digest, recorded: String, taken: String) {
        self.size = size
        self.root = root
        self.head = head
        self.recorded = recorded
        self.taken = taken
    }

    /// The digest's text, every line ending in a line feed.
    public var text: String {
        "\(Self.firstLine)\nsize \(size)\nroot \(root.hex)\nhead \(head.hex)\nrecorded \(recorded)\ntaken \(taken)\n"
    }

    /// Parses the exact text `ledger digest` prints; `name` labels errors.
    public init(parsing bytes: [UInt8], name: String) throws(LedgerError) {
        func bad(_ reason: String) -> LedgerError { LedgerError(.verificationFailed, "\(name): \(reason)") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw bad("not UTF-8 text") }
        guard text.hasSuffix("\n") else { throw bad("the last line does not end with a line feed") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let keys = ["", "size", "root", "head", "recorded", "taken"]
        guard lines.count == keys.count else { throw bad("a digest has 6 lines, this has \(lines.count)") }
        guard lines[0] == Self.firstLine else { throw bad("line 1 is not \"\(Self.firstLine)\"") }
        var values: [String] = [""]
        for index in 1..<keys.count {
            let prefix = keys[index] + " "
            guard lines[index].hasPrefix(prefix) else { throw bad("line \(index + 1) does not start with \"\(prefix)\"") }
            values.append(String(lines[index].dropFirst(prefix.count)))
        }
        guard let size = Int64(values[1]), size >= 0, String(size) == values[1] else { throw bad("line 2: size \"\(values[1])\" is not a whole number") }
        guard let root = MerkleHex.digest(values[2]) else { throw bad("line 3: root is not 64 lowercase hex digits") }
        guard let head = MerkleHex.digest(values[3]) else { throw bad("line 4: head is not 64 lowercase hex digits") }
        guard size == 0 ? values[4] == "none" : MerkleHex.isTimestamp(values[4]) else {
            throw bad("line 5: recorded must be \(size == 0 ? "none for size 0" : "a time like 2026-11-26T08:00:00.123456Z")")
        }
        guard size > 0 || head == .zero else { throw bad("line 4: the head of size 0 is 64 zeros") }
        guard MerkleHex.isTimestamp(values[5]) else { throw bad("line 6: taken must be a time like 2026-11-26T08:00:00.123456Z") }
        self.init(size: size, root: root, head: head, recorded: values[4], taken: values[5])
    }
}

/// A proof as `ledger prove` prints it: one JSON object on one line.
public enum MerkleProof: Equatable, Sendable {
    /// Record `seq` (its complete bytes) is leaf `seq - 1` of the tree of `size` records with `root`.
    case inclusion(seq: Int64, size: Int64, record: [UInt8], root: SHA256Digest, path: [SHA256Digest])
    /// The tree of `from` records with `fromRoot` is a prefix of the tree of `size` records with `root`.
    case consistency(from: Int64, size: Int64, fromRoot: SHA256Digest, root: SHA256Digest, path: [SHA256Digest])

    public var json: JSONValue {
        switch self {
        case let .inclusion(seq, size, record, root, path):
            return .object([JSONMember("proof", .string("inclusion")), JSONMember("seq", .integer(seq)),
                            JSONMember("size", .integer(size)), JSONMember("record", .string(MerkleHex.text(record))),
                            JSONMember("root", .string(root.hex)), JSONMember("path", .array(path.map { .string($0.hex) }))])
        case let .consistency(from, size, fromRoot, root, path):
            return .object([JSONMember("proof", .string("consistency")), JSONMember("from", .integer(from)),
                            JSONMember("size", .integer(size)), JSONMember("fromRoot", .string(fromRoot.hex)),
                            JSONMember("root", .string(root.hex)), JSONMember("path", .array(path.map { .string($0.hex) }))])
        }
    }

    /// The proof file's text: the JSON object and a line feed.
    public var text: String { JSONWriter.string(json) + "\n" }

    /// Parses a proof file, which must be exactly what `ledger prove` writes, so that no byte can change unnoticed.
    public init(parsing bytes: [UInt8], name: String) throws(LedgerError) {
        func bad(_ reason: String) -> LedgerError { LedgerError(.verificationFailed, "\(name): \(reason)") }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw bad("not a JSON proof: \(error)") }
        guard let members = value.objectValue else { throw bad("a proof is one JSON object") }
        let kind = members[key: "proof"]?.stringValue
        let keys: [String]
        switch kind {
        case "inclusion": keys = ["proof", "seq", "size", "record", "root", "path"]
        case "consistency": keys = ["proof", "from", "size", "fromRoot", "root", "path"]
        default: throw bad("\"proof\" must be \"inclusion\" or \"consistency\"")
        }
        for member in members where !keys.contains(member.key) { throw bad("unknown key \"\(member.key)\"") }
        for key in keys where members[key: key] == nil { throw bad("missing key \"\(key)\"") }
        func integer(_ key: String) throws(LedgerError) -> Int64 {
            guard let number = members[key: key]?.integerValue, number >= 0 else { throw bad("\"\(key)\" must be a whole number ≥ 0") }
            return number
        }
        func digest(_ key: String) throws(LedgerError) -> SHA256Digest {
            guard let text = members[key: key]?.stringValue, let digest = MerkleHex.digest(text) else {
                throw bad("\"\(key)\" must be 64 lowercase hex digits")
            }
            return digest
        }
        guard let items = members[key: "path"]?.arrayValue else { throw bad("\"path\" must be an array") }
        var path: [SHA256Digest] = []
        for (index, item) in items.enumerated() {
            guard let text = item.stringValue, let digest = MerkleHex.digest(text) else {
                throw bad("\"path\" item \(index + 1) must be 64 lowercase hex digits")
            }
            path.append(digest)
        }
        if kind == "inclusion" {
            guard let text = members[key: "record"]?.stringValue, let record = MerkleHex.bytes(text) else {
                throw bad("\"record\" must be lowercase hex digits, two per byte")
            }
            self = .inclusion(seq: try integer("seq"), size: try integer("size"), record: record, root: try digest("root"), path: path)
        } else {
            self = .consistency(from: try integer("from"), size: try integer("size"), fromRoot: try digest("fromRoot"),
                                root: try digest("root"), path: path)
        }
        let canonical = Array(text.utf8)
        guard bytes == canonical else {
            let index = (0..<min(bytes.count, canonical.count)).first { bytes[$0] != canonical[$0] } ?? min(bytes.count, canonical.count)
            throw bad("not in the exact form `ledger prove` writes (byte \(index + 1) differs: keys in order, no spaces, one line feed at the end)")
        }
    }

    /// The tree sizes and roots the proof speaks of: one end for inclusion, two for consistency.
    public var ends: [(size: Int64, root: SHA256Digest)] {
        switch self {
        case let .inclusion(_, size, _, root, _): [(size, root)]
        case let .consistency(from, size, fromRoot, root, _): from == size ? [(size, root)] : [(from, fromRoot), (size, root)]
        }
    }

    /// Checks the proof on its own: the path recomputes its root(s) and the record is the one named.
    public func check() throws(LedgerError) {
        switch self {
        case let .inclusion(seq, size, record, root, path):
            guard seq >= 1, seq <= size else { throw LedgerError(.verificationFailed, "seq \(seq) is not in a tree of \(size) records") }
            guard record.count >= 56, record.count <= 56 + (1 << 20),
                  record.little(UInt32.self, at: 0) == UInt32(record.count) else {
                throw LedgerError(.verificationFailed, "\"record\" is not a whole record: its length field does not match its \(record.count) bytes")
            }
            let recordSeq = Int64(bitPattern: record.little(UInt64.self, at: 8))
            guard recordSeq == seq else { throw LedgerError(.verificationFailed, "the record holds seq \(recordSeq), the proof names seq \(seq)") }
            guard Merkle.verifyInclusion(index: Int(seq - 1), size: Int(size), leafHash: Merkle.leafHash(record), proof: path, root: root) else {
                throw LedgerError(.verificationFailed, "the inclusion path of seq \(seq) does not lead to root \(root.hex) of size \(size)")
            }
        case let .consistency(from, size, fromRoot, root, path):
            guard from >= 1, from <= size else { throw LedgerError(.verificationFailed, "from \(from) must be from 1 to size \(size)") }
            guard Merkle.verifyConsistency(oldSize: Int(from), newSize: Int(size), oldRoot: fromRoot, newRoot: root, proof: path) else {
                throw LedgerError(.verificationFailed, "the consistency path does not lead from root \(fromRoot.hex) of size \(from) to root \(root.hex) of size \(size)")
            }
        }
    }

    /// A one-line description for `check-proof`.
    public var summary: String {
        switch self {
        case let .inclusion(seq, size, _, root, _): "inclusion of seq \(seq) in the tree of \(size) records, root \(root.hex)"
        case let .consistency(from, size, fromRoot, root, _):
            "consistency of the tree of \(from) records (root \(fromRoot.hex)) with the tree of \(size) records (root \(root.hex))"
        }
    }
}

/// Lowercase hexadecimal, the only form digests and proofs use.
enum MerkleHex {
    static func text(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func digest(_ text: String) -> SHA256Digest? {
        guard text.utf8.count == 64, let bytes = bytes(text) else { return nil }
        return SHA256Digest(bytes: bytes)
    }

    /// Whether `text` has the shape of a recorded time as `Timestamp.iso8601` prints it: `2026-11-26T08:00:00.123456Z`,
    /// the year being an optional `-` and four digits or more (no leading zero beyond four), as recorded
    /// times span every Int64 (`-0005-…`, `294247-…`).
    static func isTimestamp(_ text: String) -> Bool {
        let shape = Array("-00-00T00:00:00.000000Z".utf8)
        var utf8 = Array(text.utf8)[...]
        if utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
        let year = utf8.dropLast(shape.count)
        guard utf8.count >= 4 + shape.count, year.count <= 19,
              year.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              year.count == 4 || year.first != UInt8(ascii: "0") else { return false }
        for (byte, pattern) in zip(utf8.suffix(shape.count), shape) {
            if pattern == UInt8(ascii: "0") {
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            } else if byte != pattern {
                return false
            }
        }
        return true
    }
}
