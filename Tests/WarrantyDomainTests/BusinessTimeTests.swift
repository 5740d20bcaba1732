import JSONText
import Testing
import WarrantyDomain

@Suite("Time zones and business days")
struct BusinessTimeTests {
    @Test(arguments: [
        ("+08:00", 480), ("-05:30", -330), ("+00:00", 0), ("-00:00", 0), ("Z", 0), ("z", 0),
        ("+23:59", 1439), ("-23:59", -1439), ("+05:45", 345),
    ])
    func offsetParses(_ text: String, _ minutes: Int) throws {
        let offset = try #require(TimeZoneOffset(text))
        #expect(Int(offset.minutes) == minutes)
        #expect(offset == TimeZoneOffset(minutes: minutes))
    }

    @Test(arguments: ["+24:00", "+08:60", "08:00", "+8:00", "+08:00 ", "+0800", "+08", "", "UTC", "+０8:00", "±08:00"])
    func offsetRefused(_ text: String) {
        #expect(TimeZoneOffset(text) == nil)
    }

    @Test func offsetPrints() {
        #expect(TimeZoneOffset.chinaStandard.description == "+08:00")
        #expect(TimeZoneOffset.utc.description == "+00:00")
        #expect(TimeZoneOffset(minutes: -30)?.description == "-00:30")
        #expect(TimeZoneOffset(minutes: -1439)?.description == "-23:59")
        #expect(TimeZoneOffset(minutes: 345)?.description == "+05:45")
        #expect(TimeZoneOffset(minutes: 1440) == nil)
        #expect(TimeZoneOffset(minutes: -1440) == nil)
        for minutes in stride(from: -1439, through: 1439, by: 7) {
            let offset = TimeZoneOffset(minutes: minutes)!
            #expect(TimeZoneOffset(offset.description) == offset)
        }
    }

    @Test(arguments: [
        // (at, ledger zone, business day)
        ("2025-06-20", "+08:00", "2025-06-20"),
        ("2025-06-20", "-23:59", "2025-06-20"),
        ("2025-06-20T23:30:00+00:00", "+08:00", "2025-06-21"),
        ("2025-06-20T15:59:59Z", "+08:00", "2025-06-20"),
        ("2025-06-20T16:00:00Z", "+08:00", "2025-06-21"),
        ("2025-06-21T07:59:59+08:00", "+00:00", "2025-06-20"),
        ("2025-06-21T08:00:00+08:00", "+00:00", "2025-06-21"),
        ("2025-06-20T08:30:00+08:00", "+08:00", "2025-06-20"),
        ("2025-06-20t23:30:00z", "+08:00", "2025-06-21"),
        ("2024-12-31T20:00:00-05:00", "+08:00", "2025-01-01"),
        ("2025-01-01T00:00:00+08:00", "-05:00", "2024-12-31"),
        ("2024-02-28T20:00:00-08:00", "+08:00", "2024-02-29"),
        ("2024-02-29T12:00:00Z", "+08:00", "2024-02-29"),
        ("2023-02-28T20:00:00-08:00", "+08:00", "2023-03-01"),
        ("2016-12-31T23:59:60Z", "+00:00", "2016-12-31"),
        ("2016-12-31T23:59:60.999Z", "+08:00", "2017-01-01"),
        ("2025-06-20T23:59:59.123456789+08:00", "+08:00", "2025-06-20"),
        ("2025-03-01T00:00:00+23:59", "-23:59", "2025-02-27"),
        ("2025-02-28T23:59:00-23:59", "+23:59", "2025-03-02"),
        ("0001-01-01T00:00:00+00:00", "-01:00", "0000-12-31"),
        ("9999-12-31T23:00:00+00:00", "+01:00", "10000-01-01"),
    ])
    func businessDay(_ at: String, _ zone: String, _ expected: String) throws {
        let time = try #require(BusinessTime(at))
        let day = time.businessDay(in: try #require(TimeZoneOffset(zone)))
        #expect(day.description == expected)
        #expect(BusinessTime.businessDay(of: at, in: TimeZoneOffset(zone)!) == day)
    }

    @Test(arguments: [
        "2025-02-29", "2025-02-30", "2025-13-01", "2025-00-10", "2025-06-00", "0000-01-01", "2025-6-20", "25-06-20",
        "2025/06/20", "2025-06-20T", "2025-06-20T24:00:00Z", "2025-06-20T23:60:00Z", "2025-06-20T23:59:61Z",
        "2025-06-20T23:59:59", "2025-06-20T23:59:59.Z", "2025-06-20 23:59:59Z", "2025-06-20T23:59Z",
        "2025-06-20T23:59:59+0800", "2025-06-20T23:59:59+08", "2025-06-20T23:59:59+24:00", "2025-06-20T23:59:59+08:00Z",
        "2025-06-20T23:59:59.5.5Z", "2025-06-20T23:59:59,5Z", " 2025-06-20", "2025-06-20 ", "", "２０２５-06-20",
        "2025-02-30T00:00:00Z", "2025-06-20T1:00:00Z", "+2025-06-20",
    ])
    func businessTimeRefused(_ at: String) {
        #expect(BusinessTime(at) == nil)
    }

    @Test func decoderUsesTheLedgerZone() throws {
        let line = try JSONParser.parse(
            #"{"type":"card.registered","at":"2025-06-20T23:30:00+00:00","data":{"serial":"H9-001"}}"#)
        #expect(try EventDecoder.decode(line, zone: .chinaStandard).day == day("2025-06-21"))
        #expect(try EventDecoder.decode(line, zone: .utc).day == day("2025-06-20"))
        #expect(try EventDecoder.decode(line, zone: TimeZoneOffset("-05:00")!).day == day("2025-06-20"))
    }

    @Test func monthDayParsesAndPrints() {
        #expect(PolicyPublished.MonthDay("02-29") == PolicyPublished.MonthDay(month: 2, day: 29))
        #expect(PolicyPublished.MonthDay("12-31")?.description == "12-31")
        #expect(PolicyPublished.MonthDay("01-05")?.description == "01-05")
        for text in ["02-30", "04-31", "13-01", "00-10", "06-00", "6-30", "06/30", "06-30 "] {
            #expect(PolicyPublished.MonthDay(text) == nil, "\(text)")
        }
    }
}
