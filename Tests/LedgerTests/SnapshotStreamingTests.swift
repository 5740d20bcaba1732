#if canImport(Glibc)
import Glibc
#endif
import Integrity
@testable import Ledger
import LedgerGenerator
@_spi(Testing) import LedgerLog
import Testing
import WarrantyDomain
import WarrantyProjections

/// The snapshot is written, compared and read in bounded pieces; the bytes on disk are those the whole-buffer code wrote.
@Suite(.serialized) struct SnapshotStreamingTests {
    /// A generated ledger's events, appended in the given batches, then rebuilt (which writes the snapshot).
    struct Case: CustomStringConvertible, Sendable {
        var units: Int
        var seed: UInt64
        /// Where the batches end, before the last one; a rebuild follows every batch.
        var splits: [Int]
        var description: String { "\(units) units, seed \(seed), splits \(splits)" }
    }

    static let cases = [
        Case(units: 0, seed: 1, splits: []),
        Case(units: 3, seed: 2, splits: []),
        Case(units: 40, seed: 3, splits: [100]),
        Case(units: 150, seed: 5, splits: []),
        Case(units: 400, seed: 11, splits: [2_500]),
        Case(units: 900, seed: 17, splits: []),
    ]

    /// SHA-256 of `state.snapshot` (all but the header's head hash, last-record position and checksum) for each case,
    /// in order. The streamed writer first reproduced the digests of the whole-buffer writer of commit 92b5f8d (file
    /// version 2, 8 sections; see commit 4042632); file version 3 added the dealer index section, file version 4 stores
    /// keys and versions as sorted lookup tables and adds the identifier index, file version 5 spells each dealer of the
    /// dealer index as enrolled, and these are of file version 6, whose lookup tables put their directory after their
    /// blocks, to be written in one pass (every other section's bytes as in version 5).
    static let recordedDigests: [String] = [
        "201e2e5f4668eb7d8b36a591fed8d1557e0ee963696cf10e8a66230700fe6a11",
        "86155c46c2954e2712e01298fc7df23606d9203d17821ca497b85efa42edd124",
        "314005a50a60e93e3af97d8cf8fa6d1c50c9eedfb66ac6d94e3a2bd3fda4a612",
        "b251f6f259b084be4c17643ae40f4b871845987fe6e588d6e2d013ec6835c888",
        "7a332828a1b796cf2b9acf951598c411b667b6d7d5b1affb089558e31ef4503b",
        "027a5f60cc80d857e24dd54238163d9890b76e6b7da4bf3c81ea00587f7a865b",
    ]

    /// Builds the case's ledger in a new folder under `scratch` and returns it.
    static func ledger(_ test: Case, scratch: String) throws -> Ledger {
        let lines = generatedLines(units: test.units, seed: test.seed)
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        var start = 0
        for end in test.splits + [lines.count] {
            if end > start { try append(lines[start..<end], to: ledger, scratch: scratch) }
            _ = try ledger.rebuild()
            start = end
        }
        return ledger
    }

    @Test func theFileIsByteForByteTheRecordedOne() throws {
        var digests: [String] = []
        for test in Self.cases {
            let scratch = temporaryFolder()
            defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
            let ledger = try Self.ledger(test, scratch: scratch)
            let bytes = try #require(readFile(ledger.folder + "/" + SnapshotFile.fileName))
            // The head hash and the position of the last record depend on when the events were appended: left out, with the header checksum.
            digests.append(SHA256.hash(bytes[0..<24] + bytes[76..<(SnapshotFile.headerSize - 4)] + bytes[SnapshotFile.headerSize...]).hex)
        }
        #expect(digests == Self.recordedDigests)
    }

    /// The cases with more than a page of unit records.
    static let larger = [cases[2], cases[4], cases[5]]

