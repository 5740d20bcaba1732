import Integrity
import LedgerLog
import WarrantyProjections

/// The unit records of a long fold's scratch snapshots (`StateSpill`), kept outside them in one file that only
/// grows: each spill appends the records of the units its fold held, and the unit index of its scratch snapshot
/// points at those and at the records earlier spills appended, which it no longer copies. A spill then writes
/// the records it changed, not every record so far; it still rewrites the smaller sections (the indexes and
/// lookup tables), which hold about a third of a snapshot's bytes.
///
/// A scratch snapshot's units section is the whole heap: its header places the section at `offset`, far past
/// any file's end, and the scratch file's `SnapshotReader` sends reads there to the heap. Each record is
/// checked against its unit index entry's checksum as it is read, as records of a snapshot are; the section's
/// own checksum, kept as the heap grows, covers every record appended, also those no index points at any more.
///
/// Those are a unit's earlier versions, and they pile up: a spill whose heap holds more than `slack` times the
/// records the last index pointed at copies the records it points at into a new heap instead, which replaces
/// the old one. So the heap holds at most about `slack` times the units section of the ledger's snapshot.
///
/// The files are `state.spill-heap-0.new-PID` and `state.spill-heap-1.new-PID` (each new heap takes the other name,
/// while the old one is still read) in the ledger folder, never synced, and removed when the fold is done, or by the
/// next long fold (after a process killed while writing one).
final class RecordHeap {
    /// Where a scratch snapshot's header places its units section: 2^48, beyond any file this writes.
    static let offset: Int64 = 1 << 48
    static let name = "state.spill-heap"
    /// How many times the bytes of the records an index points at the heap may hold before a spill starts a new one.
    static let slack: Int64 = 4

    /// How many heaps the fold had before this one.
    let generation: Int
    private let file: ReplacementFile
    private var checksum = CRC32C()

    /// The heaps' paths, as `ReplacementFile` names them before the process's id.
    static func paths(folder: String) -> [String] {
        (0..<2).map { folder + "/" + name + "-\($0)" }
    }

    /// A new heap, the fold's first (`after` nil) or the one after `after`.
    init(folder: String, after previous: RecordHeap?) throws {
        generation = previous.map { $0.generation + 1 } ?? 0
        file = try ReplacementFile(path: Self.paths(folder: folder)[generation % 2])
    }

    /// The bytes appended so far.
    var size: Int64 { file.size }

    /// Appends a record at `size`.
    func append(_ record: UnsafeRawBufferPointer) throws {
        try file.append(record)
        checksum.update(record)
    }

    /// The heap as a scratch snapshot's units section.
    var section: (offset: Int64, length: Int64, checksum: UInt32) { (Self.offset, size, checksum.value) }

    /// A reader of the records appended so far (a reader knows the size it was opened at).
    func reader() throws -> SnapshotReader {
        let path = try file.written()
        guard let reader = SnapshotReader(path: path) else {
            throw SnapshotError(reason: "\(path): the unit records written out cannot be read back")
        }
        return reader
    }
}
