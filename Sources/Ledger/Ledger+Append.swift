#if canImport(Glibc)
import Glibc
#endif
import Integrity
import JSONText
import LedgerLog
import WarrantyDomain
import WarrantyProjections

/// What one `append` did.
public struct AppendReport: Sendable, Equatable {
    public var appended: Int
    public var duplicates: Int
    /// The seq range of the appended events; nil when nothing was appended.
    public var firstSeq: Int64?
    public var lastSeq: Int64?
    /// The chain head after the append: the hash of the ledger's last record.
    public var head: SHA256Digest
    /// Bytes of a torn tail, left by an earlier crash, that were cut before appending.
    public var recoveredTornBytes: Int64
}

extension Ledger {
    /// Validates every line of `lines` and appends the accepted events as one atomic batch.
    ///
    /// Lines are read as they come; only the batch being built is held. An event whose `id` is
    /// already in the ledger (or earlier in the batch) is skipped as a duplicate if it is the same
    /// event, and refused if it differs. Any refused line refuses the whole batch: nothing is appended.
    ///
    /// While another process appends, waits up to `lockWaitSeconds` for the writer lock, then fails (exit 74).
    public func append(_ lines: borrowing LineReader, lockWaitSeconds: Double = 0.1,
                       recordedMicroseconds: Int64 = Ledger.currentMicroseconds()) throws(LedgerError) -> AppendReport {
        let report = try appendBatch(lines, lockWaitSeconds: lockWaitSeconds, recordedMicroseconds: recordedMicroseconds)
        // The Merkle store is a cache, brought up to date after the writer lock is released (the batch is
        // durable and acknowledged whatever happens to it), so that other writers do not wait for it.
        if report.appended > 0 { updateMerkleStore() }
        return report
    }

