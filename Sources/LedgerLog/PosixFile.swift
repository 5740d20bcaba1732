#if canImport(Glibc)
import Glibc
#endif

/// A file descriptor with write-all, read-all and sync loops that retry on `EINTR`.
///
/// Every operation throws `LogError` naming the path and the system's reason. Opening, writing,
/// syncing and truncating go through `fileSystem` (reads call Glibc directly).
struct PosixFile: ~Copyable {
    let descriptor: Int32
    let path: String
    let fileSystem: FileSystem

    /// Opens `path` with `flags`; new files get mode 0600.
    init(path: String, flags: Int32, fileSystem: FileSystem = .posix) throws(LogError) {
        var descriptor: Int32
        repeat {
            descriptor = fileSystem.open(path, flags | O_CLOEXEC, 0o600)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw .system("open", path, errno) }
        self.descriptor = descriptor
        self.path = path
        self.fileSystem = fileSystem
    }

    deinit {
        _ = Glibc.close(descriptor)
    }

    /// The file's current size in bytes.
    func size() throws(LogError) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .system("stat", path, errno) }
        return Int64(info.st_size)
    }

    /// Writes all of `bytes` at `offset`, looping over short writes.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(LogError) {
        var done = 0
        while done < bytes.count {
            let count = fileSystem.pwrite(descriptor, UnsafeRawBufferPointer(rebasing: bytes[done...]), offset + Int64(done))
            if count < 0 {
                if errno == EINTR { continue }
                throw .system("write", path, errno)
            }
            if count == 0 { throw LogError(.io, "write \(path): no progress", errno: EIO) }
            done += count
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if count < 0 {
                if errno == EINTR { continue }
                throw .system("read", path, errno)
            }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Flushes the file's data and size to stable storage.
    func sync() throws(LogError) {
        while fileSystem.fdatasync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw .system("fsync", path, errno)
        }
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int64) throws(LogError) {
        while fileSystem.ftruncate(descriptor, length) != 0 {
            if errno == EINTR { continue }
            throw .system("truncate", path, errno)
        }
    }

    /// Takes the exclusive advisory lock, failing at once if another open file holds it.
    func tryLock() throws(LogError) -> Bool {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            throw .system("lock", path, errno)
        }
        return true
    }
}

/// Folder operations: listing, creating and syncing.
enum Folder {
    /// Flushes the folder's entries, so that a file created in it survives a crash.
    static func sync(_ path: String, fileSystem: FileSystem = .posix) throws(LogError) {
        let folder = try PosixFile(path: path, flags: O_RDONLY | O_DIRECTORY, fileSystem: fileSystem)
        while fileSystem.fsync(folder.descriptor) != 0 {
            if errno == EINTR { continue }
            throw .system("fsync", path, errno)
        }
    }

    /// Creates the folder with mode 0700; true if it was created, false if it already existed.
    static func create(_ path: String) throws(LogError) -> Bool {
        if mkdir(path, 0o700) == 0 { return true }
        if errno == EEXIST { return false }
        throw .system("create folder", path, errno)
    }

