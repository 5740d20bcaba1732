import Integrity
import WarrantyDomain

/// One event behind a unit's answers, with why it is there and the void that cancelled it, if any.
public struct HistoryEntry: Sendable {
    public var seq: Int64
    public var recordedMicroseconds: Int64
    public var hash: SHA256Digest
    public var stored: StoredEvent
    /// Why the event shapes the unit: `unit`, `predecessor`, `replacement` (events of a unit in its exchange
    /// chain), `policy`, `dealer` (enrolments it depends on), `write-off`, `confirmation` (notices naming
    /// its claim lines) or `void` (a void of any of these, or a void in the chain whose target is outside the view).
    public var relation: String
    /// The seq of the void that cancelled this event, if it is in view.
    public var voidedBy: Int64?
}

extension Ledger {
    /// Every event that shaped the status and claim lines of unit `serial` (and its exchange chain), in log order.
    ///
    /// Two passes over the first `filter.knownAt` events: the first finds the exchange chain, the second
    /// collects the chain's events, the notices naming its lines and what they depend on. The policy and the
    /// dealer enrolments are shown whatever `--as-of` says, as the unit stays bound to them. Each pass decodes
    /// only the events it may need, chosen by their type and stream from the records' headers.
    public func history(serial: String, filter: EventFilter) throws(LedgerError) -> [HistoryEntry] {
        try history(serial: serial, filter: filter, decodingAll: false)
    }

    /// `history`, decoding every event when `decodingAll` (what the header filters must not change: tests compare).
    func history(serial: String, filter: EventFilter, decodingAll: Bool) throws(LedgerError) -> [HistoryEntry] {
        guard filter.knownAt > 0 else { throw LedgerError(.notFound, "unit \"\(serial)\" is not in the ledger") }
        var replacementOf: [String: String] = [:]
        var predecessorOf: [String: String] = [:]
        let exchanges: [EventType] = [.unitExchanged]
        try forEachEvent(through: filter.knownAt, including: { decodingAll || StoredEvent.hasType($0, exchanges) }) { logged in
            if case .unitExchanged(let exchange) = logged.stored.event.body {
                replacementOf[exchange.serial] = exchange.replacement
                predecessorOf[exchange.replacement] = exchange.serial
            }
            return true
        }
        var chain: [String: String] = [serial: "unit"]
        var cursor = serial
        while let older = predecessorOf[cursor], chain[older] == nil {
            chain[older] = "predecessor"
            cursor = older
        }
        cursor = serial
        while let newer = replacementOf[cursor], chain[newer] == nil {
            chain[newer] = "replacement"
            cursor = newer
        }

        var entries: [HistoryEntry] = []
        var included: [Int64: Int] = [:]
        var lines: Set<String> = []
        var notices: Set<String> = []
        var dealers: Set<String> = []
        var sale: (seq: Int64, model: String, day: Day)?
        var policies: [HistoryEntry] = []
        var enrolments: [String: HistoryEntry] = [:]
        var soldInView = false
        let chainStreams = Set(chain.keys.map { "unit:" + $0 })
        let shared: [EventType] = [.policyPublished, .dealerEnrolled, .costWrittenOff, .writeoffConfirmed, .eventVoided]
        try forEachEvent(through: filter.knownAt, including: { payload in
            decodingAll || StoredEvent.inStreams(chainStreams, payload) || StoredEvent.hasType(payload, shared)
        }) { logged in
            let event = logged.stored.event
            func entry(_ relation: String) -> HistoryEntry {
                HistoryEntry(seq: logged.seq, recordedMicroseconds: logged.recordedMicroseconds, hash: logged.hash,
                             stored: logged.stored, relation: relation)
            }
            var relation: String?
            let unitStream = logged.stored.stream.hasPrefix("unit:") ? String(logged.stored.stream.dropFirst(5)) : nil
            switch event.body {
            case .policyPublished: policies.append(entry("policy"))
            case .dealerEnrolled(let enrolled): enrolments[enrolled.dealer] = entry("dealer")
            case .costWrittenOff(let notice) where notice.lines.contains(where: lines.contains): relation = "write-off"
            case .writeoffConfirmed(let confirmed) where notices.contains(confirmed.notice): relation = "confirmation"
            case .eventVoided(let void) where included[void.seq] != nil: relation = "void"
            default:
                // A void in the chain whose target is not in view (its day is after `--as-of`) is still a void.
                if let unitStream, let link = chain[unitStream] { relation = event.type == .eventVoided ? "void" : link }
            }
            if case .unitSold(let sold) = event.body, chain[sold.serial] != nil { soldInView = true }
            guard let relation, filter.keeps(event) else { return true }
            switch event.body {
            case .unitSold(let sold):
                sale = (logged.seq, sold.model, event.day)
                dealers.insert(sold.dealer)
            case .visitRecorded(let visit):
                lines.insert(visit.visit)
                dealers.insert(visit.dealer)
            case .partSwapped(let swap): lines.insert(swap.swap)
            case .costWrittenOff(let notice):
                notices.insert(notice.notice)
                dealers.insert(notice.dealer)
            case .eventVoided(let void):
                if let index = included[void.seq] { entries[index].voidedBy = logged.seq }
            default: break
            }
            included[logged.seq] = entries.count
            entries.append(entry(relation))
            return true
        }
        guard let sale else {
            if soldInView, let asOf = filter.asOf { throw LedgerError(.notFound, "unit \"\(serial)\" is not sold on or before \(asOf)") }
            throw LedgerError(.notFound, "unit \"\(serial)\" is not in the ledger\(filter.knownAt == .max ? "" : " in this view")")
        }
        // The binding policy: the latest effective on or before the sale day among those published before the sale.
        var bound: HistoryEntry?
        for policy in policies where policy.seq < sale.seq {
            guard case .policyPublished(let published) = policy.stored.event.body,
                  published.models.contains(sale.model), published.effective <= sale.day else { continue }
            if let best = bound, case .policyPublished(let current) = best.stored.event.body, current.effective > published.effective {
                continue
            }
            bound = policy
        }
        var dependencies = dealers.compactMap { enrolments[$0] }
        if let bound { dependencies.append(bound) }
        return (entries + dependencies).sorted { $0.seq < $1.seq }
    }
}
