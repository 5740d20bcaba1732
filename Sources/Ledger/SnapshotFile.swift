#if canImport(Glibc)
import Glibc
#endif
import Integrity
import LedgerLog
import WarrantyProjections

/// The projection cache `state.snapshot`: the folded state at a log position, checked against the log before use.
///
/// Layout (little-endian): a 324-byte header — magic `WLSNAPS1`, file version u32 (6), state format version
/// u32, last seq i64, head hash (32 bytes), the last record's segment base seq i64, byte offset i64 and
/// length u32, section count u32 (10), then per section offset u64, length u64, CRC-32C u32 and reserved
/// u32, and finally the CRC-32C of the header's first 320 bytes — followed by the sections: policies,
/// dealers, notices, other, units, unit index, idempotency keys, stream versions, dealer index, identifier
/// index. The unit index is a u32 count, then per unit (sorted by serial) the serial's offset u32 and length
/// u32 in the serial blob, the record's offset u64 and length u32 in the units section and the record's
/// CRC-32C u32, then the blob. Keys and versions are lookup tables (`LookupTable`: sorted blocks with a
/// directory, each block with its own CRC-32C) of UTF-8 key → u64 value (the seq that used the key, or the
/// stream's last version), sorted by bytes. The dealer index is a u32 count of dealers, then per dealer
/// (spelt as enrolled, sorted by id) the id's offset u32 and length u32 in the id blob, the index u32 of its first position and
/// the count u32 of its positions, then every dealer's positions (u32 numbers of unit index entries,
/// increasing: the units it sold or visited), then the blob. The identifier index is a lookup table from a
/// kind byte (0 serial, 1 complaint, 2 visit, 3 swap, 4 notice) and the id's UTF-8 to the number of the unit
/// index entry holding it (for a notice, of its dealer's dealer index entry), sorted by kind and then as
/// Swift strings compare (canonically equivalent spellings are equal), so that `append` finds an identifier
/// exactly as the state's tables do.
///
/// A long fold's scratch snapshot (`StateSpill`) has the same layout, but for its units section: of no bytes in
/// the file, the header gives it as its heap's (`RecordHeap`), at offset 2^48, with the heap's length and
/// checksum, and the unit index's record offsets count in the heap, in no particular order.
///
/// A snapshot is a cache: one whose checksums, versions, position or head hash do not match the log is
/// ignored (and replaced by the next `rebuild` or large append), never trusted.
struct SnapshotFile {
    static let fileName = "state.snapshot"
    static let magic = Array("WLSNAPS1".utf8)
    static let fileVersion: UInt32 = 6
    static let sectionCount = 10
    static let headerSize = 80 + 24 * sectionCount + 4
    enum Section: Int, CaseIterable { case policies, dealers, notices, other, units, unitIndex, ids, versions, dealerIndex, identifiers }

    var lastSeq: Int64
    var head: SHA256Digest
    var lastRecord: RecordPosition?
    var sections: [(offset: Int64, length: Int64, checksum: UInt32)]

    // MARK: Writing

    /// The size of the pieces the snapshot is written, compared and read in.
    static let pieceSize = 1 << 20

    /// Writes the fold as the folder's snapshot, atomically (a new file synced, then renamed over the old one).
    ///
    /// The sections are encoded straight into the new file through a buffer of `bufferSize` bytes, each
    /// section's checksum computed as it goes; the header, which holds them, is written last at offset 0.
    /// - Complexity: besides the buffer, memory for the unit index (over a base, only the fold's entries and a word per
    ///   unit of the base) and the dealer index (a few words per unit each) and one unit record.
    ///
    /// A scoped fold is written over the snapshot it was loaded from (`base`): the same bytes as its whole fold's.
    static func write(_ fold: LedgerFold, over base: MergeBase? = nil, head: SHA256Digest, lastRecord: RecordPosition?,
                      path: String, bufferSize: Int = pieceSize) throws {
        try DurableFiles.replace(path: path, bufferSize: bufferSize) { file in
            try write(fold, over: base, head: head, lastRecord: lastRecord, into: file)
        }
    }

