#if canImport(Glibc)
import Glibc
#endif
import JSONText
import Ledger
import LedgerLog
import WarrantyDomain

/// `ledger-bench append`: durable append throughput of the log layer, against the raw disk, plus `Ledger.append`.
struct AppendBench {
    let workspace: Workspace
    /// The most events written per batch size, and the lines of the `Ledger.append` input.
    let events: Int
    let minimumSeconds: Double
    let rounds: Int

    /// Commits per run for batch sizes 1 and 100 stop here even before `minimumSeconds` (a fast disk syncs
    /// a few thousand times a second, so the time limit usually ends a run first).
    static let commitCap = 20_000
    /// Raw write size for comparison with batch 10,000 (whose commits are about 2 MB).
    static let chunkBytes = 2 << 20
    static let batchSizes = [1, 100, 10_000]

    func run() throws {
        print("== append: durable appends through LogWriter (begin, add × batch, commit = pwrite + fdatasync) ==")
        let pool = PayloadPool(count: 40_000)
        let recordOverhead = LogFormat.recordHeaderSize
        let commitOverhead = LogFormat.blockHeaderSize
        print("payloads: StoredEvent-encoded unit.sold / complaint.lodged / visit.recorded / part.swapped with Chinese text,")
        print("          \(Report.fixed(pool.averageBytes, 1)) B average (\(pool.minimumBytes)–\(pool.maximumBytes) B), "
              + "\(Report.fixed(pool.averageBytes + Double(recordOverhead), 1)) B per record on disk "
              + "(+\(recordOverhead) B record header, +\(commitOverhead) B per block)")
        print("each run: a fresh ledger folder, until \(Report.fixed(minimumSeconds, 1)) s or its cap "
              + "(\(Report.grouped(AppendBench.commitCap)) commits for batches 1 and 100, \(Report.grouped(events)) events); "
              + "best of \(rounds) rounds, raw and log runs alternating")
        print("")

        let singleCommitBytes = Int((Double(commitOverhead + recordOverhead) + pool.averageBytes).rounded())
        var logRuns: [Int: [Measurement]] = [:]
        var rawRecordRuns: [Measurement] = []
        var rawChunkRuns: [Measurement] = []
        for round in 0..<rounds {
            Workspace.settle()
            rawRecordRuns.append(try RawDisk.syncedRecords(
                path: workspace.file("raw-records-\(round)"), recordBytes: singleCommitBytes,
                cap: AppendBench.commitCap, minimumSeconds: minimumSeconds))
            for batch in AppendBench.batchSizes {
                Workspace.settle()
                let m = try logRun(pool: pool, batch: batch, folder: workspace.file("log-batch\(batch)-\(round)"))
                logRuns[batch, default: []].append(m)
                if batch == 10_000 {
                    Workspace.settle()
                    rawChunkRuns.append(try RawDisk.syncedChunks(
                        path: workspace.file("raw-chunks-\(round)"), chunkBytes: AppendBench.chunkBytes,
                        cap: max(m.bytes, Int64(AppendBench.chunkBytes)), minimumSeconds: minimumSeconds))
                }
            }
        }

        print("  \(Report.left("", 34))\(Report.right("commits", 8))\(Report.right("events", 11))"
              + "\(Report.right("seconds", 9))\(Report.right("cpu", 6))\(Report.right("events/s", 12))"
              + "\(Report.right("MB/s", 9))   events/s per round")
        for batch in AppendBench.batchSizes {
            let runs = logRuns[batch]!
            let m = Measurement.best(runs)
            print("  \(Report.left("log, batch \(Report.grouped(batch))", 34))\(Report.right(Report.grouped(m.operations), 8))"
                  + "\(Report.right(Report.grouped(m.events), 11))\(Report.right(Report.fixed(m.seconds), 9))"
                  + "\(Report.right(Report.fixed(100 * m.cpuSeconds / m.seconds, 0) + "%", 6))"
                  + "\(Report.right(Report.rate(m.eventsPerSecond), 12))\(Report.right(Report.fixed(m.megabytesPerSecond, 1), 9))"
                  + "   \(Report.runs(runs) { $0.eventsPerSecond })")
        }
        let rawRecords = Measurement.best(rawRecordRuns)
        let rawChunks = Measurement.best(rawChunkRuns)
        print("  \(Report.left("raw (a) \(singleCommitBytes) B pwrite+fdatasync", 34))\(Report.right(Report.grouped(rawRecords.operations), 8))"
              + "\(Report.right("", 11))\(Report.right(Report.fixed(rawRecords.seconds), 9))"
              + "\(Report.right(Report.fixed(100 * rawRecords.cpuSeconds / rawRecords.seconds, 0) + "%", 6))"
              + "\(Report.right(Report.rate(rawRecords.operationsPerSecond), 12))\(Report.right(Report.fixed(rawRecords.megabytesPerSecond, 1), 9))"
              + "   syncs/s: \(Report.runs(rawRecordRuns) { $0.operationsPerSecond })")
        print("  \(Report.left("raw (b) 2 MiB pwrite+fdatasync", 34))\(Report.right(Report.grouped(rawChunks.operations), 8))"
              + "\(Report.right("", 11))\(Report.right(Report.fixed(rawChunks.seconds), 9))"
              + "\(Report.right(Report.fixed(100 * rawChunks.cpuSeconds / rawChunks.seconds, 0) + "%", 6))"
              + "\(Report.right("", 12))\(Report.right(Report.fixed(rawChunks.megabytesPerSecond, 1), 9))"
              + "   MB/s: \(rawChunkRuns.map { Report.fixed($0.megabytesPerSecond, 1) }.joined(separator: " / "))")
        print("  (log MB/s counts every byte written: block and record headers included; MB = 10^6 bytes)")
        print("")

        let single = Measurement.best(logRuns[1]!)
        let large = Measurement.best(logRuns[10_000]!)
        print("targets")
        let singleRatio = single.eventsPerSecond / rawRecords.operationsPerSecond
        Report.target("batch 1 events/s ÷ raw (a) syncs/s", measured: singleRatio,
                      shown: Report.fixed(singleRatio), atLeast: 0.5, targetText: "≥ 0.5")
        Report.target("batch 10,000 events/s", measured: large.eventsPerSecond,
                      shown: Report.rate(large.eventsPerSecond), atLeast: 500_000, targetText: "≥ 500,000")
        Report.info("batch 10,000 MB/s ÷ raw (b) MB/s",
                    shown: Report.fixed(large.megabytesPerSecond / rawChunks.megabytesPerSecond))
        print("")

        let (append, report) = try ledgerAppend()
        print("extra (no target): Ledger.append end to end, one JSON Lines file of \(Report.grouped(report.appended)) valid events as one batch")
        print("  (read + JSON parse + field checks + business rules + StoredEvent encode + LogWriter + 1 fdatasync)")
        print("  \(Report.rate(append.eventsPerSecond)) events/s, \(Report.fixed(append.megabytesPerSecond, 1)) MB/s of input JSON, "
              + Report.timing(append))
        print("")
    }

