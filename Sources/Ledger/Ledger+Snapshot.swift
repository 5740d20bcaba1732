import Integrity
import LedgerLog
import WarrantyDomain
import WarrantyProjections

/// What `rebuild` found and did.
public struct RebuildReport: Sendable, Equatable {
    /// What the stored snapshot was, compared with the state rebuilt from the log at the snapshot's own seq.
    public enum Comparison: Sendable, Equatable {
        /// There was none, or one written by another format version (a cache to replace, not a finding).
        case none
        /// Its checksums failed or it does not match the log's hash at its seq.
        case damaged
        case equal(seq: Int64)
        case different(seq: Int64)
    }

    public var events: Int64
    public var stored: Comparison
    /// False when the stored snapshot was already byte for byte the rebuilt state at the log's end, and was kept.
    public var written = true
    public var seconds: Double
}

extension Ledger {
    /// Appends of at least this many events past the snapshot write a new one, so later commands fold a short tail.
    /// Task-local so that a test can lower it.
    @TaskLocal public static var snapshotInterval: Int64 = 100_000

    /// The folder's snapshot, if it exists, is readable and matches the log: the record at its seq has its head hash.
    func usableSnapshot(reader: LogReader) -> (SnapshotFile, SnapshotReader)? {
        guard let (file, snapshotReader) = SnapshotFile.open(folder: folder) else { return nil }
        guard let position = file.lastRecord else {
            return file.lastSeq == 0 && file.head == LogFormat.genesis ? (file, snapshotReader) : nil
        }
        guard let found = try? reader.record(at: position), found.seq == file.lastSeq, found.hash == file.head else {
            return nil
        }
        return (file, snapshotReader)
    }

    /// Folds the events after `position` (all of them when nil) up to `knownAt` into `fold`; returns the
    /// log's summary when the fold read the whole log from its first record.
    ///
    /// A void needs the event it cancels. A first pass, which decodes only the voids, collects their
    /// targets; the second keeps those events as it meets them, so no target is looked up in the log
    /// unless it lies before `position`. A fold from the first record decodes on a second thread while
    /// this one applies.
    /// With `scope`, the fold is a scoped one (`SnapshotScope`): what each event needs is loaded before it is applied.
    /// With `spill`, the fold is written out whenever it grows past the spill's limit, and goes on scoped over
    /// the spill's scope (which replaces `scope`). With `held`, the records after `position`, read already, are
    /// visited instead of the log's.
    @discardableResult
    func foldTail(_ fold: inout LedgerFold, after position: RecordPosition?, knownAt: Int64,
                  only streams: Set<String>? = nil, scope: SnapshotScope? = nil, spill: StateSpill? = nil,
                  progress: ProgressHandler? = nil, held: HeldRecords? = nil) throws(LedgerError) -> LogSummary? {
        let reader = try logReader()
        func scanTail(_ visit: (borrowing StoredRecord) throws -> Bool) throws {
            if let held { try held.forEach(visit) } else { try reader.scan(after: position, visit) }
        }
        // With a stream filter, events are skipped by their header, undecoded (a unit's events can name a
        // dealer enrolled, or a policy published, after the snapshot, so those always apply).
        func skipped(_ payload: UnsafeRawBufferPointer) -> Bool {
            !StoredEvent.inStreams(streams, payload) && !StoredEvent.isReference(payload)
        }
        do {
            var targets: Set<Int64> = []
            try scanTail { record in
                guard record.seq <= knownAt else { return false }
                if StoredEvent.isVoid(record.payload), !skipped(record.payload),
                   case .eventVoided(let void) = try StoredEvent.decodeForLedger(record).event.body {
                    targets.insert(void.seq)
                }
                return true
            }
            var kept: [Int64: Event] = [:]
            func apply(_ stored: StoredEvent, seq: Int64) throws(LedgerError) {
                if let progress, seq & 0xFFFF == 0 { progress(seq, nil) }
                if targets.contains(seq) { kept[seq] = stored.event }
                func resolve(_ seq: Int64) throws(LedgerError) -> Event? {
                    if let event = kept.removeValue(forKey: seq) { return event }
                    return try self.event(at: seq)
                }
                if let scope = spill == nil ? scope : spill!.scope {
                    var target: Event?
                    if case .eventVoided(let void) = stored.event.body, void.seq < seq { target = try resolve(void.seq) }
                    do { try scope.prepare(&fold, for: stored.event, target: target) } catch {
                        throw LedgerError(.io, error.reason)
                    }
                    try fold.apply(stored, seq: seq) { _ in target }
                } else {
                    try fold.apply(stored, seq: seq, resolve: resolve)
                }
                try spill?.spillIfFull(&fold)
            }
            if position == nil, streams == nil {
                return try reader.scan(from: 1, decodingInParallel: { record in
                    (record.seq, try StoredEvent.decodeForLedger(record))
                }) { (seq: Int64, stored: StoredEvent) in
                    guard seq <= knownAt else { return false }
                    try apply(stored, seq: seq)
                    return true
                }
            }
            try scanTail { record in
                guard record.seq <= knownAt else { return false }
                if skipped(record.payload), !targets.contains(record.seq) { return true }
                let stored = try StoredEvent.decodeForLedger(record)
                if let streams, !streams.contains(stored.stream), stored.event.type != .dealerEnrolled,
                   stored.event.type != .policyPublished {
                    if targets.contains(record.seq) { kept[record.seq] = stored.event }
                    return true
                }
                try apply(stored, seq: record.seq)
                return true
            }
            return nil
        } catch {
            throw LedgerError.wrap(error)
        }
    }

