import Testing
import WarrantyDomain
@testable import WarrantyProjections

/// An event at `at`, its business day taken from the first ten characters.
func ev(_ at: String, _ body: EventBody) -> Event {
    Event(at: at, day: Day(at.prefix(10))!, body: body)
}

/// The day `YYYY-MM-DD`.
func day(_ text: String) -> Day {
    Day(text)!
}

/// A ledger for tests: checks every event before applying it, and keeps the log to resolve voids.
struct TestLedger {
    /// The log; the event at seq N is `events[N - 1]`.
    var events: [Event] = []
    var state = LedgerState()

    init() {}

    init(_ events: [Event], sourceLocation: SourceLocation = #_sourceLocation) {
        for event in events {
            add(event, sourceLocation: sourceLocation)
        }
    }

    func event(at seq: Int64) -> Event? {
        seq >= 1 && seq <= events.count ? events[Int(seq) - 1] : nil
    }

    /// Checks and applies `event`, returning its seq.
    @discardableResult
    mutating func append(_ event: Event) throws(Refusal) -> Int64 {
        let log = events
        try state.check(event, resolve: { seq in seq >= 1 && seq <= log.count ? log[Int(seq) - 1] : nil })
        events.append(event)
        let seq = Int64(events.count)
        state.apply(event, seq: seq, target: target(of: event))
        return seq
    }

    /// Appends an event the test expects to be accepted, recording an issue if it is refused.
    @discardableResult
    mutating func add(_ event: Event, sourceLocation: SourceLocation = #_sourceLocation) -> Int64 {
        do {
            return try append(event)
        } catch {
            Issue.record("\(event.type.rawValue) refused: \(error.reason)", sourceLocation: sourceLocation)
            return 0
        }
    }

    mutating func add(_ events: [Event], sourceLocation: SourceLocation = #_sourceLocation) {
        for event in events {
            add(event, sourceLocation: sourceLocation)
        }
    }

    /// The reason `event` would be refused, or nil if it would be accepted.
    func refusal(_ event: Event) -> String? {
        let log = events
        do {
            try state.check(event, resolve: { seq in seq >= 1 && seq <= log.count ? log[Int(seq) - 1] : nil })
            return nil
        } catch {
            return error.reason
        }
    }

    func target(of event: Event) -> Event? {
        guard case .eventVoided(let void) = event.body else { return nil }
        return self.event(at: void.seq)
    }

    /// The seq of the first event of `type` whose main identifier is `identifier`.
    func seq(_ type: EventType, _ identifier: String) -> Int64 {
        guard let index = events.firstIndex(where: { $0.type == type && mainIdentifier($0) == identifier }) else {
            Issue.record("no \(type.rawValue) \(identifier) in the test ledger")
            return 0
        }
        return Int64(index + 1)
    }

    func status(_ serial: String, _ on: String) -> UnitStatus? {
        state.unitStatus(serial: serial, on: day(on))
    }

    func line(_ id: String, _ on: String, kind: LineKind? = nil) -> ClaimLine? {
        state.claimLines(on: day(on)).first { $0.line == id && (kind == nil || $0.kind == kind) }
    }
}

/// The identifier an event is about, for finding it in a test ledger.
func mainIdentifier(_ event: Event) -> String {
    switch event.body {
    case .policyPublished(let x): x.policy
    case .dealerEnrolled(let x): x.dealer
    case .unitSold(let x): x.serial
    case .cardRegistered(let x): x.serial
    case .unitInstalled(let x): x.serial
    case .complaintLodged(let x): x.complaint
    case .visitRecorded(let x): x.visit
    case .partSwapped(let x): x.swap
    case .partReturned(let x): x.swap
    case .partAppraised(let x): x.swap
    case .costWrittenOff(let x): x.notice
    case .writeoffConfirmed(let x): x.notice
    case .dealerInvoiced(let x): x.invoice
    case .paymentReceived(let x): x.ref ?? x.dealer
    case .unitReturned(let x): x.serial
    case .unitExchanged(let x): x.serial
    case .eventVoided(let x): "\(x.seq)"
    }
}

