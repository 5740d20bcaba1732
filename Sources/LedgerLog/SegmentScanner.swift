#if canImport(Glibc)
import Glibc
#endif
import Integrity

/// Reads a file through a window of memory so that many small blocks cost few system calls.
///
/// The window starts at 64 KiB and doubles with each read up to its capacity: a scan that stops after a block
/// or two (a segment's header, then the tail after a snapshot) reads little, a long one soon reads 8 MiB at a time.
struct WindowReader: ~Copyable {
    let file: PosixFile
    let fileSize: Int64
    private var buffer: UnsafeMutableRawBufferPointer
    private var windowStart: Int64 = 0
    private var windowCount = 0
    private var nextRead = 64 << 10

    init(file: consuming PosixFile, fileSize: Int64, capacity: Int = 8 << 20) {
        self.file = file
        self.fileSize = fileSize
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// Whether every byte from `offset` to the end of the file is zero.
    mutating func isZero(from offset: Int64) throws(LogError) -> Bool {
        var position = offset
        while position < fileSize {
            let chunk = try bytes(at: position, count: Int(min(Int64(1 << 20), fileSize - position)))
            guard !chunk.isEmpty, chunk.allSatisfy({ $0 == 0 }) else { return chunk.isEmpty }
            position += Int64(chunk.count)
        }
        return true
    }

    /// The bytes at `offset..<offset+count`, fewer only where the file ends; valid until the next call.
    mutating func bytes(at offset: Int64, count: Int) throws(LogError) -> UnsafeRawBufferPointer {
        precondition(count <= buffer.count, "read larger than the window")
        let available = Int(min(Int64(count), max(0, fileSize - offset)))
        if offset < windowStart || offset + Int64(available) > windowStart + Int64(windowCount) {
            let wanted = Int(min(Int64(max(count, min(nextRead, buffer.count))), fileSize - offset))
            windowCount = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]), at: offset)
            windowStart = offset
            nextRead = min(2 * nextRead, buffer.count)
        }
        let start = Int(offset - windowStart)
        let end = start + min(available, windowCount - start)
        return UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }
}

/// What a scan of one segment found.
struct SegmentScan {
    /// Offset just past the last committed block (the header size when there is none).
    var committedEnd: Int64
    var fileSize: Int64
    /// The last committed seq, or the seq before the segment's base when it holds none.
    var lastSeq: Int64
    /// Offset and length of the last committed record, to hash it for the chain head.
    var lastRecord: (offset: Int64, length: Int)?
    /// The hash of the last committed record when the chain was checked.
    var chainHead: SHA256Digest?
    /// Bytes after `committedEnd`: a torn tail left by a crash during a batch.
    var tornBytes: Int64 { fileSize - committedEnd }
}

/// Walks one segment file block by block, checking every header, checksum, length and seq,
/// and hands each committed record to a visitor in order.
///
/// A block is delivered only once its batch is committed: a batch spanning several blocks is
/// checked to its commit block first and its records are then re-read and delivered. Bytes after
/// the last commit that stop short (a partial header or block, a zero-filled header, or whole
/// blocks never committed) form a torn tail and end the scan; any other damage throws.
struct SegmentScanner {
    let path: String
    let name: String
    let baseSeq: Int64

    init(folder: String, name: String, baseSeq: Int64) {
        self.path = folder + "/" + name
        self.name = name
        self.baseSeq = baseSeq
    }

    private func corrupt(_ offset: Int64, _ reason: String) -> LogError {
        LogError(.corrupt, "segment \(name) at byte \(offset): \(reason)")
    }

