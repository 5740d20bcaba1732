import WarrantyDomain
import WarrantyProjections

/// The finance invariants of a day, as pure functions of the answers and the records, so that each can be tested alone.
public enum FinanceChecks {
    /// Every breach on `day`: sums by status, notices against their lines, deductions against confirmations, receivables.
    /// - Parameters:
    ///   - balances: the `dealers` rows of the day.
    ///   - lines: every claim line of the day.
    ///   - notices: the live notices (any day; those dated after `day` are ignored), each with its line ids as
    ///     resolved when it was appended.
    ///   - money: the live invoices and payments (any day).
    public static func breaches(on day: Day, balances: [DealerBalance], lines: [ClaimLine], notices: [NoticeRecord],
                                money: [MoneyRecord]) -> [Breach] {
        var breaches: [Breach] = []
        let notices = notices.filter { $0.issued.day <= day }.sorted { $0.notice.utf8.lexicographicallyPrecedes($1.notice.utf8) }
        var linesByRef: [LineRef: ClaimLine] = [:]
        var sums: [String: DealerBalance] = [:]
        for line in lines {
            linesByRef[LineRef(kind: line.kind, id: line.line)] = line
            // Each column summed from the individual lines, to compare with the projection's row.
            sums[line.dealer, default: DealerBalance(dealer: line.dealer)].add(line)
        }
        var invoiced: [String: Fen] = [:]
        var paid: [String: Fen] = [:]
        for record in money where record.mark.day <= day {
            if record.mark.type == .dealerInvoiced { invoiced[record.dealer, default: 0] += record.amount }
            else { paid[record.dealer, default: 0] += record.amount }
        }

        // claimed = pending + approved + rejected + writtenOff + deducted, and each column is the sum of its lines.
        let rows = Dictionary(balances.map { ($0.dealer, $0) }, uniquingKeysWith: { first, _ in first })
        for balance in balances {
            let parts = balance.pending + balance.approved + balance.rejected + balance.writtenOff + balance.deducted
            if balance.claimed != parts {
                breaches.append(Breach(.claimedSum, dealer: balance.dealer,
                    "dealer \(balance.dealer): claimed \(balance.claimed) ≠ pending + approved + rejected + written off + deducted = \(parts) fen"))
            }
            let lineSums = BalanceDelta.values(of: sums[balance.dealer] ?? DealerBalance(dealer: balance.dealer))
            let shown = BalanceDelta.values(of: balance)
            for (index, column) in BalanceDelta.columns.enumerated().dropLast() where lineSums[index] != shown[index] {
                breaches.append(Breach(.claimedSum, dealer: balance.dealer,
                    "dealer \(balance.dealer): \(column) \(shown[index]) ≠ the sum of its \(column) lines \(lineSums[index]) fen"))
            }
        }
        for dealer in sums.keys.sorted() where rows[dealer] == nil {
            breaches.append(Breach(.claimedSum, dealer: dealer,
                "dealer \(dealer) has claim lines on \(day) but no balance row (not enrolled then)"))
        }

        // Each notice's amount is the sum of its lines, each line its dealer's and on no other notice.
        var noticesOfLine: [LineRef: [String]] = [:]
        for notice in notices {
            var sum: Fen = 0
            var complete = true
            for (id, ref) in zip(notice.lines, notice.resolved) {
                guard let ref, let line = linesByRef[ref] else {
                    complete = false
                    breaches.append(Breach(.noticeLine, dealer: notice.dealer, notice: notice.notice, line: id,
                        "notice \(notice.notice) (dealer \(notice.dealer)) lists \(id), which is not one claim line on \(day)"))
                    continue
                }
                noticesOfLine[ref, default: []].append(notice.notice)
                if line.dealer != notice.dealer {
                    breaches.append(Breach(.noticeLine, dealer: notice.dealer, notice: notice.notice, line: id,
                        "notice \(notice.notice) of dealer \(notice.dealer) lists line \(id) of dealer \(line.dealer)"))
                }
                sum += line.amount
            }
            if complete && sum != notice.amount {
                breaches.append(Breach(.noticeAmount, dealer: notice.dealer, notice: notice.notice,
                    "notice \(notice.notice) (dealer \(notice.dealer)): amount \(notice.amount) ≠ the sum of its lines \(sum) fen"))
            }
        }
        let byIDThenKind = noticesOfLine.sorted { lhs, rhs in
            lhs.key.id != rhs.key.id ? lhs.key.id.utf8.lexicographicallyPrecedes(rhs.key.id.utf8)
                : lhs.key.kind == .labor && rhs.key.kind == .part
        }
        for (ref, ids) in byIDThenKind where ids.count > 1 {
            breaches.append(Breach(.lineInTwoNotices, dealer: linesByRef[ref]?.dealer, notice: ids[1], line: ref.id,
                "\(ref.kind.rawValue) line \(ref.id) is on \(ids.count) notices: \(ids.joined(separator: ", "))"))
        }

        // A deducted line's notice is its dealer's, lists it, and was confirmed on or before the day.
        let noticeByID = Dictionary(notices.map { ($0.notice, $0) }, uniquingKeysWith: { _, last in last })
        for line in lines where line.status == .deducted {
            let notice = line.notice.flatMap { noticeByID[$0] }
            let fault: String? = if let notice {
                if notice.confirmed.map({ $0.day > day }) ?? true { "notice \(notice.notice) is not confirmed on or before \(day)" }
                else if notice.dealer != line.dealer { "notice \(notice.notice) belongs to dealer \(notice.dealer)" }
                else if !notice.resolved.contains(LineRef(kind: line.kind, id: line.line)) { "notice \(notice.notice) does not list it" }
                else { nil }
            } else {
                "it is on no live notice dated on or before \(day)"
            }
            if let fault {
                breaches.append(Breach(.deductedWithoutConfirmedNotice, dealer: line.dealer, notice: line.notice, line: line.line,
                    "line \(line.line) of dealer \(line.dealer) is deducted but \(fault)"))
            }
        }

        // receivable = invoiced − paid − deducted.
        for balance in balances {
            let deducted = sums[balance.dealer]?.deducted ?? 0
            let expected = (invoiced[balance.dealer] ?? 0) - (paid[balance.dealer] ?? 0) - deducted
            if balance.receivable != expected {
                breaches.append(Breach(.receivable, dealer: balance.dealer,
                    "dealer \(balance.dealer): receivable \(balance.receivable) ≠ invoiced \(invoiced[balance.dealer] ?? 0) − paid \(paid[balance.dealer] ?? 0) − deducted \(deducted) = \(expected) fen"))
            }
        }
        return breaches
    }
}