    /// The fold stored in the folder's snapshot, with its keys, and the snapshot's file and reader.
    static func stored(_ folder: String) throws -> (LedgerFold, SnapshotFile, SnapshotReader) {
        let (file, reader) = try #require(SnapshotFile.open(folder: folder))
        let fold = try #require(file.loadFold(reader))
        return (fold, file, reader)
    }

    @Test(arguments: larger)
    func anyBufferSizeWritesTheSameBytes(test: Case) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch + "/copy"); removeFolder(scratch) }
        let ledger = try Self.ledger(test, scratch: scratch)
        let expected = try #require(readFile(ledger.folder + "/" + SnapshotFile.fileName))
        let (fold, file, _) = try Self.stored(ledger.folder)
        #expect(mkdir(scratch + "/copy", 0o700) == 0)
        for bufferSize in [1, 7, 4_096, 1 << 20] {
            try SnapshotFile.write(fold, head: file.head, lastRecord: file.lastRecord, folder: scratch + "/copy", bufferSize: bufferSize)
            #expect(readFile(scratch + "/copy/" + SnapshotFile.fileName) == expected, "\(test), buffer of \(bufferSize) bytes")
        }
        #expect((try? DurableFiles.names(in: scratch + "/copy")) == [SnapshotFile.fileName], "no temporary file is left behind")
    }

    @Test(arguments: larger)
    func anyPieceSizeLoadsAndComparesTheSameFold(test: Case) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Self.ledger(test, scratch: scratch)
        let (whole, file, reader) = try Self.stored(ledger.folder)
        let expected = whole.state.snapshot()
        for pieceSize in [1, 13, 700, 65_536] {
            let fold = try #require(file.loadFold(reader, pieceSize: pieceSize), "\(test), pieces of \(pieceSize) bytes")
            #expect(fold.state.snapshot() == expected, "\(test), pieces of \(pieceSize) bytes")
            #expect(fold.ids.count == whole.ids.count && fold.versions.count == whole.versions.count)
            #expect(try file.holds(fold, reader, pieceSize: pieceSize) == true, "\(test), pieces of \(pieceSize) bytes")
            let query = try #require(file.loadFold(reader, keys: false, pieceSize: pieceSize))
            #expect(query.state.snapshot() == expected)
        }
        // Another ledger's fold is different, not damaged.
        let scratchOther = temporaryFolder()
        defer { removeFolder(scratchOther + "/ledger"); removeFolder(scratchOther) }
        let other = try Self.ledger(Self.cases[3], scratch: scratchOther)
        let (otherFold, _, _) = try Self.stored(other.folder)
        #expect(try file.holds(otherFold, reader, pieceSize: 700) == false)
    }

    /// A damaged section fails the load even when its bytes still decode: the checksum, checked after the last piece, decides.
    @Test func aFlippedByteInTheUnitsFailsTheStreamedLoadEvenWhenItDecodes() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Self.ledger(Self.cases[4], scratch: scratch)
        let path = ledger.folder + "/" + SnapshotFile.fileName
        let original = try #require(readFile(path))
        let (fold, file, _) = try Self.stored(ledger.folder)
        let units = file.sections[SnapshotFile.Section.units.rawValue]
        var decodedAnyway = 0
        var positions = 0
        for position in stride(from: Int(units.offset) + 5, to: Int(units.offset + units.length), by: 1_009) {
            var bytes = original
            bytes[position] ^= 0x01
            writeFile(path, bytes)
            let (damagedFile, reader) = try #require(SnapshotFile.open(folder: ledger.folder))
            #expect(damagedFile.loadFold(reader, pieceSize: 4_096) == nil, "byte \(position)")
            #expect(damagedFile.loadFold(reader, keys: false, pieceSize: 4_096) == nil, "byte \(position)")
            #expect(try damagedFile.holds(fold, reader, pieceSize: 4_096) == nil, "byte \(position)")
            #expect(damagedFile.checksumHolds(.units, reader) == false)
            // The same bytes taken whole, without the section checksum: some still make a state.
            let unitBytes = Array(bytes[Int(units.offset)..<Int(units.offset + units.length)])
            let indexBytes = try #require(damagedFile.section(.unitIndex, reader))
            let index = try #require(SnapshotFile.decodeIndex(indexBytes, unitsLength: unitBytes.count))
            let policies = try #require(damagedFile.section(.policies, reader))
            let dealers = try #require(damagedFile.section(.dealers, reader))
            let notices = try #require(damagedFile.section(.notices, reader))
            let other = try #require(damagedFile.section(.other, reader))
            let snapshot = StateSnapshot(lastSeq: damagedFile.lastSeq, policies: policies, dealers: dealers, notices: notices,
                                         other: other, units: unitBytes, unitIndex: index)
            if (try? LedgerState(snapshot: snapshot)) != nil { decodedAnyway += 1 }
            positions += 1
        }
        #expect(positions > 50)
        #expect(decodedAnyway > 0, "no flipped byte decoded: the test shows nothing about the checksum")
        writeFile(path, original)
        #expect(try ledger.verify().snapshotSeq != nil)
    }

    @Test func aFlippedByteInTheKeysFailsOnlyTheLoadThatReadsThem() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Self.ledger(Self.cases[3], scratch: scratch)
        let path = ledger.folder + "/" + SnapshotFile.fileName
        var bytes = try #require(readFile(path))
        let (fold, file, _) = try Self.stored(ledger.folder)
        for section in [SnapshotFile.Section.ids, .versions] {
            let entry = file.sections[section.rawValue]
            for position in [entry.offset, entry.offset + entry.length / 2, entry.offset + entry.length - 1] {
                bytes[Int(position)] ^= 0x20
                writeFile(path, bytes)
                let (damaged, reader) = try #require(SnapshotFile.open(folder: ledger.folder))
                #expect(damaged.loadFold(reader, pieceSize: 100) == nil, "\(section) byte \(position)")
                #expect(damaged.loadFold(reader, keys: false, pieceSize: 100)?.state.snapshot() == fold.state.snapshot())
                #expect(try damaged.holds(fold, reader, pieceSize: 100) == nil)
                #expect(throws: LedgerError.self) { try ledger.verify() }
                bytes[Int(position)] ^= 0x20
            }
        }
        writeFile(path, bytes)
        #expect(try ledger.verify().snapshotSeq != nil)
    }

    /// Every file call of a streamed write, failed in turn, leaves the old snapshot or the new one, whole.
    @Test(arguments: Fault.allCases)
    func aFailedCallLeavesTheOldSnapshotOrTheNew(fault: Fault) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Self.ledger(Self.cases[3], scratch: scratch)
        let path = ledger.folder + "/" + SnapshotFile.fileName
        let old = try #require(readFile(path))
        let (fold, file, _) = try Self.stored(ledger.folder)
        // The same sections under another header, written through a small buffer so that there are many writes.
        func write() throws {
            try SnapshotFile.write(fold, head: .zero, lastRecord: file.lastRecord, folder: ledger.folder, bufferSize: 4_096)
        }
        let counter = FaultInjector()
        try FileSystem.$current.withValue(counter.fileSystem) { try write() }
        let new = try #require(readFile(path))
        #expect(new != old && new.count == old.count)
        #expect(counter.calls.filter { $0 == .write }.count >= 5)
        let eligible = counter.calls.filter(fault.strikes).count
        try #require(eligible > 0)
        for k in 1...eligible {
            writeFile(path, old)
            let injector = FaultInjector(fault, at: k)
            let context = Comment(rawValue: "\(fault) at call \(k) of \(eligible)")
            do {
                try FileSystem.$current.withValue(injector.fileSystem) { try write() }
                #expect(readFile(path) == new, context)
            } catch {
                // Before the rename the old file stands; a failure syncing the folder after it leaves the new one.
                let found = readFile(path)
                #expect(found == old || (found == new && injector.calls.contains(.rename)), context)
            }
            try write()
            #expect(readFile(path) == new, context)
        }
    }
}
