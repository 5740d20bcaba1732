import Integrity
import LedgerLog
import WarrantyProjections

/// Keeps a long fold (`rebuild`, a large batch) within bounded memory: once its state holds `limit` units (an
/// idempotency key or stream counting 1/32 of a unit), the state is written out as a scratch snapshot, merged
/// over the previous one (`SectionEncoder.encode(_:over:)`), and the fold carries on scoped over it
/// (`SnapshotScope`), loading back only the units later events need.
///
/// A fold spills about once per `limit` units it loads: a unit written out comes back with the next event that
/// needs it, so a fold of N units whose events come in k bursts spills about k × N / `limit` times. The unit
/// records a spill writes go to a heap (`RecordHeap`), and only the fold's: the scratch snapshot points at the
/// others where earlier spills wrote them. Its other sections (policies, dealers, notices, totals, the unit
/// index, the dealer index, the identifier index, and but for a rebuild the idempotency keys and the stream
/// versions) are the whole ledger's, rewritten at each spill: about k × N² / (2 × `limit`) entries in all, the
/// price of the bound.
/// A spill that cannot be written (a full disk, a damaged file to merge over) is given up: the fold goes on in
/// memory from where it is (whole, or scoped over the last file written), spilling no more.
///
/// The fold stays exact for the reason a scoped `append` is: a unit's record is loaded before the first later
/// event that reads or changes it. Writing the fold as the folder's snapshot at the end merges it over the last
/// scratch file, giving the same bytes as the whole fold would.
///
/// A rebuild keeps the idempotency keys and the stream versions aside instead (`KeyRuns`): it never looks a key up,
/// and the keys, one per event, are the largest table of the file; and the fold after a spill starts each stream
/// at the version stored with its first event, leaving the check that the versions follow on to the merge of the
/// runs. Between spills, they are written out as runs of their own whenever they number `Ledger.keyRunEntries`.
///
/// The scratch file is `state.spill.new-PID` in the ledger folder, written by the process holding the writer
/// lock and never synced. It is unlinked as soon as it is opened for reading, so it goes when the fold is done and
/// nothing is left behind; one left by a process killed while writing it is removed by the next long fold.
final class StateSpill {
    private let folder: String
    private(set) var limit: Int
    /// The snapshot the fold is scoped over: the last scratch file, or the one a scoped append started from.
    private(set) var scope: SnapshotScope?
    /// How many times the fold was written out.
    private(set) var spills = 0
    /// Whether the idempotency keys and stream versions are kept aside (`KeyRuns`) instead of in each scratch file:
    /// for a fold that never looks a key up (`rebuild`).
    private let keysAside: Bool
    /// `Ledger.keyRunEntries` when the spill was made.
    private let keyRunEntries = Ledger.keyRunEntries
    private var keyRuns: KeyRuns?
    private var versionRuns: KeyRuns?
    /// The heap holding the unit records of `scope`, once the fold has spilled, and the bytes of those its unit
    /// index points at.
    private var heap: (records: RecordHeap, indexed: Int64)?

    /// A spill for a fold that is whole (`scope` nil) or scoped over `scope`.
    init(folder: String, scope: SnapshotScope?, limit: Int = Ledger.spillUnits, keysAside: Bool = false) {
        self.folder = folder
        self.scope = scope
        self.limit = limit
        self.keysAside = keysAside
        if limit < .max {
            ReplacementFile.removeAbandoned(beside: folder + "/" + Self.name)
            for name in [KeyRuns.keysName, KeyRuns.versionsName] {
                for path in KeyRuns.paths(folder: folder, name: name) { ReplacementFile.removeAbandoned(beside: path) }
            }
        }
    }

    private static let name = "state.spill"