/// What finance needs to act on at period close.
public struct ReconcileActions: Sendable {
    /// A pending part line whose old part is not back yet and whose return deadline is at most 30 days away.
    public struct PartDue: Hashable, Sendable {
        public var line: String
        public var dealer: String
        public var serial: String
        public var part: String
        public var deadline: Day
        public var daysLeft: Int
    }

    /// A pending part line whose old part is back but not yet appraised.
    public struct AwaitingAppraisal: Hashable, Sendable {
        public var line: String
        public var dealer: String
        public var serial: String
        public var part: String
        public var returned: Day
        public var days: Int
    }

    /// An approved line on no notice: cost the dealer is owed a write-off for.
    public struct ApprovedLine: Hashable, Sendable {
        public var line: String
        public var kind: LineKind
        public var dealer: String
        public var serial: String
        public var amount: Fen
        /// The day of the line's visit or swap.
        public var claimed: Day
        /// Days from `claimed` to the day asked about.
        public var ageDays: Int
    }

    /// A notice the dealer has not confirmed more than 30 days after it was issued.
    public struct UnconfirmedNotice: Hashable, Sendable {
        public var notice: String
        public var dealer: String
        public var amount: Fen
        public var issued: Day
        public var ageDays: Int
    }

    /// How far ahead a return deadline is listed, and how old an unconfirmed notice must be to be listed.
    public static let horizonDays = 30

    public var partsDue: [PartDue] = []
    public var awaitingAppraisal: [AwaitingAppraisal] = []
    public var approvedNotOnNotice: [ApprovedLine] = []
    public var unconfirmedNotices: [UnconfirmedNotice] = []

    /// The actions on `day`, each list sorted by dealer, then by line or notice id.
    public init(on day: Day, lines: [ClaimLine], records: FinanceRecords) {
        for line in lines {
            let ref = LineRef(kind: line.kind, id: line.line)
            let returned = records.returned[line.line].flatMap { $0.day <= day ? $0 : nil }
            let appraised = records.appraised[line.line].flatMap { $0.day <= day ? $0 : nil }
            if line.status == .pending, line.kind == .part, returned == nil, let deadline = line.returnDeadline,
               day.days(to: deadline) <= Self.horizonDays {
                partsDue.append(PartDue(line: line.line, dealer: line.dealer, serial: line.serial, part: line.part,
                                        deadline: deadline, daysLeft: day.days(to: deadline)))
            }
            if line.status == .pending, line.kind == .part, let returned, appraised == nil {
                awaitingAppraisal.append(AwaitingAppraisal(line: line.line, dealer: line.dealer, serial: line.serial,
                                                           part: line.part, returned: returned.day,
                                                           days: returned.day.days(to: day)))
            }
            if line.status == .approved, let made = records.made[ref] {
                approvedNotOnNotice.append(ApprovedLine(line: line.line, kind: line.kind, dealer: line.dealer,
                                                        serial: line.serial, amount: line.amount, claimed: made.day,
                                                        ageDays: made.day.days(to: day)))
            }
        }
        for notice in records.notices.values where notice.issued.day <= day {
            let age = notice.issued.day.days(to: day)
            if notice.confirmed.map({ $0.day > day }) ?? true, age > Self.horizonDays {
                unconfirmedNotices.append(UnconfirmedNotice(notice: notice.notice, dealer: notice.dealer,
                                                            amount: notice.amount, issued: notice.issued.day, ageDays: age))
            }
        }
        func order(_ lhs: (String, String), _ rhs: (String, String)) -> Bool {
            lhs.0 != rhs.0 ? lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8) : lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
        }
        partsDue.sort { order(($0.dealer, $0.line), ($1.dealer, $1.line)) }
        awaitingAppraisal.sort { order(($0.dealer, $0.line), ($1.dealer, $1.line)) }
        approvedNotOnNotice.sort { order(($0.dealer, $0.line), ($1.dealer, $1.line)) }
        unconfirmedNotices.sort { order(($0.dealer, $0.notice), ($1.dealer, $1.notice)) }
    }
}