    /// Writes the fold as the folder's snapshot; the caller holds the writer lock.
    /// A scoped fold is written over the snapshot its scope reads (`base`).
    func writeSnapshot(_ fold: LedgerFold, over base: MergeBase? = nil, head: SHA256Digest,
                       lastRecord: RecordPosition?) throws(LedgerError) {
        do {
            try SnapshotFile.write(fold, over: base, head: head, lastRecord: lastRecord, path: folder + "/" + SnapshotFile.fileName)
        } catch {
            throw LedgerError.wrap(error)
        }
    }

    /// Recreates every projection from the log alone, compares it with the stored snapshot at the
    /// snapshot's own seq, and stores the rebuilt state as the new snapshot. `progress` counts events folded.
    public func rebuild(progress: ProgressHandler? = nil) throws(LedgerError) -> RebuildReport {
        do {
            return try rebuildFolding(progress: progress)
        } catch let error where error.isVersionGap {
            throw firstVersionGap(otherwise: error)
        }
    }

    /// A spilling rebuild finds a stream version out of order only as it merges the versions its spills kept aside
    /// (`KeyRuns`), knowing the stream but not the seq. The log is read again, every stream's versions counted as
    /// `verify` counts them, for the first event out of order and the message a whole fold gives it.
    private func firstVersionGap(otherwise error: LedgerError) -> LedgerError {
        var versions = KeyTable<UInt32>()
        var found: LedgerError?
        do {
            try forEachEvent { logged in
                let version = versions.increment(logged.stored.stream)
                guard logged.stored.version == version else {
                    found = .streamVersion(seq: logged.seq, stored: logged.stored, stream: logged.stored.stream, version: version)
                    return false
                }
                return true
            }
        } catch let failure {
            return failure
        }
        return found ?? error
    }

