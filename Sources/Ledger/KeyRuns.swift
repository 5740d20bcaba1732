import Integrity
import LedgerLog
import WarrantyProjections

/// The idempotency keys of a rebuild's spilled folds, kept aside as sorted runs and merged once, into the
/// snapshot written at the end.
///
/// A rebuild never looks a key up: the log's events were accepted once, and each key's seq is only recorded.
/// So its spills (`StateSpill`) leave the keys out of the scratch snapshot, which then does not carry every key
/// so far through every merge, and write the fold's keys instead as one run: a lookup table (`LookupTable`) in
/// byte order, appended to one scratch file. Writing the whole snapshot merges the runs, the base's keys and
/// the fold's (`SectionEncoder`), giving the bytes the whole fold would. Past `maximumRuns`, the runs are
/// merged into one, so a merge never reads from more than that many.
///
/// The file is `state.keys.new-PID` in the ledger folder, never synced, and removed when the rebuild is done (or
/// by the next long fold, after a process killed while writing it).
final class KeyRuns {
    static let name = "state.keys"
    static let maximumRuns = 32
    /// The bytes of a run read at a time.
    static let pieceSize = 1 << 16

    private let file: ReplacementFile
    /// The file as read, opened again after each run is written (a reader knows the size it was opened at).
    private var reader: SnapshotReader?
    /// Each run's place in the file and its checksum, oldest first.
    private(set) var runs: [(offset: Int64, length: Int64, checksum: UInt32)] = []

    init(folder: String) throws {
        file = try ReplacementFile(path: folder + "/" + Self.name)
    }

    /// Appends the fold's keys as the newest run.
    func add(_ keys: KeyTable<Int64>) throws {
        try write { writer, output in
            for entry in keys.byteOrder() {
                try keys.withEntry(entry) { key, seq in try writer.add(key, UInt64(bitPattern: seq), to: &output) }
            }
        }
        if runs.count > Self.maximumRuns {
            var merged = try MergedCursor(try cursors())
            try write { writer, output in
                while let entry = try merged.next() { try writer.add(entry.key, entry.value, to: &output) }
            }
            runs = [runs[runs.count - 1]]
        }
    }

    /// A cursor over each run, oldest first.
    func cursors() throws -> [LookupTableCursor] {
        guard let reader else { return [] }
        return try runs.map { try LookupTableCursor(SectionStream(reader, $0, pieceSize: Self.pieceSize)) }
    }

    /// Writes one more run with the entries `body` adds, in order.
    private func write(_ body: (inout LookupTableWriter, inout RunOutput) throws -> Void) throws {
        var output = RunOutput(file: file)
        var writer = LookupTableWriter()
        let start = file.size
        try body(&writer, &output)
        try writer.finish(to: &output)
        let path = try file.written()
        guard let reader = SnapshotReader(path: path) else { throw SnapshotError(reason: "\(path): the keys written out cannot be read back") }
        self.reader = reader
        runs.append((start, file.size - start, output.checksum.value))
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
