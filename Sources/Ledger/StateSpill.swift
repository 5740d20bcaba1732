import Integrity
import LedgerLog
import WarrantyProjections

/// Keeps a long fold (`rebuild`, a large batch) within bounded memory: once its state holds `limit` units, the
/// state is written out as a scratch snapshot, merged over the previous one (`SectionEncoder.encode(_:over:)`),
/// and the fold carries on scoped over it (`SnapshotScope`), loading back only the units later events need.
///
/// The fold stays exact for the reason a scoped `append` is: a unit's record is loaded before the first later
/// event that reads or changes it. Writing the fold as the folder's snapshot at the end merges it over the last
/// scratch file, giving the same bytes as the whole fold would.
///
/// The scratch file is `state.spill.new-PID` in the ledger folder, written by the process holding the writer
/// lock, never synced, and removed once the next one is written or the fold is done; one left by a killed
/// process is removed by the next spill (`ReplacementFile`).
final class StateSpill {
    private let folder: String
    let limit: Int
    /// The snapshot the fold is scoped over: the last scratch file, or the one a scoped append started from.
    private(set) var scope: SnapshotScope?
    /// The scratch file `scope` reads, kept (uncommitted) until the next one replaces it.
    private var scratch: ReplacementFile?
    /// How many times the fold was written out.
    private(set) var spills = 0

    /// A spill for a fold that is whole (`scope` nil) or scoped over `scope`.
    init(folder: String, scope: SnapshotScope?, limit: Int = Ledger.spillUnits) {
        self.folder = folder
        self.scope = scope
        self.limit = limit
    }

    /// Forgets the scope: the fold was replaced by the whole one (a damaged snapshot under a scoped append).
    func dropScope() {
        scope = nil
        scratch = nil
    }

    /// Writes the fold out and replaces it by an empty one scoped over what was written, once it holds `limit`
    /// units or more.
    func spillIfFull(_ fold: inout LedgerFold) throws(LedgerError) {
        guard fold.state.unitCount >= limit else { return }
        do {
            let file = try ReplacementFile(path: folder + "/state.spill")
            try SnapshotFile.write(fold, over: scope?.mergeBase, head: .zero, lastRecord: nil, into: file)
            guard case .header(let written, let reader) = SnapshotFile.find(path: try file.written()),
                  let next = SnapshotScope(file: written, reader: reader), let empty = next.emptyFold() else {
                throw LedgerError(.io, "\(folder)/state.spill: the state written out cannot be read back")
            }
            scope = next
            scratch = file
            spills += 1
            fold = empty
        } catch {
            throw LedgerError.wrap(error)
        }
        Ledger.spilled?()
    }

    /// The base to write the fold over as a whole snapshot: nil when it is whole.
    var mergeBase: MergeBase? {
        scope?.mergeBase
    }
}

extension Ledger {
    /// How many units a long fold holds before it is written out (`StateSpill`); task-local so that a test or a
    /// benchmark can lower it.
    @TaskLocal public static var spillUnits = 100_000

    /// Told each time a fold is written out; task-local so that a test can tell that it happened.
    @TaskLocal static var spilled: (@Sendable () -> Void)?
}
