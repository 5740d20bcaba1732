#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSONText
import Ledger
import LedgerGenerator
import LedgerLog
import WarrantyDomain
import WarrantyProjections

/// `ledger-bench projections`: the acceptance figures of the projections on a generated ledger of N units.
///
/// 1. Build: the generator's events (`EventGenerator`, seed 1) checked and folded into a `LedgerState`
///    (for their streams), written as `StoredEvent` payloads through `LogWriter` in batches of 10,000;
///    the first 1,000,000 events also go to a second ledger for step 4.
/// 2. Full rebuild: the real `ledger --dir D rebuild` as a child process, with no snapshot present:
///    events/s, and its peak resident memory (`ru_maxrss` of the child) per unit.
/// 3. `ledger --dir D status SERIAL --as-of 2025-12-31 --json` as a child process, warm snapshot, for
///    random serials, interleaved with `ledger help` and `ledger --dir D log --limit 1`.
/// 4. The fold of the first 1,000,000 events decoded from the binary log against the same fold of the same
///    events decoded from JSON Lines by Foundation's `JSONDecoder`.
struct ProjectionBench {
    let workspace: Workspace
    let units: Int
    static let seed: UInt64 = 1
    static let batch = 10_000
    static let zone = TimeZoneOffset.chinaStandard
    static let asOf = "2025-12-31"
    let rebuildRuns = 3
    let statusSamples = 30
    let foldRuns = 3
    let prefixLimit = 1_000_000

    func run() throws {
        let ledgerBinary = try ChildProcess.siblingExecutable("ledger")
        print("== projections: \(Report.grouped(units)) units from EventGenerator (seed \(ProjectionBench.seed)), "
              + "the ledger binary as a child process ==")
        print("ledger binary: \(ledgerBinary) (modified \(ProjectionBench.modified(ledgerBinary)))")
        let folder = workspace.file("ledger")
        let prefixFolder = workspace.file("ledger-prefix")

        // 1. Build.
        let built = try build(folder: folder, prefixFolder: prefixFolder)
        ProjectionBench.trimHeap()   // give the build's state back to the system before the children run
        fflush(nil)

        // 2. Full rebuild.
        let rebuild = try rebuildFigures(binary: ledgerBinary, folder: folder, built: built)
        fflush(nil)

        // 3. status of one unit.
        let status = try statusFigures(binary: ledgerBinary, folder: folder, built: built)
        ProjectionBench.trimHeap()
        fflush(nil)

        // 4. Binary fold against the JSON baseline.
        let fold = try foldFigures(prefixFolder: prefixFolder, events: built.prefixEvents)
        fflush(nil)

        // 5. append of one line onto the warm snapshot (last: it adds events to the ledger).
        try appendFigures(binary: ledgerBinary, folder: folder, built: built)
        fflush(nil)

        print("targets (units = \(Report.grouped(units)) sold; the state holds \(Report.grouped(built.unitsInState)) "
              + "with replacements)")
        Report.target("full rebuild (ledger rebuild) events/s", measured: rebuild.best.eventsPerSecond,
                      shown: Report.rate(rebuild.best.eventsPerSecond), atLeast: 2_000_000, targetText: "≥ 2,000,000")
        ProjectionBench.targetAtMost("rebuild peak RSS ÷ units (bytes)", measured: rebuild.perUnit,
                                     shown: Report.fixed(rebuild.perUnit, 0), atMost: 256, targetText: "≤ 256")
        ProjectionBench.targetAtMost("  same, less an idle `ledger help` RSS", measured: rebuild.perUnitLessIdle,
                                     shown: Report.fixed(rebuild.perUnitLessIdle, 0), atMost: 256, targetText: "≤ 256")
        ProjectionBench.targetAtMost("status (whole process) median ms", measured: status.medianMilliseconds,
                                     shown: Report.fixed(status.medianMilliseconds, 1), atMost: 50, targetText: "≤ 50")
        Report.info("binary fold ÷ JSONDecoder fold, events/s", shown: Report.fixed(fold.ratio, 1) + "×")
        print("")
    }

    // MARK: 1. Build

    struct Built {
        var events = 0
        var prefixEvents = 0
        var measurement = Measurement()
        /// Units sold plus replacements introduced by exchanges.
        var unitsInState = 0
        var counts: [EventType: Int] = [:]
        var withKey = 0
        var streams = 0
        var serials: [String] = []
        /// Void targets not found among the recent events and read back from the log instead.
        var logLookups = 0
    }

