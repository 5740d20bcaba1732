import Integrity
import LedgerLog
import WarrantyProjections

/// The idempotency keys and the stream versions of a rebuild's spilled folds, kept aside as sorted runs and
/// merged once, into the snapshot written at the end.
///
/// A rebuild never looks a key up: the log's events were accepted once, and each key's seq is only recorded.
/// Nor does it look up the version a stream had at the last spill: the fold after a spill starts each stream it
/// meets at the version stored with its event (`LedgerFold.versionsAside`). So its spills (`StateSpill`) leave the
/// keys and versions out of the scratch snapshot, which then does not carry every key so far through every merge,
/// and write the fold's instead as one run each (and, between spills, whenever the fold holds
/// `Ledger.keyRunEntries` of them): a lookup table (`LookupTable`) in byte order, appended to a scratch
/// file. Writing the whole snapshot merges the runs, the base's and the fold's (`SectionEncoder`), giving
/// the bytes the whole fold would. At `maximumRuns`, the runs are merged into one, written to a new scratch file
/// that replaces the old one, before the next run is added: a merge never reads from more than that many, and
/// the disk holds the keys about once (twice while they are merged).
///
/// A key is in one run only. A stream is in every run written while the fold met it, with the first and last
/// version applied since the run before (`VersionRun`); merging checks that each run's first version follows on
/// from the last of the run before, and the whole snapshot that the first is 1.
///
/// The files are `state.keys-0.new-PID` and `state.keys-1.new-PID` (each merge moves to the other), and
/// `state.versions-0.new-PID` and `state.versions-1.new-PID`, in the ledger folder, never synced, and removed
/// when the rebuild is done (or by the next long fold, after a process killed while writing one).
final class KeyRuns {
    static let keysName = "state.keys"
    static let versionsName = "state.versions"
    static let maximumRuns = 32
    /// The bytes of a run read at a time, and written at a time: the files stay open through the fold, their buffers
    /// held all along.
    static let pieceSize = 1 << 16
    static let bufferSize = 1 << 16

    private let folder: String
    private let name: String
    /// How a stream's entries in two runs, older first, make one (`VersionRun.follow`); nil when a key is in one run.
    let combine: MergedCursor.Combine?
    private var file: ReplacementFile
    /// How many times the runs were merged into one: which of the two files is written.
    private var merges = 0
    /// Each run's file, opened after the run was written (a reader knows the size it was opened at), its place in
    /// the file and its checksum, oldest first.
    private var runs: [(reader: SnapshotReader, section: (offset: Int64, length: Int64, checksum: UInt32))] = []

    /// The scratch files' paths, as `ReplacementFile` names them before the process's id.
    static func paths(folder: String, name: String) -> [String] {
        (0..<2).map { folder + "/" + name + "-\($0)" }
    }

    /// The runs of the idempotency keys.
    static func keys(folder: String) throws -> KeyRuns {
        try KeyRuns(folder: folder, name: keysName, combine: nil)
    }

    /// The runs of the stream versions.
    static func versions(folder: String) throws -> KeyRuns {
        try KeyRuns(folder: folder, name: versionsName, combine: VersionRun.follow)
    }

    private init(folder: String, name: String, combine: MergedCursor.Combine?) throws {
        self.folder = folder
        self.name = name
        self.combine = combine
        file = try ReplacementFile(path: Self.paths(folder: folder, name: name)[0], bufferSize: Self.bufferSize)
    }

    /// Appends a fold's table as the newest run, each entry's value given by `value` (from its entry number and
    /// value), once the runs so far are merged into one if there are `maximumRuns` of them. When it throws, the
    /// runs hold what they held.
    func add<Value>(_ table: KeyTable<Value>, _ value: (Int, Value) -> UInt64) throws {
        if runs.count >= Self.maximumRuns {
            var merged = try MergedCursor(cursors(), combine: combine)
            let next = try ReplacementFile(path: Self.paths(folder: folder, name: name)[(merges + 1) % 2], bufferSize: Self.bufferSize)
            let run = try write(to: next) { writer, output in
                while let entry = try merged.next() { try writer.add(entry.key, entry.value, to: &output) }
            }
            // The old file goes with its runs: unlinked as `file` is replaced, closed as the last reader goes.
            file = next
            runs = [run]
            merges += 1
        }
        runs.append(try write(to: file) { writer, output in
            for entry in table.byteOrder() {
                try table.withEntry(entry) { key, stored in try writer.add(key, value(entry, stored), to: &output) }
            }
        })
    }

