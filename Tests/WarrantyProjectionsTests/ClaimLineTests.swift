import Testing
import WarrantyDomain
@testable import WarrantyProjections

/// One repair visit on one complaint with one part swap, and what happened to the old part.
struct LineCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// SN1 has its card in on time; SN2 never does.
    var registered = true
    var part: String? = "pump"
    var at = "2025-04-01"
    var finding = VisitRecorded.Finding.defect
    var returned: String? = "2025-04-05"
    var verdict: PartAppraised.Verdict? = .defect
    var asOf = "2025-12-01"

    var testDescription: String { name }

    /// The labor line V1 and the part line S1 on `asOf`, under a policy covering the battery 3 months (to 2025-05-31) and excluding the belt.
    func lines(sourceLocation: SourceLocation = #_sourceLocation) -> (labor: ClaimLine?, part: ClaimLine?) {
        var ledger = fixture(E.policy(components: [("battery", 3)], excluded: ["belt"]), sourceLocation: sourceLocation)
        ledger.add(E.sale("SN2", "2025-03-01"), sourceLocation: sourceLocation)
        let serial = registered ? "SN1" : "SN2"
        ledger.add([
            E.complaint("C1", serial, at, part: part),
            E.visit("V1", serial, at, complaint: "C1", finding: finding, resolved: true),
            E.swap("S1", visit: "V1", serial, at, part: part ?? "unit"),
        ], sourceLocation: sourceLocation)
        if let returned {
            ledger.add(E.returned("S1", returned), sourceLocation: sourceLocation)
            if let verdict {
                ledger.add(E.appraised("S1", returned, verdict), sourceLocation: sourceLocation)
            }
        }
        return (ledger.line("V1", asOf), ledger.line("S1", asOf))
    }
}

@Suite("SPEC §3: claim lines")
struct ClaimLineTests {
    @Test(arguments: [
        (100, 9000, 3000, 18000),
        (40, 9000, 3000, 9000),
        (1, 90, 0, 2),    // 1.5 rounds up
        (1, 30, 0, 1),    // 0.5 rounds up
        (1, 29, 0, 0),    // 0.483 rounds down
        (59, 1, 0, 1),    // 0.983
        (29, 1, 0, 0),
        (0, 9000, 500, 500),
        (90, 6000, 250, 9250),
    ] as [(Int32, Fen, Fen, Fen)])
    func laborAmountRoundsHalfUp(minutes: Int32, rate: Fen, travel: Fen, expected: Fen) {
        var ledger = fixture(E.policy(laborRate: rate))
        ledger.add(E.visit("V1", "SN1", "2025-04-01", minutes: minutes, travel: travel))
        #expect(ledger.line("V1", "2025-04-01")?.amount == expected)
    }

    @Test(arguments: [VisitRecorded.Kind.inspection, .return])
    func onlyRepairVisitsHaveLaborLinesButEverySwapHasAPartLine(kind: VisitRecorded.Kind) {
        var ledger = fixture()
        ledger.add([E.visit("V1", "SN1", "2025-04-01", kind: kind), E.swap("S1", visit: "V1", "SN1", "2025-04-01", cost: 777)])
        let lines = ledger.state.claimLines(on: day("2025-04-01"))
        #expect(lines.map(\.line) == ["S1"])
        #expect(lines.first?.kind == .part)
        #expect(lines.first?.amount == 777)
        #expect(lines.first?.dealer == "D1")
    }

    @Test func partLineBelongsToTheVisitsDealer() {
        var ledger = fixture()
        ledger.add([E.visit("V1", "SN1", "2025-04-01", dealer: "D2"), E.swap("S1", visit: "V1", "SN1", "2025-04-01")])
        #expect(ledger.state.claimLines(on: day("2025-04-01"), dealer: "D2").map(\.line) == ["S1", "V1"])
        #expect(ledger.state.claimLines(on: day("2025-04-01"), dealer: "D1").isEmpty)
    }

    @Test func linesDoNotExistBeforeTheirDay() {
        var ledger = fixture()
        ledger.add([E.visit("V1", "SN1", "2025-04-01"), E.swap("S1", visit: "V1", "SN1", "2025-04-03")])
        #expect(ledger.state.claimLines(on: day("2025-03-31")).isEmpty)
        #expect(ledger.state.claimLines(on: day("2025-04-02")).map(\.line) == ["V1"])
    }

    @Test func approvedWhenEverythingIsSettled() {
        let (labor, part) = LineCase(name: "approved").lines()
        #expect(labor?.status == .approved && labor?.reason == nil)
        #expect(part?.status == .approved && part?.reason == nil)
        #expect(labor?.amount == 6000)
        #expect(part?.amount == 10_000)
    }

