import Foundation

/// Number formatting and the target lines of the report.
enum Report {
    /// `1234567` as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (k, character) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A rate rounded to a whole number and grouped, e.g. `612,345`.
    static func rate(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        return grouped(Int(value.rounded()))
    }

    static func fixed(_ value: Double, _ digits: Int = 2) -> String {
        guard value.isFinite else { return "n/a" }
        return String(format: "%.\(digits)f", value)
    }

    /// `text` padded with spaces to `width` on the left (right-aligned).
    static func right(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// `text` padded with spaces to `width` on the right (left-aligned).
    static func left(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// Prints one target line: what was measured, the figure, the target and whether it was met.
    static func target(_ name: String, measured: Double, shown: String, atLeast threshold: Double, targetText: String) {
        let verdict = measured >= threshold ? "met" : "MISSED"
        print("  \(left(name, 46)) \(right(shown, 12))   target \(left(targetText, 12)) \(verdict)")
    }

    /// Prints an informational ratio that has no target.
    static func info(_ name: String, shown: String) {
        print("  \(left(name, 46)) \(right(shown, 12))   (no target)")
    }

    /// A one-line summary of a measurement's time and where it went.
    static func timing(_ m: Measurement) -> String {
        "\(fixed(m.seconds, 3)) s wall, cpu \(fixed(m.cpuPercent, 0))%, queued \(fixed(m.queuedPercent, 0))%"
    }

    /// Column titles for `shares`.
    static let sharesHeader = right("cpu", 6) + right("queued", 8)

    /// The CPU share and the run-queue share of a run's wall time, as two right-aligned columns.
    static func shares(_ m: Measurement) -> String {
        right(fixed(m.cpuPercent, 0) + "%", 6) + right(fixed(m.queuedPercent, 0) + "%", 8)
    }

    /// Warns when a reported run spent more than a tenth of its wall time waiting for a core.
    static func noiseNote(_ runs: [Measurement]) {
        let worst = runs.map(\.queuedPercent).max() ?? 0
        if worst > 10 {
            print("  note: a reported run waited \(fixed(worst, 0))% of its time for a core (other processes were running);")
            print("        its figure understates what this code does on a quiet machine")
        }
    }

    /// The list of per-run rates, for judging noise.
    static func runs(_ runs: [Measurement], _ figure: (Measurement) -> Double) -> String {
        runs.map { rate(figure($0)) }.joined(separator: " / ")
    }
}
