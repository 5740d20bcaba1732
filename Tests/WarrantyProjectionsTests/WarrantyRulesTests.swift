import Testing
import WarrantyDomain
@testable import WarrantyProjections

@Suite("SPEC §3: state, start, ends and extension")
struct WarrantyRulesTests {
    // SN1 is sold on 2025-03-01 under 7 return days, 15 exchange days and 12 months: end 2026-02-28.
    @Test(arguments: [
        ("2025-02-28", nil),
        ("2025-03-01", UnitState.return),
        ("2025-03-08", .return),
        ("2025-03-09", .exchange),
        ("2025-03-16", .exchange),
        ("2025-03-17", .repair),
        ("2026-02-28", .repair),
        ("2026-03-01", .expired),
    ] as [(String, UnitState?)])
    func stateByDay(asOf: String, expected: UnitState?) {
        #expect(fixture().status("SN1", asOf)?.state == expected)
    }

    @Test func returnedOnceReturned() {
        var ledger = fixture()
        ledger.add(E.unitReturned("SN1", "2025-03-05"))
        #expect(ledger.status("SN1", "2025-03-04")?.state == .return)
        #expect(ledger.status("SN1", "2025-03-05")?.state == .returned)
        #expect(ledger.status("SN1", "2027-01-01")?.state == .returned)
    }

    @Test func exchangedUnitAndItsReplacement() throws {
        var ledger = fixture()
        ledger.add(E.exchanged("SN1", for: "R1", "2025-03-10"))
        #expect(ledger.status("SN1", "2025-03-09")?.state == .exchange)
        #expect(ledger.status("SN1", "2025-03-09")?.replacedBy == nil)
        #expect(ledger.status("SN1", "2025-03-10")?.state == .exchanged)
        #expect(ledger.status("SN1", "2025-03-10")?.replacedBy == "R1")
        #expect(ledger.status("R1", "2025-03-09") == nil)
        let replacement = try #require(ledger.status("R1", "2025-03-10"))
        #expect(replacement.state == .return)
        #expect(replacement.sold == day("2025-03-10"))
        #expect(replacement.start == day("2025-03-10"))
        #expect(replacement.end == day("2026-03-09"))
        #expect(replacement.policy == "P1")
        #expect(replacement.dealer == "D1")
        #expect(replacement.model == "M")
        #expect(replacement.replacementOf == "SN1")
        #expect(replacement.registration == .onTime)
    }

    @Test func unknownSerialHasNoStatus() {
        #expect(fixture().status("SN9", "2025-06-01") == nil)
    }

    @Test func saleClockStartsOnTheSaleDayWhateverTheInstall() throws {
        var ledger = fixture()
        ledger.add(E.install("SN1", "2025-03-10"))
        let status = try #require(ledger.status("SN1", "2025-04-01"))
        #expect(status.start == day("2025-03-01"))
        #expect(status.installed == day("2025-03-10"))
    }

    @Test func installClockStartsOnTheInstallDayOnceInstalled() {
        var ledger = fixture(E.policy(clock: .install))
        ledger.add(E.install("SN1", "2025-03-10"))
        #expect(ledger.status("SN1", "2025-03-09")?.start == day("2025-03-01"))
        #expect(ledger.status("SN1", "2025-03-09")?.state == .exchange)
        #expect(ledger.status("SN1", "2025-03-10")?.start == day("2025-03-10"))
        #expect(ledger.status("SN1", "2025-03-10")?.state == .return)
        #expect(ledger.status("SN1", "2025-03-10")?.end == day("2026-03-09"))
    }

    @Test func replacementStartsOnTheExchangeDayEvenUnderAnInstallClock() {
        var ledger = fixture(E.policy(clock: .install))
        ledger.add([E.exchanged("SN1", for: "R1", "2025-03-10"), E.install("R1", "2025-03-20")])
        #expect(ledger.status("R1", "2025-04-01")?.start == day("2025-03-10"))
        #expect(ledger.status("R1", "2025-04-01")?.installed == day("2025-03-20"))
    }

