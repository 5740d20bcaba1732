#if canImport(Glibc)
import Glibc
#endif
import Integrity
import JSONText
import LedgerLog
import WarrantyDomain
import WarrantyProjections

/// A ledger folder: its manifest, its log, and the fold of its events into warranty state.
///
/// Readers need no lock; `append` takes the folder's writer lock for the length of one batch.
public final class Ledger: Sendable {
    /// The folder used when neither `--dir` nor `$LEDGER_DIR` names one.
    public static let defaultFolder = "./ledger"
    public let folder: String
    /// The zone in which business days are counted, chosen at `init`.
    public let timeZone: TimeZoneOffset

    /// Creates an empty ledger in `folder` (created with mode 0700 if missing; an existing folder must be empty).
    @discardableResult
    public static func create(folder: String, timeZone: TimeZoneOffset,
                              now: Int64 = Ledger.currentMicroseconds()) throws(LedgerError) -> Ledger {
        var createdFolder = false
        do {
            createdFolder = try DurableFiles.createFolder(folder)
            if !createdFolder {
                let names = try DurableFiles.names(in: folder)
                if names.contains(LedgerManifest.fileName) {
                    throw LedgerError(.usage, "\(folder) already holds a ledger")
                }
                guard names.isEmpty else {
                    throw LedgerError(.usage, "\(folder) is not empty; choose a new or empty folder")
                }
            }
        } catch {
            throw LedgerError.wrap(error)
        }
        do {
            let manifest = LedgerManifest(timeZone: timeZone, created: Timestamp.iso8601(microseconds: now, fraction: false))
            try DurableFiles.create(path: folder + "/" + LedgerManifest.fileName, bytes: Array(manifest.text.utf8))
            // Opening the writer once creates the first segment and the lock file.
            _ = try LogWriter(folder: folder, creating: true)
        } catch {
            // All or nothing: the folder goes back to empty (or away), so that `init` can simply be run again.
            for name in [LedgerManifest.fileName, LogFormat.segmentName(baseSeq: 1), "lock"] { unlink(folder + "/" + name) }
            if createdFolder { rmdir(folder) }
            throw LedgerError.wrap(error)
        }
        return try Ledger(folder: folder)
    }

    /// Opens the ledger in `folder`; exit code 66 if there is none.
    public init(folder: String) throws(LedgerError) {
        self.folder = folder
        let path = folder + "/" + LedgerManifest.fileName
        guard let bytes = DurableFiles.contents(of: path) else {
            throw LedgerError(.notFound, "no ledger at \(folder) (run `ledger init` first, or pass --dir)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LedgerError(.verificationFailed, "\(path): not UTF-8 text (the file was changed)")
        }
        timeZone = try LedgerManifest(parsing: text, path: path).timeZone
    }

    /// The current time in microseconds since 1970-01-01T00:00:00Z.
    public static func currentMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
    }

    func logReader() throws(LedgerError) -> LogReader {
        do { return try LogReader(folder: folder) } catch { throw LedgerError(error) }
    }

    /// Visits the stored events with `from <= seq <= through` in order until `body` returns false; with
    /// `including`, only the records whose payload it accepts (the others are skipped undecoded: it reads
    /// their headers, as `StoredEvent.inStreams` and `StoredEvent.hasType` do).
    @discardableResult
    public func forEachEvent(from: Int64 = 1, through: Int64 = .max, checkChain: Bool = false,
                             including: ((UnsafeRawBufferPointer) -> Bool)? = nil,
                             _ body: (LoggedEvent) throws -> Bool) throws(LedgerError) -> LogSummary {
        let reader = try logReader()
        do {
            return try reader.scan(from: from, checkChain: checkChain) { record in
                guard record.seq <= through else { return false }
                guard including?(record.payload) ?? true else { return true }
                let stored = try StoredEvent.decodeForLedger(record)
                return try body(LoggedEvent(seq: record.seq, recordedMicroseconds: record.recordedMicroseconds,
                                            record: record, stored: stored))
            }
        } catch {
            throw LedgerError.wrap(error)
        }
    }

    /// The stored event at `seq`, or nil if the log ends before it. Read from where the Merkle store places it
    /// when the store holds its group of 64 records; else from the start of the log segment holding it.
    public func event(at seq: Int64) throws(LedgerError) -> Event? {
        if let record = try? MerkleTreeView.storedRecord(seq: seq, folder: folder, reader: try logReader()) {
            return try record.withUnsafeBytes { bytes in
                Result { () throws(LedgerError) in
                    try StoredEvent.decodeForLedger(UnsafeRawBufferPointer(rebasing: bytes[LogFormat.recordHeaderSize...]), seq: seq).event
                }
            }.get()
        }
        var found: Event?
        try forEachEvent(from: seq, through: seq) { logged in
            found = logged.stored.event
            return false
        }
        return found
    }

    /// Folds the log, or its first `knownAt` events, into warranty state: from the snapshot when one
    /// matches the log and lies at or before `knownAt`, else from the first event.
    ///
    /// With `keys: false` the idempotency keys and stream versions of the snapshot are not loaded (a
    /// query needs only the state); such a fold must not be appended to or stored.
    public func fold(knownAt: Int64 = .max, keys: Bool = true) throws(LedgerError) -> LedgerFold {
        let reader = try logReader()
        if let (file, snapshotReader) = usableSnapshot(reader: reader), file.lastSeq <= knownAt,
           var fold = file.loadFold(snapshotReader, keys: keys) {
            try foldTail(&fold, after: file.lastRecord, knownAt: knownAt)
            return fold
        }
        var fold = LedgerFold()
        try foldTail(&fold, after: nil, knownAt: knownAt)
        return fold
    }
}

