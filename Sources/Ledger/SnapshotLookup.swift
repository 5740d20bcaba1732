#if canImport(Glibc)
import Glibc
#endif
import Integrity
import WarrantyProjections

/// A sorted table of (key, value) pairs in a snapshot section, found by binary search without reading the
/// section whole: the idempotency keys, the stream versions and the identifier index.
///
/// Layout (little-endian): the blocks back to back, then the directory, then a 16-byte trailer. A block holds up
/// to `blockEntries` entries, each a u16 key length, the key's bytes and a u64 value. The directory has per
/// block its u64 offset from the section's start, its u32 length, its u32 CRC-32C, and the u32 offset and u32
/// length of its first key in the key blob, which follows. The trailer is the u32 entry count, the u32 block
/// count, the u32 blob length, and the CRC-32C u32 of the directory, the blob and the trailer's first 12 bytes
/// (all that steers a search). Keys are sorted by the table's `Order` and each appears once.
///
/// The directory comes last so that a table is written in one pass as its entries come, merged from an older
/// table read once; a reader finds it from the section's end.
enum LookupTable {
    static let blockEntries = 64
    static let trailerSize = 16

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

        /// Whether no byte has its high bit set, tested eight bytes at a time.
        private static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
            var at = 0, high: UInt64 = 0
            while at + 8 <= bytes.count {
                high |= bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)
                at += 8
            }
            while at < bytes.count {
                high |= UInt64(bytes[at])
                at += 1
            }
            return high & 0x8080_8080_8080_8080 == 0
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

/// Where a `LookupTableWriter` sends a table's bytes.
protocol LookupTableOutput {
    mutating func appendTableBytes(_ bytes: UnsafeRawBufferPointer) throws
}

/// Writes a lookup table in one pass: each block as it fills, then the directory and the trailer. What it holds
/// is the directory, 24 bytes and a first key per 64 entries.
struct LookupTableWriter {
    private var block: [UInt8] = []
    private var inBlock = 0
    private var directory: [UInt8] = []
    private var firstKeys: [UInt8] = []
    private var offset: Int64 = 0
    private(set) var count = 0

    init() {
        block.reserveCapacity(4096)
    }

    /// Adds the entry after the last one added; keys come in the table's order, each once.
    mutating func add(_ key: UnsafeRawBufferPointer, _ value: UInt64, to output: inout some LookupTableOutput) throws {
        precondition(key.count <= Int(UInt16.max), "a lookup key is at most 65535 bytes")
        if inBlock == 0 {
            directory.appendLittle(UInt64(offset))
            directory.appendLittle(UInt32(0))   // the length and checksum, set when the block ends
            directory.appendLittle(UInt32(0))
            directory.appendLittle(UInt32(firstKeys.count))
            directory.appendLittle(UInt32(key.count))
            firstKeys.appendBytes(key)
        }
        block.appendLittle(UInt16(key.count))
        block.appendBytes(key)
        block.appendLittle(value)
        inBlock += 1
        count += 1
        if inBlock == LookupTable.blockEntries { try endBlock(to: &output) }
    }

    /// Ends the table: the last block, the directory, the blob of first keys and the trailer.
    mutating func finish(to output: inout some LookupTableOutput) throws {
        if inBlock > 0 { try endBlock(to: &output) }
        precondition(count <= Int(UInt32.max), "a lookup table holds fewer than 2^32 entries")
        var trailer: [UInt8] = []
        trailer.appendLittle(UInt32(count))
        trailer.appendLittle(UInt32(directory.count / 24))
        trailer.appendLittle(UInt32(firstKeys.count))
        // One checksum over the directory, the blob and the trailer, which are written as they are, not copied together.
        var checksum = CRC32C()
        for part in [directory, firstKeys, trailer] { part.withUnsafeBytes { checksum.update($0) } }
        trailer.appendLittle(checksum.value)
        for part in [directory, firstKeys, trailer] { try part.withUnsafeBytes { try output.appendTableBytes($0) } }
    }

    private mutating func endBlock(to output: inout some LookupTableOutput) throws {
        let entry = directory.count - 24
        directory.withUnsafeMutableBytes { directory in
            directory.storeBytes(of: UInt32(block.count).littleEndian, toByteOffset: entry + 8, as: UInt32.self)
            directory.storeBytes(of: CRC32C.checksum(block).littleEndian, toByteOffset: entry + 12, as: UInt32.self)
        }
        try block.withUnsafeBytes { try output.appendTableBytes($0) }
        offset += Int64(block.count)
        block.removeAll(keepingCapacity: true)
        inBlock = 0
    }
}

