#if canImport(Glibc)
import Glibc
#endif
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
/// the old one. So a heap holds at most `slack` times the records the last index points at and one spill's more
/// (with the new heap, about `slack` + 1 times while they are copied).
///
/// The file is created as `state.spill-heap.new-PID` in the ledger folder and loses its name at once: it is read
/// through a descriptor opened before, never synced, and goes when the fold is done or its process dies.
final class RecordHeap {
    /// Where a scratch snapshot's header places its units section: 2^48, beyond any file this writes.
    static let offset: Int64 = 1 << 48
    static let name = "state.spill-heap"
    /// How many times the bytes of the records an index points at the heap may hold before a spill starts a new one.
    static let slack: Int64 = 4

    private let file: ReplacementFile
    /// The heap opened for reading, before its name was removed.
    private let readable: Int32
    private var checksum = CRC32C()

    init(folder: String) throws {
        file = try ReplacementFile(path: folder + "/" + Self.name, bufferSize: 1 << 18)
        readable = open(try file.written(), O_RDONLY | O_CLOEXEC)
        guard readable >= 0 else { throw SnapshotError(reason: "\(folder)/\(Self.name): cannot be opened for reading") }
        guard file.removeName() else { throw SnapshotError(reason: "\(folder)/\(Self.name): its name cannot be removed") }
    }

    deinit {
        if readable >= 0 { close(readable) }
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

    /// A reader of the records appended so far.
    func reader() throws -> SnapshotReader {
        try file.flush()
        guard let reader = SnapshotReader(duplicating: readable, size: size) else {
            throw SnapshotError(reason: "\(Self.name): the unit records written out cannot be read back")
        }
        return reader
    }
}