    @Test(arguments: [
        ("2025-01-31", 1, "2025-02-27"),  // Jan 31 + 1 month clamps to Feb 28, minus a day
        ("2024-01-31", 1, "2024-02-28"),  // leap year: Feb 29, minus a day
        ("2024-02-29", 12, "2025-02-27"), // Feb 29 + 12 months clamps to Feb 28
        ("2024-02-29", 48, "2028-02-28"), // and lands on Feb 29 again four years on
        ("2025-03-31", 1, "2025-04-29"),
        ("2025-08-31", 6, "2026-02-27"),
        ("2025-03-01", 12, "2026-02-28"),
    ])
    func endsClampAddMonthsToTheMonthsLastDay(sold: String, months: Int32, end: String) {
        let ledger = TestLedger([E.policy(effective: "2020-01-01", months: months, at: "2020-01-01"),
                                 E.dealer("D1", at: "2020-01-01"), E.sale("SN1", sold)])
        #expect(ledger.status("SN1", sold)?.end == day(end))
    }

    @Test func addMonthsClamps() {
        #expect(day("2025-01-31").adding(months: 1) == day("2025-02-28"))
        #expect(day("2024-01-31").adding(months: 1) == day("2024-02-29"))
        #expect(day("2024-02-29").adding(months: 12) == day("2025-02-28"))
        #expect(day("2024-03-31").adding(months: -1) == day("2024-02-29"))
    }

    @Test func componentsEndOnTheirOwnMonthsAndOthersFollowTheUnit() throws {
        let ledger = fixture(E.policy(components: [("battery", 3), ("frame", 36)], excluded: ["belt"]))
        let status = try #require(ledger.status("SN1", "2025-04-01"))
        #expect(status.components == ["battery": day("2025-05-31"), "frame": day("2028-02-29")])
        #expect(status.end == day("2026-02-28"))
    }

    // Warranty of one month: SN1 sold 2025-01-01 ends 2025-01-31 before any extension.
    func oneMonthLedger() -> TestLedger {
        TestLedger([E.policy(months: 1), E.dealer("D1"), E.sale("SN1", "2025-01-01"), E.card("SN1", "2025-01-02")])
    }

    @Test func extensionChainsInComplaintDayOrder() {
        var ledger = oneMonthLedger()
        // Appended out of complaint-day order: C2 only counts once C1's extension has moved the end.
        ledger.add([
            E.complaint("C2", "SN1", "2025-02-05"),
            E.visit("V2", "SN1", "2025-02-08", complaint: "C2"),
            E.complaint("C1", "SN1", "2025-01-20"),
            E.visit("V1", "SN1", "2025-01-30", complaint: "C1"),
            E.complaint("C3", "SN1", "2025-02-20"),
            E.visit("V3", "SN1", "2025-02-25", complaint: "C3"),
        ])
        #expect(ledger.status("SN1", "2025-01-25")?.extensionDays == 0)
        #expect(ledger.status("SN1", "2025-01-30")?.extensionDays == 10)
        #expect(ledger.status("SN1", "2025-02-07")?.end == day("2025-02-10"))
        #expect(ledger.status("SN1", "2025-02-08")?.extensionDays == 13)
        // C3 is lodged after the extended end 2025-02-13 and adds nothing.
        #expect(ledger.status("SN1", "2025-03-01")?.extensionDays == 13)
        #expect(ledger.status("SN1", "2025-03-01")?.end == day("2025-02-13"))
        #expect(ledger.status("SN1", "2025-03-01")?.state == .expired)
    }

    @Test func withoutTheEarlierExtensionTheLaterComplaintDoesNotCount() {
        var ledger = oneMonthLedger()
        ledger.add([E.complaint("C2", "SN1", "2025-02-05"), E.visit("V2", "SN1", "2025-02-08", complaint: "C2")])
        #expect(ledger.status("SN1", "2025-03-01")?.extensionDays == 0)
    }

    @Test(arguments: [VisitRecorded.Finding.none, .misuse, .supplier])
    func onlyDefectResolutionsExtend(finding: VisitRecorded.Finding) {
        var ledger = oneMonthLedger()
        ledger.add([E.complaint("C1", "SN1", "2025-01-20"), E.visit("V1", "SN1", "2025-01-30", complaint: "C1", finding: finding)])
        #expect(ledger.status("SN1", "2025-03-01")?.extensionDays == 0)
    }

