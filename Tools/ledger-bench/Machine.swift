#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Wall and CPU time of this process, read before and after a measured piece of work.
struct Stopwatch {
    private let wallStart: Double
    private let cpuStart: Double
    private let queuedStart: Double

    init() {
        queuedStart = Stopwatch.queued()
        wallStart = Stopwatch.wall()
        cpuStart = Stopwatch.cpu()
    }

    /// Seconds since the stopwatch started.
    var seconds: Double { Stopwatch.wall() - wallStart }
    /// CPU seconds (user + system) of the process since the stopwatch started.
    var cpuSeconds: Double { Stopwatch.cpu() - cpuStart }
    /// Seconds the main thread was ready to run but waited for a core since the stopwatch started.
    var queuedSeconds: Double { Stopwatch.queued() - queuedStart }

    /// Fills the times of `m` from this stopwatch.
    func stop(_ m: inout Measurement) {
        m.seconds = seconds
        m.cpuSeconds = cpuSeconds
        m.queuedSeconds = queuedSeconds
    }

    /// The run-queue wait of the main thread so far: field 2 of `/proc/thread-self/schedstat`, in seconds.
    static func queued() -> Double {
        let descriptor = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        guard count > 0 else { return 0 }
        let fields = buffer[0..<count].split(separator: UInt8(ascii: " "))
        guard fields.count >= 2, let nanoseconds = Double(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return nanoseconds * 1e-9
    }

    static func wall() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    static func cpu() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// One timed run: how many operations (commits, syncs, reads), events and bytes it covered and how long it took.
struct Measurement {
    var operations = 0
    var events = 0
    /// Bytes written to or read from the disk, headers included.
    var bytes: Int64 = 0
    var seconds = 0.0
    var cpuSeconds = 0.0
    /// Time the process was ready to run but waited for a core (another process held it).
    var queuedSeconds = 0.0

    /// The share of the wall time spent computing, in percent.
    var cpuPercent: Double { 100 * cpuSeconds / seconds }
    /// The share of the wall time spent waiting for a core, in percent.
    var queuedPercent: Double { 100 * queuedSeconds / seconds }

    var eventsPerSecond: Double { Double(events) / seconds }
    var operationsPerSecond: Double { Double(operations) / seconds }
    /// Megabytes (10^6 bytes) per second.
    var megabytesPerSecond: Double { Double(bytes) / 1e6 / seconds }

    /// The sum of several slices of the same run.
    static func total(_ slices: [Measurement]) -> Measurement {
        slices.reduce(into: Measurement()) { sum, m in
            sum.operations += m.operations
            sum.events += m.events
            sum.bytes += m.bytes
            sum.seconds += m.seconds
            sum.cpuSeconds += m.cpuSeconds
            sum.queuedSeconds += m.queuedSeconds
        }
    }

    /// The fastest of several runs of the same work, by events per second (operations when there are no events).
    static func best(_ runs: [Measurement]) -> Measurement {
        runs.max { a, b in
            a.events > 0 ? a.eventsPerSecond < b.eventsPerSecond : a.operationsPerSecond < b.operationsPerSecond
        }!
    }
}

/// Facts about the machine for the report header.
enum Machine {
    static var processorCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    static var loadAverage: String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static var processorModel: String {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown processor"
    }

    static var kernel: String {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        return "\(field(names.sysname)) \(field(names.release)) \(field(names.machine))"
    }

    /// The device, mount point and file system type holding `path` (the longest matching mount point).
    static func mount(of path: String) -> String {
        let text = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        var best: (device: String, point: String, type: String)?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let point = String(fields[1])
            let covers = point == "/" || path == point || path.hasPrefix(point + "/")
            if covers && point.count >= (best?.point.count ?? -1) {
                best = (String(fields[0]), point, String(fields[2]))
            }
        }
        guard let best else { return "unknown file system" }
        return "\(best.device) mounted on \(best.point) (\(best.type))"
    }

    static var today: String {
        ISO8601DateFormatter().string(from: Date())
    }
}

/// A scratch folder `.bench-tmp-XXXXXX` for one run, removed at the end.
struct Workspace {
    let path: String

    /// Creates the folder inside `parent`, which fixes the disk every figure is measured on.
    init(parent: String) throws {
        var template = Array((parent + "/.bench-tmp-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw BenchError("cannot create a scratch folder in \(parent): \(String(cString: strerror(errno)))")
        }
        let relative = Workspace.string(template)
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        path = realpath(relative, &resolved) != nil ? Workspace.string(resolved) : relative
    }

    /// The text of a NUL-terminated C string.
    private static func string(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A path inside the folder.
    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Flushes every dirty page of the system, so that one phase's writes do not land in the next one's timing.
    static func settle() {
        Glibc.sync()
    }
}

/// A failure of the benchmark itself (not a missed target).
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
