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
    /// `snapshot`: the snapshot to read from, opened already, with the events after it up to `knownAt` read.
    func dealerView(_ dealer: String, knownAt: Int64,
                    snapshot: DealerSnapshot? = nil) throws(LedgerError) -> (state: LedgerState, streams: Set<String>?) {
        let opened = if let snapshot { (snapshot.file, snapshot.reader) } else { usableSnapshot(reader: try logReader()) }
        if let (file, snapshotReader) = opened, file.lastSeq <= knownAt, let records = file.dealerRecords(dealer, snapshotReader, index: snapshot?.index) {
            var scope = records.compactMap { record in record.withUnsafeBytes { try? LedgerState.serial(ofUnitRecord: $0) } }
            let moves = if let snapshot { snapshot.moves } else { try scopeMoves(after: file.lastRecord, knownAt: knownAt) }
            let introduced = addTailSerials(of: dealer, to: &scope, moves: moves)
            // Every unit in scope is loaded from the snapshot or introduced after it; one that is neither (spelt in
            // another Unicode normalization than its record, or its record damaged) sends the answer to the whole fold.
            let notices = snapshot.map { $0.notices[dealer] ?? SnapshotFile.noNotices }
            if let (partial, serials) = file.loadUnits(records, more: scope, noticesOf: dealer, snapshotReader,
                                                       small: snapshot?.small, notices: notices),
               scope.allSatisfy({ partial.hasUnit($0) || introduced.contains($0) }) {
                var fold = LedgerFold(state: partial, lastSeq: file.lastSeq)
                fold.hasKeys = false
                let streams = Set(serials.map { "unit:" + $0 } + ["dealer:" + dealer])
                try foldTail(&fold, after: file.lastRecord, knownAt: knownAt, only: streams, held: snapshot?.tail)
                return (fold.state, streams)
            }
        }
        return (try state(knownAt: knownAt), nil)
    }

    /// Every claim line on `day`, as the whole state's `claimLines(on:)`, from one dealer's state at a time.
    public func claimLines(on day: Day, knownAt: Int64 = .max) throws(LedgerError) -> [ClaimLine] {
        ClaimLine.sorted(try rowsByDealer(knownAt: knownAt) { $0.claimLines(on: day, dealer: $1) })
    }

    /// Every dealer's balances on `day` with its name, as the whole state's `dealerBalances(on:)`, from one dealer's
    /// state at a time.
    public func dealerBalances(on day: Day, knownAt: Int64 = .max) throws(LedgerError) -> [(balance: DealerBalance, name: String?)] {
        try rowsByDealer(knownAt: knownAt) { state, dealer in
            state.dealerBalances(on: day).filter { dealer == nil || $0.dealer == dealer }.map { ($0, state.dealerName($0.dealer)) }
        }.sorted { $0.balance.dealer.bytePrecedes($1.balance.dealer) }
    }

    /// The repair archive on `day`, as the whole state's `archive(on:)`, from one dealer's state at a time: each
    /// record from the state of the dealer that sold its unit.
    public func archive(on day: Day, knownAt: Int64 = .max) throws(LedgerError) -> [ArchiveRecord] {
        ArchiveRecord.sorted(try rowsByDealer(knownAt: knownAt) { $0.archive(on: day, unitsOf: $1) })
    }

    /// Every unit's status on `day`, optionally only one state, as the whole state's `unitStatuses(on:state:)`, from
    /// one dealer's state at a time: each unit from the state of the dealer that sold it.
    public func unitStatuses(on day: Day, state wanted: UnitState? = nil, knownAt: Int64 = .max) throws(LedgerError) -> [UnitStatus] {
        UnitStatus.sorted(try rowsByDealer(knownAt: knownAt) { $0.unitStatuses(on: day, state: wanted, dealer: $1) })
    }

    /// The rows of an answer over every dealer, gathered from one dealer's state at a time (`state(forDealer:)`), so
    /// that the answer holds one dealer's units at a time rather than every unit. `rows(state, dealer)` gives the
    /// rows that belong to `dealer`, each row belonging to one dealer, which that dealer's state answers exactly
    /// as the whole state does. When the snapshot cannot answer by dealer, `rows(wholeState, nil)` gives every row
    /// instead. Unsorted.
    ///
    /// The dealers are those the snapshot holds and those enrolled in the events after it, up to `knownAt`. Every
    /// dealer's state is folded up to the same event, the last one when the tail was read: events appended
    /// meanwhile are left out of every dealer's rows alike.
    func rowsByDealer<Row>(knownAt: Int64, _ rows: (LedgerState, String?) -> [Row]) throws(LedgerError) -> [Row] {
        let reader = try logReader()
        guard let (file, snapshotReader) = usableSnapshot(reader: reader), file.lastSeq <= knownAt,
              var snapshot = DealerSnapshot(file, snapshotReader),
              var dealers = file.loadUnits([], more: [], noticesOf: nil, snapshotReader, small: snapshot.small)?.0.dealerIDs
        else { return rows(try state(knownAt: knownAt), nil) }
        var through = file.lastSeq
        do {
            try reader.scan(after: file.lastRecord) { record in
                guard record.seq <= knownAt else { return false }
                through = record.seq
                snapshot.tail.append(record)
                let event = try StoredEvent.decodeForLedger(record).event
                if let move = ScopeMove(event) { snapshot.moves.append(move) }
                if case .dealerEnrolled(let enrolment) = event.body, !dealers.contains(enrolment.dealer) {
                    dealers.append(enrolment.dealer)
                }
                return snapshot.tail.byteCount <= Ledger.heldTailBytes
            }
        } catch {
            throw LedgerError.wrap(error)
        }
        // A tail too long to hold: the whole fold, as when there is no snapshot.
        guard snapshot.tail.byteCount <= Ledger.heldTailBytes else { return rows(try state(knownAt: knownAt), nil) }
        var gathered: [Row] = []
        for dealer in dealers {
            let (state, streams) = try dealerView(dealer, knownAt: through, snapshot: snapshot)
            // The snapshot could not answer for this dealer: every row from the whole state it fell back to.
            guard streams != nil else { return rows(state, nil) }
            Ledger.dealerStateTaken?(dealer)
            gathered += rows(state, dealer)
        }
        return gathered
    }

    /// The most bytes of records after the snapshot that an answer over every dealer holds (`DealerSnapshot.tail`);
    /// over it, the answer comes from the whole fold. Appends refresh the snapshot every 100,000 events, about 20 MB.
    /// Task-local so that a test can lower it.
    @TaskLocal static var heldTailBytes = 64 << 20

    /// A snapshot opened once for the states of many dealers, with its small sections, its dealer index, its notices
    /// split by dealer and the records of the log after it, read once rather than for each dealer.
    struct DealerSnapshot {
        let file: SnapshotFile
        let reader: SnapshotReader
        let small: SnapshotFile.SmallSections
        let index: DealerIndex
        let notices: [String: [UInt8]]
        /// The records after the snapshot, as far as the answer reads, and their sales, visits and exchanges.
        var tail = HeldRecords()
        var moves: [ScopeMove] = []

        /// Nil when one of those sections is damaged.
        init?(_ file: SnapshotFile, _ reader: SnapshotReader) {
            guard let small = file.smallSections(reader), let index = DealerIndex(file.section(.dealerIndex, reader)),
                  let section = file.section(.notices, reader),
                  let notices = section.withUnsafeBytes({ try? LedgerState.noticesByDealer($0) }) else { return nil }
            (self.file, self.reader, self.small, self.index, self.notices) = (file, reader, small, index, notices)
        }
    }

    /// Told each time an answer over every dealer takes a dealer's own state; task-local so that a test can tell
    /// the answer was gathered dealer by dealer.
    @TaskLocal static var dealerStateTaken: (@Sendable (String) -> Void)?

    /// An event after the snapshot that can bring a serial into a dealer's answers (`addTailSerials`).
    enum ScopeMove {
        case sold(serial: String, dealer: String)
        case visited(serial: String, dealer: String)
        case exchanged(serial: String, replacement: String)

        init?(_ event: Event) {
            switch event.body {
            case .unitSold(let sale): self = .sold(serial: sale.serial, dealer: sale.dealer)
            case .visitRecorded(let visit): self = .visited(serial: visit.serial, dealer: visit.dealer)
            case .unitExchanged(let exchange): self = .exchanged(serial: exchange.serial, replacement: exchange.replacement)
            default: return nil
            }
        }
    }

    /// The sales, visits and exchanges after `position`, up to `knownAt`, in log order.
    private func scopeMoves(after position: RecordPosition?, knownAt: Int64) throws(LedgerError) -> [ScopeMove] {
        var moves: [ScopeMove] = []
        do {
            try logReader().scan(after: position) { record in
                guard record.seq <= knownAt else { return false }
                if let move = ScopeMove(try StoredEvent.decodeForLedger(record).event) { moves.append(move) }
                return true
            }
        } catch {
            throw LedgerError.wrap(error)
        }
        return moves
    }

    /// Adds to `scope` the serials that the events after the snapshot (`moves`) bring into a dealer's answers, in
    /// log order: units it sells, units it visits, the replacements of units already in scope, and the unit a serial
    /// already in scope replaced (after its sale was voided, an exchange can bring the serial back). A unit that an
    /// exchange after the snapshot introduced brings the unit it replaced, whose stream holds that exchange.
    /// Returns the serials those events introduce (sold or exchanged in), which the snapshot cannot hold.
    private func addTailSerials(of dealer: String, to scope: inout [String], moves: [ScopeMove]) -> Set<String> {
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
        for move in moves {
            switch move {
            case .sold(let serial, let seller):
                introduced.insert(serial)
                if seller == dealer { add(serial) }
            case .visited(let serial, let visitor):
                if visitor == dealer { add(serial) }
            case .exchanged(let serial, let replacement):
                introduced.insert(replacement)
                replaced[replacement] = serial
                if known.contains(serial) { add(replacement) }
                // A serial in scope voided and brought back as a replacement: its introduction is in this stream.
                if known.contains(replacement) { add(serial) }
            }
        }
        return introduced
    }
}
