/// Why a JSON text was refused, and the byte offset where the problem was found.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Zero-based byte offset into the input.
    public var offset: Int
    /// A sentence for the person who has to fix the input, e.g. `duplicate key "price"`.
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset + 1): \(reason)" }
}
