import Integrity

/// The byte layout of the log's files; the DocC article "StorageFormat" describes it for independent readers.
///
/// A ledger folder holds segment files named by the first sequence number they hold,
/// `%020d.seg`. A segment is a 32-byte header followed by blocks; a block is a 32-byte
/// header followed by whole records. A batch is one or more consecutive blocks, the last
/// flagged `commit`; only committed blocks are part of the log. All integers are
/// little-endian; checksums are CRC-32C; hashes are SHA-256.
public enum LogFormat {
    /// The first 8 bytes of every segment file.
    public static let segmentMagic: [UInt8] = Array("WLEDGSEG".utf8)
    /// The first 4 bytes of every block header.
    public static let blockMagic: [UInt8] = Array("WLBK".utf8)
    /// The only format version this code writes; readers refuse others.
    public static let version: UInt32 = 1
    public static let segmentHeaderSize = 32
    public static let blockHeaderSize = 32
    /// Bytes of a record before its payload: length, checksum, seq, recorded time, previous hash.
    public static let recordHeaderSize = 56
    /// The hash chain starts from 32 zero bytes: the "previous hash" of record 1.
    public static let genesis = SHA256Digest.zero
    /// Flag bit of a block header: this block ends (commits) its batch.
    public static let commitFlag: UInt32 = 1

    /// The largest payload of one record.
    public static let maximumPayloadSize = 1 << 20
    /// The most records one batch may hold.
    public static let maximumBatchRecords: Int64 = 20_000_000
    /// A writer starts a new block once the current one holds this many bytes.
    public static let blockTargetSize = 4 << 20
    /// The largest block a reader accepts (a target-size block plus one maximal record).
    public static let maximumBlockSize = blockTargetSize + recordHeaderSize + maximumPayloadSize
    /// A writer starts a new segment before a batch once the current one holds this many bytes.
    public static let segmentTargetSize: Int64 = 64 << 20

    /// The file name of the segment whose first record has sequence number `seq`.
    public static func segmentName(baseSeq seq: Int64) -> String {
        let digits = String(seq)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
    }

    /// The first sequence number encoded in a segment file name, or nil if the name is not a segment's.
    public static func baseSeq(ofSegment name: String) -> Int64? {
        guard name.utf8.count == 24, name.hasSuffix(".seg") else { return nil }
        let digits = name.utf8.prefix(20)
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(String(decoding: digits, as: UTF8.self))
    }

    /// Segment header: magic (8), version u32, reserved u32 = 0, base seq u64, reserved u32 = 0, CRC-32C of bytes 0..<28 u32.
    static func segmentHeader(baseSeq: Int64) -> [UInt8] {
        var bytes = segmentMagic
        bytes.appendLittleEndian(version)
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(UInt64(baseSeq))
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(bytes.withUnsafeBytes { CRC32C.checksum($0) })
        return bytes
    }

