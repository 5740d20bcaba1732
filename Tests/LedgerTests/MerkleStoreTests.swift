#if canImport(Glibc)
import Glibc
#endif
import Integrity
@testable import Ledger
@_spi(Testing) import LedgerLog
import Testing
import WarrantyDomain

/// `merkle.tree`: kept current by `append`, equal to the tree computed in memory, never trusted when it does not match.
@Suite struct MerkleStoreTests {
    /// Appends the first 300 generated events in batches whose ends fall on and around multiples of 64.
    static let batches = [1, 2, 61, 64, 1, 100, 71]

    static func makeLedger(_ scratch: String, seed: UInt64 = 3) throws -> (Ledger, [SHA256Digest]) {
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        let lines = Array(generatedLines(units: 40, seed: seed).prefix(300))
        #expect(lines.count == 300)
        var start = 0
        for count in batches {
            try append(lines[start..<start + count], to: ledger, scratch: scratch)
            start += count
            #expect(try ledger.merkleDigest().size == Int64(start))
        }
        return (ledger, try leafHashes(ledger.folder))
    }

    static func leafHashes(_ folder: String) throws -> [SHA256Digest] {
        var leaves: [SHA256Digest] = []
        try LogReader(folder: folder).scan { record in
            leaves.append(Merkle.leafHash(record.bytes))
            return true
        }
        return leaves
    }

    static func recordHashes(_ folder: String) throws -> [SHA256Digest] {
        var hashes: [SHA256Digest] = []
        try LogReader(folder: folder).scan { record in
            hashes.append(record.hash)
            return true
        }
        return hashes
    }

    static func bytes(_ path: String) -> [UInt8] { DurableFiles.contents(of: path, limit: 1 << 26) ?? [] }

    static func write(_ path: String, _ bytes: [UInt8]) {
        unlink(path)
        try! DurableFiles.create(path: path, bytes: bytes)
    }

    /// `event(at:)` reads an event from where the store places its group of 64 records; past the store's complete
    /// groups, or without a store, from the log: the same events either way.
    @Test func eventsAreReadFromWhereTheStorePlacesThem() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let (ledger, _) = try Self.makeLedger(scratch)
        var logged: [Event] = []
        try ledger.forEachEvent { logged.append($0.stored.event); return true }
        #expect(logged.count == 300)
        let reader = try LogReader(folder: ledger.folder)
        for seq in 1...300 {
            #expect(try ledger.event(at: Int64(seq)) == logged[seq - 1], "seq \(seq)")
            let stored = try MerkleTreeView.storedRecord(seq: Int64(seq), folder: ledger.folder, reader: reader)
            #expect((stored != nil) == (seq <= 256), "seq \(seq): in one of the store's four complete groups or not")
        }
        #expect(try ledger.event(at: 301) == nil)
        // The entry of the second group pointed at the third group's first record: a record, with a valid checksum,
        // but not the seq asked for. The store's lookup fails and the events come from the log.
        let path = ledger.folder + "/" + MerkleStore.fileName
        var bytes = Self.bytes(path)
        func entryRange(_ group: Int64) -> Range<Int> {
            let start = MerkleStore.headerSize + Int(MerkleStore.slot(level: MerkleStore.baseLevel, index: group)) * MerkleStore.entrySize
            return start..<start + MerkleStore.entrySize
        }
        let second = try #require(MerkleStoreEntry(decoding: bytes[entryRange(1)], level: MerkleStore.baseLevel, index: 1))
        let third = try #require(MerkleStoreEntry(decoding: bytes[entryRange(2)], level: MerkleStore.baseLevel, index: 2))
        var forged: [UInt8] = []
        MerkleStoreEntry(level: MerkleStore.baseLevel, index: 1, hash: second.hash, start: third.start).encode(into: &forged)
        bytes.replaceSubrange(entryRange(1), with: forged)
        Self.write(path, bytes)
        #expect(throws: (any Error).self) { try MerkleTreeView.storedRecord(seq: 70, folder: ledger.folder, reader: reader) }
        for seq in 65...128 { #expect(try ledger.event(at: Int64(seq)) == logged[seq - 1], "seq \(seq), the store misplacing it") }
        #expect(try MerkleTreeView.storedRecord(seq: 130, folder: ledger.folder, reader: reader) != nil, "other groups still read")
        unlink(ledger.folder + "/" + MerkleStore.fileName)
        for seq in [1, 64, 65, 200, 300] {
            #expect(try MerkleTreeView.storedRecord(seq: Int64(seq), folder: ledger.folder, reader: reader) == nil)
            #expect(try ledger.event(at: Int64(seq)) == logged[seq - 1], "seq \(seq), no store")
        }
    }