    private func build(folder: String, prefixFolder: String) throws -> Built {
        let zone = ProjectionBench.zone
        let ledger = try Ledger.create(folder: folder, timeZone: zone)
        try Ledger.create(folder: prefixFolder, timeZone: zone)
        let writer = try LogWriter(folder: folder, creating: true)
        let prefixWriter = try LogWriter(folder: prefixFolder, creating: true)
        var state = LedgerState()
        var versions: [String: UInt32] = [:]
        var recent = RecentEvents()
        var sampler = Sampler(count: statusSamples, seed: ProjectionBench.seed)
        var built = Built()
        var payload: [UInt8] = []
        payload.reserveCapacity(4096)
        var seq: Int64 = 0
        var open = false
        var prefixOpen = false

        func commit() throws {
            if open, let receipt = try writer.commit() { built.measurement.bytes += receipt.bytes }
            if prefixOpen { try prefixWriter.commit() }
            open = false
            prefixOpen = false
            built.measurement.operations += 1
        }

        let watch = Stopwatch()
        for event in EventGenerator(GeneratorConfiguration(units: units, seed: ProjectionBench.seed)) {
            seq += 1
            var target: Event?
            var targetSeq: Int64 = 0
            if case .eventVoided(let void) = event.body {
                targetSeq = void.seq
                target = recent.event(at: void.seq)
                if target == nil {
                    built.logLookups += 1
                    if void.seq > writer.lastSeq { try commit() }
                    target = try ledger.event(at: void.seq)
                }
            }
            do throws(Refusal) {
                let known = target
                try state.check(event) { wanted in wanted == targetSeq ? known : recent.event(at: wanted) }
            } catch {
                throw BenchError("seq \(seq): the generator's \(event.type.rawValue) is refused: \(error.reason) "
                                 + "(a bug of the generator or of the rules; the build stops here)")
            }
            if !open {
                try writer.begin(recordedMicroseconds: Ledger.currentMicroseconds())
                open = true
            }
            if seq <= Int64(prefixLimit) && !prefixOpen {
                try prefixWriter.begin(recordedMicroseconds: Ledger.currentMicroseconds())
                prefixOpen = true
            }
            let stream = state.stream(of: event, target: target)
            let version = (versions[stream] ?? 0) + 1
            versions[stream] = version
            payload.removeAll(keepingCapacity: true)
            StoredEvent(stream: stream, version: version, event: event).encode(into: &payload)
            let written = try writer.add(payload)
            guard written == seq else { throw BenchError("the log gave seq \(written) to event \(seq)") }
            if prefixOpen { try prefixWriter.add(payload) }
            state.apply(event, seq: seq, target: target)
            recent.note(event, seq: seq)

            built.counts[event.type, default: 0] += 1
            if event.id != nil { built.withKey += 1 }
            switch event.body {
            case .unitSold(let sale):
                built.unitsInState += 1
                sampler.offer(sale.serial)
            case .unitExchanged: built.unitsInState += 1
            default: break
            }
            if seq % Int64(ProjectionBench.batch) == 0 { try commit() }
        }
        if open || prefixOpen { try commit() }
        built.measurement.events = Int(seq)
        watch.stop(&built.measurement)
        built.events = Int(seq)
        built.prefixEvents = min(prefixLimit, built.events)
        built.streams = versions.count
        built.serials = sampler.picked
        guard built.events > 0, !built.serials.isEmpty else { throw BenchError("the generator made no units") }

        let m = built.measurement
        print("build: \(Report.grouped(built.events)) events checked (LedgerState.check), folded for their streams and written "
              + "through LogWriter in \(Report.grouped(m.operations)) batches (fdatasync each)")
        print("       \(Report.timing(m)), \(Report.rate(m.eventsPerSecond)) events/s, "
              + "\(Report.fixed(Double(m.bytes) / 1e6, 1)) MB of segments (\(Report.fixed(Double(m.bytes) / Double(built.events), 1)) B/event); "
              + "generator included (no target)")
        print("       every event accepted by check; \(built.logLookups) void target(s) read back from the log; "
              + "prefix ledger: first \(Report.grouped(built.prefixEvents)) events")
        let mix = EventType.allCases.compactMap { type in
            built.counts[type].map { "\(type.rawValue) \(Report.grouped($0))" }
        }
        print("mix: " + mix.joined(separator: ", "))
        print("     \(Report.grouped(built.withKey)) events with an idempotency key; \(Report.grouped(built.streams)) streams; "
              + "\(Report.grouped(built.unitsInState)) units in the state (sold + replacements)")
        print("")
        Workspace.settle()
        return built
    }

