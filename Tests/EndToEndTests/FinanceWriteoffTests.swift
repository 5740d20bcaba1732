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

    /// Notice N1 lists "1001", the labor line of repair visit 1001; a swap later takes the id 1001 too (swap ids need
    /// only be new among swaps). The notice still wrote off the labor line, as the append path resolved it then.
    static let sharedID = [
        #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["M1"],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":6000}}"#,
        #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D1","name":"共用编号经销商"}}"#,
        #"{"type":"unit.sold","at":"2025-01-02","data":{"serial":"SN1","model":"M1","dealer":"D1","price":100000}}"#,
        #"{"type":"card.registered","at":"2025-01-03","data":{"serial":"SN1"}}"#,
        #"{"type":"visit.recorded","at":"2025-02-01","data":{"visit":"1001","serial":"SN1","dealer":"D1","kind":"repair","finding":"defect","laborMinutes":60,"travel":0,"resolved":true}}"#,
        #"{"type":"cost.written-off","at":"2025-02-02","data":{"notice":"N1","dealer":"D1","lines":["1001"],"amount":6000}}"#,
        #"{"type":"part.swapped","at":"2025-02-03","data":{"swap":"1001","visit":"1001","serial":"SN1","part":"door","cost":20000}}"#,
        #"{"type":"part.returned","at":"2025-02-04","data":{"swap":"1001"}}"#,
        #"{"type":"part.appraised","at":"2025-02-05","data":{"swap":"1001","verdict":"defect","disposition":"scrap"}}"#,
        #"{"type":"writeoff.confirmed","at":"2025-02-06","data":{"notice":"N1"}}"#,
    ]

    @Test func aNoticeKeepsTheLineItsIDNamedWhenItWasAppended() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: Self.sharedID))

            let reconciled = try await ledger.run("reconcile", "--as-of", "2025-03-31", "--json")
            let object = try financeJSON(reconciled.standardOutput) as! [String: Any]
            #expect(reconciled.status == 0 && object["clean"] as? Bool == true, "\(reconciled)")
            #expect((object["approvedNotOnNotice"] as! [[String: Any]]).map { "\($0["kind"]!) \($0["line"]!)" } == ["part 1001"])

            let run = try await ledger.run("statement", "D1", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "json")
            #expect(run.status == 0, "\(run)")
            let statement = try financeJSON(run.standardOutput) as! [String: Any]
            let movements = (statement["movements"] as! [[String: Any]]).map {
                "\($0["day"]!) #\(fen($0, "seq")!) \($0["kind"]!) \($0["lineKind"] as? String ?? "-") \($0["from"] as? String ?? "-")→\($0["to"] as? String ?? "-") \(fen($0, "amount")!)"
            }
            #expect(movements == [
                "2025-02-01 #5 line labor -→approved 6000",
                "2025-02-02 #6 notice - -→- 6000",
                "2025-02-02 #6 status labor approved→written-off 6000",
                "2025-02-03 #7 line part -→pending 20000",
                "2025-02-05 #9 status part pending→approved 20000",
                "2025-02-06 #10 confirmation - -→- 6000",
                "2025-02-06 #10 status labor written-off→deducted 6000",
            ])
            #expect(financeColumns.map { fen(statement["closing"] as? [String: Any], $0)! } == [26000, 0, 20000, 0, 0, 6000, -6000])

            // The approved part line cannot go on a notice (its id names two lines now): said, not silently dropped.
            let draft = try await ledger.run("writeoff-draft", "D1", "--as-of", "2025-03-31")
            #expect(draft.status == 0 && draft.standardOutput.isEmpty, "\(draft)")
            #expect(draft.standardError == """
                writeoff-draft: approved part line 1001 (20000 fen) not drafted: both a repair visit and a swap have the id "1001", so a notice cannot name one of them
                writeoff-draft: dealer D1 has no approved lines outside a notice that a notice can hold on 2025-03-31; nothing to write off

                """, "\(draft)")
        }
    }

    /// A line over the money limit alone is reported, not drafted; the others are split without an empty notice.
    @Test func aLineOverTheMoneyLimitIsLeftOutAndNoNoticeIsEmpty() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            // 10^12 fen an hour: 90 minutes is 1.5 × 10^12 fen, 30 minutes 5 × 10^11, 36 minutes 6 × 10^11.
            var lines = [
                #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["M1"],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":1000000000000}}"#,
                #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D1","name":"大额经销商"}}"#,
                #"{"type":"unit.sold","at":"2025-01-02","data":{"serial":"SN1","model":"M1","dealer":"D1","price":100000}}"#,
                #"{"type":"card.registered","at":"2025-01-03","data":{"serial":"SN1"}}"#,
            ]
            for (visit, minutes, travel) in [("V-A-BIG", 90, 0), ("V-B", 30, 0), ("V-C", 36, 0), ("V-D", 0, 100)] {
                lines.append(#"{"type":"visit.recorded","at":"2025-02-01","data":{"visit":"\#(visit)","serial":"SN1","dealer":"D1","kind":"repair","finding":"defect","laborMinutes":\#(minutes),"travel":\#(travel),"resolved":true}}"#)
            }
            try await ledger.appendSucceeding(try ledger.input(lines: lines))

            let draft = try await ledger.run("writeoff-draft", "D1", "--as-of", "2025-03-31")
            #expect(draft.status == 0, "\(draft)")
            #expect(draft.outputLines == [
                #"{"type":"cost.written-off","at":"2025-03-31","data":{"notice":"WO-D1-2025-03-31","dealer":"D1","lines":["V-B"],"amount":500000000000}}"#,
                #"{"type":"cost.written-off","at":"2025-03-31","data":{"notice":"WO-D1-2025-03-31-2","dealer":"D1","lines":["V-C","V-D"],"amount":600000000100}}"#,
            ], "\(draft)")
            #expect(draft.standardError == """
                writeoff-draft: approved labor line V-A-BIG (1500000000000 fen) not drafted: its amount 1500000000000 fen alone is over the 1000000000000 fen one notice may hold
                writeoff-draft: 2 notices over 3 approved lines of D1 on 2025-03-31; review, then `ledger append` it

                """, "\(draft)")
            let appended = try await ledger.appendSucceeding(try ledger.input(lines: draft.outputLines))
            #expect(appended.field("appended") == "2")
        }
    }
}
