import Integrity
import LedgerLog

/// The byte layout of `merkle.tree`, the cache of complete Merkle subtree hashes described in the
/// DocC article "StorageFormat": a 128-byte header, then 64-byte entries in the order the subtrees complete.
///
/// Only subtrees of 2^6 leaves and more are stored; a smaller one is hashed from at most 64 records,
/// found from the position its level-6 entry (or the header's tail position) records.
enum MerkleStore {
    static let fileName = "merkle.tree"
    static let lockName = "merkle.lock"
    static let magic: [UInt8] = Array("WLMERKLE".utf8)
    static let version: UInt32 = 1
    /// The lowest level stored; each entry of this level also records where its first leaf's record lies.
    static let baseLevel = 6
    static let chunkLeaves = 1 << baseLevel
    static let headerSize = 128
    static let entrySize = 64
    /// The largest tree size a header may claim (2^48 records): far beyond any real log, small enough that
    /// no arithmetic on sizes and entry counts read from the file can overflow.
    static let maximumSize: Int64 = 1 << 48
    /// The largest byte offset a stored position may name: above any segment's size (the 64 MiB target plus
    /// one batch of at most 20,000,000 records of at most 56 + 1 MiB bytes with their block headers, < 2^45),
    /// small enough that adding a record's length cannot overflow.
    static let maximumOffset: Int64 = 1 << 48

    /// The number of entries of a store over `size` leaves: every complete subtree of level 6 or more.
    static func entryCount(size: Int64) -> Int64 {
        var count: Int64 = 0
        var level = baseLevel
        while level < 63 && size >> Int64(level) > 0 {
            count += size >> Int64(level)
            level += 1
        }
        return count
    }

    /// The entry number of subtree (`level`, `index`): the entries completed before it, then the lower
    /// levels completed by the same leaf, which are reported first.
    static func slot(level: Int, index: Int64) -> Int64 {
        let leaves = (index + 1) << Int64(level)
        return entryCount(size: leaves - 1) + Int64(level - baseLevel)
    }
}

/// Where a record starts: its segment, by base seq, and the byte offset of its length field.
struct RecordStart: Equatable, Sendable {
    var segmentBaseSeq: Int64
    var offset: Int64
}

/// The header of `merkle.tree`: which log prefix the entries describe and where that prefix ends.
struct MerkleStoreHeader: Equatable, Sendable {
    /// The number of leaves (records) covered.
    var size: Int64 = 0
    /// The hash of record `size`, binding the store to the log; zeros for size 0.
    var head: SHA256Digest = .zero
    /// The last covered record, at the end of a committed batch; nil for size 0.
    var last: RecordPosition?
    /// The first record of the last, incomplete group of 64 leaves; nil when `size` is a multiple of 64.
    var tailStart: RecordStart?

    var entryCount: Int64 { MerkleStore.entryCount(size: size) }

    func encoded() -> [UInt8] {
        var bytes = MerkleStore.magic
        bytes.appendLittle(MerkleStore.version)
        bytes.appendLittle(UInt32(MerkleStore.baseLevel))
        bytes.appendLittle(UInt64(size))
        head.withUnsafeBytes { bytes.appendBytes($0) }
        bytes.appendLittle(UInt64(last?.segmentBaseSeq ?? 0))
        bytes.appendLittle(UInt64(last?.offset ?? 0))
        bytes.appendLittle(UInt32(last?.length ?? 0))
        bytes.appendLittle(UInt32(0))
        bytes.appendLittle(UInt64(tailStart?.segmentBaseSeq ?? 0))
        bytes.appendLittle(UInt64(tailStart?.offset ?? 0))
        bytes.appendLittle(UInt64(entryCount))
        bytes.append(contentsOf: repeatElement(0, count: 20))
        bytes.appendLittle(CRC32C.checksum(bytes))
        precondition(bytes.count == MerkleStore.headerSize)
        return bytes
    }