    /// Writes batches of `batch` pool payloads through a new ledger's `LogWriter`, each commit synced.
    private func logRun(pool: PayloadPool, batch: Int, folder: String) throws -> Measurement {
        try Ledger.create(folder: folder, timeZone: Workload.zone)
        let writer = try LogWriter(folder: folder)
        let commitCap = batch >= 10_000 ? Int.max : AppendBench.commitCap
        var m = Measurement()
        var next = 0
        let watch = Stopwatch()
        while m.operations < commitCap && (m.events == 0 || m.events + batch <= events) {
            try writer.begin(recordedMicroseconds: Ledger.currentMicroseconds())
            for _ in 0..<batch {
                try writer.add(pool.payload(next))
                next += 1
            }
            guard let receipt = try writer.commit() else { throw BenchError("a batch of \(batch) committed nothing") }
            m.bytes += receipt.bytes
            m.operations += 1
            m.events += batch
            if watch.seconds >= minimumSeconds { break }
        }
        m.seconds = watch.seconds
        m.cpuSeconds = watch.cpuSeconds
        return m
    }

    /// Appends `events` valid events from a JSON Lines file to a new ledger with `Ledger.append`.
    private func ledgerAppend() throws -> (Measurement, AppendReport) {
        let input = workspace.file("append-input.jsonl")
        let inputBytes = try JSONLinesFile.write(path: input, count: events)
        let ledger = try Ledger.create(folder: workspace.file("ledger-append"), timeZone: Workload.zone)
        let lines = try LineReader(path: input)
        Workspace.settle()
        let watch = Stopwatch()
        let report = try ledger.append(lines)
        var m = Measurement(operations: 1, events: report.appended, bytes: inputBytes)
        m.seconds = watch.seconds
        m.cpuSeconds = watch.cpuSeconds
        guard report.appended == events, report.duplicates == 0 else {
            throw BenchError("Ledger.append took \(report.appended) of \(events) events (\(report.duplicates) duplicates)")
        }
        return (m, report)
    }
}

/// The JSON Lines form of the workload, as `EventEncoder` and `JSONWriter` produce it.
enum JSONLinesFile {
    /// Writes the first `count` events of the stream to a new file at `path`, synced; returns its size.
    static func write(path: String, count: Int) throws -> Int64 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BenchError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var total: Int64 = 0
        var writer = JSONWriter()
        func flush() throws {
            try writer.bytes.withUnsafeBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let written = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw BenchError("write \(path): \(String(cString: strerror(errno)))")
                    }
                    done += written
                }
            }
            total += Int64(writer.bytes.count)
            writer = JSONWriter()
        }
        for index in 0..<count {
            writer.write(EventEncoder.encode(Workload.event(index)))
            writer.newline()
            if writer.bytes.count >= 8 << 20 { try flush() }
        }
        try flush()
        guard fsync(descriptor) == 0 else { throw BenchError("fsync \(path): \(String(cString: strerror(errno)))") }
        return total
    }
}
