#if canImport(Glibc)
import Glibc
#endif
import Integrity
@testable import Ledger
import Testing
import WarrantyProjections

/// The snapshot's sorted lookup tables: every key found, every absent key not found, around block edges.
@Suite struct LookupTableTests {
    /// Writes a table of `keys` (already sorted by `order`), values = positions, as a one-section file, and opens it.
    static func table(_ keys: [[UInt8]], order: LookupTable.Order, scratch: String) throws -> (LookupTableReader, SnapshotReader) {
        struct Bytes: LookupTableOutput {
            var bytes: [UInt8] = []
            mutating func appendTableBytes(_ bytes: UnsafeRawBufferPointer) { self.bytes.append(contentsOf: bytes) }
        }
        var output = Bytes()
        var writer = LookupTableWriter()
        for (index, key) in keys.enumerated() { try key.withUnsafeBytes { try writer.add($0, UInt64(index), to: &output) } }
        try writer.finish(to: &output)
        let bytes = output.bytes
        let path = scratch + "/table"
        writeFile(path, bytes)
        let reader = try #require(SnapshotReader(path: path))
        let table = try #require(LookupTableReader(reader, (0, Int64(bytes.count), 0), order: order))
        return (table, reader)
    }

    /// A table of `count` keys "key-1000", "key-1001", … (values = positions) in `scratch/table`: the keys and the bytes.
    static func numberedTable(_ count: Int, scratch: String) throws -> (keys: [String], bytes: [UInt8]) {
        let keys = (0..<count).map { "key-\(1_000 + $0)" }
        _ = try table(keys.map { Array($0.utf8) }, order: .bytes, scratch: scratch)
        return (keys, try #require(readFile(scratch + "/table")))
    }

    /// Blocks read are kept, checked: a block found again is not read again, and one looked up again outlives the
    /// blocks read once after it (second chance).
    @Test func blocksLookedUpAgainAreKeptAndOutliveTheRest() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch) }
        // 40 blocks of 64 entries of 18 bytes ("key-NNNN"), back to back from byte 0.
        var (keys, bytes) = try Self.numberedTable(64 * 40, scratch: scratch)
        let reader = try #require(SnapshotReader(path: scratch + "/table"))
        let table = try #require(LookupTableReader(reader, (0, Int64(bytes.count), 0), order: .bytes))
        #expect(try table.value(of: keys[0], reader) == 0)
        #expect(try table.value(of: keys[1], reader) == 1, "block 0 found again: marked")
        // Blocks 1 to 32 read once each: the cache is full at block 31, and block 32 evicts block 1, the first unmarked.
        for block in 1...LookupBlockCache.capacity {
            #expect(try table.value(of: keys[64 * block], reader) == UInt64(64 * block))
        }
        // Every block damaged on disk: the kept ones answer as they were read, the others are read and refused.
        for entry in 0..<keys.count { bytes[18 * entry + 6] ^= 0x01 }
        writeFile(scratch + "/table", bytes)
        #expect(try table.value(of: keys[2], reader) == 2, "block 0, looked up again, is kept")
        #expect(try table.value(of: keys[64 * 32 + 1], reader) == UInt64(64 * 32 + 1), "block 32, read last, is kept")
        #expect(throws: SnapshotError.self, "block 1 was evicted") { try table.value(of: keys[65], reader) }
        #expect(throws: SnapshotError.self, "block 33 was never read") { try table.value(of: keys[64 * 33], reader) }
    }

    @Test(arguments: [0, 1, 63, 64, 65, 128, 129, 1_000])
    func everyKeyIsFoundAndNoOther(count: Int) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch) }
        // Keys "k0002", "k0004", …: the odd numbers between them, and keys before the first and after the last, are absent.
        let keys = (1...max(count, 1)).prefix(count).map { Array("k\(String(repeating: "0", count: 4 - String(2 * $0).count))\(2 * $0)".utf8) }
        let (table, reader) = try Self.table(keys, order: .bytes, scratch: scratch)
        for (index, key) in keys.enumerated() {
            #expect(try key.withUnsafeBytes { try table.value(of: $0, reader) } == UInt64(index))
        }
        for number in stride(from: 1, through: 2 * count + 1, by: 2) {
            let absent = "k\(String(repeating: "0", count: max(0, 4 - String(number).count)))\(number)"
            #expect(try table.value(of: absent, reader) == nil, "\(absent)")
        }
        for absent in ["", "a", "k", "z", "k99999"] { #expect(try table.value(of: absent, reader) == nil) }
    }

    @Test func theIdentifierOrderFindsCanonicallyEquivalentSpellings() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch) }
        let ids = ["A-1", "B-\u{00E9}", "C-2", "Z"]   // é precomposed
        let keys = ids.flatMap { id in [IdentifierKind.serial, .visit].map { [$0.rawValue] + Array(id.utf8) } }
            .sorted { LookupTable.Order.kindThenText.compare($0.withUnsafeBytes { $0 }, $1.withUnsafeBytes { $0 }) < 0 }
        let (table, reader) = try Self.table(keys, order: .kindThenText, scratch: scratch)
        let decomposed = "B-e\u{0301}"
        #expect(try table.value(of: decomposed, kind: IdentifierKind.visit.rawValue, reader) != nil)
        #expect(try table.value(of: decomposed, kind: IdentifierKind.serial.rawValue, reader) != nil)
        #expect(try table.value(of: decomposed, kind: IdentifierKind.swap.rawValue, reader) == nil)
        #expect(try table.value(of: "B-e", kind: IdentifierKind.visit.rawValue, reader) == nil)
    }

    /// The identifier order is Swift's string order after the kind byte, for ASCII text (compared byte by byte) and
    /// any other text alike, including text canonically equivalent to ASCII (K, the Kelvin sign, is "K"), with the
    /// text that is not ASCII in the first eight bytes or after them (ASCII is told eight bytes at a time).
    @Test func theIdentifierOrderIsSwiftStringOrder() {
        let texts = ["", "A", "K", "\u{212A}", "Ka", "\u{212A}a", ";", "\u{037E}", "a", "ab", "b", "\u{00E9}", "e\u{0301}", "z", "~", "\u{7F}", "中",
                     "abcdefg\u{00E9}", "abcdefge\u{0301}", "abcdefgh\u{00E9}", "abcdefghe\u{0301}", "abcdefghijklmno", "abcdefghijklmnoK",
                     "abcdefghijklmno\u{212A}", "abcdefghijklmn\u{212A}"]
        for a in texts {
            for b in texts {
                let keyA = [UInt8(2)] + Array(a.utf8), keyB = [UInt8(2)] + Array(b.utf8)
                let order = keyA.withUnsafeBytes { x in keyB.withUnsafeBytes { y in LookupTable.Order.kindThenText.compare(x, y) } }
                let expected = a == b ? 0 : (a < b ? -1 : 1)
                #expect(order.signum() == expected, "\(Array(a.unicodeScalars)) against \(Array(b.unicodeScalars))")
            }
        }
    }

    /// Read front to back (a merge, a whole load), a table whose trailer disagrees with its entries is refused even
    /// when the section's checksum fits the changed bytes: a writer's fault, not damage.
    @Test func aCursorRefusesATrailerThatDisagreesWithTheEntries() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch) }
        let (keys, table) = try Self.numberedTable(130, scratch: scratch)
        let trailer = table.count - LookupTable.trailerSize
        /// The keys a cursor reads from `bytes`, nil when it refuses them.
        func decoded(_ bytes: [UInt8]) throws -> [String]? {
            writeFile(scratch + "/changed", bytes)
            let reader = try #require(SnapshotReader(path: scratch + "/changed"))
            var found: [String] = []
            let stream = SectionStream(reader, (0, Int64(bytes.count), CRC32C.checksum(bytes)), pieceSize: 100)
            return LookupTable.decode(stream) { key, _ in found.append(String(decoding: key, as: UTF8.self)); return true } ? found : nil
        }
        #expect(try decoded(table) == keys)
        /// `table` with the trailer's u32 at each offset set to its value, its own checksum set again when `resealed`.
        func changed(_ fields: [Int: UInt32], resealed: Bool = true) -> [UInt8] {
            var bytes = table
            for (offset, value) in fields {
                withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange((trailer + offset)..<(trailer + offset + 4), with: $0) }
            }
            if resealed {
                let directoryStart = trailer - 24 * 3 - Int(table.littleUInt32(at: trailer + 8))
                withUnsafeBytes(of: CRC32C.checksum(bytes[directoryStart..<(table.count - 4)]).littleEndian) {
                    bytes.replaceSubrange((table.count - 4)..<table.count, with: $0)
                }
            }
            return bytes
        }
        #expect(try decoded(changed([0: 129])) == nil, "one entry fewer, the same block count")
        #expect(try decoded(changed([0: 0])) == nil, "no entry, three blocks")
        #expect(try decoded(changed([0: 0, 4: 0])) == nil, "no entry and no block, the directory left in place")
        #expect(try decoded(changed([12: table.littleUInt32(at: trailer + 12) ^ 1], resealed: false)) == nil, "the trailer's checksum")
    }

    @Test func aDamagedBlockIsAnErrorAndADamagedDirectoryUnreadable() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch) }
        var bytes = try Self.numberedTable(200, scratch: scratch).bytes
        let length = bytes.count
        // 200 entries of 18 bytes in 4 blocks, then 4 directory entries, 4 first keys of 8 bytes and the trailer.
        #expect(length == 200 * 18 + 4 * 24 + 4 * 8 + LookupTable.trailerSize)
        let lastEntry = length - LookupTable.trailerSize - 4 * 8 - 4 * 24 - 18
        bytes[lastEntry + 4] ^= 0x01   // inside the last block
        writeFile(scratch + "/table", bytes)
        let reader = try #require(SnapshotReader(path: scratch + "/table"))
        let table = try #require(LookupTableReader(reader, (0, Int64(length), 0), order: .bytes))
        #expect(throws: SnapshotError.self) { try table.value(of: "key-1199", reader) }
        #expect(try table.value(of: "key-1000", reader) == 0, "another block still reads")
        bytes[lastEntry + 4] ^= 0x01
        bytes[length - LookupTable.trailerSize - 4 * 8 + 2] ^= 0x01   // a first key in the directory's blob
        writeFile(scratch + "/table", bytes)
        #expect(LookupTableReader(try #require(SnapshotReader(path: scratch + "/table")), (0, Int64(length), 0), order: .bytes) == nil)
        bytes[length - LookupTable.trailerSize - 4 * 8 + 2] ^= 0x01
        bytes[length - LookupTable.trailerSize] ^= 0x01   // the entry count in the trailer
        writeFile(scratch + "/table", bytes)
        #expect(LookupTableReader(try #require(SnapshotReader(path: scratch + "/table")), (0, Int64(length), 0), order: .bytes) == nil)
    }
}
