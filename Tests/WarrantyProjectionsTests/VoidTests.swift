import Testing
import WarrantyDomain
@testable import WarrantyProjections

/// A void of one event of the rich ledger; `visible` says whether the read API shows the event at all.
struct VoidCase: Sendable, CustomTestStringConvertible {
    var type: EventType
    var identifier: String
    var visible = true
    var testDescription: String { "\(type.rawValue) \(identifier)" }
}

@Suite("event.voided un-applies its target")
struct VoidTests {
    @Test(arguments: [
        VoidCase(type: .cardRegistered, identifier: "SN1"),
        VoidCase(type: .unitInstalled, identifier: "SN1"),
        VoidCase(type: .unitSold, identifier: "SN3"),
        VoidCase(type: .complaintLodged, identifier: "C3"),
        VoidCase(type: .visitRecorded, identifier: "V4"),
        VoidCase(type: .visitRecorded, identifier: "V5"),
        VoidCase(type: .visitRecorded, identifier: "V7"),
        VoidCase(type: .partSwapped, identifier: "S3"),
        VoidCase(type: .partReturned, identifier: "S2", visible: false),
        VoidCase(type: .partAppraised, identifier: "S1"),
        VoidCase(type: .costWrittenOff, identifier: "N2"),
        VoidCase(type: .writeoffConfirmed, identifier: "N1"),
        VoidCase(type: .dealerInvoiced, identifier: "F1"),
        VoidCase(type: .paymentReceived, identifier: "PAY-1"),
        VoidCase(type: .unitReturned, identifier: "SN2"),
        VoidCase(type: .unitExchanged, identifier: "SN4"),
    ])
    func voidEqualsNeverHavingHappened(target: VoidCase) throws {
        let rich = richLedger()
        let seq = rich.seq(target.type, target.identifier)
        var voided = rich
        voided.add(E.void(seq))
        #expect(voided.state.isVoided(seq))

        // The same log without the target, every other event keeping its seq. Not re-checked: a notice
        // accepted while the voided card or appraisal made its lines approved would be refused now.
        var without = LedgerState()
        for (index, event) in rich.events.enumerated() where index + 1 != seq {
            without.apply(event, seq: Int64(index + 1), target: nil)
        }

        let answers = Answers(voided.state, serials: richSerials, days: richDays)
        #expect(answers == Answers(without, serials: richSerials, days: richDays))
        #expect(withoutVoidBookkeeping(voided.state) == withoutVoidBookkeeping(without))
        if target.visible {
            #expect(answers != Answers(rich.state, serials: richSerials, days: richDays))
        }
    }

    @Test func voidedSaleFreesTheSerialForANewSale() throws {
        var ledger = richLedger()
        ledger.add(E.void(ledger.seq(.unitSold, "SN3")))
        #expect(ledger.status("SN3", "2025-06-01") == nil)
        ledger.add(E.sale("SN3", "2025-05-01", dealer: "D2"))
        let status = try #require(ledger.status("SN3", "2025-06-01"))
        #expect(status.dealer == "D2")
        #expect(status.sold == day("2025-05-01"))
        #expect(ledger.status("SN3", "2025-04-30") == nil)
    }

    @Test func voidedNoticeFreesItsLines() {
        var ledger = richLedger()
        #expect(ledger.refusal(E.notice("N3", ["V6"], amount: 6000, "2025-08-30")) == #"line "V6" is already on notice "N2""#)
        ledger.add(E.void(32))
        #expect(ledger.line("V6", "2025-08-30")?.status == .approved)
        ledger.add(E.notice("N3", ["V6"], amount: 6000, "2025-08-30"))
        #expect(ledger.line("V6", "2025-08-30")?.notice == "N3")
    }

    @Test func voidedResolutionReopensTheComplaint() {
        var ledger = richLedger()
        #expect(ledger.status("SN1", "2025-12-31")?.extensionDays == 3 + 1 + 1)
        ledger.add(E.void(ledger.seq(.visitRecorded, "V7")))
        #expect(ledger.status("SN1", "2025-12-31")?.extensionDays == 3 + 1)
        ledger.add(E.visit("V8", "SN1", "2025-08-25", complaint: "C6"))
        #expect(ledger.status("SN1", "2025-12-31")?.extensionDays == 3 + 1 + 5)
    }

    @Test func voidedExchangeRestoresTheOldUnit() {
        var ledger = richLedger()
        ledger.add(E.void(36))
        #expect(ledger.status("R4", "2025-12-01") == nil)
        #expect(ledger.status("SN4", "2025-12-01")?.state == .repair)
        ledger.add(E.complaint("C9", "SN4", "2025-10-01"))
        ledger.add(E.exchanged("SN4", for: "R4", "2025-10-05"))
        #expect(ledger.status("R4", "2025-12-01")?.sold == day("2025-10-05"))
    }

    @Test(arguments: [
        (6, "seq 6 is depended on by seq 7 (card.registered SN1), seq 8 (unit.installed SN1), seq 12 (complaint.lodged C1), seq 13 (visit.recorded V1), seq 14 (part.swapped S1), seq 15 (visit.recorded V2), seq 22 (complaint.lodged C3), seq 26 (visit.recorded V4), seq 27 (part.swapped S3), seq 30 (complaint.lodged C5), seq 31 (visit.recorded V6), seq 33 (complaint.lodged C6), seq 34 (visit.recorded V7)"),
        (9, "seq 9 is depended on by seq 18 (complaint.lodged C2), seq 19 (visit.recorded V3), seq 20 (part.swapped S2), seq 28 (complaint.lodged C4), seq 29 (visit.recorded V5), seq 35 (unit.returned SN2)"),
        (11, "seq 11 is depended on by seq 36 (unit.exchanged SN4)"),
        (12, "seq 12 is depended on by seq 13 (visit.recorded V1), seq 15 (visit.recorded V2)"),
        (13, "seq 13 is depended on by seq 14 (part.swapped S1), seq 23 (cost.written-off N1), seq 27 (part.swapped S3)"),
        (14, "seq 14 is depended on by seq 16 (part.returned S1), seq 17 (part.appraised S1), seq 23 (cost.written-off N1)"),
        (15, "seq 15 is depended on by seq 23 (cost.written-off N1)"),
        (16, "seq 16 is depended on by seq 17 (part.appraised S1)"),
        (20, "seq 20 is depended on by seq 21 (part.returned S2)"),
        (23, "seq 23 is depended on by seq 24 (writeoff.confirmed N1)"),
        (31, "seq 31 is depended on by seq 32 (cost.written-off N2)"),
    ] as [(Int64, String)])
    func refusedWhileLiveEventsDependOnTheTarget(seq: Int64, reason: String) {
        #expect(richLedger().refusal(E.void(seq)) == reason)
    }

    @Test func replacementsEventsDependOnTheExchange() {
        var ledger = richLedger()
        ledger.add(E.complaint("C9", "R4", "2025-09-10"))
        #expect(ledger.refusal(E.void(36)) == "seq 36 is depended on by seq 37 (complaint.lodged C9)")
    }

    @Test func dependentsVoidedFirstThenTheTarget() {
        var ledger = richLedger()
        ledger.add(E.void(24))  // confirmation
        ledger.add(E.void(23))  // notice N1
        ledger.add(E.void(17))  // appraisal
        ledger.add(E.void(16))  // return
        ledger.add(E.void(14))  // swap S1
        #expect(ledger.line("S1", "2025-12-31") == nil)
        #expect(ledger.line("V1", "2025-12-31")?.status == .approved)
    }
}
