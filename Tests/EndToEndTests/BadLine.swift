import Testing

/// One kind of refused input line, with what the refusal must say.
///
/// Every line is bad against the ledger that `Fixtures/base.jsonl` builds (seqs 1–20, listed there),
/// alone or after the valid lines of `BadLine.batchPrefix`.
struct BadLine: Sendable, CustomTestStringConvertible {
    /// The rule broken, as the test's name.
    var rule: String
    var bytes: [UInt8]
    /// The event type the error names after the line number; nil when the line has no readable type.
    var type: String?
    /// Text the reason must contain.
    var fragments: [String]
    /// Text the reason must not contain.
    var forbidden: [String] = []

    var testDescription: String { rule }

    init(_ rule: String, _ line: String, type: String?, _ fragments: String..., forbidden: [String] = []) {
        self.init(rule, Array(line.utf8), type: type, fragments, forbidden: forbidden)
    }

    init(_ rule: String, _ bytes: [UInt8], type: String?, _ fragments: [String], forbidden: [String] = []) {
        self.rule = rule
        self.bytes = bytes
        self.type = type
        self.fragments = fragments
        self.forbidden = forbidden
    }
}

extension BadLine {
    /// Valid lines appended before the bad line in the batch variant; they change nothing the bad lines rely on.
    static let batchPrefix = [
        #"{"type":"dealer.invoiced","at":"2025-05-02","id":"batch-invoice-1","data":{"dealer":"D1","invoice":"FP-B1","amount":10000}}"#,
        #"{"type":"payment.received","at":"2025-05-03T09:00:00+08:00","data":{"dealer":"D2","amount":2000,"ref":"B-PAY-1"}}"#,
        #"{"type":"dealer.enrolled","at":"2025-05-03","data":{"dealer":"D-BATCH","name":"批次测试经销商"}}"#,
    ]

    static let all: [BadLine] = syntax + fields + policies + sales + service + money + voids + sizes