    private func rebuildFolding(progress: ProgressHandler?) throws(LedgerError) -> RebuildReport {
        let started = Ledger.currentMicroseconds()
        let writer: LogWriter
        do { writer = try LogWriter(folder: folder) } catch { throw LedgerError.wrap(error) }
        let reader = try logReader()
        let total = writer.lastSeq
        let counted: ProgressHandler? = progress.map { progress in { done, _ in progress(done, total) } }
        var fold = LedgerFold()
        let spill = StateSpill(folder: folder, scope: nil, limit: Ledger.scopedFolds ? Ledger.spillUnits : .max, keysAside: true)
        var stored = RebuildReport.Comparison.none
        var foldedTo: RecordPosition?
        switch SnapshotFile.find(folder: folder) {
        case .missing, .otherVersion: break
        case .damaged: stored = .damaged
        case .header(let file, let snapshotReader):
            if usableSnapshot(reader: reader) != nil, file.lastSeq <= writer.lastSeq {
                try foldTail(&fold, after: nil, knownAt: file.lastSeq, spill: spill, progress: counted)
                foldedTo = file.lastRecord
                // Byte for byte: the encoding is deterministic, and no second state is built to compare.
                let holds: Bool?
                do { holds = try file.holds(fold, over: spill.mergeBase, snapshotReader) } catch { throw LedgerError.wrap(error) }
                switch holds {
                case true?: stored = .equal(seq: file.lastSeq)
                case false?: stored = .different(seq: file.lastSeq)
                case nil: stored = .damaged
                }
            } else {
                stored = .damaged
            }
        }
        var summary = try foldTail(&fold, after: foldedTo, knownAt: .max, spill: spill, progress: counted)
        // A stored snapshot equal to the state at the log's end holds exactly the bytes a new one would: kept.
        let current = stored == .equal(seq: fold.lastSeq)
        if !current {
            if summary == nil {   // the position of the last record, which the new snapshot records
                do { summary = try reader.scan(from: Int64.max) } catch { throw LedgerError.wrap(error) }
            }
            try writeSnapshot(fold, over: spill.mergeBase, head: writer.head, lastRecord: summary?.lastRecord)
        }
        return RebuildReport(events: fold.lastSeq, stored: stored, written: !current,
                             seconds: Double(Ledger.currentMicroseconds() - started) / 1_000_000)
    }

    /// The state of one unit's records, enough for `status SERIAL`: read from the snapshot's records of that
    /// unit and the units it refers to, plus the later events of their streams; the full fold when the
    /// snapshot cannot answer.
    ///
    /// The serial is looked up in the snapshot's identifier index (so another Unicode normalization of a serial
    /// finds it) and in the exchanges after the snapshot: a replacement introduced since (even under a serial
    /// whose sale was voided) has its introduction in the stream of the unit it replaced. A serial found nowhere
    /// gives a state without that unit, at once.
    public func state(forUnit serial: String, knownAt: Int64 = .max) throws(LedgerError) -> LedgerState {
        let reader = try logReader()
        if Ledger.scopedFolds, let (file, snapshotReader) = usableSnapshot(reader: reader), file.lastSeq <= knownAt,
           let scope = SnapshotScope(file: file, reader: snapshotReader), var fold = scope.emptyFold() {
            do {
                let chain = try replacedChain(of: serial, after: file.lastRecord, knownAt: knownAt)
                for unit in chain { try scope.identifier(.serial, unit, &fold.state) }
                fold.hasKeys = false
                let streams = Set((chain + fold.state.unitSerials).map { "unit:" + $0 })
                try foldTail(&fold, after: file.lastRecord, knownAt: knownAt, only: streams)
                return fold.state
            } catch {
                // A damaged part of the snapshot, or of the log: left to the whole fold to get past or to report.
                Ledger.scopeFallback?("\(error)")
            }
        }
        return try state(knownAt: knownAt)
    }

    /// `serial`, then the serials it replaced through exchanges after `position`, newest first.
    private func replacedChain(of serial: String, after position: RecordPosition?, knownAt: Int64) throws(LedgerError) -> [String] {
        var replaced: [String: String] = [:]
        do {
            try logReader().scan(after: position) { record in
                guard record.seq <= knownAt else { return false }
                guard StoredEvent.hasType(record.payload, [.unitExchanged]),
                      case .unitExchanged(let exchange) = try StoredEvent.decodeForLedger(record).event.body else { return true }
                replaced[exchange.replacement] = exchange.serial
                return true
            }
        } catch {
            throw LedgerError.wrap(error)
        }
        var chain = [serial]
        while let older = replaced[chain[chain.count - 1]], !chain.contains(older) { chain.append(older) }
        return chain
    }
}

extension StoredEvent {
    /// Decodes a record's payload, naming the seq when the stored bytes are not an event.
    static func decodeForLedger(_ record: borrowing StoredRecord) throws(LedgerError) -> StoredEvent {
        try decodeForLedger(record.payload, seq: record.seq)
    }

    /// Decodes the payload of the record at `seq`.
    static func decodeForLedger(_ payload: UnsafeRawBufferPointer, seq: Int64) throws(LedgerError) -> StoredEvent {
        do throws(StoredEventError) {
            return try StoredEvent(decoding: payload)
        } catch {
            throw LedgerError(.verificationFailed, "seq \(seq): stored event cannot be decoded: \(error.reason)")
        }
    }
}
