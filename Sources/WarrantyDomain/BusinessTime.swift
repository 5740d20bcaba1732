/// Business time `at` as parsed: `YYYY-MM-DD` (midnight in the ledger's zone) or an RFC 3339 date-time with offset.
public struct BusinessTime: Hashable, Sendable {
    /// The calendar date as written.
    public var date: Day
    /// Minutes after midnight as written (seconds and fractions never move the day), nil for a date alone.
    public var minuteOfDay: Int16?
    /// The offset as written, nil for a date alone.
    public var offset: TimeZoneOffset?

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t` and `z` may be lowercase;
    /// seconds 00–60), refusing impossible dates and times.
    public init?(_ text: some StringProtocol) {
        var parsed: BusinessTime?
        var copy = String(text)
        copy.withUTF8 { parsed = BusinessTime.parse($0) }
        guard let parsed else { return nil }
        self = parsed
    }

    init(date: Day, minuteOfDay: Int16?, offset: TimeZoneOffset?) {
        self.date = date
        self.minuteOfDay = minuteOfDay
        self.offset = offset
    }

    /// The date of this time in `zone`; a date alone is its own business day.
    public func businessDay(in zone: TimeZoneOffset) -> Day {
        guard let minuteOfDay, let offset else { return date }
        let minutes = Int(minuteOfDay) - Int(offset.minutes) + Int(zone.minutes)
        let shift = minutes >= 0 ? minutes / 1440 : -((1439 - minutes) / 1440)
        return date.adding(days: shift)
    }

    /// The business day of `text` in `zone`, or nil when `text` is not a business time.
    public static func businessDay(of text: some StringProtocol, in zone: TimeZoneOffset) -> Day? {
        BusinessTime(text)?.businessDay(in: zone)
    }

    /// Parses the whole of `bytes`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> BusinessTime? {
        let count = bytes.count
        guard count == 10 || count >= 20,
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let century = twoDigits(bytes, 0), let yearOfCentury = twoDigits(bytes, 2),
              let month = twoDigits(bytes, 5), let dayOfMonth = twoDigits(bytes, 8),
              let date = Day(year: century * 100 + yearOfCentury, month: month, day: dayOfMonth)
        else { return nil }
        if count == 10 { return BusinessTime(date: date, minuteOfDay: nil, offset: nil) }

        guard bytes[10] | 0x20 == UInt8(ascii: "t"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = twoDigits(bytes, 11), hour < 24,
              let minute = twoDigits(bytes, 14), minute < 60,
              let second = twoDigits(bytes, 17), second <= 60
        else { return nil }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let digitsStart = index
            while index < count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > digitsStart else { return nil }
        }
        guard let offset = TimeZoneOffset.parse(bytes, from: index, to: count) else { return nil }
        return BusinessTime(date: date, minuteOfDay: Int16(hour * 60 + minute), offset: offset)
    }
}

extension BusinessTime {
    /// Why `text` is not a business time, in words that point at the faulty part.
    public static func refusal(of text: String) -> String {
        let shape = "expected YYYY-MM-DD or an RFC 3339 date-time such as 2025-06-20T08:30:00+08:00"
        let utf8 = Array(text.utf8)
        guard utf8.count >= 10, let date = Day.fields(text.prefix(10)) else { return shape }
        guard Day(year: date.year, month: date.month, day: date.day) != nil else {
            return "\(text.prefix(10)) is not a calendar date"
        }
        guard utf8.count >= 19, utf8[10] | 0x20 == UInt8(ascii: "t"),
              let hour = Int(text.dropFirst(11).prefix(2)), let minute = Int(text.dropFirst(14).prefix(2)),
              let second = Int(text.dropFirst(17).prefix(2)) else { return shape }
        guard hour < 24, minute < 60, second <= 60 else {
            return "\(text.dropFirst(11).prefix(8)) is not a time of day"
        }
        let rest = text.dropFirst(19).drop { $0 == "." || $0.isASCII && $0.isNumber }
        if rest.isEmpty { return "the time needs an offset such as +08:00 or Z" }
        return "\(rest) is not an offset (Z or ±HH:MM, hours below 24)"
    }
}

extension Day {
    /// The numbers of a `YYYY-MM-DD` shape, whether or not they make a calendar date.
    static func fields(_ text: some StringProtocol) -> (year: Int, month: Int, day: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = Int(String(decoding: bytes[0..<4], as: UTF8.self)),
              let month = Int(String(decoding: bytes[5..<7], as: UTF8.self)),
              let day = Int(String(decoding: bytes[8..<10], as: UTF8.self)) else { return nil }
        return (year, month, day)
    }
}