    /// Writes the snapshot into a new file, not committed; with `heap`, a scratch snapshot whose unit records are
    /// appended to the heap instead (`RecordHeap`). Returns the bytes of the records its unit index points at.
    @discardableResult
    static func write(_ fold: LedgerFold, over base: MergeBase?, head: SHA256Digest, lastRecord: RecordPosition?,
                      into file: ReplacementFile, heap: RecordHeap? = nil) throws -> Int64 {
        precondition(fold.hasKeys && (fold.isWhole || base != nil), "a fold loaded without its keys, or scoped, is only stored over its snapshot")
        try [UInt8](repeating: 0, count: headerSize).withUnsafeBytes { try file.append($0) }
        var encoder = SectionEncoder(output: FileOutput(file: file), heap: heap)
        if let base { try encoder.encode(fold, over: base) } else { try encoder.encode(fold) }
        let header = SnapshotFile.header(lastSeq: fold.lastSeq, head: head, lastRecord: lastRecord, sections: encoder.sections,
                                         units: heap?.section)
        try header.withUnsafeBytes { try file.overwrite($0, at: 0) }
        return encoder.indexedBytes
    }

    /// `write(_:over:head:lastRecord:path:bufferSize:)` of a whole fold as `folder`'s snapshot.
    static func write(_ fold: LedgerFold, head: SHA256Digest, lastRecord: RecordPosition?, folder: String,
                      bufferSize: Int = pieceSize) throws {
        try write(fold, head: head, lastRecord: lastRecord, path: folder + "/" + fileName, bufferSize: bufferSize)
    }

    /// The header of a file whose sections, of these lengths and checksums, follow it in order; with `units`, a
    /// scratch snapshot whose units section is that one, in its heap (and of no bytes in the file).
    static func header(lastSeq: Int64, head: SHA256Digest, lastRecord: RecordPosition?,
                       sections: [(length: Int64, checksum: UInt32)], units: (offset: Int64, length: Int64, checksum: UInt32)? = nil) -> [UInt8] {
        precondition(sections.count == sectionCount, "a snapshot has \(sectionCount) sections")
        var header: [UInt8] = magic
        header.appendLittle(fileVersion)
        header.appendLittle(StateSnapshot.formatVersion)
        header.appendLittle(UInt64(bitPattern: lastSeq))
        header.append(contentsOf: head.bytes)
        header.appendLittle(UInt64(bitPattern: lastRecord?.segmentBaseSeq ?? 0))
        header.appendLittle(UInt64(bitPattern: lastRecord?.offset ?? 0))
        header.appendLittle(UInt32(lastRecord?.length ?? 0))
        header.appendLittle(UInt32(sectionCount))
        var offset = Int64(headerSize)
        for (index, section) in sections.enumerated() {
            if index == Section.units.rawValue, let units {
                precondition(section.length == 0, "the unit records of a scratch snapshot are in its heap")
                header.appendLittle(UInt64(units.offset))
                header.appendLittle(UInt64(units.length))
                header.appendLittle(units.checksum)
            } else {
                header.appendLittle(UInt64(offset))
                header.appendLittle(UInt64(section.length))
                header.appendLittle(section.checksum)
            }
            header.appendLittle(UInt32(0))
            offset += section.length
        }
        header.appendLittle(CRC32C.checksum(header))
        precondition(header.count == headerSize, "snapshot header is \(header.count) bytes")
        return header
    }

    /// Whether the stored sections hold exactly the bytes `fold` encodes to, compared piece by piece as they
    /// are encoded; nil when a stored section fails its checksum. Throws when the base a scoped fold is encoded
    /// over cannot be read.
    func holds(_ fold: LedgerFold, over base: MergeBase? = nil, _ reader: SnapshotReader,
               pieceSize: Int = SnapshotFile.pieceSize) throws -> Bool? {
        var encoder = SectionEncoder(output: StoredComparison(file: self, reader: reader, pieceSize: pieceSize))
        // The comparison itself never throws: only the encoding can (reading the base, or a fold at fault).
        if let base { try encoder.encode(fold, over: base) } else { try encoder.encode(fold) }
        if encoder.output.damaged { return nil }
        return fold.lastSeq == lastSeq && encoder.output.equal
    }

