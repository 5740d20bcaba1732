import Testing

/// Every refusal rule through the command line: exit 65, one `error: line N: TYPE: reason` line, nothing appended.
@Suite struct RefusalTests {
    @Test func everyRuleHasItsOwnLine() {
        #expect(BadLine.all.count >= 25)
        #expect(Set(BadLine.all.map(\.rule)).count == BadLine.all.count)
        #expect(Set(BadLine.all.map(\.bytes)).count == BadLine.all.count)
    }

    @Test(arguments: BadLine.all)
    func refused(_ bad: BadLine) async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(Fixture.path("base.jsonl"))
            let base = try await ledger.verified()
            #expect(base.events == 20)

            // (a) The bad line alone.
            let alone = try await ledger.run("append", try ledger.input(bad.bytes + [0x0A]))
            check(alone, bad, line: 1)
            #expect(try await ledger.verified() == base, "nothing appended")

            // (b) The bad line last in a batch of valid lines: the whole batch is refused.
            let batch = BadLine.batchPrefix.map { Array($0.utf8) + [0x0A] }.joined() + bad.bytes + [0x0A]
            let last = try await ledger.run("append", try ledger.input(Array(batch)))
            check(last, bad, line: BadLine.batchPrefix.count + 1)
            #expect(try await ledger.verified() == base, "nothing of the batch appended")
            #expect(try await ledger.log().count == 20)
        }
    }

    /// The refusal's exit code and its one line on standard error: `error: line N: ` + type + a reason with the fragments.
    func check(_ run: LedgerRun, _ bad: BadLine, line: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 65, "\(run)", sourceLocation: sourceLocation)
        #expect(run.standardOutput == "", sourceLocation: sourceLocation)
        let error = run.standardError
        #expect(error.hasSuffix("\n") && error.filter { $0 == "\n" }.count == 1, "one line: \(run)",
                sourceLocation: sourceLocation)
        let prefix = "error: line \(line): " + (bad.type.map { "\($0): " } ?? "")
        #expect(error.hasPrefix(prefix), "starts with \(prefix): \(run)", sourceLocation: sourceLocation)
        let reason = error.hasPrefix(prefix) ? String(error.dropFirst(prefix.count)) : error
        for fragment in bad.fragments {
            #expect(reason.contains(fragment), "reason contains \(fragment): \(run)", sourceLocation: sourceLocation)
        }
        for fragment in bad.forbidden {
            #expect(!reason.contains(fragment), "reason does not contain \(fragment): \(run)",
                    sourceLocation: sourceLocation)
        }
        if bad.type == nil {
            let namesAType = RealisticFixtureTests.eventTypes.contains { reason.hasPrefix($0 + ": ") }
            #expect(!namesAType, "no event type is readable: \(run)", sourceLocation: sourceLocation)
        }
    }
}
