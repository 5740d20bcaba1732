import WarrantyDomain
import WarrantyProjections

/// An event as a finance document cites it: its business day, log position and type.
public struct EventMark: Hashable, Sendable {
    public var day: Day
    public var seq: Int64
    public var type: EventType

    public init(day: Day, seq: Int64, type: EventType) {
        self.day = day
        self.seq = seq
        self.type = type
    }
}

/// A claim line's identity: a labor line (visit id) and a part line (swap id) may share an id.
public struct LineRef: Hashable, Sendable {
    public var kind: LineKind
    public var id: String

    public init(kind: LineKind, id: String) {
        self.kind = kind
        self.id = id
    }
}

/// A live write-off notice as the log states it.
public struct NoticeRecord: Hashable, Sendable {
    public var notice: String
    public var dealer: String
    /// The line ids in the notice's order.
    public var lines: [String]
    /// What each of `lines` named when the notice was appended (nil: no line or both a labor and a part line), in
    /// the same order. Resolved once, as the append path and the projections did: a visit or swap appended later
    /// with the same id does not change what the notice wrote off.
    public var resolved: [LineRef?]
    public var amount: Fen
    public var issued: EventMark
    public var confirmed: EventMark?

    public init(notice: String, dealer: String, lines: [String], resolved: [LineRef?], amount: Fen, issued: EventMark,
                confirmed: EventMark? = nil) {
        precondition(lines.count == resolved.count, "notice \(notice): \(lines.count) line ids, \(resolved.count) resolved")
        self.notice = notice
        self.dealer = dealer
        self.lines = lines
        self.resolved = resolved
        self.amount = amount
        self.issued = issued
        self.confirmed = confirmed
    }
}

/// A live invoice to, or payment from, a dealer.
public struct MoneyRecord: Hashable, Sendable {
    public var mark: EventMark
    public var dealer: String
    public var amount: Fen
    /// The invoice number, or the payment's `ref`.
    public var reference: String?

    public init(mark: EventMark, dealer: String, amount: Fen, reference: String? = nil) {
        self.mark = mark
        self.dealer = dealer
        self.amount = amount
        self.reference = reference
    }
}

/// The live events finance documents cite, by what they name, collected in one pass over the log.
///
/// The projections answer "what is the status on day D"; these records answer "which event was that":
/// every figure of a statement or reconciliation names the seq of the event behind it.
public struct FinanceRecords: Sendable {
    var enrolled: [String: EventMark] = [:]
    /// The visit (labor line) or swap (part line) that made each line.
    var made: [LineRef: EventMark] = [:]
    /// Card, install, complaint and visit events per serial: the facts a unit's warranty is computed from.
    var unitMarks: [String: [EventMark]] = [:]
    /// The sale, or for a replacement the exchange, that introduced each serial.
    var introduced: [String: EventMark] = [:]
    /// The serial each replacement replaced.
    var replaced: [String: String] = [:]
    var returned: [String: EventMark] = [:]
    var appraised: [String: EventMark] = [:]
    var notices: [String: NoticeRecord] = [:]
    /// The live notices listing each line (as resolved when each was appended), in log order.
    var noticesOfLine: [LineRef: [String]] = [:]
    /// The live notice ids of each dealer, in log order.
    var noticesOfDealer: [String: [String]] = [:]
    /// The live invoices and payments of each dealer, in log order.
    var moneyOfDealer: [String: [MoneyRecord]] = [:]

    /// The live invoices and payments of every dealer, in no particular order.
    var money: [MoneyRecord] { moneyOfDealer.values.flatMap { $0 } }

    /// When set, only the events of these serials' units (and of their lines) are recorded.
    private var serials: Set<String>?
    /// When set, only these dealers' enrolments, notices, invoices and payments are recorded.
    private var dealers: Set<String>?

    /// Records every live event.
    public init() {}

    /// Records only what the statements of `dealers` cite, given `serials`: the units of every line of those dealers
    /// in the period and the first unit of each one's exchange chain. Exchanges are all recorded, so chains are whole.
    public init(dealers: Set<String>, serials: Set<String>) {
        self.dealers = dealers
        self.serials = serials
    }

