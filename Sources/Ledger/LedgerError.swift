/// The one error a user of the ledger sees: an exit code and a message that says what to do.
public struct LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Process exit codes of SPEC §5.
    public enum Code: Int32, Sendable {
        case verificationFailed = 1
        case usage = 64
        case refused = 65
        case notFound = 66
        case io = 74
    }

    public var code: Code
    public var message: String
    /// Whether this is a `StreamVersionGap`, whose first event a rebuild then looks for in the log to name the seq.
    var isVersionGap = false

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Equal when they say the same: the code and the message.
    public static func == (left: LedgerError, right: LedgerError) -> Bool {
        left.code == right.code && left.message == right.message
    }

    /// A stored event whose stream or version is not the one the fold counts for it.
    static func streamVersion(seq: Int64, stored: StoredEvent, stream: String, version: UInt32) -> LedgerError {
        LedgerError(.verificationFailed, "seq \(seq): stored in stream \(stored.stream) version \(stored.version), "
                    + "but the event belongs to stream \(stream) at version \(version)")
    }
}

import LedgerLog

extension LedgerError {
    /// The user-facing form of a log-layer error.
    init(_ error: LogError) {
        switch error.kind {
        case .corrupt: self.init(.verificationFailed, error.message)
        case .notFound: self.init(.notFound, error.message)
        case .limit: self.init(.refused, error.message)
        case .locked: self.init(.io, error.message + ", or let `append --wait SECONDS` wait for it")
        case .io, .poisoned: self.init(.io, error.message)
        }
    }

    /// A stream whose versions a rebuild found not to follow on.
    init(_ gap: StreamVersionGap) {
        self.init(.verificationFailed, "\(gap)")
        isVersionGap = true
    }

    /// Wraps any error thrown below the facade into a `LedgerError`.
    static func wrap(_ error: any Error) -> LedgerError {
        switch error {
        case let error as LedgerError: error
        case let error as LogError: LedgerError(error)
        case let gap as StreamVersionGap: LedgerError(gap)
        default: LedgerError(.io, "\(error)")
        }
    }
}
