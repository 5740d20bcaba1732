#if canImport(Glibc)
import Glibc
#endif
import JSONText

/// Reads the typed fields of one JSON object of an input line, refusing with a reason that names the field's path.
struct JSONObjectReader {
    /// The event type named by the line, carried into every error.
    let type: String?
    /// Where this object sits in the line, e.g. `data` or `data.components[2]`.
    let path: String
    let members: [JSONMember]

    /// Reads `value` as an object whose keys are all in `allowed`; `value` nil or `null` means the object is missing.
    init(_ value: JSONValue?, path: String, allowed: [StaticString], type: String?) throws(EventInputError) {
        self.type = type
        self.path = path
        guard let value, value != .null else { throw EventInputError(type: type, reason: "\(path): required") }
        guard case .object(let members) = value else {
            throw EventInputError(type: type, reason: "\(path): expected an object")
        }
        for member in members where !allowed.contains(where: { sameBytes(member.key, $0) }) {
            let prefix = path.isEmpty ? "" : "\(path): "
            throw EventInputError(type: type, reason: "\(prefix)unknown field \(quoted(member.key))")
        }
        self.members = members
    }

    func fail(_ key: String, _ reason: String) -> EventInputError {
        EventInputError(type: type, reason: path.isEmpty ? "\(key): \(reason)" : "\(path).\(key): \(reason)")
    }

    /// The member's value; nil when absent or `null` (an optional field may be written as `null`).
    func value(_ key: StaticString) -> JSONValue? {
        for member in members where sameBytes(member.key, key) {
            return member.value == .null ? nil : member.value
        }
        return nil
    }

    func required(_ key: StaticString) throws(EventInputError) -> JSONValue {
        guard let value = value(key) else { throw fail("\(key)", "required") }
        return value
    }

    // MARK: Strings

    func string(_ key: StaticString, _ kind: Limits.Text) throws(EventInputError) -> String {
        try JSONObjectReader.string(try required(key), kind) { reason in fail("\(key)", reason) }
    }

    func optionalString(_ key: StaticString, _ kind: Limits.Text) throws(EventInputError) -> String? {
        guard let value = value(key) else { return nil }
        return try JSONObjectReader.string(value, kind) { reason in fail("\(key)", reason) }
    }

    static func string(_ value: JSONValue, _ kind: Limits.Text,
                       _ fail: (String) -> EventInputError) throws(EventInputError) -> String {
        guard case .string(let text) = value else { throw fail("expected a string") }
        if let problem = Limits.problem(with: text, kind) { throw fail(problem) }
        return text
    }

    /// A string that must be one of the cases of `Choice`, refused with the list of allowed values.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: StaticString, _: Choice.Type) throws(EventInputError)
        -> Choice where Choice.RawValue == String {
        func allowed() -> String { Choice.allCases.map { quoted($0.rawValue) }.joined(separator: ", ") }
        guard case .string(let text) = try required(key) else {
            throw fail("\(key)", "expected a string, one of \(allowed())")
        }
        guard let choice = Choice.allCases.first(where: { sameBytes($0.rawValue, text) }) else {
            throw fail("\(key)", "\(quoted(text)) is not one of \(allowed())")
        }
        return choice
    }

    // MARK: Numbers

    /// An amount of money: an integer number of fen, 0...`Limits.moneyFenMax`.
    func money(_ key: StaticString) throws(EventInputError) -> Fen {
        try integer(required(key), range: 0...Limits.moneyFenMax, unit: "fen") { reason in
            fail("\(key)", reason)
        }
    }

    func int32(_ key: StaticString, _ range: ClosedRange<Int32>) throws(EventInputError) -> Int32 {
        Int32(try int64(key, Int64(range.lowerBound)...Int64(range.upperBound)))
    }

    func optionalInt32(_ key: StaticString, _ range: ClosedRange<Int32>) throws(EventInputError) -> Int32? {
        guard value(key) != nil else { return nil }
        return try int32(key, range)
    }

    func int64(_ key: StaticString, _ range: ClosedRange<Int64>) throws(EventInputError) -> Int64 {
        try JSONObjectReader.integer(required(key), range: range, unit: nil) { reason in
            fail("\(key)", reason)
        }
    }

    func integer(_ value: JSONValue, range: ClosedRange<Int64>, unit: String?,
                 _ fail: (String) -> EventInputError) throws(EventInputError) -> Int64 {
        try JSONObjectReader.integer(value, range: range, unit: unit, fail)
    }