    // MARK: 2. Full rebuild

    struct RebuildFigures {
        var best: Measurement
        var perUnit: Double
        var perUnitLessIdle: Double
    }

    private func rebuildFigures(binary: String, folder: String, built: Built) throws -> RebuildFigures {
        print("== full rebuild: `ledger --dir D rebuild` as a child process, no snapshot present (removed before each run), "
              + "interleaved with an in-process scan + decode of the same log ==")
        let snapshotPath = folder + "/state.snapshot"
        let scratch = workspace.file("child")
        var idles: [ChildRun] = []
        var rebuilds: [ChildRun] = []
        var scans: [Measurement] = []
        var reported: [Double] = []
        for _ in 0..<rebuildRuns {
            idles.append(try ChildProcess.run(binary, ["help"], scratch: scratch))
            unlink(snapshotPath)
            Workspace.settle()
            let run = try ChildProcess.run(binary, ["--dir", folder, "rebuild"], scratch: scratch)
            guard run.succeeded else {
                print("  ledger rebuild FAILED (\(run.ending)) after \(Report.fixed(run.seconds, 1)) s: "
                      + "a refused or trapping event in the generated log, or a bug of the fold")
                print(run.output + run.errorOutput)
                throw BenchError("ledger rebuild failed (\(run.ending)): \(run.errorOutput.prefix(2_000))")
            }
            guard run.output.contains("rebuilt: \(built.events) events") else {
                throw BenchError("ledger rebuild did not report \(built.events) events:\n\(run.output)")
            }
            reported.append(ProjectionBench.reportedSeconds(run.output) ?? .nan)
            rebuilds.append(run)
            scans.append(try scanDecode(folder: folder, expected: built.events))
        }
        // The usual case in operation: rebuild while a valid snapshot exists, which is folded to and compared.
        let compared = try ChildProcess.run(binary, ["--dir", folder, "rebuild"], scratch: scratch)
        guard compared.succeeded, compared.output.contains("equal to the state rebuilt") else {
            throw BenchError("ledger rebuild with a snapshot present failed (\(compared.ending)):\n\(compared.output)\(compared.errorOutput)")
        }

        let runs = rebuilds.map { $0.measurement(events: built.events) }
        let best = Measurement.best(runs)
        let peak = rebuilds.map(\.peakBytes).max() ?? 0
        let idle = Spread(idles.map { Double($0.peakBytes) }).median
        let perUnit = Double(peak) / Double(units)
        let perUnitLessIdle = (Double(peak) - idle) / Double(units)

        print("  \(Report.left("", 52))\(Report.right("events/s", 12))\(Report.right("seconds", 9))"
              + "\(Report.sharesHeader)\(Report.right("peak RSS", 11))   per run")
        func mb(_ bytes: Double) -> String { Report.fixed(bytes / 1_048_576, 1) + " MiB" }
        print("  \(Report.left("ledger rebuild, whole process (best of \(rebuildRuns))", 52))"
              + "\(Report.right(Report.rate(best.eventsPerSecond), 12))\(Report.right(Report.fixed(best.seconds, 2), 9))"
              + "\(Report.shares(best))\(Report.right(mb(Double(peak)), 11))   "
              + Report.runs(runs) { $0.eventsPerSecond } + " events/s")
        print("  \(Report.left("  its own figure (\"rebuilt: … in X s\", snapshot write included)", 52))"
              + "\(Report.right(Report.rate(Double(built.events) / Spread(reported).minimum), 12))"
              + "\(Report.right(Report.fixed(Spread(reported).minimum, 2), 9))")
        let scan = Measurement.best(scans)
        print("  \(Report.left("baseline: in-process LogReader.scan + StoredEvent decode", 52))"
              + "\(Report.right(Report.rate(scan.eventsPerSecond), 12))\(Report.right(Report.fixed(scan.seconds, 2), 9))"
              + "\(Report.shares(scan))\(Report.right("", 11))   " + Report.runs(scans) { $0.eventsPerSecond } + " events/s")
        let comparedRun = compared.measurement(events: built.events)
        print("  \(Report.left("extra: rebuild with a valid snapshot present (1 run)", 52))"
              + "\(Report.right(Report.rate(comparedRun.eventsPerSecond), 12))\(Report.right(Report.fixed(comparedRun.seconds, 2), 9))"
              + "\(Report.shares(comparedRun))\(Report.right(mb(Double(compared.peakBytes)), 11))   "
              + "(folds, loads the snapshot, compares, writes)")
        print("  idle `ledger help`: peak RSS \(mb(idle)) (median of \(idles.count)), the fixed overhead of a process")
        print("  peak RSS per unit: \(Report.fixed(perUnit, 0)) B (\(mb(Double(peak))) ÷ \(Report.grouped(units)) units); "
              + "less the idle RSS: \(Report.fixed(perUnitLessIdle, 0)) B; per unit in the state: "
              + "\(Report.fixed(Double(peak) / Double(built.unitsInState), 0)) B")
        print("  peak RSS per run: " + rebuilds.map { mb(Double($0.peakBytes)) }.joined(separator: " / ")
              + "; snapshot file: \(Report.fixed(Double(ProjectionBench.fileSize(snapshotPath)) / 1e6, 1)) MB")
        print("  (child cpu = its user + system time ÷ wall; queued = its main thread's run-queue wait ÷ wall)")
        print("  " + ProjectionBench.peakSource(rebuilds + idles + [compared]))
        Report.noiseNote(runs + [scan])
        print("")
        return RebuildFigures(best: best, perUnit: perUnit, perUnitLessIdle: perUnitLessIdle)
    }

    /// Reads every record of the log and decodes its payload, in this process.
    private func scanDecode(folder: String, expected: Int) throws -> Measurement {
        let watch = Stopwatch()
        let reader = try LogReader(folder: folder)
        var count = 0
        var sink = 0
        let summary = try reader.scan { record in
            let stored = try StoredEvent(decoding: record.payload)
            sink &+= Int(stored.version) &+ Int(stored.event.day.ordinal)
            count += 1
            return true
        }
        var m = Measurement(operations: 1, events: count, bytes: summary.committedBytes)
        watch.stop(&m)
        guard count == expected, sink != 0 else { throw BenchError("the log held \(count) events, expected \(expected)") }
        return m
    }

    // MARK: 3. status

    struct StatusFigures {
        var medianMilliseconds: Double
    }

    private func statusFigures(binary: String, folder: String, built: Built) throws -> StatusFigures {
        let serials = built.serials
        print("== status of one unit: `ledger --dir D status SERIAL --as-of \(ProjectionBench.asOf) --json` as a child process, "
              + "warm snapshot, \(serials.count) random serials ==")
        print("   interleaved with the baselines `ledger help` (process start) and `ledger --dir D log --limit 1` "
              + "(start + open the ledger + read one event)")
        let scratch = workspace.file("child")
        var statusRuns: [ChildRun] = []
        var helpRuns: [ChildRun] = []
        var logRuns: [ChildRun] = []
        for (round, serial) in serials.enumerated() {
            let kinds = [0, 1, 2].map { ($0 + round) % 3 }
            for kind in kinds {
                switch kind {
                case 0:
                    let run = try ChildProcess.run(binary, ["--dir", folder, "status", serial, "--as-of", ProjectionBench.asOf, "--json"],
                                                   scratch: scratch)
                    guard run.succeeded, run.output.contains("\"\(serial)\"") else {
                        throw BenchError("status \(serial) failed (\(run.ending)): \(run.output.prefix(500))\(run.errorOutput.prefix(1_000))")
                    }
                    statusRuns.append(run)
                case 1:
                    helpRuns.append(try ChildProcess.run(binary, ["help"], scratch: scratch))
                default:
                    let run = try ChildProcess.run(binary, ["--dir", folder, "log", "--limit", "1"], scratch: scratch)
                    guard run.succeeded else { throw BenchError("log --limit 1 failed (\(run.ending)): \(run.errorOutput)") }
                    logRuns.append(run)
                }
            }
        }

        // One dealer's claims (its units only, from the snapshot's dealer index) and, once, every dealer's.
        let ledger = try Ledger(folder: folder)
        let day = Day(ProjectionBench.asOf)!
        guard let dealer = try ledger.state(forUnit: serials[0]).unitStatus(serial: serials[0], on: day)?.dealer else {
            throw BenchError("no status for \(serials[0])")
        }
        func claims(_ arguments: [String]) throws -> ChildRun {
            let run = try ChildProcess.run(binary, ["--dir", folder, "claims", "--as-of", ProjectionBench.asOf, "--json"] + arguments,
                                           scratch: scratch)
            guard run.succeeded, run.output.hasPrefix("[") else {
                throw BenchError("claims \(arguments) failed (\(run.ending)): \(run.errorOutput.prefix(1_000))")
            }
            return run
        }
        let dealerRuns = try (0..<5).map { _ in try claims(["--dealer", dealer]) }
        let allRuns = [try claims([])]

        // In-process: the per-unit path the snapshot offers, and the whole-state load.
        var unitTimes: [Double] = []
        var unitMeasurements: [Measurement] = []
        for serial in serials {
            let watch = Stopwatch()
            let state = try ledger.state(forUnit: serial)
            guard state.unitStatus(serial: serial, on: day) != nil else { throw BenchError("no status for \(serial)") }
            var m = Measurement(operations: 1)
            watch.stop(&m)
            unitTimes.append(m.seconds * 1e3)
            unitMeasurements.append(m)
        }
        let wholeWatch = Stopwatch()
        let whole = try ledger.state()
        guard whole.unitStatus(serial: serials[0], on: day) != nil else { throw BenchError("no status for \(serials[0])") }
        var wholeLoad = Measurement(operations: 1)
        wholeWatch.stop(&wholeLoad)

        print("  \(Report.left("wall ms over \(serials.count) runs each", 52))\(Report.right("min", 9))\(Report.right("median", 9))"
              + "\(Report.right("p90", 9))\(Report.right("max", 9))\(Report.sharesHeader)\(Report.right("peak RSS", 11))")
        func mb(_ bytes: Double) -> String { Report.fixed(bytes / 1_048_576, 1) + " MiB" }
        func row(_ name: String, _ times: [Double], _ ms: [Measurement], peak: Double?) {
            let spread = Spread(times)
            print("  \(Report.left(name, 52))\(Report.right(Report.fixed(spread.minimum, 1), 9))"
                  + "\(Report.right(Report.fixed(spread.median, 1), 9))\(Report.right(Report.fixed(spread.percentile(90), 1), 9))"
                  + "\(Report.right(Report.fixed(spread.maximum, 1), 9))\(Report.shares(Measurement.total(ms)))"
                  + "\(Report.right(peak.map(mb) ?? "", 11))")
        }
        func childRow(_ name: String, _ runs: [ChildRun]) {
            row(name, runs.map { $0.seconds * 1e3 }, runs.map { $0.measurement() },
                peak: Spread(runs.map { Double($0.peakBytes) }).median)
        }
        childRow("ledger status SERIAL --as-of … --json", statusRuns)
        childRow("baseline: ledger help", helpRuns)
        childRow("baseline: ledger --dir D log --limit 1", logRuns)
        childRow("ledger claims --dealer \(dealer) --as-of … --json", dealerRuns)
        childRow("ledger claims --as-of … --json (every dealer)", allRuns)
        print("  extras, in this process (no target):")
        row("  Ledger.state(forUnit:) + unitStatus (snapshot per unit)", unitTimes, unitMeasurements, peak: nil)
        row("  Ledger.state() (whole snapshot: claims, dealers, units…)", [wholeLoad.seconds * 1e3], [wholeLoad], peak: nil)
        print("  (peak RSS: median over runs; cpu/queued: over all runs of the row)")
        print("  " + ProjectionBench.peakSource(statusRuns + helpRuns + logRuns))
        Report.noiseNote([Measurement.total(statusRuns.map { $0.measurement() }),
                          Measurement.total(helpRuns.map { $0.measurement() })])
        print("")
        return StatusFigures(medianMilliseconds: Spread(statusRuns.map { $0.seconds * 1e3 }).median)
    }

    // MARK: 5. append of one line

    /// `ledger append` of one complaint on a live unit as a child process (it loads from the snapshot only that
    /// unit), against the same kind of line appended in this process with the whole fold, as `append` did before.
    private func appendFigures(binary: String, folder: String, built: Built) throws {
        print("== append of one line (a complaint on a random live unit): `ledger --dir D append FILE` as a child process, "
              + "warm snapshot; baseline: the same append in this process with the whole fold ==")
        let ledger = try Ledger(folder: folder)
        let day = Day(ProjectionBench.asOf)!
        let live = try built.serials.filter { serial in
            guard let status = try ledger.state(forUnit: serial).unitStatus(serial: serial, on: day) else { return false }
            return status.state != .returned && status.state != .exchanged
        }
        guard live.count >= 6 else { throw BenchError("fewer than 6 live units among the sampled serials") }
        let scratch = workspace.file("child")
        let input = workspace.file("one-line.jsonl")
        func writeLine(_ number: Int, _ serial: String) throws {
            let line = #"{"type":"complaint.lodged","at":"2026-06-30","id":"bench-c-\#(number)","data":{"complaint":"BENCH-C-\#(number)","serial":"\#(serial)","fault":"bench"}}"# + "\n"
            guard let file = fopen(input, "w") else { throw BenchError("cannot write \(input)") }
            _ = line.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
            fclose(file)
        }
        var runs: [ChildRun] = []
        for (number, serial) in live.prefix(5).enumerated() {
            try writeLine(number, serial)
            let run = try ChildProcess.run(binary, ["--dir", folder, "append", input], scratch: scratch)
            guard run.succeeded, run.output.contains("appended: 1") else {
                throw BenchError("append failed (\(run.ending)): \(run.output.prefix(500))\(run.errorOutput.prefix(1_000))")
            }
            runs.append(run)
        }
        try writeLine(5, live[5])
        let watch = Stopwatch()
        let report = try Ledger.$scopedFolds.withValue(false) { try ledger.append(try LineReader(path: input)) }
        guard report.appended == 1 else { throw BenchError("the whole-fold append did not append its line") }
        var whole = Measurement(operations: 1)
        watch.stop(&whole)
        let times = Spread(runs.map { $0.seconds * 1e3 })
        print("  ledger append (one line), whole process: median \(Report.fixed(times.median, 1)) ms over \(runs.count) runs, "
              + "peak RSS \(Report.fixed(Spread(runs.map { Double($0.peakBytes) }).median / 1_048_576, 1)) MiB")
        print("  baseline, whole fold in this process: \(Report.fixed(whole.seconds * 1e3, 1)) ms "
              + "(\(Report.fixed(whole.seconds * 1e3 / times.median, 1))× the scoped append)")
        print("")
    }

    // MARK: 4. Binary fold against the JSON baseline

    struct FoldFigures {
        var ratio: Double
    }

    private func foldFigures(prefixFolder: String, events: Int) throws -> FoldFigures {
        print("== fold of the first \(Report.grouped(events)) events (same run, same events): binary log against "
              + "Foundation JSONDecoder on their JSON Lines ==")
        let (json, lineEnds, encoded) = try jsonLines(prefixFolder: prefixFolder, expected: events)
        print("JSON Lines: \(Report.fixed(Double(json.count) / 1e6, 1)) MB in memory, "
              + "\(Report.fixed(Double(json.count) / Double(events), 1)) B per line; EventEncoder + JSONWriter made them at "
              + "\(Report.rate(encoded.eventsPerSecond)) events/s")
        Workspace.settle()

        var binaryRuns: [Measurement] = []
        var jsonRuns: [Measurement] = []
        var facadeRuns: [Measurement] = []
        var binaryState: LedgerState?
        var jsonState: LedgerState?
        var facadeState: LedgerState?
        for _ in 0..<foldRuns {
            let (b, bs) = try binaryFold(folder: prefixFolder, expected: events)
            binaryRuns.append(b)
            binaryState = bs
            let (j, js) = try jsonFold(json, lineEnds: lineEnds)
            jsonRuns.append(j)
            jsonState = js
            let (f, fs) = try facadeFold(folder: prefixFolder, expected: events)
            facadeRuns.append(f)
            facadeState = fs
        }
        guard binaryState == jsonState, binaryState == facadeState else {
            throw BenchError("the binary, JSON and Ledger.fold states differ: the baseline's mapping is wrong")
        }
        let binary = Measurement.best(binaryRuns)
        let decoded = Measurement.best(jsonRuns)
        print("  \(Report.left("best of \(foldRuns)", 62))\(Report.right("events/s", 12))\(Report.right("seconds", 9))"
              + "\(Report.sharesHeader)   events/s per run")
        func row(_ name: String, _ all: [Measurement]) {
            let m = Measurement.best(all)
            print("  \(Report.left(name, 62))\(Report.right(Report.rate(m.eventsPerSecond), 12))"
                  + "\(Report.right(Report.fixed(m.seconds, 3), 9))\(Report.shares(m))   \(Report.runs(all) { $0.eventsPerSecond })")
        }
        row("binary: LogReader.scan + StoredEvent decode + LedgerState.apply", binaryRuns)
        row("JSON: JSONDecoder line → Codable → Event + LedgerState.apply", jsonRuns)
        row("extra: Ledger.fold (binary + idempotency keys + stream versions)", facadeRuns)
        print("  (voids' targets come from the recent events in both of the first two; Ledger.fold reads them from the log;")
        print("   the three final states are equal)")
        Report.noiseNote([binary, decoded])
        let ratio = binary.eventsPerSecond / decoded.eventsPerSecond
        print("  binary fold ÷ JSON fold: \(Report.fixed(ratio, 1))×")
        print("")
        return FoldFigures(ratio: ratio)
    }

    /// The prefix ledger's events as JSON Lines in memory, with the offset of every line's `\n`.
    private func jsonLines(prefixFolder: String, expected: Int) throws -> (Data, [Int], Measurement) {
        let ledger = try Ledger(folder: prefixFolder)
        var writer = JSONWriter()
        writer.bytes.reserveCapacity(expected * 300)
        var lineEnds: [Int] = []
        lineEnds.reserveCapacity(expected)
        let watch = Stopwatch()
        try ledger.forEachEvent { logged in
            writer.write(EventEncoder.encode(logged.stored.event))
            lineEnds.append(writer.bytes.count)
            writer.newline()
            return true
        }
        var m = Measurement(events: lineEnds.count, bytes: Int64(writer.bytes.count))
        watch.stop(&m)
        guard lineEnds.count == expected else { throw BenchError("the prefix ledger held \(lineEnds.count) events, expected \(expected)") }
        return (Data(writer.bytes), lineEnds, m)
    }

    private func binaryFold(folder: String, expected: Int) throws -> (Measurement, LedgerState) {
        let watch = Stopwatch()
        let reader = try LogReader(folder: folder)
        var state = LedgerState()
        var recent = RecentEvents()
        var count = 0
        var missing: Int64 = 0
        try reader.scan { record in
            let stored = try StoredEvent(decoding: record.payload)
            var target: Event?
            if case .eventVoided(let void) = stored.event.body {
                target = recent.event(at: void.seq)
                if target == nil { missing = void.seq; return false }
            }
            state.apply(stored.event, seq: record.seq, target: target)
            recent.note(stored.event, seq: record.seq)
            count += 1
            return true
        }
        var m = Measurement(operations: 1, events: count)
        watch.stop(&m)
        guard missing == 0 else { throw BenchError("binary fold: void target seq \(missing) is not among the recent events") }
        guard count == expected else { throw BenchError("binary fold folded \(count) events, expected \(expected)") }
        return (m, state)
    }

    private func jsonFold(_ json: Data, lineEnds: [Int]) throws -> (Measurement, LedgerState) {
        let decoder = JSONDecoder()
        let zone = ProjectionBench.zone
        var state = LedgerState()
        var recent = RecentEvents()
        var start = 0
        var seq: Int64 = 0
        let watch = Stopwatch()
        for end in lineEnds {
            let line = try decoder.decode(CodableEvents.Line.self, from: json[start..<end])
            let event = try line.event(zone: zone)
            seq += 1
            var target: Event?
            if case .eventVoided(let void) = event.body {
                target = recent.event(at: void.seq)
                guard target != nil else { throw BenchError("JSON fold: void target seq \(void.seq) is not among the recent events") }
            }
            state.apply(event, seq: seq, target: target)
            recent.note(event, seq: seq)
            start = end + 1
        }
        var m = Measurement(operations: 1, events: lineEnds.count)
        watch.stop(&m)
        return (m, state)
    }

    private func facadeFold(folder: String, expected: Int) throws -> (Measurement, LedgerState) {
        let watch = Stopwatch()
        let fold = try Ledger(folder: folder).fold()
        var m = Measurement(operations: 1, events: Int(fold.lastSeq))
        watch.stop(&m)
        guard fold.lastSeq == Int64(expected) else { throw BenchError("Ledger.fold ended at seq \(fold.lastSeq), expected \(expected)") }
        return (m, fold.state)
    }

    // MARK: Helpers

    /// Prints a target line for an upper bound, in the format of `Report.target`.
    static func targetAtMost(_ name: String, measured: Double, shown: String, atMost threshold: Double, targetText: String) {
        let verdict = measured <= threshold ? "met" : "MISSED"
        print("  \(Report.left(name, 46)) \(Report.right(shown, 12))   target \(Report.left(targetText, 12)) \(verdict)")
    }

    /// glibc's `malloc_trim(0)`, which Swift's Glibc module does not declare: returns free heap pages to the system.
    static func trimHeap() {
        typealias Trim = @convention(c) (Int) -> CInt
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// Where the peak RSS figures of `runs` come from.
    static func peakSource(_ runs: [ChildRun]) -> String {
        let inexact = runs.filter { !$0.peakIsExact }.count
        if inexact == 0 { return "(peak RSS: the child's VmHWM, read at its exit stop under ptrace)" }
        let reasons = Set(runs.compactMap(\.traceProblem)).sorted().joined(separator: "; ")
        return "(peak RSS: \(inexact) of \(runs.count) runs could not be traced (\(reasons)); theirs is ru_maxrss, an upper "
            + "bound that includes this benchmark's own peak, since posix_spawn uses vfork)"
    }

    /// The seconds of `rebuilt: N events in X s`.
    static func reportedSeconds(_ output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("rebuilt:") }) else { return nil }
        let words = line.split(separator: " ")
        guard let index = words.firstIndex(of: "in"), index + 1 < words.count else { return nil }
        return Double(words[index + 1])
    }

    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    static func modified(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "?" }
        let date = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec))
        return ISO8601DateFormatter().string(from: date)
    }
}

