import WarrantyDomain
import WarrantyProjections

/// What `append` checks a batch against when the ledger has a usable snapshot: a partial state that holds the
/// policies and dealers, and each unit and notice only once an event needs it, read from the snapshot then;
/// idempotency keys and stream versions are looked up in the snapshot's sorted tables.
///
/// The state stays exact for every event it is asked about: a unit's snapshot record is loaded before the first
/// event after the snapshot that reads or changes the unit (`prepare`), so when it is loaded no later event has
/// touched it yet. Identifiers are found as the state's tables find them (canonically equivalent spellings are
/// the same identifier), keys and stream names byte for byte, as `KeyTable` compares them.
final class SnapshotScope {
    let file: SnapshotFile
    private let reader: SnapshotReader
    private let ids: LookupTableReader
    private let versions: LookupTableReader
    private let identifiers: LookupTableReader
    private let policies: SnapshotPolicies
    /// The notices section split by dealer (`LedgerState.noticesByDealer`), read when notices are first needed.
    private var noticesByDealer: [String: [UInt8]]?
    /// The dealer index, read when a dealer is first needed.
    private var dealerIndex: DealerIndex?
    private let unitEntries: Int
    /// Serials whose snapshot records are loaded: never loaded again, even once a void has removed the unit.
    private var loaded: Set<String> = []
    /// Dealers whose units and notices are all loaded.
    private var scopedDealers: Set<String> = []
    /// Notices whose entries are loaded: never loaded again, even once a void has removed one.
    private var noticesLoaded: Set<String> = []
    /// How many complaints, visits and swaps the loaded records held.
    private var loadedFacts = (complaints: 0, visits: 0, swaps: 0)
    /// Whether the file is a rebuild's scratch file, whose idempotency keys and stream versions are kept aside
    /// (`KeyRuns`), not in it.
    let keysAside: Bool
    /// The heap holding the file's unit records, when it is a scratch file (`RecordHeap`).
    let heap: RecordHeap?

    /// What a fold of this scope's is written over, to store it as the whole ledger's snapshot.
    var mergeBase: MergeBase {
        MergeBase(file: file, reader: reader, loaded: loaded, noticesLoaded: noticesLoaded, loadedFacts: loadedFacts,
                  noticesByDealer: noticesByDealer, heap: heap)
    }

    /// The scope of a snapshot whose header matched the log; nil when a part it reads up front is damaged.
    init?(file: SnapshotFile, reader: SnapshotReader, keysAside: Bool = false, heap: RecordHeap? = nil) {
        guard let ids = LookupTableReader(reader, file.sections[SnapshotFile.Section.ids.rawValue], order: .bytes),
              let versions = LookupTableReader(reader, file.sections[SnapshotFile.Section.versions.rawValue], order: .bytes),
              let identifiers = LookupTableReader(reader, file.sections[SnapshotFile.Section.identifiers.rawValue], order: .kindThenText),
              let section = file.section(.policies, reader), let unitEntries = file.unitEntryCount(reader),
              let policies = section.withUnsafeBytes({ try? SnapshotPolicies(section: $0) }) else { return nil }
        self.file = file
        self.reader = reader
        self.ids = ids
        self.versions = versions
        self.identifiers = identifiers
        self.policies = policies
        self.unitEntries = unitEntries
        self.keysAside = keysAside
        self.heap = heap
        Ledger.scopeOpened?()
    }

    /// The fold at the snapshot: policies, dealers, voided seqs and the money total, no unit.
    func emptyFold() -> LedgerFold? {
        guard let (state, _) = file.loadUnits([], more: [], noticesOf: nil, reader) else { return nil }
        var fold = LedgerFold(state: state, lastSeq: file.lastSeq)
        fold.isWhole = false
        // A rebuild's scratch file has no versions to look streams up in (`KeyRuns`).
        fold.versionsAside = keysAside
        return fold
    }

    /// The seq of the stored event that used idempotency key `id`, if the snapshot holds it.
    func seq(ofKey id: String) throws(SnapshotError) -> Int64? {
        precondition(!keysAside, "the keys of a rebuild's scratch file are kept aside, never looked up")
        return try ids.value(of: id, reader).map { Int64(bitPattern: $0) }
    }

    /// The version of a stream's last event at the snapshot, if it had one.
    func version(ofStream stream: String) throws(SnapshotError) -> UInt32? {
        precondition(!keysAside, "the versions of a rebuild's scratch file are kept aside, never looked up")
        return try versions.value(of: stream, reader).map { UInt32(truncatingIfNeeded: $0) }
    }

