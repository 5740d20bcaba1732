import WarrantyDomain
import WarrantyProjections

/// A change in a dealer's balance columns; a statement's movements add up to closing − opening.
public struct BalanceDelta: Hashable, Sendable {
    public var claimed: Fen = 0
    public var pending: Fen = 0
    public var approved: Fen = 0
    public var rejected: Fen = 0
    public var writtenOff: Fen = 0
    public var deducted: Fen = 0
    public var receivable: Fen = 0

    public init() {}

    /// The column names, as in a `dealers --json` row, in the order documents print them.
    public static let columns = ["claimed", "pending", "approved", "rejected", "writtenOff", "deducted", "receivable"]

    /// The values in the order of `columns`.
    public var values: [Fen] { [claimed, pending, approved, rejected, writtenOff, deducted, receivable] }

    /// The balance's values in the order of `columns`.
    public static func values(of balance: DealerBalance) -> [Fen] {
        [balance.claimed, balance.pending, balance.approved, balance.rejected, balance.writtenOff,
         balance.deducted, balance.receivable]
    }

    /// A line of `amount` moving from status `from` (nil: a new line, counted in `claimed`) to `to`: the dealer's
    /// balance with the line counted as the projections count it in `to`, less the balance with it in `from`.
    static func line(_ amount: Fen, from: LineStatus?, to: LineStatus) -> BalanceDelta {
        var before = DealerBalance(dealer: "")
        if let from { before.add(amount, status: from) }
        var after = DealerBalance(dealer: "")
        after.add(amount, status: to)
        var delta = BalanceDelta()
        delta.claimed = after.claimed - before.claimed
        delta.pending = after.pending - before.pending
        delta.approved = after.approved - before.approved
        delta.rejected = after.rejected - before.rejected
        delta.writtenOff = after.writtenOff - before.writtenOff
        delta.deducted = after.deducted - before.deducted
        delta.receivable = after.receivable - before.receivable
        return delta
    }

    static func + (lhs: BalanceDelta, rhs: BalanceDelta) -> BalanceDelta {
        var sum = lhs
        sum.claimed += rhs.claimed
        sum.pending += rhs.pending
        sum.approved += rhs.approved
        sum.rejected += rhs.rejected
        sum.writtenOff += rhs.writtenOff
        sum.deducted += rhs.deducted
        sum.receivable += rhs.receivable
        return sum
    }
}

/// One movement of a dealer statement: what happened on a day, the event behind it and its effect on the balances.
public struct StatementMovement: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// A new claim line (a repair visit's labor or a part swap).
        case line
        /// A line's status or rejection reason changed.
        case status
        /// A write-off notice was issued; its lines' status movements carry the amounts.
        case notice
        /// The dealer confirmed a notice; its lines' moves to `deducted` carry the deduction.
        case confirmation
        case invoice
        case payment
    }

    /// Why a status changed on a day without an event: a time limit set by an earlier event ran out.
    public static let returnDeadlinePassed = "return-deadline-passed"
    public static let registrationDuePassed = "registration-due-passed"

    public var day: Day
    /// The event behind the movement; for a passed time limit, the event that set it.
    public var seq: Int64
    public var kind: Kind
    /// The type of the event behind the movement, or `return-deadline-passed` / `registration-due-passed`.
    public var cause: String
    public var line: String?
    public var lineKind: LineKind?
    public var serial: String?
    public var notice: String?
    /// The invoice number or payment reference.
    public var reference: String?
    public var fromStatus: LineStatus?
    public var toStatus: LineStatus?
    /// The rejection reason after the change.
    public var reason: RejectionReason?
    /// The line, notice, invoice or payment amount.
    public var amount: Fen
    /// For a passed return deadline, the deadline day.
    public var deadline: Day?
    public var delta: BalanceDelta
}

/// A dealer's statement for a period: the balances before and after it and every movement between.
public struct Statement: Sendable {
    public var dealer: String
    public var name: String?
    public var from: Day
    public var to: Day
    /// The balances as of the day before `from`: zeros if the dealer enrolled later.
    public var opening: DealerBalance
    /// The balances as of `to`.
    public var closing: DealerBalance
    /// In day order, then seq order.
    public var movements: [StatementMovement]
    /// The sum of the movements' deltas, which equals closing − opening in every column.
    public var totals: BalanceDelta
}

extension Ledger {
    /// The statement of `dealer` from `from` to `to` as the ledger knew it after `knownAt` events.
    ///
    /// Statuses are compared on every day something can change them (an event of the line, its unit or its notice,
    /// the day after a return deadline or a registration due day), so each change is found on the day it happens.
    /// Throws exit 1 if opening + movements ≠ closing: a wrong document is never printed.
    /// - Complexity: O(the dealer's lines × the events of their units) plus one pass over the log.
    public func statement(dealer: String, from: Day, to: Day, knownAt: Int64 = .max) throws(LedgerError) -> Statement {
        try statements(dealers: [dealer], from: from, to: to, knownAt: knownAt)[0]
    }

