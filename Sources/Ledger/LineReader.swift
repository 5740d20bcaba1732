#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into lines without holding more than one buffer of it in memory.
///
/// Lines end at `\n`; a `\r` before it and a UTF-8 byte order mark at the very start are dropped.
public struct LineReader: ~Copyable {
    /// The longest line accepted, in bytes.
    public static let maximumLineBytes = 1 << 20
    private let descriptor: Int32
    private let name: String
    private let ownsDescriptor: Bool
    /// Told the bytes read so far and the input's size (nil for a pipe) after each read.
    public var progress: ProgressHandler?

    /// Reads standard input.
    public static func standardInput() -> LineReader {
        LineReader(descriptor: 0, name: "standard input", ownsDescriptor: false)
    }

    /// Opens `path` for reading.
    public init(path: String) throws(LedgerError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw LedgerError(code == ENOENT ? .notFound : .io, "cannot read \(path): \(String(cString: strerror(code)))")
        }
        self.init(descriptor: descriptor, name: path, ownsDescriptor: true)
    }

    private init(descriptor: Int32, name: String, ownsDescriptor: Bool) {
        self.descriptor = descriptor
        self.name = name
        self.ownsDescriptor = ownsDescriptor
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Calls `body` with each line's number (from 1) and bytes, valid only during the call.
    public func forEachLine(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        let capacity = 4 * LineReader.maximumLineBytes
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var start = 0, end = 0, lineNumber = 0
        var atStart = true
        var endOfInput = false
        var bytesRead: Int64 = 0
        var size: Int64?
        if progress != nil {
            var info = stat()
            if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { size = Int64(info.st_size) }
        }
        while true {
            // Hand out every whole line in the buffer.
            while let newline = memchr(buffer.baseAddress! + start, 0x0A, end - start) {
                let lineEnd = newline - UnsafeMutableRawPointer(buffer.baseAddress!)
                lineNumber += 1
                try deliver(buffer, start, lineEnd, lineNumber, &atStart, body)
                start = lineEnd + 1
            }
            if endOfInput {
                if end > start {
                    lineNumber += 1
                    try deliver(buffer, start, end, lineNumber, &atStart, body)
                }
                return
            }
            if end - start > LineReader.maximumLineBytes {
                throw LedgerError(.refused, "line \(lineNumber + 1): longer than \(LineReader.maximumLineBytes) bytes")
            }
            // Move the partial line to the front and read more.
            if start > 0 {
                (buffer.baseAddress! + 0).copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                end -= start
                start = 0
            }
            let count = read(descriptor, buffer.baseAddress! + end, capacity - end)
            if count < 0 {
                if errno == EINTR { continue }
                throw LedgerError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { endOfInput = true }
            end += count
            bytesRead += Int64(count)
            progress?(bytesRead, size)
        }
    }

    private func deliver(_ buffer: UnsafeMutableRawBufferPointer, _ start: Int, _ end: Int, _ number: Int,
                         _ atStart: inout Bool, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        var from = start, to = end
        if atStart {
            atStart = false
            if to - from >= 3, buffer[from] == 0xEF, buffer[from + 1] == 0xBB, buffer[from + 2] == 0xBF { from += 3 }
        }
        if to > from, buffer[to - 1] == 0x0D { to -= 1 }
        if to - from > LineReader.maximumLineBytes {
            throw LedgerError(.refused, "line \(number): longer than \(LineReader.maximumLineBytes) bytes")
        }
        try body(number, UnsafeRawBufferPointer(rebasing: buffer[from..<to]))
    }
}