    /// Takes the newest run back out, as if it had not been added (its bytes stay in the file, never read).
    func removeLast() {
        runs.removeLast()
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
        guard let reader = SnapshotReader(path: path) else { throw SnapshotError(reason: "\(path): the run written out cannot be read back") }
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
/// given once, with the value of the last table holding it (the newest), or its values combined oldest first.
struct MergedCursor {
    /// Makes one value of a key's value in an older table and in a newer one.
    typealias Combine = (_ key: UnsafeRawBufferPointer, _ older: UInt64, _ newer: UInt64) throws -> UInt64

    private let combine: Combine?
    private var cursors: [LookupTableCursor]
    /// Each table's next entry, nil once it has none; valid until that table's cursor moves.
    private var heads: [(key: UnsafeRawBufferPointer, value: UInt64)?]
    /// The tables whose heads were handed out last, to be moved on the next call.
    private var taken: [Int] = []

    init(_ cursors: [LookupTableCursor], combine: Combine? = nil) throws(SnapshotError) {
        self.cursors = cursors
        self.combine = combine
        heads = []
        for index in self.cursors.indices { heads.append(try self.cursors[index].next()) }
    }

    /// The next key and its value, valid until the next call; nil after the last.
    mutating func next() throws -> (key: UnsafeRawBufferPointer, value: UInt64)? {
        for index in taken { heads[index] = try cursors[index].next() }
        taken.removeAll(keepingCapacity: true)
        // In one pass, oldest table first: a smaller key starts over; the same key again is combined in (or wins).
        // A key combined here and then passed over for a smaller one is combined again, the same way, when it is next.
        var least: UnsafeRawBufferPointer?
        var value: UInt64 = 0
        for index in heads.indices {
            guard let head = heads[index] else { continue }
            let order = least.map { LookupTable.Order.bytes.compare(head.key, $0) } ?? -1
            if order < 0 {
                taken.removeAll(keepingCapacity: true)
                least = head.key
                value = head.value
                taken.append(index)
            } else if order == 0 {
                taken.append(index)
                value = try combine?(head.key, value, head.value) ?? head.value
            }
        }
        return least.map { ($0, value) }
    }
}

/// A stream's entry in a run of stream versions (`KeyRuns`): the first and the last version a fold applied, as
/// one value, the first in the high 32 bits.
enum VersionRun {
    static func value(first: UInt32, last: UInt32) -> UInt64 {
        UInt64(first) << 32 | UInt64(last)
    }

    static func versions(_ value: UInt64) -> (first: UInt32, last: UInt32) {
        (UInt32(truncatingIfNeeded: value >> 32), UInt32(truncatingIfNeeded: value))
    }

    /// The entry of an older run and a newer one as one: the newer must start where the older stopped.
    static func follow(_ stream: UnsafeRawBufferPointer, _ older: UInt64, _ newer: UInt64) throws -> UInt64 {
        let (first, last) = versions(older), next = versions(newer)
        guard last < .max, next.first == last + 1 else {
            throw StreamVersionGap(stream: String(decoding: stream, as: UTF8.self), after: last, next: next.first)
        }
        return value(first: first, last: next.last)
    }

    /// The version stored for a stream in the whole snapshot, its last, once its first is found to be 1.
    static func last(_ stream: UnsafeRawBufferPointer, _ value: UInt64) throws -> UInt64 {
        let (first, last) = versions(value)
        guard first == 1 else { throw StreamVersionGap(stream: String(decoding: stream, as: UTF8.self), after: 0, next: first) }
        return UInt64(last)
    }
}

/// A stream whose stored versions do not count up by one: found when a rebuild merges the versions it kept aside.
struct StreamVersionGap: Error, CustomStringConvertible {
    let stream: String
    /// The version before (0: none), and the one stored after it.
    let after: UInt32
    let next: UInt32

    var description: String {
        "stream \(stream): version \(next) is stored after version \(after); this log was not written by `ledger append`"
    }
}
