/// A compact, deterministic JSON writer: no spaces, members in the order given, only required escapes.
///
/// Use `write(_:)` for a whole `JSONValue`, or the streaming calls to write without building a tree;
/// commas and colons are placed automatically. Misuse (a value in an object without a key, an unmatched
/// `end…`) stops the program, because silently emitting invalid JSON into a ledger would be worse.
public struct JSONWriter: Sendable {
    /// The UTF-8 output so far.
    public var bytes: [UInt8]
    /// Open containers, innermost last: `true` for an object. Used to check pairing and key placement.
    private var open: [Bool] = []
    /// A value has already been written in the current container, so the next one needs a comma.
    private var needsComma = false
    /// A key has just been written, so the next value follows its colon directly.
    private var afterKey = false

    public init() {
        bytes = []
        bytes.reserveCapacity(256)
    }

    /// The compact JSON text of a value.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// The compact JSON text of a value as UTF-8 bytes.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(value)
        return writer.bytes
    }

    /// Writes a whole value; recursion depth equals the depth of the tree, which the parser already bounds.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .integer(let n): integer(n)
        case .number(let text): number(text)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { write(item) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members {
                key(member.key)
                write(member.value)
            }
            endObject()
        }
    }

    // MARK: Streaming

    /// Opens an object.
    public mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        open.append(true)
        needsComma = false
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        precondition(open.last == true && !afterKey, "JSONWriter: endObject without an open object, or after a key with no value")
        open.removeLast()
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Opens an array.
    public mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        open.append(false)
        needsComma = false
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        precondition(open.last == false, "JSONWriter: endArray without an open array")
        open.removeLast()
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes a member name; the next call writes its value.
    public mutating func key(_ name: String) {
        precondition(open.last == true && !afterKey, "JSONWriter: key outside an object, or two keys in a row")
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        quoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes a string value.
    public mutating func string(_ value: String) {
        beforeValue()
        quoted(value)
        needsComma = true
    }

    /// Writes an integer value in decimal.
    public mutating func integer(_ value: Int64) {
        beforeValue()
        if value < 0 { bytes.append(.minus) }
        // `magnitude` is a UInt64, so Int64.min needs no special case.
        var rest = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
        needsComma = true
    }

    /// Writes a number literal exactly as given; it must follow the JSON number grammar.
    public mutating func number(_ literal: String) {
        precondition(JSONParser.isNumberLiteral(literal), "JSONWriter: not a JSON number literal: \(literal)")
        beforeValue()
        bytes.append(contentsOf: literal.utf8)
        needsComma = true
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        beforeValue()
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
        needsComma = true
    }

    /// Writes `null`.
    public mutating func null() {
        beforeValue()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    /// Writes one complete, already encoded JSON value verbatim; the caller vouches for it.
    public mutating func raw(_ json: some Sequence<UInt8>) {
        beforeValue()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    /// Ends a top-level value with a line feed, so the next value starts a new JSON Lines record.
    public mutating func newline() {
        precondition(open.isEmpty, "JSONWriter: newline inside an open container")
        bytes.append(0x0A)
        needsComma = false
    }

    // MARK: Internals

    private mutating func beforeValue() {
        if afterKey {
            afterKey = false
            return
        }
        precondition(open.last != true, "JSONWriter: a value inside an object needs a key first")
        precondition(!(open.isEmpty && needsComma), "JSONWriter: one top-level value per line; call newline() first")
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func quoted(_ text: String) {
        bytes.append(.quote)
        // Native strings are contiguous UTF-8; bridged or lazy ones are copied once.
        if text.utf8.withContiguousStorageIfAvailable({ escaped($0) }) == nil {
            Array(text.utf8).withUnsafeBufferPointer { escaped($0) }
        }
        bytes.append(.quote)
    }

    /// Appends runs that need no escaping in one go; only `"`, `\` and U+0000–U+001F are escaped.
    private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for k in utf8.indices where utf8[k] < 0x20 || utf8[k] == .quote || utf8[k] == .backslash {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<k]))
            bytes.append(.backslash)
            switch utf8[k] {
            case .quote, .backslash: bytes.append(utf8[k])
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                // Other controls as \u00XX with lowercase hex digits.
                let low = utf8[k] & 0x0F
                bytes.append(contentsOf: "u00".utf8)
                bytes.append(UInt8(ascii: "0") + utf8[k] >> 4)
                bytes.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
            }
            runStart = k + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }
}
