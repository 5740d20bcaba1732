extension PolicyPublished.MonthDay {
    /// Parses exactly `MM-DD`, a day that exists in some year (`02-29` included).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: "-") else { return nil }
        let parsed: (Int, Int)? = bytes.withUnsafeBufferPointer { buffer in
            guard let month = twoDigits(buffer, 0), let day = twoDigits(buffer, 3) else { return nil }
            return (month, day)
        }
        guard let (month, day) = parsed, PolicyPublished.MonthDay.isValid(month: month, day: day) else { return nil }
        self.init(month: Int8(month), day: Int8(day))
    }

    /// Whether `month`-`day` is a day of some year (a leap year for `02-29`).
    static func isValid(month: Int, day: Int) -> Bool {
        (1...12).contains(month) && (1...Day.daysIn(month: month, year: 2000)).contains(day)
    }

    /// Whether this value names a day of some year.
    var isValid: Bool { PolicyPublished.MonthDay.isValid(month: Int(month), day: Int(day)) }
}

extension PolicyPublished.MonthDay: CustomStringConvertible {
    /// The deadline as `MM-DD`.
    public var description: String {
        "\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }
}

extension Array where Element == PolicyPublished.MonthDay {
    /// The first of these yearly deadlines on or after `day`; `02-29` means `02-28` in a year without it.
    ///
    /// Nil when the list is empty (an old part then never becomes late).
    public func firstDeadline(onOrAfter day: Day) -> Day? {
        let year = day.civil.year
        for candidateYear in [year, year + 1] {
            var best: Day?
            for deadline in self {
                let month = Int(deadline.month)
                guard (1...12).contains(month) else { continue }
                let dayOfMonth = Swift.min(Int(deadline.day), Day.daysIn(month: month, year: candidateYear))
                guard let candidate = Day(year: candidateYear, month: month, day: dayOfMonth), candidate >= day else { continue }
                if best.map({ candidate < $0 }) ?? true { best = candidate }
            }
            if let best { return best }
        }
        return nil
    }
}
