#if canImport(Glibc)
import Glibc
#endif
import Integrity
import WarrantyProjections

/// A sorted table of (key, value) pairs in a snapshot section, found by binary search without reading the
/// section whole: the idempotency keys, the stream versions and the identifier index.
///
/// Layout (little-endian): u32 entry count, u32 block count, then per block the u64 offset of the block from
/// the section's start, its u32 length, its u32 CRC-32C, and the u32 offset and u32 length of its first key
/// in the key blob; then the u32 blob length and the blob of first keys; then the CRC-32C u32 of all of that
/// (the directory, which steers every search); then the blocks back to back. A block
/// holds up to `blockEntries` entries, each a u16 key length, the key's bytes and a u64 value. Keys are
/// sorted by the table's `Order` and each appears once.
enum LookupTable {
    static let blockEntries = 64

    /// How keys are sorted and compared.
    enum Order {
        /// UTF-8 bytes, as `KeyTable` compares idempotency keys and stream names.
        case bytes
        /// A kind byte, then the rest as Swift strings compare (canonically equivalent spellings are equal, as
        /// identifiers are in the state's tables): the identifier index.
        case kindThenText

        /// Negative, zero or positive as `a` sorts before, with or after `b`.
        func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
            switch self {
            case .bytes:
                return Self.compareBytes(a, b)
            case .kindThenText:
                guard let kindA = a.first, let kindB = b.first else { return a.count - b.count }
                if kindA != kindB { return Int(kindA) - Int(kindB) }
                // ASCII text compares as its bytes do; only other text needs Swift's canonical comparison.
                if Self.isASCII(a), Self.isASCII(b) { return Self.compareBytes(a, b) }
                let textA = String(decoding: a.dropFirst(), as: UTF8.self), textB = String(decoding: b.dropFirst(), as: UTF8.self)
                return textA == textB ? 0 : (textA < textB ? -1 : 1)
            }
        }

        private static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
            let common = min(a.count, b.count)
            let prefix = common == 0 ? 0 : Int(memcmp(a.baseAddress!, b.baseAddress!, common))
            return prefix != 0 ? prefix : a.count - b.count
        }

        private static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
            bytes.allSatisfy { $0 < 0x80 }
        }
    }

    /// Encodes a table to `emit`. `entries` hands every entry, in sorted order, to the `add` it is given; it is
    /// called twice, and must give the same entries both times: a first pass sizes and checksums the blocks for
    /// the directory, a second writes them. An entry's key bytes are only read during its `add`.
    static func encode(entries: (_ add: (UnsafeRawBufferPointer, UInt64) throws -> Void) throws -> Void,
                       emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withoutActuallyEscaping(emit) { emit in
            // The directory as the first pass finds it: per block its length and checksum, and the blob of first keys.
            var lengths: [UInt32] = [], checksums: [UInt32] = [], firstKeyEnds: [UInt32] = []
            var firstKeys: [UInt8] = []
            var block: [UInt8] = []
            var inBlock = 0
            var count = 0
            var writing = false
            var written = 0
            /// Ends a block: the first pass records it in the directory, the second writes it.
            func endBlock() throws {
                if writing {
                    precondition(written < lengths.count && block.count == Int(lengths[written]),
                                 "a lookup table's second pass differs from its first")
                    written += 1
                    try block.withUnsafeBytes { try emit($0) }
                } else {
                    let keyLength = Int(block.littleUInt16(at: 0))
                    lengths.append(UInt32(block.count))
                    checksums.append(CRC32C.checksum(block))
                    firstKeys.append(contentsOf: block[2..<(2 + keyLength)])
                    firstKeyEnds.append(UInt32(firstKeys.count))
                }
                block.removeAll(keepingCapacity: true)
                inBlock = 0
            }
            func pass() throws {
                count = 0
                try entries { key, value in
                    precondition(key.count <= Int(UInt16.max), "a lookup key is at most 65535 bytes")
                    block.appendLittle(UInt16(key.count))
                    block.append(contentsOf: key)
                    block.appendLittle(value)
                    inBlock += 1
                    count += 1
                    if inBlock == blockEntries { try endBlock() }
                }
                if inBlock > 0 { try endBlock() }
            }
            try pass()
            let entryCount = count
            var head: [UInt8] = []
            head.reserveCapacity(8 + 24 * lengths.count + 4 + firstKeys.count + 4)
            head.appendLittle(UInt32(entryCount))
            head.appendLittle(UInt32(lengths.count))
            var offset = 8 + 24 * lengths.count + 4 + firstKeys.count + 4
            for number in lengths.indices {
                let keyStart = number == 0 ? 0 : firstKeyEnds[number - 1]
                head.appendLittle(UInt64(offset))
                head.appendLittle(lengths[number])
                head.appendLittle(checksums[number])
                head.appendLittle(keyStart)
                head.appendLittle(firstKeyEnds[number] - keyStart)
                offset += Int(lengths[number])
            }
            head.appendLittle(UInt32(firstKeys.count))
            head.append(contentsOf: firstKeys)
            head.appendLittle(CRC32C.checksum(head))
            try head.withUnsafeBytes { try emit($0) }
            head = []
            writing = true
            try pass()
            precondition(count == entryCount && written == lengths.count, "a lookup table's second pass differs from its first")
        }
    }

    /// Reads the entries of a table from `stream` in order, handing each key's bytes and value to `visit`;
    /// false unless the bytes are exactly such a table and have the section's checksum.
    static func decode(_ stream: SectionStream, _ visit: (UnsafeRawBufferPointer, UInt64) -> Bool) -> Bool {
        guard var cursor = try? LookupTableCursor(stream) else { return false }
        do {
            while let entry = try cursor.next() {
                guard visit(entry.key, entry.value) else { return false }
            }
            return true
        } catch {
            return false
        }
    }
}