/// The entries of a table read front to back from its section, then its directory and trailer: the entries
/// must end where the directory starts, and the directory, blob and trailer must have the trailer's checksum.
struct LookupTableCursor {
    private let stream: SectionStream
    private var left: Int
    /// Where the blocks end and the directory starts, from the section's start.
    private let blocksEnd: Int64
    private let trailer: [UInt8]

    init(_ stream: SectionStream) throws(SnapshotError) {
        self.stream = stream
        let trailerSize = Int64(LookupTable.trailerSize)
        guard stream.length >= trailerSize, let trailer = stream.tail(LookupTable.trailerSize) else { throw Self.malformed }
        self.trailer = trailer
        left = Int(trailer.littleUInt32(at: 0))
        let blockCount = Int(trailer.littleUInt32(at: 4)), blobLength = Int64(trailer.littleUInt32(at: 8))
        blocksEnd = stream.length - trailerSize - 24 * Int64(blockCount) - blobLength
        // Each entry takes at least 10 bytes (a key length and a value).
        guard blocksEnd >= 10 * Int64(left), blockCount == (left + LookupTable.blockEntries - 1) / LookupTable.blockEntries else {
            throw Self.malformed
        }
    }

    /// The next entry, its key valid until the next call; nil after the last one, once the directory, blob and
    /// trailer that follow it are read and checked, and the section's checksum found right.
    mutating func next() throws(SnapshotError) -> (key: UnsafeRawBufferPointer, value: UInt64)? {
        guard left > 0 else {
            guard stream.consumed == blocksEnd else { throw Self.malformed }
            let rest = try stream.next(Int(stream.remaining))
            let checked = UnsafeRawBufferPointer(rebasing: rest[0..<(rest.count - 4)])
            guard rest.suffix(LookupTable.trailerSize).elementsEqual(trailer),
                  CRC32C.checksum(checked) == rest.little(UInt32.self, at: rest.count - 4), stream.checksumHolds() else {
                throw Self.malformed
            }
            return nil
        }
        left -= 1
        let length = Int(try stream.next(2).little(UInt16.self, at: 0))
        guard stream.consumed + Int64(length + 8) <= blocksEnd else { throw Self.malformed }
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
    private let cache = LookupBlockCache()

    /// Reads and checks the directory of the table in `section`; nil when it is damaged.
    init?(_ reader: SnapshotReader, _ section: (offset: Int64, length: Int64, checksum: UInt32), order: LookupTable.Order) {
        self.order = order
        start = section.offset
        let trailerSize = Int64(LookupTable.trailerSize)
        guard section.length >= trailerSize, let trailer = reader.read(at: start + section.length - trailerSize, count: Int(trailerSize)) else { return nil }
        let count = Int(trailer.littleUInt32(at: 0)), blockCount = Int(trailer.littleUInt32(at: 4))
        let blobLength = Int(trailer.littleUInt32(at: 8))
        let tailLength = Int64(24 * blockCount + blobLength) + trailerSize
        guard blockCount == (count + LookupTable.blockEntries - 1) / LookupTable.blockEntries, tailLength <= section.length,
              let tail = reader.read(at: start + section.length - tailLength, count: Int(tailLength)), tail.suffix(Int(trailerSize)) == trailer[...],
              CRC32C.checksum(tail.dropLast(4)) == tail.littleUInt32(at: Int(tailLength) - 4) else { return nil }
        let blocksEnd = section.length - tailLength
        var next: Int64 = 0
        var offsets: [Int64] = [next]
        var blocks: [UInt32] = []
        offsets.reserveCapacity(blockCount + 1)
        blocks.reserveCapacity(3 * blockCount)
        for number in 0..<blockCount {
            let base = 24 * number
            let offset = Int64(bitPattern: tail.littleUInt64(at: base)), length = Int(tail.littleUInt32(at: base + 8))
            let keyStart = Int(tail.littleUInt32(at: base + 16)), keyLength = Int(tail.littleUInt32(at: base + 20))
            guard offset == next, length >= 10, offset + Int64(length) <= blocksEnd, keyStart + keyLength <= blobLength else { return nil }
            blocks.append(tail.littleUInt32(at: base + 12))
            blocks.append(UInt32(keyStart))
            blocks.append(UInt32(keyStart + keyLength))
            next += Int64(length)
            offsets.append(next)
        }
        guard next == blocksEnd else { return nil }
        self.offsets = offsets
        self.blocks = blocks
        blob = Array(tail[(24 * blockCount)..<(24 * blockCount + blobLength)])
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
        let block: LookupBlock
        if let cached = cache.block(low - 1) {
            block = cached
        } else {
            let offset = offsets[low - 1], length = Int(offsets[low] - offset), checksum = blocks[3 * (low - 1)]
            guard let bytes = reader.read(at: start + offset, count: length), CRC32C.checksum(bytes) == checksum else {
                throw SnapshotError(reason: "snapshot lookup block at byte \(start + offset) is damaged")
            }
            guard let read = LookupBlock(bytes) else {
                throw SnapshotError(reason: "snapshot lookup block at byte \(start + offset) is malformed")
            }
            block = read
            cache.keep(low - 1, block)
        }
        return block.value(of: key, order)
    }

    /// `value(of:)` for a string's UTF-8, with a kind byte first when given.
    func value(of key: String, kind: UInt8? = nil, _ reader: SnapshotReader) throws(SnapshotError) -> UInt64? {
        var bytes: [UInt8] = kind.map { [$0] } ?? []
        bytes.append(contentsOf: key.utf8)
        return try bytes.withUnsafeBytes { bytes in Result { () throws(SnapshotError) in try value(of: bytes, reader) } }.get()
    }
}

/// The blocks of a lookup table read last, checked and well formed, so that a lookup in one of them reads nothing.
/// Identifiers given out in order (complaints, visits and swaps numbered as they come) are looked up over and over
/// in the few blocks at the end of their kind: a new one is absent from the last block, a recent one in the blocks
/// before it. A block found again is marked, and a block read evicts the first unmarked one after the last eviction,
/// unmarking those it passes (second chance), so blocks looked up often stay while one-off reads come and go.
final class LookupBlockCache {
    static let capacity = 32
    private var numbers: [Int] = []
    private var blocks: [LookupBlock] = []
    private var marked: [Bool] = []
    private var hand = 0