    // MARK: Reading

    /// What the folder's snapshot file is, judged from its header.
    enum Found {
        case missing
        /// Written by another version of this code: ignored, and replaced by the next rebuild.
        case otherVersion
        case damaged
        case header(SnapshotFile, SnapshotReader)
    }

    /// Reads and checks the header; nil when there is no snapshot or it is not one this code can use.
    static func open(folder: String) -> (SnapshotFile, SnapshotReader)? {
        if case .header(let file, let reader) = find(folder: folder) { return (file, reader) }
        return nil
    }

    /// Reads the header and says whether it is missing, of another version, damaged, or usable.
    static func find(folder: String) -> Found {
        find(path: folder + "/" + fileName)
    }

    /// `find(folder:)` of the snapshot file at `path`, whose unit records may be in a heap (a scratch snapshot's).
    static func find(path: String, heap: SnapshotReader? = nil) -> Found {
        guard let reader = SnapshotReader(path: path, heap: heap) else {
            return FileStatus.exists(path) ? .damaged : .missing
        }
        // The versions first: another file version may have another header size.
        guard let start = reader.read(at: 0, count: 16), Array(start[0..<8]) == magic else { return .damaged }
        guard start.littleUInt32(at: 8) == fileVersion, start.littleUInt32(at: 12) == StateSnapshot.formatVersion else { return .otherVersion }
        guard let header = reader.read(at: 0, count: headerSize) else { return .damaged }
        func u32(_ at: Int) -> UInt32 { header.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) } }
        func u64(_ at: Int) -> UInt64 { header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        guard u32(headerSize - 4) == CRC32C.checksum(header[0..<headerSize - 4]) else { return .damaged }
        guard Int(u32(76)) == sectionCount else { return .damaged }
        let recordLength = Int(u32(72))
        var file = SnapshotFile(lastSeq: Int64(bitPattern: u64(16)), head: SHA256Digest(bytes: header[24..<56])!,
                                lastRecord: recordLength == 0 ? nil : RecordPosition(segmentBaseSeq: Int64(bitPattern: u64(56)),
                                                                                      offset: Int64(bitPattern: u64(64)),
                                                                                      length: recordLength),
                                sections: [])
        for index in 0..<sectionCount {
            let base = 80 + index * 24
            file.sections.append((Int64(bitPattern: u64(base)), Int64(bitPattern: u64(base + 8)), u32(base + 16)))
        }
        // Only a scratch snapshot's units section lies in its heap, which starts at `RecordHeap.offset`.
        guard file.sections.indices.allSatisfy({ index in
            let section = file.sections[index]
            return section.offset >= Int64(headerSize) && reader.holds(section.offset, section.length)
                && (section.offset < RecordHeap.offset || (index == Section.units.rawValue && section.offset == RecordHeap.offset))
        }) else {
            return .damaged
        }
        return .header(file, reader)
    }

    /// The bytes of a section, checked against its checksum.
    func section(_ section: Section, _ reader: SnapshotReader) -> [UInt8]? {
        let entry = sections[section.rawValue]
        guard let bytes = reader.read(at: entry.offset, count: Int(entry.length)),
              CRC32C.checksum(bytes) == entry.checksum else { return nil }
        return bytes
    }

    /// Whether a section's bytes have its checksum, read in pieces of `pieceSize` bytes.
    func checksumHolds(_ section: Section, _ reader: SnapshotReader, pieceSize: Int = SnapshotFile.pieceSize) -> Bool {
        SectionStream(reader, sections[section.rawValue], pieceSize: pieceSize).checksumHolds()
    }

    /// The whole fold, without its idempotency keys and stream versions unless `keys`; nil when a section read is damaged.
    ///
    /// The small sections and the unit index are read whole; the units, keys and versions sections in pieces
    /// of about `pieceSize` bytes, each decoded as it comes and its checksum checked at the end, so that the
    /// file's bytes and the state built from them never coexist. A section whose checksum fails makes the
    /// whole load fail, even when its bytes decoded.
    func loadFold(_ reader: SnapshotReader, keys: Bool = true, pieceSize: Int = SnapshotFile.pieceSize) -> LedgerFold? {
        var small: [[UInt8]] = []
        for section in [Section.policies, .dealers, .notices, .other, .unitIndex] {
            guard let bytes = self.section(section, reader) else { return nil }
            small.append(bytes)
        }
        let unitsEntry = sections[Section.units.rawValue]
        guard let index = SnapshotFile.decodeIndex(small[4], unitsLength: Int(unitsEntry.length)) else { return nil }
        small.removeLast()
        var units = SectionStream(reader, unitsEntry, pieceSize: pieceSize)
        let loaded = withBuffers(small) { parts in
            try? LedgerState(policies: parts[0], dealers: parts[1], notices: parts[2], other: parts[3], units: &units,
                             unitsLength: Int(unitsEntry.length), unitIndex: index, lastSeq: lastSeq, pieceSize: pieceSize)
        }
        guard let state = loaded, units.remaining == 0, units.checksumHolds() else { return nil }
        var fold = LedgerFold(state: state, lastSeq: lastSeq)
        fold.hasKeys = keys
        if keys {
            guard let ids = SnapshotFile.decodeKeys(SectionStream(reader, sections[Section.ids.rawValue], pieceSize: pieceSize),
                                                    { Int64(bitPattern: $0) }),
                  let versions = SnapshotFile.decodeKeys(SectionStream(reader, sections[Section.versions.rawValue], pieceSize: pieceSize),
                                                         { UInt32(truncatingIfNeeded: $0) })
            else { return nil }
            fold.ids = ids
            fold.versions = versions
        }
        return fold
    }

    /// The notices section of a dealer with none, as `LedgerState.noticesByDealer` would give it: a count of zero.
    static let noNotices: [UInt8] = [0, 0, 0, 0]

    /// The policies, dealers and other sections, which every partial state loads.
    typealias SmallSections = (policies: [UInt8], dealers: [UInt8], other: [UInt8])

    /// The small sections every partial state loads; nil when one is damaged.
    func smallSections(_ reader: SnapshotReader) -> SmallSections? {
        guard let policies = section(.policies, reader), let dealers = section(.dealers, reader),
              let other = section(.other, reader) else { return nil }
        return (policies, dealers, other)
    }

    /// The records the dealer index names for `dealer` (the units it sold or visited); nil when the index is
    /// damaged or a record cannot be read. A dealer the index does not name has none. `index`: the dealer index,
    /// when it has been read already.
    func dealerRecords(_ dealer: String, _ reader: SnapshotReader, index: DealerIndex? = nil) -> [[UInt8]]? {
        guard let index = index ?? DealerIndex(section(.dealerIndex, reader)), let count = unitEntryCount(reader) else { return nil }
        guard let entry = index.entry(of: dealer) else { return [] }
        return records(index.positions(entry), of: count, reader)
    }

    /// The records of these entries of a unit index of `count` entries; nil when one cannot be read.
    func records(_ entries: [Int], of count: Int, _ reader: SnapshotReader) -> [[UInt8]]? {
        var records: [[UInt8]] = []
        records.reserveCapacity(entries.count)
        for number in entries {
            guard let record = unitRecord(atEntry: number, of: count, reader) else { return nil }
            records.append(record)
        }
        return records
    }

    /// A state holding the policies, the dealers, the given unit records, the records of `more` serials that the
    /// snapshot holds, every record these refer to, and with `noticesOf` that dealer's notices. Returns the
    /// serials loaded and those of `more`; nil when a needed part is damaged. `small` and `notices`: the policies,
    /// dealers and other sections, and that dealer's part of the notices section (`LedgerState.noticesByDealer`),
    /// when they have been read already.
    func loadUnits(_ given: [[UInt8]], more: [String], noticesOf dealer: String?, _ reader: SnapshotReader,
                   small: SmallSections? = nil, notices split: [UInt8]? = nil) -> (LedgerState, [String])? {
        guard let (policies, dealers, other) = small ?? smallSections(reader) else { return nil }
        let notices = dealer == nil ? [] : split ?? section(.notices, reader)
        guard let notices else { return nil }
        var records: [[UInt8]] = []
        var seen: Set<String> = []
        var pending: [String] = []
        func take(_ record: [UInt8]) -> Bool {
            guard let serial = record.withUnsafeBytes({ try? LedgerState.serial(ofUnitRecord: $0) }),
                  let related = record.withUnsafeBytes({ try? LedgerState.relatedSerials(inUnitRecord: $0) }) else { return false }
            if seen.insert(serial).inserted { records.append(record) }
            pending.append(contentsOf: related)
            return true
        }
        for record in given {
            guard take(record) else { return nil }
        }
        for serial in more where !seen.contains(serial) {
            if let record = unitRecord(serial, reader) { guard take(record) else { return nil } }
        }
        while let next = pending.popLast() {
            guard !seen.contains(next) else { continue }
            guard let record = unitRecord(next, reader), take(record) else { return nil }
        }
        let state = policies.withUnsafeBytes { policies in
            dealers.withUnsafeBytes { dealers in
                other.withUnsafeBytes { other in
                    notices.withUnsafeBytes { notices in
                        withBuffers(records) { buffers in
                            try? LedgerState(policies: policies, dealers: dealers, other: other, unitRecords: buffers, lastSeq: lastSeq,
                                             notices: dealer == nil ? nil : notices, noticesOf: dealer)
                        }
                    }
                }
            }
        }
        return state.map { ($0, Array(seen.union(more))) }
    }

    /// One unit's record found by binary search in the index, reading only the entries it visits; the record
    /// must hold that serial (the index is read without its section checksum).
    private func unitRecord(_ serial: String, _ reader: SnapshotReader) -> [UInt8]? {
        let index = sections[Section.unitIndex.rawValue]
        guard let count = unitEntryCount(reader) else { return nil }
        let blobStart = index.offset + 4 + Int64(count) * 24   // at most 4 + 24 × 2^32: no overflow
        guard blobStart <= index.offset + index.length else { return nil }
        let wanted = Array(serial.utf8)
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            guard let entry = reader.read(at: index.offset + 4 + Int64(middle) * 24, count: 24),
                  let key = reader.read(at: blobStart + Int64(entry.littleUInt32(at: 0)), count: Int(entry.littleUInt32(at: 4))) else {
                return nil
            }
            if key == wanted {
                guard let record = unitRecord(atEntry: middle, of: count, reader),
                      record.withUnsafeBytes({ try? LedgerState.serial(ofUnitRecord: $0) }) == serial else { return nil }
                return record
            }
            if key.lexicographicallyPrecedes(wanted) { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The number of entries in the unit index, read from its first bytes.
    func unitEntryCount(_ reader: SnapshotReader) -> Int? {
        reader.read(at: sections[Section.unitIndex.rawValue].offset, count: 4).map { Int($0.littleUInt32(at: 0)) }
    }

    /// The record of entry `number` of a unit index of `count` entries, checked against the entry's checksum.
    func unitRecord(atEntry number: Int, of count: Int, _ reader: SnapshotReader) -> [UInt8]? {
        let index = sections[Section.unitIndex.rawValue]
        let units = sections[Section.units.rawValue]
        guard number < count, let bytes = reader.read(at: index.offset + 4 + Int64(number) * 24, count: 24) else { return nil }
        let entry = bytes.withUnsafeBytes(UnitIndexFields.init)
        guard let offset = Int64(exactly: entry.recordOffset), offset <= units.length - Int64(entry.recordLength),
              let record = reader.read(at: units.offset + offset, count: entry.recordLength),
              CRC32C.checksum(record) == entry.checksum else { return nil }
        return record
    }

    /// The entries of a unit index section; nil unless every entry lies within `unitsLength` bytes and names a UTF-8 serial.
    static func decodeIndex(_ bytes: [UInt8], unitsLength: Int) -> [UnitIndexEntry]? {
        guard bytes.count >= 4 else { return nil }
        let count = Int(bytes.littleUInt32(at: 0))
        let blobStart = 4 + count * 24
        guard count <= bytes.count / 24, blobStart <= bytes.count else { return nil }
        var entries: [UnitIndexEntry] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            let base = 4 + index * 24
            let keyStart = blobStart + Int(bytes.littleUInt32(at: base)), keyLength = Int(bytes.littleUInt32(at: base + 4))
            let length = Int(bytes.littleUInt32(at: base + 16))
            guard let offset = Int(exactly: bytes.littleUInt64(at: base + 8)), offset <= unitsLength - length,
                  keyStart + keyLength <= bytes.count,
                  let serial = String(validating: bytes[keyStart..<keyStart + keyLength], as: UTF8.self) else { return nil }
            entries.append(UnitIndexEntry(serial: serial, offset: offset, length: length))
        }
        return entries
    }

    /// The keys of a keys or versions section, read from `stream` one entry at a time; nil unless the bytes are
    /// exactly such a table, each key once, and have the section's checksum.
    static func decodeKeys<Value>(_ stream: SectionStream, _ value: (UInt64) -> Value) -> KeyTable<Value>? {
        var table = KeyTable<Value>()
        let decoded = LookupTable.decode(stream) { key, stored in
            guard String(validating: key, as: UTF8.self) != nil else { return false }
            let before = table.count
            table.set(key, value(stored))
            return table.count == before + 1  // each key once
        }
        return decoded ? table : nil
    }
}