/// The entries of a table read front to back from its section: the blocks only, past the directory.
struct LookupTableCursor {
    private let stream: SectionStream
    private var left: Int

    init(_ stream: SectionStream) throws(SnapshotError) {
        self.stream = stream
        let head = try stream.next(8)
        left = Int(head.little(UInt32.self, at: 0))
        let blockCount = Int(head.little(UInt32.self, at: 4))
        guard Int64(left) <= stream.length / 10, blockCount == (left + LookupTable.blockEntries - 1) / LookupTable.blockEntries else {
            throw Self.malformed
        }
        _ = try stream.next(24 * blockCount)
        let blobLength = try stream.next(4).little(UInt32.self, at: 0)
        _ = try stream.next(Int(blobLength) + 4)
    }

    /// The next entry, its key valid until the next call; nil after the last one, once the section's length and
    /// checksum are found right.
    mutating func next() throws(SnapshotError) -> (key: UnsafeRawBufferPointer, value: UInt64)? {
        guard left > 0 else {
            guard stream.remaining == 0, stream.checksumHolds() else { throw Self.malformed }
            return nil
        }
        left -= 1
        let length = Int(try stream.next(2).little(UInt16.self, at: 0))
        let entry = try stream.next(length + 8)
        return (UnsafeRawBufferPointer(rebasing: entry[0..<length]), entry.little(UInt64.self, at: length))
    }

    private static var malformed: SnapshotError { SnapshotError(reason: "a snapshot lookup table is malformed or damaged") }
}

/// A lookup table of a snapshot opened for finding keys: its directory in memory, its blocks read when needed.
///
/// The directory is held as each block's offset, three `u32` per block (its checksum, and where its first key
/// starts and ends in the blob of first keys) and the blob: a table of millions of entries keeps a few bytes per entry.
struct LookupTableReader {
    let order: LookupTable.Order
    private let start: Int64
    /// Where each block starts, from the start of the section, and where the last one ends.
    private let offsets: [Int64]
    private let blocks: [UInt32]
    private let blob: [UInt8]

