import WarrantyDomain
import WarrantyProjections

/// A broken invariant found by `reconcile`.
public struct Breach: Hashable, Sendable {
    public enum Check: String, Hashable, Sendable, CaseIterable {
        /// The log holds an event the append path refuses (it was written around validation).
        case refusedEvent = "refused-event"
        /// An accepted event is stored under another stream or version than the append path gives it.
        case streamVersion = "stream-version"
        /// A dealer's `claimed` is not the sum of its status columns, or a column is not the sum of its lines.
        case claimedSum = "claimed-sum"
        /// A notice's amount is not the sum of its lines.
        case noticeAmount = "notice-amount"
        /// A line is listed on more than one live notice.
        case lineInTwoNotices = "line-in-two-notices"
        /// A notice lists a line that is not one of its dealer's claim lines.
        case noticeLine = "notice-line"
        /// A deducted line has no confirmed notice of its dealer listing it.
        case deductedWithoutConfirmedNotice = "deducted-without-confirmed-notice"
        /// `receivable` is not `invoiced − paid − deducted`.
        case receivable
    }

    public var check: Check
    public var dealer: String?
    /// The event at fault, for `refused-event`.
    public var seq: Int64?
    public var notice: String?
    public var line: String?
    public var message: String

    public init(_ check: Check, dealer: String? = nil, seq: Int64? = nil, notice: String? = nil, line: String? = nil,
                _ message: String) {
        self.check = check
        self.dealer = dealer
        self.seq = seq
        self.notice = notice
        self.line = line
        self.message = message
    }
}

/// What `reconcile` found on a day: every breach of the invariants, and what finance needs to act on.
public struct Reconciliation: Sendable {
    public var asOf: Day
    /// The log positions folded (all, or `--known-at`).
    public var events: Int64
    public var dealers: Int
    public var lines: Int
    public var notices: Int
    public var breaches: [Breach]
    /// Seqs of refused events the reconciliation did not fold because the projections would stop on them.
    public var notFolded: [Int64]
    public var actions: ReconcileActions
}

extension Ledger {
    /// Re-validates the log event by event and checks the finance invariants across all dealers on `day`.
    ///
    /// Every event is checked against the state of the events before it, exactly as `append` did; a log written
    /// around that check (a forged or foreign log) gets each refused event reported instead of trusted. A refused
    /// notice or confirmation the projections can still fold is folded, so that its effect on the balances is
    /// checked too; any other refused event is left out, because folding it would stop the projections.
    /// - Complexity: three passes over the log (void targets, the checked fold, the finance records).
    public func reconcile(asOf day: Day, knownAt: Int64 = .max) throws(LedgerError) -> Reconciliation {
        var targets: Set<Int64> = []
        try forEachEvent(through: knownAt) { logged in
            if case .eventVoided(let void) = logged.stored.event.body { targets.insert(void.seq) }
            return true
        }

        var state = LedgerState()
        var kept: [Int64: Event] = [:]
        var notFolded: Set<Int64> = []
        var breaches: [Breach] = []
        var events: Int64 = 0
        var versions: [String: UInt32] = [:]
        try forEachEvent(through: knownAt) { logged in
            let event = logged.stored.event
            let seq = logged.seq
            events = seq
            if targets.contains(seq) { kept[seq] = event }
            var target: Event?
            if case .eventVoided(let void) = event.body, void.seq < seq { target = kept[void.seq] }
            func refuse(_ reason: String) {
                breaches.append(Breach(.refusedEvent, seq: seq, "seq \(seq): \(event.type.rawValue) dated \(event.day): \(reason)"))
            }
            if case .eventVoided(let void) = event.body, notFolded.contains(void.seq) {
                refuse("voids seq \(void.seq), which is itself refused and was not folded")
                notFolded.insert(seq)
                return true
            }
            do throws(Refusal) {
                try state.check(event) { _ in target }
            } catch {
                refuse(error.reason)
                if Self.foldsWithoutTrap(event, state: state) {
                    state.apply(event, seq: seq, target: target)
                } else {
                    notFolded.insert(seq)
                }
                return true
            }
            // An accepted event is stored where `append` stores it: its stream, at the next version.
            let stream = state.stream(of: event, target: target)
            let version = versions[stream, default: 0] + 1
            versions[stream] = version
            if logged.stored.stream != stream || logged.stored.version != version {
                breaches.append(Breach(.streamVersion, seq: seq, "seq \(seq): \(event.type.rawValue) is stored in stream "
                    + "\(logged.stored.stream) version \(logged.stored.version), but belongs to stream \(stream) at version \(version)"))
            }
            state.apply(event, seq: seq, target: target)
            return true
        }

        let records = try financeRecords(knownAt: knownAt) { !notFolded.contains($0) && !state.isVoided($0) }
        let balances = state.dealerBalances(on: day)
        let lines = state.claimLines(on: day)
        breaches += FinanceChecks.breaches(on: day, balances: balances, lines: lines, notices: Array(records.notices.values),
                                           money: records.money)
        let actions = ReconcileActions(on: day, lines: lines, records: records)
        return Reconciliation(asOf: day, events: events, dealers: balances.count, lines: lines.count,
                              notices: records.notices.values.count { $0.issued.day <= day },
                              breaches: breaches, notFolded: notFolded.sorted(), actions: actions)
    }

    /// Whether `apply` folds a refused `event` without trapping: only a notice whose lines each name one live line
    /// (and whose id is new), or a confirmation of a live notice. Every other refused event may break `apply`'s preconditions.
    static func foldsWithoutTrap(_ event: Event, state: LedgerState) -> Bool {
        switch event.body {
        case .costWrittenOff(let notice):
            return !state.hasNotice(notice.notice) && notice.lines.allSatisfy(state.namesOneLine)
        case .writeoffConfirmed(let confirmation):
            return state.hasNotice(confirmation.notice)
        default:
            return false
        }
    }
}