/// A dealer index section, checked: per dealer its id and the unit index entries of the units it sold or visited.
struct DealerIndex {
    private let bytes: [UInt8]
    let count: Int
    private let positionsStart: Int
    private let blob: Int
    /// The entry of each dealer id, the first of ids that compare equal.
    private var entries: [String: Int] = [:]

    init?(_ bytes: [UInt8]?) {
        guard let bytes, bytes.count >= 4 else { return nil }
        self.bytes = bytes
        count = Int(bytes.littleUInt32(at: 0))
        guard count <= (bytes.count - 4) / 16 else { return nil }
        // The positions are written dealer after dealer, and the blob of ids follows them.
        positionsStart = 4 + 16 * count
        let field = { (entry: Int, number: Int) in DealerIndex.field(bytes, entry, number) }
        let total = count == 0 ? 0 : field(count - 1, 2) + field(count - 1, 3)
        blob = positionsStart + 4 * total
        guard blob <= bytes.count else { return nil }
        for entry in 0..<count {
            guard blob + field(entry, 0) + field(entry, 1) <= bytes.count, field(entry, 2) + field(entry, 3) <= total else { return nil }
        }
        entries.reserveCapacity(count)
        for entry in 0..<count where entries[dealer(entry)] == nil { entries[dealer(entry)] = entry }
    }

