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
}