    /// The statements of `dealers` (nil: every dealer enrolled on or before `to`, by id) from one fold of the log.
    public func statements(dealers: [String]?, from: Day, to: Day, knownAt: Int64 = .max) throws(LedgerError) -> [Statement] {
        guard from <= to else { throw LedgerError(.usage, "--from \(from) is after --to \(to)") }
        // One dealer's statement needs only that dealer's units (`state(forDealer:)`) and their streams' events.
        let (state, streams) = if let dealers, dealers.count == 1 {
            try dealerView(dealers[0], knownAt: knownAt)
        } else {
            (try self.state(knownAt: knownAt), Set<String>?.none)
        }
        for dealer in dealers ?? [] where state.dealerName(dealer) == nil {
            throw LedgerError(.notFound, "dealer \"\(dealer)\" is not enrolled in the ledger (see `ledger dealers`)")
        }
        // The dealers' lines on `to`: one dealer's from its units, several dealers' from one pass over every unit.
        let lines: [String: [ClaimLine]] = if let dealers, dealers.count == 1 {
            [dealers[0]: state.claimLines(on: to, dealer: dealers[0])]
        } else {
            Dictionary(grouping: state.claimLines(on: to), by: \.dealer)
        }
        // For named dealers, only the events of their lines' units (and those dealers' own) are recorded.
        var only = FinanceRecords()
        if let dealers {
            var serials: Set<String> = []
            for dealer in dealers {
                for line in lines[dealer] ?? [] {
                    serials.insert(line.serial)
                    if let first = state.registrationSerial(of: line.serial) { serials.insert(first) }
                }
            }
            only = FinanceRecords(dealers: Set(dealers), serials: serials)
        }
        let records = try financeRecords(knownAt: knownAt, into: only, streams: streams) { !state.isVoided($0) }
        let opening = Dictionary(state.dealerBalances(on: from.adding(days: -1)).map { ($0.dealer, $0) }) { first, _ in first }
        let closing = state.dealerBalances(on: to)
        let closingRows = Dictionary(closing.map { ($0.dealer, $0) }) { first, _ in first }
        var statements: [Statement] = []
        for dealer in dealers ?? closing.map(\.dealer) {
            statements.append(try Statement(state: state, records: records, dealer: dealer, lines: lines[dealer] ?? [],
                                            from: from, to: to, opening: opening[dealer], closing: closingRows[dealer]))
        }
        return statements
    }
}

