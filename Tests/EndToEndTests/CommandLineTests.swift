import Testing

/// Exit codes of SPEC §5 and where the ledger folder is found.
@Suite struct CommandLineTests {
    @Test func initTwiceIsAUsageError() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            let first = try await ledger.run("init")
            #expect(first.status == 0, "\(first)")
            #expect(first.standardError == "")
            let second = try await ledger.run("init")
            #expect(second.status == 64, "\(second)")
            #expect(second.standardOutput == "")
            #expect(second.standardError.hasPrefix("error: "), "\(second)")
            #expect(second.standardError.contains(ledger.folder), "names the folder: \(second)")
            #expect(try await ledger.verified() == Verified(events: 0, head: String(repeating: "0", count: 64)))
        }
    }

    @Test(arguments: [["append", "-"], ["log"], ["verify"]])
    func commandOnAMissingLedger(_ command: [String]) async throws {
        try await withTemporaryFolder { scratch in
            let missing = scratch + "/no-such-ledger"
            let run = try await runLedger(["--dir", missing] + command)
            #expect(run.status == 66, "\(run)")
            #expect(run.standardOutput == "")
            #expect(run.standardError.hasPrefix("error: "), "\(run)")
            #expect(run.standardError.contains(missing), "names the folder: \(run)")
            #expect(try Files.names(scratch).isEmpty, "creates nothing")
        }
    }

    @Test func appendOfAMissingFile() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            let missing = scratch + "/no-such-file.jsonl"
            let run = try await ledger.run("append", missing)
            #expect(run.status == 66, "\(run)")
            #expect(run.standardOutput == "")
            #expect(run.standardError.hasPrefix("error: "), "\(run)")
            #expect(run.standardError.contains(missing), "names the file: \(run)")
            #expect(try await ledger.verified().events == 0)
        }
    }

    @Test(arguments: [
        ["frobnicate"],
        ["verify", "--bogus"],
        ["log", "--frm", "1"],
        ["log", "--limit", "many"],
        ["log", "--from", "0"],
        ["verify", "extra"],
        ["append", "a.jsonl", "b.jsonl"],
        ["log", "--limit"],
        ["init", "--tz", "+25:00"],
    ])
    func usageErrors(_ words: [String]) async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            if words != ["init", "--tz", "+25:00"] {
                try await ledger.initialize()
            }
            let run = try await runLedger(["--dir", ledger.folder] + words)
            #expect(run.status == 64, "\(run)")
            #expect(run.standardOutput == "")
            #expect(run.standardError.hasPrefix("error: "), "\(run)")
            #expect(run.standardError.filter { $0 == "\n" }.count == 1, "\(run)")
        }
    }

    @Test func ledgerDirIsUsedWithoutDir() async throws {
        try await withTemporaryFolder { scratch in
            let fromEnvironment = scratch + "/from-environment"
            let environment = ["LEDGER_DIR": fromEnvironment]
            let created = try await runLedger(["init"], environment: environment, workingDirectory: scratch)
            #expect(created.status == 0, "\(created)")
            #expect(try Files.names(scratch) == ["from-environment"], "created where LEDGER_DIR says")
            #expect(try Files.names(fromEnvironment).contains("LEDGER"))

            let appended = try await runLedger(["append", Fixture.path("base.jsonl")], environment: environment,
                                               workingDirectory: scratch)
            #expect(appended.status == 0, "\(appended)")
            let verified = try await runLedger(["verify"], environment: environment, workingDirectory: scratch)
            #expect(Verified(verified)?.events == 20, "\(verified)")
            #expect(try await TestLedger(scratch: scratch, name: "from-environment").verified().events == 20)

            // `--dir` wins over LEDGER_DIR.
            let elsewhere = scratch + "/elsewhere"
            let overridden = try await runLedger(["--dir", elsewhere, "verify"], environment: environment,
                                                 workingDirectory: scratch)
            #expect(overridden.status == 66, "\(overridden)")
            #expect(overridden.standardError.contains(elsewhere), "\(overridden)")
        }
    }

    @Test func defaultFolderIsLedgerInTheCurrentDirectory() async throws {
        try await withTemporaryFolder { scratch in
            let created = try await runLedger(["init"], workingDirectory: scratch)
            #expect(created.status == 0, "\(created)")
            #expect(try Files.names(scratch) == ["ledger"])
            let verified = try await runLedger(["verify"], workingDirectory: scratch)
            #expect(Verified(verified)?.events == 0, "\(verified)")
        }
    }
}