    /// Field `number` (id offset, id length, first position, position count) of dealer `entry`.
    private static func field(_ bytes: [UInt8], _ entry: Int, _ number: Int) -> Int {
        Int(bytes.littleUInt32(at: 4 + 16 * entry + 4 * number))
    }

    private func field(_ entry: Int, _ number: Int) -> Int { DealerIndex.field(bytes, entry, number) }

    /// The entry of `dealer`, found as identifiers compare: an id in another Unicode normalization names the same dealer.
    func entry(of dealer: String) -> Int? {
        entries[dealer]
    }

    func dealer(_ entry: Int) -> String {
        String(decoding: bytes[(blob + field(entry, 0))..<(blob + field(entry, 0) + field(entry, 1))], as: UTF8.self)
    }

    /// The unit index entries of a dealer's units, increasing.
    func positions(_ entry: Int) -> [Int] {
        (field(entry, 2)..<(field(entry, 2) + field(entry, 3))).map { Int(bytes.littleUInt32(at: positionsStart + 4 * $0)) }
    }
}

// MARK: - Streaming

/// Sends the sections to the new snapshot file, one after the other.
struct FileOutput: SectionOutput {
    let file: ReplacementFile

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        try file.append(bytes)
    }

    func endSection() {}
}

/// Compares the sections as they are encoded with the stored ones, read in pieces, and checks each stored section's checksum.
struct StoredComparison: SectionOutput {
    let file: SnapshotFile
    let reader: SnapshotReader
    let pieceSize: Int
    /// Whether every section so far equals the stored one.
    private(set) var equal = true
    /// Whether a stored section could not be read or failed its checksum.
    private(set) var damaged = false
    private var section = 0
    private var stored: SectionStream?

