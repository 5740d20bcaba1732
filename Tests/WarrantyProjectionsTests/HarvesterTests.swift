import Testing
import WarrantyDomain
@testable import WarrantyProjections

/// `examples/harvester.jsonl`, line by line, in its log order (the card is registered before the install).
let harvesterEvents: [Event] = [
    ev("2025-01-01", .policyPublished(PolicyPublished(
        policy: "P-HARVESTER-2025", models: ["H-9"], effective: day("2025-01-01"), clockStart: .install,
        returnDays: 7, exchangeDays: 15, warrantyMonths: 12,
        components: [PolicyPublished.Component(part: "cutter-bar", months: 3)], excluded: ["belt"], laborRate: 9000))),
    ev("2025-01-01", .dealerEnrolled(DealerEnrolled(dealer: "QD", name: "青岛农机服务站", region: "山东"))),
    ev("2025-01-01", .dealerEnrolled(DealerEnrolled(dealer: "WF", name: "潍坊经销商"))),
    ev("2025-02-01", .dealerInvoiced(DealerInvoiced(dealer: "QD", invoice: "FP-001", amount: 2_000_000))),
    ev("2025-03-31", .unitSold(UnitSold(serial: "H9-001", model: "H-9", dealer: "QD", customer: "合作社-7", price: 18_000_000))),
    ev("2025-04-10", .cardRegistered(CardRegistered(serial: "H9-001"))),
    ev("2025-04-02", .unitInstalled(UnitInstalled(serial: "H9-001", site: "田间地头"))),
    ev("2025-04-01", .unitSold(UnitSold(serial: "H9-002", model: "H-9", dealer: "WF", price: 18_000_000))),
    ev("2025-06-20T08:30:00+08:00", .complaintLodged(ComplaintLodged(
        complaint: "C-1", serial: "H9-001", part: "cutter-bar", fault: "割台异响"))),
    ev("2025-06-20T14:00:00+08:00", .visitRecorded(VisitRecorded(
        visit: "V-1", serial: "H9-001", dealer: "QD", complaint: "C-1", kind: .repair, finding: .defect,
        laborMinutes: 100, travel: 3000, resolved: false))),
    ev("2025-06-20T15:00:00+08:00", .partSwapped(PartSwapped(
        swap: "S-1", visit: "V-1", serial: "H9-001", part: "cutter-bar", removed: "CB-17", installed: "CB-90", cost: 56000))),
    ev("2025-06-23T09:00:00+08:00", .visitRecorded(VisitRecorded(
        visit: "V-2", serial: "H9-001", dealer: "QD", complaint: "C-1", kind: .repair, finding: .defect,
        laborMinutes: 40, travel: 3000, resolved: true))),
    ev("2025-06-28", .partReturned(PartReturned(swap: "S-1"))),
    ev("2025-07-03", .partAppraised(PartAppraised(swap: "S-1", verdict: .defect, disposition: .scrap))),
    ev("2025-07-15", .complaintLodged(ComplaintLodged(complaint: "C-2", serial: "H9-002", part: "belt", fault: "皮带断裂"))),
    ev("2025-07-15T16:00:00+08:00", .visitRecorded(VisitRecorded(
        visit: "V-3", serial: "H9-002", dealer: "WF", complaint: "C-2", kind: .repair, finding: .defect,
        laborMinutes: 30, travel: 0, resolved: true))),
    ev("2025-07-20", .costWrittenOff(CostWrittenOff(
        notice: "HX-2025-07-QD", dealer: "QD", lines: ["S-1", "V-1", "V-2"], amount: 83000))),
    ev("2025-07-25", .writeoffConfirmed(WriteoffConfirmed(notice: "HX-2025-07-QD"))),
]

@Suite("The worked example harvester.jsonl")
struct HarvesterTests {
    let ledger = TestLedger(harvesterEvents)

    @Test func everyEventIsAccepted() {
        #expect(ledger.events.count == 18)
        #expect(ledger.state.lastSeq == 18)
    }

