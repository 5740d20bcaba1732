import WarrantyDomain

/// Formats recorded times, kept as microseconds since 1970-01-01T00:00:00Z.
public enum Timestamp {
    /// `2026-11-26T06:23:32.123456Z`, or without the fraction.
    public static func iso8601(microseconds: Int64, fraction: Bool = true) -> String {
        // Floor divisions written so that no value, Int64.min included, overflows.
        var (seconds, micros) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        if micros < 0 { (seconds, micros) = (seconds - 1, micros + 1_000_000) }
        var (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        if secondOfDay < 0 { (days, secondOfDay) = (days - 1, secondOfDay + 86_400) }
        let date = Day(ordinal: Int32(clamping: days)).description
        var text = date + "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction { text += "." + pad(micros, 6) }
        return text + "Z"
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