    init(file: SnapshotFile, reader: SnapshotReader, pieceSize: Int) {
        self.file = file
        self.reader = reader
        self.pieceSize = pieceSize
        stored = SectionStream(reader, file.sections[0], pieceSize: pieceSize)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard equal, let stored else { return }
        guard Int64(bytes.count) <= stored.remaining, let piece = try? stored.next(bytes.count) else {
            equal = false
            return
        }
        if bytes.count > 0 && memcmp(piece.baseAddress!, bytes.baseAddress!, bytes.count) != 0 { equal = false }
    }

    mutating func endSection() {
        guard let current = stored else { preconditionFailure("more sections encoded than a snapshot holds") }
        if current.remaining != 0 { equal = false }
        if !current.checksumHolds() { damaged = true }
        section += 1
        stored = section < SnapshotFile.sectionCount ? SectionStream(reader, file.sections[section], pieceSize: pieceSize) : nil
    }
}

/// One section of the snapshot file read front to back in pieces, its CRC-32C computed over the bytes as they are read.
final class SectionStream: SnapshotUnitSource {
    private let reader: SnapshotReader
    private let start: Int64
    let length: Int64
    private let expected: UInt32
    private var checksum = CRC32C()
    private var buffer: UnsafeMutableRawBufferPointer
    /// The bytes read from the file and not yet handed out are `buffer[low..<high]`.
    private var low = 0
    private var high = 0
    /// Bytes of the section read from the file.
    private var fetched: Int64 = 0
    /// Bytes of the section handed out by `next`.
    private(set) var consumed: Int64 = 0