    /// Checks a segment header; returns nil when valid, else the reason.
    static func checkSegmentHeader(_ bytes: UnsafeRawBufferPointer, baseSeq: Int64) -> String? {
        guard bytes.count >= segmentHeaderSize else { return "segment header is short" }
        guard bytes.loadLittleEndian(UInt32.self, at: 28)
                == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<28])) else {
            return "segment header checksum mismatch"
        }
        guard bytes.prefix(8).elementsEqual(segmentMagic) else { return "not a segment file (bad magic)" }
        let fileVersion = bytes.loadLittleEndian(UInt32.self, at: 8)
        guard fileVersion == version else { return "segment format version \(fileVersion) is not supported" }
        guard bytes.loadLittleEndian(UInt32.self, at: 12) == 0, bytes.loadLittleEndian(UInt32.self, at: 24) == 0 else {
            return "segment header reserved bytes are not zero"
        }
        let stored = Int64(bitPattern: bytes.loadLittleEndian(UInt64.self, at: 16))
        guard stored == baseSeq else { return "segment header says base seq \(stored), file name says \(baseSeq)" }
        return nil
    }

    /// Block header: magic (4), flags u32, record count u32, body length u32, first seq u64, reserved u32 = 0, CRC-32C of bytes 0..<28 u32.
    static func writeBlockHeader(into bytes: UnsafeMutableRawBufferPointer, flags: UInt32, count: UInt32,
                                 bodyLength: UInt32, firstSeq: Int64) {
        for (index, byte) in blockMagic.enumerated() { bytes[index] = byte }
        bytes.storeLittleEndian(flags, at: 4)
        bytes.storeLittleEndian(count, at: 8)
        bytes.storeLittleEndian(bodyLength, at: 12)
        bytes.storeLittleEndian(UInt64(firstSeq), at: 16)
        bytes.storeLittleEndian(UInt32(0), at: 24)
        bytes.storeLittleEndian(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<28])), at: 28)
    }

    /// A decoded block header.
    struct BlockHeader {
        var flags: UInt32
        var count: Int
        var bodyLength: Int
        var firstSeq: Int64
        var commits: Bool { flags & commitFlag != 0 }
    }

    /// Decodes and checks a block header; throws the reason when it is invalid.
    static func readBlockHeader(_ bytes: UnsafeRawBufferPointer) -> Result<BlockHeader, LogError> {
        func bad(_ reason: String) -> Result<BlockHeader, LogError> { .failure(LogError(.corrupt, reason)) }
        guard bytes.loadLittleEndian(UInt32.self, at: 28) == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<28])) else {
            return bad("block header checksum mismatch")
        }
        guard bytes.prefix(4).elementsEqual(blockMagic) else { return bad("bad block magic") }
        let header = BlockHeader(flags: bytes.loadLittleEndian(UInt32.self, at: 4),
                                 count: Int(bytes.loadLittleEndian(UInt32.self, at: 8)),
                                 bodyLength: Int(bytes.loadLittleEndian(UInt32.self, at: 12)),
                                 firstSeq: Int64(bitPattern: bytes.loadLittleEndian(UInt64.self, at: 16)))
        guard header.flags & ~commitFlag == 0, bytes.loadLittleEndian(UInt32.self, at: 24) == 0 else {
            return bad("block header has unknown flags or non-zero reserved bytes")
        }
        guard header.count >= 1, header.bodyLength >= header.count * recordHeaderSize,
              header.bodyLength <= maximumBlockSize else {
            return bad("block header has impossible sizes (\(header.count) records in \(header.bodyLength) bytes)")
        }
        return .success(header)
    }

    /// Record: length u32 (whole record), CRC-32C of bytes 8..<length u32, seq u64,
    /// recorded time i64 (microseconds since 1970-01-01T00:00:00Z), previous record's hash (32), payload.
    static func writeRecord(into bytes: UnsafeMutableRawBufferPointer, seq: Int64, recordedMicroseconds: Int64,
                            previous: SHA256Digest, payload: UnsafeRawBufferPointer) {
        let length = recordHeaderSize + payload.count
        bytes.storeLittleEndian(UInt32(length), at: 0)
        bytes.storeLittleEndian(UInt64(seq), at: 8)
        bytes.storeLittleEndian(UInt64(bitPattern: recordedMicroseconds), at: 16)
        previous.withUnsafeBytes { hash in
            UnsafeMutableRawBufferPointer(rebasing: bytes[24..<56]).copyMemory(from: hash)
        }
        if payload.count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: bytes[56..<length]).copyMemory(from: payload)
        }
        bytes.storeLittleEndian(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[8..<length])), at: 4)
    }
}

/// One record as read from a segment: its fields and a view of its bytes, valid only during the visit.
public struct StoredRecord {
    public var seq: Int64
    public var recordedMicroseconds: Int64
    public var previous: SHA256Digest
    /// The whole record, length field to payload end: the bytes its hash covers.
    public var bytes: UnsafeRawBufferPointer
    public var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[LogFormat.recordHeaderSize...]) }
    /// SHA-256 of the record's bytes: the next record's `previous`.
    public var hash: SHA256Digest { SHA256.hash(bytes) }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    func loadLittleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}

/// Where a record lies: its segment (by base seq), byte offset and length.
public struct RecordPosition: Sendable, Equatable {
    public var segmentBaseSeq: Int64
    public var offset: Int64
    public var length: Int

    public init(segmentBaseSeq: Int64, offset: Int64, length: Int) {
        self.segmentBaseSeq = segmentBaseSeq
        self.offset = offset
        self.length = length
    }

    /// The offset just past the record.
    public var end: Int64 { offset + Int64(length) }
}