    /// `prepare(_:for:target:)` for a fold's state, and the event's stream started at its snapshot version (unless
    /// the fold keeps its versions aside, `LedgerFold.versionsAside`).
    func prepare(_ fold: inout LedgerFold, for event: Event, target: Event?) throws(SnapshotError) {
        try prepare(&fold.state, for: event, target: target)
        guard !fold.versionsAside else { return }
        let stream = fold.state.stream(of: event, target: target)
        if fold.versions[stream] == nil, let version = try version(ofStream: stream) { fold.startStream(stream, at: version) }
    }

    /// Loads into `state` what `check`, `stream(of:)` and `apply` of `event` read or change: the units it names,
    /// the units holding the complaints, visits, swaps and lines it names, the notice it names, and for a write-off
    /// or a void whose target's line may be on a notice, the stored notices holding those lines. `target` is a
    /// void's target.
    func prepare(_ state: inout LedgerState, for event: Event, target: Event?) throws(SnapshotError) {
        switch event.body {
        case .policyPublished, .dealerEnrolled, .dealerInvoiced, .paymentReceived:
            break
        case .unitSold(let sale): try unit(sale.serial, &state)
        case .cardRegistered(let card): try unit(card.serial, &state)
        case .unitInstalled(let installation): try unit(installation.serial, &state)
        case .unitReturned(let returned): try unit(returned.serial, &state)
        case .unitExchanged(let exchange):
            try unit(exchange.serial, &state)
            try unit(exchange.replacement, &state)
        case .complaintLodged(let lodged):
            try identifier(.complaint, lodged.complaint, &state)
            try unit(lodged.serial, &state)
        case .visitRecorded(let visit):
            try identifier(.visit, visit.visit, &state)
            try unit(visit.serial, &state)
            if let complaint = visit.complaint { try identifier(.complaint, complaint, &state) }
        case .partSwapped(let swap):
            try identifier(.swap, swap.swap, &state)
            try identifier(.visit, swap.visit, &state)
            try unit(swap.serial, &state)
        case .partReturned(let returned): try identifier(.swap, returned.swap, &state)
        case .partAppraised(let appraisal): try identifier(.swap, appraisal.swap, &state)
        case .costWrittenOff(let notice):
            try identifier(.notice, notice.notice, &state)
            for line in notice.lines {
                try identifier(.visit, line, &state)
                try identifier(.swap, line, &state)
            }
            // A line already on a notice is refused: a notice can only hold lines of its own dealer.
            let lines = Set(notice.lines)
            try notices(of: notice.dealer, &state) { _, held in held.contains { lines.contains($0.id) } }
        case .writeoffConfirmed(let confirmation): try identifier(.notice, confirmation.notice, &state)
        case .eventVoided:
            guard let target else { break }
            try prepare(&state, for: target, target: nil)
            // A line of the target may be on a notice, which depends on it.
            switch target.body {
            case .visitRecorded(let visit):
                try notices(of: visit.dealer, &state) { _, held in held.contains { $0 == (.labor, visit.visit) } }
            case .partSwapped(let swap):
                guard let owner = state.swapDealer(swap.swap) else { break }
                try notices(of: owner, &state) { _, held in held.contains { $0 == (.part, swap.swap) } }
            default: break
            }
        }
    }

    /// Loads the unit `serial` names, if the snapshot holds it and it is not loaded yet.
    private func unit(_ serial: String, _ state: inout LedgerState) throws(SnapshotError) {
        try identifier(.serial, serial, &state)
    }

    /// Loads the unit holding an identifier (or a notice), if the state does not hold it and the snapshot does.
    func identifier(_ kind: IdentifierKind, _ id: String, _ state: inout LedgerState) throws(SnapshotError) {
        guard !state.holds(kind, id), kind != .notice || !noticesLoaded.contains(id),
              let number = try identifiers.value(of: id, kind: kind.rawValue, reader) else { return }
        if kind == .notice {
            // A notice's entry in the identifier index is its dealer's in the dealer index.
            let index = try readDealerIndex()
            guard Int(number) < index.count else { throw damaged("its dealer index") }
            try notices(of: index.dealer(Int(number)), &state) { notice, _ in notice == id }
            // The identifier index names the notice, so its dealer's notices must hold it.
            guard state.holds(.notice, id) || noticesLoaded.contains(id) else { throw damaged("its notices (no \(id))") }
            return
        }
        guard let record = file.unitRecord(atEntry: Int(number), of: unitEntries, reader) else { throw damaged("a unit record") }
        try load([record], &state)
    }

    /// Loads every unit a dealer sold or visited and the dealer's notices not loaded yet, once: what its answers need.
    func dealer(_ dealer: String, _ state: inout LedgerState) throws(SnapshotError) {
        guard !scopedDealers.contains(dealer) else { return }
        let index = try readDealerIndex()
        guard let records = index.entry(of: dealer).map({ file.records(index.positions($0), of: unitEntries, reader) }) ?? [] else {
            throw damaged("a unit record")
        }
        let notices = try unloadedNotices(of: dealer) { _, _ in true }
        try load(records, &state, notices: (notices.section, dealer))
        noticesLoaded.formUnion(notices.ids)
        scopedDealers.insert(dealer)
    }

