/// The reason an event may not be appended, written for the person who sent it.
///
/// A reason names the offending identifier, e.g. `serial "SN9" is not sold`; the facade adds
/// the input line and the event type around it.
public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// An identifier as it appears in a reason: in double quotes.
func quoted(_ identifier: String) -> String {
    "\"" + identifier + "\""
}

extension String {
    /// Whether `self` sorts before `other` by UTF-8 bytes (code point order), the order of every answer's arrays.
    ///
    /// Compares the bytes in place (a native string's are contiguous), not through `String.UTF8View`'s indices.
    package func bytePrecedes(_ other: String) -> Bool {
        var left = self, right = other
        return left.withUTF8 { left in right.withUTF8 { right in left.lexicographicallyPrecedes(right) } }
    }

    /// The first 16 UTF-8 bytes, big-endian in two integers, zero-padded: ordered as the bytes are, so that a sort by
    /// bytes compares the strings themselves only when these tie.
    package var bytePrefix: (high: UInt64, low: UInt64) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (position, byte) in utf8.prefix(16).enumerated() {
            if position < 8 { high |= UInt64(byte) << (56 - 8 * position) } else { low |= UInt64(byte) << (120 - 8 * position) }
        }
        return (high, low)
    }
}

extension Array {
    /// The positions of the elements in the UTF-8 byte order of `key`, then in the order of `tie` among equal keys, then
    /// in their own order.
    ///
    /// Sorts the keys' 16-byte prefixes with the positions, comparing whole keys only where the prefixes tie: large
    /// elements are not moved, and most pairs of keys are ordered by two integer comparisons.
    package func positionsInByteOrder(of key: (Element) -> String,
                                      then tie: (Element, Element) -> Bool = { _, _ in false }) -> [Int] {
        var order = indices.map { position in
            let (high, low) = key(self[position]).bytePrefix
            return (high: high, low: low, position: position)
        }
        order.sort { lhs, rhs in
            if lhs.high != rhs.high { return lhs.high < rhs.high }
            if lhs.low != rhs.low { return lhs.low < rhs.low }
            let (left, right) = (self[lhs.position], self[rhs.position])
            let (leftKey, rightKey) = (key(left), key(right))
            if leftKey.bytePrecedes(rightKey) { return true }
            if rightKey.bytePrecedes(leftKey) { return false }
            if tie(left, right) { return true }
            return !tie(right, left) && lhs.position < rhs.position
        }
        return order.map(\.position)
    }

    /// The elements in the order `positionsInByteOrder` gives, each moved once.
    package func sorted(byBytesOf key: (Element) -> String, then tie: (Element, Element) -> Bool = { _, _ in false }) -> [Element] {
        positionsInByteOrder(of: key, then: tie).map { self[$0] }
    }
}