    /// The batch itself, under the writer lock, which is released when this returns.
    private func appendBatch(_ lines: borrowing LineReader, lockWaitSeconds: Double,
                             recordedMicroseconds: Int64) throws(LedgerError) -> AppendReport {
        let writer: LogWriter
        do { writer = try LogWriter(folder: folder, lockWaitSeconds: lockWaitSeconds) } catch { throw LedgerError.wrap(error) }
        var (fold, spill) = try appendFold()
        var report = AppendReport(appended: 0, duplicates: 0, head: writer.head,
                                  recoveredTornBytes: writer.recoveredTornBytes)
        let committedSeq = writer.lastSeq
        // The batch is not kept in memory: an event of it is read back from the writer.
        let resolve = { (seq: Int64) throws(LedgerError) -> Event? in
            if seq > committedSeq {
                let payload: [UInt8]?
                do { payload = try writer.pendingPayload(seq) } catch { throw LedgerError.wrap(error) }
                guard let payload else { return nil }
                return try payload.withUnsafeBytes { bytes in
                    Result { () throws(LedgerError) in try StoredEvent.decodeForLedger(bytes, seq: seq).event }
                }.get()
            }
            return seq >= 1 ? try self.event(at: seq) : nil
        }
        /// Runs `body` on the scoped fold's snapshot. When the snapshot cannot give what it needs (damaged since it
        /// was opened), the whole fold takes over, with the batch so far applied to it, and nil is returned.
        func fromScope<T>(_ body: (SnapshotScope) throws(SnapshotError) -> T?) throws(LedgerError) -> T? {
            guard let current = spill.scope else { return nil }
            do { return try body(current) } catch {
                Ledger.scopeFallback?(error.reason)
                spill = StateSpill(folder: folder, scope: nil, limit: .max)
                fold = try self.fold()
                // Checked again as they are applied: a scoped fold that had let one through is an error, not a trap.
                for seq in (committedSeq + 1)..<(committedSeq + 1 + Int64(report.appended)) {
                    let payload: [UInt8]?
                    do { payload = try writer.pendingPayload(seq) } catch { throw LedgerError.wrap(error) }
                    let stored = try (payload ?? []).withUnsafeBytes { bytes in
                        Result { () throws(LedgerError) in try StoredEvent.decodeForLedger(bytes, seq: seq) }
                    }.get()
                    try fold.apply(stored, seq: seq, resolve: resolve)
                }
                return nil
            }
        }
        var payload: [UInt8] = []
        payload.reserveCapacity(1024)
        var storedDuplicates: [(seq: Int64, event: Event, line: Int)] = []
        do {
            try writer.begin(recordedMicroseconds: recordedMicroseconds)
            try lines.forEachLine { number, bytes in
                guard let (event, envelope) = try self.decodeLine(number, bytes) else { return }
                func refuse(_ reason: String) -> LedgerError {
                    LedgerError(.refused, "line \(number): \(event.type.rawValue): \(reason)")
                }
                if let id = event.id, let earlierSeq = try fold.ids[id] ?? fromScope({ scope throws(SnapshotError) in try scope.seq(ofKey: id) }) ?? fold.ids[id] {
                    if let envelope, envelope.seq != earlierSeq {
                        throw refuse("seq \(envelope.seq): this event is already stored at seq \(earlierSeq)")
                    }
                    if earlierSeq > committedSeq {
                        guard try resolve(earlierSeq) == event else { throw refuse(Ledger.reusedID(id, earlierSeq)) }
                    } else {
                        // Compared with the stored events in one pass over the log per chunk, and before the commit.
                        storedDuplicates.append((earlierSeq, event, number))
                        if storedDuplicates.count >= Ledger.duplicatesPerPass {
                            try checkDuplicates(storedDuplicates)
                            storedDuplicates.removeAll(keepingCapacity: true)
                        }
                    }
                    report.duplicates += 1
                    return
                }
                if let envelope, let reason = envelope.mismatch(seq: committedSeq + Int64(report.appended) + 1) { throw refuse(reason) }
                // A void's target is read first, so that a damaged or unreadable log is not mistaken for a missing seq.
                var target: Event?
                if case .eventVoided(let void) = event.body { target = try resolve(void.seq) }
                _ = try fromScope { scope throws(SnapshotError) -> Void? in try scope.prepare(&fold, for: event, target: target) }
                do throws(Refusal) {
                    try fold.state.check(event) { _ in target }
                } catch {
                    throw refuse(error.reason)
                }
                let stream = fold.state.stream(of: event, target: target)
                let stored = StoredEvent(stream: stream, version: fold.versions[stream, default: 0] + 1, event: event)
                if let reason = envelope?.mismatch(stream: stream, version: stored.version) {
                    throw refuse(reason)
                }
                payload.removeAll(keepingCapacity: true)
                stored.encode(into: &payload)
                // Pair assertion: the bytes written must read back as the same event.
                let readBack = payload.withUnsafeBytes { bytes in Result { () throws(StoredEventError) in try StoredEvent(decoding: bytes) } }
                guard case .success(let decoded) = readBack, decoded == stored else {
                    let reason = if case .failure(let error) = readBack { error.reason } else { "it reads back differently" }
                    throw refuse("cannot be stored faithfully: \(reason)")
                }
                let seq = try writer.add(payload)
                fold.apply(event, stream: stream, seq: seq, target: target)
                report.appended += 1
                try spill.spillIfFull(&fold)
            }
            try checkDuplicates(storedDuplicates)
            if let receipt = try writer.commit() {
                report.firstSeq = receipt.firstSeq
                report.lastSeq = receipt.lastSeq
                report.head = receipt.head
                if receipt.lastSeq - fold.snapshotSeq >= Ledger.snapshotInterval || spill.spills > 0 {
                    // The batch is durable; a snapshot that fails to write is only a missed cache. A scoped fold
                    // is written over the snapshot it was loaded from. Should the folder's snapshot turn out
                    // damaged there, it is removed: the next append or `rebuild` writes a new one.
                    do {
                        try SnapshotFile.write(fold, over: spill.mergeBase, head: receipt.head, lastRecord: receipt.lastRecord,
                                               path: folder + "/" + SnapshotFile.fileName)
                    } catch is SnapshotError where spill.mergeBase != nil && spill.spills == 0 {
                        unlink(folder + "/" + SnapshotFile.fileName)
                    } catch {}
                }
            }
        } catch {
            try? writer.abort()
            throw LedgerError.wrap(error)
        }
        return report
    }

