#if canImport(Glibc)
import Glibc
#endif
import JSONText
import LedgerLog
import WarrantyDomain

/// A file of an export: a `ReplacementFile`, so it is never seen half-written and is removed again if it is never
/// committed, whose write errors are all reported by `commit()`.
public final class ExportFile {
    private let file: ReplacementFile
    public var path: String { file.path }

    /// Starts a new file that will replace `path` on `commit()`.
    public init(path: String) throws(LedgerError) {
        do { file = try ReplacementFile(path: path) } catch { throw LedgerError(error) }
    }

    /// Adds `bytes` at the end of the file; a failure to write them is thrown by `commit()`.
    public func write(_ bytes: [UInt8]) {
        try? bytes.withUnsafeBytes { try file.append($0) }
    }

    public func write(_ text: String) {
        var text = text
        try? text.withUTF8 { try file.append(UnsafeRawBufferPointer($0)) }
    }

    /// Writes what is buffered, syncs the file, renames it over `path` and syncs the folder.
    public func commit() throws(LedgerError) {
        do { try file.commit() } catch { throw LedgerError(error) }
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

/// The folder of a CSV export, written whole into a new folder beside `path` and renamed into place, so that
/// an export is never seen half-written and never mixes two exports' files.
///
/// `path` may be missing, an empty folder, or a folder holding only files named in `names` (a previous
/// export), which the new one replaces; any other existing path is refused (exit 64).
public final class ExportFolder {
    public let path: String
    private let temporary: String
    private let names: Set<String>
    private var committed = false

    public init(path: String, names: Set<String>) throws(LedgerError) {
        // `DIR/` names DIR: the new folder goes beside it, not into it.
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.path = path
        self.names = names
        temporary = path + ".tmp-\(getpid())"
        _ = try Self.previousExport(path, names: names)
        Self.remove(temporary, names: names)
        do {
            guard try DurableFiles.createFolder(temporary) else {
                throw LedgerError(.io, "cannot create \(temporary): it exists and is not a previous export")
            }
        } catch let error as LogError {
            throw LedgerError(error)
        } catch {
            throw LedgerError.wrap(error)
        }
    }

    deinit {
        if !committed { Self.remove(temporary, names: names) }
    }

    /// A file of the export, written into the new folder.
    public func file(_ name: String) throws(LedgerError) -> ExportFile {
        precondition(names.contains(name), "an export file outside the export's names")
        return try ExportFile(path: temporary + "/" + name)
    }

    /// Renames the new folder over `path` (after moving a previous export aside) and syncs the parent folder.
    public func commit() throws(LedgerError) {
        let aside = path + ".old-\(getpid())"
        let previous = try Self.previousExport(path, names: names)
        if previous {
            guard rename(path, aside) == 0 else { throw Self.failure("rename \(path) to \(aside)") }
        }
        guard rename(temporary, path) == 0 else {
            let error = Self.failure("rename \(temporary) to \(path)")
            if previous { rename(aside, path) }
            throw error
        }
        committed = true
        if previous { Self.remove(aside, names: names) }
        let descriptor = open(DurableFiles.folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }

    private static func failure(_ what: String) -> LedgerError {
        LedgerError(.io, "cannot \(what): \(String(cString: strerror(errno)))")
    }

    /// Whether `path` is a folder holding a previous export (false when missing or empty); throws when it
    /// is anything else.
    private static func previousExport(_ path: String, names: Set<String>) throws(LedgerError) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return false }
            throw failure("read \(path)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw LedgerError(.usage, "--out \(path) exists and is not a folder") }
        let found: [String]
        do { found = try DurableFiles.names(in: path) } catch { throw LedgerError(error) }
        if let other = found.first(where: { !names.contains($0) }) {
            throw LedgerError(.usage, "--out \(path) holds \(other), which no export writes: give a new or empty folder, or one holding a previous export")
        }
        return !found.isEmpty
    }

    /// Removes a folder of export files (and what an interrupted `ExportFile` left), if it holds nothing else.
    private static func remove(_ path: String, names: Set<String>) {
        guard let found = try? DurableFiles.names(in: path) else { return }
        for name in found where names.contains(name) || names.contains(where: { name.hasPrefix($0 + ".new-") }) {
            unlink(path + "/" + name)
        }
        rmdir(path)
    }
}

extension Ledger {
    /// Refuses an export path (`--out`) that is this ledger's folder or lies inside it, where it could replace
    /// a segment or a cache. The path itself may not exist yet; its nearest existing folder is resolved.
    public func refuseInside(_ path: String, option: String = "--out") throws(LedgerError) {
        guard let ledgerFolder = Self.resolved(folder) else { return }
        var candidate = path
        var rest: [Substring] = []
        var resolved = Self.resolved(candidate)
        while resolved == nil {
            guard let slash = candidate.lastIndex(of: "/") else {
                rest.insert(Substring(candidate), at: 0)
                resolved = Self.resolved(".")
                break
            }
            rest.insert(candidate[candidate.index(after: slash)...], at: 0)
            candidate = slash == candidate.startIndex ? "/" : String(candidate[..<slash])
            resolved = Self.resolved(candidate)
        }
        guard let resolved else { return }
        // The part that does not exist yet, taken as written: `.` stays, `..` goes up.
        var components = resolved.split(separator: "/").map(String.init)
        for part in rest where !part.isEmpty && part != "." {
            if part == ".." { _ = components.popLast() } else { components.append(String(part)) }
        }
        let full = "/" + components.joined(separator: "/")
        if full == ledgerFolder || full.hasPrefix(ledgerFolder == "/" ? "/" : ledgerFolder + "/") {
            throw LedgerError(.usage, "\(option) \(path) is inside the ledger folder \(folder): write exports elsewhere")
        }
    }

    private static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
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
