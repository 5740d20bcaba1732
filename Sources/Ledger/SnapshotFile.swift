#if canImport(Glibc)
import Glibc
#endif
import Integrity
import LedgerLog
import WarrantyProjections

/// The projection cache `state.snapshot`: the folded state at a log position, checked against the log before use.
///
/// Layout (little-endian): a 276-byte header — magic `WLSNAPS1`, file version u32 (2), state format version
/// u32, last seq i64, head hash (32 bytes), the last record's segment base seq i64, byte offset i64 and
/// length u32, section count u32 (8), then per section offset u64, length u64, CRC-32C u32 and reserved
/// u32, and finally the CRC-32C of the header's first 272 bytes — followed by the sections: policies,
/// dealers, notices, other, units, unit index, idempotency keys, stream versions. The unit index is a u32
/// count, then per unit (sorted by serial) the serial's offset u32 and length u32 in the serial blob, the
/// record's offset u64 and length u32 in the units section and the record's CRC-32C u32, then the blob.
/// Keys and versions are a u32 count of (u16 length, UTF-8, i64 seq or u32 version), each key once, in log
/// order: keys by the seq that used them, streams by their first event.
///
/// A snapshot is a cache: one whose checksums, versions, position or head hash do not match the log is
/// ignored (and replaced by the next `rebuild` or large append), never trusted.
struct SnapshotFile {
    static let fileName = "state.snapshot"
    static let magic = Array("WLSNAPS1".utf8)
    static let fileVersion: UInt32 = 2
    static let headerSize = 276
    static let sectionCount = 8
    enum Section: Int, CaseIterable { case policies, dealers, notices, other, units, unitIndex, ids, versions }

    var lastSeq: Int64
    var head: SHA256Digest
    var lastRecord: RecordPosition?
    var sections: [(offset: Int64, length: Int64, checksum: UInt32)]

    // MARK: Writing

    /// Writes the fold as the folder's snapshot, atomically (a new file synced, then renamed over the old one).
    static func write(_ fold: LedgerFold, head: SHA256Digest, lastRecord: RecordPosition?, folder: String) throws {
        precondition(fold.hasKeys, "a fold loaded without its keys is never stored")
        let bodies = sections(of: fold)
        var header: [UInt8] = magic
        header.appendLittle(fileVersion)
        header.appendLittle(StateSnapshot.formatVersion)
        header.appendLittle(UInt64(bitPattern: fold.lastSeq))
        header.append(contentsOf: head.bytes)
        header.appendLittle(UInt64(bitPattern: lastRecord?.segmentBaseSeq ?? 0))
        header.appendLittle(UInt64(bitPattern: lastRecord?.offset ?? 0))
        header.appendLittle(UInt32(lastRecord?.length ?? 0))
        header.appendLittle(UInt32(sectionCount))
        var offset = Int64(headerSize)
        for body in bodies {
            header.appendLittle(UInt64(offset))
            header.appendLittle(UInt64(body.count))
            header.appendLittle(CRC32C.checksum(body))
            header.appendLittle(UInt32(0))
            offset += Int64(body.count)
        }
        header.appendLittle(CRC32C.checksum(header))
        precondition(header.count == headerSize, "snapshot header is \(header.count) bytes")
        try DurableFiles.replace(path: folder + "/" + fileName, chunks: [header] + bodies)
    }