    @Test(arguments: [
        ("H9-001", "2025-06-21",
         #"{"components": {"cutter-bar": "2025-07-01"}, "dealer": "QD", "end": "2026-04-01", "escalation": false, "extensionDays": 0, "model": "H-9", "policy": "P-HARVESTER-2025", "registration": "on-time", "repairs": {"cutter-bar": 1}, "serial": "H9-001", "sold": "2025-03-31", "start": "2025-04-02", "state": "repair"}"#),
        ("H9-001", "2025-08-01",
         #"{"components": {"cutter-bar": "2025-07-04"}, "dealer": "QD", "end": "2026-04-04", "escalation": false, "extensionDays": 3, "model": "H-9", "policy": "P-HARVESTER-2025", "registration": "on-time", "repairs": {"cutter-bar": 1}, "serial": "H9-001", "sold": "2025-03-31", "start": "2025-04-02", "state": "repair"}"#),
        ("H9-002", "2025-08-01",
         #"{"components": {"cutter-bar": "2025-06-30"}, "dealer": "WF", "end": "2026-03-31", "escalation": false, "extensionDays": 0, "model": "H-9", "policy": "P-HARVESTER-2025", "registration": "missing", "repairs": {"belt": 1}, "serial": "H9-002", "sold": "2025-04-01", "start": "2025-04-01", "state": "repair"}"#),
    ])
    func status(serial: String, asOf: String, expected: String) throws {
        let status = try #require(ledger.status(serial, asOf))
        #expect(json(status) == expected)
    }

    @Test(arguments: [
        ("2025-07-10", [
            #"{"amount": 56000, "dealer": "QD", "kind": "part", "line": "S-1", "notice": null, "reason": null, "serial": "H9-001", "status": "approved"}"#,
            #"{"amount": 18000, "dealer": "QD", "kind": "labor", "line": "V-1", "notice": null, "reason": null, "serial": "H9-001", "status": "approved"}"#,
            #"{"amount": 9000, "dealer": "QD", "kind": "labor", "line": "V-2", "notice": null, "reason": null, "serial": "H9-001", "status": "approved"}"#,
        ]),
        ("2025-08-01", [
            #"{"amount": 56000, "dealer": "QD", "kind": "part", "line": "S-1", "notice": "HX-2025-07-QD", "reason": null, "serial": "H9-001", "status": "deducted"}"#,
            #"{"amount": 18000, "dealer": "QD", "kind": "labor", "line": "V-1", "notice": "HX-2025-07-QD", "reason": null, "serial": "H9-001", "status": "deducted"}"#,
            #"{"amount": 9000, "dealer": "QD", "kind": "labor", "line": "V-2", "notice": "HX-2025-07-QD", "reason": null, "serial": "H9-001", "status": "deducted"}"#,
            #"{"amount": 4500, "dealer": "WF", "kind": "labor", "line": "V-3", "notice": null, "reason": "not-registered", "serial": "H9-002", "status": "rejected"}"#,
        ]),
    ])
    func claims(asOf: String, expected: [String]) {
        #expect(ledger.state.claimLines(on: day(asOf)).map(json) == expected)
    }

    @Test func dealers() {
        #expect(ledger.state.dealerBalances(on: day("2025-08-01")).map(json) == [
            #"{"approved": 0, "claimed": 83000, "dealer": "QD", "deducted": 83000, "pending": 0, "receivable": 1917000, "rejected": 0, "writtenOff": 0}"#,
            #"{"approved": 0, "claimed": 4500, "dealer": "WF", "deducted": 0, "pending": 0, "receivable": 0, "rejected": 4500, "writtenOff": 0}"#,
        ])
    }

    @Test func archive() {
        let records = ledger.state.archive(on: day("2025-08-01"))
        #expect(records.map(json) == [
            #"{"closed": "2025-06-23", "cost": 83000, "dealer": "QD", "opened": "2025-06-20", "record": "C-1", "retainUntil": "2030-06-23", "serial": "H9-001", "swaps": ["S-1"], "visits": ["V-1", "V-2"]}"#,
            #"{"closed": "2025-07-15", "cost": 4500, "dealer": "WF", "opened": "2025-07-15", "record": "C-2", "retainUntil": "2030-07-15", "serial": "H9-002", "swaps": [], "visits": ["V-3"]}"#,
        ])
        #expect(records.allSatisfy { !$0.expired })
    }

    @Test func claimsOfOneDealer() {
        #expect(ledger.state.claimLines(on: day("2025-08-01"), dealer: "WF").map(\.line) == ["V-3"])
        #expect(ledger.state.claimLines(on: day("2025-08-01"), dealer: "XX").isEmpty)
    }

    @Test func writeOffBeforeConfirmationIsWrittenOff() {
        let lines = ledger.state.claimLines(on: day("2025-07-22"), dealer: "QD")
        #expect(lines.map(\.status) == [.writtenOff, .writtenOff, .writtenOff])
        #expect(lines.allSatisfy { $0.notice == "HX-2025-07-QD" })
        let row = ledger.state.dealerBalances(on: day("2025-07-22"))[0]
        #expect(row.writtenOff == 83000 && row.deducted == 0 && row.receivable == 2_000_000)
    }

    @Test func installedUnitDoesNotExistBeforeItsSale() {
        #expect(ledger.status("H9-001", "2025-03-30") == nil)
        #expect(ledger.status("H9-001", "2025-03-31")?.start == day("2025-03-31"))
        #expect(ledger.status("H9-001", "2025-03-31")?.registration == .pending)
    }
}
