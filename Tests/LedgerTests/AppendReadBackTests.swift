#if canImport(Glibc)
import Glibc
#endif
@testable import Ledger
import Testing
import WarrantyDomain

/// `append` keeps none of its batch in memory: an event of the batch that a later line needs (a void's
/// target, the first copy of a resent event) is read back from the blocks already written.
@Suite(.serialized) struct AppendReadBackTests {
    /// About 36,000 events, several 4 MiB blocks once stored.
    static let lines = generatedLines(units: 4_000, seed: 5)

    func newLedger(_ scratch: String) throws -> Ledger {
        try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
    }

    @Test func aVoidAndAResentEventFindTheirEarlierLineInAWrittenBlock() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try newLedger(scratch)
        let payment = Self.lines.firstIndex { $0.contains(#""type":"payment.received""#) }!
        let paymentSeq = Int64(payment + 1)
        let void = #"{"type":"event.voided","at":"2026-01-05","id":"void-payment","data":{"seq":\#(paymentSeq),"reason":"entered twice"}}"#
        let middle = Self.lines.indices.first { $0 > Self.lines.count / 2 && Self.lines[$0].contains(#""id":"#) }!
        let report = try append(Self.lines + [Self.lines[0], void, Self.lines[middle]], to: ledger, scratch: scratch)
        #expect(report.appended == Self.lines.count + 1)
        #expect(report.duplicates == 2)
        let state = try ledger.fold().state
        #expect(state.isVoided(paymentSeq))
        #expect(try ledger.verify().events == Int64(Self.lines.count + 1))
    }

    @Test func aChangedCopyOfAnEarlierLineOfTheBatchIsRefusedNamingItsSeq() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try newLedger(scratch)
        let changed = Self.lines[0].replacing( #""returnDays":7"#, with: #""returnDays":8"#)
        #expect(changed != Self.lines[0])
        do {
            try append(Self.lines + [changed], to: ledger, scratch: scratch)
            Issue.record("a changed event under a used id was accepted")
        } catch let error as LedgerError {
            #expect(error.message.contains("line \(Self.lines.count + 1): policy.published: id \"pol-P-TRACTOR-2021\" was already used by seq 1 for a different event"), "\(error.message)")
        }
        #expect(try ledger.verify().events == 0, "nothing of the refused batch is stored")
    }
}

/// A resent file is compared with the log in passes of bounded size; a changed event in any pass refuses the batch.
@Suite struct ResentFileTests {
    static let lines = generatedLines(units: 30, seed: 8)

    @Test(arguments: [1, 7, 1_000])
    func aResentFileIsComparedPassByPass(perPass: Int) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(Self.lines, to: ledger, scratch: scratch)
        let withIDs = Self.lines.filter { $0.contains(#""id":"#) }
        try Ledger.$duplicatesPerPass.withValue(perPass) {
            let report = try append(withIDs, to: ledger, scratch: scratch)
            #expect(report.appended == 0)
            #expect(report.duplicates == withIDs.count)
            // The last line changed: caught in the final pass whatever the pass size.
            let changed = withIDs.dropLast() + [withIDs.last!.replacing(#""at":"20"#, with: #""at":"19"#)]
            #expect(changed.last != withIDs.last)
            let error = #expect(throws: LedgerError.self) { try append(changed, to: ledger, scratch: scratch) }
            #expect(error?.message.contains("line \(withIDs.count): ") == true && error?.message.contains("was already used by seq") == true,
                    "\(String(describing: error))")
        }
        #expect(try ledger.verify().events == Int64(Self.lines.count))
    }
}
