import LedgerLog
import WarrantyDomain
import WarrantyProjections

extension Ledger {
    /// The state of one dealer's units, enough for that dealer's claim lines and unit list (`claims --dealer`,
    /// `units --dealer`), exactly as the whole state answers them: read from the snapshot's records of the
    /// units the dealer sold or visited (its dealer index) and the units they refer to, the dealer's
    /// notices, and the later events of those units' streams and the dealer's own. The full fold when the
    /// snapshot cannot answer. Other dealers' answers from this state are incomplete.
    public func state(forDealer dealer: String, knownAt: Int64 = .max) throws(LedgerError) -> LedgerState {
        try dealerView(dealer, knownAt: knownAt).state
    }

    /// `state(forDealer:)` with the streams it was folded from: every event of the dealer's answers is in one of
    /// them. Nil streams: the whole state, folded from every stream.
    func dealerView(_ dealer: String, knownAt: Int64) throws(LedgerError) -> (state: LedgerState, streams: Set<String>?) {
        let reader = try logReader()
        if let (file, snapshotReader) = usableSnapshot(reader: reader), file.lastSeq <= knownAt,
           let records = file.dealerRecords(dealer, snapshotReader) {
            var scope = records.compactMap { record in record.withUnsafeBytes { try? LedgerState.serial(ofUnitRecord: $0) } }
            let introduced = try addTailSerials(of: dealer, to: &scope, after: file.lastRecord, knownAt: knownAt)
            // Every unit in scope is loaded from the snapshot or introduced after it; one that is neither (spelt in
            // another Unicode normalization than its record, or its record damaged) sends the answer to the whole fold.
            if let (partial, serials) = file.loadUnits(records, more: scope, noticesOf: dealer, snapshotReader),
               scope.allSatisfy({ partial.hasUnit($0) || introduced.contains($0) }) {
                var fold = LedgerFold(state: partial, lastSeq: file.lastSeq)
                fold.hasKeys = false
                let streams = Set(serials.map { "unit:" + $0 } + ["dealer:" + dealer])
                try foldTail(&fold, after: file.lastRecord, knownAt: knownAt, only: streams)
                return (fold.state, streams)
            }
        }
        return (try state(knownAt: knownAt), nil)
    }

    /// Adds to `scope` the serials that the events after the snapshot bring into a dealer's answers, in log
    /// order: units it sells, units it visits, the replacements of units already in scope, and the unit a serial
    /// already in scope replaced (after its sale was voided, an exchange can bring the serial back). A unit that an
    /// exchange after the snapshot introduced brings the unit it replaced, whose stream holds that exchange.
    /// Returns the serials those events introduce (sold or exchanged in), which the snapshot cannot hold.
    private func addTailSerials(of dealer: String, to scope: inout [String], after position: RecordPosition?,
                                knownAt: Int64) throws(LedgerError) -> Set<String> {
        var known = Set(scope)
        var introduced: Set<String> = []
        var replaced: [String: String] = [:]
        func add(_ serial: String) {
            var next: String? = serial
            while let serial = next, known.insert(serial).inserted {
                scope.append(serial)
                next = replaced[serial]
            }
        }
        do {
            try logReader().scan(after: position) { record in
                guard record.seq <= knownAt else { return false }
                switch try StoredEvent.decodeForLedger(record).event.body {
                case .unitSold(let sale):
                    introduced.insert(sale.serial)
                    if sale.dealer == dealer { add(sale.serial) }
                case .visitRecorded(let visit) where visit.dealer == dealer: add(visit.serial)
                case .unitExchanged(let exchange):
                    introduced.insert(exchange.replacement)
                    replaced[exchange.replacement] = exchange.serial
                    if known.contains(exchange.serial) { add(exchange.replacement) }
                    // A serial in scope voided and brought back as a replacement: its introduction is in this stream.
                    if known.contains(exchange.replacement) { add(exchange.serial) }
                default: break
                }
                return true
            }
        } catch {
            throw LedgerError.wrap(error)
        }
        return introduced
    }
}
