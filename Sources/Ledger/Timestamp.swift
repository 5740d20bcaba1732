import WarrantyDomain

/// Formats recorded times, kept as microseconds since 1970-01-01T00:00:00Z.
public enum Timestamp {
    /// `2026-11-26T06:23:32.123456Z`, or without the fraction.
    public static func iso8601(microseconds: Int64, fraction: Bool = true) -> String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let micros = microseconds - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
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

