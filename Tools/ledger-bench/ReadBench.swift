import Foundation
import JSONText
import Ledger
import LedgerLog
import WarrantyDomain

/// `ledger-bench read`: replaying the binary log against decoding the same events from JSON with Foundation.
struct ReadBench {
    let workspace: Workspace
    let events: Int
    let runs = 3
    static let batch = 10_000

    func run() throws {
        print("== read: replay of \(Report.grouped(events)) stored events (files in the page cache) ==")
        let folder = workspace.file("read-log")
        let written = try buildLog(folder: folder)
        print("log: \(Report.grouped(events)) events written through LogWriter in batches of \(Report.grouped(ReadBench.batch)) "
              + "in \(Report.fixed(written.seconds)) s (\(Report.rate(written.eventsPerSecond)) events/s, StoredEvent encode included)")
        let (json, lineEnds, encoded) = buildJSONLines()
        print("JSON Lines: the same events, \(Report.fixed(Double(json.count) / 1e6, 1)) MB in memory, "
              + "\(Report.fixed(Double(json.count) / Double(events), 1)) B per line; EventEncoder + JSONWriter made them at "
              + "\(Report.rate(encoded.eventsPerSecond)) events/s")
        Workspace.settle()

        var binaryRuns: [Measurement] = []
        var pipelinedRuns: [Measurement] = []
        var jsonRuns: [Measurement] = []
        for _ in 0..<runs {
            binaryRuns.append(try binaryRun(folder: folder, decode: true, checkChain: false))
            pipelinedRuns.append(try pipelinedRun(folder: folder))
            jsonRuns.append(try jsonRun(json, lineEnds: lineEnds))
        }
        let scanRuns = try (0..<runs).map { _ in try binaryRun(folder: folder, decode: false, checkChain: false) }
        let chainRuns = try (0..<runs).map { _ in try binaryRun(folder: folder, decode: true, checkChain: true) }
        var fold = try foldRun(folder: folder)
        fold.bytes = binaryRuns[0].bytes
        let binary = Measurement.best(binaryRuns)
        let decoded = Measurement.best(jsonRuns)
        print("segments: \(Report.fixed(Double(binary.bytes) / 1e6, 1)) MB committed, "
              + "\(Report.fixed(Double(binary.bytes) / Double(events), 1)) B per event on disk")
        print("")

        print("  \(Report.left("best of \(runs)", 58))\(Report.right("events/s", 12))\(Report.right("MB/s", 9))"
              + "\(Report.right("seconds", 9))\(Report.sharesHeader)   events/s per run")
        func row(_ name: String, _ all: [Measurement]) {
            let m = Measurement.best(all)
            print("  \(Report.left(name, 58))\(Report.right(Report.rate(m.eventsPerSecond), 12))"
                  + "\(Report.right(Report.fixed(m.megabytesPerSecond, 1), 9))\(Report.right(Report.fixed(m.seconds, 3), 9))"
                  + "\(Report.shares(m))   \(Report.runs(all) { $0.eventsPerSecond })")
        }
        row("binary: LogReader.scan + StoredEvent(decoding:)", binaryRuns)
        row("binary, decode pipelined on 2 threads (not the target row)", pipelinedRuns)
        row("JSON: Foundation JSONDecoder, line → Codable structs", jsonRuns)
        print("  extras (no target):")
        row("  scan only (framing + CRC-32C checks, no decode)", scanRuns)
        row("  scan with hash chain check + decode (as verify)", chainRuns)
        row("  Ledger.fold: decode + fold into warranty state (1 run)", [fold])
        print("  (binary MB/s counts segment bytes read; JSON MB/s counts JSON text; MB = 10^6 bytes)")
        print("  (targets use the single-threaded binary row; the pipelined row scans on a background thread and")
        print("   decodes on both threads, LogReader.scan(decodingInParallel:); its cpu share counts both threads)")
        Report.noiseNote([binary, decoded])
        print("")

        print("targets")
        Report.target("binary replay events/s", measured: binary.eventsPerSecond,
                      shown: Report.rate(binary.eventsPerSecond), atLeast: 2_000_000, targetText: "≥ 2,000,000")
        let ratio = binary.eventsPerSecond / decoded.eventsPerSecond
        Report.target("binary ÷ JSON events/s", measured: ratio,
                      shown: Report.fixed(ratio, 1) + "×", atLeast: 15, targetText: "≥ 15×")
        print("")
    }