    /// Lines that are not JSON objects of a known event type.
    static let syntax: [BadLine] = [
        BadLine("invalid JSON", #"{"type":"unit.sold","at":"2025-05-01","#, type: nil, "invalid JSON"),
        BadLine("trailing text after the object",
                #"{"type":"payment.received","at":"2025-05-01","data":{"dealer":"D1","amount":1}} x"#,
                type: nil, "invalid JSON", "trailing"),
        // The bad byte is the line's 75th: every position the message gives must say so.
        BadLine("invalid UTF-8 bytes",
                Array(#"{"type":"dealer.enrolled","at":"2025-05-01","data":{"dealer":"D9","name":""#.utf8)
                    + [0xFF, 0xFE] + Array(#""}}"#.utf8),
                type: nil, ["invalid UTF-8", "byte 75"], forbidden: ["byte 74"]),
        BadLine("unpaired surrogate escape",
                #"{"type":"dealer.enrolled","at":"2025-05-01","data":{"dealer":"D9","name":"\ud800"}}"#,
                type: nil, "surrogate"),
        BadLine("duplicate key", #"{"type":"payment.received","at":"2025-05-01","data":{"dealer":"D1","amount":1,"amount":2}}"#,
                type: nil, "duplicate key \"amount\""),
        BadLine("not an object", #"["unit.sold"]"#, type: nil, "expected a JSON object"),
        BadLine("unknown event type", #"{"type":"unit.stolen","at":"2025-05-01","data":{}}"#,
                type: nil, "type", "unknown event type", "\"unit.stolen\""),
        BadLine("missing type", #"{"at":"2025-05-01","data":{"dealer":"D9","name":"x"}}"#, type: nil, "type: required"),
        BadLine("missing at", #"{"type":"dealer.enrolled","data":{"dealer":"D9","name":"x"}}"#,
                type: "dealer.enrolled", "at: required"),
        BadLine("missing data", #"{"type":"dealer.enrolled","at":"2025-05-01"}"#, type: "dealer.enrolled", "data: required"),
        BadLine("unknown top-level field",
                #"{"type":"dealer.enrolled","at":"2025-05-01","data":{"dealer":"D9","name":"x"},"note":"hi"}"#,
                type: "dealer.enrolled", "unknown field \"note\""),
        BadLine("impossible date", #"{"type":"payment.received","at":"2025-02-30","data":{"dealer":"D1","amount":1}}"#,
                type: "payment.received", "at: ", "\"2025-02-30\""),
        BadLine("offset beyond 23:59",
                #"{"type":"payment.received","at":"2025-05-01T10:00:00+25:00","data":{"dealer":"D1","amount":1}}"#,
                type: "payment.received", "at: ", "\"2025-05-01T10:00:00+25:00\""),
        BadLine("date-time without offset",
                #"{"type":"payment.received","at":"2025-05-01T10:00:00","data":{"dealer":"D1","amount":1}}"#,
                type: "payment.received", "at: ", "offset"),
    ]

    /// Lines whose `data` breaks the catalogue's field rules.
    static let fields: [BadLine] = [
        BadLine("unknown data field",
                #"{"type":"dealer.enrolled","at":"2025-05-01","data":{"dealer":"D9","name":"x","phone":"123"}}"#,
                type: "dealer.enrolled", "data", "unknown field \"phone\""),
        BadLine("missing required data field",
                #"{"type":"unit.sold","at":"2025-05-01","data":{"serial":"SN9","model":"M1","dealer":"D1"}}"#,
                type: "unit.sold", "data.price: required"),
        BadLine("wrong JSON type",
                #"{"type":"unit.sold","at":"2025-05-01","data":{"serial":"SN9","model":"M1","dealer":"D1","price":"100000"}}"#,
                type: "unit.sold", "data.price: expected an integer"),
        BadLine("not a boolean",
                #"{"type":"visit.recorded","at":"2025-05-01","data":{"visit":"V9","serial":"SN1","dealer":"D1","kind":"repair","finding":"defect","laborMinutes":10,"travel":0,"resolved":"yes"}}"#,
                type: "visit.recorded", "data.resolved: expected true or false"),
        BadLine("identifier over 64 characters",
                #"{"type":"card.registered","at":"2025-05-01","data":{"serial":"\#(String(repeating: "S", count: 65))"}}"#,
                type: "card.registered", "data.serial: ", "at most 64 characters", "65"),
        BadLine("id over 128 characters",
                #"{"type":"payment.received","at":"2025-05-01","id":"\#(String(repeating: "i", count: 129))","data":{"dealer":"D1","amount":1}}"#,
                type: "payment.received", "id: ", "at most 128 characters", "129"),
        BadLine("empty identifier", #"{"type":"payment.received","at":"2025-05-01","data":{"dealer":"","amount":1}}"#,
                type: "payment.received", "data.dealer: must not be empty"),
        BadLine("control character in text",
                #"{"type":"dealer.enrolled","at":"2025-05-01","data":{"dealer":"D9","name":"a\u0001b"}}"#,
                type: "dealer.enrolled", "data.name: ", "control character U+0001"),
        BadLine("bad visit kind",
                #"{"type":"visit.recorded","at":"2025-05-01","data":{"visit":"V9","serial":"SN1","dealer":"D1","kind":"overhaul","finding":"defect","laborMinutes":10,"travel":0,"resolved":true}}"#,
                type: "visit.recorded", "data.kind: ", "\"overhaul\""),
        BadLine("bad visit finding",
                #"{"type":"visit.recorded","at":"2025-05-01","data":{"visit":"V9","serial":"SN1","dealer":"D1","kind":"repair","finding":"broken","laborMinutes":10,"travel":0,"resolved":true}}"#,
                type: "visit.recorded", "data.finding: ", "\"broken\""),
        BadLine("bad appraisal verdict",
                #"{"type":"part.appraised","at":"2025-05-01","data":{"swap":"S2","verdict":"ok","disposition":"scrap"}}"#,
                type: "part.appraised", "data.verdict: ", "\"ok\""),
    ]

    /// Policies that break `0 ≤ returnDays ≤ exchangeDays` or `warrantyMonths ≥ 1`.
    static let policies: [BadLine] = [
        BadLine("returnDays above exchangeDays",
                #"{"type":"policy.published","at":"2025-05-01","data":{"policy":"P9","models":["M9"],"effective":"2025-05-01","clockStart":"sale","returnDays":20,"exchangeDays":10,"warrantyMonths":12,"laborRate":6000}}"#,
                type: "policy.published", "returnDays", "exchangeDays"),
        BadLine("warrantyMonths 0",
                #"{"type":"policy.published","at":"2025-05-01","data":{"policy":"P9","models":["M9"],"effective":"2025-05-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":0,"laborRate":6000}}"#,
                type: "policy.published", "warrantyMonths", "at least 1"),
        BadLine("policy published twice",
                #"{"type":"policy.published","at":"2025-05-01","data":{"policy":"P1","models":["M9"],"effective":"2025-05-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":6000}}"#,
                type: "policy.published", "\"P1\"", "already exists"),
    ]

    /// Sales, registrations, installations, returns and exchanges against the state.
    static let sales: [BadLine] = [
        BadLine("serial sold twice",
                #"{"type":"unit.sold","at":"2025-05-01","data":{"serial":"SN1","model":"M1","dealer":"D1","price":100000}}"#,
                type: "unit.sold", "serial \"SN1\"", "already exists"),
        BadLine("dealer not enrolled",
                #"{"type":"unit.sold","at":"2025-05-01","data":{"serial":"SN9","model":"M1","dealer":"D9","price":100000}}"#,
                type: "unit.sold", "dealer \"D9\"", "not enrolled"),
        BadLine("dealer enrolled twice", #"{"type":"dealer.enrolled","at":"2025-05-01","data":{"dealer":"D1","name":"x"}}"#,
                type: "dealer.enrolled", "dealer \"D1\"", "already enrolled"),
        // P3 covers M3 only from 2026-01-01.
        BadLine("no policy in force on the sale day",
                #"{"type":"unit.sold","at":"2025-05-01","data":{"serial":"SN9","model":"M3","dealer":"D1","price":100000}}"#,
                type: "unit.sold", "no policy", "\"M3\"", "2025-05-01"),
        BadLine("card for an unsold unit", #"{"type":"card.registered","at":"2025-05-01","data":{"serial":"SN9"}}"#,
                type: "card.registered", "serial \"SN9\"", "not sold"),
        BadLine("card registered twice", #"{"type":"card.registered","at":"2025-05-01","data":{"serial":"SN1"}}"#,
                type: "card.registered", "\"SN1\"", "already registered"),
        BadLine("install before the sale day", #"{"type":"unit.installed","at":"2025-02-28","data":{"serial":"SN2"}}"#,
                type: "unit.installed", "2025-02-28", "before", "\"SN2\"", "2025-03-01"),
        // 00:30 at +09:00 is 23:30 of the day before in the ledger's +08:00.
        BadLine("install before the sale day in the ledger's zone",
                #"{"type":"unit.installed","at":"2025-03-01T00:30:00+09:00","data":{"serial":"SN2"}}"#,
                type: "unit.installed", "2025-02-28", "before", "\"SN2\"", "2025-03-01"),
        BadLine("complaint for a returned unit",
                #"{"type":"complaint.lodged","at":"2025-05-01","data":{"complaint":"C9","serial":"SN3","fault":"x"}}"#,
                type: "complaint.lodged", "\"SN3\"", "returned"),
        BadLine("exchange for an existing serial",
                #"{"type":"unit.exchanged","at":"2025-05-01","data":{"serial":"SN1","replacement":"SN2"}}"#,
                type: "unit.exchanged", "\"SN2\"", "already exists"),
    ]

    /// Complaints, visits, swaps, returns and appraisals against the state.
    static let service: [BadLine] = [
        BadLine("visit naming another serial's complaint",
                #"{"type":"visit.recorded","at":"2025-05-01","data":{"visit":"V9","serial":"SN2","dealer":"D2","complaint":"C1","kind":"repair","finding":"defect","laborMinutes":10,"travel":0,"resolved":true}}"#,
                type: "visit.recorded", "complaint \"C1\"", "\"SN1\"", "\"SN2\""),
        BadLine("swap on another serial's visit",
                #"{"type":"part.swapped","at":"2025-05-01","data":{"swap":"S9","visit":"V1","serial":"SN2","part":"pump","cost":1}}"#,
                type: "part.swapped", "visit \"V1\"", "\"SN1\"", "\"SN2\""),
        BadLine("part returned twice", #"{"type":"part.returned","at":"2025-05-01","data":{"swap":"S1"}}"#,
                type: "part.returned", "\"S1\"", "already returned", "2025-04-10"),
        BadLine("appraisal before the return",
                #"{"type":"part.appraised","at":"2025-05-01","data":{"swap":"S2","verdict":"defect","disposition":"scrap"}}"#,
                type: "part.appraised", "\"S2\"", "not returned"),
        BadLine("dated before the event it depends on", #"{"type":"part.returned","at":"2025-03-15","data":{"swap":"S2"}}"#,
                type: "part.returned", "2025-03-15", "before", "\"S2\"", "2025-04-01"),
        BadLine("visit dated before its complaint",
                #"{"type":"visit.recorded","at":"2025-03-20","data":{"visit":"V9","serial":"SN1","dealer":"D1","complaint":"C1","kind":"repair","finding":"defect","laborMinutes":10,"travel":0,"resolved":true}}"#,
                type: "visit.recorded", "2025-03-20", "before", "\"C1\"", "2025-04-01"),
        BadLine("id reused for a different event",
                #"{"type":"unit.sold","at":"2025-05-01","id":"base-sale-SN1","data":{"serial":"SN9","model":"M1","dealer":"D1","price":100000}}"#,
                type: "unit.sold", "\"base-sale-SN1\"", "seq 5"),
    ]

    /// Money fields and write-offs.
    static let money: [BadLine] = [
        BadLine("fractional money", #"{"type":"payment.received","at":"2025-05-01","data":{"dealer":"D1","amount":1.5}}"#,
                type: "payment.received", "data.amount: ", "1.5", "whole number"),
        BadLine("negative money", #"{"type":"payment.received","at":"2025-05-01","data":{"dealer":"D1","amount":-1}}"#,
                type: "payment.received", "data.amount: ", "negative"),
        BadLine("money beyond range",
                #"{"type":"payment.received","at":"2025-05-01","data":{"dealer":"D1","amount":1000000000001}}"#,
                type: "payment.received", "data.amount: ", "at most 1000000000000"),
        BadLine("integer beyond Int64",
                #"{"type":"event.voided","at":"2025-05-01","data":{"seq":9223372036854775808,"reason":"x"}}"#,
                type: "event.voided", "data.seq: ", "at most 9223372036854775807"),
        // V1 is a 60-minute repair at 6000 fen an hour plus 1000 travel: 7000.
        BadLine("write-off with a wrong amount",
                #"{"type":"cost.written-off","at":"2025-05-01","data":{"notice":"N9","dealer":"D1","lines":["V1"],"amount":7001}}"#,
                type: "cost.written-off", "7001", "7000"),
        // S2's old part is not returned and its deadline (06-30) has not passed.
        BadLine("write-off of a pending line",
                #"{"type":"cost.written-off","at":"2025-05-01","data":{"notice":"N9","dealer":"D1","lines":["S2"],"amount":5000}}"#,
                type: "cost.written-off", "\"S2\"", "pending", "not approved"),
        // SN2's card never reached the factory within 20 days of its sale.
        BadLine("write-off of a rejected line",
                #"{"type":"cost.written-off","at":"2025-05-01","data":{"notice":"N9","dealer":"D2","lines":["V2"],"amount":3000}}"#,
                type: "cost.written-off", "\"V2\"", "rejected", "not-registered"),
        BadLine("write-off of another dealer's line",
                #"{"type":"cost.written-off","at":"2025-05-01","data":{"notice":"N9","dealer":"D2","lines":["V1"],"amount":7000}}"#,
                type: "cost.written-off", "\"V1\"", "\"D1\""),
        BadLine("write-off of a line already on a notice",
                #"{"type":"cost.written-off","at":"2025-05-01","data":{"notice":"N9","dealer":"D1","lines":["S1"],"amount":20000}}"#,
                type: "cost.written-off", "\"S1\"", "\"N1\""),
        BadLine("confirming an unknown notice", #"{"type":"writeoff.confirmed","at":"2025-05-01","data":{"notice":"N404"}}"#,
                type: "writeoff.confirmed", "\"N404\"", "does not exist"),
    ]

    /// `event.voided` against the state.
    static let voids: [BadLine] = [
        BadLine("voiding a policy", #"{"type":"event.voided","at":"2025-05-01","data":{"seq":1,"reason":"x"}}"#,
                type: "event.voided", "seq 1", "policy.published"),
        BadLine("voiding an enrolment", #"{"type":"event.voided","at":"2025-05-01","data":{"seq":3,"reason":"x"}}"#,
                type: "event.voided", "seq 3", "dealer.enrolled"),
        // Seq 15 lodged C2; the visit V2 at seq 16 names it.
        BadLine("voiding an event with dependents", #"{"type":"event.voided","at":"2025-05-01","data":{"seq":15,"reason":"x"}}"#,
                type: "event.voided", "seq 15", "seq 16"),
        BadLine("voiding a seq that does not exist",
                #"{"type":"event.voided","at":"2025-05-01","data":{"seq":999,"reason":"x"}}"#,
                type: "event.voided", "seq 999", "does not exist"),
        BadLine("voiding a voided event", #"{"type":"event.voided","at":"2025-05-01","data":{"seq":19,"reason":"x"}}"#,
                type: "event.voided", "seq 19", "already voided"),
    ]

    /// Lines beyond the input's size limit.
    static let sizes: [BadLine] = [
        BadLine("line over 1 MiB",
                #"{"type":"payment.received","at":"2025-05-01","by":"\#(String(repeating: "x", count: 1 << 20))","data":{"dealer":"D1","amount":1}}"#,
                type: nil, "longer than 1048576 bytes"),
    ]
}
