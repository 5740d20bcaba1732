#if canImport(Glibc)
import Glibc
#endif

/// The system calls by which the log changes files: the seam through which tests inject faults.
///
/// Each closure behaves as the Glibc call it is named after: it returns -1 (or a negative count)
/// and sets `errno` on failure. `posix` calls Glibc directly. Tests replace it for the length of
/// an operation with `FileSystem.$current.withValue(double) { ... }`; a `LogWriter` captures
/// `current` when it opens and a `ReplacementFile` when it is created, `DurableFiles` reads it per
/// call. Reads never go through the seam.
@_spi(Testing) public struct FileSystem: Sendable {
    public var open: @Sendable (_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32
    public var pwrite: @Sendable (_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, _ offset: Int64) -> Int
    /// `fdatasync` for files.
    public var fdatasync: @Sendable (_ descriptor: Int32) -> Int32
    /// `fsync` for folders.
    public var fsync: @Sendable (_ descriptor: Int32) -> Int32
    public var ftruncate: @Sendable (_ descriptor: Int32, _ length: Int64) -> Int32
    public var rename: @Sendable (_ from: String, _ to: String) -> Int32
    public var unlink: @Sendable (_ path: String) -> Int32

    public init(open: @escaping @Sendable (String, Int32, mode_t) -> Int32,
                pwrite: @escaping @Sendable (Int32, UnsafeRawBufferPointer, Int64) -> Int,
                fdatasync: @escaping @Sendable (Int32) -> Int32,
                fsync: @escaping @Sendable (Int32) -> Int32,
                ftruncate: @escaping @Sendable (Int32, Int64) -> Int32,
                rename: @escaping @Sendable (String, String) -> Int32,
                unlink: @escaping @Sendable (String) -> Int32) {
        self.open = open
        self.pwrite = pwrite
        self.fdatasync = fdatasync
        self.fsync = fsync
        self.ftruncate = ftruncate
        self.rename = rename
        self.unlink = unlink
    }

    /// The real file system.
    public static let posix = FileSystem(
        open: { path, flags, mode in Glibc.open(path, flags, mode) },
        pwrite: { descriptor, bytes, offset in Glibc.pwrite(descriptor, bytes.baseAddress, bytes.count, off_t(offset)) },
        fdatasync: { descriptor in Glibc.fdatasync(descriptor) },
        fsync: { descriptor in Glibc.fsync(descriptor) },
        ftruncate: { descriptor, length in Glibc.ftruncate(descriptor, off_t(length)) },
        rename: { from, to in Glibc.rename(from, to) },
        unlink: { path in Glibc.unlink(path) })

    /// The file system used by writers opened, and `DurableFiles` calls made, in the current task.
    @TaskLocal public static var current = FileSystem.posix
}