    /// Scans the segment.
    /// - Parameters:
    ///   - previous: the hash of the record before this segment's first; when given, the hash chain is checked.
    ///   - visit: called for each committed record with `seq >= from`; return false to stop early.
    ///   - start: a committed batch boundary to start at instead of the first block, with the seq found there.
    func scan(previous: SHA256Digest?, from: Int64 = 0, start: (offset: Int64, seq: Int64)? = nil,
              visit: (borrowing StoredRecord) throws -> Bool) throws -> SegmentScan {
        let file = try PosixFile(path: path, flags: O_RDONLY)
        let fileSize = try file.size()
        var reader = WindowReader(file: file, fileSize: fileSize)
        var result = SegmentScan(committedEnd: Int64(LogFormat.segmentHeaderSize), fileSize: fileSize,
                                 lastSeq: baseSeq - 1, lastRecord: nil, chainHead: previous)
        // A header that never fully reached the disk held nothing; zeros with data after them are damage.
        let header = try reader.bytes(at: 0, count: LogFormat.segmentHeaderSize)
        var neverWritten = header.count < LogFormat.segmentHeaderSize
        if !neverWritten && header.allSatisfy({ $0 == 0 }) { neverWritten = try reader.isZero(from: 0) }
        if neverWritten {
            result.committedEnd = 0
            return result
        }
        if let reason = LogFormat.checkSegmentHeader(header, baseSeq: baseSeq) { throw corrupt(0, reason) }

        var offset = start?.offset ?? Int64(LogFormat.segmentHeaderSize)
        var expectedSeq = start?.seq ?? baseSeq
        if let start {
            guard start.offset >= Int64(LogFormat.segmentHeaderSize), start.offset <= fileSize else {
                throw corrupt(start.offset, "position is outside the segment")
            }
            result.committedEnd = start.offset
            result.lastSeq = start.seq - 1
        }
        var chain = previous
        var pendingStart: Int64?   // first block of a batch not yet committed
        var uncommittedDamage: Error?   // a bad block of that batch: torn unless a commit follows
        while offset < fileSize {
            let headerBytes = try reader.bytes(at: offset, count: LogFormat.blockHeaderSize)
            if headerBytes.count < LogFormat.blockHeaderSize { break }
            if headerBytes.allSatisfy({ $0 == 0 }) {
                // Zeros to the end of the file are pages a crash never wrote; zeros before data are damage.
                guard try reader.isZero(from: offset) else {
                    throw corrupt(offset, "block header is zeroed but data follows it")
                }
                break
            }
            let block: LogFormat.BlockHeader
            switch LogFormat.readBlockHeader(headerBytes) {
            case .success(let decoded): block = decoded
            case .failure(let error): throw corrupt(offset, error.message)
            }
            guard block.firstSeq == expectedSeq else {
                throw corrupt(offset, "block starts at seq \(block.firstSeq), expected \(expectedSeq)")
            }
            let bodyOffset = offset + Int64(LogFormat.blockHeaderSize)
            let body = try reader.bytes(at: bodyOffset, count: block.bodyLength)
            if body.count < block.bodyLength { break }
            let deliverNow = block.commits && pendingStart == nil
            var stopped = false
            if let damage = uncommittedDamage, block.commits { throw damage }
            do {
                try walk(body, at: bodyOffset, count: block.count, firstSeq: expectedSeq, chain: &chain) { record in
                    if deliverNow && !stopped && record.seq >= from { stopped = try !visit(record) }
                }
            } catch let error as LogError where !block.commits && error.kind == .corrupt {
                // A block of a batch that was never committed may hold pages a crash left unwritten.
                uncommittedDamage = uncommittedDamage ?? error
            }
            expectedSeq += Int64(block.count)
            let blockEnd = bodyOffset + Int64(block.bodyLength)
            if block.commits {
                // Read the span while `body` still points at this block: redelivery moves the window.
                result.lastRecord = try lastRecordSpan(body, bodyOffset: bodyOffset)
                if let start = pendingStart {
                    stopped = try redeliver(&reader, from: start, to: blockEnd, after: from, visit: visit)
                    pendingStart = nil
                }
                result.committedEnd = blockEnd
                result.lastSeq = expectedSeq - 1
                result.chainHead = chain
                if stopped { return result }
            } else if pendingStart == nil {
                pendingStart = offset
            }
            offset = blockEnd
        }
        return result
    }

