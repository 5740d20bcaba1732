import Integrity

/// What a read of the whole log found: where it ends and whether a crash left a torn tail.
public struct LogSummary: Sendable, Equatable {
    /// The last committed seq (0 for an empty log).
    public var lastSeq: Int64
    /// The hash of the last record (the genesis value for an empty log).
    public var head: SHA256Digest
    /// Bytes after the last committed batch in the last segment, cut by the next writer.
    public var tornBytes: Int64
    /// The number of segment files.
    public var segments: Int
    /// Committed bytes over all segments.
    public var committedBytes: Int64
    /// Where the last committed record lies (nil for an empty log or a scan stopped early).
    public var lastRecord: RecordPosition? = nil
}

/// Reads the log of a ledger folder; needs no lock and sees only committed batches.
public struct LogReader: Sendable {
    public let folder: String
    /// The segment files in order, with the first seq each holds.
    let segments: [(name: String, baseSeq: Int64)]

    /// Lists the folder's segments; throws if there are none or their names leave a gap.
    public init(folder: String) throws(LogError) {
        self.folder = folder
        var segments: [(name: String, baseSeq: Int64)] = []
        for name in try Folder.names(folder) {
            if let base = LogFormat.baseSeq(ofSegment: name) { segments.append((name, base)) }
        }
        guard let first = segments.first else { throw LogError(.notFound, "\(folder) holds no log segments") }
        guard first.baseSeq == 1 else {
            throw LogError(.corrupt, "the first segment is \(first.name); \(LogFormat.segmentName(baseSeq: 1)) is missing")
        }
        self.segments = segments
    }

    private func scanner(_ index: Int) -> SegmentScanner {
        SegmentScanner(folder: folder, name: segments[index].name, baseSeq: segments[index].baseSeq)
    }

    /// Visits every committed record with `seq >= from` in order until `visit` returns false.
    ///
    /// With `checkChain` every record's hash link is checked from the genesis value (as `verify` does);
    /// otherwise only checksums, lengths and seq order. Damage throws `LogError` naming the position.
    @discardableResult
    public func scan(from: Int64 = 1, checkChain: Bool = false,
                     _ visit: (borrowing StoredRecord) throws -> Bool = { _ in true }) throws -> LogSummary {
        var start = 0
        if !checkChain {
            start = max(0, (segments.lastIndex { $0.baseSeq <= from }) ?? 0)
        }
        var previous: SHA256Digest? = checkChain ? LogFormat.genesis : nil
        var lastSeq = segments[start].baseSeq - 1
        var lastRecord: (scanner: SegmentScanner, span: (offset: Int64, length: Int))?
        var committedBytes: Int64 = 0
        var tornBytes: Int64 = 0
        for index in start..<segments.count {
            let scanner = scanner(index)
            guard scanner.baseSeq == lastSeq + 1 else {
                throw LogError(.corrupt, "segment \(scanner.name) starts at seq \(scanner.baseSeq), but the log before it ends at seq \(lastSeq)")
            }
            var stopped = false
            let result = try scanner.scan(previous: previous, from: from) { record in
                let more = try visit(record)
                stopped = !more
                return more
            }
            if stopped { return LogSummary(lastSeq: result.lastSeq, head: previous ?? .zero, tornBytes: 0,
                                           segments: segments.count, committedBytes: committedBytes) }
            let isLast = index == segments.count - 1
            if result.tornBytes > 0 && !isLast {
                throw LogError(.corrupt, "segment \(scanner.name) at byte \(result.committedEnd): \(result.tornBytes) bytes after the last committed batch, but it is not the last segment")
            }
            if isLast { tornBytes = result.tornBytes }
            lastSeq = result.lastSeq
            previous = result.chainHead
            committedBytes += result.committedEnd
            if let span = result.lastRecord { lastRecord = (scanner, span) }
        }
        var lastPosition: RecordPosition?
        if let lastRecord {
            lastPosition = RecordPosition(segmentBaseSeq: lastRecord.scanner.baseSeq, offset: lastRecord.span.offset,
                                          length: lastRecord.span.length)
        } else if lastSeq > 0 {
            lastPosition = try lastRecordPosition(before: start)
        }
        var head = previous ?? LogFormat.genesis
        if previous == nil, let lastPosition {
            guard let found = try record(at: lastPosition) else {
                throw LogError(.corrupt, "the last record, at \(LogFormat.segmentName(baseSeq: lastPosition.segmentBaseSeq)) byte \(lastPosition.offset), changed while it was read")
            }
            head = found.hash
        }
        return LogSummary(lastSeq: lastSeq, head: head, tornBytes: tornBytes,
                          segments: segments.count, committedBytes: committedBytes, lastRecord: lastPosition)
    }

    /// Where the last record of the segments before `index` lies, if they hold any.
    private func lastRecordPosition(before index: Int) throws -> RecordPosition? {
        for earlier in stride(from: index - 1, through: 0, by: -1) {
            let scanner = scanner(earlier)
            if let span = try scanner.scan(previous: nil, from: .max, visit: { _ in true }).lastRecord {
                return RecordPosition(segmentBaseSeq: scanner.baseSeq, offset: span.offset, length: span.length)
            }
        }
        return nil
    }
}
