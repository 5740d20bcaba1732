/// Why one input line is not an acceptable event: printed as `error: line N: <type>: <reason>`.
public struct EventInputError: Error, Hashable, Sendable {
    /// The event type (wire name) when the line named a known one.
    public var type: String?
    /// What is wrong and where, e.g. `data.price: must not be negative`.
    public var reason: String

    public init(type: String?, reason: String) {
        self.type = type
        self.reason = reason
    }
}

extension EventInputError: CustomStringConvertible {
    /// `<type>: <reason>`, or the reason alone when the type is unknown.
    public var description: String {
        if let type { return "\(type): \(reason)" }
        return reason
    }
}