    /// Checks every record of a block body and calls `each` for it.
    private func walk(_ body: UnsafeRawBufferPointer, at bodyOffset: Int64, count: Int, firstSeq: Int64,
                      chain: inout SHA256Digest?, each: (borrowing StoredRecord) throws -> Void) throws {
        var position = 0
        for index in 0..<count {
            let recordOffset = bodyOffset + Int64(position)
            guard body.count - position >= LogFormat.recordHeaderSize else {
                throw corrupt(recordOffset, "block holds fewer records than its header says")
            }
            let length = Int(body.loadLittleEndian(UInt32.self, at: position))
            guard length >= LogFormat.recordHeaderSize, length <= body.count - position,
                  length - LogFormat.recordHeaderSize <= LogFormat.maximumPayloadSize else {
                throw corrupt(recordOffset, "record length \(length) is impossible")
            }
            let bytes = UnsafeRawBufferPointer(rebasing: body[position..<position + length])
            guard bytes.loadLittleEndian(UInt32.self, at: 4)
                    == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[8...])) else {
                throw corrupt(recordOffset, "record checksum mismatch")
            }
            let seq = Int64(bitPattern: bytes.loadLittleEndian(UInt64.self, at: 8))
            guard seq == firstSeq + Int64(index) else {
                throw corrupt(recordOffset, "record has seq \(seq), expected \(firstSeq + Int64(index))")
            }
            let previous = SHA256Digest(loading: bytes.baseAddress! + 24)
            let record = StoredRecord(seq: seq,
                                      recordedMicroseconds: Int64(bitPattern: bytes.loadLittleEndian(UInt64.self, at: 16)),
                                      previous: previous, bytes: bytes)
            if let expected = chain {
                guard previous == expected else {
                    throw corrupt(recordOffset, "seq \(seq) does not link to the previous record's hash (the log was changed)")
                }
                chain = record.hash
            }
            try each(record)
            position += length
        }
        guard position == body.count else {
            throw corrupt(bodyOffset + Int64(position), "block has \(body.count - position) bytes after its last record")
        }
    }

    /// Delivers the records of a multi-block batch once its commit block has been checked.
    private func redeliver(_ reader: inout WindowReader, from start: Int64, to end: Int64, after from: Int64,
                           visit: (borrowing StoredRecord) throws -> Bool) throws -> Bool {
        var offset = start
        var unchecked: SHA256Digest? = nil
        while offset < end {
            let header = try reader.bytes(at: offset, count: LogFormat.blockHeaderSize)
            guard case .success(let block) = LogFormat.readBlockHeader(header) else {
                throw corrupt(offset, "block changed while it was read")
            }
            let bodyOffset = offset + Int64(LogFormat.blockHeaderSize)
            let body = try reader.bytes(at: bodyOffset, count: block.bodyLength)
            guard body.count == block.bodyLength else { throw corrupt(offset, "block changed while it was read") }
            var stopped = false
            try walk(body, at: bodyOffset, count: block.count, firstSeq: block.firstSeq, chain: &unchecked) { record in
                if !stopped && record.seq >= from { stopped = try !visit(record) }
            }
            if stopped { return true }
            offset = bodyOffset + Int64(block.bodyLength)
        }
        return false
    }

    /// The offset and length of the last record of a checked block body.
    private func lastRecordSpan(_ body: UnsafeRawBufferPointer, bodyOffset: Int64) throws -> (offset: Int64, length: Int) {
        var position = 0
        var last = (offset: bodyOffset, length: 0)
        while position < body.count {
            let length = Int(body.loadLittleEndian(UInt32.self, at: position))
            last = (bodyOffset + Int64(position), length)
            position += length
        }
        return last
    }
}