    @Test func findingIsTakenOnTheDayAskedAbout() {
        var ledger = oneMonthLedger()
        // The defect visit is dated after the resolving one; the complaint is a defect only from 2025-01-28.
        ledger.add([
            E.complaint("C1", "SN1", "2025-01-20"),
            E.visit("V-defect", "SN1", "2025-01-28", complaint: "C1", finding: .defect, resolved: false),
            E.visit("V-resolve", "SN1", "2025-01-25", complaint: "C1", finding: .none, resolved: true),
        ])
        #expect(ledger.status("SN1", "2025-01-26")?.extensionDays == 0)
        #expect(ledger.status("SN1", "2025-01-26")?.repairs == [:])
        #expect(ledger.status("SN1", "2025-01-28")?.extensionDays == 5)
        #expect(ledger.status("SN1", "2025-01-28")?.repairs == ["unit": 1])
    }

    @Test func openComplaintDoesNotExtend() {
        var ledger = oneMonthLedger()
        ledger.add([E.complaint("C1", "SN1", "2025-01-20"), E.visit("V1", "SN1", "2025-01-21", complaint: "C1", resolved: false)])
        #expect(ledger.status("SN1", "2025-06-01")?.extensionDays == 0)
        #expect(ledger.status("SN1", "2025-06-01")?.repairs == ["unit": 1])
    }
}

@Suite("SPEC §3: escalation and repairs")
struct EscalationTests {
    // SN1 sold 2025-03-01; pump covered 3 months (to 2025-05-31), belt excluded.
    func ledger(_ policy: Event = E.policy(components: [("pump", 3)], excluded: ["belt"])) -> TestLedger {
        fixture(policy)
    }

    /// Lodges a complaint with an open defect visit (no extension).
    func defect(_ id: String, _ at: String, part: String?, into ledger: inout TestLedger) {
        ledger.add([E.complaint(id, "SN1", at, part: part), E.visit("V-\(id)", "SN1", at, complaint: id, resolved: false)])
    }

    @Test func moreThanEscalateAfterDefectsForOnePartEscalate() {
        var ledger = ledger()
        defect("C1", "2025-04-01", part: "pump", into: &ledger)
        defect("C2", "2025-04-10", part: "pump", into: &ledger)
        #expect(ledger.status("SN1", "2025-04-15")?.escalation == false)
        defect("C3", "2025-04-20", part: "pump", into: &ledger)
        #expect(ledger.status("SN1", "2025-04-15")?.escalation == false)
        #expect(ledger.status("SN1", "2025-04-20")?.escalation == true)
        #expect(ledger.status("SN1", "2025-04-20")?.repairs == ["pump": 3])
    }

    @Test func defectsOfDifferentPartsDoNotAddUp() {
        var ledger = ledger()
        defect("C1", "2025-04-01", part: "pump", into: &ledger)
        defect("C2", "2025-04-10", part: "pump", into: &ledger)
        defect("C3", "2025-04-20", part: nil, into: &ledger)
        let status = ledger.status("SN1", "2025-05-01")
        #expect(status?.escalation == false)
        #expect(status?.repairs == ["pump": 2, "unit": 1])
    }

    @Test func defectsOutsideThePartsCoverageDoNotEscalate() {
        var ledger = ledger()
        defect("C1", "2025-04-01", part: "pump", into: &ledger)
        defect("C2", "2025-04-10", part: "pump", into: &ledger)
        defect("C3", "2025-06-01", part: "pump", into: &ledger)  // pump ended 2025-05-31
        #expect(ledger.status("SN1", "2025-06-02")?.escalation == false)
        #expect(ledger.status("SN1", "2025-06-02")?.repairs == ["pump": 3])
    }

    @Test func excludedPartsNeverEscalate() {
        var ledger = ledger()
        for (index, at) in ["2025-04-01", "2025-04-02", "2025-04-03", "2025-04-04"].enumerated() {
            defect("C\(index)", at, part: "belt", into: &ledger)
        }
        #expect(ledger.status("SN1", "2025-05-01")?.escalation == false)
        #expect(ledger.status("SN1", "2025-05-01")?.repairs == ["belt": 4])
    }

    @Test func escalateAfterFromThePolicy() {
        var ledger = ledger(E.policy(escalateAfter: 0))
        defect("C1", "2025-04-01", part: nil, into: &ledger)
        #expect(ledger.status("SN1", "2025-03-31")?.escalation == false)
        #expect(ledger.status("SN1", "2025-04-01")?.escalation == true)
    }

