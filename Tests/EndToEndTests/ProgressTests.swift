import Foundation
import Testing

/// Long commands show progress on standard error only when it is a terminal.
@Suite struct ProgressTests {
    static let units = "3000"   // about 27,000 events, 5 MB: several 1 MiB chunks, each reported

    @Test func silentWhenStandardErrorIsNotATerminal() async throws {
        try await withTemporaryFolder { scratch in
            let run = try await runLedger(["generate", "--units", Self.units, "--out", scratch + "/g.jsonl"])
            #expect(run.status == 0, "\(run)")
            #expect(run.standardError == "")
        }
    }

    @Test func shownOnATerminalAndClearedAtTheEnd() async throws {
        try await withTemporaryFolder { scratch in
            // `script` runs the command on a pseudo-terminal and copies what it printed into the typescript file.
            let command = "\(try LedgerBinary.path()) generate --units \(Self.units) --out \(scratch)/g.jsonl"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-q", "-e", "-c", command, scratch + "/typescript"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let shown = String(decoding: try Files.bytes(scratch + "/typescript"), as: UTF8.self)
            #expect(shown.contains("\rgenerate: "), "\(shown.debugDescription)")
            #expect(shown.contains(" events  "), "a count and a rate: \(shown.debugDescription)")
            #expect(shown.contains("/s"), "\(shown.debugDescription)")
            #expect(shown.contains("\r\u{1B}[Kgenerated "), "the line is cleared before the summary: \(shown.debugDescription)")
        }
    }
}
