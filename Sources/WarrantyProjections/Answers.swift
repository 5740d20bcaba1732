import WarrantyDomain

/// The warranty state of a unit on a day (SPEC §3 "State on day D"); the raw value is the wire name.
public enum UnitState: String, Hashable, Sendable, CaseIterable {
    case `return`, exchange, repair, expired, returned, exchanged
}

/// Whether the 三包 registration card reached the factory in time; the raw value is the wire name.
public enum Registration: String, Hashable, Sendable, CaseIterable {
    case onTime = "on-time", late, missing, pending
}

/// What a claim line pays for: a repair visit's labor or a swapped part.
public enum LineKind: String, Hashable, Sendable, CaseIterable {
    case labor, part
}

/// Where a claim line stands on a day; the raw value is the wire name.
public enum LineStatus: String, Hashable, Sendable, CaseIterable {
    case pending, approved, rejected, writtenOff = "written-off", deducted
}

/// Why a claim line is rejected; the cases are in the order SPEC §3 applies them.
public enum RejectionReason: String, Hashable, Sendable, CaseIterable {
    case notRegistered = "not-registered"
    case excludedPart = "excluded-part"
    case outOfWarranty = "out-of-warranty"
    case misuse
    case supplier
    case noFault = "no-fault"
    case partNotReturned = "part-not-returned"
}

/// The answer of `ledger status SERIAL` on a day (SPEC §4).
public struct UnitStatus: Hashable, Sendable {
    public var serial: String
    public var model: String
    /// The selling dealer (for a replacement, the old unit's).
    public var dealer: String
    /// The policy bound at sale.
    public var policy: String
    public var state: UnitState
    /// The sale day; for a replacement, the exchange day.
    public var sold: Day
    /// The day the warranty clock started.
    public var start: Day
    /// The unit's warranty end, extension included.
    public var end: Day
    public var extensionDays: Int
    /// The end of each component the policy lists, extension included.
    public var components: [String: Day]
    public var registration: Registration
    /// Complaints with a `defect` finding per part (`unit` for complaints naming none).
    public var repairs: [String: Int]
    public var escalation: Bool
    /// The serial this unit replaced, for a replacement.
    public var replacementOf: String?
    /// The serial that replaced this unit, once exchanged.
    public var replacedBy: String?
    /// The install day, once installed.
    public var installed: Day?

    public init(serial: String, model: String, dealer: String, policy: String, state: UnitState,
                sold: Day, start: Day, end: Day, extensionDays: Int, components: [String: Day],
                registration: Registration, repairs: [String: Int], escalation: Bool,
                replacementOf: String? = nil, replacedBy: String? = nil, installed: Day? = nil) {
        self.serial = serial
        self.model = model
        self.dealer = dealer
        self.policy = policy
        self.state = state
        self.sold = sold
        self.start = start
        self.end = end
        self.extensionDays = extensionDays
        self.components = components
        self.registration = registration
        self.repairs = repairs
        self.escalation = escalation
        self.replacementOf = replacementOf
        self.replacedBy = replacedBy
        self.installed = installed
    }
}

/// One row of `ledger claims` on a day (SPEC §4): a labor or part line and its status.
public struct ClaimLine: Hashable, Sendable {
    /// The visit id (labor line) or the swap id (part line).
    public var line: String
    public var kind: LineKind
    /// The dealer of the visit.
    public var dealer: String
    public var serial: String
    public var amount: Fen
    public var status: LineStatus
    /// Set exactly when `status` is `rejected`.
    public var reason: RejectionReason?
    /// The write-off notice holding the line, once the notice is dated on or before the day asked about.
    public var notice: String?
    /// The part the line is judged by: the swap's part, or the complaint's part (`unit` when none) for labor.
    public var part: String
    /// The complaint day, or the visit day when the visit names no complaint.
    public var failureDay: Day
    /// For a part line, the day the old part must reach the factory by; nil for labor or when the policy sets no deadline.
    public var returnDeadline: Day?