    @Test func everySizeFrom0To300MatchesTheTreeInMemory() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let (ledger, leaves) = try Self.makeLedger(scratch)
        let heads = try Self.recordHashes(ledger.folder)
        for size in 0...300 {
            let digest = try ledger.merkleDigest(size: Int64(size))
            #expect(digest.root == Merkle.root(ofLeafHashes: leaves[0..<size]), "size \(size)")
            #expect(digest.head == (size == 0 ? .zero : heads[size - 1]), "size \(size)")
            #expect((digest.recorded == "none") == (size == 0))
        }
        let root = Merkle.root(ofLeafHashes: leaves)
        for seq in 1...300 {
            guard case let .inclusion(_, size, record, proofRoot, path) = try ledger.inclusionProof(seq: Int64(seq)) else {
                Issue.record("not an inclusion proof")
                continue
            }
            #expect(size == 300 && proofRoot == root)
            #expect(Merkle.leafHash(record) == leaves[seq - 1], "seq \(seq)")
            #expect(path == (try Merkle.inclusionProof(index: seq - 1, size: 300, leafHashes: leaves)), "seq \(seq)")
        }
        for from in [1, 2, 63, 64, 65, 127, 128, 129, 200, 299, 300] {
            for size in [from, 64, 129, 256, 300] where size >= from {
                guard case let .consistency(_, _, fromRoot, newRoot, path) = try ledger.consistencyProof(from: Int64(from), size: Int64(size)) else {
                    Issue.record("not a consistency proof")
                    continue
                }
                #expect(fromRoot == Merkle.root(ofLeafHashes: leaves[0..<from]))
                #expect(newRoot == Merkle.root(ofLeafHashes: leaves[0..<size]))
                #expect(path == (try Merkle.consistencyProof(from: from, to: size, leafHashes: leaves)), "\(from) → \(size)")
            }
        }
    }

    @Test func appendKeepsTheStoreEqualToOneBuiltFromTheLog() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let (ledger, _) = try Self.makeLedger(scratch)
        let path = ledger.folder + "/merkle.tree"
        let extended = Self.bytes(path)
        // 128-byte header and 64-byte entries of every complete subtree of 64 leaves and more: 4 + 2 + 1.
        #expect(extended.count == 128 + 64 * 7)
        unlink(path)
        _ = try ledger.merkleDigest()
        #expect(Self.bytes(path) == extended, "rebuilt from the log byte for byte")
    }

    @Test func damagedStaleOrForeignStoresAreNeverTrusted() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let (ledger, leaves) = try Self.makeLedger(scratch)
        let path = ledger.folder + "/merkle.tree"
        let good = Self.bytes(path)
        let sizes = [64, 100, 128, 170, 192, 256, 300]
        func expectCorrect(_ what: String) throws {
            for size in sizes {
                #expect(try ledger.merkleDigest(size: Int64(size)).root == Merkle.root(ofLeafHashes: leaves[0..<size]), "\(what), size \(size)")
            }
            guard case let .inclusion(_, _, record, _, _) = try ledger.inclusionProof(seq: 299, size: 300) else { return }
            #expect(Merkle.leafHash(record) == leaves[298], "\(what)")
        }
        for offset in stride(from: 0, to: good.count, by: 3) {
            var damaged = good
            damaged[offset] ^= 0x5A
            Self.write(path, damaged)
            try expectCorrect("byte \(offset) changed")
        }
        Self.write(path, Array(good.prefix(good.count - 64)))
        try expectCorrect("truncated")
        Self.write(path, Array(repeating: 0x41, count: 700))
        try expectCorrect("garbage")
        // A store of another ledger of the same size: its head does not match this log.
        let other = temporaryFolder()
        defer { removeFolder(other + "/ledger"); removeFolder(other) }
        let (foreign, foreignLeaves) = try Self.makeLedger(other, seed: 4)
        #expect(Merkle.root(ofLeafHashes: foreignLeaves) != Merkle.root(ofLeafHashes: leaves))
        Self.write(path, Self.bytes(foreign.folder + "/merkle.tree"))
        try expectCorrect("foreign store")
        #expect(Self.bytes(path) == good, "replaced by the store of this log")
    }

    @Test func aLaggingStoreIsExtendedFromTheLogTail() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        let lines = Array(generatedLines(units: 40, seed: 3).prefix(300))
        try append(lines[0..<130], to: ledger, scratch: scratch)
        let path = ledger.folder + "/merkle.tree"
        let early = Self.bytes(path)
        try append(lines[130..<300], to: ledger, scratch: scratch)
        let current = Self.bytes(path)
        Self.write(path, early)
        let leaves = try Self.leafHashes(ledger.folder)
        #expect(try ledger.merkleDigest().root == Merkle.root(ofLeafHashes: leaves))
        #expect(Self.bytes(path) == current, "extended in place to the same bytes")
    }

    /// Records spread over many segments and blocks: the store's positions cross segment files.
    @Test func recordsAcrossSegmentsAndBlocksAreFound() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        // Merkle proofs read records only, so any payload will do; a new segment starts once one holds 512 bytes.
        var size = 0
        for batch in [1, 5, 63, 1, 30, 70, 2, 128, 40] {
            let writer = try LogWriter(folder: ledger.folder, segmentTargetSize: 512)
            try writer.begin(recordedMicroseconds: 1_000_000 * Int64(batch))
            for index in 0..<batch { _ = try writer.add(Array(repeating: UInt8(truncatingIfNeeded: size + index), count: 20 + (size + index) % 90)) }
            _ = try writer.commit()
            size += batch
            if batch % 2 == 0 { _ = try ledger.merkleDigest() }
        }
        #expect(try DurableFiles.names(in: ledger.folder).filter { $0.hasSuffix(".seg") }.count > 5)
        let leaves = try Self.leafHashes(ledger.folder)
        #expect(leaves.count == size)
        for count in 0...size {
            #expect(try ledger.merkleDigest(size: Int64(count)).root == Merkle.root(ofLeafHashes: leaves[0..<count]), "size \(count)")
        }
        for seq in 1...size {
            guard case let .inclusion(_, _, record, _, path) = try ledger.inclusionProof(seq: Int64(seq)) else { continue }
            #expect(Merkle.leafHash(record) == leaves[seq - 1], "seq \(seq)")
            #expect(path == (try Merkle.inclusionProof(index: seq - 1, size: size, leafHashes: leaves)), "seq \(seq)")
        }
        unlink(ledger.folder + "/merkle.tree")
        #expect(try ledger.merkleDigest().root == Merkle.root(ofLeafHashes: leaves), "rebuilt over every segment")
    }

    /// A store whose entry was replaced along with its checksum passes the reader's checks; the full check finds it.
    @Test func theFullCheckFindsAForgedEntry() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let (ledger, _) = try Self.makeLedger(scratch)
        #expect(try ledger.checkMerkleStore() == .matches(size: 300))
        #expect(try ledger.verify().merkleSize == 300)
        let path = ledger.folder + "/merkle.tree"
        var bytes = Self.bytes(path)
        let entry = 128 + 64 * 3
        bytes[entry] ^= 1
        let checksum = CRC32C.checksum(bytes[entry..<entry + 60])
        withUnsafeBytes(of: checksum.littleEndian) { bytes.replaceSubrange(entry + 60..<entry + 64, with: $0) }
        Self.write(path, bytes)
        #expect(try ledger.checkMerkleStore() == .differs(size: 300, entry: 3))
        #expect { try ledger.verify() } throws: { error in
            (error as? LedgerError)?.code == .verificationFailed && "\(error)".contains("merkle.tree: entry 3 differs")
        }
        unlink(path)
        #expect(try ledger.checkMerkleStore() == .unusable)
        #expect(try ledger.verify().merkleSize == nil)
    }

    @Test func theStoreFilesAreTheOwnersOnly() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let previous = umask(0)
        defer { umask(previous) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(Array(generatedLines(units: 5, seed: 1).prefix(70)), to: ledger, scratch: scratch)
        func mode(_ name: String) -> mode_t {
            var info = stat()
            #expect(stat(ledger.folder + "/" + name, &info) == 0, "\(name)")
            return info.st_mode & 0o777
        }
        #expect(mode("merkle.tree") == 0o600 && mode("merkle.lock") == 0o600)
        unlink(ledger.folder + "/merkle.tree")
        _ = try ledger.merkleDigest()
        #expect(mode("merkle.tree") == 0o600, "rebuilt")
    }

    /// Puts `value` little-endian at byte `offset` of a store and recomputes the checksum of the header
    /// or entry it lies in, as anyone can.
    static func forge(_ bytes: inout [UInt8], at offset: Int, _ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + 8, with: $0) }
        let start = offset < 128 ? 0 : 128 + (offset - 128) / 64 * 64
        let end = offset < 128 ? 124 : start + 60
        withUnsafeBytes(of: CRC32C.checksum(bytes[start..<end]).littleEndian) { bytes.replaceSubrange(end..<end + 4, with: $0) }
    }

    static func field(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<offset + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A store whose size or positions, checksums recomputed, would overflow when used: ignored or rebuilt by
    /// `verify`, `digest`, `prove` and the update after `append`, never a trap.
    @Test func storesWithNumbersThatWouldOverflowAreNeverUsed() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let (ledger, _) = try Self.makeLedger(scratch)
        let more = Array(generatedLines(units: 40, seed: 3).dropFirst(300))
        let path = ledger.folder + "/merkle.tree"
        let huge = UInt64(Int64.max - 8)
        // size 2^62 (with its entry count), the tail's and the last record's offsets, level-6 entry 0's offset.
        let cases: [(String, [(Int, UInt64)], Bool)] = [
            ("size 2^62", [(16, 1 << 62), (96, (1 << 57) - 1)], false),
            ("tail offset", [(88, huge)], false), ("last offset", [(64, huge)], false), ("entry offset", [(128 + 48, huge)], true),
        ]
        let entries: UInt64 = (6..<63).reduce(0) { sum, level in sum + (UInt64(1) << 62) >> UInt64(level) }
        #expect(entries == (1 << 57) - 1, "the entry count of size 2^62")
        for (index, (name, fields, isEntry)) in cases.enumerated() {
            let size = Int64(300 + index)
            var forged = Self.bytes(path)
            for (offset, value) in fields { Self.forge(&forged, at: offset, value) }
            Self.write(path, forged)
            if isEntry {
                #expect(try ledger.checkMerkleStore() == .differs(size: size, entry: 0), "\(name)")
                #expect(throws: LedgerError.self, "\(name)") { try ledger.verify() }
            } else {
                #expect(try ledger.checkMerkleStore() == .unusable, "\(name)")
                #expect(try ledger.verify().merkleSize == nil, "\(name)")
            }
            let leaves = try Self.leafHashes(ledger.folder)
            #expect(try ledger.merkleDigest().root == Merkle.root(ofLeafHashes: leaves), "\(name)")
            Self.write(path, forged)
            // Seq 2 lies in the first group of 64, found through entry 0.
            guard case let .inclusion(_, _, record, root, _) = try ledger.inclusionProof(seq: 2) else { return }
            #expect(Merkle.leafHash(record) == leaves[1] && root == Merkle.root(ofLeafHashes: leaves), "\(name)")
            #expect(try ledger.checkMerkleStore() == .matches(size: size), "\(name): rebuilt")
            Self.write(path, forged)
            try append(more[index..<index + 1], to: ledger, scratch: scratch)
            #expect(try ledger.merkleDigest().root == Merkle.root(ofLeafHashes: try Self.leafHashes(ledger.folder)), "\(name)")
            // A header that would overflow is replaced by the update after the append; an entry only once it is read.
            #expect(try ledger.checkMerkleStore() == (isEntry ? .differs(size: size + 1, entry: 0) : .matches(size: size + 1)), "\(name)")
            _ = try ledger.inclusionProof(seq: 2)
        }
    }

    /// A tail position that is wrong but well-formed (checksum recomputed): the records are not where it says,
    /// so the store is rebuilt and the answers stay right; `verify` reports the store's header as differing.
    @Test func aWrongTailPositionIsRepaired() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let (ledger, leaves) = try Self.makeLedger(scratch)
        let path = ledger.folder + "/merkle.tree"
        let good = Self.bytes(path)
        for (offset, value) in [(88, Self.field(good, at: 88) + 1), (88, 33), (80, 7)] {
            var forged = good
            Self.forge(&forged, at: offset, value)
            Self.write(path, forged)
            #expect(try ledger.checkMerkleStore() == .differs(size: 300, entry: -1), "byte \(offset) = \(value)")
            #expect { try ledger.verify() } throws: { error in
                (error as? LedgerError)?.code == .verificationFailed && "\(error)".contains("merkle.tree: its header differs")
            }
            #expect(try ledger.merkleDigest(size: 290).root == Merkle.root(ofLeafHashes: leaves[0..<290]))
            Self.write(path, forged)
            guard case let .inclusion(_, _, record, root, _) = try ledger.inclusionProof(seq: 290) else { return }
            #expect(Merkle.leafHash(record) == leaves[289] && root == Merkle.root(ofLeafHashes: leaves))
            #expect(Self.bytes(path) == good, "rebuilt")
        }
    }

    /// A `MerkleError` can only come from an inconsistent store: rebuilt once, then a verification failure (exit 1).
    @Test func aMerkleErrorRebuildsOnceThenFailsVerification() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(Array(generatedLines(units: 5, seed: 1).prefix(70)), to: ledger, scratch: scratch)
        var calls = 0
        #expect(throws: LedgerError(.verificationFailed, "Merkle tree: subtreeUnavailable(level: 0, index: 0)")) {
            try ledger.withMerkleTree { _ in
                calls += 1
                throw MerkleError.subtreeUnavailable(level: 0, index: 0)
            }
        }
        #expect(calls == 2)
    }

    /// An entry forged with its checksum recomputed: a proof or digest built from it would not check, so the
    /// store is rebuilt before anything is printed.
    @Test func proofsAndDigestsAreCheckedBeforeTheyAreGiven() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let (ledger, leaves) = try Self.makeLedger(scratch)
        let path = ledger.folder + "/merkle.tree"
        let good = Self.bytes(path)
        // Entry 3 is subtree (6, 2), leaves 128..<192; entry 6 is subtree (8, 0), leaves 0..<256.
        for entry in [3, 6] {
            var forged = good
            Self.forge(&forged, at: 128 + 64 * entry, Self.field(good, at: 128 + 64 * entry) ^ 1)
            Self.write(path, forged)
            if entry == 3 {
                guard case let .inclusion(_, _, record, root, proofPath) = try ledger.inclusionProof(seq: 150, size: 200) else { return }
                #expect(Merkle.leafHash(record) == leaves[149] && root == Merkle.root(ofLeafHashes: leaves[0..<200]))
                #expect(proofPath == (try Merkle.inclusionProof(index: 149, size: 200, leafHashes: leaves)))
            } else {
                #expect(try ledger.merkleDigest(size: 256).root == Merkle.root(ofLeafHashes: leaves[0..<256]))
            }
            #expect(Self.bytes(path) == good, "entry \(entry): rebuilt")
        }
    }

    /// A store that cannot be opened for a reason other than its absence is an I/O error, not a rebuild;
    /// a rebuilt store that cannot be committed leaves no new file (`merkle.tree.new-PID`) behind.
    @Test func storeFileErrorsAreReportedAndLeaveNothingBehind() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(Array(generatedLines(units: 5, seed: 1).prefix(70)), to: ledger, scratch: scratch)
        let path = ledger.folder + "/merkle.tree"
        unlink(path)
        #expect(symlink(path, path) == 0)
        #expect { try ledger.merkleDigest() } throws: { error in
            (error as? LedgerError)?.code == .io && "\(error)".contains("cannot open \(path)")
        }
        unlink(path)
        var failing = FileSystem.posix
        failing.rename = { _, _ in
            errno = EIO
            return -1
        }
        let leaves = try Self.leafHashes(ledger.folder)
        let digest = try FileSystem.$current.withValue(failing) { try ledger.merkleDigest() }
        #expect(digest.root == Merkle.root(ofLeafHashes: leaves))
        #expect(!FileStatus.exists(path))
        #expect(try DurableFiles.names(in: ledger.folder).allSatisfy { !$0.hasPrefix("merkle.tree.new") })
    }
}
