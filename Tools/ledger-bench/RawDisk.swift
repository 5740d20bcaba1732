#if canImport(Glibc)
import Glibc
#endif

/// The baseline: what the disk does for plain `pwrite` + `fdatasync` with no log format at all.
///
/// Both runs append to a new file, as the log appends to its segment, so a sync pays for the
/// file's growing size as the log's does.
enum RawDisk {
    /// One `pwrite` of `recordBytes` and one `fdatasync` per record, until `minimumSeconds` or `cap` records.
    static func syncedRecords(path: String, recordBytes: Int, cap: Int, minimumSeconds: Double) throws -> Measurement {
        let file = try RawFile(path: path)
        defer { file.close() }
        let buffer = randomBuffer(recordBytes)
        defer { buffer.deallocate() }
        var m = Measurement()
        let watch = Stopwatch()
        var offset: Int64 = 0
        while m.operations < cap {
            try file.write(UnsafeRawBufferPointer(buffer), at: offset)
            try file.sync()
            offset += Int64(recordBytes)
            m.operations += 1
            if watch.seconds >= minimumSeconds { break }
        }
        m.seconds = watch.seconds
        m.cpuSeconds = watch.cpuSeconds
        m.bytes = offset
        return m
    }

    /// Sequential `pwrite`s of `chunkBytes`, each followed by `fdatasync`, until `minimumSeconds` or `cap` bytes.
    static func syncedChunks(path: String, chunkBytes: Int, cap: Int64, minimumSeconds: Double) throws -> Measurement {
        let file = try RawFile(path: path)
        defer { file.close() }
        let buffer = randomBuffer(chunkBytes)
        defer { buffer.deallocate() }
        var m = Measurement()
        let watch = Stopwatch()
        var offset: Int64 = 0
        while offset < cap {
            try file.write(UnsafeRawBufferPointer(buffer), at: offset)
            try file.sync()
            offset += Int64(chunkBytes)
            m.operations += 1
            if watch.seconds >= minimumSeconds { break }
        }
        m.seconds = watch.seconds
        m.cpuSeconds = watch.cpuSeconds
        m.bytes = offset
        return m
    }

    /// Bytes that no layer below can compress or deduplicate.
    private static func randomBuffer(_ count: Int) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 4096)
        var generator = SystemRandomNumberGenerator()
        for k in 0..<count { buffer[k] = UInt8.random(in: 0...255, using: &generator) }
        return buffer
    }
}

/// A new file opened for writing, created and synced together with its folder entry before any timing.
private struct RawFile {
    let descriptor: Int32
    let path: String

    init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BenchError("open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        try sync()
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let folderDescriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            _ = Glibc.close(folderDescriptor)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError("write \(path): \(String(cString: strerror(errno)))")
            }
            done += count
        }
    }

    func sync() throws {
        while fdatasync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw BenchError("fdatasync \(path): \(String(cString: strerror(errno)))")
        }
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
