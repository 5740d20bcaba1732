#if canImport(Glibc)
import Glibc
#endif
import Integrity
import Testing
@testable import LedgerLog

/// Damage the log must detect, and crashes it must recover from.
@Suite struct LogDamageTests {
    /// Every single-byte change anywhere in a small log's segments fails a chain-checking read.
    @Test func everyFlippedByteIsDetected() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [1, 3, 2], segmentTargetSize: 300)
        let segments = try Folder.names(folder).filter { LogFormat.baseSeq(ofSegment: $0) != nil }
        #expect(segments.count >= 2)
        var checked = 0
        for name in segments {
            let path = folder + "/" + name
            let original = fileBytes(path)
            for index in original.indices {
                var damaged = original
                damaged[index] ^= 0x01
                overwrite(path, damaged)
                #expect(throws: LogError.self, "flip at \(name) byte \(index) went unnoticed") {
                    try LogReader(folder: folder).scan(checkChain: true)
                }
                checked += 1
            }
            overwrite(path, original)
        }
        #expect(checked > 500)
        #expect(try readAll(folder).records.count == 6)
    }

    /// A crash at any byte of the last batch leaves exactly the earlier batches, and the next writer cuts the tail.
    @Test(arguments: [1, 5, 40])
    func truncatingTheLastBatchAtEveryOffsetRecoversTheEarlierBatches(lastBatchSize: Int) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let receipts = try appendBatches(folder, [2, 3])
        let path = folder + "/" + LogFormat.segmentName(baseSeq: 1)
        let before = fileBytes(path)
        try appendBatches(folder, [lastBatchSize])
        let after = fileBytes(path)
        for length in before.count..<after.count {
            overwrite(path, Array(after[0..<length]))
            let (records, summary) = try readAll(folder)
            #expect(records.count == 5, "cut at \(length)")
            #expect(summary.head == receipts[1].head)
            #expect(summary.tornBytes == Int64(length - before.count))
            let writer = try LogWriter(folder: folder)
            #expect(writer.lastSeq == 5)
            #expect(writer.recoveredTornBytes == Int64(length - before.count))
            #expect(fileBytes(path) == before)
        }
    }

    @Test func aMultiBlockBatchCutBeforeItsCommitBlockIsTorn() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let receipts = try appendBatches(folder, [1])
        let path = folder + "/" + LogFormat.segmentName(baseSeq: 1)
        let before = fileBytes(path)
        try appendBatches(folder, [30], payloadSize: 400_000)
        let after = fileBytes(path)
        // Cut just before the last block: the earlier blocks are whole but uncommitted.
        for cut in [after.count - 1, after.count - 400_000, before.count + 5_000_000] {
            overwrite(path, Array(after[0..<cut]))
            let (records, summary) = try readAll(folder)
            #expect(records.count == 1)
            #expect(summary.head == receipts[0].head)
            _ = try LogWriter(folder: folder)
            #expect(fileBytes(path) == before)
            overwrite(path, after)
        }
    }

    @Test func aZeroFilledTailIsTornButAZeroedByteInsideABatchIsDamage() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [2])
        let path = folder + "/" + LogFormat.segmentName(baseSeq: 1)
        let original = fileBytes(path)
        overwrite(path, original + [UInt8](repeating: 0, count: 100))
        #expect(try readAll(folder).summary.tornBytes == 100)
        var damaged = original
        damaged[original.count - 3] = 0
        overwrite(path, damaged)
        #expect(throws: LogError.self) { try readAll(folder) }
    }

    @Test func aMissingMiddleSegmentIsReported() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, Array(repeating: 5, count: 6), payloadSize: 200, segmentTargetSize: 1_000)
        let segments = try Folder.names(folder).filter { LogFormat.baseSeq(ofSegment: $0) != nil }
        #expect(segments.count >= 3)
        try Folder.remove(folder + "/" + segments[1])
        #expect(throws: LogError.self) { try readAll(folder) }
    }

    @Test func aSegmentHeaderNeverWrittenIsRemovedByTheNextWriter() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [3])
        let stray = folder + "/" + LogFormat.segmentName(baseSeq: 4)
        let descriptor = open(stray, O_CREAT | O_WRONLY, 0o600)
        close(descriptor)
        #expect(try readAll(folder).records.count == 3)
        let writer = try LogWriter(folder: folder)
        #expect(writer.lastSeq == 3)
        #expect(!Folder.exists(stray))
    }
}
