import WarrantyDomain

/// A seeded, deterministic simulation of a manufacturer's dealer network, as a stream of valid events.
///
/// Iterating simulates day by day from `configuration.startDay` to `configuration.endDay`: five
/// product families under up to seven policy releases, 30–60 dealers, the configured number of units
/// sold, their registration cards, installs, complaints, visits, part swaps, part returns and
/// appraisals, exchanges and refunds, monthly invoices and payments, write-off notices and their
/// confirmations, and a few voided mistakes. Every event passes the acceptance rules of SPEC §2
/// against the events before it, when `event.voided` seqs count from 1 at the first event.
/// Each iteration starts afresh, and the same configuration always gives the same events.
///
/// - Complexity: memory proportional to the units with work still scheduled, not to the events.
public struct EventGenerator: Sequence, Sendable {
    public let configuration: GeneratorConfiguration

    public init(_ configuration: GeneratorConfiguration) {
        self.configuration = configuration
    }

    public func makeIterator() -> Iterator {
        Iterator(simulation: Simulation(configuration))
    }

    /// Hands out the events of one run of the simulation.
    public struct Iterator: IteratorProtocol {
        let simulation: Simulation

        /// The next event, or nil after the last day.
        public mutating func next() -> Event? {
            simulation.next()
        }

        /// The log position the next event will take: how many events came before it, plus one.
        public var nextSeq: Int64 {
            simulation.lastSeq - Int64(simulation.made.count - simulation.cursor) + 1
        }

        /// How many units still have scheduled work: the measure of the simulation's memory.
        public var liveUnits: Int {
            simulation.liveUnits
        }
    }
}