    @Test func nonDefectFindingsAreNotRepairs() {
        var ledger = ledger(E.policy(escalateAfter: 0))
        ledger.add([E.complaint("C1", "SN1", "2025-04-01", part: "pump"),
                    E.visit("V1", "SN1", "2025-04-02", complaint: "C1", finding: .misuse)])
        #expect(ledger.status("SN1", "2025-05-01")?.repairs == [:])
        #expect(ledger.status("SN1", "2025-05-01")?.escalation == false)
    }

    @Test func complaintOpenLongerThanMaxRepairDaysEscalates() {
        var ledger = ledger(E.policy(maxRepairDays: 10))
        defect("C1", "2025-04-01", part: nil, into: &ledger)
        #expect(ledger.status("SN1", "2025-04-11")?.escalation == false)
        #expect(ledger.status("SN1", "2025-04-12")?.escalation == true)
        // Resolved later than that: it stays escalated after the resolution.
        ledger.add(E.visit("V-fix", "SN1", "2025-04-20", complaint: "C1"))
        #expect(ledger.status("SN1", "2025-04-25")?.escalation == true)
        #expect(ledger.status("SN1", "2025-04-11")?.escalation == false)
    }

    @Test func complaintResolvedWithinMaxRepairDaysDoesNotEscalate() {
        var ledger = ledger(E.policy(maxRepairDays: 10))
        ledger.add([E.complaint("C1", "SN1", "2025-04-01"), E.visit("V1", "SN1", "2025-04-11", complaint: "C1")])
        #expect(ledger.status("SN1", "2025-04-05")?.escalation == false)
        #expect(ledger.status("SN1", "2026-01-01")?.escalation == false)
    }

    @Test func noMaxRepairDaysMeansNoLimit() {
        var ledger = ledger()
        defect("C1", "2025-04-01", part: nil, into: &ledger)
        #expect(ledger.status("SN1", "2026-01-01")?.escalation == false)
    }

    @Test func overdueComplaintOutsideCoverageDoesNotEscalate() {
        var ledger = ledger(E.policy(components: [("pump", 1)], maxRepairDays: 10))
        ledger.add(E.complaint("C1", "SN1", "2025-04-05", part: "pump"))  // pump ended 2025-03-31
        #expect(ledger.status("SN1", "2025-06-01")?.escalation == false)
    }
}

@Suite("SPEC §3: registration")
struct RegistrationTests {
    // Sold 2025-03-01 with the default 20 registration days: the card is due by 2025-03-21.
    @Test(arguments: [
        (nil, "2025-03-01", Registration.pending),
        (nil, "2025-03-21", .pending),
        (nil, "2025-03-22", .missing),
        ("2025-03-10", "2025-03-09", .pending),
        ("2025-03-10", "2025-03-10", .onTime),
        ("2025-03-21", "2025-04-01", .onTime),
        ("2025-03-22", "2025-04-01", .late),
        ("2025-03-25", "2025-03-23", .missing),
        ("2025-03-25", "2025-03-25", .late),
    ] as [(String?, String, Registration)])
    func registration(card: String?, asOf: String, expected: Registration) {
        var ledger = TestLedger([E.policy(), E.dealer("D1"), E.sale("SN1", "2025-03-01")])
        if let card { ledger.add(E.card("SN1", card)) }
        #expect(ledger.status("SN1", asOf)?.registration == expected)
    }

    @Test func registrationDaysFromThePolicy() {
        let ledger = TestLedger([E.policy(registrationDays: 5), E.dealer("D1"), E.sale("SN1", "2025-03-01"),
                                 E.card("SN1", "2025-03-07")])
        // Due by 2025-03-06.
        #expect(ledger.status("SN1", "2025-03-06")?.registration == .pending)
        #expect(ledger.status("SN1", "2025-03-07")?.registration == .late)
    }

    @Test func replacementsCarryTheFirstUnitsRegistration() {
        var ledger = TestLedger([E.policy(), E.dealer("D1"), E.sale("SN1", "2025-03-01"),
                                 E.exchanged("SN1", for: "R1", "2025-03-05"), E.exchanged("R1", for: "R2", "2025-03-08")])
        #expect(ledger.status("R2", "2025-03-15")?.registration == .pending)
        #expect(ledger.status("R2", "2025-03-22")?.registration == .missing)
        ledger.add(E.card("SN1", "2025-03-20"))
        #expect(ledger.status("R1", "2025-03-25")?.registration == .onTime)
        #expect(ledger.status("R2", "2025-03-25")?.registration == .onTime)
        #expect(ledger.status("R2", "2025-03-19")?.registration == .pending)
    }
}
