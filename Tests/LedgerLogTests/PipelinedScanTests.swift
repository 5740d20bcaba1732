#if canImport(Glibc)
import Glibc
#endif
import Integrity
import Testing
@testable import LedgerLog

/// What a decode closure gives back in these tests: the record's seq and payload.
private struct Decoded: Sendable, Equatable {
    var seq: Int64
    var payload: [UInt8]
}

private struct Refused: Error, Equatable {
    var seq: Int64
}

/// `LogReader.scan(decodingInParallel:)` hands over exactly what the sequential scan does, in order.
@Suite struct PipelinedScanTests {
    /// Every record, in order, with the same summary, for chunks smaller than, equal to and larger than a batch.
    @Test(arguments: [1, 3, 64, 1024])
    func deliversEveryRecordInOrderWithTheSequentialSummary(chunkRecords: Int) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [1, 7, 50, 3, 200, 2], segmentTargetSize: 4_000)
        let (expected, sequential) = try readAll(folder)
        for checkChain in [false, true] {
            var seen: [Decoded] = []
            let summary = try LogReader(folder: folder).scan(checkChain: checkChain, chunkRecords: chunkRecords,
                                                             decodingInParallel: { record in
                Decoded(seq: record.seq, payload: Array(record.payload))
            }) { value in
                seen.append(value)
                return true
            }
            #expect(seen == expected.map { Decoded(seq: $0.0, payload: $0.1) })
            #expect(summary?.lastSeq == sequential.lastSeq)
            #expect(summary?.head == sequential.head)
            #expect(summary?.committedBytes == sequential.committedBytes)
        }
    }

    @Test func startsAtTheRequestedSeq() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [5, 5, 5], segmentTargetSize: 600)
        var seen: [Int64] = []
        try LogReader(folder: folder).scan(from: 7, chunkRecords: 2, decodingInParallel: { $0.seq }) { seq in
            seen.append(seq)
            return true
        }
        #expect(seen == Array(7...15))
    }

    /// Returning false stops the scan at once; the background thread is done when the call returns.
    @Test func stopsWhenTheConsumerSaysSo() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [300, 300])
        var seen: [Int64] = []
        let summary = try LogReader(folder: folder).scan(chunkRecords: 16, decodingInParallel: { $0.seq }) { seq in
            seen.append(seq)
            return seq < 100
        }
        #expect(summary == nil)
        #expect(seen == Array(1...100))
    }

    /// A record the decoder refuses is thrown after every record before it was consumed, and no later one is.
    @Test(arguments: [1, 4, 1024])
    func aRefusedRecordIsThrownInItsTurn(chunkRecords: Int) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [40, 40])
        var seen: [Int64] = []
        #expect(throws: Refused(seq: 57)) {
            try LogReader(folder: folder).scan(chunkRecords: chunkRecords, decodingInParallel: { record in
                if record.seq == 57 { throw Refused(seq: 57) }
                return record.seq
            }) { seq in
                seen.append(seq)
                return true
            }
        }
        #expect(seen == Array(1...56))
    }

    /// Damage is reported as the sequential scan reports it, after the same records.
    @Test func damageIsThrownAfterTheRecordsBeforeIt() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [10, 10, 10])
        let path = folder + "/" + LogFormat.segmentName(baseSeq: 1)
        var bytes = fileBytes(path)
        bytes[bytes.count - 5] ^= 0xFF   // inside the last record of the last batch
        overwrite(path, bytes)

        var sequentialSeen: [Int64] = []
        var sequentialError: LogError?
        do {
            try LogReader(folder: folder).scan { record in
                sequentialSeen.append(record.seq)
                return true
            }
        } catch {
            sequentialError = error as? LogError
        }
        var seen: [Int64] = []
        var pipelinedError: LogError?
        do {
            try LogReader(folder: folder).scan(chunkRecords: 3, decodingInParallel: { $0.seq }) { seq in
                seen.append(seq)
                return true
            }
        } catch {
            pipelinedError = error as? LogError
        }
        #expect(sequentialError != nil)
        #expect(pipelinedError?.description == sequentialError?.description)
        #expect(seen == sequentialSeen)
    }

    /// A record larger than a chunk's buffer gets a chunk of its own.
    @Test func recordsLargerThanAChunkBufferAreDelivered() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try appendBatches(folder, [3], payloadSize: DecodePipeline<Int64>.chunkBytes + 1_000)
        var seen: [Int] = []
        try LogReader(folder: folder).scan(decodingInParallel: { $0.payload.count }) { count in
            seen.append(count)
            return true
        }
        #expect(seen == [Int](repeating: DecodePipeline<Int64>.chunkBytes + 1_000, count: 3))
    }
}