    /// Loads the notices of `dealer` that `pick` chooses by id and lines, of those not loaded yet, without the
    /// units of their lines: what checks of later events read.
    private func notices(of dealer: String, _ state: inout LedgerState,
                         picking pick: (_ id: String, _ lines: [(kind: LineKind, id: String)]) -> Bool) throws(SnapshotError) {
        guard !scopedDealers.contains(dealer) else { return }
        let picked = try unloadedNotices(of: dealer, picking: pick)
        guard !picked.ids.isEmpty else { return }
        let result = picked.section.withUnsafeBytes { bytes in Result { () throws(SnapshotError) in try state.addNotices(bytes, of: dealer) } }
        if case .failure(let error) = result { throw damaged("its notices (\(error.reason))") }
        noticesLoaded.formUnion(picked.ids)
    }

    /// The notices of `dealer` that `pick` chooses, of those not loaded yet, as a notices section, with their ids.
    private func unloadedNotices(of dealer: String, picking pick: (_ id: String, _ lines: [(kind: LineKind, id: String)]) -> Bool)
        throws(SnapshotError) -> (section: [UInt8], ids: [String]) {
        let part = try notices(ofDealer: dealer)
        let result = part.withUnsafeBytes { bytes in
            Result { () throws(SnapshotError) in
                try LedgerState.notices(in: bytes) { id, lines in !noticesLoaded.contains(id) && pick(id, lines) }
            }
        }
        switch result {
        case .success(let picked): return picked
        case .failure(let error): throw damaged("its notices (\(error.reason))")
        }
    }

    /// A dealer's part of the notices section, which is read, checked and split by dealer once.
    private func notices(ofDealer dealer: String) throws(SnapshotError) -> [UInt8] {
        if noticesByDealer == nil {
            guard let section = file.section(.notices, reader) else { throw damaged("its notices") }
            let split = section.withUnsafeBytes { bytes in Result { () throws(SnapshotError) in try LedgerState.noticesByDealer(bytes) } }
            switch split {
            case .success(let parts): noticesByDealer = parts
            case .failure(let error): throw damaged("its notices (\(error.reason))")
            }
        }
        return noticesByDealer![dealer] ?? SnapshotFile.noNotices
    }

    /// The dealer index, read and checked once.
    private func readDealerIndex() throws(SnapshotError) -> DealerIndex {
        if let dealerIndex { return dealerIndex }
        guard let index = DealerIndex(file.section(.dealerIndex, reader)) else { throw damaged("its dealer index") }
        dealerIndex = index
        return index
    }

    /// Adds the records not loaded yet and the records of the units they refer to, with notices of a dealer.
    private func load(_ given: [[UInt8]], _ state: inout LedgerState, notices: (section: [UInt8], dealer: String)? = nil) throws(SnapshotError) {
        var records: [[UInt8]] = []
        var pending = given
        while let record = pending.popLast() {
            guard let serial = record.withUnsafeBytes({ try? LedgerState.serial(ofUnitRecord: $0) }),
                  let related = record.withUnsafeBytes({ try? LedgerState.relatedSerials(inUnitRecord: $0) }) else {
                throw damaged("a unit record")
            }
            guard loaded.insert(serial).inserted else { continue }
            records.append(record)
            for serial in related where !loaded.contains(serial) && !state.hasUnit(serial) {
                guard let number = try identifiers.value(of: serial, kind: IdentifierKind.serial.rawValue, reader),
                      let record = file.unitRecord(atEntry: Int(number), of: unitEntries, reader) else { throw damaged("a unit record") }
                pending.append(record)
            }
        }
        let before = state.factCounts
        defer {
            let after = state.factCounts
            loadedFacts.complaints += after.complaints - before.complaints
            loadedFacts.visits += after.visits - before.visits
            loadedFacts.swaps += after.swaps - before.swaps
        }
        let result = withBuffers(records) { buffers in
            (notices?.section ?? []).withUnsafeBytes { section in
                Result { () throws(SnapshotError) in
                    try state.addUnits(buffers, policies: policies, notices: notices == nil ? nil : section, noticesOf: notices?.dealer)
                }
            }
        }
        if case .failure(let error) = result { throw error }
    }

    private func damaged(_ what: String) -> SnapshotError {
        SnapshotError(reason: "the snapshot read (\(SnapshotFile.fileName), or a spill file): \(what) cannot be read")
    }
}