    /// Block `number`, if kept; marks it.
    func block(_ number: Int) -> LookupBlock? {
        guard let slot = numbers.firstIndex(of: number) else { return nil }
        marked[slot] = true
        return blocks[slot]
    }

    /// Keeps block `number`, read and checked, which `block` did not find.
    func keep(_ number: Int, _ block: LookupBlock) {
        guard numbers.count == Self.capacity else {
            numbers.append(number)
            blocks.append(block)
            marked.append(false)
            return
        }
        while marked[hand] {
            marked[hand] = false
            hand = (hand + 1) % Self.capacity
        }
        (numbers[hand], blocks[hand]) = (number, block)
        hand = (hand + 1) % Self.capacity
    }
}

/// A block of a lookup table, read and checked, with where each of its entries starts, so that a key is found in it
/// by binary search.
struct LookupBlock {
    private let bytes: [UInt8]
    private let starts: [Int]

    /// The block of these bytes; nil unless they are whole entries, each a u16 key length, the key and a u64 value.
    init?(_ bytes: [UInt8]) {
        var starts: [Int] = []
        starts.reserveCapacity(LookupTable.blockEntries)
        var at = 0
        while at < bytes.count {
            guard at + 2 <= bytes.count else { return nil }
            let length = Int(bytes.littleUInt16(at: at))
            guard at + 2 + length + 8 <= bytes.count else { return nil }
            starts.append(at)
            at += 2 + length + 8
        }
        self.bytes = bytes
        self.starts = starts
    }

    /// The value of `key`, nil when the block does not hold it; its keys are in `order`.
    func value(of wanted: UnsafeRawBufferPointer, _ order: LookupTable.Order) -> UInt64? {
        bytes.withUnsafeBytes { bytes in
            func key(at entry: Int) -> UnsafeRawBufferPointer {
                let at = starts[entry]
                return UnsafeRawBufferPointer(rebasing: bytes[(at + 2)..<(at + 2 + Int(bytes.little(UInt16.self, at: at)))])
            }
            var low = 0, high = starts.count
            while low < high {
                let middle = (low + high) / 2
                if order.compare(key(at: middle), wanted) < 0 { low = middle + 1 } else { high = middle }
            }
            guard low < starts.count, order.compare(key(at: low), wanted) == 0 else { return nil }
            return bytes.little(UInt64.self, at: starts[low] + 2 + key(at: low).count)
        }
    }
}

extension UnsafeRawBufferPointer {
    fileprivate func little<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