    /// Bytes of the section not yet handed out.
    var remaining: Int64 { length - consumed }

    init(_ reader: SnapshotReader, _ section: (offset: Int64, length: Int64, checksum: UInt32), pieceSize: Int) {
        self.reader = reader
        start = section.offset
        length = section.length
        expected = section.checksum
        buffer = .allocate(byteCount: Int(min(Int64(max(pieceSize, 64)), max(section.length, 64))), alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// The next `count` bytes of the section, valid until the next call.
    func next(_ count: Int) throws(SnapshotError) -> UnsafeRawBufferPointer {
        guard count >= 0, Int64(count) <= remaining else {
            throw SnapshotError(reason: "snapshot section at byte \(start): \(count) bytes asked for, \(remaining) left")
        }
        if high - low < count {
            let kept = high - low
            if buffer.count < count {
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
                if kept > 0 { larger.baseAddress!.copyMemory(from: buffer.baseAddress! + low, byteCount: kept) }
                buffer.deallocate()
                buffer = larger
            } else if kept > 0 && low > 0 {
                memmove(buffer.baseAddress!, buffer.baseAddress! + low, kept)
            }
            low = 0
            high = kept
            try fill()
        }
        defer {
            low += count
            consumed += Int64(count)
        }
        return UnsafeRawBufferPointer(rebasing: buffer[low..<(low + count)])
    }

    /// Reads as many of the section's next bytes as fit after `high`.
    private func fill() throws(SnapshotError) {
        let wanted = Int(min(Int64(buffer.count - high), length - fetched))
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[high..<(high + wanted)])
        guard reader.read(into: target, at: start + fetched) else {
            throw SnapshotError(reason: "snapshot section at byte \(start): \(wanted) bytes at \(fetched) cannot be read")
        }
        checksum.update(UnsafeRawBufferPointer(target))
        fetched += Int64(wanted)
        high += wanted
    }

    /// The section's last `count` bytes, read aside: the stream goes on from where it was.
    func tail(_ count: Int) -> [UInt8]? {
        guard count >= 0, Int64(count) <= length else { return nil }
        return reader.read(at: start + length - Int64(count), count: count)
    }

    /// Reads the bytes not read yet and says whether the whole section has its checksum; `next` is not called after.
    func checksumHolds() -> Bool {
        while fetched < length {
            low = 0
            high = 0
            do { try fill() } catch { return false }
        }
        return checksum.value == expected
    }
}

/// The fields of one 24-byte entry of a unit index, as `SnapshotFile` lays it out.
struct UnitIndexFields {
    let serialOffset: Int64
    let serialLength: Int
    let recordOffset: UInt64
    let recordLength: Int
    let checksum: UInt32

