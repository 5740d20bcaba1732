import Integrity

/// Records read from the log once and held in memory, to be visited again as `LogReader.scan` visits them: for
/// several passes over a short stretch of the log (the events after a snapshot) without reading and checking its
/// bytes on each pass.
public struct HeldRecords: Sendable {
    private var bytes: [UInt8] = []
    private var records: [(seq: Int64, recorded: Int64, previous: SHA256Digest, range: Range<Int>)] = []

    public init() {}

    /// The bytes held: the records' and, for each, where it lies.
    public var byteCount: Int { bytes.count + records.count * MemoryLayout<(Int64, Int64, SHA256Digest, Range<Int>)>.stride }

    /// Holds a copy of `record`, which follows the last one held.
    public mutating func append(_ record: borrowing StoredRecord) {
        let seq = record.seq
        precondition((records.last?.seq ?? .min) < seq, "records are held in log order")
        let start = bytes.count
        // As typed bytes, copied at once: a raw buffer is appended byte by byte.
        bytes.append(contentsOf: record.bytes.assumingMemoryBound(to: UInt8.self))
        records.append((seq, record.recordedMicroseconds, record.previous, start..<bytes.count))
    }

    /// Visits the held records in order until `visit` returns false.
    public func forEach(_ visit: (borrowing StoredRecord) throws -> Bool) rethrows {
        try bytes.withUnsafeBytes { all in
            for held in records {
                let record = StoredRecord(seq: held.seq, recordedMicroseconds: held.recorded, previous: held.previous,
                                          bytes: UnsafeRawBufferPointer(rebasing: all[held.range]))
                guard try visit(record) else { return }
            }
        }
    }
}
