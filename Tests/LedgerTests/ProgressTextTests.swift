import Ledger
import Testing

struct ProgressTextTests {
    @Test func countsRateAndTimeLeft() {
        // 2,000,000 of 9,000,000 in 4 s: 500,000/s, 14 s left.
        #expect(ProgressText.line(verb: "rebuild", unit: "events", done: 2_000_000, total: 9_000_000, elapsedMicroseconds: 4_000_000)
                == "rebuild: 2,000,000 / 9,000,000 events  500,000/s  14 s left")
        #expect(ProgressText.line(verb: "append", unit: "MB", done: 1_500, total: 180_000, elapsedMicroseconds: 1_000_000)
                == "append: 1,500 / 180,000 MB  1,500/s  1 min 59 s left")
        // 45,000,000 left at 10,000/s: 4,500 s.
        #expect(ProgressText.line(verb: "export", unit: "events", done: 10_000, total: 45_010_000, elapsedMicroseconds: 1_000_000)
                == "export: 10,000 / 45,010,000 events  10,000/s  1 h 15 min left")
    }

    @Test func withoutATotalOnlyTheRate() {
        #expect(ProgressText.line(verb: "generate", unit: "events", done: 123_456, total: nil, elapsedMicroseconds: 500_000)
                == "generate: 123,456 events  246,912/s")
        #expect(ProgressText.line(verb: "generate", unit: "events", done: 0, total: nil, elapsedMicroseconds: 0) == "generate: 0 events")
    }

    @Test func grouping() {
        #expect([0, 7, 999, 1_000, 12_345, 1_234_567, -1_234].map(ProgressText.grouped)
                == ["0", "7", "999", "1,000", "12,345", "1,234,567", "-1,234"])
    }
}