/// Short constructors for test events; defaults describe the usual fixture.
enum E {
    static func policy(_ id: String = "P1", models: [String] = ["M"], effective: String = "2025-01-01",
                       clock: PolicyPublished.ClockStart = .sale, returnDays: Int32 = 7, exchangeDays: Int32 = 15,
                       months: Int32 = 12, components: [(String, Int32)] = [], excluded: [String] = [],
                       escalateAfter: Int32? = nil, maxRepairDays: Int32? = nil, registrationDays: Int32? = nil,
                       deadlines: [String]? = nil, retentionYears: Int32? = nil, laborRate: Fen = 6000,
                       at: String = "2025-01-01") -> Event {
        let monthDays = deadlines?.map { text -> PolicyPublished.MonthDay in
            PolicyPublished.MonthDay(month: Int8(text.prefix(2))!, day: Int8(text.suffix(2))!)
        }
        return ev(at, .policyPublished(PolicyPublished(
            policy: id, models: models, effective: day(effective), clockStart: clock, returnDays: returnDays,
            exchangeDays: exchangeDays, warrantyMonths: months,
            components: components.isEmpty ? nil : components.map { PolicyPublished.Component(part: $0.0, months: $0.1) },
            excluded: excluded.isEmpty ? nil : excluded, escalateAfter: escalateAfter, maxRepairDays: maxRepairDays,
            registrationDays: registrationDays, partReturnDeadlines: monthDays, retentionYears: retentionYears,
            laborRate: laborRate)))
    }

    static func dealer(_ id: String, at: String = "2025-01-01") -> Event {
        ev(at, .dealerEnrolled(DealerEnrolled(dealer: id, name: "Dealer \(id)")))
    }

    static func sale(_ serial: String, _ at: String, model: String = "M", dealer: String = "D1") -> Event {
        ev(at, .unitSold(UnitSold(serial: serial, model: model, dealer: dealer, price: 100_000)))
    }

    static func card(_ serial: String, _ at: String) -> Event {
        ev(at, .cardRegistered(CardRegistered(serial: serial)))
    }

    static func install(_ serial: String, _ at: String) -> Event {
        ev(at, .unitInstalled(UnitInstalled(serial: serial)))
    }

    static func complaint(_ id: String, _ serial: String, _ at: String, part: String? = nil) -> Event {
        ev(at, .complaintLodged(ComplaintLodged(complaint: id, serial: serial, part: part, fault: "fault")))
    }

    static func visit(_ id: String, _ serial: String, _ at: String, dealer: String = "D1", complaint: String? = nil,
                      kind: VisitRecorded.Kind = .repair, finding: VisitRecorded.Finding = .defect,
                      minutes: Int32 = 60, travel: Fen = 0, resolved: Bool = true) -> Event {
        ev(at, .visitRecorded(VisitRecorded(visit: id, serial: serial, dealer: dealer, complaint: complaint, kind: kind,
                                            finding: finding, laborMinutes: minutes, travel: travel, resolved: resolved)))
    }

    static func swap(_ id: String, visit: String, _ serial: String, _ at: String, part: String = "pump",
                     cost: Fen = 10_000) -> Event {
        ev(at, .partSwapped(PartSwapped(swap: id, visit: visit, serial: serial, part: part, cost: cost)))
    }

    static func returned(_ swap: String, _ at: String) -> Event {
        ev(at, .partReturned(PartReturned(swap: swap)))
    }

    static func appraised(_ swap: String, _ at: String, _ verdict: PartAppraised.Verdict = .defect) -> Event {
        ev(at, .partAppraised(PartAppraised(swap: swap, verdict: verdict, disposition: .scrap)))
    }

    static func notice(_ id: String, dealer: String = "D1", _ lines: [String], amount: Fen, _ at: String) -> Event {
        ev(at, .costWrittenOff(CostWrittenOff(notice: id, dealer: dealer, lines: lines, amount: amount)))
    }

    static func confirm(_ notice: String, _ at: String) -> Event {
        ev(at, .writeoffConfirmed(WriteoffConfirmed(notice: notice)))
    }

    static func invoice(_ dealer: String, _ invoice: String, _ amount: Fen, _ at: String) -> Event {
        ev(at, .dealerInvoiced(DealerInvoiced(dealer: dealer, invoice: invoice, amount: amount)))
    }

    static func payment(_ dealer: String, _ amount: Fen, _ at: String, ref: String? = nil) -> Event {
        ev(at, .paymentReceived(PaymentReceived(dealer: dealer, amount: amount, ref: ref)))
    }

    static func unitReturned(_ serial: String, _ at: String) -> Event {
        ev(at, .unitReturned(UnitReturned(serial: serial, refund: 100_000)))
    }

    static func exchanged(_ serial: String, for replacement: String, _ at: String) -> Event {
        ev(at, .unitExchanged(UnitExchanged(serial: serial, replacement: replacement)))
    }

    static func void(_ seq: Int64, _ at: String = "2027-01-01") -> Event {
        ev(at, .eventVoided(EventVoided(seq: seq, reason: "entered by mistake")))
    }
}

