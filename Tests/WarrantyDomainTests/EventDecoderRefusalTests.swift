import JSONText
import Testing
import WarrantyDomain

/// One refused input line and the exact error it must give.
struct Refusal: Sendable, CustomStringConvertible {
    let line: String
    let type: String?
    let reason: String

    init(_ line: String, _ type: String?, _ reason: String) {
        self.line = line
        self.type = type
        self.reason = reason
    }

    var description: String { reason }
}

/// A `policy.published` line whose data has `fields` after a valid core (returnDays 7, exchangeDays 15).
func policyLine(_ fields: String = "", core: String = #""returnDays":7,"exchangeDays":15,"warrantyMonths":12"#) -> String {
    #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["H-9"],"effective":"2025-01-01","clockStart":"sale","#
        + core + #","laborRate":9000"# + fields + "}}"
}

func soldLine(price: String = "18000000", extra: String = "") -> String {
    #"{"type":"unit.sold","at":"2025-04-01","data":{"serial":"H9-002","model":"H-9","dealer":"WF","price":"#
        + price + extra + "}}"
}

func visitLine(kind: String = #""repair""#, finding: String = #""defect""#, laborMinutes: String = "30",
               resolved: String = "true") -> String {
    #"{"type":"visit.recorded","at":"2025-07-15","data":{"visit":"V-3","serial":"H9-002","dealer":"WF","kind":"#
        + kind + #","finding":"# + finding + #","laborMinutes":"# + laborMinutes + #","travel":0,"resolved":"#
        + resolved + "}}"
}

func writeOffLine(lines: String) -> String {
    #"{"type":"cost.written-off","at":"2025-07-20","data":{"notice":"HX-1","dealer":"QD","lines":"# + lines
        + #","amount":83000}}"#
}

let policy = "policy.published"
let sold = "unit.sold"
let visit = "visit.recorded"
let writeOff = "cost.written-off"
let long65 = String(repeating: "x", count: 65)
let manyModels = "[" + (0...1000).map { "\"M-\($0)\"" }.joined(separator: ",") + "]"

