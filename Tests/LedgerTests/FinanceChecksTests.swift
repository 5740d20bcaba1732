@testable import Ledger
import Testing
import WarrantyDomain
import WarrantyProjections

/// The invariants a log cannot break (the projections compute them that way), checked on hand-made inconsistent
/// answers: the checks must still catch a projection bug.
@Suite struct FinanceChecksTests {
    static let day = Day("2025-06-30")!

    static func line(_ id: String, _ status: LineStatus, _ amount: Fen, dealer: String = "D1", notice: String? = nil,
                     kind: LineKind = .labor) -> ClaimLine {
        ClaimLine(line: id, kind: kind, dealer: dealer, serial: "SN1", amount: amount, status: status,
                  reason: status == .rejected ? .misuse : nil, notice: notice, part: "unit", failureDay: day)
    }

    static func mark(_ seq: Int64, _ type: EventType, _ text: String = "2025-06-01") -> EventMark {
        EventMark(day: Day(text)!, seq: seq, type: type)
    }

    /// A notice whose line ids named labor lines when it was appended.
    static func notice(_ id: String, _ lines: [String], _ amount: Fen, issued: EventMark, confirmed: EventMark? = nil) -> NoticeRecord {
        NoticeRecord(notice: id, dealer: "D1", lines: lines, resolved: lines.map { LineRef(kind: .labor, id: $0) },
                     amount: amount, issued: issued, confirmed: confirmed)
    }

    /// D1: lines of 100 approved, 200 deducted on confirmed N1, 50 rejected; invoiced 1,000, paid 300.
    static let lines = [line("V1", .approved, 100), line("V2", .deducted, 200, notice: "N1"), line("V3", .rejected, 50)]
    static let notices = [notice("N1", ["V2"], 200, issued: mark(10, .costWrittenOff), confirmed: mark(11, .writeoffConfirmed))]
    static let money = [MoneyRecord(mark: mark(3, .dealerInvoiced), dealer: "D1", amount: 1000),
                        MoneyRecord(mark: mark(4, .paymentReceived), dealer: "D1", amount: 300)]
    static let balance = DealerBalance(dealer: "D1", claimed: 350, approved: 100, rejected: 50, deducted: 200, receivable: 500)

    static func breaches(balances: [DealerBalance] = [balance], lines: [ClaimLine] = lines,
                         notices: [NoticeRecord] = notices, money: [MoneyRecord] = money) -> [String] {
        FinanceChecks.breaches(on: day, balances: balances, lines: lines, notices: notices, money: money).map { "\($0.check.rawValue): \($0.message)" }
    }

    @Test func consistentAnswersHaveNoBreach() {
        #expect(Self.breaches() == [])
    }