/// The events a void may target, kept for a while so that a fold can hand `apply` its target.
///
/// The generator voids duplicated complaints, mistyped invoices and doubled payments within days of them,
/// and a card keyed with a wrong date right after it: the first three are kept for `keepDays` of business
/// time (after the latest day seen), and every event for the last `ringSize` positions. An older target is
/// looked up elsewhere (the build reads it back from the log; the baselines stop with an error).
struct RecentEvents {
    static let keepDays = 60
    static let ringSize = 256
    private var events: [Int64: Event] = [:]
    private var queue: [(seq: Int64, day: Day)] = []
    private var head = 0
    private var latest = Day(ordinal: .min)
    private var ring = [(seq: Int64, event: Event?)](repeating: (0, nil), count: RecentEvents.ringSize)

    mutating func note(_ event: Event, seq: Int64) {
        ring[Int(seq % Int64(RecentEvents.ringSize))] = (seq, event)
        switch event.body {
        case .complaintLodged, .dealerInvoiced, .paymentReceived: break
        default: return
        }
        events[seq] = event
        queue.append((seq, event.day))
        if event.day > latest { latest = event.day }
        while head < queue.count && queue[head].day.days(to: latest) > RecentEvents.keepDays {
            events[queue[head].seq] = nil
            head += 1
        }
        if head >= 65_536 {
            queue.removeFirst(head)
            head = 0
        }
    }

    func event(at seq: Int64) -> Event? {
        let slot = ring[Int(seq % Int64(RecentEvents.ringSize))]
        if slot.seq == seq, let event = slot.event { return event }
        return events[seq]
    }
}

/// A seeded reservoir sample of `count` serials.
struct Sampler {
    let count: Int
    private(set) var picked: [String] = []
    private var seen = 0
    private var state: UInt64

    init(count: Int, seed: UInt64) {
        self.count = count
        state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func offer(_ serial: String) {
        seen += 1
        if picked.count < count {
            picked.append(serial)
        } else {
            let slot = Int(next() % UInt64(seen))
            if slot < count { picked[slot] = serial }
        }
    }
}