    @Test func pendingWhileTheRegistrationIsPending() {
        let line = LineCase(name: "pending", registered: false, at: "2025-03-10", returned: "2025-03-12", asOf: "2025-03-15")
        #expect(line.lines().labor?.status == .pending)
        #expect(line.lines().part?.status == .pending)
        var later = line
        later.asOf = "2025-03-22"
        #expect(later.lines().labor?.reason == .notRegistered)
    }

    @Test func partLinePendingUntilReturnedAndAppraisedWhileLaborDoesNotWait() {
        let notReturned = LineCase(name: "not returned", returned: nil, asOf: "2025-06-30").lines()
        #expect(notReturned.part?.status == .pending)
        #expect(notReturned.labor?.status == .approved)
        let notAppraised = LineCase(name: "not appraised", verdict: nil).lines()
        #expect(notAppraised.part?.status == .pending)
        #expect(notAppraised.labor?.status == .approved)
    }

    @Test(arguments: [
        // Each reason on its own: (case, labor line reason, part line reason).
        (LineCase(name: "not-registered", registered: false), RejectionReason?.some(.notRegistered), RejectionReason?.some(.notRegistered)),
        (LineCase(name: "excluded-part", part: "belt"), .excludedPart, .excludedPart),
        (LineCase(name: "out-of-warranty component", part: "battery", at: "2025-06-10", returned: "2025-06-12"), .outOfWarranty, .outOfWarranty),
        (LineCase(name: "out-of-warranty unit", part: nil, at: "2026-03-05", returned: "2026-03-06", asOf: "2026-04-01"), .outOfWarranty, .outOfWarranty),
        (LineCase(name: "premature part still covered", part: "battery", at: "2025-06-10", returned: "2025-06-12", verdict: .premature), .outOfWarranty, nil),
        (LineCase(name: "misuse finding", finding: .misuse), .misuse, .misuse),
        (LineCase(name: "misuse verdict", verdict: .misuse), nil, .misuse),
        (LineCase(name: "supplier finding", finding: .supplier), .supplier, .supplier),
        (LineCase(name: "no-fault finding", finding: .none), .noFault, .noFault),
        (LineCase(name: "no-fault verdict", verdict: .noFault), nil, .noFault),
        (LineCase(name: "part not returned, deadline passed", returned: nil, asOf: "2025-07-01"), nil, .partNotReturned),
        (LineCase(name: "part returned late", returned: "2025-07-05", asOf: "2025-07-10"), nil, .partNotReturned),
        (LineCase(name: "part returned late, seen before the return", returned: "2025-07-05", asOf: "2025-07-03"), nil, .partNotReturned),
        (LineCase(name: "part returned on the deadline", returned: "2025-06-30", asOf: "2025-07-10"), nil, nil),
    ])
    func rejectionReason(line: LineCase, labor: RejectionReason?, part: RejectionReason?) {
        let (laborLine, partLine) = line.lines()
        #expect(laborLine?.reason == labor)
        #expect(partLine?.reason == part)
        #expect(laborLine?.status == (labor == nil ? .approved : .rejected))
        #expect(partLine?.status == (part == nil ? .approved : .rejected))
    }

    @Test(arguments: [
        // Two reasons apply; the first in SPEC order wins: (case, part line reason).
        (LineCase(name: "not-registered before excluded-part", registered: false, part: "belt"), RejectionReason.notRegistered),
        (LineCase(name: "not-registered before part-not-returned", registered: false, returned: nil), .notRegistered),
        (LineCase(name: "excluded-part before out-of-warranty", part: "belt", at: "2026-03-05", returned: "2026-03-06", asOf: "2026-04-01"), .excludedPart),
        (LineCase(name: "out-of-warranty before misuse", part: "battery", at: "2025-06-10", finding: .misuse, returned: "2025-06-12"), .outOfWarranty),
        (LineCase(name: "out-of-warranty before part-not-returned", part: "battery", at: "2025-06-10", returned: nil, asOf: "2025-07-01"), .outOfWarranty),
        (LineCase(name: "misuse before supplier", finding: .supplier, verdict: .misuse), .misuse),
        (LineCase(name: "misuse before no-fault", finding: .none, verdict: .misuse), .misuse),
        (LineCase(name: "supplier before no-fault", finding: .supplier, verdict: .noFault), .supplier),
        (LineCase(name: "no-fault before part-not-returned", finding: .none, returned: nil, asOf: "2025-07-01"), .noFault),
        (LineCase(name: "misuse before part-not-returned", finding: .misuse, returned: nil, asOf: "2025-07-01"), .misuse),
        (LineCase(name: "premature returned late is not returned", part: "battery", at: "2025-06-10", returned: "2025-07-02", verdict: .premature, asOf: "2025-07-03"), .partNotReturned),
    ])
    func firstReasonWins(line: LineCase, expected: RejectionReason) {
        #expect(line.lines().part?.reason == expected)
    }

