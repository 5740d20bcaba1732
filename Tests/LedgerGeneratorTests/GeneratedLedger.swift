import JSONText
import LedgerGenerator
import Testing
import WarrantyDomain
import WarrantyProjections

/// A generated event stream folded through `LedgerState` exactly as the ledger would append it.
struct GeneratedLedger: Sendable {
    let configuration: GeneratorConfiguration
    /// The stream; the event at seq N is `events[N - 1]`.
    private(set) var events: [Event] = []
    private(set) var state = LedgerState()
    /// The first refusal: its seq, the event and the reason.
    private(set) var refusal: (seq: Int64, event: Event, reason: String)?
    /// The most units the simulation held at once.
    private(set) var liveUnitsMax = 0

    init(units: Int, seed: UInt64, years: Int = 5) {
        configuration = GeneratorConfiguration(units: units, seed: seed, years: years)
        var iterator = EventGenerator(configuration).makeIterator()
        while let event = iterator.next() {
            liveUnitsMax = max(liveUnitsMax, iterator.liveUnits)
            let seq = Int64(events.count + 1)
            if let reason = Self.refusal(of: event, state: state, events: events) {
                refusal = (seq, event, reason)
                return
            }
            // No other reference to `events` is alive here, so the append does not copy the array.
            events.append(event)
            state.apply(event, seq: seq, target: target(of: event))
        }
    }

    /// Why `state` refuses `event`, or nil when it accepts it.
    private static func refusal(of event: Event, state: LedgerState, events: [Event]) -> String? {
        do {
            try state.check(event, resolve: { $0 >= 1 && $0 <= events.count ? events[Int($0) - 1] : nil })
            return nil
        } catch {
            return error.reason
        }
    }

    /// The event an `event.voided` names.
    func target(of event: Event) -> Event? {
        guard case .eventVoided(let void) = event.body else { return nil }
        return events[Int(void.seq) - 1]
    }

    /// Log positions of voided events.
    var voidedSeqs: Set<Int64> {
        var seqs: Set<Int64> = []
        for event in events {
            if case .eventVoided(let void) = event.body { seqs.insert(void.seq) }
        }
        return seqs
    }

    /// Every live serial: sold units and replacements.
    var serials: [String] {
        let voided = voidedSeqs
        var found: [String] = []
        for (index, event) in events.enumerated() where !voided.contains(Int64(index + 1)) {
            switch event.body {
            case .unitSold(let sale): found.append(sale.serial)
            case .unitExchanged(let exchange): found.append(exchange.replacement)
            default: break
            }
        }
        return found
    }

    /// Records an issue naming the first refused event, if any.
    func expectAllAccepted(sourceLocation: SourceLocation = #_sourceLocation) {
        guard let refusal else { return }
        let line = JSONWriter.string(EventEncoder.encode(refusal.event))
        Issue.record("seed \(configuration.seed), \(configuration.units) units: seq \(refusal.seq) refused: \(refusal.reason)\n\(line)",
                     sourceLocation: sourceLocation)
    }
}

/// The ledger most coverage tests look at: 2,000 units over five years.
let coverageLedger = GeneratedLedger(units: 2_000, seed: 20_210_101)
