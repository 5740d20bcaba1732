/// Told how far a long operation has come: `done` of `total` items (nil when the total is not known).
///
/// Library operations call it every few thousand items; the command line decides what to show.
public typealias ProgressHandler = (_ done: Int64, _ total: Int64?) -> Void

/// The text of one progress line: `rebuild: 1,234,567 / 9,000,000 events  812,345/s  9 s left`.
public enum ProgressText {
    public static func line(verb: String, unit: String, done: Int64, total: Int64?, elapsedMicroseconds: Int64) -> String {
        var text = "\(verb): \(grouped(done))"
        if let total { text += " / \(grouped(total))" }
        text += " \(unit)"
        guard elapsedMicroseconds > 0, done > 0 else { return text }
        let rate = Double(done) * 1_000_000 / Double(elapsedMicroseconds)
        text += "  \(grouped(Int64(rate.rounded())))/s"
        if let total, total >= done {
            text += "  \(duration(Double(total - done) / rate)) left"
        }
        return text
    }

    /// `1234567` as `1,234,567`.
    public static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return value < 0 ? "-" + text : text
    }

    /// Whole seconds, minutes and seconds, or hours and minutes.
    static func duration(_ seconds: Double) -> String {
        let whole = Int64(seconds.rounded(.up))
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole / 60 % 60) min"
    }
}
