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
    public var amount: Fen
    public var issued: EventMark
    public var confirmed: EventMark?

    public init(notice: String, dealer: String, lines: [String], amount: Fen, issued: EventMark, confirmed: EventMark? = nil) {
        self.notice = notice
        self.dealer = dealer
        self.lines = lines
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
    /// The live notices listing each line id, in log order.
    var noticesOfLine: [String: [String]] = [:]
    var money: [MoneyRecord] = []

    public init() {}

    /// Adds a live event (not voided, not a void).
    public mutating func add(_ event: Event, seq: Int64) {
        let mark = EventMark(day: event.day, seq: seq, type: event.type)
        switch event.body {
        case .dealerEnrolled(let enrolment): enrolled[enrolment.dealer] = mark
        case .unitSold(let sale): introduced[sale.serial] = mark
        case .unitExchanged(let exchange):
            introduced[exchange.replacement] = mark
            replaced[exchange.replacement] = exchange.serial
        case .cardRegistered(let card): unitMarks[card.serial, default: []].append(mark)
        case .unitInstalled(let installation): unitMarks[installation.serial, default: []].append(mark)
        case .complaintLodged(let lodged): unitMarks[lodged.serial, default: []].append(mark)
        case .visitRecorded(let visit):
            unitMarks[visit.serial, default: []].append(mark)
            if visit.kind == .repair { made[LineRef(kind: .labor, id: visit.visit)] = mark }
        case .partSwapped(let swap): made[LineRef(kind: .part, id: swap.swap)] = mark
        case .partReturned(let returned): self.returned[returned.swap] = mark
        case .partAppraised(let appraisal): appraised[appraisal.swap] = mark
        case .costWrittenOff(let notice):
            notices[notice.notice] = NoticeRecord(notice: notice.notice, dealer: notice.dealer, lines: notice.lines,
                                                  amount: notice.amount, issued: mark)
            for line in notice.lines { noticesOfLine[line, default: []].append(notice.notice) }
        case .writeoffConfirmed(let confirmation):
            // The last confirmation counts, as in the projections (a valid log holds one).
            notices[confirmation.notice]?.confirmed = mark
        case .dealerInvoiced(let invoice):
            money.append(MoneyRecord(mark: mark, dealer: invoice.dealer, amount: invoice.amount, reference: invoice.invoice))
        case .paymentReceived(let payment):
            money.append(MoneyRecord(mark: mark, dealer: payment.dealer, amount: payment.amount, reference: payment.ref))
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

    /// What a notice's line id names, as the append path resolves it: the labor line when a repair visit has the id,
    /// else the part line; nil when neither or both do.
    func resolve(_ id: String) -> LineRef? {
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
        for id in noticesOfLine[line.line] ?? [] {
            guard let notice = notices[id], resolve(line.line) == ref else { continue }
            marks.append(notice.issued)
            if let confirmed = notice.confirmed { marks.append(confirmed) }
        }
        return marks
    }
}

extension Ledger {
    /// The finance records of the live events among the first `knownAt`, skipping those `isLive` rejects.
    func financeRecords(knownAt: Int64, isLive: (Int64) -> Bool) throws(LedgerError) -> FinanceRecords {
        var records = FinanceRecords()
        try forEachEvent(through: knownAt) { logged in
            let event = logged.stored.event
            if event.type != .eventVoided, isLive(logged.seq) { records.add(event, seq: logged.seq) }
            return true
        }
        return records
    }
}
