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
            let writer = try LogWriter(folder: folder, creating: true)
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
            _ = try LogWriter(folder: folder, creating: true)
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
        let writer = try LogWriter(folder: folder, creating: true)
        #expect(writer.lastSeq == 3)
        #expect(!Folder.exists(stray))
    }
}

/// Zeros are what a crash leaves in pages it never wrote; before committed data they are damage, not a torn tail.
@Suite struct ZeroedRangeTests {
    /// The offsets of every block header in a segment.
    func blockOffsets(_ bytes: [UInt8]) -> [Int] {
        var offsets: [Int] = []
        var offset = LogFormat.segmentHeaderSize
        while offset + LogFormat.blockHeaderSize <= bytes.count {
            offsets.append(offset)
            let length = bytes[offset + 12..<offset + 16].reversed().reduce(0) { $0 << 8 | Int($1) }
            offset += LogFormat.blockHeaderSize + length
        }
        return offsets
    }

    @Test func zeroedHeadersBeforeCommittedDataAreDamageAndTheWriterChangesNothing() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [2, 3, 1])
        let path = folder + "/" + LogFormat.segmentName(baseSeq: 1)
        let original = fileBytes(path)
        let offsets = [0] + blockOffsets(original)
        #expect(offsets.count == 4)
        for offset in offsets {
            var damaged = original
            for index in offset..<offset + 32 { damaged[index] = 0 }
            overwrite(path, damaged)
            #expect(throws: LogError.self, "zeros at \(offset)") { try LogReader(folder: folder).scan(checkChain: true) }
            #expect(throws: LogError.self, "zeros at \(offset)") { _ = try LogWriter(folder: folder) }
            #expect(fileBytes(path) == damaged, "the writer left the file as it was")
        }
        overwrite(path, original)
    }

    @Test func zerosToTheEndOfTheLastSegmentAreATornTail() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let receipts = try appendBatches(folder, [2, 3])
        let path = folder + "/" + LogFormat.segmentName(baseSeq: 1)
        let original = fileBytes(path)
        overwrite(path, original + [UInt8](repeating: 0, count: 5_000))
        let (records, summary) = try readAll(folder)
        #expect(records.count == 5)
        #expect(summary.head == receipts[1].head)
        #expect(try LogWriter(folder: folder).lastSeq == 5)
        #expect(fileBytes(path) == original)
    }

    @Test func anUncommittedBlockWithUnwrittenPagesIsATornTail() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [2])
        let path = folder + "/" + LogFormat.segmentName(baseSeq: 1)
        let before = fileBytes(path)
        try appendBatches(folder, [40], payloadSize: 300_000)   // several blocks
        let after = fileBytes(path)
        let blocks = blockOffsets(after).filter { $0 >= before.count }
        #expect(blocks.count >= 3)
        // The crash left the first block's header but not its body, and nothing after it.
        var torn = Array(after[0..<blocks[1]])
        for index in blocks[0] + 32..<blocks[1] { torn[index] = 0 }
        overwrite(path, torn)
        #expect(try readAll(folder).records.count == 2)
        _ = try LogWriter(folder: folder)
        #expect(fileBytes(path) == before)
        // The same damage with the batch's commit block still after it is damage.
        var damaged = after
        for index in blocks[0] + 32..<blocks[1] { damaged[index] = 0 }
        overwrite(path, damaged)
        #expect(throws: LogError.self) { try readAll(folder) }
    }

    @Test func aLogWhoseSegmentsVanishedIsNotStartedAgain() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [3])
        try Folder.remove(folder + "/" + LogFormat.segmentName(baseSeq: 1))
        #expect(throws: LogError.self) { _ = try LogWriter(folder: folder) }
        #expect(!Folder.exists(folder + "/" + LogFormat.segmentName(baseSeq: 1)))
    }
}
