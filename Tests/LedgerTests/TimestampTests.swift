import Ledger
import Testing

/// Recorded times come from the log as any Int64: every one of them prints, the extremes included.
struct TimestampTests {
    @Test func formatsEveryMicrosecondCountWithoutOverflow() {
        #expect(Timestamp.iso8601(microseconds: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp.iso8601(microseconds: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp.iso8601(microseconds: 1_795_000_000_123_456) == "2026-11-18T11:06:40.123456Z")
        #expect(Timestamp.iso8601(microseconds: .max) == "294247-01-10T04:00:54.775807Z")
        #expect(Timestamp.iso8601(microseconds: .min) == "-290308-12-21T19:59:05.224192Z")
        #expect(Timestamp.iso8601(microseconds: -86_400_000_000, fraction: false) == "1969-12-31T00:00:00Z")
        // Year −5 (proleptic Gregorian, astronomical numbering): the sign, then four digits.
        #expect(Timestamp.iso8601(microseconds: -62_324_985_600_000_000, fraction: false) == "-0005-01-01T00:00:00Z")
    }
}