    /// Writes the first `events` events of the workload into a new ledger folder, returning the time it took.
    private func buildLog(folder: String) throws -> Measurement {
        try Ledger.create(folder: folder, timeZone: Workload.zone)
        let writer = try LogWriter(folder: folder, creating: true)
        var payload: [UInt8] = []
        payload.reserveCapacity(1024)
        var m = Measurement()
        let watch = Stopwatch()
        var index = 0
        while index < events {
            try writer.begin(recordedMicroseconds: Ledger.currentMicroseconds())
            let end = min(events, index + ReadBench.batch)
            while index < end {
                payload.removeAll(keepingCapacity: true)
                Workload.stored(index).encode(into: &payload)
                try writer.add(payload)
                index += 1
            }
            if let receipt = try writer.commit() { m.bytes += receipt.bytes }
            m.operations += 1
        }
        m.events = events
        watch.stop(&m)
        return m
    }

    /// The workload as JSON Lines in memory, with the offset of every line's `\n`.
    private func buildJSONLines() -> (Data, [Int], Measurement) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(events * 280)
        var lineEnds: [Int] = []
        lineEnds.reserveCapacity(events)
        let watch = Stopwatch()
        for index in 0..<events {
            var writer = JSONWriter()
            writer.write(EventEncoder.encode(Workload.event(index)))
            bytes.append(contentsOf: writer.bytes)
            lineEnds.append(bytes.count)
            bytes.append(0x0A)
        }
        var m = Measurement(events: events, bytes: Int64(bytes.count))
        watch.stop(&m)
        return (Data(bytes), lineEnds, m)
    }

    /// Reads every record of the log, decoding each payload when `decode` is set.
    private func binaryRun(folder: String, decode: Bool, checkChain: Bool) throws -> Measurement {
        let watch = Stopwatch()
        let reader = try LogReader(folder: folder)
        var count = 0
        var sink = 0
        let summary = try reader.scan(checkChain: checkChain) { record in
            if decode {
                let stored = try StoredEvent(decoding: record.payload)
                sink &+= Int(stored.version) &+ Int(stored.event.day.ordinal)
            } else {
                sink &+= record.payload.count
            }
            count += 1
            return true
        }
        var m = Measurement(operations: 1, events: count, bytes: summary.committedBytes)
        watch.stop(&m)
        guard count == events, sink != 0 else { throw BenchError("the log held \(count) events, expected \(events)") }
        return m
    }

    /// Reads every record and decodes it with `LogReader.scan(decodingInParallel:)`: a background thread
    /// walks the log, both threads decode chunks of records, and this thread consumes them in order.
    private func pipelinedRun(folder: String) throws -> Measurement {
        let watch = Stopwatch()
        let reader = try LogReader(folder: folder)
        var count = 0
        var sink = 0
        let summary = try reader.scan(decodingInParallel: { record in try StoredEvent(decoding: record.payload) }) { stored in
            sink &+= Int(stored.version) &+ Int(stored.event.day.ordinal)
            count += 1
            return true
        }
        var m = Measurement(operations: 1, events: count, bytes: summary?.committedBytes ?? 0)
        watch.stop(&m)
        guard count == events, sink != 0 else { throw BenchError("the log held \(count) events, expected \(events)") }
        return m
    }

    /// Decodes every line with one `JSONDecoder` into `CodableEvents.Line`.
    private func jsonRun(_ json: Data, lineEnds: [Int]) throws -> Measurement {
        let decoder = JSONDecoder()
        var sink = 0
        var start = 0
        let watch = Stopwatch()
        for end in lineEnds {
            let line = try decoder.decode(CodableEvents.Line.self, from: json[start..<end])
            sink &+= line.at.utf8.count
            if case .unitSold(let sale) = line.data { sink &+= Int(sale.price) }
            start = end + 1
        }
        var m = Measurement(operations: 1, events: lineEnds.count, bytes: Int64(json.count))
        watch.stop(&m)
        guard sink != 0 else { throw BenchError("decoded nothing") }
        return m
    }

    /// Replays the log through the facade into warranty state.
    private func foldRun(folder: String) throws -> Measurement {
        let watch = Stopwatch()
        let fold = try Ledger(folder: folder).fold()
        var m = Measurement(operations: 1, events: Int(fold.lastSeq))
        watch.stop(&m)
        guard fold.lastSeq == Int64(events) else { throw BenchError("fold ended at seq \(fold.lastSeq), expected \(events)") }
        return m
    }
}
