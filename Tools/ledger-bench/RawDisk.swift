#if canImport(Glibc)
import Glibc
#endif

/// One durable step that a benchmark repeats: a log commit, or a raw write followed by a sync.
protocol SyncedSteps: AnyObject {
    /// Does one step and returns the events and bytes it made durable.
    func step() throws -> (events: Int, bytes: Int64)
}

/// The baseline: `pwrite` + `fdatasync` of a fixed-size chunk with no log format at all.
///
/// It appends to a new file, as the log appends to its segment, so a sync pays for the file's
/// growing size as the log's does.
final class RawWriter: SyncedSteps {
    private let descriptor: Int32
    private let path: String
    private let chunk: UnsafeMutableRawBufferPointer
    private var offset: Int64 = 0

    /// Creates the file, synced together with its folder entry, and a chunk of `chunkBytes` random bytes
    /// that no layer below can compress or deduplicate.
    init(path: String, chunkBytes: Int) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BenchError("open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        chunk = .allocate(byteCount: chunkBytes, alignment: 4096)
        var generator = SystemRandomNumberGenerator()
        for k in 0..<chunkBytes { chunk[k] = UInt8.random(in: 0...255, using: &generator) }
        try sync()
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let folderDescriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            _ = close(folderDescriptor)
        }
    }

    deinit {
        _ = close(descriptor)
        chunk.deallocate()
    }

    /// Writes the chunk after the previous one and syncs the file.
    func step() throws -> (events: Int, bytes: Int64) {
        var done = 0
        while done < chunk.count {
            let count = pwrite(descriptor, chunk.baseAddress! + done, chunk.count - done, off_t(offset) + off_t(done))
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError("write \(path): \(String(cString: strerror(errno)))")
            }
            done += count
        }
        try sync()
        offset += Int64(chunk.count)
        return (0, Int64(chunk.count))
    }

    private func sync() throws {
        while fdatasync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw BenchError("fdatasync \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Runs several step kinds in alternating time slices, so that each meets the same disturbances of a shared machine.
///
/// In every slice each kind runs for `sliceSeconds` (at least one step) unless it has reached its cap;
/// the result holds, per kind, one measurement per slice in which it ran.
func interleave(_ kinds: [(steps: SyncedSteps, operationCap: Int, eventCap: Int, byteCap: Int64)],
                slices: Int, sliceSeconds: Double) throws -> [[Measurement]] {
    var results = [[Measurement]](repeating: [], count: kinds.count)
    var totals = [Measurement](repeating: Measurement(), count: kinds.count)
    for _ in 0..<slices {
        for (index, kind) in kinds.enumerated() {
            func capped(_ m: Measurement) -> Bool {
                m.operations >= kind.operationCap || m.events >= kind.eventCap || m.bytes >= kind.byteCap
            }
            guard !capped(totals[index]) else { continue }
            Workspace.settle()
            var slice = Measurement()
            let watch = Stopwatch()
            repeat {
                let (events, bytes) = try kind.steps.step()
                slice.operations += 1
                slice.events += events
                slice.bytes += bytes
                totals[index].operations += 1
                totals[index].events += events
                totals[index].bytes += bytes
            } while watch.seconds < sliceSeconds && !capped(totals[index])
            watch.stop(&slice)
            results[index].append(slice)
        }
    }
    return results
}
