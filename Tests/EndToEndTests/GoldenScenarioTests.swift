import Foundation
import Testing

/// The scenarios under `Snapshots/scenarios/`, replayed through the built binary and compared with their golden answers.
///
/// Each scenario is appended to a fresh ledger (`init --tz +08:00`), verified, and every query of its `queries.txt`
/// is run with `--json` and compared byte for byte with its golden file. With `RECORD_SNAPSHOTS` set the golden
/// files are written instead; check every new answer by hand against SPEC §3 before keeping it.
@Suite struct GoldenScenarioTests {
    @Test(arguments: GoldenScenario.names)
    func answersMatchTheGoldenFiles(_ name: String) async throws {
        let scenario = GoldenScenario(name: name)
        let queries = try scenario.queries()
        #expect(!queries.isEmpty, "\(name)/queries.txt lists no query")
        try await withTemporaryFolder { scratch in
            let ledger = try await Self.ledger(appending: scenario.eventsPath, in: scratch)
            let events = try scenario.eventCount()
            let verified = try await ledger.verified()
            #expect(verified.events == events, "\(name): verify counts \(verified.events) events, events.jsonl has \(events)")
            var runs: [(GoldenQuery, String)] = []

            for query in queries {
                let run = try await runLedger(["--dir", ledger.folder] + query.arguments)
                defer { runs.append((query, run.standardOutput)) }
                #expect(run.status == query.exit, "\(name)/\(query.golden): \(run)")
                #expect(!run.signalled, "\(name)/\(query.golden): \(run)")
                if query.exit == 0 {
                    #expect(run.standardError == "", "\(name)/\(query.golden): \(run)")
                }
                let path = scenario.folder + "/" + query.golden
                if GoldenScenario.recording {
                    try Files.write(path, Array(run.standardOutput.utf8))
                    continue
                }
                guard FileManager.default.fileExists(atPath: path) else {
                    Issue.record("\(name)/\(query.golden) is missing: record it with RECORD_SNAPSHOTS=1 (\(query))")
                    continue
                }
                let golden = String(decoding: try Files.bytes(path), as: UTF8.self)
                if let diff = firstDifference(golden: golden, actual: run.standardOutput) {
                    Issue.record("\(name)/\(query.golden) differs from `\(query)`:\n\(diff)")
                }
            }

            // With a snapshot, the same answers: one unit's or one dealer's records read from it, and the answers
            // over every dealer gathered one dealer's state at a time (the whole fold for a known-at before it).
            // First with the snapshot at the head; then in a second ledger, with the snapshot after the first half
            // of the events and the rest appended after it, so that the answers read a tail too.
            let rebuilt = try await ledger.run("rebuild")
            #expect(rebuilt.status == 0 && FileManager.default.fileExists(atPath: ledger.folder + "/state.snapshot"), "\(rebuilt)")
            let lines = try String(decoding: Files.bytes(scenario.eventsPath), as: UTF8.self).split(separator: "\n")
            let half = TestLedger(scratch: scratch, name: "half")
            #expect(try await half.run("init", "--tz", "+08:00").status == 0)
            for (part, slice) in [lines[..<(lines.count / 2)], lines[(lines.count / 2)...]].enumerated() {
                let path = scratch + "/part-\(part).jsonl"
                try Files.write(path, Array(slice.joined(separator: "\n").utf8) + [0x0A])
                _ = try await half.appendSucceeding(path)
                if part == 0 { #expect(try await half.run("rebuild").status == 0) }
            }
            for folder in [ledger.folder, half.folder] {
                for (query, first) in runs {
                    let run = try await runLedger(["--dir", folder] + query.arguments)
                    #expect(run.status == query.exit && run.standardOutput == first,
                            "\(name)/\(query.golden) from a snapshot (\(folder)): \(run)")
                }
            }

            // Every golden file belongs to a query: a stale one would never be checked again.
            let expected = Set(queries.map(\.golden))
            if GoldenScenario.recording {
                for stale in try scenario.goldenFiles() where !expected.contains(stale) {
                    try FileManager.default.removeItem(atPath: scenario.folder + "/" + stale)
                }
            } else {
                let stale = try scenario.goldenFiles().filter { !expected.contains($0) }
                #expect(stale.isEmpty, "\(name): golden files without a query in queries.txt: \(stale)")
            }
        }
    }

    @Test func everyScenarioFolderIsComplete() throws {
        #expect(GoldenScenario.names.count >= 6, "scenarios found in \(GoldenScenario.root): \(GoldenScenario.names)")
        #expect(GoldenScenario.names.contains("harvester"))
        for name in GoldenScenario.names {
            for file in ["events.jsonl", "queries.txt", "README.md"] {
                #expect(FileManager.default.fileExists(atPath: GoldenScenario.root + "/\(name)/\(file)"),
                        "\(name) has no \(file)")
            }
        }
    }

    /// The answers printed in `harvester.expected.md` beside SPEC.md, field by field (order and extra fields free).
    @Test(.enabled(if: HarvesterExample.isPresent,
                   "../shared/examples/harvester.expected.md is not beside the repository: the worked example is not checked"))
    func harvesterGivesTheWorkedExampleAnswers() async throws {
        let scenario = GoldenScenario(name: "harvester")
        if FileManager.default.fileExists(atPath: HarvesterExample.eventsPath) {
            #expect(try Files.bytes(HarvesterExample.eventsPath) == Files.bytes(scenario.eventsPath),
                    "Snapshots/scenarios/harvester/events.jsonl is no longer the example's harvester.jsonl")
        }
        let answers = try HarvesterExample.answers()
        #expect(answers.count >= 7, "answers read from \(HarvesterExample.expectedPath): \(answers.count)")
        try await withTemporaryFolder { scratch in
            let ledger = try await Self.ledger(appending: scenario.eventsPath, in: scratch)
            for answer in answers {
                let command = "ledger " + answer.words.joined(separator: " ")
                let expected = try #require(try? JSONSerialization.jsonObject(with: Data(answer.json.utf8)),
                                            "the example's answer to `\(command)` is not JSON:\n\(answer.json)")
                let arguments = answer.words.contains("--json") ? answer.words : answer.words + ["--json"]
                let run = try await runLedger(["--dir", ledger.folder] + arguments)
                #expect(run.status == 0, "\(run)")
                guard run.status == 0 else { continue }
                let actual = try #require(try? JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)),
                                          "`\(command)` printed no JSON:\n\(run.standardOutput)")
                let differences = fieldDifferences(expected: expected, actual: actual)
                #expect(differences.isEmpty,
                        "`\(command)` departs from harvester.expected.md:\n\(differences.joined(separator: "\n"))")
            }
        }
    }

    /// A fresh ledger in `scratch` with the business time zone +08:00 and the events of `path` appended.
    static func ledger(appending path: String, in scratch: String) async throws -> TestLedger {
        let ledger = TestLedger(scratch: scratch)
        let created = try await ledger.run("init", "--tz", "+08:00")
        #expect(created.status == 0, "\(created)")
        guard created.status == 0 else { throw TestFailure("ledger init failed: \(created)") }
        let appended = try await ledger.appendSucceeding(path)
        #expect(appended.field("duplicates") == "0", "\(appended)")
        return ledger
    }
}
