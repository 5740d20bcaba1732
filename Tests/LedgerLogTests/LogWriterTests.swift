#if canImport(Glibc)
import Glibc
#endif
import Integrity
import Testing
@testable import LedgerLog

@Suite struct LogWriterTests {
    @Test func batchesReadBackInOrderWithAnUnbrokenChain() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let receipts = try appendBatches(folder, [1, 3, 100, 2])
        #expect(receipts.map(\.firstSeq) == [1, 2, 5, 105])
        #expect(receipts.map(\.lastSeq) == [1, 4, 104, 106])
        let (records, summary) = try readAll(folder)
        #expect(records.map(\.0) == Array(1...106))
        for (seq, bytes) in records { #expect(bytes == payload(seq)) }
        #expect(summary.lastSeq == 106)
        #expect(summary.head == receipts.last!.head)
        #expect(summary.tornBytes == 0)
    }

    @Test func theHeadIsTheHashOfTheLastRecordAndRecordsLinkToTheirPredecessor() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [2, 1])
        var hashes: [SHA256Digest] = []
        var previous: [SHA256Digest] = []
        let summary = try LogReader(folder: folder).scan { record in
            hashes.append(SHA256.hash(record.bytes))
            previous.append(record.previous)
            return true
        }
        #expect(previous == [LogFormat.genesis, hashes[0], hashes[1]])
        #expect(summary.head == hashes[2])
    }

    @Test func aReopenedWriterContinuesTheSeqAndTheChain() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let first = try appendBatches(folder, [5])
        let writer = try LogWriter(folder: folder, creating: true)
        #expect(writer.lastSeq == 5)
        #expect(writer.head == first[0].head)
        try writer.begin(recordedMicroseconds: 0)
        #expect(try writer.add(payload(6)) == 6)
        try writer.commit()
        #expect(try readAll(folder).records.count == 6)
    }

    @Test func anEmptyBatchWritesNothing() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let writer = try LogWriter(folder: folder, creating: true)
        try writer.begin(recordedMicroseconds: 0)
        #expect(try writer.commit() == nil)
        #expect(fileBytes(folder + "/" + LogFormat.segmentName(baseSeq: 1)).count == LogFormat.segmentHeaderSize)
    }

    @Test func abortLeavesTheLogAsItWasEvenAfterBlocksReachedTheFile() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [3])
        let path = folder + "/" + LogFormat.segmentName(baseSeq: 1)
        let before = fileBytes(path)
        let writer = try LogWriter(folder: folder, creating: true)
        try writer.begin(recordedMicroseconds: 0)
        for seq in 4...40 { try writer.add(payload(Int64(seq), size: 200_000)) }   // several blocks
        #expect(fileBytes(path).count > before.count)
        try writer.abort()
        #expect(fileBytes(path) == before)
        #expect(writer.lastSeq == 3)
    }

    @Test func aBatchLargerThanOneBlockIsCommittedWhole() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [2, 60, 1], payloadSize: 300_000)
        let (records, summary) = try readAll(folder)
        #expect(records.map(\.0) == Array(1...63))
        #expect(records.allSatisfy { $0.1 == payload($0.0, size: 300_000) })
        #expect(summary.tornBytes == 0)
    }

    @Test func segmentsRollOverBetweenBatchesAndTheChainCrossesThem() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, Array(repeating: 10, count: 8), payloadSize: 500, segmentTargetSize: 8_000)
        let segments = try Folder.names(folder).filter { LogFormat.baseSeq(ofSegment: $0) != nil }
        #expect(segments.count > 3)
        let (records, summary) = try readAll(folder)
        #expect(records.map(\.0) == Array(1...80))
        #expect(summary.segments == segments.count)
        // Reading from the middle starts in the right segment.
        var seen: [Int64] = []
        try LogReader(folder: folder).scan(from: 57) { record in seen.append(record.seq); return true }
        #expect(seen == Array(57...80))
    }

    @Test func aSecondWriterIsRefusedAtOnceWhileTheFirstHoldsTheLock() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let first = try LogWriter(folder: folder, creating: true)
        #expect(throws: LogError.self) { _ = try LogWriter(folder: folder, creating: true) }
        do {
            _ = try LogWriter(folder: folder, creating: true)
        } catch let error as LogError {
            #expect(error.kind == .locked)
            #expect(error.message.contains("another process is appending"))
        }
        _ = first
    }

    @Test func anOversizedRecordIsRefusedAndTheWriterStaysUsable() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let writer = try LogWriter(folder: folder, creating: true)
        try writer.begin(recordedMicroseconds: 0)
        #expect(throws: LogError.self) { try writer.add([UInt8](repeating: 1, count: LogFormat.maximumPayloadSize + 1)) }
        try writer.add(payload(1))
        try writer.commit()
        #expect(try readAll(folder).records.count == 1)
    }

    @Test func segmentNamesRoundTrip() {
        #expect(LogFormat.segmentName(baseSeq: 1) == "00000000000000000001.seg")
        #expect(LogFormat.baseSeq(ofSegment: "00000000000000012345.seg") == 12345)
        #expect(LogFormat.baseSeq(ofSegment: "0000000000000001234x.seg") == nil)
        #expect(LogFormat.baseSeq(ofSegment: "lock") == nil)
    }
}

