#if canImport(Glibc)
import Glibc
#endif
@testable import Ledger
import LedgerLog
import Testing
import WarrantyDomain

/// `rebuild` compares the stored snapshot byte for byte with the state rebuilt from the log at the snapshot's seq.
@Suite struct RebuildComparisonTests {
    @Test func aSnapshotThatDiffersFromTheLogIsReportedAndReplaced() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(OneUnitPathTests.base, to: ledger, scratch: scratch)
        #expect(try ledger.rebuild().stored == .none)
        #expect(try ledger.rebuild().stored == .equal(seq: 5))

        // A snapshot with valid checksums and the right head, but a state the log does not give.
        var forged = try ledger.fold()
        forged.ids["forged-key"] = 3
        let summary = try LogReader(folder: ledger.folder).scan(from: .max)
        try SnapshotFile.write(forged, head: summary.head, lastRecord: summary.lastRecord, folder: ledger.folder)
        #expect(try ledger.verify().snapshotSeq == 5, "its checksums and head hash are right")
        #expect(try ledger.rebuild().stored == .different(seq: 5))
        #expect(try ledger.rebuild().stored == .equal(seq: 5), "rebuild replaced it")
    }

    /// A snapshot of an earlier file version (whose header may be shorter) is a cache to replace, not damage.
    @Test func aSnapshotOfAnEarlierFileVersionIsReplacedWithoutAFinding() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(OneUnitPathTests.base, to: ledger, scratch: scratch)
        _ = try ledger.rebuild()
        let path = ledger.folder + "/" + SnapshotFile.fileName
        var bytes = try #require(readFile(path))
        bytes[8] = UInt8(SnapshotFile.fileVersion - 1)
        // Version 3's header was 300 bytes: the checksum where this version looks for it is not one.
        writeFile(path, Array(bytes[0..<300]))
        guard case .otherVersion = SnapshotFile.find(folder: ledger.folder) else {
            Issue.record("an earlier version reads as \(SnapshotFile.find(folder: ledger.folder))")
            return
        }
        #expect(try ledger.rebuild().stored == .none)
        #expect(try ledger.rebuild().stored == .equal(seq: 5))
    }

    /// A snapshot that already is the rebuilt state at the log's end is kept, not written again; any difference,
    /// or events after it, make rebuild write a new one.
    @Test func anEqualSnapshotAtTheLogsEndIsKept() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(OneUnitPathTests.base, to: ledger, scratch: scratch)
        let path = ledger.folder + "/" + SnapshotFile.fileName
        let first = try ledger.rebuild()
        #expect(first.stored == .none && first.written)
        let bytes = try #require(readFile(path))
        var before = stat()
        stat(path, &before)
        let second = try ledger.rebuild()
        #expect(second.stored == .equal(seq: 5) && !second.written)
        var after = stat()
        stat(path, &after)
        #expect(after.st_ino == before.st_ino && readFile(path) == bytes, "the same file, untouched")
        try append([#"{"type":"unit.installed","at":"2025-02-06","data":{"serial":"SN1"}}"#], to: ledger, scratch: scratch)
        let third = try ledger.rebuild()
        #expect(third.stored == .equal(seq: 5) && third.written, "equal at its own seq, but the log went on")
        #expect(try ledger.verify().snapshotSeq == 6)
    }
}
