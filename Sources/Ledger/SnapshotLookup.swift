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
                let common = min(a.count, b.count)
                let prefix = common == 0 ? 0 : Int(memcmp(a.baseAddress!, b.baseAddress!, common))
                return prefix != 0 ? prefix : a.count - b.count
            case .kindThenText:
                guard let kindA = a.first, let kindB = b.first else { return a.count - b.count }
                if kindA != kindB { return Int(kindA) - Int(kindB) }
                let textA = String(decoding: a.dropFirst(), as: UTF8.self), textB = String(decoding: b.dropFirst(), as: UTF8.self)
                return textA == textB ? 0 : (textA < textB ? -1 : 1)
            }
        }
    }

    /// Encodes `count` entries to `emit`: `entry(i, &key)` appends the i-th key's bytes in sorted order to `key`
    /// and returns its value. A first pass sizes and checksums the blocks for the directory, a second writes them.
    static func encode(count: Int, entry: (Int, inout [UInt8]) -> UInt64, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let blockCount = (count + blockEntries - 1) / blockEntries
        var directory: [(length: Int, checksum: UInt32, firstKey: [UInt8])] = []
        directory.reserveCapacity(blockCount)
        var block: [UInt8] = []
        func encodeBlock(_ number: Int) {
            block.removeAll(keepingCapacity: true)
            for index in (number * blockEntries)..<min(count, (number + 1) * blockEntries) {
                // The key goes in after a placeholder for its length.
                let start = block.count
                block.append(contentsOf: [0, 0])
                let value = entry(index, &block)
                let length = block.count - start - 2
                precondition(length <= Int(UInt16.max), "a lookup key is at most 65535 bytes")
                block[start] = UInt8(length & 0xFF)
                block[start + 1] = UInt8(length >> 8)
                block.appendLittle(value)
            }
        }
        for number in 0..<blockCount {
            encodeBlock(number)
            let keyLength = Int(block.littleUInt16(at: 0))
            directory.append((block.count, CRC32C.checksum(block), Array(block[2..<(2 + keyLength)])))
        }
        var head: [UInt8] = []
        head.appendLittle(UInt32(count))
        head.appendLittle(UInt32(blockCount))
        let blobLength = directory.reduce(0) { $0 + $1.firstKey.count }
        var offset = 8 + 24 * blockCount + 4 + blobLength + 4
        var blobOffset = 0
        for block in directory {
            head.appendLittle(UInt64(offset))
            head.appendLittle(UInt32(block.length))
            head.appendLittle(block.checksum)
            head.appendLittle(UInt32(blobOffset))
            head.appendLittle(UInt32(block.firstKey.count))
            offset += block.length
            blobOffset += block.firstKey.count
        }
        head.appendLittle(UInt32(blobLength))
        for block in directory { head.append(contentsOf: block.firstKey) }
        head.appendLittle(CRC32C.checksum(head))
        try head.withUnsafeBytes { try emit($0) }
        for number in 0..<blockCount {
            encodeBlock(number)
            try block.withUnsafeBytes { try emit($0) }
        }
    }

    /// Reads the entries of a table from `stream` in order, handing each key's bytes and value to `visit`;
    /// false unless the bytes are exactly such a table and have the section's checksum.
    static func decode(_ stream: SectionStream, _ visit: (UnsafeRawBufferPointer, UInt64) -> Bool) -> Bool {
        guard let head = try? stream.next(8) else { return false }
        let count = Int(head.little(UInt32.self, at: 0)), blockCount = Int(head.little(UInt32.self, at: 4))
        guard Int64(count) <= stream.length / 10, blockCount == (count + blockEntries - 1) / blockEntries,
              (try? stream.next(24 * blockCount)) != nil, let blobLength = try? stream.next(4),
              (try? stream.next(Int(blobLength.little(UInt32.self, at: 0)) + 4)) != nil else { return false }
        for _ in 0..<count {
            guard let lengthBytes = try? stream.next(2) else { return false }
            let length = Int(lengthBytes.little(UInt16.self, at: 0))
            guard let entry = try? stream.next(length + 8),
                  visit(UnsafeRawBufferPointer(rebasing: entry[0..<length]), entry.little(UInt64.self, at: length)) else { return false }
        }
        return stream.remaining == 0 && stream.checksumHolds()
    }
}

/// A lookup table of a snapshot opened for finding keys: its directory in memory, its blocks read when needed.
struct LookupTableReader {
    let order: LookupTable.Order
    private let start: Int64
    private let blocks: [(offset: Int64, length: Int, checksum: UInt32)]
    private let blob: [UInt8]
    private let firstKeys: [Range<Int>]

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
        let blob = Array(rest.dropLast(4))
        var next = Int64(12 + 24 * blockCount + blobLength + 4)
        var blocks: [(offset: Int64, length: Int, checksum: UInt32)] = []
        var firstKeys: [Range<Int>] = []
        for number in 0..<blockCount {
            let base = 24 * number
            let offset = Int64(bitPattern: directory.littleUInt64(at: base)), length = Int(directory.littleUInt32(at: base + 8))
            let keyStart = Int(directory.littleUInt32(at: base + 16)), keyLength = Int(directory.littleUInt32(at: base + 20))
            guard offset == next, length >= 10, offset + Int64(length) <= section.length, keyStart + keyLength <= blobLength else { return nil }
            blocks.append((offset, length, directory.littleUInt32(at: base + 12)))
            firstKeys.append(keyStart..<(keyStart + keyLength))
            next += Int64(length)
        }
        guard next == section.length else { return nil }
        self.blocks = blocks
        self.blob = blob
        self.firstKeys = firstKeys
    }

    /// The value of `key`, nil when the table does not hold it; throws when the block it would be in is damaged.
    func value(of key: UnsafeRawBufferPointer, _ reader: SnapshotReader) throws(SnapshotError) -> UInt64? {
        // The last block whose first key is not after `key`.
        var low = 0, high = blocks.count
        blob.withUnsafeBytes { blob in
            while low < high {
                let middle = (low + high) / 2
                if order.compare(UnsafeRawBufferPointer(rebasing: blob[firstKeys[middle]]), key) <= 0 { low = middle + 1 } else { high = middle }
            }
        }
        guard low > 0 else { return nil }
        let block = blocks[low - 1]
        guard let bytes = reader.read(at: start + block.offset, count: block.length), CRC32C.checksum(bytes) == block.checksum else {
            throw SnapshotError(reason: "snapshot lookup block at byte \(start + block.offset) is damaged")
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
        guard let found else { throw SnapshotError(reason: "snapshot lookup block at byte \(start + block.offset) is malformed") }
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
