#if canImport(Glibc)
import Glibc
#endif
import Ledger

/// A progress line on standard error, redrawn in place at most five times a second, shown only when
/// standard error is a terminal: scripts and redirected output see nothing.
final class ProgressLine {
    private let verb: String
    private let unit: String
    private let enabled: Bool
    private let started = Ledger.currentMicroseconds()
    private var lastShown: Int64 = 0
    private var shown = false

    init(verb: String, unit: String = "events", enabled: Bool = isatty(2) == 1) {
        self.verb = verb
        self.unit = unit
        self.enabled = enabled
    }

    /// The handler to give a library operation, or nil when nothing would be shown.
    var handler: ProgressHandler? {
        enabled ? { [self] done, total in update(done, total) } : nil
    }

    func update(_ done: Int64, _ total: Int64?) {
        let now = Ledger.currentMicroseconds()
        guard enabled, now - lastShown >= 200_000 else { return }
        lastShown = now
        shown = true
        let text = ProgressText.line(verb: verb, unit: unit, done: done, total: total, elapsedMicroseconds: now - started)
        Output.standardError("\r" + text + "\u{1B}[K")
    }

    /// Clears the line, so that the command's own output starts on a clean line.
    func finish() {
        if shown { Output.standardError("\r\u{1B}[K") }
        shown = false
    }
}