    @Test func failureDayIsTheComplaintDayElseTheVisitDay() {
        var ledger = fixture(E.policy(components: [("battery", 3)]))
        ledger.add([
            E.complaint("C1", "SN1", "2025-05-30", part: "battery"),
            E.visit("V1", "SN1", "2025-06-05", complaint: "C1", finding: .defect, resolved: false),
            E.visit("V2", "SN1", "2025-06-05", kind: .inspection),
            E.swap("S2", visit: "V2", "SN1", "2025-06-05", part: "battery"),
        ])
        let v1 = ledger.line("V1", "2025-06-06")
        #expect(v1?.failureDay == day("2025-05-30"))
        #expect(v1?.part == "battery")
        #expect(v1?.status == .approved)
        let s2 = ledger.line("S2", "2025-06-06")
        #expect(s2?.failureDay == day("2025-06-05"))
        #expect(s2?.reason == .outOfWarranty)
    }

    @Test func laborLineWithoutComplaintIsJudgedAsTheUnit() {
        var ledger = fixture(E.policy(excluded: ["unit"]))
        ledger.add(E.visit("V1", "SN1", "2025-04-01"))
        #expect(ledger.line("V1", "2025-04-01")?.part == "unit")
        #expect(ledger.line("V1", "2025-04-01")?.reason == .excludedPart)
    }

    @Test func writtenOffThenDeductedByTheNoticesDays() {
        var ledger = fixture()
        ledger.add([
            E.visit("V1", "SN1", "2025-04-01"),
            E.notice("N1", ["V1"], amount: 6000, "2025-04-10"),
            E.confirm("N1", "2025-04-20"),
        ])
        #expect(ledger.line("V1", "2025-04-09")?.status == .approved)
        #expect(ledger.line("V1", "2025-04-09")?.notice == nil)
        #expect(ledger.line("V1", "2025-04-10")?.status == .writtenOff)
        #expect(ledger.line("V1", "2025-04-10")?.notice == "N1")
        #expect(ledger.line("V1", "2025-04-19")?.status == .writtenOff)
        #expect(ledger.line("V1", "2025-04-20")?.status == .deducted)
    }

    @Test func lineOnANoticeWhoseDecisionWasUndoneShowsItsNewStatus() throws {
        var ledger = fixture()
        ledger.add([E.visit("V1", "SN1", "2025-04-01"), E.notice("N1", ["V1"], amount: 6000, "2025-04-10")])
        ledger.add(E.void(ledger.seq(.cardRegistered, "SN1")))
        let line = try #require(ledger.line("V1", "2025-04-10"))
        #expect(line.status == .rejected)
        #expect(line.reason == .notRegistered)
        #expect(line.notice == "N1")
    }

    @Test(arguments: [
        (nil, "2025-04-01", "2025-06-30"),
        (nil, "2025-06-30", "2025-06-30"),
        (nil, "2025-07-01", "2025-12-31"),
        (nil, "2025-12-31", "2025-12-31"),
        (["02-29"], "2025-01-10", "2025-02-28"),
        (["02-29"], "2024-01-10", "2024-02-29"),
        (["02-29"], "2025-03-01", "2026-02-28"),
        (["02-29"], "2027-03-01", "2028-02-29"),
        (["09-30", "03-31"], "2025-10-01", "2026-03-31"),
        (["09-30", "03-31"], "2025-04-01", "2025-09-30"),
    ] as [([String]?, String, String)])
    func partReturnDeadline(deadlines: [String]?, swapped: String, expected: String) {
        var ledger = TestLedger([E.policy(effective: "2024-01-01", deadlines: deadlines, at: "2024-01-01"),
                                 E.dealer("D1", at: "2024-01-01"), E.sale("SN1", "2024-01-01")])
        ledger.add([E.visit("V1", "SN1", swapped, kind: .inspection), E.swap("S1", visit: "V1", "SN1", swapped)])
        #expect(ledger.line("S1", swapped)?.returnDeadline == day(expected))
    }

    @Test func withoutDeadlinesAPartNeverBecomesLate() {
        var ledger = TestLedger([E.policy(deadlines: []), E.dealer("D1"), E.sale("SN1", "2025-03-01"), E.card("SN1", "2025-03-02")])
        ledger.add([E.visit("V1", "SN1", "2025-04-01"), E.swap("S1", visit: "V1", "SN1", "2025-04-01")])
        #expect(ledger.line("S1", "2030-01-01")?.returnDeadline == nil)
        #expect(ledger.line("S1", "2030-01-01")?.status == .pending)
    }

    @Test func sameIdForAVisitAndASwapGivesTwoLines() {
        var ledger = fixture()
        ledger.add([E.visit("X", "SN1", "2025-04-01"), E.swap("X", visit: "X", "SN1", "2025-04-01")])
        let lines = ledger.state.claimLines(on: day("2025-04-01"))
        #expect(lines.map(\.kind) == [.labor, .part])
        #expect(ledger.refusal(E.notice("N1", ["X"], amount: 6000, "2025-04-10"))
                == #"line "X" is ambiguous: both a repair visit and a swap have that id"#)
    }
}