    /// Reads and checks the directory of the table in `section`; nil when it is damaged.
    init?(_ reader: SnapshotReader, _ section: (offset: Int64, length: Int64, checksum: UInt32), order: LookupTable.Order) {
        self.order = order
        start = section.offset
        guard let head = reader.read(at: start, count: 8) else { return nil }
        let count = Int(head.littleUInt32(at: 0)), blockCount = Int(head.littleUInt32(at: 4))
        guard blockCount == (count + LookupTable.blockEntries - 1) / LookupTable.blockEntries,
              Int64(24 * blockCount + 12) <= section.length,
              let directory = reader.read(at: start + 8, count: 24 * blockCount + 4) else { return nil }
        let blobLength = Int(directory.littleUInt32(at: 24 * blockCount))
        guard let rest = reader.read(at: start + 12 + Int64(24 * blockCount), count: blobLength + 4),
              CRC32C.checksum(head + directory + rest.dropLast(4)) == rest.littleUInt32(at: blobLength) else { return nil }
        var next = Int64(12 + 24 * blockCount + blobLength + 4)
        var offsets: [Int64] = [next]
        var blocks: [UInt32] = []
        offsets.reserveCapacity(blockCount + 1)
        blocks.reserveCapacity(3 * blockCount)
        for number in 0..<blockCount {
            let base = 24 * number
            let offset = Int64(bitPattern: directory.littleUInt64(at: base)), length = Int(directory.littleUInt32(at: base + 8))
            let keyStart = Int(directory.littleUInt32(at: base + 16)), keyLength = Int(directory.littleUInt32(at: base + 20))
            guard offset == next, length >= 10, offset + Int64(length) <= section.length, keyStart + keyLength <= blobLength else { return nil }
            blocks.append(directory.littleUInt32(at: base + 12))
            blocks.append(UInt32(keyStart))
            blocks.append(UInt32(keyStart + keyLength))
            next += Int64(length)
            offsets.append(next)
        }
        guard next == section.length else { return nil }
        self.offsets = offsets
        self.blocks = blocks
        blob = Array(rest.dropLast(4))
    }

    /// The value of `key`, nil when the table does not hold it; throws when the block it would be in is damaged.
    func value(of key: UnsafeRawBufferPointer, _ reader: SnapshotReader) throws(SnapshotError) -> UInt64? {
        // The last block whose first key is not after `key`.
        var low = 0, high = blocks.count / 3
        blob.withUnsafeBytes { blob in
            while low < high {
                let middle = (low + high) / 2
                let firstKey = UnsafeRawBufferPointer(rebasing: blob[Int(blocks[3 * middle + 1])..<Int(blocks[3 * middle + 2])])
                if order.compare(firstKey, key) <= 0 { low = middle + 1 } else { high = middle }
            }
        }
        guard low > 0 else { return nil }
        let offset = offsets[low - 1], length = Int(offsets[low] - offset), checksum = blocks[3 * (low - 1)]
        guard let bytes = reader.read(at: start + offset, count: length), CRC32C.checksum(bytes) == checksum else {
            throw SnapshotError(reason: "snapshot lookup block at byte \(start + offset) is damaged")
        }
        let found = bytes.withUnsafeBytes { bytes -> UInt64?? in
            var at = 0
            while at < bytes.count {
                guard at + 2 <= bytes.count else { break }
                let length = Int(bytes.little(UInt16.self, at: at))
                guard at + 2 + length + 8 <= bytes.count else { break }
                let stored = UnsafeRawBufferPointer(rebasing: bytes[(at + 2)..<(at + 2 + length)])
                let comparison = order.compare(stored, key)
                if comparison == 0 { return .some(bytes.little(UInt64.self, at: at + 2 + length)) }
                if comparison > 0 { return .some(nil) }
                at += 2 + length + 8
            }
            return at == bytes.count ? .some(nil) : nil
        }
        guard let found else { throw SnapshotError(reason: "snapshot lookup block at byte \(start + offset) is malformed") }
        return found
    }

    /// `value(of:)` for a string's UTF-8, with a kind byte first when given.
    func value(of key: String, kind: UInt8? = nil, _ reader: SnapshotReader) throws(SnapshotError) -> UInt64? {
        var bytes: [UInt8] = kind.map { [$0] } ?? []
        bytes.append(contentsOf: key.utf8)
        return try bytes.withUnsafeBytes { bytes in Result { () throws(SnapshotError) in try value(of: bytes, reader) } }.get()
    }
}

extension UnsafeRawBufferPointer {
    fileprivate func little<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
