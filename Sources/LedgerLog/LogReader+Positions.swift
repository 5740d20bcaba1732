#if canImport(Glibc)
import Glibc
#endif
import Integrity

extension LogReader {
    /// The seq and hash of the record at `position`, after checking its framing and checksum; nil if it is not a record.
    public func record(at position: RecordPosition) throws -> (seq: Int64, hash: SHA256Digest)? {
        guard segments.contains(where: { $0.baseSeq == position.segmentBaseSeq }),
              position.length >= LogFormat.recordHeaderSize,
              position.length <= LogFormat.recordHeaderSize + LogFormat.maximumPayloadSize else { return nil }
        let file = try PosixFile(path: folder + "/" + LogFormat.segmentName(baseSeq: position.segmentBaseSeq), flags: O_RDONLY)
        var bytes = [UInt8](repeating: 0, count: position.length)
        let count = try bytes.withUnsafeMutableBytes { buffer throws(LogError) in try file.read(into: buffer, at: position.offset) }
        guard count == position.length else { return nil }
        return bytes.withUnsafeBytes { raw -> (Int64, SHA256Digest)? in
            guard Int(raw.loadLittleEndian(UInt32.self, at: 0)) == position.length,
                  raw.loadLittleEndian(UInt32.self, at: 4) == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[8...])) else {
                return nil
            }
            return (Int64(bitPattern: raw.loadLittleEndian(UInt64.self, at: 8)), SHA256.hash(raw))
        }
    }

    /// Visits the committed records after the record at `position` (every record when nil), in order,
    /// until `visit` returns false. `position` must be the last record of a committed batch.
    public func scan(after position: RecordPosition?, _ visit: (borrowing StoredRecord) throws -> Bool) throws {
        guard let position else {
            try scan(from: 1, visit)
            return
        }
        guard let first = segments.firstIndex(where: { $0.baseSeq == position.segmentBaseSeq }),
              let found = try record(at: position) else {
            throw LogError(.corrupt, "no record at \(LogFormat.segmentName(baseSeq: position.segmentBaseSeq)) byte \(position.offset)")
        }
        var nextSeq = found.seq + 1
        for index in first..<segments.count {
            let scanner = SegmentScanner(folder: folder, name: segments[index].name, baseSeq: segments[index].baseSeq)
            guard index == first || scanner.baseSeq == nextSeq else {
                throw LogError(.corrupt, "segment \(scanner.name) starts at seq \(scanner.baseSeq), but the log before it ends at seq \(nextSeq - 1)")
            }
            var stopped = false
            let result = try scanner.scan(previous: nil, from: 0, start: index == first ? (position.end, nextSeq) : nil) { record in
                let more = try visit(record)
                stopped = !more
                return more
            }
            if stopped { return }
            if result.tornBytes > 0 && index < segments.count - 1 {
                throw LogError(.corrupt, "segment \(scanner.name) at byte \(result.committedEnd): \(result.tornBytes) bytes after the last committed batch, but it is not the last segment")
            }
            nextSeq = result.lastSeq + 1
        }
    }
}
