#if canImport(Glibc)
import Glibc
#endif
import Integrity

/// What a committed batch became: its seq range and the new chain head.
public struct BatchReceipt: Sendable, Equatable {
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var head: SHA256Digest
    /// Bytes written for the batch, headers included.
    public var bytes: Int64
    /// Where the batch's last record lies: a snapshot taken now starts its tail after it.
    public var lastRecord: RecordPosition
}

/// The single writer of a ledger folder's log.
///
/// Opening takes an exclusive lock on the folder's `lock` file (a second writer fails at once
/// with `.locked`), cuts a torn tail left by a crash back to the last committed batch, and
/// creates the first segment of a new log. A batch is built with `begin`, `add` and ended by
/// `commit`, which writes, syncs and only then returns; `abort` leaves the log as before.
/// After any failed write or sync the writer is poisoned: it refuses further work, because
/// a failed `fsync` cannot be retried safely; open a new writer instead.
public final class LogWriter {
    public let folder: String
    /// The last committed seq (0 for an empty log).
    public private(set) var lastSeq: Int64
    /// The hash of the last committed record.
    public private(set) var head: SHA256Digest
    /// Bytes cut from a torn tail when this writer opened.
    public let recoveredTornBytes: Int64

    private let fileSystem: FileSystem
    private let lock: PosixFile
    private var segment: PosixFile
    private var segmentName: String
    /// Committed end of the current segment: where the next batch starts.
    private var committedEnd: Int64
    private var poison: String?

    // The batch being built.
    private var batch: (start: Int64, firstSeq: Int64, recordedMicroseconds: Int64)?
    private var written: Int64 = 0          // bytes of the batch already in the file
    private var pendingSeq: Int64 = 0       // last seq given out in the batch
    private var pendingHead = SHA256Digest.zero
    private var block: UnsafeMutableRawBufferPointer
    private var blockUsed = 0               // bytes after the block header
    private var blockCount = 0
    private var blockFirstSeq: Int64 = 0
    private var lastRecordLength = 0         // length of the last record added to the block
    /// Where each record of the block being built starts, after the block header.
    private var blockRecords: [Int] = []
    /// The batch's blocks already in the file, so that a record of the batch can be read back (`pendingPayload`).
    private var writtenBlocks: [(firstSeq: Int64, offset: Int64, length: Int)] = []
    /// The last written block read back, with the offset of each of its records.
    private var readBack: (firstSeq: Int64, bytes: [UInt8], records: [Int])?
    private var segmentBaseSeq: Int64

    /// A new segment is started before a batch once the current one holds this many bytes.
    public let segmentTargetSize: Int64

    /// Opens the log of `folder` for writing; the folder must exist.
    ///
    /// The lock is retried for `lockWaitSeconds` (a tenth of a second by default): a process that forks
    /// holds a copy of every open descriptor, and so of another writer's lock, until the child calls exec.
    ///
    /// Only `creating` a new log makes its first segment: a folder whose segments have vanished is damage, not a new log.
    public convenience init(folder: String, creating: Bool = false, segmentTargetSize: Int64 = LogFormat.segmentTargetSize,
                            lockWaitSeconds: Double = 0.1) throws {
        try self.init(folder: folder, creating: creating, segmentTargetSize: segmentTargetSize,
                      lockWaitSeconds: lockWaitSeconds, fileSystem: FileSystem.current)
    }

