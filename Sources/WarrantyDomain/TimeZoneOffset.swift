/// A fixed offset from UTC in whole minutes east, from −23:59 to +23:59, written `+08:00`.
public struct TimeZoneOffset: Hashable, Comparable, Sendable {
    /// Minutes east of UTC, −1439...1439.
    public let minutes: Int16

    /// The largest offset in minutes either side of UTC (23:59).
    public static let minutesMax = 23 * 60 + 59

    /// UTC itself, `+00:00`.
    public static let utc = TimeZoneOffset(validMinutes: 0)
    /// China Standard Time, `+08:00`: the ledger's zone unless `init` chose another.
    public static let chinaStandard = TimeZoneOffset(validMinutes: 8 * 60)

    /// The offset with this many minutes east of UTC, or nil beyond ±23:59.
    public init?(minutes: Int) {
        guard (-TimeZoneOffset.minutesMax...TimeZoneOffset.minutesMax).contains(minutes) else { return nil }
        self.minutes = Int16(minutes)
    }

    private init(validMinutes: Int16) {
        self.minutes = validMinutes
    }

    /// Parses `±HH:MM` (hours 00–23, minutes 00–59); `Z` or `z` is UTC as in RFC 3339.
    public init?(_ text: some StringProtocol) {
        var parsed: TimeZoneOffset?
        var copy = String(text)
        copy.withUTF8 { bytes in
            parsed = TimeZoneOffset.parse(bytes, from: 0, to: bytes.count)
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses the offset in `bytes[start..<end]`: `Z`, `z` or `±HH:MM`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> TimeZoneOffset? {
        let length = end - start
        if length == 1, bytes[start] | 0x20 == UInt8(ascii: "z") { return .utc }
        guard length == 6, bytes[start + 3] == UInt8(ascii: ":") else { return nil }
        let sign: Int
        switch bytes[start] {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        guard let hours = twoDigits(bytes, start + 1), hours < 24,
              let minutes = twoDigits(bytes, start + 4), minutes < 60 else { return nil }
        return TimeZoneOffset(validMinutes: Int16(sign * (hours * 60 + minutes)))
    }

    public static func < (lhs: TimeZoneOffset, rhs: TimeZoneOffset) -> Bool { lhs.minutes < rhs.minutes }
}

extension TimeZoneOffset: CustomStringConvertible {
    /// The offset as `±HH:MM`, UTC as `+00:00`.
    public var description: String {
        let magnitude = abs(Int(minutes))
        let hours = magnitude / 60
        let minutes = magnitude % 60
        let sign = self.minutes < 0 ? "-" : "+"
        return "\(sign)\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
    }
}

/// The value of two ASCII digits at `bytes[index]` and `bytes[index + 1]`, or nil.
@inline(__always)
func twoDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int? {
    let high = bytes[index] &- UInt8(ascii: "0")
    let low = bytes[index + 1] &- UInt8(ascii: "0")
    guard high < 10, low < 10 else { return nil }
    return Int(high) * 10 + Int(low)
}