/// An event as the log holds it, with its envelope.
public struct LoggedEvent {
    public var seq: Int64
    public var recordedMicroseconds: Int64
    let record: StoredRecord
    public var stored: StoredEvent
    /// SHA-256 of the stored record: what the next record links to.
    public var hash: SHA256Digest { record.hash }
}

/// Everything derived from the log up to a position: warranty state, idempotency keys and stream versions.
public struct LedgerFold: Sendable {
    public var state = LedgerState()
    public private(set) var lastSeq: Int64 = 0
    /// The seq of the snapshot this fold started from (0: from the first event).
    public private(set) var snapshotSeq: Int64 = 0
    /// The seq of the event that used each idempotency key, in log order.
    var ids = KeyTable<Int64>()
    /// The version of each stream's last event, streams in the order of their first event.
    var versions = KeyTable<UInt32>()
    /// Set on the folds after a rebuild's first spill (`StateSpill`), which keep the stream versions aside: a stream
    /// such a fold has not met starts at the version stored with its first event, kept here by entry of `versions`.
    /// Whether each stream's versions follow on from one fold to the next is checked when they are merged
    /// (`VersionRun`), instead of looking each stream up in the spilled state.
    var versionsAside = false
    private(set) var firstVersions: [UInt32] = []
    /// False for a query's fold, loaded from a snapshot without `ids` and `versions`: never appended to nor stored.
    var hasKeys = true
    /// False for a scoped fold (`SnapshotScope`), which holds only the units its events needed: never stored.
    var isWhole = true

    init() {}

    /// A fold restored from a snapshot taken at `lastSeq`.
    init(state: LedgerState, lastSeq: Int64) {
        self.state = state
        self.lastSeq = lastSeq
        snapshotSeq = lastSeq
    }

    /// Applies a stored event at `seq`; `resolve` reads an earlier event, which a void needs to undo it.
    ///
    /// The pair of `append`'s check: a stored event is checked again as it is read, so a log that was not
    /// written through `append` (forged with a valid hash chain, or written by a faulty version) is reported
    /// as a verification failure naming the seq, and never reaches the fold's invariants.
    mutating func apply(_ stored: StoredEvent, seq: Int64, resolve: (Int64) throws(LedgerError) -> Event?) throws(LedgerError) {
        var target: Event?
        if case .eventVoided(let void) = stored.event.body {
            guard void.seq < seq else {
                throw LedgerError(.verificationFailed, "seq \(seq): voids seq \(void.seq), which does not come before it; "
                                  + "this log was not written by `ledger append`")
            }
            target = try resolve(void.seq)
            guard target != nil else {
                throw LedgerError(.verificationFailed, "seq \(seq): voids seq \(void.seq), which is not in the log")
            }
        }
        do throws(Refusal) {
            try state.check(stored.event) { _ in target }
        } catch {
            throw LedgerError(.verificationFailed, "seq \(seq): the stored \(stored.event.type.rawValue) breaks the ledger's rules "
                              + "(\(error.reason)); this log was not written by `ledger append`")
        }
        let stream = state.stream(of: stored.event, target: target)
        // Counted before the comparison: on a mismatch the whole fold is abandoned.
        let version: UInt32
        if versionsAside {
            // A stream started at the version its first event stored (a forged one) may have started at the last there
            // is: a gap, whose first event the rebuild looks for in the log (`Ledger.rebuild`).
            guard let counted = versions.increment(stream, orStartAt: stored.version) else {
                throw LedgerError(StreamVersionGap(stream: stream, after: .max, next: stored.version))
            }
            if counted.isNew { firstVersions.append(counted.count) }
            version = counted.count
        } else {
            version = versions.increment(stream)
        }
        guard stored.stream == stream, !hasKeys || stored.version == version else {
            throw LedgerError.streamVersion(seq: seq, stored: stored, stream: stream, version: version)
        }
        record(stored.event, seq: seq, target: target)
    }

    /// The fold without its idempotency keys and stream versions: what a rebuild's spill writes (`StateSpill`).
    var withoutKeysAndVersions: LedgerFold {
        var fold = self
        fold.dropKeysAndVersions()
        return fold
    }

    /// Forgets the idempotency keys and stream versions, once a rebuild has written them out as runs (`KeyRuns`).
    mutating func dropKeysAndVersions() {
        ids = KeyTable()
        versions = KeyTable()
        firstVersions = []
    }

    /// The version of the first event of `versions`' entry this fold applied: 1 unless the versions are kept aside.
    func firstVersion(ofEntry entry: Int) -> UInt32 {
        versionsAside ? firstVersions[entry] : 1
    }

    /// Starts a stream that the fold has not met at the version a snapshot gave it (a scoped fold, which looks
    /// streams up in the snapshot as they come).
    mutating func startStream(_ stream: String, at version: UInt32) {
        precondition(!versionsAside, "a fold keeping its versions aside never looks a stream up")
        if versions[stream] == nil { versions[stream] = version }
    }

    /// Applies an event `append` has just checked and stored in `stream`.
    mutating func apply(_ event: Event, stream: String, seq: Int64, target: Event?) {
        precondition(!versionsAside, "only a rebuild keeps its versions aside")
        _ = versions.increment(stream)
        record(event, seq: seq, target: target)
    }

    private mutating func record(_ event: Event, seq: Int64, target: Event?) {
        state.apply(event, seq: seq, target: target)
        if let id = event.id { ids[id] = seq }
        lastSeq = seq
    }
}