    /// The names of the folder's entries, sorted.
    static func names(_ path: String) throws(LogError) -> [String] {
        guard let stream = opendir(path) else { throw .system("open folder", path, errno) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The folder holding `path` (`.` for a bare name, `/` for a path right under it) and the name in it.
    static func parent(of path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        return (slash == path.startIndex ? "/" : String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    /// Whether `path` exists.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Removes the file at `path`.
    static func remove(_ path: String, fileSystem: FileSystem = .posix) throws(LogError) {
        guard fileSystem.unlink(path) == 0 else { throw .system("remove", path, errno) }
    }
}

/// File operations the layers above the log share: durable creation, whole-file reads, folder listing.
public enum DurableFiles {
    /// The folder holding `path` (`.` for a bare name, `/` for a path right under it).
    public static func folder(of path: String) -> String {
        Folder.parent(of: path).folder
    }

    /// Creates a folder with mode 0700; true if it was created, false if it already existed.
    public static func createFolder(_ path: String) throws(LogError) -> Bool {
        try Folder.create(path)
    }

    /// The sorted names in a folder.
    public static func names(in folder: String) throws(LogError) -> [String] {
        try Folder.names(folder)
    }

    /// Creates a new file (mode 0600) holding `bytes`, synced together with its folder entry.
    ///
    /// If any step fails the file is removed again, so that a full disk leaves no empty or partial file behind.
    public static func create(path: String, bytes: [UInt8]) throws {
        let fileSystem = FileSystem.current
        let file = try PosixFile(path: path, flags: O_WRONLY | O_CREAT | O_EXCL, fileSystem: fileSystem)
        do {
            try bytes.withUnsafeBytes { buffer in try file.write(buffer, at: 0) }
            try file.sync()
            try Folder.sync(Folder.parent(of: path).folder, fileSystem: fileSystem)
        } catch {
            _ = fileSystem.unlink(path)
            throw error
        }
    }

    /// The whole contents of a small file, or nil if it cannot be read.
    public static func contents(of path: String, limit: Int = 1 << 20) -> [UInt8]? {
        guard let file = try? PosixFile(path: path, flags: O_RDONLY), let size = try? file.size(),
              size <= Int64(limit) else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let count = try? bytes.withUnsafeMutableBytes { buffer throws(LogError) in try file.read(into: buffer, at: 0) }
        return count == Int(size) ? bytes : nil
    }
}

extension DurableFiles {
    /// Replaces the file at `path` atomically: writes `chunks` to a new file beside it, syncs it,
    /// renames it over `path` and syncs the folder, so a crash leaves either the old file or the new one.
    public static func replace(path: String, chunks: [[UInt8]]) throws {
        try replace(path: path) { file in
            for chunk in chunks {
                try chunk.withUnsafeBytes { bytes in try file.append(bytes) }
            }
        }
    }

    /// Replaces the file at `path` atomically with what `body` writes to a `ReplacementFile`, which is then committed.
    public static func replace(path: String, bufferSize: Int = 1 << 20, _ body: (ReplacementFile) throws -> Void) throws {
        let file = try ReplacementFile(path: path, bufferSize: bufferSize)
        try body(file)
        try file.commit()
    }
}

/// A new file that replaces `path` atomically on `commit()`: written beside it under a name of this process's own
/// (`path.new-PID`), through a fixed buffer, then synced, renamed over `path`, and the folder synced, so a crash
/// leaves either the old file or the new one. Dropped uncommitted, the new file is removed.
///
/// The first failed write is kept: `append`, `overwrite` and `flush` throw it from then on, and so does `commit`,
/// so a writer may also ignore their errors and learn of the failure at the end.
public final class ReplacementFile {
    /// The file replaced.
    public let path: String
    private let temporary: String
    private let file: PosixFile
    private let buffer: UnsafeMutableRawBufferPointer
    /// Bytes in `buffer`, not yet written; they belong at `size - buffered`.
    private var buffered = 0
    /// The bytes appended so far, written or still buffered.
    public private(set) var size: Int64 = 0
    private var failure: LogError?
    private var committed = false
    /// Whether the new file still has its own name (`removeName`).
    private var named = true

    /// Starts the new file; `path` is untouched until `commit()`.
    public init(path: String, bufferSize: Int = 1 << 20) throws(LogError) {
        precondition(bufferSize > 0, "a replacement file needs a buffer")
        let fileSystem = FileSystem.current
        self.path = path
        temporary = path + ".new-\(getpid())"
        ReplacementFile.removeAbandoned(beside: path, fileSystem: fileSystem)
        file = try PosixFile(path: temporary, flags: O_WRONLY | O_CREAT | O_EXCL, fileSystem: fileSystem)
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    /// Removes the temporaries of `path` that processes which no longer run left when they stopped before
    /// committing (killed mid-write), and this process's own; a running process's temporary is left to it.
    public static func removeAbandoned(beside path: String) {
        removeAbandoned(beside: path, fileSystem: FileSystem.current)
    }

    /// `removeAbandoned(beside:)` through `fileSystem`.
    private static func removeAbandoned(beside path: String, fileSystem: FileSystem) {
        let (folder, file) = Folder.parent(of: path)
        let prefix = file + ".new-"
        for name in (try? Folder.names(folder)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid > 0 else { continue }
            if pid == getpid() || (kill(pid, 0) == -1 && errno == ESRCH) {
                _ = fileSystem.unlink(folder + "/" + name)
            }
        }
    }

    deinit {
        buffer.deallocate()
        if !committed && named { _ = file.fileSystem.unlink(temporary) }
    }

    /// Adds `bytes` at the end of the file; they reach it when the buffer fills, or at `flush`.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(LogError) {
        var rest = bytes
        while !rest.isEmpty {
            if buffered == 0 && rest.count >= buffer.count {
                // Nothing to gather: a large piece goes straight to the file.
                try write(rest, at: size)
                size += Int64(rest.count)
                return
            }
            let taken = min(rest.count, buffer.count - buffered)
            UnsafeMutableRawBufferPointer(rebasing: buffer[buffered..<(buffered + taken)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[0..<taken]))
            buffered += taken
            size += Int64(taken)
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            if buffered == buffer.count { try flush() }
        }
    }

    /// Writes the buffered bytes to the file.
    public func flush() throws(LogError) {
        if let failure { throw failure }
        guard buffered > 0 else { return }
        try write(UnsafeRawBufferPointer(rebasing: buffer[0..<buffered]), at: size - Int64(buffered))
        buffered = 0
    }

    /// Overwrites bytes already appended, at `offset`, such as a header whose fields are known only at the end.
    public func overwrite(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(LogError) {
        precondition(offset >= 0 && offset <= size - Int64(bytes.count), "only bytes already appended are overwritten")
        try flush()
        try write(bytes, at: offset)
    }

    /// Writes the buffered bytes and gives the new file's own path, to read it before (or without) committing it:
    /// a scratch file, which is removed when this is dropped uncommitted.
    public func written() throws(LogError) -> String {
        try flush()
        return temporary
    }

    /// Removes the new file's own name, for a scratch file read through a descriptor opened before (`written()`
    /// gives the name): the file lives on while it is open, takes no name another file could need, and nothing is
    /// left behind when the process dies. Such a file is never committed. False when the name could not be
    /// removed; it is then removed when this is dropped.
    public func removeName() -> Bool {
        precondition(!committed, "a committed file has no name of its own")
        guard file.fileSystem.unlink(temporary) == 0 else { return false }
        named = false
        return true
    }

    /// Writes the buffered bytes, syncs the new file, renames it over `path` and syncs the folder.
    public func commit() throws(LogError) {
        precondition(named, "a file without its own name is never committed")
        try flush()
        try file.sync()
        guard file.fileSystem.rename(temporary, path) == 0 else { throw .system("rename", temporary, errno) }
        committed = true
        try Folder.sync(Folder.parent(of: path).folder, fileSystem: file.fileSystem)
    }

    /// Writes `bytes` at `offset`, unless an earlier write failed; either failure is thrown, and kept.
    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(LogError) {
        if let failure { throw failure }
        do {
            try file.write(bytes, at: offset)
        } catch {
            failure = error
            throw error
        }
    }
}

/// Whether paths exist.
public enum FileStatus {
    public static func exists(_ path: String) -> Bool {
        Folder.exists(path)
    }
}
