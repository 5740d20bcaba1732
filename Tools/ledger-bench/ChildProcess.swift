#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One run of another program as a child process: its wall time, CPU time, run-queue wait and peak memory.
///
/// The child is started with `posix_spawn` (standard output and error go to files) behind a gate (see
/// `ChildProcess.run`) and traced with `PTRACE_SEIZE` + `PTRACE_O_TRACEEXIT`, so that it stops once on its
/// way out with its memory still mapped: there its `VmHWM` (peak resident set of the program after `exec`)
/// and its `schedstat` (run-queue wait) are read, and it is let go and reaped with `wait4` for its `rusage`
/// (CPU time).
///
/// `ru_maxrss` alone would not do: `posix_spawn` starts the child with `vfork`, and `exec` records the
/// high-water mark of the memory it replaces (this benchmark's own) into the child's `ru_maxrss`, so every
/// child would seem at least as large as the benchmark. When tracing is refused, that upper bound is all
/// there is, and `peakIsExact` says so.
struct ChildRun {
    var seconds = 0.0
    /// User + system CPU seconds of the child (all its threads).
    var cpuSeconds = 0.0
    /// Seconds the child's main thread was ready to run but waited for a core.
    var queuedSeconds = 0.0
    /// Peak resident set size of the child, in bytes.
    var peakBytes = 0
    /// Whether `peakBytes` is the child's own `VmHWM`, rather than `ru_maxrss` (an upper bound; see above).
    var peakIsExact = false
    /// Why the peak is not exact: the `PTRACE_SEIZE` error, no exit stop, or `VmHWM` unreadable.
    var traceProblem: String?
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
    ///
    /// The child is first a `/bin/sh` that waits for one line on a pipe and then `exec`s the program in the
    /// same process: it is traced while it waits, so it can never end before the tracer is attached, and
    /// the clock starts when the line is written. The shell's own start-up (before the gate) is left out
    /// of the wall time, run-queue wait and CPU time (the CPU it used so far, read from its schedstat, is
    /// subtracted), and its memory is replaced by the program's at `exec`, so `VmHWM` is the program's.
    static func run(_ executable: String, _ arguments: [String], scratch: String) throws -> ChildRun {
        let outPath = scratch + ".out"
        let errPath = scratch + ".err"
        var gate: [Int32] = [-1, -1]
        guard pipe(&gate) == 0 else { throw BenchError("pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(gate[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(gate[1], F_SETFD, FD_CLOEXEC)
        var gateOpen = true
        defer {
            if gateOpen { close(gate[1]) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, gate[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let words = ["/bin/sh", "-c", "read -r gate; exec \"$0\" \"$@\"", executable] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        close(gate[0])
        guard spawned == 0 else { throw BenchError("posix_spawn /bin/sh: \(String(cString: strerror(spawned)))") }
        // The shell blocks on the gate until the line below is written, so it is alive to be traced.
        let traced = Ptrace.seize(pid)
        let seizeError = traced ? 0 : errno
        ChildProcess.waitUntilSleeping(pid)
        let before = ChildProcess.schedstat(pid)

        var run = ChildRun()
        if !traced { run.traceProblem = "PTRACE_SEIZE: \(String(cString: strerror(seizeError)))" }
        let started = Stopwatch.wall()
        var newline = UInt8(ascii: "\n")
        _ = write(gate[1], &newline, 1)
        close(gate[1])
        gateOpen = false

        var status: Int32 = 0
        var usage = rusage()
        var after: (runtime: Double, delay: Double)?
        if traced {
            while true {
                if wait4(pid, &status, Ptrace.waitAll, &usage) < 0 {
                    guard errno == EINTR else { throw BenchError("wait4: \(String(cString: strerror(errno)))") }
                    continue
                }
                guard status & 0xff == 0x7f else { break }   // not a stop: the child has ended
                let signal = (status >> 8) & 0xff
                let event = (status >> 16) & 0xff
                var inject: Int32 = 0
                if event == Ptrace.eventExit {
                    if let peak = ChildProcess.peakResident(pid) {
                        run.peakBytes = peak
                        run.peakIsExact = true
                    } else {
                        run.traceProblem = "VmHWM unreadable at the exit stop"
                    }
                    after = ChildProcess.schedstat(pid)
                } else if event == 0 {
                    inject = signal   // a signal on its way to the child: pass it on
                }
                Ptrace.resume(pid, signal: inject)
            }
        } else {
            // Wait for the end without reaping, so that /proc/PID/schedstat still describes the child.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 {
                guard errno == EINTR else { throw BenchError("waitid: \(String(cString: strerror(errno)))") }
            }
            after = ChildProcess.schedstat(pid)
            while wait4(pid, &status, 0, &usage) < 0 {
                guard errno == EINTR else { throw BenchError("wait4: \(String(cString: strerror(errno)))") }
            }
        }
        run.seconds = Stopwatch.wall() - started
        if let after, let before { run.queuedSeconds = max(0, after.delay - before.delay) }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        run.cpuSeconds = max(0, seconds(usage.ru_utime) + seconds(usage.ru_stime) - (before?.runtime ?? 0))
        if !run.peakIsExact {
            run.peakBytes = Int(usage.ru_maxrss) * 1024
            if run.traceProblem == nil { run.traceProblem = "no exit stop" }
        }
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

    /// `VmHWM` of `/proc/PID/status` in bytes, while the process still has its memory.
    private static func peakResident(_ pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
        return kilobytes * 1024
    }

    /// Waits (at most 0.2 s) until the process sleeps: the gate's shell has started and waits for its line.
    private static func waitUntilSleeping(_ pid: pid_t) {
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let close = text.lastIndex(of: ")"), text.index(close, offsetBy: 2) < text.endIndex,
               text[text.index(close, offsetBy: 2)] == "S" {
                return
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
        }
    }

    /// Fields 1 and 2 of `/proc/PID/schedstat` (CPU time and run-queue wait of the main thread) in seconds.
    private static func schedstat(_ pid: pid_t) -> (runtime: Double, delay: Double)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let runtime = Double(fields[0]), let delay = Double(fields[1]) else { return nil }
        return (runtime * 1e-9, delay * 1e-9)
    }
}

/// The few `ptrace` requests the child measurement needs.
///
/// Glibc declares `ptrace` variadic, which Swift cannot call; the symbol is called through a fixed
/// four-argument type instead, which the x86-64 and AArch64 calling conventions pass identically for
/// integer and pointer arguments.
enum Ptrace {
    private typealias Function = @convention(c) (CInt, pid_t, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> CLong
    static let seizeRequest: CInt = 0x4206
    static let continueRequest: CInt = 7
    static let traceExitOption = 0x40
    static let eventExit: Int32 = 6
    /// `__WALL`: wait for the child whatever kind it is.
    static let waitAll: Int32 = 0x4000_0000

    private static func function() -> Function? {
        guard let symbol = dlsym(nil, "ptrace") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }

    /// Attaches to `pid` with an exit stop; false when tracing is refused or the child is already gone.
    static func seize(_ pid: pid_t) -> Bool {
        guard let ptrace = function() else { return false }
        return ptrace(seizeRequest, pid, nil, UnsafeMutableRawPointer(bitPattern: traceExitOption)) == 0
    }

    /// Lets a stopped tracee run on, delivering `signal` (0 for none).
    static func resume(_ pid: pid_t, signal: Int32) {
        guard let ptrace = function() else { return }
        _ = ptrace(continueRequest, pid, nil, UnsafeMutableRawPointer(bitPattern: Int(signal)))
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
