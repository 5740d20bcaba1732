/// ledger-bench: throughput figures of the ledger's log, each printed beside its target (met / MISSED).
///
/// Run from the repository root (every file goes to a scratch folder `.bench-tmp-XXXXXX` in the
/// current directory, or in `--dir`, so the figures are for that disk; it is removed at the end):
///
///     swift run -c release ledger-bench all
///     swift run -c release ledger-bench append [--dir PATH] [--events N] [--seconds S] [--slices K]
///     swift run -c release ledger-bench read [--dir PATH] [--events N]
///
/// `append` — durable writes, every commit synced with `fdatasync`. Each kind writes into its own fresh ledger
/// folder (or raw file) for `--seconds` (default 2) in total, in `--slices` (default 10) time slices that
/// alternate with the kind it is compared to, so both meet the same disturbances; or until its cap (20,000
/// commits for batches of 1 and 100 and for raw (a); N events, default N = 1,000,000):
/// - `log, batch B`: `LogWriter` begin, add × B, commit with StoredEvent payloads (unit.sold, complaint.lodged,
///   visit.recorded, part.swapped, Chinese text, ~140 B); events/s, and MB/s of everything written (headers too).
/// - `raw (a)`: one `pwrite` of a batch-1 commit's size and one `fdatasync` per record on the same disk: the
///   most one-event commits the disk allows. Target: batch-1 events/s ÷ raw (a) syncs/s ≥ 0.5.
/// - `raw (b)`: sequential 2 MiB `pwrite`s, each followed by `fdatasync`: the disk's synced bandwidth, to which
///   batch 10,000 (about 2 MB a commit) is compared (no target). Target: batch 10,000 ≥ 500,000 events/s.
/// - `Ledger.append` (extra, no target): N valid events (a policy, 50 dealers, then units sold, complaints,
///   visits and part swaps) from a JSON Lines file through the facade as one batch: parsing, validation,
///   encoding and the log together.
///
/// `read` — N events (default 1,000,000) written through `LogWriter` in batches of 10,000, then read back
/// from the page cache, best of 3:
/// - `binary`: `LogReader.scan` (checksums, framing) + `StoredEvent(decoding:)` of every record.
///   Target ≥ 2,000,000 events/s.
/// - `JSON`: the same events as `EventEncoder` + `JSONWriter` write them, one Foundation `JSONDecoder`
///   decoding each whole line into Codable structs (one per type, chosen by `type`). Target: binary ÷ JSON ≥ 15.
/// - extras (no target): scan without decoding, scan with the hash chain checked, `Ledger.fold`.
///
/// `projections [--units N]` — N units (default 1,000,000, about 10 events each) from `EventGenerator` written
/// to a ledger, then the real `ledger` binary (built beside this one) as a child process: a full `rebuild`
/// (events/s, target ≥ 2,000,000; peak RSS ÷ units, target ≤ 256 B), `status SERIAL --json` with a warm
/// snapshot (median wall ms, target ≤ 50), and the fold of the first 1,000,000 events from the binary log
/// against Foundation `JSONDecoder` on their JSON Lines. See `ProjectionBench.swift`.
///
/// The machine is shared and noisy. Every row shows `cpu` (share of wall time computing) and `queued`
/// (share spent ready to run but waiting for a core, from /proc/thread-self/schedstat), plus the spread over
/// slices or runs; a note is printed when a reported figure waited more than 10% of its time for a core.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The parsed command line.
struct Options {
    enum Command: String { case append, read, all, projections }
    var command: Command
    var directory = "."
    var events: Int?
    var units: Int?
    var seconds = 2.0
    var slices = 10

    static let usage = """
        usage: ledger-bench append|read|all [--dir PATH] [--events N] [--seconds S] [--slices K]
               ledger-bench projections [--dir PATH] [--units N]
          append   durable append throughput of the log vs the raw disk, plus Ledger.append end to end
          read     replay of N stored events (default 1,000,000) vs Foundation JSONDecoder
          all      both
          projections  rebuild, peak memory and status of the ledger binary on N generated units
                   (default 1,000,000), plus the binary fold vs a JSONDecoder fold of 1,000,000 events
          --dir PATH     where the scratch folder .bench-tmp-XXXXXX goes (default: the current directory)
          --events N     append: most events per batch size and the Ledger.append input (default 1,000,000);
                         read: events in the log (default 1,000,000)
          --units N      projections: units the generator sells (default 1,000,000)
          --seconds S    append: time each kind of run accumulates unless its cap ends it first (default 2)
          --slices K     append: compared kinds alternate in K time slices (default 10)
        """

    init(_ arguments: [String]) throws {
        guard let first = arguments.first, let command = Command(rawValue: first) else {
            throw BenchError(Options.usage)
        }
        self.command = command
        var rest = arguments.dropFirst()
        while let option = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(option) needs a value\n" + Options.usage) }
            switch option {
            case "--dir": directory = value
            case "--events":
                guard let n = Int(value.replacingOccurrences(of: "_", with: "")), n > 0 else {
                    throw BenchError("--events needs a positive whole number")
                }
                events = n
            case "--units":
                guard let n = Int(value.replacingOccurrences(of: "_", with: "")), n > 0 else {
                    throw BenchError("--units needs a positive whole number")
                }
                units = n
            case "--seconds":
                guard let s = Double(value), s >= 0 else { throw BenchError("--seconds needs a number ≥ 0") }
                seconds = s
            case "--slices":
                guard let k = Int(value), k > 0 else { throw BenchError("--slices needs a positive whole number") }
                slices = k
            default: throw BenchError("unknown option \(option)\n" + Options.usage)
            }
        }
    }
}

func printHeader(_ workspace: Workspace) {
    print("ledger-bench \(Machine.today)")
    print("machine: \(Machine.processorCount) cores (nproc), \(Machine.processorModel), \(Machine.kernel)")
    print("load average at start: \(Machine.loadAverage)")
    print("disk: \(workspace.path) on \(Machine.mount(of: workspace.path))")
    #if DEBUG
    print("WARNING: debug build; figures mean nothing. Use: swift run -c release ledger-bench all")
    #endif
    print("")
    fflush(nil)
}

func run(_ options: Options) throws {
    let workspace = try Workspace(parent: options.directory)
    defer { workspace.remove() }
    printHeader(workspace)
    if options.command == .append || options.command == .all {
        try AppendBench(workspace: workspace, events: options.events ?? 1_000_000,
                        minimumSeconds: options.seconds, slices: options.slices).run()
        fflush(nil)
    }
    if options.command == .read || options.command == .all {
        try ReadBench(workspace: workspace, events: options.events ?? 1_000_000).run()
    }
    if options.command == .projections {
        try ProjectionBench(workspace: workspace, units: options.units ?? 1_000_000).run()
    }
    print("load average at end: \(Machine.loadAverage)")
}

let options: Options
do {
    options = try Options(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(64)
}
do {
    try run(options)
} catch {
    fflush(nil)
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