    /// Adds a live event (not voided, not a void); events must be added in log order, because a notice's line ids
    /// are resolved against the visits and swaps added before it.
    public mutating func add(_ event: Event, seq: Int64) {
        let mark = EventMark(day: event.day, seq: seq, type: event.type)
        func keeps(serial: String) -> Bool { serials?.contains(serial) ?? true }
        func keeps(dealer: String) -> Bool { dealers?.contains(dealer) ?? true }
        func keepsSwap(_ swap: String) -> Bool { serials == nil || made[LineRef(kind: .part, id: swap)] != nil }
        switch event.body {
        case .dealerEnrolled(let enrolment): if keeps(dealer: enrolment.dealer) { enrolled[enrolment.dealer] = mark }
        case .unitSold(let sale): if keeps(serial: sale.serial) { introduced[sale.serial] = mark }
        case .unitExchanged(let exchange):
            if keeps(serial: exchange.replacement) { introduced[exchange.replacement] = mark }
            replaced[exchange.replacement] = exchange.serial
        case .cardRegistered(let card): if keeps(serial: card.serial) { unitMarks[card.serial, default: []].append(mark) }
        case .unitInstalled(let installation):
            if keeps(serial: installation.serial) { unitMarks[installation.serial, default: []].append(mark) }
        case .complaintLodged(let lodged): if keeps(serial: lodged.serial) { unitMarks[lodged.serial, default: []].append(mark) }
        case .visitRecorded(let visit):
            guard keeps(serial: visit.serial) else { break }
            unitMarks[visit.serial, default: []].append(mark)
            if visit.kind == .repair { made[LineRef(kind: .labor, id: visit.visit)] = mark }
        case .partSwapped(let swap): if keeps(serial: swap.serial) { made[LineRef(kind: .part, id: swap.swap)] = mark }
        case .partReturned(let returned): if keepsSwap(returned.swap) { self.returned[returned.swap] = mark }
        case .partAppraised(let appraisal): if keepsSwap(appraisal.swap) { appraised[appraisal.swap] = mark }
        case .costWrittenOff(let notice):
            guard keeps(dealer: notice.dealer) else { break }
            let resolved = notice.lines.map(resolve)
            notices[notice.notice] = NoticeRecord(notice: notice.notice, dealer: notice.dealer, lines: notice.lines,
                                                  resolved: resolved, amount: notice.amount, issued: mark)
            noticesOfDealer[notice.dealer, default: []].append(notice.notice)
            for ref in resolved { if let ref { noticesOfLine[ref, default: []].append(notice.notice) } }
        case .writeoffConfirmed(let confirmation):
            // The last confirmation counts, as in the projections (a valid log holds one).
            notices[confirmation.notice]?.confirmed = mark
        case .dealerInvoiced(let invoice):
            guard keeps(dealer: invoice.dealer) else { break }
            moneyOfDealer[invoice.dealer, default: []].append(
                MoneyRecord(mark: mark, dealer: invoice.dealer, amount: invoice.amount, reference: invoice.invoice))
        case .paymentReceived(let payment):
            guard keeps(dealer: payment.dealer) else { break }
            moneyOfDealer[payment.dealer, default: []].append(MoneyRecord(mark: mark, dealer: payment.dealer, amount: payment.amount, reference: payment.ref))
        case .policyPublished, .unitReturned, .eventVoided: break
        }
    }

    /// The first serial of `serial`'s exchange chain, whose card counts for every unit of the chain.
    func chainFirst(_ serial: String) -> String {
        var current = serial
        var steps = 0
        while let older = replaced[current], steps < 100_000 {
            current = older
            steps += 1
        }
        return current
    }

    /// What a notice's line id names among the visits and swaps added so far, as the append path resolved it when the
    /// notice was appended: the labor line when only a repair visit has the id, the part line when only a swap has
    /// it; nil when neither or both do. Only `add` calls it, at the notice's place in the log.
    private func resolve(_ id: String) -> LineRef? {
        let labor = made[LineRef(kind: .labor, id: id)] != nil
        let part = made[LineRef(kind: .part, id: id)] != nil
        switch (labor, part) {
        case (true, false): return LineRef(kind: .labor, id: id)
        case (false, true): return LineRef(kind: .part, id: id)
        default: return nil
        }
    }

    /// Every event that can move `line`'s status: its own visit or swap, its unit's warranty facts, the card of its
    /// exchange chain, its part's return and appraisal, and the notices listing it and their confirmations.
    func marks(for line: ClaimLine) -> [EventMark] {
        var marks = unitMarks[line.serial] ?? []
        let first = chainFirst(line.serial)
        if first != line.serial {
            marks += (unitMarks[first] ?? []).filter { $0.type == .cardRegistered }
        }
        let ref = LineRef(kind: line.kind, id: line.line)
        if let made = made[ref] { marks.append(made) }
        if line.kind == .part {
            if let returned = returned[line.line] { marks.append(returned) }
            if let appraised = appraised[line.line] { marks.append(appraised) }
        }
        for id in noticesOfLine[ref] ?? [] {
            guard let notice = notices[id] else { continue }
            marks.append(notice.issued)
            if let confirmed = notice.confirmed { marks.append(confirmed) }
        }
        return marks
    }
}

extension Ledger {
    /// The finance records of the live events among the first `knownAt`, skipping those `isLive` rejects; `records`
    /// says which events are recorded (all by default), `streams` which are read at all (all by default).
    func financeRecords(knownAt: Int64, into records: FinanceRecords = FinanceRecords(), streams: Set<String>? = nil,
                        isLive: (Int64) -> Bool) throws(LedgerError) -> FinanceRecords {
        var records = records
        try forEachEvent(through: knownAt, including: { StoredEvent.inStreams(streams, $0) }) { logged in
            let event = logged.stored.event
            if event.type != .eventVoided, isLive(logged.seq) { records.add(event, seq: logged.seq) }
            return true
        }
        return records
    }
}
