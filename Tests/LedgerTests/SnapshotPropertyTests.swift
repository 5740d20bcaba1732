#if canImport(Glibc)
import Glibc
#endif
import Ledger
import LedgerGenerator
import Testing
import WarrantyDomain
import WarrantyProjections

/// Snapshots are caches: whatever they hold, every answer equals the answer folded from the log alone.
@Suite(.serialized) struct SnapshotPropertyTests {
    static let lines = generatedLines(units: 400, seed: 11)

    /// A ledger appended in batches, with a rebuild (and so a snapshot) after every batch but the last.
    func ledger(splits: [Int], scratch: String) throws -> Ledger {
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        var start = 0
        for (index, end) in (splits + [Self.lines.count]).enumerated() {
            try append(Self.lines[start..<end], to: ledger, scratch: scratch)
            if index < splits.count { _ = try ledger.rebuild() }
            start = end
        }
        return ledger
    }

    @Test(arguments: [[1], [1_000], [2_500, 4_000], [Self.lines.count - 1]])
    func snapshotPlusTailEqualsTheFoldFromTheFirstEvent(splits: [Int]) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try ledger(splits: splits, scratch: scratch)
        let fromSnapshot = try ledger.fold()
        #expect(fromSnapshot.snapshotSeq == Int64(splits.last!))
        let fromScratch = try ledger.fold(knownAt: Int64(splits.last!) - 1)   // before the snapshot: folds from seq 1
        #expect(fromScratch.snapshotSeq == 0)
        // The same events folded without any snapshot.
        let plain = try Ledger.create(folder: scratch + "/plain", timeZone: TimeZoneOffset("+08:00")!)
        defer { removeFolder(scratch + "/plain") }
        try append(Self.lines, to: plain, scratch: scratch)
        let scratchFold = try plain.fold()
        #expect(scratchFold.snapshotSeq == 0)
        #expect(fromSnapshot.state.snapshot() == scratchFold.state.snapshot())
        for day in sampleDays {
            #expect(Answers(fromSnapshot.state, on: day) == Answers(scratchFold.state, on: day), "on \(day)")
        }
    }

    @Test func oneUnitFromTheSnapshotAnswersLikeTheWholeState() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try ledger(splits: [3_000], scratch: scratch)   // a tail of about 1,400 events after the snapshot
        let whole = try ledger.state()
        let serials = whole.unitStatuses(on: Day("2031-01-01")!).map(\.serial)
        #expect(serials.count >= 400)
        for serial in serials.prefix(120) + serials.suffix(60) {
            let partial = try ledger.state(forUnit: serial)
            for day in sampleDays {
                #expect(partial.unitStatus(serial: serial, on: day) == whole.unitStatus(serial: serial, on: day), "\(serial) on \(day)")
            }
        }
    }

    @Test func aDamagedSnapshotIsIgnoredAndReplacedByRebuild() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try ledger(splits: [2_000], scratch: scratch)
        let expected = try ledger.fold().state.snapshot()
        let path = ledger.folder + "/state.snapshot"
        var bytes = try #require(readFile(path))
        bytes[bytes.count / 2] ^= 0x40
        writeFile(path, bytes)
        #expect(throws: LedgerError.self) { try ledger.verify() }
        let fold = try ledger.fold()
        #expect(fold.snapshotSeq == 0)
        #expect(fold.state.snapshot() == expected)
        #expect(try ledger.rebuild().stored == .damaged)
        #expect(try ledger.verify().snapshotSeq == Int64(Self.lines.count))
        #expect(try ledger.rebuild().stored == .equal(seq: Int64(Self.lines.count)))
    }

    /// `--known-at N` answers exactly what a ledger holding only the first N events answers.
    @Test(arguments: [1, 150, 1_234, 3_333, 5_000])
    func knownAtEqualsTheLedgerOfTheFirstEvents(count: Int) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch + "/prefix"); removeFolder(scratch) }
        let ledger = try ledger(splits: [2_000], scratch: scratch)
        let prefix = try Ledger.create(folder: scratch + "/prefix", timeZone: TimeZoneOffset("+08:00")!)
        try append(Self.lines.prefix(count), to: prefix, scratch: scratch)
        let known = try ledger.state(knownAt: Int64(count))
        let alone = try prefix.state()
        for day in sampleDays {
            #expect(Answers(known, on: day) == Answers(alone, on: day), "first \(count) events on \(day)")
        }
    }

    @Test func everyDealerClaimEqualsTheSumOfItsParts() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let state = try ledger(splits: [], scratch: scratch).state()
        for day in sampleDays {
            for row in state.dealerBalances(on: day) {
                #expect(row.claimed == row.pending + row.approved + row.rejected + row.writtenOff + row.deducted, "\(row.dealer) on \(day)")
            }
        }
    }
}

func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return bytes
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let file = fopen(path, "wb")!
    _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}
