import Integrity
import LedgerLog
import WarrantyProjections

/// The idempotency keys of a rebuild's spilled folds, kept aside as sorted runs and merged once, into the
/// snapshot written at the end.
///
/// A rebuild never looks a key up: the log's events were accepted once, and each key's seq is only recorded.
/// So its spills (`StateSpill`) leave the keys out of the scratch snapshot, which then does not carry every key
/// so far through every merge, and write the fold's keys instead as one run: a lookup table (`LookupTable`) in
/// byte order, appended to a scratch file. Writing the whole snapshot merges the runs, the base's keys and the
/// fold's (`SectionEncoder`), giving the bytes the whole fold would. At `maximumRuns`, the runs are merged into
/// one, written to a new scratch file that replaces the old one, before the next run is added: a merge never
/// reads from more than that many, and the disk holds the keys about once (twice while they are merged).
///
/// The files are `state.keys-0.new-PID` and `state.keys-1.new-PID` (each merge moves to the other) in the
/// ledger folder, never synced, and removed when the rebuild is done (or by the next long fold, after a process
/// killed while writing one).
final class KeyRuns {
    static let name = "state.keys"
    static let maximumRuns = 32
    /// The bytes of a run read at a time.
    static let pieceSize = 1 << 16

    private let folder: String
    private var file: ReplacementFile
    /// How many times the runs were merged into one: which of the two files is written.
    private var merges = 0
    /// Each run's file, opened after the run was written (a reader knows the size it was opened at), its place in
    /// the file and its checksum, oldest first.
    private var runs: [(reader: SnapshotReader, section: (offset: Int64, length: Int64, checksum: UInt32))] = []

    /// The scratch files' paths, as `ReplacementFile` names them before the process's id.
    static func paths(folder: String) -> [String] {
        (0..<2).map { folder + "/" + name + "-\($0)" }
    }

    init(folder: String) throws {
        self.folder = folder
        file = try ReplacementFile(path: Self.paths(folder: folder)[0])
    }

    /// Appends the fold's keys as the newest run, once the runs so far are merged into one if there are
    /// `maximumRuns` of them. When it throws, the runs hold the keys they held.
    func add(_ keys: KeyTable<Int64>) throws {
        if runs.count >= Self.maximumRuns {
            var merged = try MergedCursor(try cursors())
            let next = try ReplacementFile(path: Self.paths(folder: folder)[(merges + 1) % 2])
            let run = try write(to: next) { writer, output in
                while let entry = try merged.next() { try writer.add(entry.key, entry.value, to: &output) }
            }
            // The old file goes with its runs: unlinked as `file` is replaced, closed as the last reader goes.
            file = next
            runs = [run]
            merges += 1
        }
        runs.append(try write(to: file) { writer, output in
            for entry in keys.byteOrder() {
                try keys.withEntry(entry) { key, seq in try writer.add(key, UInt64(bitPattern: seq), to: &output) }
            }
        })
    }

    /// A cursor over each run, oldest first.
    func cursors() throws -> [LookupTableCursor] {
        try runs.map { try LookupTableCursor(SectionStream($0.reader, $0.section, pieceSize: Self.pieceSize)) }
    }

    /// Writes one more run to `file` with the entries `body` adds, in order.
    private func write(to file: ReplacementFile, _ body: (inout LookupTableWriter, inout RunOutput) throws -> Void) throws
        -> (reader: SnapshotReader, section: (offset: Int64, length: Int64, checksum: UInt32)) {
        var output = RunOutput(file: file)
        var writer = LookupTableWriter()
        let start = file.size
        try body(&writer, &output)
        try writer.finish(to: &output)
        let path = try file.written()
        guard let reader = SnapshotReader(path: path) else { throw SnapshotError(reason: "\(path): the keys written out cannot be read back") }
        return (reader, (start, file.size - start, output.checksum.value))
    }

    private struct RunOutput: LookupTableOutput {
        let file: ReplacementFile
        var checksum = CRC32C()

        mutating func appendTableBytes(_ bytes: UnsafeRawBufferPointer) throws {
            checksum.update(bytes)
            try file.append(bytes)
        }
    }
}

/// The entries of several lookup tables of one order (bytes) merged in key order: a key in several tables is
/// given once, with the value of the last table holding it (the newest).
struct MergedCursor {
    private var cursors: [LookupTableCursor]
    /// Each table's next entry, nil once it has none; valid until that table's cursor moves.
    private var heads: [(key: UnsafeRawBufferPointer, value: UInt64)?]
    /// The tables whose heads were handed out last, to be moved on the next call.
    private var taken: [Int] = []

    init(_ cursors: [LookupTableCursor]) throws(SnapshotError) {
        self.cursors = cursors
        heads = []
        for index in self.cursors.indices { heads.append(try self.cursors[index].next()) }
    }

    /// The next key and its value, valid until the next call; nil after the last.
    mutating func next() throws(SnapshotError) -> (key: UnsafeRawBufferPointer, value: UInt64)? {
        for index in taken { heads[index] = try cursors[index].next() }
        taken.removeAll(keepingCapacity: true)
        var smallest: Int?
        for index in heads.indices {
            guard let head = heads[index] else { continue }
            guard let current = smallest, let least = heads[current] else {
                smallest = index
                continue
            }
            let order = LookupTable.Order.bytes.compare(head.key, least.key)
            if order < 0 {
                taken.removeAll(keepingCapacity: true)
                smallest = index
            } else if order == 0 {
                // The same key in a newer table: the older one's entry is passed over.
                taken.append(current)
                smallest = index
            }
        }
        guard let smallest else { return nil }
        taken.append(smallest)
        return heads[smallest]
    }
}
