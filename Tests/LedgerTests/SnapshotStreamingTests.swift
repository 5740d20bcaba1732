#if canImport(Glibc)
import Glibc
#endif
import Integrity
@testable import Ledger
import LedgerGenerator
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

    /// SHA-256 of `state.snapshot` (all but the header's bytes 24..<76 and its checksum) as the whole-buffer writer of commit 92b5f8d wrote it for each case, in order.
    static let recordedDigests: [String] = [
        "00dccab009dc1db736bd94d7ad9ffed2565a96e0f5a201284643dc567a00f529",
        "d477b179493f22bfeec146986ccfbeda4f6755dd810eba9f3fc5ad7c469fb3d5",
        "56cd2538db1794c1a523267b7ffb044bb6ed4cb0769479a46cf63e481dcc3a1f",
        "850e473b5c52abeea8410bce8a9bd25bf2d77039a3ac98fb1fb820a032636367",
        "f5468de55428fb721d61b7879736008f66283938a78ae02d4554513859e94660",
        "a2fd5c411599a8830be7db86c691886bbe2f673cda16939ac38ec22a03a69d94",
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

    @Test func theFileIsByteForByteTheOneTheWholeBufferWriterWrote() throws {
        var digests: [String] = []
        for test in Self.cases {
            let scratch = temporaryFolder()
            defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
            let ledger = try Self.ledger(test, scratch: scratch)
            let bytes = try #require(readFile(ledger.folder + "/" + SnapshotFile.fileName))
            // The head hash and the position of the last record depend on when the events were appended: left out, with the header checksum.
            digests.append(SHA256.hash(bytes[0..<24] + bytes[76..<272] + bytes[276...]).hex)
        }
        #expect(digests == Self.recordedDigests)
    }
}