let refusals: [Refusal] = [
    // The line and its envelope.
    Refusal("[]", nil, "expected a JSON object"),
    Refusal(#"{"at":"2025-01-01","data":{}}"#, nil, "type: required"),
    Refusal(#"{"type":null,"at":"2025-01-01","data":{}}"#, nil, "type: required"),
    Refusal(#"{"type":7,"at":"2025-01-01","data":{}}"#, nil, "type: expected a string"),
    Refusal(#"{"type":"unit.sld","at":"2025-01-01","data":{}}"#, nil, #"type: unknown event type "unit.sld""#),
    Refusal(#"{"type":"Unit.Sold","at":"2025-01-01","data":{}}"#, nil, #"type: unknown event type "Unit.Sold""#),
    Refusal(#"{"type":"x\ny","at":"2025-01-01","data":{}}"#, nil, #"type: unknown event type "x\ny""#),
    Refusal(#"{"type":"card.registered","at":"2025-04-10","data":{"serial":"S"},"seq":3}"#, "card.registered",
            #"unknown field "seq""#),
    Refusal(#"{"type":"card.registered","data":{"serial":"S"}}"#, "card.registered", "at: required"),
    Refusal(#"{"type":"card.registered","at":20250410,"data":{"serial":"S"}}"#, "card.registered", "at: expected a string"),
    Refusal(#"{"type":"card.registered","at":"2025-02-30","data":{"serial":"S"}}"#, "card.registered",
            #"at: "2025-02-30": 2025-02-30 is not a calendar date"#),
    Refusal(#"{"type":"card.registered","at":"2025-06-20T08:30:00","data":{"serial":"S"}}"#, "card.registered",
            #"at: "2025-06-20T08:30:00": the time needs an offset such as +08:00 or Z"#),
    Refusal(#"{"type":"card.registered","at":"2025-06-20T24:00:00Z","data":{"serial":"S"}}"#, "card.registered",
            #"at: "2025-06-20T24:00:00Z": 24:00:00 is not a time of day"#),
    Refusal(#"{"type":"card.registered","at":"2025-05-01T10:00:00+25:00","data":{"serial":"S"}}"#, "card.registered",
            #"at: "2025-05-01T10:00:00+25:00": +25:00 is not an offset (Z or ±HH:MM, hours below 24)"#),
    Refusal(#"{"type":"card.registered","at":"01/05/2025","data":{"serial":"S"}}"#, "card.registered",
            #"at: "01/05/2025": expected YYYY-MM-DD or an RFC 3339 date-time such as 2025-06-20T08:30:00+08:00"#),
    Refusal(#"{"type":"card.registered","at":"","data":{"serial":"S"}}"#, "card.registered", "at: must not be empty"),
    Refusal(#"{"type":"card.registered","at":"2025-04-10","id":"","data":{"serial":"S"}}"#, "card.registered",
            "id: must not be empty"),
    Refusal(#"{"type":"card.registered","at":"2025-04-10","id":""# + String(repeating: "k", count: 129)
                + #"","data":{"serial":"S"}}"#, "card.registered", "id: must be at most 128 characters (has 129)"),
    Refusal(#"{"type":"card.registered","at":"2025-04-10","id":7,"data":{"serial":"S"}}"#, "card.registered",
            "id: expected a string"),
    Refusal(#"{"type":"card.registered","at":"2025-04-10","by":"王\n芳","data":{"serial":"S"}}"#, "card.registered",
            "by: must not contain control character U+000A"),
    Refusal(#"{"type":"card.registered","at":"2025-04-10"}"#, "card.registered", "data: required"),
    Refusal(#"{"type":"card.registered","at":"2025-04-10","data":null}"#, "card.registered", "data: required"),
    Refusal(#"{"type":"card.registered","at":"2025-04-10","data":["S"]}"#, "card.registered", "data: expected an object"),

    // Fields of data.
    Refusal(soldLine(extra: #","colour":"red""#), sold, #"data: unknown field "colour""#),
    Refusal(#"{"type":"unit.sold","at":"2025-04-01","data":{"serial":"H9-002","model":"H-9","dealer":"WF"}}"#, sold,
            "data.price: required"),
    Refusal(#"{"type":"unit.sold","at":"2025-04-01","data":{"serial":null,"model":"H-9","dealer":"WF","price":1}}"#,
            sold, "data.serial: required"),
    Refusal(soldLine(price: #""180000""#), sold, "data.price: expected an integer (fen)"),
    Refusal(soldLine(price: "1.5"), sold, "data.price: 1.5 must be written as a whole number of fen, without fraction or exponent"),
    Refusal(soldLine(price: "1e3"), sold, "data.price: 1e3 must be written as a whole number of fen, without fraction or exponent"),
    Refusal(soldLine(price: "-1"), sold, "data.price: must not be negative"),
    Refusal(soldLine(price: "1000000000001"), sold, "data.price: must be at most 1000000000000 fen"),
    Refusal(soldLine(price: "99999999999999999999"), sold, "data.price: must be at most 1000000000000 fen"),
    Refusal(soldLine(price: "-99999999999999999999"), sold, "data.price: must not be negative"),
    Refusal(#"{"type":"unit.sold","at":"2025-04-01","data":{"serial":""# + long65
                + #"","model":"H-9","dealer":"WF","price":1}}"#, sold, "data.serial: must be at most 64 characters (has 65)"),
    Refusal(#"{"type":"unit.sold","at":"2025-04-01","data":{"serial":"","model":"H-9","dealer":"WF","price":1}}"#, sold,
            "data.serial: must not be empty"),
    Refusal(#"{"type":"unit.sold","at":"2025-04-01","data":{"serial":"H9\u007F","model":"H-9","dealer":"WF","price":1}}"#,
            sold, "data.serial: must not contain control character U+007F"),
    Refusal(soldLine(extra: #","customer":"""#), sold, "data.customer: must not be empty"),
    Refusal(soldLine(extra: #","invoice":12"#), sold, "data.invoice: expected a string"),
    Refusal(#"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"QD","name":"青岛\t服务站"}}"#, "dealer.enrolled",
            "data.name: must not contain control character U+0009"),
    Refusal(#"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"QD","name":""#
                + String(repeating: "青", count: 257) + #""}}"#, "dealer.enrolled",
            "data.name: must be at most 256 characters (has 257)"),
    Refusal(visitLine(kind: #""fix""#), visit, #"data.kind: "fix" is not one of "repair", "return", "inspection""#),
    Refusal(visitLine(finding: "1"), visit,
            #"data.finding: expected a string, one of "defect", "misuse", "supplier", "none""#),
    Refusal(visitLine(finding: #""Defect""#), visit,
            #"data.finding: "Defect" is not one of "defect", "misuse", "supplier", "none""#),
    Refusal(visitLine(resolved: #""yes""#), visit, "data.resolved: expected true or false"),
    Refusal(visitLine(laborMinutes: "100001"), visit, "data.laborMinutes: must be at most 100000"),
    Refusal(visitLine(laborMinutes: "1.5"), visit, "data.laborMinutes: 1.5 must be written as a whole number, without fraction or exponent"),
    Refusal(visitLine(laborMinutes: "-5"), visit, "data.laborMinutes: must not be negative"),
    Refusal(#"{"type":"part.appraised","at":"2025-07-03","data":{"swap":"S-1","verdict":"no_fault","disposition":"scrap"}}"#,
            "part.appraised", #"data.verdict: "no_fault" is not one of "defect", "premature", "misuse", "no-fault""#),
    Refusal(#"{"type":"part.appraised","at":"2025-07-03","data":{"swap":"S-1","verdict":"defect","disposition":"keep"}}"#,
            "part.appraised", #"data.disposition: "keep" is not one of "reusable", "scrap""#),
    Refusal(writeOffLine(lines: "[]"), writeOff, "data.lines: must not be empty"),
    Refusal(writeOffLine(lines: #""V-1""#), writeOff, "data.lines: expected an array"),
    Refusal(writeOffLine(lines: #"["V-1",2]"#), writeOff, "data.lines[1]: expected a string"),
    Refusal(writeOffLine(lines: #"["V-1","S-1","V-1"]"#), writeOff, #"data.lines[2]: duplicate "V-1", already at index 0"#),
    Refusal(#"{"type":"event.voided","at":"2025-07-26","data":{"seq":0,"reason":"typo"}}"#, "event.voided",
            "data.seq: must be at least 1"),
    Refusal(#"{"type":"event.voided","at":"2025-07-26","data":{"seq":"12","reason":"typo"}}"#, "event.voided",
            "data.seq: expected an integer"),
    Refusal(#"{"type":"event.voided","at":"2025-07-26","data":{"seq":12}}"#, "event.voided", "data.reason: required"),

    // policy.published.
    Refusal(policyLine(core: #""returnDays":8,"exchangeDays":7,"warrantyMonths":12"#), policy,
            "data.exchangeDays: must not be less than returnDays (8)"),
    Refusal(policyLine(core: #""returnDays":-1,"exchangeDays":7,"warrantyMonths":12"#), policy,
            "data.returnDays: must not be negative"),
    Refusal(policyLine(core: #""returnDays":7,"exchangeDays":36501,"warrantyMonths":12"#), policy,
            "data.exchangeDays: must be at most 36500"),
    Refusal(policyLine(core: #""returnDays":7,"exchangeDays":15,"warrantyMonths":0"#), policy,
            "data.warrantyMonths: must be at least 1"),
    Refusal(policyLine(core: #""returnDays":7,"exchangeDays":15,"warrantyMonths":1201"#), policy,
            "data.warrantyMonths: must be at most 1200"),
    Refusal(#"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":[],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":9000}}"#,
            policy, "data.models: must not be empty"),
    Refusal(#"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":"# + manyModels
                + #","effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":9000}}"#,
            policy, "data.models: must have at most 1000 items (has 1001)"),
    Refusal(#"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["H-9"],"effective":"2025-13-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":9000}}"#,
            policy, #"data.effective: "2025-13-01" is not a valid date (YYYY-MM-DD)"#),
    Refusal(#"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["H-9"],"effective":20250101,"clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":9000}}"#,
            policy, "data.effective: expected a date (YYYY-MM-DD)"),
    Refusal(#"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["H-9"],"effective":"2025-01-01","clockStart":"delivery","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":9000}}"#,
            policy, #"data.clockStart: "delivery" is not one of "sale", "install""#),
    Refusal(policyLine(#","components":[{"part":"cutter-bar"}]"#), policy, "data.components[0].months: required"),
    Refusal(policyLine(#","components":[{"part":"a","months":3},{"part":"b","years":1}]"#), policy,
            #"data.components[1]: unknown field "years""#),
    Refusal(policyLine(#","components":["cutter-bar"]"#), policy, "data.components[0]: expected an object"),
    Refusal(policyLine(#","components":[{"part":"cutter-bar","months":3},{"part":"cutter-bar","months":6}]"#), policy,
            #"data.components[1]: duplicate part "cutter-bar", already at index 0"#),
    Refusal(policyLine(#","components":[{"part":"cutter-bar","months":3}],"excluded":["belt","cutter-bar"]"#), policy,
            #"data.excluded[1]: "cutter-bar" is also listed in components"#),
    Refusal(policyLine(#","partReturnDeadlines":["06-30","02-30"]"#), policy,
            #"data.partReturnDeadlines[1]: "02-30" is not a valid month-day (MM-DD)"#),
    Refusal(policyLine(#","partReturnDeadlines":["6-30"]"#), policy,
            #"data.partReturnDeadlines[0]: "6-30" is not a valid month-day (MM-DD)"#),
    Refusal(policyLine(#","partReturnDeadlines":["06-30","06-30"]"#), policy,
            #"data.partReturnDeadlines[1]: duplicate "06-30", already at index 0"#),
    Refusal(policyLine(#","sla":{"onsiteHours":24}"#), policy, "data.sla.resolveHours: required"),
    Refusal(policyLine(#","sla":24"#), policy, "data.sla: expected an object"),
    Refusal(policyLine(#","sla":{"onsiteHours":24,"resolveHours":100001}"#), policy,
            "data.sla.resolveHours: must be at most 100000"),
    Refusal(policyLine(#","retentionYears":0"#), policy, "data.retentionYears: must be at least 1"),
    Refusal(policyLine(#","escalateAfter":-1"#), policy, "data.escalateAfter: must not be negative"),
    Refusal(policyLine(#","maxRepairDays":36501"#), policy, "data.maxRepairDays: must be at most 36500"),
    Refusal(policyLine(#","excluded":["belt","belt"]"#), policy, #"data.excluded[1]: duplicate "belt", already at index 0"#),
]

@Suite("Refused input lines")
struct EventDecoderRefusalTests {
    @Test(arguments: refusals)
    func refused(_ refusal: Refusal) throws {
        let json = try JSONParser.parse(refusal.line)
        #expect(throws: EventInputError(type: refusal.type, reason: refusal.reason)) {
            try EventDecoder.decode(json, zone: .chinaStandard)
        }
    }

    @Test func enoughDistinctRefusals() {
        #expect(Set(refusals.map(\.reason)).count >= 30)
    }

    @Test func limitsAreInclusive() throws {
        let name64 = String(repeating: "割", count: 64)
        let line = #"{"type":"unit.sold","at":"2025-04-01","id":""# + String(repeating: "键", count: 128)
            + #"","by":""# + String(repeating: "人", count: 256) + #"","data":{"serial":""# + name64
            + #"","model":"H-9","dealer":"WF","price":1000000000000}}"#
        let event = try EventDecoder.decode(JSONParser.parse(line), zone: .chinaStandard)
        #expect(event.id?.unicodeScalars.count == 128)
        #expect(try EventCodec.decode(EventCodec.encode(event)) == event)
    }

    @Test func errorDescriptionNamesTheType() {
        #expect(EventInputError(type: "unit.sold", reason: "data.price: required").description
                    == "unit.sold: data.price: required")
        #expect(EventInputError(type: nil, reason: "type: required").description == "type: required")
    }
}
