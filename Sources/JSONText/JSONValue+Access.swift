extension JSONValue {
    /// The string payload, or nil for any other case.
    public var stringValue: String? {
        if case .string(let s) = self { return s } else { return nil }
    }

    /// The integer payload, or nil for any other case (a `.number` is never converted).
    public var integerValue: Int64? {
        if case .integer(let n) = self { return n } else { return nil }
    }

    /// The boolean payload, or nil for any other case.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b } else { return nil }
    }

    /// The elements of an array, or nil for any other case.
    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items } else { return nil }
    }

    /// The members of an object, or nil for any other case.
    public var objectValue: [JSONMember]? {
        if case .object(let members) = self { return members } else { return nil }
    }

    /// True only for `.null`.
    public var isNull: Bool {
        if case .null = self { return true } else { return false }
    }

    /// The value of the member named `key` when this is an object, otherwise nil.
    public subscript(key key: String) -> JSONValue? {
        objectValue?[key: key]
    }
}

extension Array where Element == JSONMember {
    /// The value of the first member whose key has exactly the same UTF-8 bytes as `key`.
    public subscript(key key: String) -> JSONValue? {
        for member in self where sameBytes(member.key, key) { return member.value }
        return nil
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text of the value.
    public var description: String { JSONWriter.string(self) }
}

/// Compares keys byte for byte, as RFC 8259 asks, because Swift's `==` treats canonically equivalent strings as equal.
@inline(__always)
func sameBytes(_ a: String, _ b: String) -> Bool {
    // The byte count is O(1) for native strings and rejects most distinct keys; `==` is slowest exactly when strings differ.
    guard a.utf8.count == b.utf8.count else { return false }
    var a = a, b = b
    return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
}
