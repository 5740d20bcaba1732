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
    /// The time each kind of run accumulates, spread over `slices` slices.
    let minimumSeconds: Double
    let slices: Int

    /// Commits (or syncs) per run for batch sizes 1 and 100 and for raw (a) stop here even before
    /// `minimumSeconds`; a fast disk syncs a few thousand times a second, so time usually ends a run first.
    static let commitCap = 20_000
    /// Raw write size for comparison with batch 10,000 (whose commits are about 2 MB).
    static let chunkBytes = 2 << 20
    /// At most this much is written by raw (b), whatever the time.
    static let chunkByteCap: Int64 = 4 << 30

    func run() throws {
        print("== append: durable appends through LogWriter (begin, add × batch, commit = pwrite + fdatasync) ==")
        let pool = PayloadPool(count: 40_000)
        let recordOverhead = LogFormat.recordHeaderSize
        let commitOverhead = LogFormat.blockHeaderSize
        print("payloads: StoredEvent-encoded unit.sold / complaint.lodged / visit.recorded / part.swapped with Chinese text,")
        print("          \(Report.fixed(pool.averageBytes, 1)) B average (\(pool.minimumBytes)–\(pool.maximumBytes) B), "
              + "\(Report.fixed(pool.averageBytes + Double(recordOverhead), 1)) B per record on disk "
              + "(+\(recordOverhead) B record header, +\(commitOverhead) B per block)")
        print("each kind: one fresh ledger folder (or raw file), \(Report.fixed(minimumSeconds, 1)) s in \(slices) slices "
              + "alternating with the kind it is compared to,")
        print("           or until its cap: \(Report.grouped(AppendBench.commitCap)) commits (batches 1 and 100, raw (a)), "
              + "\(Report.grouped(events)) events")
        print("")

        let sliceSeconds = minimumSeconds / Double(slices)
        let singleCommitBytes = Int((Double(commitOverhead + recordOverhead) + pool.averageBytes).rounded())
        let cap = AppendBench.commitCap
        let pair1 = try interleave([
            (try LogSteps(pool: pool, batch: 1, folder: workspace.file("log-batch1")), cap, events, .max),
            (try RawWriter(path: workspace.file("raw-records"), chunkBytes: singleCommitBytes), cap, .max, .max),
        ], slices: slices, sliceSeconds: sliceSeconds)
        let hundred = try interleave([
            (try LogSteps(pool: pool, batch: 100, folder: workspace.file("log-batch100")), cap, events, .max),
        ], slices: slices, sliceSeconds: sliceSeconds)
        let pair2 = try interleave([
            (try LogSteps(pool: pool, batch: 10_000, folder: workspace.file("log-batch10000")), .max, events, .max),
            (try RawWriter(path: workspace.file("raw-chunks"), chunkBytes: AppendBench.chunkBytes), .max, .max,
             AppendBench.chunkByteCap),
        ], slices: slices, sliceSeconds: sliceSeconds)

        print("  \(Report.left("", 34))\(Report.right("commits", 8))\(Report.right("events", 11))"
              + "\(Report.right("seconds", 9))\(Report.sharesHeader)\(Report.right("events/s", 12))"
              + "\(Report.right("MB/s", 9))   range over slices")
        func row(_ name: String, _ slices: [Measurement], rate: (Measurement) -> Double, unit: String) -> Measurement {
            let m = Measurement.total(slices)
            let rates = slices.map(rate)
            func shown(_ value: Double) -> String { unit == "MB/s" ? Report.fixed(value, 1) : Report.rate(value) }
            let spread = "\(shown(rates.min() ?? 0))–\(shown(rates.max() ?? 0)) \(unit)"
            print("  \(Report.left(name, 34))\(Report.right(Report.grouped(m.operations), 8))"
                  + "\(Report.right(m.events > 0 ? Report.grouped(m.events) : "", 11))"
                  + "\(Report.right(Report.fixed(m.seconds), 9))\(Report.shares(m))"
                  + "\(Report.right(unit == "MB/s" ? "" : Report.rate(rate(m)), 12))"
                  + "\(Report.right(Report.fixed(m.megabytesPerSecond, 1), 9))   \(spread)")
            return m
        }
        let single = row("log, batch 1", pair1[0], rate: \.eventsPerSecond, unit: "events/s")
        _ = row("log, batch 100", hundred[0], rate: \.eventsPerSecond, unit: "events/s")
        let large = row("log, batch 10,000", pair2[0], rate: \.eventsPerSecond, unit: "events/s")
        let rawRecords = row("raw (a) \(singleCommitBytes) B pwrite+fdatasync", pair1[1], rate: \.operationsPerSecond,
                             unit: "syncs/s")
        let rawChunks = row("raw (b) 2 MiB pwrite+fdatasync", pair2[1], rate: \.megabytesPerSecond, unit: "MB/s")
        print("  (raw (a) events/s column: syncs/s. Log MB/s counts every byte written, block and record headers")
        print("   included; MB = 10^6 bytes. cpu/queued: shares of wall time computing / waiting for a core)")
        Report.noiseNote([single, Measurement.total(hundred[0]), large, rawRecords, rawChunks])
        print("")

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
        Report.noiseNote([append])
        print("")
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
        watch.stop(&m)
        guard report.appended == events, report.duplicates == 0 else {
            throw BenchError("Ledger.append took \(report.appended) of \(events) events (\(report.duplicates) duplicates)")
        }
        return (m, report)
    }
}

/// Batches of `batch` pool payloads written through a new ledger's `LogWriter`, each commit synced.
final class LogSteps: SyncedSteps {
    private let writer: LogWriter
    private let pool: PayloadPool
    private let batch: Int
    private var next = 0

    init(pool: PayloadPool, batch: Int, folder: String) throws {
        try Ledger.create(folder: folder, timeZone: Workload.zone)
        writer = try LogWriter(folder: folder, creating: true)
        self.pool = pool
        self.batch = batch
    }

    func step() throws -> (events: Int, bytes: Int64) {
        try writer.begin(recordedMicroseconds: Ledger.currentMicroseconds())
        for _ in 0..<batch {
            try writer.add(pool.payload(next))
            next += 1
        }
        guard let receipt = try writer.commit() else { throw BenchError("a batch of \(batch) committed nothing") }
        return (batch, receipt.bytes)
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
