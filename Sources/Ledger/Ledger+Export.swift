#if canImport(Glibc)
import Glibc
#endif
import JSONText
import LedgerLog
import WarrantyDomain

/// A file written under a temporary name and renamed into place only once complete and synced,
/// so an export is never seen half-written; removed again if it is never committed.
public final class ExportFile {
    public let path: String
    private let temporary: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var failure: Int32?

    /// Starts a new file that will replace `path` on `commit()`.
    public init(path: String) throws(LedgerError) {
        self.path = path
        temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LedgerError(errno == ENOENT ? .notFound : .io, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporary)
        }
    }

    public func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }

    public func write(_ text: String) { write(text.utf8) }

    private func flush() {
        guard failure == nil else { return buffer.removeAll(keepingCapacity: true) }
        buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    failure = count < 0 ? errno : EIO
                    return
                }
                done += count
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, syncs the file, renames it over `path` and syncs the folder.
    public func commit() throws(LedgerError) {
        flush()
        if failure == nil && fsync(descriptor) != 0 { failure = errno }
        if let failure {
            throw LedgerError(.io, "cannot write \(temporary): \(String(cString: strerror(failure)))")
        }
        close(descriptor)
        descriptor = -1
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw LedgerError(.io, "cannot rename \(temporary) to \(path): \(String(cString: strerror(code)))")
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }
}

/// Which events an export or history keeps: the first `knownAt` of the log, and of those the ones
/// whose business day is on or before `asOf`.
public struct EventFilter: Sendable {
    public var knownAt: Int64
    public var asOf: Day?

    public init(knownAt: Int64 = .max, asOf: Day? = nil) {
        self.knownAt = knownAt
        self.asOf = asOf
    }

    public func keeps(_ event: Event) -> Bool {
        asOf.map { event.day <= $0 } ?? true
    }
}

extension Ledger {
    /// Creates the folder of a CSV export (mode 0700) unless it exists.
    public static func createExportFolder(_ path: String) throws(LedgerError) {
        do { _ = try DurableFiles.createFolder(path) } catch { throw LedgerError(error) }
    }

    /// Visits the events an export keeps, in log order.
    public func forEachExported(_ filter: EventFilter, _ body: (LoggedEvent) throws(LedgerError) -> Void) throws(LedgerError) {
        guard filter.knownAt > 0 else { return }
        try forEachEvent(through: filter.knownAt) { logged throws(LedgerError) in
            if filter.keeps(logged.stored.event) { try body(logged) }
            return true
        }
    }
}