    /// Decodes a header; nil when anything in it is not what this version writes.
    init?(decoding bytes: [UInt8]) {
        guard bytes.count == MerkleStore.headerSize,
              bytes.little(UInt32.self, at: 124) == CRC32C.checksum(bytes[0..<124]),
              bytes.prefix(8).elementsEqual(MerkleStore.magic),
              bytes.little(UInt32.self, at: 8) == MerkleStore.version,
              bytes.little(UInt32.self, at: 12) == UInt32(MerkleStore.baseLevel),
              bytes.little(UInt32.self, at: 76) == 0,
              bytes[104..<124].allSatisfy({ $0 == 0 }) else { return nil }
        size = Int64(bitPattern: bytes.little(UInt64.self, at: 16))
        guard size >= 0, size <= MerkleStore.maximumSize, let digest = SHA256Digest(bytes: bytes[24..<56]) else { return nil }
        head = digest
        let lastSegment = Int64(bitPattern: bytes.little(UInt64.self, at: 56))
        let lastOffset = Int64(bitPattern: bytes.little(UInt64.self, at: 64))
        let lastLength = Int(bytes.little(UInt32.self, at: 72))
        let tailSegment = Int64(bitPattern: bytes.little(UInt64.self, at: 80))
        let tailOffset = Int64(bitPattern: bytes.little(UInt64.self, at: 88))
        guard Int64(bitPattern: bytes.little(UInt64.self, at: 96)) == MerkleStore.entryCount(size: size) else { return nil }
        if size == 0 {
            guard lastSegment == 0, lastOffset == 0, lastLength == 0, head == .zero else { return nil }
        } else {
            guard lastSegment >= 1, lastSegment <= size, lastOffset > 0, lastOffset <= MerkleStore.maximumOffset,
                  lastLength >= 56, lastLength <= 56 + (1 << 20) else { return nil }
            last = RecordPosition(segmentBaseSeq: lastSegment, offset: lastOffset, length: lastLength)
        }
        if size % Int64(MerkleStore.chunkLeaves) == 0 {
            guard tailSegment == 0, tailOffset == 0 else { return nil }
        } else {
            guard tailSegment >= 1, tailSegment <= size, tailOffset > 0, tailOffset <= MerkleStore.maximumOffset else { return nil }
            tailStart = RecordStart(segmentBaseSeq: tailSegment, offset: tailOffset)
        }
    }

    init() {}
}

/// One stored subtree: its hash and, for level 6, where its first leaf's record starts.
struct MerkleStoreEntry: Equatable, Sendable {
    var level: Int
    var index: Int64
    var hash: SHA256Digest
    var start: RecordStart?

    /// hash (32), index u64, segment base seq u64, offset u64, level u32, CRC-32C of bytes 0..<60.
    func encode(into bytes: inout [UInt8]) {
        let first = bytes.count
        hash.withUnsafeBytes { bytes.appendBytes($0) }
        bytes.appendLittle(UInt64(index))
        bytes.appendLittle(UInt64(start?.segmentBaseSeq ?? 0))
        bytes.appendLittle(UInt64(start?.offset ?? 0))
        bytes.appendLittle(UInt32(level))
        bytes.appendLittle(CRC32C.checksum(bytes[first...]))
    }

    /// Decodes the entry expected at (`level`, `index`); nil when its checksum or identity does not match.
    init?(decoding bytes: ArraySlice<UInt8>, level: Int, index: Int64) {
        let base = bytes.startIndex
        guard bytes.count == MerkleStore.entrySize,
              Array(bytes).little(UInt32.self, at: 60) == CRC32C.checksum(bytes[base..<base + 60]) else { return nil }
        let raw = Array(bytes)
        guard Int64(bitPattern: raw.little(UInt64.self, at: 32)) == index,
              Int(raw.little(UInt32.self, at: 56)) == level,
              let hash = SHA256Digest(bytes: raw[0..<32]) else { return nil }
        self.level = level
        self.index = index
        self.hash = hash
        let segment = Int64(bitPattern: raw.little(UInt64.self, at: 40))
        let offset = Int64(bitPattern: raw.little(UInt64.self, at: 48))
        if level == MerkleStore.baseLevel {
            guard segment >= 1, offset > 0, offset <= MerkleStore.maximumOffset else { return nil }
            start = RecordStart(segmentBaseSeq: segment, offset: offset)
        } else {
            guard segment == 0, offset == 0 else { return nil }
        }
    }

    init(level: Int, index: Int64, hash: SHA256Digest, start: RecordStart?) {
        self.level = level
        self.index = index
        self.hash = hash
        self.start = start
    }
}