    /// An integer within `range`; `unit` (e.g. `fen`) is named in the reasons.
    static func integer(_ value: JSONValue, range: ClosedRange<Int64>, unit: String?,
                        _ fail: (String) -> EventInputError) throws(EventInputError) -> Int64 {
        // Reasons are built only when refusing: this runs for every number of every line.
        func tooSmall() -> String {
            range.lowerBound == 0 ? "must not be negative" : "must be at least \(range.lowerBound)"
        }
        func tooLarge() -> String { "must be at most \(range.upperBound)\(unit.map { " \($0)" } ?? "")" }
        switch value {
        case .integer(let number):
            if number < range.lowerBound { throw fail(tooSmall()) }
            if number > range.upperBound { throw fail(tooLarge()) }
            return number
        case .number(let literal):
            let isWhole = !literal.utf8.contains(where: {
                $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
            })
            guard isWhole else {
                throw fail("\(literal) must be written as a whole number\(unit.map { " of \($0)" } ?? ""), without fraction or exponent")
            }
            // A whole literal that is not an Int64 is beyond every range.
            throw fail(literal.hasPrefix("-") ? tooSmall() : tooLarge())
        default:
            throw fail(unit.map { "expected an integer (\($0))" } ?? "expected an integer")
        }
    }

    // MARK: Other scalars

    func bool(_ key: StaticString) throws(EventInputError) -> Bool {
        guard case .bool(let flag) = try required(key) else { throw fail("\(key)", "expected true or false") }
        return flag
    }

    /// A calendar date `YYYY-MM-DD`.
    func day(_ key: StaticString) throws(EventInputError) -> Day {
        guard case .string(let text) = try required(key) else {
            throw fail("\(key)", "expected a date (YYYY-MM-DD)")
        }
        guard let day = Day(text) else { throw fail("\(key)", "\(quoted(text)) is not a valid date (YYYY-MM-DD)") }
        return day
    }

    // MARK: Arrays

    /// An array of at most `Limits.arrayCountMax` items read by `item`, with no two items alike by `identity`.
    func array<Item, Identity: Hashable>(
        _ key: StaticString, nonEmpty: Bool,
        identity: (Item) -> Identity, describe: (Identity) -> String,
        item: (JSONValue, String) throws(EventInputError) -> Item
    ) throws(EventInputError) -> [Item] {
        guard case .array(let values) = try required(key) else { throw fail("\(key)", "expected an array") }
        if nonEmpty && values.isEmpty { throw fail("\(key)", "must not be empty") }
        if values.count > Limits.arrayCountMax {
            throw fail("\(key)", "must have at most \(Limits.arrayCountMax) items (has \(values.count))")
        }
        var items: [Item] = []
        items.reserveCapacity(values.count)
        var seen: [Identity: Int] = [:]
        for (index, value) in values.enumerated() {
            let itemPath = "\(path).\(key)[\(index)]"
            let next = try item(value, itemPath)
            let id = identity(next)
            if let first = seen[id] {
                throw EventInputError(type: type, reason: "\(itemPath): duplicate \(describe(id)), already at index \(first)")
            }
            seen[id] = index
            items.append(next)
        }
        return items
    }

    /// An array of strings of one kind (identifiers or names).
    func stringArray(_ key: StaticString, _ kind: Limits.Text, nonEmpty: Bool) throws(EventInputError) -> [String] {
        try array(key, nonEmpty: nonEmpty, identity: { $0 }, describe: { quoted($0) }) {
            value, itemPath throws(EventInputError) in
            try JSONObjectReader.string(value, kind) { reason in
                EventInputError(type: type, reason: "\(itemPath): \(reason)")
            }
        }
    }

    func optionalStringArray(_ key: StaticString, _ kind: Limits.Text) throws(EventInputError) -> [String]? {
        guard value(key) != nil else { return nil }
        return try stringArray(key, kind, nonEmpty: false)
    }
}

/// Compares keys byte for byte: JSON keys are exact, while Swift's `==` treats canonically equivalent strings as equal.
@inline(__always)
func sameBytes(_ key: String, _ expected: StaticString) -> Bool {
    // Lengths first (O(1) for native strings), then memcmp: `elementsEqual` walks UTF8View byte by byte.
    guard key.utf8.count == expected.utf8CodeUnitCount else { return false }
    return expected.withUTF8Buffer { want in
        key.utf8.withContiguousStorageIfAvailable { have in memcmp(have.baseAddress!, want.baseAddress!, want.count) == 0 }
            ?? key.utf8.elementsEqual(want)
    }
}

@inline(__always)
func sameBytes(_ key: String, _ expected: String) -> Bool {
    guard key.utf8.count == expected.utf8.count else { return false }
    return key.utf8.elementsEqual(expected.utf8)
}

/// `text` in double quotes with JSON escapes for quotes, backslashes and control characters,
/// shortened to its first 64 characters, so that an error message stays on one readable line.
func quoted(_ text: String) -> String {
    var result = "\""
    for (index, scalar) in text.unicodeScalars.enumerated() {
        if index == 64 {
            result += "…"
            break
        }
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\u" + Limits.scalarName(scalar.value).dropFirst(2)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}