    /// Opens the log with its file changes made through `fileSystem` (tests inject faults here).
    init(folder: String, creating: Bool = false, segmentTargetSize: Int64 = LogFormat.segmentTargetSize,
         lockWaitSeconds: Double = 0.1, fileSystem: FileSystem) throws {
        self.folder = folder
        self.segmentTargetSize = segmentTargetSize
        self.fileSystem = fileSystem
        lock = try PosixFile(path: folder + "/lock", flags: O_RDWR | O_CREAT, fileSystem: fileSystem)
        guard try LogWriter.acquire(lock, waitingUpTo: lockWaitSeconds) else {
            throw LogError(.locked, "another process is appending to \(folder) (the writer lock is held); try again when it has finished")
        }
        var names = try Folder.names(folder).filter { LogFormat.baseSeq(ofSegment: $0) != nil }
        if names.isEmpty {
            guard creating else { throw LogError(.corrupt, "\(folder) holds no log segments; its log is missing") }
            names = [LogFormat.segmentName(baseSeq: 1)]
            try LogWriter.createSegment(folder: folder, name: names[0], baseSeq: 1, fileSystem: fileSystem)
        }
        var tornBytes: Int64 = 0
        var scan: SegmentScan
        var scanner: SegmentScanner
        while true {
            let name = names[names.count - 1]
            scanner = SegmentScanner(folder: folder, name: name, baseSeq: LogFormat.baseSeq(ofSegment: name)!)
            scan = try scanner.scan(previous: nil, from: .max) { _ in true }
            tornBytes += scan.tornBytes
            guard scan.committedEnd == 0 else { break }
            // The last segment's header never fully reached the disk, so it held nothing.
            if names.count == 1 {
                try LogWriter.createSegment(folder: folder, name: name, baseSeq: 1, replace: true, fileSystem: fileSystem)
            } else {
                try Folder.remove(folder + "/" + name, fileSystem: fileSystem)
                try Folder.sync(folder, fileSystem: fileSystem)
                names.removeLast()
            }
        }
        segment = try PosixFile(path: scanner.path, flags: O_RDWR, fileSystem: fileSystem)
        segmentName = scanner.name
        segmentBaseSeq = scanner.baseSeq
        if scan.tornBytes > 0 {
            try segment.truncate(to: scan.committedEnd)
            try segment.sync()
        }
        committedEnd = scan.committedEnd
        lastSeq = scan.lastSeq
        recoveredTornBytes = tornBytes
        block = .allocate(byteCount: LogFormat.maximumBlockSize + LogFormat.blockHeaderSize, alignment: 16)
        if let span = scan.lastRecord {
            let position = RecordPosition(segmentBaseSeq: scanner.baseSeq, offset: span.offset, length: span.length)
            guard let found = try LogReader(folder: folder).record(at: position) else {
                throw LogError(.corrupt, "segment \(scanner.name) at byte \(span.offset): the last record changed while it was read")
            }
            head = found.hash
        } else {
            head = try LogReader(folder: folder).scan(from: .max).head
        }
    }

    deinit {
        block.deallocate()
    }

    /// Takes the writer lock, retrying (every 2 ms, backing off to 50 ms) until `seconds` have passed.
    private static func acquire(_ lock: borrowing PosixFile, waitingUpTo seconds: Double) throws(LogError) -> Bool {
        func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let deadline = now() + seconds
        var pauseNanoseconds = 2_000_000
        while true {
            if try lock.tryLock() { return true }
            if now() >= deadline { return false }
            var pause = timespec(tv_sec: 0, tv_nsec: pauseNanoseconds)
            nanosleep(&pause, nil)
            pauseNanoseconds = min(pauseNanoseconds * 2, 50_000_000)
        }
    }

    /// Creates a segment file holding only its header, synced together with the folder entry.
    private static func createSegment(folder: String, name: String, baseSeq: Int64, replace: Bool = false,
                                      fileSystem: FileSystem) throws {
        let path = folder + "/" + name
        let file = try PosixFile(path: path, flags: O_RDWR | O_CREAT | (replace ? O_TRUNC : O_EXCL), fileSystem: fileSystem)
        try LogFormat.segmentHeader(baseSeq: baseSeq).withUnsafeBytes { bytes throws in
            try file.write(bytes, at: 0)
        }
        try file.sync()
        try Folder.sync(folder, fileSystem: fileSystem)
    }

    private func checkUsable() throws {
        if let poison { throw LogError(.poisoned, "the writer stopped after an earlier failure (\(poison)); reopen the ledger") }
    }

