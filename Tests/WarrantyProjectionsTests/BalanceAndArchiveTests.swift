import Testing
import WarrantyDomain
@testable import WarrantyProjections

@Suite("SPEC §3: dealer balances")
struct DealerBalanceTests {
    @Test func oneRowPerDealerEnrolledOnTheDayZerosIncluded() {
        var ledger = fixture()
        ledger.add(E.dealer("D3", at: "2025-06-01"))
        #expect(ledger.state.dealerBalances(on: day("2025-05-31")).map(\.dealer) == ["D1", "D2"])
        #expect(ledger.state.dealerBalances(on: day("2025-06-01")) == [
            DealerBalance(dealer: "D1"), DealerBalance(dealer: "D2"), DealerBalance(dealer: "D3"),
        ])
        #expect(ledger.state.dealerBalances(on: day("2024-12-31")).isEmpty)
    }

    @Test func balancesSumLinesByStatusAndReceivableSubtractsPaymentsAndDeductions() {
        var ledger = fixture()
        ledger.add([
            E.invoice("D1", "F1", 100_000, "2025-02-01"),
            E.invoice("D1", "F2", 50_000, "2025-05-01"),
            E.payment("D1", 30_000, "2025-04-01"),
            E.visit("V1", "SN1", "2025-04-01"),                       // 6000, deducted
            E.visit("V2", "SN1", "2025-04-02", minutes: 30),          // 3000, written off
            E.visit("V3", "SN1", "2025-04-03", finding: .misuse),     // 6000, rejected
            E.visit("V4", "SN1", "2025-04-04", minutes: 10),          // 1000, approved
            E.swap("S1", visit: "V4", "SN1", "2025-04-04", cost: 500), // pending
            E.notice("N1", ["V1"], amount: 6000, "2025-04-10"),
            E.notice("N2", ["V2"], amount: 3000, "2025-04-10"),
            E.confirm("N1", "2025-04-12"),
        ])
        let rows = ledger.state.dealerBalances(on: day("2025-04-30"))
        #expect(rows == [
            DealerBalance(dealer: "D1", claimed: 16_500, pending: 500, approved: 1000, rejected: 6000,
                          writtenOff: 3000, deducted: 6000, receivable: 100_000 - 30_000 - 6000),
            DealerBalance(dealer: "D2"),
        ])
        #expect(ledger.state.dealerBalances(on: day("2025-05-01"))[0].receivable == 150_000 - 30_000 - 6000)
        #expect(ledger.state.dealerBalances(on: day("2025-04-11"))[0].deducted == 0)
        #expect(ledger.state.dealerBalances(on: day("2025-03-31"))[0] ==
                DealerBalance(dealer: "D1", receivable: 100_000))
    }

    @Test func receivableMayBeNegative() {
        var ledger = fixture()
        ledger.add(E.payment("D2", 1000, "2025-04-01"))
        #expect(ledger.state.dealerBalances(on: day("2025-04-01"))[1].receivable == -1000)
    }
}

@Suite("SPEC §3: repair archive")
struct ArchiveTests {
    @Test func recordPerComplaintWithItsFirstVisitsDealer() throws {
        var ledger = fixture()
        ledger.add([
            E.complaint("C1", "SN1", "2025-04-01", part: "pump"),
            // Appended first but dated later: D1's visit is not the first.
            E.visit("V-b", "SN1", "2025-04-05", dealer: "D1", complaint: "C1", resolved: false),
            E.visit("V-a", "SN1", "2025-04-02", dealer: "D2", complaint: "C1", finding: .misuse, resolved: false),
            E.swap("S1", visit: "V-a", "SN1", "2025-04-02", cost: 700),
            E.visit("V-c", "SN1", "2025-04-06", dealer: "D1", complaint: "C1", resolved: true),
        ])
        let records = ledger.state.archive(on: day("2025-04-10"))
        #expect(records == [ArchiveRecord(
            record: "C1", serial: "SN1", dealer: "D2", opened: day("2025-04-01"), closed: day("2025-04-06"),
            retainUntil: day("2030-04-06"), visits: ["V-a", "V-b", "V-c"], swaps: ["S1"], cost: 3 * 6000 + 700,
            expired: false)])
        // Before any visit: the selling dealer, open.
        let early = try #require(ledger.state.archive(on: day("2025-04-01")).first)
        #expect(early.dealer == "D1" && early.closed == nil && early.retainUntil == nil && early.visits.isEmpty && early.cost == 0)
        // Between the visits: D2's visit only, still open.
        let middle = try #require(ledger.state.archive(on: day("2025-04-03")).first)
        #expect(middle.dealer == "D2" && middle.closed == nil && middle.visits == ["V-a"] && middle.cost == 6700)
    }

    @Test func visitWithoutComplaintIsARecordOfItsOwn() {
        var ledger = fixture()
        ledger.add([E.visit("V1", "SN1", "2025-04-02", dealer: "D2", kind: .inspection, finding: .none, resolved: false),
                    E.swap("S1", visit: "V1", "SN1", "2025-04-02", cost: 900)])
        #expect(ledger.state.archive(on: day("2025-04-02")) == [ArchiveRecord(
            record: "V1", serial: "SN1", dealer: "D2", opened: day("2025-04-02"), closed: day("2025-04-02"),
            retainUntil: day("2030-04-02"), visits: ["V1"], swaps: ["S1"], cost: 900, expired: false)])
        #expect(ledger.state.archive(on: day("2025-04-01")).isEmpty)
    }

    @Test func recordsExpireAfterTheRetentionPeriodButOpenOnesNever() {
        var ledger = fixture(E.policy(retentionYears: 1))
        ledger.add([
            E.complaint("C1", "SN1", "2025-04-01"), E.visit("V1", "SN1", "2025-04-10", complaint: "C1"),
            E.complaint("C2", "SN1", "2025-04-01"),
        ])
        let onLastDay = ledger.state.archive(on: day("2026-04-10"))
        #expect(onLastDay.map(\.expired) == [false, false])
        #expect(onLastDay[0].retainUntil == day("2026-04-10"))
        let after = ledger.state.archive(on: day("2026-04-11"))
        #expect(after.map(\.record) == ["C1", "C2"])
        #expect(after.map(\.expired) == [true, false])
        #expect(ledger.state.archive(on: day("2099-01-01"))[1].expired == false)
    }

    @Test func retentionFromALeapDayClamps() {
        var ledger = TestLedger([E.policy(effective: "2024-01-01", at: "2024-01-01"), E.dealer("D1", at: "2024-01-01"),
                                 E.sale("SN1", "2024-02-01")])
        ledger.add(E.visit("V1", "SN1", "2024-02-29", kind: .inspection))
        #expect(ledger.state.archive(on: day("2024-03-01")).first?.retainUntil == day("2029-02-28"))
    }

    @Test func costCountsEveryLineWhateverItsStatus() {
        var ledger = TestLedger([E.policy(excluded: ["belt"]), E.dealer("D1"), E.sale("SN1", "2025-03-01")])
        ledger.add([E.complaint("C1", "SN1", "2025-04-01", part: "belt"),
                    E.visit("V1", "SN1", "2025-04-01", complaint: "C1"),
                    E.swap("S1", visit: "V1", "SN1", "2025-04-01", part: "belt", cost: 400)])
        #expect(ledger.state.claimLines(on: day("2025-05-01")).allSatisfy { $0.status == .rejected })
        #expect(ledger.state.archive(on: day("2025-05-01")).first?.cost == 6400)
    }
}