    /// The fold a batch is checked against, with the spill that keeps it within bounded memory (`StateSpill`):
    /// with a usable snapshot, a scoped one that loads from it only what the events after it and the batch need
    /// (`SnapshotScope`); else the whole fold, from the first event when there is no snapshot to start from.
    private func appendFold() throws(LedgerError) -> (LedgerFold, StateSpill) {
        guard Ledger.scopedFolds else { return (try self.fold(), StateSpill(folder: folder, scope: nil, limit: .max)) }
        let reader = try logReader()
        if let (file, snapshotReader) = usableSnapshot(reader: reader),
           let scope = SnapshotScope(file: file, reader: snapshotReader), var fold = scope.emptyFold() {
            let spill = StateSpill(folder: folder, scope: scope)
            do {
                try foldTail(&fold, after: file.lastRecord, knownAt: .max, spill: spill)
                return (fold, spill)
            } catch {
                // A damaged part of the snapshot, or of the log: left to the whole fold to get past or to report.
                Ledger.scopeFallback?(error.message)
            }
        }
        // A snapshot that matches the log but that the scope could not read: the whole fold, spilled once full.
        if usableSnapshot(reader: reader) != nil { return (try self.fold(), StateSpill(folder: folder, scope: nil)) }
        var fold = LedgerFold()
        let spill = StateSpill(folder: folder, scope: nil)
        try foldTail(&fold, after: nil, knownAt: .max, spill: spill)
        return (fold, spill)
    }

    /// Whether `append` and `writeoff-draft` work from a scoped fold when they can; task-local so that a test or a
    /// benchmark can compare them with the whole fold.
    @TaskLocal public static var scopedFolds = true

    /// Told why, each time a scoped fold hands a batch to the whole fold; task-local so that a test can tell
    /// that the scoped fold did the work.
    @TaskLocal static var scopeFallback: (@Sendable (String) -> Void)?

    /// Told each time a scoped fold's snapshot is opened; task-local so that a test can tell the scoped path was taken.
    @TaskLocal static var scopeOpened: (@Sendable () -> Void)?

    /// Refuses the batch if any line repeats the `id` of a stored event without being that same event.
    ///
    /// One ordered pass over the log from the earliest such seq, however many duplicates a resent file holds.
    func checkDuplicates(_ duplicates: [(seq: Int64, event: Event, line: Int)]) throws(LedgerError) {
        guard !duplicates.isEmpty else { return }
        let sorted = duplicates.sorted { $0.seq < $1.seq }
        var next = 0
        try forEachEvent(from: sorted[0].seq, through: sorted[sorted.count - 1].seq) { logged throws(LedgerError) in
            while next < sorted.count && sorted[next].seq == logged.seq {
                let duplicate = sorted[next]
                guard duplicate.event == logged.stored.event else {
                    throw LedgerError(.refused, "line \(duplicate.line): \(duplicate.event.type.rawValue): \(Ledger.reusedID(duplicate.event.id!, logged.seq))")
                }
                next += 1
            }
            return next < sorted.count
        }
    }

    /// How many resent events are held before they are compared with the log: a resent file is
    /// checked in passes over consecutive stretches of the log, in bounded memory. Task-local so that a test can lower it.
    @TaskLocal static var duplicatesPerPass = 65_536

    static func reusedID(_ id: String, _ seq: Int64) -> String {
        "id \"\(id)\" was already used by seq \(seq) for a different event"
    }

    /// Parses and field-checks one input line, with the envelope of an exported line; nil for a blank line.
    func decodeLine(_ number: Int, _ bytes: UnsafeRawBufferPointer) throws(LedgerError) -> (Event, ImportEnvelope?)? {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(bytes)
        } catch {
            throw LedgerError(.refused, "line \(number): \(error)")
        }
        let (value, envelope) = try ImportEnvelope.split(parsed, line: number)
        do {
            return (try EventDecoder.decode(value, zone: timeZone), envelope)
        } catch {
            let type = error.type.map { "\($0): " } ?? ""
            throw LedgerError(.refused, "line \(number): \(type)\(error.reason)")
        }
    }
}