    init(_ bytes: UnsafeRawBufferPointer) {
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        serialOffset = Int64(u32(0))
        serialLength = Int(u32(4))
        recordOffset = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        recordLength = Int(u32(16))
        checksum = u32(20)
    }
}

/// Reads byte ranges of the snapshot file, and of a scratch snapshot's unit records in their heap (`RecordHeap`):
/// at `RecordHeap.offset` and after.
final class SnapshotReader {
    let descriptor: Int32
    let size: Int64
    private let heap: SnapshotReader?

    init?(path: String, heap: SnapshotReader? = nil) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { close(descriptor); return nil }
        size = Int64(info.st_size)
        self.heap = heap
    }

    /// A reader of the first `size` bytes of the file open as `descriptor`, through a duplicate of it (closed on
    /// exec, as every descriptor this opens); nil when it cannot be duplicated.
    init?(duplicating descriptor: Int32, size: Int64) {
        self.descriptor = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard self.descriptor >= 0 else { return nil }
        self.size = size
        heap = nil
    }

    /// Whether the `length` bytes at `offset` can be read.
    func holds(_ offset: Int64, _ length: Int64) -> Bool {
        if offset >= RecordHeap.offset, let heap { return heap.holds(offset - RecordHeap.offset, length) }
        return offset >= 0 && length >= 0 && length <= size - offset
    }

    deinit { close(descriptor) }

    /// Exactly `count` bytes at `offset`, or nil.
    func read(at offset: Int64, count: Int) -> [UInt8]? {
        guard count >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { self.read(into: $0, at: offset) }
        return read ? bytes : nil
    }

    /// Fills `buffer` with the bytes at `offset`; false unless all of them could be read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Bool {
        if offset >= RecordHeap.offset, let heap { return heap.read(into: buffer, at: offset - RecordHeap.offset) }
        let count = buffer.count
        guard offset >= 0, offset <= size - Int64(count) else { return false }
        var done = 0
        while done < count {
            let got = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return false }
            done += got
        }
        return true
    }
}

/// Calls `body` with raw views of every array, laid end to end in one buffer (linear in their total size,
/// however many there are).
func withBuffers<R>(_ arrays: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
    let joined = Array(arrays.joined())
    return joined.withUnsafeBytes { bytes in
        var start = 0
        let views = arrays.map { array in
            defer { start += array.count }
            return UnsafeRawBufferPointer(rebasing: bytes[start..<(start + array.count)])
        }
        return body(views)
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittle<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { appendBytes($0) }
    }

    /// Appends raw bytes with one copy (`append(contentsOf:)` of a raw buffer goes byte by byte).
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        append(contentsOf: UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }

    func little<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    func littleUInt16(at offset: Int) -> UInt16 { little(UInt16.self, at: offset) }
    func littleUInt32(at offset: Int) -> UInt32 { little(UInt32.self, at: offset) }
    func littleUInt64(at offset: Int) -> UInt64 { little(UInt64.self, at: offset) }
}
