import Foundation
import Testing

/// `ledger writeoff-draft` through the built binary: the draft is accepted as is and settles every approved line;
/// `reconcile` stays clean on a generated network before and after.
@Suite struct FinanceWriteoffTests {
    @Test func draftOfTheWriteoffScenarioIsAcceptedAndSettlesTheDealer() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            let draft = try await ledger.run("writeoff-draft", "WA", "--as-of", "2025-07-01")
            #expect(draft.status == 0, "\(draft)")
            #expect(draft.outputLines == [
                #"{"type":"cost.written-off","at":"2025-07-01","data":{"notice":"WO-WA-2025-07-01","dealer":"WA","lines":["V-A2"],"amount":1500}}"#,
            ], "\(draft)")
            #expect(draft.standardError.contains("1 notice over 1 approved line of WA on 2025-07-01"), "\(draft)")

            let path = scratch + "/draft.jsonl"
            try Files.write(path, Array(draft.standardOutput.utf8))
            let appended = try await ledger.appendSucceeding(path)
            #expect(appended.field("appended") == "1")
            let claims = try await ledger.run("claims", "--dealer", "WA", "--as-of", "2025-07-01", "--json")
            let lines = try financeJSON(claims.standardOutput) as! [[String: Any]]
            #expect(!lines.contains { $0["status"] as? String == "approved" })
            #expect(lines.first { $0["line"] as? String == "V-A2" }?["status"] as? String == "written-off")

            let again = try await ledger.run("writeoff-draft", "WA", "--as-of", "2025-07-01")
            #expect(again.status == 0 && again.standardOutput.isEmpty, "\(again)")
            #expect(again.standardError.contains("dealer WA has no approved lines outside a notice on 2025-07-01"), "\(again)")
            let unknown = try await ledger.run("writeoff-draft", "NOPE")
            #expect(unknown.status == 66, "\(unknown)")
            let reconciled = try await ledger.run("reconcile", "--as-of", "2025-07-01")
            #expect(reconciled.status == 0, "\(reconciled)")
        }
    }

    @Test func anExplicitOrTakenNoticeID() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            // A notice already named WO-WA-2025-07-01 (for another dealer's line) makes the default take a suffix.
            let taken = #"{"type":"visit.recorded","at":"2025-06-01","data":{"visit":"V-C1","serial":"W-B1","dealer":"WC","kind":"repair","finding":"defect","laborMinutes":10,"travel":0,"resolved":true}}"#
            let notice = #"{"type":"cost.written-off","at":"2025-06-02","data":{"notice":"WO-WA-2025-07-01","dealer":"WC","lines":["V-C1"],"amount":1000}}"#
            _ = try await ledger.appendSucceeding(try ledger.input(lines: [taken, notice]))
            let suffixed = try await ledger.run("writeoff-draft", "WA", "--as-of", "2025-07-01")
            #expect(suffixed.standardOutput.contains(#""notice":"WO-WA-2025-07-01-2""#), "\(suffixed)")
            let named = try await ledger.run("writeoff-draft", "WA", "--as-of", "2025-07-01", "--notice", "HX-2025-07-WA")
            #expect(named.standardOutput.contains(#""notice":"HX-2025-07-WA","dealer":"WA","lines":["V-A2"],"amount":1500"#), "\(named)")
            let clash = try await ledger.run("writeoff-draft", "WA", "--as-of", "2025-07-01", "--notice", "WO-WA-2025-07-01")
            #expect(clash.status == 65 && clash.standardError.contains("notice \"WO-WA-2025-07-01\" already exists"), "\(clash)")
        }
    }

    @Test func generatedNetworkReconcilesAndEveryDraftIsAccepted() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            let path = scratch + "/generated.jsonl"
            let generated = try await runLedger(["generate", "--units", "2000", "--seed", "3", "--out", path])
            #expect(generated.status == 0, "\(generated)")
            try await ledger.appendSucceeding(path)
            // A snapshot, so that each of the many commands below does not refold the whole log.
            _ = try await ledger.run("rebuild")
            for day in ["2021-06-30", "2023-12-31", "2026-06-30"] {
                let run = try await ledger.run("reconcile", "--as-of", day)
                #expect(run.status == 0, "\(day): \(run.standardError)")
                #expect(run.standardOutput.contains("invariants: all hold"), "\(day)")
            }

            let day = "2025-12-31"
            let rows = try await dealerRows(ledger, on: day)
            let approved = rows.filter { (fen($0.value, "approved") ?? 0) > 0 }.keys.sorted()
            #expect(approved.count >= 3, "the generated network should leave some approved lines at its end: \(approved)")
            var drafts: [String] = []
            let settled = rows.keys.sorted().filter { !approved.contains($0) }
            // Every dealer with approved lines, and a few without (whose draft is empty).
            for dealer in approved + settled.prefix(3) {
                let draft = try await ledger.run("writeoff-draft", dealer, "--as-of", day)
                #expect(draft.status == 0, "\(draft)")
                #expect(draft.outputLines.isEmpty == !approved.contains(dealer), "\(dealer): \(draft)")
                for line in draft.outputLines {
                    let object = try financeJSON(line) as! [String: Any]
                    let data = object["data"] as! [String: Any]
                    #expect(data["dealer"] as? String == dealer)
                    #expect(fen(data, "amount") == fen(rows[dealer], "approved"), "one notice holds all of \(dealer)'s approved amount")
                }
                drafts += draft.outputLines
            }
            let appended = try await ledger.appendSucceeding(try ledger.input(lines: drafts))
            #expect(appended.field("appended") == "\(drafts.count)")
            let after = try await dealerRows(ledger, on: day)
            for dealer in rows.keys {
                #expect(fen(after[dealer], "approved") == 0, "\(dealer) still has approved lines")
                #expect(fen(after[dealer], "writtenOff") == fen(rows[dealer], "writtenOff")! + fen(rows[dealer], "approved")!)
            }
            let reconciled = try await ledger.run("reconcile", "--as-of", day, "--json")
            let object = try financeJSON(reconciled.standardOutput) as! [String: Any]
            #expect(reconciled.status == 0 && object["clean"] as? Bool == true, "\(reconciled)")
            #expect((object["approvedNotOnNotice"] as! [Any]).isEmpty)
        }
    }
}