    @Test func claimedNotTheSumOfItsParts() {
        var wrong = Self.balance
        wrong.claimed = 351
        #expect(Self.breaches(balances: [wrong]) == [
            "claimed-sum: dealer D1: claimed 351 ≠ pending + approved + rejected + written off + deducted = 350 fen",
            "claimed-sum: dealer D1: claimed 351 ≠ the sum of its claimed lines 350 fen",
        ])
    }

    @Test func aColumnNotTheSumOfItsLines() {
        var wrong = Self.balance
        wrong.approved = 90
        wrong.pending = 10
        #expect(Self.breaches(balances: [wrong]) == [
            "claimed-sum: dealer D1: pending 10 ≠ the sum of its pending lines 0 fen",
            "claimed-sum: dealer D1: approved 90 ≠ the sum of its approved lines 100 fen",
        ])
    }

    @Test func linesOfADealerWithoutARow() {
        #expect(Self.breaches(lines: Self.lines + [Self.line("V9", .pending, 5, dealer: "D2")]) == [
            "claimed-sum: dealer D2 has claim lines on 2025-06-30 but no balance row (not enrolled then)",
        ])
    }

    @Test func deductedWithoutAConfirmedNotice() {
        var unconfirmed = Self.notices
        unconfirmed[0].confirmed = nil
        #expect(Self.breaches(notices: unconfirmed) == [
            "deducted-without-confirmed-notice: line V2 of dealer D1 is deducted but notice N1 is not confirmed on or before 2025-06-30",
        ])
        var confirmedLater = Self.notices
        confirmedLater[0].confirmed = Self.mark(11, .writeoffConfirmed, "2025-07-01")
        #expect(Self.breaches(notices: confirmedLater).count == 1)
        var lines = Self.lines
        lines[1].notice = nil
        #expect(Self.breaches(lines: lines) == [
            "deducted-without-confirmed-notice: line V2 of dealer D1 is deducted but it is on no live notice dated on or before 2025-06-30",
        ])
        var otherDealer = Self.notices
        otherDealer[0].dealer = "D2"
        #expect(Self.breaches(notices: otherDealer) == [
            "notice-line: notice N1 of dealer D2 lists line V2 of dealer D1",
            "deducted-without-confirmed-notice: line V2 of dealer D1 is deducted but notice N1 belongs to dealer D2",
        ])
    }

    @Test func receivableNotInvoicedLessPaidLessDeducted() {
        var wrong = Self.balance
        wrong.receivable = 700
        #expect(Self.breaches(balances: [wrong]) == [
            "receivable: dealer D1: receivable 700 ≠ invoiced 1000 − paid 300 − deducted 200 = 500 fen",
        ])
        // A payment dated after the day does not count.
        let later = Self.money + [MoneyRecord(mark: Self.mark(20, .paymentReceived, "2025-07-01"), dealer: "D1", amount: 9)]
        #expect(Self.breaches(money: later) == [])
    }

    @Test func noticeAmountAndDoubleListing() {
        let notices = Self.notices + [
            Self.notice("N2", ["V1", "V2"], 301, issued: Self.mark(12, .costWrittenOff)),
            Self.notice("N3", ["V404"], 1, issued: Self.mark(13, .costWrittenOff)),
            Self.notice("N4", ["V1"], 100, issued: Self.mark(14, .costWrittenOff, "2025-07-01")),
        ]
        #expect(Self.breaches(notices: notices) == [
            "notice-amount: notice N2 (dealer D1): amount 301 ≠ the sum of its lines 300 fen",
            "notice-line: notice N3 (dealer D1) lists V404, which is not one claim line on 2025-06-30",
            "line-in-two-notices: labor line V2 is on 2 notices: N1, N2",
        ])
    }

    /// Lines on two notices are reported by id, then labor before part, whatever the order of the hash tables.
    @Test func doubleListingsInIDThenKindOrder() {
        let ids = ["E", "B", "D", "A", "C"]
        let lines = ids.flatMap { [Self.line($0, .approved, 0), Self.line($0, .approved, 0, kind: .part)] }
        let refs = ids.flatMap { [LineRef(kind: .part, id: $0), LineRef(kind: .labor, id: $0)] }
        let notices = ["N1", "N2"].enumerated().map { index, id in
            NoticeRecord(notice: id, dealer: "D1", lines: refs.map(\.id), resolved: refs, amount: 0,
                         issued: Self.mark(Int64(20 + index), .costWrittenOff))
        }
        #expect(Self.breaches(balances: [DealerBalance(dealer: "D1")], lines: lines, notices: notices, money: []) == [
            "line-in-two-notices: labor line A is on 2 notices: N1, N2",
            "line-in-two-notices: part line A is on 2 notices: N1, N2",
            "line-in-two-notices: labor line B is on 2 notices: N1, N2",
            "line-in-two-notices: part line B is on 2 notices: N1, N2",
            "line-in-two-notices: labor line C is on 2 notices: N1, N2",
            "line-in-two-notices: part line C is on 2 notices: N1, N2",
            "line-in-two-notices: labor line D is on 2 notices: N1, N2",
            "line-in-two-notices: part line D is on 2 notices: N1, N2",
            "line-in-two-notices: labor line E is on 2 notices: N1, N2",
            "line-in-two-notices: part line E is on 2 notices: N1, N2",
        ])
    }

    /// A notice counts the line its id named when it was appended, even when a line of the other kind has that id now.
    @Test func aNoticeCountsTheLineItsIDNamedWhenAppended() {
        let lines = [Self.line("1001", .writtenOff, 6000, notice: "N1"), Self.line("1001", .approved, 20000, kind: .part)]
        let notice = Self.notice("N1", ["1001"], 6000, issued: Self.mark(6, .costWrittenOff))
        let balance = DealerBalance(dealer: "D1", claimed: 26000, approved: 20000, writtenOff: 6000)
        #expect(Self.breaches(balances: [balance], lines: lines, notices: [notice], money: []) == [])
        var deducted = lines
        deducted[0].status = .deducted
        var confirmed = notice
        confirmed.confirmed = Self.mark(7, .writeoffConfirmed)
        let settled = DealerBalance(dealer: "D1", claimed: 26000, approved: 20000, deducted: 6000, receivable: -6000)
        #expect(Self.breaches(balances: [settled], lines: deducted, notices: [confirmed], money: []) == [])
        // The same id resolved to the part line: the labor line is deducted without being on the notice.
        confirmed.resolved = [LineRef(kind: .part, id: "1001")]
        confirmed.amount = 20000
        #expect(Self.breaches(balances: [settled], lines: deducted, notices: [confirmed], money: []) == [
            "deducted-without-confirmed-notice: line 1001 of dealer D1 is deducted but notice N1 does not list it",
        ])
    }

    /// A draft notice is printed only if its JSON line reads back through the input decoder as the same event.
    @Test func aDraftMustReadBackAsItself() throws {
        let zone = TimeZoneOffset("+08:00")!
        func draft(_ amount: Fen) -> Event {
            Event(at: "2025-03-31", day: Day("2025-03-31")!,
                  body: .costWrittenOff(CostWrittenOff(notice: "WO-D1", dealer: "D1", lines: ["V1"], amount: amount)))
        }
        try Ledger.readsBack(draft(Limits.moneyFenMax), zone: zone)
        do {
            try Ledger.readsBack(draft(Limits.moneyFenMax + 1), zone: zone)
            Issue.record("a notice over the money limit read back")
        } catch {
            #expect(error.code == .verificationFailed)
            #expect(error.message == #"draft not printed: {"type":"cost.written-off","at":"2025-03-31","data":{"notice":"WO-D1","dealer":"D1","lines":["V1"],"amount":1000000000001}}"#
                    + " — append would refuse it: data.amount: must be at most 1000000000000 fen; this is a bug in writeoff-draft, please report it")
        }
    }
}
