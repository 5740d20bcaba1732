import Testing
import WarrantyDomain
@testable import WarrantyProjections

/// An event appended to the rich ledger (after `setup`) and the exact reason it is refused.
struct RefusalCase: Sendable, CustomTestStringConvertible {
    var name: String
    var setup: [Event] = []
    var event: Event
    var reason: String
    var testDescription: String { name }

    init(_ name: String, setup: [Event] = [], _ event: Event, _ reason: String) {
        self.name = name
        self.setup = setup
        self.event = event
        self.reason = reason
    }
}

let refusalCases: [RefusalCase] = [
    // policy.published
    RefusalCase("policy id is unique", E.policy(), #"policy "P1" already exists"#),
    RefusalCase("returnDays not negative", E.policy("P2", returnDays: -1), "returnDays -1 is negative"),
    RefusalCase("returnDays ≤ exchangeDays", E.policy("P2", returnDays: 20, exchangeDays: 15),
                "returnDays 20 is greater than exchangeDays 15"),
    RefusalCase("warrantyMonths ≥ 1", E.policy("P2", months: 0), "warrantyMonths 0 is less than 1"),
    RefusalCase("component listed once", E.policy("P2", components: [("pump", 3), ("pump", 6)]),
                #"component "pump" is listed twice"#),
    RefusalCase("deadline is a day of the year", E.policy("P2", deadlines: ["04-31"]),
                #"partReturnDeadlines entry "04-31" is not a day of the year"#),
    // dealer.enrolled
    RefusalCase("dealer is new", E.dealer("D1"), #"dealer "D1" is already enrolled"#),
    // unit.sold
    RefusalCase("serial is new", E.sale("SN1", "2025-05-01"), #"serial "SN1" already exists"#),
    RefusalCase("serial is new, replacements included", E.sale("R4", "2025-10-01"), #"serial "R4" already exists"#),
    RefusalCase("sale dealer enrolled", E.sale("SN8", "2025-05-01", dealer: "D7"), #"dealer "D7" is not enrolled"#),
    RefusalCase("sale after dealer enrolment", E.sale("SN8", "2025-05-01", dealer: "D3"),
                #"dated 2025-05-01, before the enrolment of dealer "D3" on 2025-06-01"#),
    RefusalCase("policy for the model", E.sale("SN8", "2025-05-01", model: "X"),
                #"no policy for model "X" is in force on 2025-05-01"#),
    RefusalCase("policy in force on the sale day", setup: [E.dealer("D0", at: "2024-06-01")],
                E.sale("SN8", "2024-12-31", dealer: "D0"),
                #"no policy for model "M" is in force on 2024-12-31"#),
    // card.registered
    RefusalCase("card of a sold unit", E.card("SN9", "2025-05-01"), #"serial "SN9" is not sold"#),
    RefusalCase("card not of a replacement", E.card("R4", "2025-09-06"),
                #"serial "R4" is a replacement for "SN4"; its registration is that of serial "SN4""#),
    RefusalCase("card registered once", E.card("SN1", "2025-05-01"),
                #"card of serial "SN1" is already registered on 2025-03-05"#),
    RefusalCase("card not before the sale", E.card("SN3", "2025-03-02"),
                #"dated 2025-03-02, before the sale of serial "SN3" on 2025-03-03"#),
    // unit.installed
    RefusalCase("install of a sold unit", E.install("SN9", "2025-05-01"), #"serial "SN9" is not sold"#),
    RefusalCase("installed once", E.install("SN1", "2025-05-01"), #"serial "SN1" is already installed on 2025-03-03"#),
    RefusalCase("install not before the sale", E.install("SN3", "2025-03-02"),
                #"dated 2025-03-02, before the sale of serial "SN3" on 2025-03-03"#),
    // complaint.lodged
    RefusalCase("complaint id is unique", E.complaint("C1", "SN3", "2025-05-01"), #"complaint "C1" already exists"#),
    RefusalCase("complaint on a sold unit", E.complaint("C9", "SN9", "2025-05-01"), #"serial "SN9" is not sold"#),
    RefusalCase("complaint not on a returned unit", E.complaint("C9", "SN2", "2025-05-01"),
                #"serial "SN2" is already returned on 2025-09-01"#),
    RefusalCase("complaint not on an exchanged unit", E.complaint("C9", "SN4", "2025-05-01"),
                #"serial "SN4" is already exchanged for "R4" on 2025-09-05"#),
    RefusalCase("complaint not before the exchange that introduced the serial", E.complaint("C9", "R4", "2025-09-01"),
                #"dated 2025-09-01, before the exchange that introduced serial "R4" on 2025-09-05"#),
    // visit.recorded
    RefusalCase("visit id is unique", E.visit("V1", "SN3", "2025-05-01"), #"visit "V1" already exists"#),
    RefusalCase("visit on a sold unit", E.visit("V9", "SN9", "2025-05-01"), #"serial "SN9" is not sold"#),
    RefusalCase("visit dealer enrolled", E.visit("V9", "SN3", "2025-05-01", dealer: "D7"), #"dealer "D7" is not enrolled"#),
    RefusalCase("visit complaint exists", E.visit("V9", "SN3", "2025-05-01", complaint: "C9"), #"complaint "C9" does not exist"#),
    RefusalCase("visit complaint for the same serial", E.visit("V9", "SN3", "2025-07-01", complaint: "C3"),
                #"complaint "C3" is for serial "SN1", not "SN3""#),
    RefusalCase("visit complaint not resolved", E.visit("V9", "SN1", "2025-05-01", complaint: "C1"),
                #"complaint "C1" is already resolved by visit "V2""#),
    RefusalCase("visit not before its complaint", E.visit("V9", "SN1", "2025-05-30", complaint: "C3"),
                #"dated 2025-05-30, before complaint "C3" on 2025-06-01"#),
    RefusalCase("visit not before the dealer's enrolment", E.visit("V9", "SN3", "2025-05-01", dealer: "D3"),
                #"dated 2025-05-01, before the enrolment of dealer "D3" on 2025-06-01"#),
    RefusalCase("visit not before the sale", E.visit("V9", "SN3", "2025-03-02"),
                #"dated 2025-03-02, before the sale of serial "SN3" on 2025-03-03"#),
    // part.swapped
    RefusalCase("swap id is unique", E.swap("S1", visit: "V4", "SN1", "2025-07-01"), #"swap "S1" already exists"#),
    RefusalCase("swap visit exists", E.swap("S9", visit: "V9", "SN1", "2025-07-01"), #"visit "V9" does not exist"#),
    RefusalCase("swap visit for the same serial", E.swap("S9", visit: "V4", "SN2", "2025-07-01"),
                #"visit "V4" is for serial "SN1", not "SN2""#),
    RefusalCase("swap not before its visit", E.swap("S9", visit: "V4", "SN1", "2025-06-30"),
                #"dated 2025-06-30, before visit "V4" on 2025-07-01"#),
    // part.returned
    RefusalCase("return of an existing swap", E.returned("S9", "2025-07-01"), #"swap "S9" does not exist"#),
    RefusalCase("returned once", E.returned("S1", "2025-07-01"), #"part of swap "S1" is already returned on 2025-04-10"#),
    RefusalCase("return not before the swap", E.returned("S3", "2025-07-01"),
                #"dated 2025-07-01, before swap "S3" on 2025-07-02"#),
    // part.appraised
    RefusalCase("appraisal of an existing swap", E.appraised("S9", "2025-07-01"), #"swap "S9" does not exist"#),
    RefusalCase("appraisal of a returned part", E.appraised("S3", "2025-07-05"), #"part of swap "S3" is not returned"#),
    RefusalCase("appraised once", E.appraised("S1", "2025-07-01"), #"part of swap "S1" is already appraised on 2025-04-15"#),
    RefusalCase("appraisal not before the return", E.appraised("S2", "2025-05-19"),
                #"dated 2025-05-19, before the return of swap "S2" on 2025-05-20"#),
    // cost.written-off
    RefusalCase("notice id is unique", E.notice("N1", ["V7"], amount: 6000, "2025-08-25"), #"notice "N1" already exists"#),
    RefusalCase("notice dealer enrolled", E.notice("N3", dealer: "D7", ["V7"], amount: 6000, "2025-08-25"),
                #"dealer "D7" is not enrolled"#),
    RefusalCase("notice not before the dealer's enrolment", E.notice("N3", dealer: "D3", ["V7"], amount: 6000, "2025-05-01"),
                #"dated 2025-05-01, before the enrolment of dealer "D3" on 2025-06-01"#),
    RefusalCase("notice lists lines", E.notice("N3", [], amount: 0, "2025-08-25"), #"notice "N3" lists no lines"#),
    RefusalCase("line exists", E.notice("N3", ["V7", "X9"], amount: 6000, "2025-08-25"), #"line "X9" does not exist"#),
    RefusalCase("line of a visit that is no repair", E.notice("N3", ["V4"], amount: 0, "2025-08-25"),
                #"line "V4" does not exist: visit "V4" is of kind inspection, which has no labor line"#),
    RefusalCase("line listed once", E.notice("N3", ["V7", "V7"], amount: 12_000, "2025-08-25"), #"line "V7" is listed twice"#),
    RefusalCase("line belongs to the dealer", E.notice("N3", ["V3"], amount: 6000, "2025-08-25"),
                #"line "V3" belongs to dealer "D2", not "D1""#),
    RefusalCase("line on no other notice", E.notice("N3", ["V7", "V1"], amount: 12_000, "2025-08-25"),
                #"line "V1" is already on notice "N1""#),
    RefusalCase("notice not before its lines", E.notice("N3", ["V7"], amount: 6000, "2025-08-20"),
                #"dated 2025-08-20, before visit "V7" on 2025-08-21"#),
    RefusalCase("rejected line", E.notice("N3", dealer: "D2", ["V3"], amount: 6000, "2025-08-25"),
                #"line "V3" is rejected (not-registered) on 2025-08-25, not approved"#),
    RefusalCase("pending line", E.notice("N3", ["S3"], amount: 3000, "2025-08-25"),
                #"line "S3" is pending on 2025-08-25, not approved"#),
    RefusalCase("approved on the notice's day, not today",
                setup: [E.complaint("C9", "SN1", "2025-09-01"), E.visit("V9", "SN1", "2025-09-01", complaint: "C9"),
                        E.swap("S9", visit: "V9", "SN1", "2025-09-01", cost: 100),
                        E.returned("S9", "2025-09-02"), E.appraised("S9", "2025-09-20")],
                E.notice("N3", ["S9"], amount: 100, "2025-09-10"), #"line "S9" is pending on 2025-09-10, not approved"#),
    RefusalCase("amount equals the sum", E.notice("N3", ["V7"], amount: 6001, "2025-08-25"),
                "amount 6001 does not equal the lines' sum 6000"),
    RefusalCase("line id names one line", setup: [E.swap("V7", visit: "V7", "SN1", "2025-08-21")],
                E.notice("N3", ["V7"], amount: 6000, "2025-08-25"),
                #"line "V7" is ambiguous: both a repair visit and a swap have that id"#),
    // writeoff.confirmed
    RefusalCase("confirmed notice exists", E.confirm("N9", "2025-09-01"), #"notice "N9" does not exist"#),
    RefusalCase("confirmed once", E.confirm("N1", "2025-09-01"), #"notice "N1" is already confirmed on 2025-06-15"#),
    RefusalCase("confirmation not before the notice", E.confirm("N2", "2025-08-05"),
                #"dated 2025-08-05, before notice "N2" on 2025-08-10"#),
    // dealer.invoiced, payment.received
    RefusalCase("invoiced dealer enrolled", E.invoice("D7", "F9", 100, "2025-09-01"), #"dealer "D7" is not enrolled"#),
    RefusalCase("invoice not before enrolment", E.invoice("D3", "F9", 100, "2025-05-01"),
                #"dated 2025-05-01, before the enrolment of dealer "D3" on 2025-06-01"#),
    RefusalCase("paying dealer enrolled", E.payment("D7", 100, "2025-09-01"), #"dealer "D7" is not enrolled"#),
    RefusalCase("payment not before enrolment", E.payment("D3", 100, "2025-05-01"),
                #"dated 2025-05-01, before the enrolment of dealer "D3" on 2025-06-01"#),
    RefusalCase("invoice amount not negative", E.invoice("D1", "F9", -1, "2025-09-01"), "amount -1 is negative"),
    // unit.returned
    RefusalCase("return of a sold unit", E.unitReturned("SN9", "2025-09-01"), #"serial "SN9" is not sold"#),
    RefusalCase("returned once", E.unitReturned("SN2", "2025-09-10"), #"serial "SN2" is already returned on 2025-09-01"#),
    RefusalCase("return not of an exchanged unit", E.unitReturned("SN4", "2025-09-10"),
                #"serial "SN4" is already exchanged for "R4" on 2025-09-05"#),
    RefusalCase("return not before the sale", E.unitReturned("SN3", "2025-03-01"),
                #"dated 2025-03-01, before the sale of serial "SN3" on 2025-03-03"#),
    // unit.exchanged
    RefusalCase("exchange of a sold unit", E.exchanged("SN9", for: "R9", "2025-09-10"), #"serial "SN9" is not sold"#),
    RefusalCase("exchange not of a returned unit", E.exchanged("SN2", for: "R9", "2025-09-10"),
                #"serial "SN2" is already returned on 2025-09-01"#),
    RefusalCase("exchanged once", E.exchanged("SN4", for: "R9", "2025-09-10"),
                #"serial "SN4" is already exchanged for "R4" on 2025-09-05"#),
    RefusalCase("replacement serial is new", E.exchanged("SN3", for: "SN1", "2025-09-10"),
                #"replacement serial "SN1" already exists"#),
    RefusalCase("replacement is not the unit itself", E.exchanged("SN3", for: "SN3", "2025-09-10"),
                #"replacement serial "SN3" already exists"#),
    RefusalCase("exchange not before the sale", E.exchanged("SN3", for: "R9", "2025-03-02"),
                #"dated 2025-03-02, before the sale of serial "SN3" on 2025-03-03"#),
    // event.voided
    RefusalCase("void target exists", E.void(99), "seq 99 does not exist"),
    RefusalCase("void target exists, not seq 0", E.void(0), "seq 0 does not exist"),
    RefusalCase("policy not voidable", E.void(1), "seq 1 is a policy.published, which cannot be voided"),
    RefusalCase("enrolment not voidable", E.void(2), "seq 2 is a dealer.enrolled, which cannot be voided"),
    RefusalCase("void not voidable", setup: [E.void(25)], E.void(37), "seq 37 is an event.voided, which cannot be voided"),
    RefusalCase("voided once", setup: [E.void(25)], E.void(25), "seq 25 is already voided"),
    RefusalCase("void without live dependents", E.void(12),
                "seq 12 is depended on by seq 13 (visit.recorded V1), seq 15 (visit.recorded V2)"),
]

@Suite("Acceptance: every refusal and its reason")
struct AcceptanceTests {
    @Test(arguments: refusalCases)
    func refused(_ refusal: RefusalCase) {
        var ledger = richLedger()
        ledger.add(refusal.setup)
        #expect(ledger.refusal(refusal.event) == refusal.reason)
    }

    @Test func refusalLeavesTheStateAsItWas() {
        var ledger = richLedger()
        let before = ledger.state
        #expect(throws: Refusal("serial \"SN9\" is not sold")) { try ledger.append(E.card("SN9", "2025-05-01")) }
        #expect(ledger.state == before)
    }

    @Test(arguments: [
        E.policy("P2", models: ["M", "N"], effective: "2025-06-01"),
        E.dealer("D4"),
        E.sale("SN8", "2025-05-01"),
        E.card("SN3", "2025-03-03"),
        E.install("SN3", "2025-03-03"),
        E.complaint("C9", "R4", "2025-09-05"),
        E.visit("V9", "SN1", "2025-06-01", dealer: "D2", complaint: "C3"),
        E.visit("V9", "SN2", "2025-10-01", dealer: "D2", kind: .return),
        E.swap("S9", visit: "V4", "SN1", "2025-07-01"),
        E.returned("S3", "2025-07-02"),
        E.appraised("S2", "2025-05-20", .premature),
        E.notice("N3", ["V7"], amount: 6000, "2025-08-21"),
        E.confirm("N2", "2025-08-10"),
        E.invoice("D3", "F9", 0, "2025-06-01"),
        E.payment("D3", 5, "2025-06-01"),
        E.unitReturned("SN1", "2025-10-01"),
        E.exchanged("SN1", for: "R1", "2025-10-01"),
        E.void(35),
    ])
    func acceptedOnTheBoundaries(event: Event) {
        #expect(richLedger().refusal(event) == nil)
    }

    @Test func laterPublicationWinsATieAndTheBindingNeverChanges() throws {
        var ledger = TestLedger([E.policy("P-old", months: 12), E.policy("P-new", months: 24), E.dealer("D1"),
                                 E.sale("SN1", "2025-03-01")])
        #expect(ledger.status("SN1", "2025-03-01")?.policy == "P-new")
        ledger.add(E.policy("P-later", effective: "2025-02-01", months: 36, at: "2025-04-01"))
        let status = try #require(ledger.status("SN1", "2026-06-01"))
        #expect(status.policy == "P-new")
        #expect(status.end == day("2027-02-28"))
        ledger.add(E.sale("SN2", "2025-03-01"))
        #expect(ledger.status("SN2", "2025-03-01")?.policy == "P-later")
        ledger.add(E.sale("SN3", "2025-01-15"))
        #expect(ledger.status("SN3", "2025-03-01")?.policy == "P-new")
    }

    @Test func bindingHoldsInAnAsOfViewBeforeThePolicysPublication() {
        let ledger = TestLedger([E.policy(effective: "2025-01-01", at: "2025-06-01"), E.dealer("D1"), E.sale("SN1", "2025-03-01")])
        #expect(ledger.status("SN1", "2025-03-01")?.policy == "P1")
    }

    @Test func moneyTotalStaysWithinInt64() {
        var ledger = fixture()
        ledger.add(E.invoice("D1", "F1", Fen.max - 10, "2025-02-01"))
        #expect(ledger.refusal(E.invoice("D1", "F2", 11, "2025-02-01"))
                == "amount 11 would take the ledger's money total past 9223372036854775807 fen")
        #expect(ledger.refusal(E.visit("V1", "SN1", "2025-04-01", minutes: 1))
                == "amount 100 would take the ledger's money total past 9223372036854775807 fen")
        #expect(ledger.refusal(E.invoice("D1", "F2", 10, "2025-02-01")) == nil)
    }

    @Test func laborLineMustFitInt64() {
        let ledger = fixture(E.policy(laborRate: Fen.max / 2))
        #expect(ledger.refusal(E.visit("V1", "SN1", "2025-04-01", minutes: 3))
                == #"labor line of visit "V1" does not fit in 64-bit fen"#)
    }

    @Test(arguments: [
        (E.visit("V1", "SN1", "2025-04-01", minutes: -1), "laborMinutes -1 is negative"),
        (E.visit("V1", "SN1", "2025-04-01", travel: -5), "travel -5 is negative"),
        (E.payment("D1", -2, "2025-04-01"), "amount -2 is negative"),
        (E.policy("P2", laborRate: -1), "laborRate -1 is negative"),
    ])
    func negativeMoneyIsRefused(event: Event, reason: String) {
        #expect(fixture().refusal(event) == reason)
    }

    @Test func swapCostMustNotBeNegative() {
        var ledger = fixture()
        ledger.add(E.visit("V1", "SN1", "2025-04-01"))
        #expect(ledger.refusal(E.swap("S1", visit: "V1", "SN1", "2025-04-01", cost: -1)) == "cost -1 is negative")
    }
}

@Suite("Streams")
struct StreamTests {
    @Test func everyEventBelongsToItsAggregate() {
        let ledger = richLedger()
        let state = ledger.state
        let expected: [Int64: String] = [
            1: "policy:P1", 2: "dealer:D1", 4: "dealer:D3", 5: "dealer:D1", 6: "unit:SN1", 7: "unit:SN1",
            8: "unit:SN1", 12: "unit:SN1", 13: "unit:SN1", 14: "unit:SN1", 16: "unit:SN1", 17: "unit:SN1",
            20: "unit:SN2", 21: "unit:SN2", 23: "dealer:D1", 24: "dealer:D1", 25: "dealer:D1", 35: "unit:SN2",
            36: "unit:SN4",
        ]
        for (seq, stream) in expected {
            #expect(state.stream(of: ledger.event(at: seq)!) == stream, "seq \(seq)")
        }
        #expect(state.stream(of: E.complaint("C9", "R4", "2025-09-10")) == "unit:R4")
    }

    @Test func voidBelongsToItsTargetsStream() {
        let ledger = richLedger()
        #expect(ledger.state.stream(of: E.void(16), target: ledger.event(at: 16)) == "unit:SN1")
        #expect(ledger.state.stream(of: E.void(24), target: ledger.event(at: 24)) == "dealer:D1")
        #expect(ledger.state.stream(of: E.void(36), target: ledger.event(at: 36)) == "unit:SN4")
    }

    @Test func unknownIdentifiersFallBack() {
        let state = LedgerState()
        #expect(state.stream(of: E.returned("S9", "2025-01-01")) == "swap:S9")
        #expect(state.stream(of: E.confirm("N9", "2025-01-01")) == "notice:N9")
        #expect(state.stream(of: E.void(3)) == "seq:3")
    }
}