    /// Starts a batch whose records all carry `recordedMicroseconds` as their recorded time.
    public func begin(recordedMicroseconds: Int64) throws {
        try checkUsable()
        precondition(batch == nil, "a batch is already open")
        if committedEnd >= segmentTargetSize {
            let name = LogFormat.segmentName(baseSeq: lastSeq + 1)
            try failing { () throws in
                try LogWriter.createSegment(folder: folder, name: name, baseSeq: lastSeq + 1, fileSystem: fileSystem)
                segment = try PosixFile(path: folder + "/" + name, flags: O_RDWR, fileSystem: fileSystem)
            }
            segmentName = name
            segmentBaseSeq = lastSeq + 1
            committedEnd = Int64(LogFormat.segmentHeaderSize)
        }
        batch = (committedEnd, lastSeq + 1, recordedMicroseconds)
        written = 0
        pendingSeq = lastSeq
        pendingHead = head
        blockUsed = 0
        blockCount = 0
        blockRecords.removeAll(keepingCapacity: true)
        blockFirstSeq = lastSeq + 1
        writtenBlocks.removeAll()
        readBack = nil
    }

    /// The payload of record `seq` of the open batch, or nil when `seq` is not in it.
    ///
    /// The batch is not held in memory: a record in a block already written is read back from the file
    /// (its CRC and seq checked), the last such block kept for the next call.
    public func pendingPayload(_ seq: Int64) throws -> [UInt8]? {
        guard let batch, seq >= batch.firstSeq, seq <= pendingSeq else { return nil }
        if seq >= blockFirstSeq {
            let start = blockRecords[Int(seq - blockFirstSeq)]
            let length = Int(UnsafeRawBufferPointer(block).loadLittleEndian(UInt32.self, at: start))
            return Array(block[(start + LogFormat.recordHeaderSize)..<(start + length)])
        }
        let index = writtenBlocks.lastIndex { $0.firstSeq <= seq }!
        let written = writtenBlocks[index]
        if readBack?.firstSeq != written.firstSeq {
            readBack = nil
            var bytes = [UInt8](repeating: 0, count: written.length)
            let count = try bytes.withUnsafeMutableBytes { buffer throws in try segment.read(into: buffer, at: written.offset) }
            let end = index + 1 < writtenBlocks.count ? writtenBlocks[index + 1].firstSeq : blockFirstSeq
            var records: [Int] = []
            var offset = LogFormat.blockHeaderSize
            try bytes.withUnsafeBytes { bytes throws in
                for expected in written.firstSeq..<end {
                    let length = offset + LogFormat.recordHeaderSize <= count ? Int(bytes.loadLittleEndian(UInt32.self, at: offset)) : 0
                    guard length >= LogFormat.recordHeaderSize, offset + length <= count,
                          bytes.loadLittleEndian(UInt32.self, at: offset + 4)
                            == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + length)])),
                          bytes.loadLittleEndian(UInt64.self, at: offset + 8) == UInt64(expected) else {
                        throw LogError(.corrupt, "segment \(segmentName) at byte \(written.offset + Int64(offset)): record \(expected) of the batch being written does not read back as written")
                    }
                    records.append(offset)
                    offset += length
                }
            }
            readBack = (written.firstSeq, bytes, records)
        }
        let cached = readBack!
        let offset = cached.records[Int(seq - cached.firstSeq)]
        let length = cached.bytes.withUnsafeBytes { Int($0.loadLittleEndian(UInt32.self, at: offset)) }
        return Array(cached.bytes[(offset + LogFormat.recordHeaderSize)..<(offset + length)])
    }

    /// Adds one record to the open batch and returns its seq; nothing is durable before `commit`.
    @discardableResult
    public func add(_ payload: UnsafeRawBufferPointer) throws -> Int64 {
        try checkUsable()
        guard let batch else { preconditionFailure("add without begin") }
        guard payload.count <= LogFormat.maximumPayloadSize else {
            throw LogError(.limit, "record of \(payload.count) bytes exceeds the limit of \(LogFormat.maximumPayloadSize)")
        }
        guard pendingSeq - batch.firstSeq + 1 < LogFormat.maximumBatchRecords else {
            throw LogError(.limit, "a batch may hold at most \(LogFormat.maximumBatchRecords) records; split the input")
        }
        let length = LogFormat.recordHeaderSize + payload.count
        if blockCount > 0 && blockUsed + length > LogFormat.blockTargetSize {
            try writeBlock(commit: false)
        }
        let start = LogFormat.blockHeaderSize + blockUsed
        let record = UnsafeMutableRawBufferPointer(rebasing: block[start..<start + length])
        blockRecords.append(start)
        pendingSeq += 1
        LogFormat.writeRecord(into: record, seq: pendingSeq, recordedMicroseconds: batch.recordedMicroseconds,
                              previous: pendingHead, payload: payload)
        pendingHead = SHA256.hash(UnsafeRawBufferPointer(record))
        blockUsed += length
        blockCount += 1
        lastRecordLength = length
        return pendingSeq
    }

    /// Convenience: `add` for a byte array.
    @discardableResult
    public func add(_ payload: [UInt8]) throws -> Int64 {
        try payload.withUnsafeBytes { bytes throws in try add(bytes) }
    }

    /// Writes the batch's last block with the commit flag, syncs the file and returns the receipt.
    ///
    /// An empty batch writes nothing and returns nil.
    @discardableResult
    public func commit() throws -> BatchReceipt? {
        try checkUsable()
        guard let open = batch else { preconditionFailure("commit without begin") }
        if blockCount == 0 && written == 0 {
            batch = nil
            return nil
        }
        if blockCount > 0 { try writeBlock(commit: true) }
        try failing { () throws in try segment.sync() }
        committedEnd = open.start + written
        lastSeq = pendingSeq
        head = pendingHead
        batch = nil
        writtenBlocks.removeAll()
        readBack = nil
        return BatchReceipt(firstSeq: open.firstSeq, lastSeq: lastSeq, head: head, bytes: written,
                            lastRecord: RecordPosition(segmentBaseSeq: segmentBaseSeq,
                                                       offset: committedEnd - Int64(lastRecordLength), length: lastRecordLength))
    }

    /// Drops the open batch, cutting any of its blocks already in the file.
    public func abort() throws {
        guard let open = batch else { return }
        batch = nil
        blockUsed = 0
        blockCount = 0
        blockRecords.removeAll(keepingCapacity: true)
        writtenBlocks.removeAll()
        readBack = nil
        if written > 0 && poison == nil {
            try failing { () throws in try segment.truncate(to: open.start) }
        }
        written = 0
    }

    private func writeBlock(commit: Bool) throws {
        guard let open = batch else { return }
        LogFormat.writeBlockHeader(into: block, flags: commit ? LogFormat.commitFlag : 0, count: UInt32(blockCount),
                                   bodyLength: UInt32(blockUsed), firstSeq: blockFirstSeq)
        let bytes = UnsafeRawBufferPointer(rebasing: block[0..<LogFormat.blockHeaderSize + blockUsed])
        try failing { () throws in try segment.write(bytes, at: open.start + written) }
        writtenBlocks.append((blockFirstSeq, open.start + written, bytes.count))
        written += Int64(bytes.count)
        blockFirstSeq += Int64(blockCount)
        blockUsed = 0
        blockCount = 0
        blockRecords.removeAll(keepingCapacity: true)
    }

    /// Runs a file operation; on failure tries to leave the file as before the batch, then poisons the writer.
    private func failing(_ operation: () throws -> Void) throws {
        do {
            try operation()
        } catch {
            if let open = batch { _ = try? segment.truncate(to: open.start) }
            batch = nil
            var failure = error as? LogError ?? LogError(.io, "\(error)")
            if failure.errno == ENOSPC { failure.message += "; free space on that disk, then append again" }
            poison = failure.message
            throw failure
        }
    }
}