    /// The eight section bodies of the snapshot of `fold`, in file order; the encoding is deterministic.
    static func sections(of fold: LedgerFold) -> [[UInt8]] {
        let state = fold.state.snapshot()
        var index: [UInt8] = []
        var blob: [UInt8] = []
        index.appendLittle(UInt32(state.unitIndex.count))
        state.units.withUnsafeBytes { units in
            for entry in state.unitIndex {
                index.appendLittle(UInt32(blob.count))
                index.appendLittle(UInt32(entry.serial.utf8.count))
                index.appendLittle(UInt64(entry.offset))
                index.appendLittle(UInt32(entry.length))
                index.appendLittle(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: units[entry.offset..<entry.offset + entry.length])))
                blob.append(contentsOf: entry.serial.utf8)
            }
        }
        index.append(contentsOf: blob)
        return [state.policies, state.dealers, state.notices, state.other, state.units, index,
                // In insertion order, which is log order whether folded at once or in steps: deterministic.
                encodeKeys(fold.ids) { UInt64(bitPattern: $0) },
                encodeKeys(fold.versions) { UInt64($0) }]
    }

    /// Whether the stored sections hold exactly the bytes `fold` encodes to, compared section by section;
    /// nil when a stored section fails its checksum.
    func holds(_ fold: LedgerFold, _ reader: SnapshotReader) -> Bool? {
        var equal = fold.lastSeq == lastSeq
        for (section, bytes) in zip(Section.allCases, SnapshotFile.sections(of: fold)) {
            guard let stored = self.section(section, reader) else { return nil }
            equal = equal && stored == bytes
        }
        return equal
    }

    private static func encodeKeys<Value>(_ table: KeyTable<Value>, _ value: (Value) -> UInt64) -> [UInt8] {
        let width = MemoryLayout<Value>.size
        var bytes: [UInt8] = []
        bytes.appendLittle(UInt32(table.count))
        table.forEach { key, stored in
            bytes.appendLittle(UInt16(key.count))
            bytes.append(contentsOf: key)
            if width == 8 { bytes.appendLittle(value(stored)) } else { bytes.appendLittle(UInt32(value(stored))) }
        }
        return bytes
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
        guard let reader = SnapshotReader(path: folder + "/" + fileName) else {
            return FileStatus.exists(folder + "/" + fileName) ? .damaged : .missing
        }
        guard let header = reader.read(at: 0, count: headerSize), Array(header[0..<8]) == magic else { return .damaged }
        func u32(_ at: Int) -> UInt32 { header.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) } }
        func u64(_ at: Int) -> UInt64 { header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        guard u32(272) == CRC32C.checksum(header[0..<272]) else { return .damaged }
        guard u32(8) == fileVersion, u32(12) == StateSnapshot.formatVersion else { return .otherVersion }
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
        guard file.sections.allSatisfy({ $0.offset >= Int64(headerSize) && $0.length >= 0 && $0.length <= reader.size - $0.offset }) else {
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

    /// The whole fold, without its idempotency keys and stream versions unless `keys`; nil when a section read is damaged.
    func loadFold(_ reader: SnapshotReader, keys: Bool = true) -> LedgerFold? {
        var parts: [[UInt8]] = []
        for section in Section.allCases where keys || (section != .ids && section != .versions) {
            guard let bytes = self.section(section, reader) else { return nil }
            parts.append(bytes)
        }
        guard let index = SnapshotFile.decodeIndex(parts[Section.unitIndex.rawValue], unitsLength: parts[Section.units.rawValue].count)
        else { return nil }
        let snapshot = StateSnapshot(lastSeq: lastSeq, policies: parts[0], dealers: parts[1], notices: parts[2], other: parts[3],
                                     units: parts[4], unitIndex: index.map { UnitIndexEntry(serial: $0.serial, offset: $0.offset, length: $0.length) })
        guard let state = try? LedgerState(snapshot: snapshot) else { return nil }
        var fold = LedgerFold(state: state, lastSeq: lastSeq)
        fold.hasKeys = keys
        if keys {
            guard let ids = SnapshotFile.decodeKeys(parts[Section.ids.rawValue], { Int64(bitPattern: $0) }),
                  let versions = SnapshotFile.decodeKeys(parts[Section.versions.rawValue], { UInt32(truncatingIfNeeded: $0) })
            else { return nil }
            fold.ids = ids
            fold.versions = versions
        }
        return fold
    }

    /// A state holding the policies, the dealers and only the records of `serial` and the units it refers to.
    /// Nil when the snapshot does not hold the serial or a needed part is damaged.
    func loadUnit(_ serial: String, _ reader: SnapshotReader) -> (LedgerState, [String])? {
        guard let policies = section(.policies, reader), let dealers = section(.dealers, reader),
              let other = section(.other, reader) else { return nil }
        var records: [[UInt8]] = []
        var pending = [serial]
        var seen: Set<String> = []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            // The record must be the one asked for: the index is read without its section checksum.
            guard let record = unitRecord(next, reader),
                  record.withUnsafeBytes({ try? LedgerState.serial(ofUnitRecord: $0) }) == next else { return nil }
            records.append(record)
            guard let related = record.withUnsafeBytes({ try? LedgerState.relatedSerials(inUnitRecord: $0) }) else { return nil }
            pending.append(contentsOf: related)
        }
        let state = policies.withUnsafeBytes { policies in
            dealers.withUnsafeBytes { dealers in
                other.withUnsafeBytes { other in
                    withBuffers(records) { buffers in
                        try? LedgerState(policies: policies, dealers: dealers, other: other, unitRecords: buffers, lastSeq: lastSeq)
                    }
                }
            }
        }
        return state.map { ($0, Array(seen)) }
    }

    /// One unit's record found by binary search in the index, reading only the entries it visits.
    private func unitRecord(_ serial: String, _ reader: SnapshotReader) -> [UInt8]? {
        let index = sections[Section.unitIndex.rawValue]
        let units = sections[Section.units.rawValue]
        guard let countBytes = reader.read(at: index.offset, count: 4) else { return nil }
        let count = Int(countBytes.littleUInt32(at: 0))
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
                guard let offset = Int64(exactly: entry.littleUInt64(at: 8)) else { return nil }
                let length = Int(entry.littleUInt32(at: 16))
                guard offset <= units.length - Int64(length),
                      let record = reader.read(at: units.offset + offset, count: length),
                      CRC32C.checksum(record) == entry.littleUInt32(at: 20) else { return nil }
                return record
            }
            if key.lexicographicallyPrecedes(wanted) { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    static func decodeIndex(_ bytes: [UInt8], unitsLength: Int) -> [(serial: String, offset: Int, length: Int)]? {
        guard bytes.count >= 4 else { return nil }
        let count = Int(bytes.littleUInt32(at: 0))
        let blobStart = 4 + count * 24
        guard count <= bytes.count / 24, blobStart <= bytes.count else { return nil }
        var entries: [(serial: String, offset: Int, length: Int)] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            let base = 4 + index * 24
            let keyStart = blobStart + Int(bytes.littleUInt32(at: base)), keyLength = Int(bytes.littleUInt32(at: base + 4))
            let length = Int(bytes.littleUInt32(at: base + 16))
            guard let offset = Int(exactly: bytes.littleUInt64(at: base + 8)), offset <= unitsLength - length,
                  keyStart + keyLength <= bytes.count,
                  let serial = String(validating: bytes[keyStart..<keyStart + keyLength], as: UTF8.self) else { return nil }
            entries.append((serial, offset, length))
        }
        return entries
    }

    /// The keys of a keys or versions section in their stored order; nil unless the bytes are exactly such a list.
    static func decodeKeys<Value>(_ bytes: [UInt8], _ value: (UInt64) -> Value) -> KeyTable<Value>? {
        let width = MemoryLayout<Value>.size
        guard bytes.count >= 4 else { return nil }
        let count = Int(bytes.littleUInt32(at: 0))
        guard count <= bytes.count / (2 + width) else { return nil }
        var table = KeyTable<Value>()
        var position = 4
        let valid = bytes.withUnsafeBytes { raw in
            for _ in 0..<count {
                guard position + 2 <= raw.count else { return false }
                let length = Int(bytes.littleUInt16(at: position))
                position += 2
                guard position + length + width <= raw.count else { return false }
                let key = UnsafeRawBufferPointer(rebasing: raw[position..<position + length])
                guard String(validating: key, as: UTF8.self) != nil else { return false }
                position += length
                let stored = width == 8 ? bytes.littleUInt64(at: position) : UInt64(bytes.littleUInt32(at: position))
                position += width
                let before = table.count
                table.set(key, value(stored))
                guard table.count == before + 1 else { return false }  // each key once
            }
            return position == raw.count
        }
        return valid ? table : nil
    }
}

/// Reads byte ranges of the snapshot file.
final class SnapshotReader {
    let descriptor: Int32
    let size: Int64

    init?(path: String) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { close(descriptor); return nil }
        size = Int64(info.st_size)
    }

    deinit { close(descriptor) }

    /// Exactly `count` bytes at `offset`, or nil.
    func read(at offset: Int64, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset + Int64(count) <= size else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            done += got
        }
        return bytes
    }
}

/// Calls `body` with raw views of every array.
func withBuffers<R>(_ arrays: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
    func nest(_ index: Int, _ collected: [UnsafeRawBufferPointer]) -> R {
        if index == arrays.count { return body(collected) }
        return arrays[index].withUnsafeBytes { nest(index + 1, collected + [$0]) }
    }
    return nest(0, [])
}

extension Array where Element == UInt8 {
    mutating func appendLittle<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    func littleUInt16(at offset: Int) -> UInt16 { withUnsafeBytes { UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) } }
    func littleUInt32(at offset: Int) -> UInt32 { withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) } }
    func littleUInt64(at offset: Int) -> UInt64 { withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) } }
}