/// The usual fixture: policy P1 for model M (sale clock, 7/15 days, 12 months, 60 CNY an hour),
/// dealers D1 and D2, and SN1 sold by D1 on 2025-03-01 with its card in on 2025-03-05.
func fixture(_ policy: Event = E.policy(), sourceLocation: SourceLocation = #_sourceLocation) -> TestLedger {
    TestLedger([policy, E.dealer("D1"), E.dealer("D2"), E.sale("SN1", "2025-03-01"), E.card("SN1", "2025-03-05")],
               sourceLocation: sourceLocation)
}

// MARK: Answers as the JSON of SPEC §4, keys sorted, for comparing with the worked example verbatim.

indirect enum JSONShape {
    case string(String), integer(Int64), bool(Bool), null
    case object([(String, JSONShape)]), array([JSONShape])

    var text: String {
        switch self {
        case .string(let value): "\"\(value)\""
        case .integer(let value): "\(value)"
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .array(let items): "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let members):
            "{" + members.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\": \($0.1.text)" }.joined(separator: ", ") + "}"
        }
    }

    static func day(_ value: Day?) -> JSONShape { value.map { .string($0.description) } ?? .null }
    static func string(_ value: String?) -> JSONShape { value.map { .string($0) } ?? .null }
}

func json(_ status: UnitStatus) -> String {
    JSONShape.object([
        ("serial", .string(status.serial)), ("model", .string(status.model)), ("dealer", .string(status.dealer)),
        ("policy", .string(status.policy)), ("state", .string(status.state.rawValue)),
        ("sold", .day(status.sold)), ("start", .day(status.start)), ("end", .day(status.end)),
        ("extensionDays", .integer(Int64(status.extensionDays))),
        ("components", .object(status.components.map { ($0.key, .day($0.value)) })),
        ("registration", .string(status.registration.rawValue)),
        ("repairs", .object(status.repairs.map { ($0.key, .integer(Int64($0.value))) })),
        ("escalation", .bool(status.escalation)),
    ]).text
}

func json(_ line: ClaimLine) -> String {
    JSONShape.object([
        ("line", .string(line.line)), ("kind", .string(line.kind.rawValue)), ("dealer", .string(line.dealer)),
        ("serial", .string(line.serial)), ("amount", .integer(line.amount)), ("status", .string(line.status.rawValue)),
        ("reason", .string(line.reason?.rawValue)), ("notice", .string(line.notice)),
    ]).text
}

func json(_ row: DealerBalance) -> String {
    JSONShape.object([
        ("dealer", .string(row.dealer)), ("claimed", .integer(row.claimed)), ("pending", .integer(row.pending)),
        ("approved", .integer(row.approved)), ("rejected", .integer(row.rejected)),
        ("writtenOff", .integer(row.writtenOff)), ("deducted", .integer(row.deducted)),
        ("receivable", .integer(row.receivable)),
    ]).text
}

func json(_ record: ArchiveRecord) -> String {
    JSONShape.object([
        ("record", .string(record.record)), ("serial", .string(record.serial)), ("dealer", .string(record.dealer)),
        ("opened", .day(record.opened)), ("closed", .day(record.closed)), ("retainUntil", .day(record.retainUntil)),
        ("visits", .array(record.visits.map { .string($0) })), ("swaps", .array(record.swaps.map { .string($0) })),
        ("cost", .integer(record.cost)),
    ]).text
}

/// Everything the read API answers on `days`, for comparing two states.
struct Answers: Equatable, CustomStringConvertible {
    var statuses: [String: UnitStatus?] = [:]
    var lines: [[ClaimLine]] = []
    var balances: [[DealerBalance]] = []
    var archives: [[ArchiveRecord]] = []

    init(_ state: LedgerState, serials: [String], days: [Day]) {
        for day in days {
            for serial in serials {
                statuses["\(serial)@\(day)"] = state.unitStatus(serial: serial, on: day)
            }
            lines.append(state.claimLines(on: day))
            balances.append(state.dealerBalances(on: day))
            archives.append(state.archive(on: day))
        }
    }

    var description: String {
        "statuses: \(statuses.count), lines: \(lines.map(\.count)), archive: \(archives.map(\.count))"
    }
}

/// The state with the bookkeeping of voids cleared, so that it compares equal to a fold that never saw them.
func withoutVoidBookkeeping(_ state: LedgerState) -> LedgerState {
    var copy = state
    copy.voided = []
    copy.lastSeq = 0
    return copy
}
