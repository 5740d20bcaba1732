#if canImport(Glibc)
import Glibc
#endif
import Ledger

/// Buffered standard output: many small writes become few system calls, and a failed write is remembered.
struct Output: ~Copyable {
    private var buffer: [UInt8] = []
    /// The first write error, so a full disk or closed pipe ends the command with exit 74, not a silent cut.
    private var failure: Int32?

    init() {
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    deinit {
        if failure == nil { _ = Output.writeAll(1, buffer) }
    }

    mutating func flush() {
        if failure == nil, let code = Output.writeAll(1, buffer) { failure = code }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and throws if any write failed.
    mutating func finish() throws(LedgerError) {
        flush()
        if let failure {
            throw LedgerError(.io, "cannot write standard output: \(String(cString: strerror(failure)))")
        }
    }

    static func standardError(_ text: String) {
        _ = writeAll(2, Array(text.utf8))
    }

    /// Writes everything, retrying on `EINTR`; returns the error number of a failed write.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { raw -> Int32? in
            var done = 0
            while done < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return count < 0 ? errno : EIO }
                done += count
            }
            return nil
        }
    }
}
