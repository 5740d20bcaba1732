import Foundation
import Testing

/// A ledger folder inside a test's temporary folder, driven through the `ledger` executable.
struct TestLedger: Sendable {
    /// The test's temporary folder; inputs are written here.
    let scratch: String
    /// The ledger folder passed as `--dir`.
    let folder: String

    init(scratch: String, name: String = "ledger") {
        self.scratch = scratch
        self.folder = scratch + "/" + name
    }

    /// Runs `ledger --dir FOLDER arguments...`.
    func run(_ arguments: String..., standardInput: String? = nil) async throws -> LedgerRun {
        try await runLedger(["--dir", folder] + arguments, standardInput: standardInput)
    }

    /// `ledger init`, which must succeed.
    func initialize(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let run = try await run("init")
        #expect(run.status == 0, "\(run)", sourceLocation: sourceLocation)
        guard run.status == 0 else { throw TestFailure("ledger init failed: \(run)") }
    }

    /// Writes `bytes` to a new file in the scratch folder and returns its path.
    func input(_ bytes: [UInt8]) throws -> String {
        let path = scratch + "/input-\(UUID().uuidString).jsonl"
        try Files.write(path, bytes)
        return path
    }

    /// Writes `lines` as JSON Lines to a new file in the scratch folder and returns its path.
    func input(lines: [String]) throws -> String {
        try input(Array(lines.map { $0 + "\n" }.joined().utf8))
    }

    /// `ledger append FILE` of the given lines.
    func append(lines: [String]) async throws -> LedgerRun {
        try await run("append", try input(lines: lines))
    }

    /// `ledger append FILE` of a file, which must succeed.
    @discardableResult
    func appendSucceeding(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> LedgerRun {
        let run = try await run("append", path)
        #expect(run.status == 0, "\(run)", sourceLocation: sourceLocation)
        guard run.status == 0 else { throw TestFailure("ledger append failed: \(run)") }
        return run
    }

    /// `ledger verify`, which must succeed: the event count and the head digest it prints.
    func verified(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Verified {
        let run = try await run("verify")
        #expect(run.status == 0, "\(run)", sourceLocation: sourceLocation)
        guard run.status == 0, let verified = Verified(run) else { throw TestFailure("ledger verify failed: \(run)") }
        return verified
    }

    /// The lines `ledger log` prints, which must succeed.
    func log(sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String] {
        let run = try await run("log")
        #expect(run.status == 0, "\(run)", sourceLocation: sourceLocation)
        #expect(run.standardError == "", sourceLocation: sourceLocation)
        return run.outputLines
    }

    /// The path of the folder's only segment file.
    func segmentPath() throws -> String {
        let segments = try Files.names(folder).filter { $0.hasSuffix(".seg") }
        guard segments.count == 1 else { throw TestFailure("expected one segment in \(folder), found \(segments)") }
        return folder + "/" + segments[0]
    }
}

/// What `ledger verify` printed: `verified: N events ...` and `head: HEX`.
struct Verified: Equatable, Sendable, CustomStringConvertible {
    var events: Int
    var head: String

    init(events: Int, head: String) {
        self.events = events
        self.head = head
    }

    init?(_ run: LedgerRun) {
        guard let summary = run.field("verified"), let head = run.field("head"),
              let count = summary.split(separator: " ").first.flatMap({ Int($0) }),
              summary.hasPrefix("\(count) event") else { return nil }
        self.init(events: count, head: head)
    }

    var description: String { "\(events) events, head \(head)" }
}

/// The frozen input files under `Fixtures/`.
enum Fixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    static func path(_ name: String) -> String {
        folder + "/" + name
    }

    /// The fixture's lines, without line ends.
    static func lines(_ name: String) throws -> [String] {
        let text = String(decoding: try Files.bytes(path(name)), as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }
}

/// Whether `text` is 64 lowercase hexadecimal digits: a SHA-256 digest as the ledger prints it.
func isDigest(_ text: String?) -> Bool {
    guard let text else { return false }
    return text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
}

/// Parses one JSON object line.
func jsonObject(_ line: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
}