    /// Writes the fold out and replaces it by an empty one scoped over what was written, once it is full; a rebuild's
    /// fold that is not full has its keys and versions written out once they number `Ledger.keyRunEntries`. When
    /// that fails, the fold is left as it was and spills no more; a fold found to disagree with its snapshot
    /// (`MergeInvariantError`), or stream versions found out of order as runs are merged (`StreamVersionGap`), is
    /// an error.
    func spillIfFull(_ fold: inout LedgerFold) throws(LedgerError) {
        guard limit < .max else { return }
        guard fold.state.unitCount + (fold.ids.count + fold.versions.count) / 32 >= limit else {
            if keysAside, keyRuns != nil, fold.ids.count + fold.versions.count >= keyRunEntries { try setKeysAside(&fold) }
            return
        }
        do {
            let written = keysAside ? fold.withoutKeysAndVersions : fold
            // The records go to the scope's heap, unless it holds more than `slack` times what its index points at:
            // then the records the next index points at are copied to a new heap, and the old one goes with the scope.
            let records: RecordHeap
            if let (current, indexed) = heap, current.size <= RecordHeap.slack * indexed {
                records = current
            } else {
                records = try RecordHeap(folder: folder)
            }
            // Dropped uncommitted at the end of this block, the file is unlinked; the reader keeps it open.
            // The encoder stages its bytes already: a small buffer here.
            let file = try ReplacementFile(path: folder + "/" + Self.name, bufferSize: 1 << 16)
            let indexed = try SnapshotFile.write(written, over: scope?.mergeBase, head: .zero, lastRecord: nil, into: file, heap: records)
            guard case .header(let file, let reader) = SnapshotFile.find(path: try file.written(), heap: try records.reader()),
                  let next = SnapshotScope(file: file, reader: reader, keysAside: keysAside, heap: records),
                  let empty = next.emptyFold() else {
                throw SnapshotError(reason: "\(folder)/\(Self.name): the state written out cannot be read back")
            }
            if keysAside { try addRuns(fold) }
            scope = next
            heap = (records, indexed)
            spills += 1
            fold = empty
            Ledger.spilled?(nil)
        } catch {
            try giveUp(error)
        }
    }

    /// What a failed spill or run comes to: a fold found to disagree with its snapshot, or stream versions out of
    /// order, is an error; anything else (a write that failed, a damaged file to merge over) stops the spilling, and
    /// the fold goes on in memory.
    private func giveUp(_ error: any Error) throws(LedgerError) {
        switch error {
        case let error as MergeInvariantError: throw LedgerError(.verificationFailed, "\(error)")
        case let gap as StreamVersionGap: throw LedgerError(gap)
        default:
            limit = .max
            Ledger.spilled?("\(error)")
        }
    }

    /// Appends the fold's idempotency keys and stream versions to their runs, both or neither.
    private func addRuns(_ fold: LedgerFold) throws {
        let keys = try keyRuns ?? KeyRuns.keys(folder: folder), versions = try versionRuns ?? KeyRuns.versions(folder: folder)
        try keys.add(fold.ids) { UInt64(bitPattern: $1) }
        do {
            try versions.add(fold.versions) { VersionRun.value(first: fold.firstVersion(ofEntry: $0), last: $1) }
        } catch {
            // The fold goes on with its keys as well as its versions: neither is left in a run.
            keys.removeLast()
            throw error
        }
        keyRuns = keys
        versionRuns = versions
    }

    /// Writes a rebuild's keys and versions out as runs, and drops them from the fold. A fold after a spill keeps its
    /// versions aside already (`LedgerFold.versionsAside`): a stream it meets again starts a new entry, which the
    /// merge of the runs checks follows on, as it does across spills. When the runs cannot be written, the fold keeps
    /// them and spills no more, as when a spill cannot be written.
    private func setKeysAside(_ fold: inout LedgerFold) throws(LedgerError) {
        precondition(fold.versionsAside, "keys are set aside without a spill only once the fold keeps its versions aside")
        do {
            try addRuns(fold)
            fold.dropKeysAndVersions()
        } catch {
            try giveUp(error)
        }
    }

    /// The base to write the fold over as a whole snapshot: nil when it is whole.
    var mergeBase: MergeBase? {
        // Keys are kept aside only by a spill, which then scopes the fold over what it wrote.
        precondition(keyRuns == nil || scope != nil, "keys kept aside with no scratch file to merge them over")
        guard var base = scope?.mergeBase else { return nil }
        base.keyRuns = keyRuns
        base.versionRuns = versionRuns
        return base
    }
}

extension Ledger {
    /// How many units a long fold holds before it is written out (`StateSpill`); task-local so that a test or a
    /// benchmark can lower it.
    @TaskLocal public static var spillUnits = 110_000

    /// How many idempotency keys and stream versions a rebuild's fold holds, once it has spilled, before they are written
    /// out as runs of their own (`KeyRuns`) while the state stays in memory: otherwise they grow with the events between
    /// two spills, which grow faster than `spillUnits`. Task-local so that a test can lower it.
    @TaskLocal static var keyRunEntries = 1 << 16

    /// Told each time a fold is written out (nil), or why it or a rebuild's keys and versions between spills could not
    /// be; task-local so that a test can tell.
    @TaskLocal static var spilled: (@Sendable (String?) -> Void)?
}
