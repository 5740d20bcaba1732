#if canImport(Glibc)
import Glibc
#endif

/// An error of the log layer: what went wrong, where, and the operating system's error number when there is one.
public struct LogError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A system call failed (`errno` says why).
        case io
        /// Stored bytes fail a check: the log was damaged or changed.
        case corrupt
        /// Another process holds the writer lock.
        case locked
        /// The folder or a file does not exist.
        case notFound
        /// A size limit was exceeded.
        case limit
        /// An earlier write or sync failed; the writer refuses more work until reopened.
        case poisoned
    }

    public var kind: Kind
    public var message: String
    public var errno: Int32?

    public init(_ kind: Kind, _ message: String, errno: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.errno = errno
    }

    /// An I/O error for a failed system call, with the system's own words for `code`.
    static func system(_ operation: String, _ path: String, _ code: Int32) -> LogError {
        let reason = String(cString: strerror(code))
        let kind: Kind = code == ENOENT ? .notFound : .io
        return LogError(kind, "\(operation) \(path): \(reason)", errno: code)
    }

    public var description: String { message }
}