extension Statement {
    /// Builds and checks the statement from a folded state and the records of the same live events.
    ///
    /// `lines` are the dealer's claim lines on `to` (`LedgerState.claimLines(on:dealer:)`); `opening` and `closing` are
    /// the dealer's `dealers` rows on the day before `from` and on `to` (nil: not enrolled then, all zeros).
    public init(state: LedgerState, records: FinanceRecords, dealer: String, lines: [ClaimLine], from: Day, to: Day,
                opening: DealerBalance?, closing: DealerBalance?) throws(LedgerError) {
        let openingDay = from.adding(days: -1)
        guard let closing, records.enrolled[dealer].map({ $0.day <= to }) ?? false else {
            throw LedgerError(.notFound, "dealer \"\(dealer)\" is not enrolled on or before \(to)")
        }
        self.dealer = dealer
        name = state.dealerName(dealer)
        self.from = from
        self.to = to
        self.opening = opening ?? DealerBalance(dealer: dealer)
        self.closing = closing

        // A line's status changes only on a day one of its events is dated (its visit or swap, its unit's warranty
        // facts, its part's return and appraisal, its notice and confirmation), or on the day after its part's return
        // deadline or its unit's registration due day; on every other day it is as on the day before.
        var movements: [StatementMovement] = []
        for line in lines {
            var days = Set(records.marks(for: line).map(\.day))
            if let deadline = line.returnDeadline { days.insert(deadline.adding(days: 1)) }
            let due = state.registrationDue(serial: line.serial)
            if let due { days.insert(due.adding(days: 1)) }
            var previous = state.claimLine(kind: line.kind, id: line.line, on: openingDay)
            for day in days.filter({ $0 >= from && $0 <= to }).sorted() {
                guard let current = state.claimLine(kind: line.kind, id: line.line, on: day) else { continue }
                if let before = previous {
                    if before.status != current.status || before.reason != current.reason {
                        movements.append(try Self.change(of: current, from: before, on: day, records: records, registrationDue: due))
                    }
                } else {
                    guard let made = records.made[LineRef(kind: line.kind, id: line.line)], made.day == day else {
                        throw Self.bug("line \(line.line) appears on \(day), but no visit or swap of that day made it")
                    }
                    movements.append(StatementMovement(
                        day: day, seq: made.seq, kind: .line, cause: made.type.rawValue, line: current.line,
                        lineKind: current.kind, serial: current.serial, notice: current.notice, toStatus: current.status,
                        reason: current.reason, amount: current.amount, delta: .line(current.amount, from: nil, to: current.status)))
                }
                previous = current
            }
        }

        for notice in (records.noticesOfDealer[dealer] ?? []).compactMap({ records.notices[$0] }) {
            if (from...to).contains(notice.issued.day) {
                movements.append(StatementMovement(
                    day: notice.issued.day, seq: notice.issued.seq, kind: .notice, cause: notice.issued.type.rawValue,
                    notice: notice.notice, amount: notice.amount, delta: BalanceDelta()))
            }
            if let confirmed = notice.confirmed, (from...to).contains(confirmed.day) {
                movements.append(StatementMovement(
                    day: confirmed.day, seq: confirmed.seq, kind: .confirmation, cause: confirmed.type.rawValue,
                    notice: notice.notice, amount: notice.amount, delta: BalanceDelta()))
            }
        }
        for money in records.moneyOfDealer[dealer] ?? [] where (from...to).contains(money.mark.day) {
            var delta = BalanceDelta()
            let invoice = money.mark.type == .dealerInvoiced
            delta.receivable = invoice ? money.amount : -money.amount
            movements.append(StatementMovement(
                day: money.mark.day, seq: money.mark.seq, kind: invoice ? .invoice : .payment,
                cause: money.mark.type.rawValue, reference: money.reference, amount: money.amount, delta: delta))
        }
        // Day, then seq; a notice or confirmation before the line changes it causes, and those by line id.
        movements.sort { lhs, rhs in
            if lhs.day != rhs.day { return lhs.day < rhs.day }
            if lhs.seq != rhs.seq { return lhs.seq < rhs.seq }
            let (left, right) = (lhs.kind == .notice || lhs.kind == .confirmation, rhs.kind == .notice || rhs.kind == .confirmation)
            if left != right { return left }
            if lhs.line != rhs.line { return (lhs.line ?? "").utf8.lexicographicallyPrecedes((rhs.line ?? "").utf8) }
            return lhs.lineKind == .labor && rhs.lineKind == .part
        }
        self.movements = movements
        totals = movements.reduce(BalanceDelta()) { $0 + $1.delta }

        // Opening + movements = closing, column by column: a mismatch means a movement was missed or miscounted.
        let opened = BalanceDelta.values(of: self.opening)
        let closed = BalanceDelta.values(of: self.closing)
        for (index, column) in BalanceDelta.columns.enumerated() where opened[index] + totals.values[index] != closed[index] {
            throw Self.bug("opening + movements ≠ closing in column \(column): \(opened[index]) + \(totals.values[index]) ≠ \(closed[index]) fen")
        }
    }

    /// The movement of `line`'s change on `day` from `before`, with the event behind it.
    static func change(of line: ClaimLine, from before: ClaimLine, on day: Day, records: FinanceRecords,
                       registrationDue: Day?) throws(LedgerError) -> StatementMovement {
        let ref = LineRef(kind: line.kind, id: line.line)
        var movement = StatementMovement(
            day: day, seq: 0, kind: .status, cause: "", line: line.line, lineKind: line.kind, serial: line.serial,
            notice: line.notice, fromStatus: before.status, toStatus: line.status, reason: line.reason,
            amount: line.amount, delta: .line(line.amount, from: before.status, to: line.status))
        let marks = records.marks(for: line).filter { $0.day == day }
        if line.reason == .partNotReturned, let deadline = line.returnDeadline, deadline.adding(days: 1) == day,
           let swap = records.made[ref] {
            movement.seq = swap.seq
            movement.cause = StatementMovement.returnDeadlinePassed
            movement.deadline = deadline
            return movement
        }
        if line.reason == .notRegistered, registrationDue?.adding(days: 1) == day,
           !marks.contains(where: { $0.type == .cardRegistered }), let sale = records.introduced[records.chainFirst(line.serial)] {
            movement.seq = sale.seq
            movement.cause = StatementMovement.registrationDuePassed
            return movement
        }
        // A notice or confirmation explains a move to written off or deducted; otherwise the day's last event decides.
        let preferred: EventType? = switch line.status {
        case .writtenOff: .costWrittenOff
        case .deducted: .writeoffConfirmed
        default: nil
        }
        guard let mark = marks.filter({ preferred == nil || $0.type == preferred }).max(by: { $0.seq < $1.seq })
                ?? marks.max(by: { $0.seq < $1.seq }) else {
            throw bug("line \(line.line) changed from \(before.status.rawValue) to \(line.status.rawValue) on \(day) without an event of that day")
        }
        movement.seq = mark.seq
        movement.cause = mark.type.rawValue
        return movement
    }

    static func bug(_ what: String) -> LedgerError {
        LedgerError(.verificationFailed, "statement not printed: \(what); this is a bug in the statement, not in the ledger — please report it")
    }
}
