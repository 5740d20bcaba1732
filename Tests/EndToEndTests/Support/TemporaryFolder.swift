#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs `body` with a new empty folder under /tmp (made by `mkdtemp`) and removes the folder afterwards.
func withTemporaryFolder<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    var template = Array("/tmp/ledger-e2e-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else {
        throw TestFailure("cannot create a temporary folder: \(String(cString: strerror(errno)))")
    }
    let folder = String(cString: created)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}

/// A failure of the test's own machinery (not of the ledger), with a message saying what went wrong.
struct TestFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Reads and writes the small files the tests prepare and damage.
enum Files {
    static func bytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("cannot read \(path)") }
        return [UInt8](data)
    }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func size(_ path: String) throws -> Int {
        try bytes(path).count
    }

    /// Overwrites one byte in place.
    static func poke(_ path: String, offset: Int, _ byte: UInt8) throws {
        let descriptor = open(path, O_WRONLY)
        guard descriptor >= 0 else { throw TestFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var value = byte
        guard pwrite(descriptor, &value, 1, off_t(offset)) == 1 else {
            throw TestFailure("cannot write \(path) at \(offset): \(String(cString: strerror(errno)))")
        }
    }

    static func truncate(_ path: String, to size: Int) throws {
        guard Glibc.truncate(path, off_t(size)) == 0 else {
            throw TestFailure("cannot truncate \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The names in `folder`, sorted.
    static func names(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    /// Replaces `destination` by a copy of the folder `source` (flat: files only).
    static func copyFolder(_ source: String, to destination: String) throws {
        if FileManager.default.fileExists(atPath: destination) {
            try FileManager.default.removeItem(atPath: destination)
        }
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: false)
        for name in try names(source) {
            try write(destination + "/" + name, try bytes(source + "/" + name))
        }
    }
}