/// A batch of several blocks is delivered after its commit block is read; the head must still be its last record's hash.
@Suite struct MultiBlockHeadTests {
    @Test func theHeadAfterAMultiBlockBatchIsFoundWithoutTheChainCheck() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let receipts = try appendBatches(folder, [2, 60], payloadSize: 300_000)
        let summary = try LogReader(folder: folder).scan { _ in true }
        #expect(summary.head == receipts[1].head)
        #expect(summary.lastRecord?.end == Int64(fileBytes(folder + "/" + LogFormat.segmentName(baseSeq: 1)).count))
        let writer = try LogWriter(folder: folder)
        #expect(writer.head == receipts[1].head)
        try writer.begin(recordedMicroseconds: 0)
        try writer.add(payload(63))
        try writer.commit()
        #expect(try readAll(folder).records.count == 63, "the chain still links")
    }
}

/// `append` does not keep its batch in memory: a void's target or a resent event inside the batch is read back.
@Suite struct PendingReadBackTests {
    @Test func everyRecordOfAnOpenBatchReadsBackFromTheBlockBufferOrTheFile() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [3])
        let writer = try LogWriter(folder: folder)
        try writer.begin(recordedMicroseconds: 0)
        // 40 records of 300 kB, 13 to a 4 MiB block: three blocks in the file, the last record in the buffer.
        for seq in Int64(4)...43 { try writer.add(payload(seq, size: 300_000)) }
        #expect(try writer.pendingPayload(3) == nil, "a committed record is not the batch's")
        #expect(try writer.pendingPayload(44) == nil)
        // In order, backwards and jumping between blocks: each read gives the bytes added.
        for seq in Array(Int64(4)...43) + Array((Int64(4)...43).reversed()) + [4, 43, 17, 5, 30] {
            #expect(try writer.pendingPayload(seq) == payload(seq, size: 300_000), "seq \(seq)")
        }
        try writer.abort()
        #expect(try writer.pendingPayload(4) == nil, "an aborted batch holds nothing")
    }

    @Test func aWrittenBlockThatDoesNotReadBackAsWrittenIsAnError() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let writer = try LogWriter(folder: folder, creating: true)
        try writer.begin(recordedMicroseconds: 0)
        for seq in Int64(1)...20 { try writer.add(payload(seq, size: 300_000)) }
        // Flip a byte of the first record's payload in the file behind the writer's back.
        let path = folder + "/" + LogFormat.segmentName(baseSeq: 1)
        var bytes = fileBytes(path)
        bytes[LogFormat.segmentHeaderSize + LogFormat.blockHeaderSize + LogFormat.recordHeaderSize + 10] ^= 1
        overwrite(path, bytes)
        let error = #expect(throws: LogError.self) { try writer.pendingPayload(2) }
        #expect(error?.message.contains("record 1 of the batch being written does not read back as written") == true, "\(String(describing: error))")
        #expect(try writer.pendingPayload(20) == payload(20, size: 300_000), "the buffered block is unaffected")
    }
}
