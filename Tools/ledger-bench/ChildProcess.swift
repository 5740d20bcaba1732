#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One run of another program as a child process: its wall time, CPU time, run-queue wait and peak memory.
///
/// The child is started with `posix_spawn`, its standard output and error go to files, and once it has
/// exited it is first waited for without being reaped (`waitid` with `WNOWAIT`), so that its
/// `/proc/PID/schedstat` (CPU time and run-queue wait of its main thread) can still be read, and then
/// reaped with `wait4`, which gives its own `rusage`: `ru_maxrss` is its peak resident set (VmHWM).
struct ChildRun {
    var seconds = 0.0
    /// User + system CPU seconds of the child (all its threads).
    var cpuSeconds = 0.0
    /// Seconds the child's main thread was ready to run but waited for a core.
    var queuedSeconds = 0.0
    /// Peak resident set size of the child, in bytes.
    var peakBytes = 0
    /// The exit code, or nil when a signal ended the child.
    var exitCode: Int32?
    var signal: Int32 = 0
    var output = ""
    var errorOutput = ""

    /// The times as a `Measurement`, for the report's cpu and queued columns.
    func measurement(events: Int = 0) -> Measurement {
        Measurement(operations: 1, events: events, bytes: 0, seconds: seconds, cpuSeconds: cpuSeconds,
                    queuedSeconds: queuedSeconds)
    }

    /// `exit 0`, `exit 1` or `signal 6`.
    var ending: String {
        exitCode.map { "exit \($0)" } ?? "signal \(signal)"
    }

    var succeeded: Bool { exitCode == 0 }
}

enum ChildProcess {
    /// The `ledger` binary built beside this benchmark's own binary (the same build folder).
    static func siblingExecutable(_ name: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { throw BenchError("cannot read /proc/self/exe: \(String(cString: strerror(errno)))") }
        let me = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let folder = String(me[..<(me.lastIndex(of: "/") ?? me.startIndex)])
        let path = folder + "/" + name
        guard access(path, X_OK) == 0 else {
            throw BenchError("""
                no executable \(path): build it into the same folder as ledger-bench, e.g.
                  swift build -c release --product \(name) --scratch-path <the scratch path of ledger-bench>
                """)
        }
        return path
    }

    /// Runs `executable` with `arguments` to its end; its output goes to `scratch`.out/.err and is read back.
    static func run(_ executable: String, _ arguments: [String], scratch: String) throws -> ChildRun {
        let outPath = scratch + ".out"
        let errPath = scratch + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        var pid: pid_t = 0
        let started = Stopwatch.wall()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError("posix_spawn \(executable): \(String(cString: strerror(spawned)))") }

        // Wait for the end without reaping, so that /proc/PID still describes the child.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 {
            guard errno == EINTR else { throw BenchError("waitid: \(String(cString: strerror(errno)))") }
        }
        var run = ChildRun()
        run.seconds = Stopwatch.wall() - started
        run.queuedSeconds = schedstatDelay(pid)

        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4: \(String(cString: strerror(errno)))") }
        }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        run.cpuSeconds = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        run.peakBytes = Int(usage.ru_maxrss) * 1024
        if status & 0x7f == 0 {
            run.exitCode = (status >> 8) & 0xff
        } else {
            run.signal = status & 0x7f
        }
        run.output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        run.errorOutput = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        unlink(outPath)
        unlink(errPath)
        return run
    }

    /// Field 2 of `/proc/PID/schedstat` (run-queue wait of the main thread) in seconds; 0 when unreadable.
    private static func schedstatDelay(_ pid: pid_t) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let nanoseconds = Double(fields[1]) else { return 0 }
        return nanoseconds * 1e-9
    }
}

/// Order statistics of a list of figures.
struct Spread {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.sorted() }

    var minimum: Double { sorted.first ?? .nan }
    var maximum: Double { sorted.last ?? .nan }
    /// The median (mean of the middle two for an even count).
    var median: Double {
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The nearest-rank percentile `p` (0...100).
    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}
