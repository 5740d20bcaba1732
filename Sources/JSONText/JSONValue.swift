/// A parsed JSON value that keeps what an accounting system must not lose: exact integers and member order.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number literal without fraction or exponent that fits in `Int64`.
    case integer(Int64)
    /// Any other number literal, kept exactly as written (`1.5`, `1e3`, `99999999999999999999`).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in input order; the parser refuses duplicate keys.
    case object([JSONMember])
}

/// One `"key": value` member of a JSON object.
public struct JSONMember: Hashable, Sendable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