    public init(line: String, kind: LineKind, dealer: String, serial: String, amount: Fen,
                status: LineStatus, reason: RejectionReason? = nil, notice: String? = nil,
                part: String, failureDay: Day, returnDeadline: Day? = nil) {
        self.line = line
        self.kind = kind
        self.dealer = dealer
        self.serial = serial
        self.amount = amount
        self.status = status
        self.reason = reason
        self.notice = notice
        self.part = part
        self.failureDay = failureDay
        self.returnDeadline = returnDeadline
    }
}

/// One row of `ledger dealers` on a day (SPEC §4): the dealer's lines summed by status, and what it owes.
public struct DealerBalance: Hashable, Sendable {
    public var dealer: String
    /// All of the dealer's lines: `pending + approved + rejected + writtenOff + deducted`.
    public var claimed: Fen
    public var pending: Fen
    public var approved: Fen
    public var rejected: Fen
    public var writtenOff: Fen
    public var deducted: Fen
    /// `invoiced − paid − deducted`; negative when the factory owes the dealer.
    public var receivable: Fen

    public init(dealer: String, claimed: Fen = 0, pending: Fen = 0, approved: Fen = 0, rejected: Fen = 0,
                writtenOff: Fen = 0, deducted: Fen = 0, receivable: Fen = 0) {
        self.dealer = dealer
        self.claimed = claimed
        self.pending = pending
        self.approved = approved
        self.rejected = rejected
        self.writtenOff = writtenOff
        self.deducted = deducted
        self.receivable = receivable
    }
}

/// One record of `ledger archive` on a day (SPEC §3 "Repair archive"): a complaint, or a visit without one.
public struct ArchiveRecord: Hashable, Sendable {
    /// The complaint id, or the visit id for a visit without a complaint.
    public var record: String
    public var serial: String
    /// The dealer of the first visit, or the selling dealer while there is none.
    public var dealer: String
    public var opened: Day
    /// The day of the first resolving visit; nil while open.
    public var closed: Day?
    /// `addMonths(closed, 12 × retentionYears)`; nil while open.
    public var retainUntil: Day?
    /// Visit ids, sorted.
    public var visits: [String]
    /// Swap ids, sorted.
    public var swaps: [String]
    /// The sum of the record's claim lines, whatever their status.
    public var cost: Fen
    /// Whether the day asked about is after `retainUntil`.
    public var expired: Bool

    public init(record: String, serial: String, dealer: String, opened: Day, closed: Day?, retainUntil: Day?,
                visits: [String], swaps: [String], cost: Fen, expired: Bool) {
        self.record = record
        self.serial = serial
        self.dealer = dealer
        self.opened = opened
        self.closed = closed
        self.retainUntil = retainUntil
        self.visits = visits
        self.swaps = swaps
        self.cost = cost
        self.expired = expired
    }
}

extension UnitStatus {
    /// Units in answer order: by serial (UTF-8 byte order).
    public static func sorted(_ rows: [UnitStatus]) -> [UnitStatus] {
        rows.sorted(byBytesOf: \.serial)
    }
}

extension ClaimLine {
    /// Claim lines in answer order: by line id (UTF-8 byte order), labor before part when a visit and a swap share an id.
    public static func sorted(_ lines: [ClaimLine]) -> [ClaimLine] {
        lines.sorted(byBytesOf: \.line) { $0.kind == .labor && $1.kind == .part }
    }
}

extension ArchiveRecord {
    /// Archive records in answer order: by record id, then serial (UTF-8 byte order); of a complaint and a visit
    /// without one that share both, the complaint's first as they come (`LedgerState.archive` lists complaints first).
    public static func sorted(_ records: [ArchiveRecord]) -> [ArchiveRecord] {
        records.sorted(byBytesOf: \.record) { $0.serial.bytePrecedes($1.serial) }
    }
}
