#if canImport(Glibc)
import Glibc
#endif

/// Buffered standard output: many small writes become few system calls.
struct Output: ~Copyable {
    private var buffer: [UInt8] = []

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

    mutating func flush() {
        Output.writeAll(1, buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    deinit {
        Output.writeAll(1, buffer)
    }

    static func standardError(_ text: String) {
        writeAll(2, Array(text.utf8))
    }

    /// Writes everything, retrying on `EINTR`; a closed pipe ends the writing quietly.
    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                done += count
            }
        }
    }
}
