#if canImport(Glibc)
import Glibc
#endif
import Integrity
import LedgerLog

/// An open file for the Merkle store and its record reads, closed when released.
final class MerkleFile {
    let path: String
    let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Opens `path`; nil when it does not exist. Any other failure (EACCES, EMFILE, EIO…) is an I/O error,
    /// never taken for a missing file, so that it is not mistaken for a damaged store or log.
    static func open(_ path: String, flags: Int32 = O_RDONLY, mode: mode_t = 0o600) throws(LedgerError) -> MerkleFile? {
        let descriptor = Glibc.open(path, flags | O_CLOEXEC, mode)
        if descriptor >= 0 { return MerkleFile(path: path, descriptor: descriptor) }
        let code = errno
        if code == ENOENT { return nil }
        throw LedgerError(.io, "cannot open \(path): \(String(cString: strerror(code)))")
    }

    deinit { close(descriptor) }

    func size() -> Int64 {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Up to `count` bytes at `offset`, fewer only where the file ends.
    func read(_ count: Int, at offset: Int64) throws(LedgerError) -> [UInt8] {
        // Offsets come from files: one no file can reach reads nothing rather than overflow.
        guard offset >= 0, offset <= MerkleStore.maximumOffset else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { throw LedgerError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            done += got
        }
        if done < count { bytes.removeLast(count - done) }
        return bytes
    }

    func write(_ bytes: [UInt8], at offset: Int64) throws(LedgerError) {
        var done = 0
        while done < bytes.count {
            let put = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done)) }
            if put < 0 && errno == EINTR { continue }
            if put <= 0 { throw LedgerError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
            done += put
        }
    }

    func sync() throws(LedgerError) {
        guard fdatasync(descriptor) == 0 else { throw LedgerError(.io, "cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Takes an exclusive lock without waiting; false when another process holds it.
    func tryLock() -> Bool { flock(descriptor, LOCK_EX | LOCK_NB) == 0 }
}

/// Reads whole records forward from a record's start, over block headers and into the next segment,
/// checking each record's length, checksum and seq as the log reader does.
///
/// It is used only for records up to the log's committed end, so it never meets a torn tail. Its start comes
/// from the store, so a record that is not where it should be is `MerkleStoreDamage` (the caller rebuilds the
/// store from the log, whose own scan then reports a damaged log); a file that cannot be read is an I/O error.
struct RecordCursor {
    let folder: String
    private(set) var segmentBaseSeq: Int64
    private(set) var offset: Int64
    private(set) var nextSeq: Int64
    private var file: MerkleFile?
    private var window: [UInt8] = []
    private var windowStart: Int64 = 0

    init(folder: String, start: RecordStart, seq: Int64) {
        self.folder = folder
        segmentBaseSeq = start.segmentBaseSeq
        offset = start.offset
        nextSeq = seq
    }

    private func damage(_ reason: String) -> MerkleStoreDamage {
        MerkleStoreDamage(reason: "segment \(LogFormat.segmentName(baseSeq: segmentBaseSeq)) at byte \(offset): \(reason) (run `ledger verify`)")
    }

    /// The bytes at `offset..<offset+count` through a 64 KiB window, fewer where the file ends.
    private mutating func bytes(_ count: Int) throws -> ArraySlice<UInt8> {
        if file == nil {
            let path = folder + "/" + LogFormat.segmentName(baseSeq: segmentBaseSeq)
            guard let opened = try MerkleFile.open(path) else { throw damage("there is no such segment") }
            file = opened
            window = []
        }
        guard offset >= 0, offset <= MerkleStore.maximumOffset else { throw damage("no segment is that long") }
        if offset < windowStart || offset + Int64(count) > windowStart + Int64(window.count) {
            window = try file!.read(max(count, 1 << 16), at: offset)
            windowStart = offset
        }
        let start = Int(offset - windowStart)
        return window[start..<min(window.count, start + count)]
    }

    /// The next record's bytes, length field to payload end.
    mutating func next() throws -> [UInt8] {
        var segmentsEntered = 0
        while true {
            let head = try bytes(LogFormat.blockHeaderSize)
            if head.count < 4 {
                // The segment ends at a batch boundary; the next record opens the next segment.
                guard segmentsEntered == 0 else { throw damage("no record follows") }
                segmentsEntered += 1
                segmentBaseSeq = nextSeq
                offset = 0
                file = nil
                let header = Array(try bytes(LogFormat.segmentHeaderSize))
                guard header.count == LogFormat.segmentHeaderSize, header.prefix(8).elementsEqual(LogFormat.segmentMagic),
                      header.little(UInt32.self, at: 28) == CRC32C.checksum(header[0..<28]),
                      header.little(UInt64.self, at: 16) == UInt64(nextSeq) else {
                    throw damage("segment header does not start seq \(nextSeq)")
                }
                offset = Int64(LogFormat.segmentHeaderSize)
                continue
            }
            if head.prefix(4).elementsEqual(LogFormat.blockMagic) {
                let header = Array(head)
                guard header.count == LogFormat.blockHeaderSize,
                      header.little(UInt32.self, at: 28) == CRC32C.checksum(header[0..<28]),
                      header.little(UInt64.self, at: 16) == UInt64(nextSeq) else {
                    throw damage("block header does not start seq \(nextSeq)")
                }
                offset += Int64(LogFormat.blockHeaderSize)
                continue
            }
            // A record's length is at most 56 + 1 MiB, so it can never read as the block magic.
            let length = Int(Array(head.prefix(4)).little(UInt32.self, at: 0))
            guard length >= LogFormat.recordHeaderSize, length <= LogFormat.recordHeaderSize + LogFormat.maximumPayloadSize else {
                throw damage("record length \(length) is impossible")
            }
            let record = Array(try bytes(length))
            guard record.count == length,
                  record.little(UInt32.self, at: 4) == CRC32C.checksum(record[8...]) else {
                throw damage("record checksum mismatch")
            }
            guard record.little(UInt64.self, at: 8) == UInt64(nextSeq) else {
                throw damage("record has seq \(record.little(UInt64.self, at: 8)), expected \(nextSeq)")
            }
            offset += Int64(length)
            nextSeq += 1
            return record
        }
    }
}

/// Follows the block headers of records that a `LogReader` scan delivers in order, so that each
/// record's start is known: one 32-byte read per block.
struct RecordLocator {
    let folder: String
    private var segmentBaseSeq: Int64
    private var offset: Int64
    private var remainingInBlock = 0

    /// Starts just after the record at `last` (the end of a committed batch), or at the log's start.
    init(folder: String, after last: RecordPosition?) {
        self.folder = folder
        segmentBaseSeq = last?.segmentBaseSeq ?? 1
        offset = last?.end ?? Int64(LogFormat.segmentHeaderSize)
    }

    /// The start of the record `seq` with `length` bytes, which must be the next one of the log.
    mutating func locate(seq: Int64, length: Int) throws(LedgerError) -> RecordStart {
        if remainingInBlock == 0 {
            var file = try MerkleFile.open(folder + "/" + LogFormat.segmentName(baseSeq: segmentBaseSeq))
            var header = try file?.read(LogFormat.blockHeaderSize, at: offset) ?? []
            if header.count < LogFormat.blockHeaderSize {
                // A batch never spans segments: after a full segment the next one starts with this seq.
                segmentBaseSeq = seq
                offset = Int64(LogFormat.segmentHeaderSize)
                file = try MerkleFile.open(folder + "/" + LogFormat.segmentName(baseSeq: segmentBaseSeq))
                header = try file?.read(LogFormat.blockHeaderSize, at: offset) ?? []
            }
            guard header.count == LogFormat.blockHeaderSize,
                  header.prefix(4).elementsEqual(LogFormat.blockMagic),
                  header.little(UInt32.self, at: 28) == CRC32C.checksum(header[0..<28]),
                  header.little(UInt64.self, at: 16) == UInt64(seq) else {
                throw LedgerError(.verificationFailed, "segment \(LogFormat.segmentName(baseSeq: segmentBaseSeq)) at byte \(offset): no block header starting seq \(seq) (run `ledger verify`)")
            }
            remainingInBlock = Int(header.little(UInt32.self, at: 8))
            offset += Int64(LogFormat.blockHeaderSize)
        }
        let start = RecordStart(segmentBaseSeq: segmentBaseSeq, offset: offset)
        offset += Int64(length)
        remainingInBlock -= 1
        return start
    }

    /// The position of the record located last.
    func position(length: Int) -> RecordPosition {
        RecordPosition(segmentBaseSeq: segmentBaseSeq, offset: offset - Int64(length), length: length)
    }
}
