import Foundation
import Ledger
import Testing
import WarrantyDomain

/// `ledger reconcile` through the built binary: clean on every golden scenario, exact action lists, and every
/// breach reported — without a trap — on a ledger forged around the append path's checks.
@Suite struct FinanceReconcileTests {
    func reconcile(_ ledger: TestLedger, _ extra: String...) async throws -> (LedgerRun, [String: Any]) {
        let run = try await runLedger(["--dir", ledger.folder, "reconcile", "--json"] + extra)
        guard let object = try? financeJSON(run.standardOutput) as? [String: Any] else { throw TestFailure("not JSON: \(run)") }
        return (run, object)
    }

    @Test(arguments: GoldenScenario.names)
    func cleanOnEveryGoldenScenario(_ name: String) async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger(name, scratch: scratch)
            let count = try GoldenScenario(name: name).eventCount()
            for day in ["2024-12-31", "2025-03-15", "2025-07-01", "2031-01-01"] {
                let (run, object) = try await reconcile(ledger, "--as-of", day)
                #expect(run.status == 0 && !run.signalled, "\(name) on \(day): \(run)")
                #expect(object["clean"] as? Bool == true && (object["breaches"] as? [Any])?.isEmpty == true, "\(name) on \(day): \(run)")
                #expect(fen(object, "events") == Int64(count))
            }
            let known = try await runLedger(["--dir", ledger.folder, "reconcile", "--known-at", "5"])
            #expect(known.status == 0 && known.standardOutput.hasPrefix("reconciliation on ") && known.standardOutput.contains("over 5 events"), "\(known)")
        }
    }

    @Test func actionListsOfTheWriteoffScenario() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            let (_, july) = try await reconcile(ledger, "--as-of", "2025-07-01")
            let approved = july["approvedNotOnNotice"] as! [[String: Any]]
            #expect(approved.count == 1)
            #expect(approved.first?["line"] as? String == "V-A2" && approved.first?["dealer"] as? String == "WA")
            #expect(fen(approved.first, "amount") == 1500 && approved.first?["claimed"] as? String == "2025-03-05")
            #expect(fen(approved.first, "ageDays") == 118)
            let unconfirmed = july["unconfirmedNotices"] as! [[String: Any]]
            #expect(unconfirmed.map { $0["notice"] as! String } == ["N-B1"])
            #expect(fen(unconfirmed.first, "ageDays") == 113 && fen(unconfirmed.first, "amount") == 3500)
            // S-A2 was not returned by its deadline: rejected on 2025-07-01, so no longer an action.
            #expect((july["partsDue"] as! [Any]).isEmpty)

            let (_, june) = try await reconcile(ledger, "--as-of", "2025-06-15")
            let due = june["partsDue"] as! [[String: Any]]
            #expect(due.map { $0["line"] as! String } == ["S-A2"])
            #expect(due.first?["deadline"] as? String == "2025-06-30" && fen(due.first, "daysLeft") == 15)
            // N-B1, issued 2025-03-10, is 97 days old and unconfirmed; N-A1 was confirmed 2025-02-28.
            #expect((june["unconfirmedNotices"] as! [[String: Any]]).map { $0["notice"] as! String } == ["N-B1"])
            let (_, early) = try await reconcile(ledger, "--as-of", "2025-05-30")
            #expect((early["partsDue"] as! [Any]).isEmpty, "the deadline is 31 days away on 2025-05-30")
            let (_, first) = try await reconcile(ledger, "--as-of", "2025-05-31")
            #expect((first["partsDue"] as! [[String: Any]]).map { fen($0, "daysLeft")! } == [30])

            let (_, february) = try await reconcile(ledger, "--as-of", "2025-02-12")
            let awaiting = february["awaitingAppraisal"] as! [[String: Any]]
            #expect(awaiting.map { $0["line"] as! String } == ["S-A1"])
            #expect(awaiting.first?["returned"] as? String == "2025-02-10" && fen(awaiting.first, "days") == 2)
            let (_, appraised) = try await reconcile(ledger, "--as-of", "2025-02-15")
            #expect((appraised["awaitingAppraisal"] as! [Any]).isEmpty)
            #expect((appraised["unconfirmedNotices"] as! [Any]).isEmpty)
        }
    }

    @Test func everyBreachOfAForgedLedgerIsReported() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            try forge([
                event("2025-07-01", .costWrittenOff(CostWrittenOff(notice: "N-BAD-AMOUNT", dealer: "WA", lines: ["V-A2"], amount: 9999))),
                event("2025-07-01", .costWrittenOff(CostWrittenOff(notice: "N-TWICE", dealer: "WA", lines: ["V-A1"], amount: 7000))),
                event("2025-07-01", .costWrittenOff(CostWrittenOff(notice: "N-OTHER", dealer: "WB", lines: ["S-A2"], amount: 9000))),
                event("2025-07-02", .writeoffConfirmed(WriteoffConfirmed(notice: "N-GHOST"))),
                event("2025-07-02", .dealerInvoiced(DealerInvoiced(dealer: "GHOST", invoice: "FP-X", amount: 100))),
                event("2025-07-02", .costWrittenOff(CostWrittenOff(notice: "N-NOLINE", dealer: "WA", lines: ["NO-SUCH-LINE"], amount: 1))),
            ], into: ledger.folder)

            let (run, object) = try await reconcile(ledger, "--as-of", "2025-07-31")
            #expect(run.status == 1 && !run.signalled, "\(run)")
            #expect(run.standardError.contains("breaches of the finance invariants on 2025-07-31"), "\(run)")
            #expect(object["clean"] as? Bool == false)
            let breaches = object["breaches"] as! [[String: Any]]
            let refused = breaches.filter { $0["check"] as? String == "refused-event" }
            #expect(refused.map { fen($0, "seq")! } == [27, 28, 29, 30, 31, 32])
            let reasons = refused.map { $0["message"] as! String }
            #expect(reasons[0].contains("amount 9999 does not equal the lines' sum 1500"), "\(reasons[0])")
            #expect(reasons[1].contains("already on notice \"N-A1\""), "\(reasons[1])")
            #expect(reasons[2].contains("belongs to dealer \"WA\", not \"WB\""), "\(reasons[2])")
            #expect(reasons[3].contains("N-GHOST"), "\(reasons[3])")
            #expect(reasons[4].contains("dealer \"GHOST\" is not enrolled"), "\(reasons[4])")
            #expect(reasons[5].contains("NO-SUCH-LINE"), "\(reasons[5])")
            #expect(object["notFolded"] as? [Int64] == [30, 31, 32])

            let others = breaches.filter { $0["check"] as? String != "refused-event" }
            #expect(others.map { "\($0["check"]!) \($0["notice"] as? String ?? "-") \($0["line"] as? String ?? "-")" } == [
                "notice-amount N-BAD-AMOUNT -",
                "notice-line N-OTHER S-A2",
                "line-in-two-notices N-TWICE V-A1",
            ])
            #expect((others[0]["message"] as? String)?.contains("amount 9999 ≠ the sum of its lines 1500 fen") == true)
            #expect((others[2]["message"] as? String)?.contains("on 2 notices: N-A1, N-TWICE") == true)

            // Before the forged notices are dated, only the refused events themselves are breaches.
            let (_, june) = try await reconcile(ledger, "--as-of", "2025-06-30")
            #expect((june["breaches"] as! [[String: Any]]).allSatisfy { $0["check"] as? String == "refused-event" })
            // What the ledger knew before the forgery is clean.
            let (before, _) = try await reconcile(ledger, "--as-of", "2025-07-31", "--known-at", "26")
            #expect(before.status == 0, "\(before)")

            let text = try await runLedger(["--dir", ledger.folder, "reconcile", "--as-of", "2025-07-31"])
            #expect(text.status == 1 && text.standardOutput.contains("BREACHES: 9"), "\(text)")
            #expect(text.standardOutput.contains("[notice-amount] notice N-BAD-AMOUNT (dealer WA)"), "\(text)")
            #expect(text.standardOutput.contains("not folded (the projections would stop on them): seq 30, 31, 32"), "\(text)")
        }
    }

    @Test func anAcceptableEventStoredInTheWrongStream() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            try forge([event("2025-07-05", .paymentReceived(PaymentReceived(dealer: "WA", amount: 100)))], into: ledger.folder)
            let (run, object) = try await reconcile(ledger, "--as-of", "2025-07-31")
            #expect(run.status == 1 && !run.signalled, "\(run)")
            let breaches = object["breaches"] as! [[String: Any]]
            #expect(breaches.map { $0["check"] as! String } == ["stream-version"])
            // WA's stream held its enrolment, an invoice, a notice, a payment and a confirmation: this is its sixth event.
            #expect(breaches.first?["message"] as? String
                    == "seq 27: payment.received is stored in stream forged version 1, but belongs to stream dealer:WA at version 6")
            let dealers = try await ledger.run("dealers", "--as-of", "2025-07-31", "--json")
            #expect(dealers.status == 1 && dealers.standardError.contains("seq 27"), "the ordinary fold refuses the log: \(dealers)")
        }
    }

    @Test func aVoidOfAnEventThatWasNotFoldedIsReportedNotTrapped() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            try forge([
                event("2025-07-02", .cardRegistered(CardRegistered(serial: "NO-SUCH-SERIAL"))),
                event("2025-07-03", .eventVoided(EventVoided(seq: 27, reason: "mistake"))),
                event("2025-07-03", .eventVoided(EventVoided(seq: 99, reason: "ahead of the log"))),
            ], into: ledger.folder)
            let (run, object) = try await reconcile(ledger, "--as-of", "2025-07-31")
            #expect(run.status == 1 && !run.signalled, "\(run)")
            let messages = (object["breaches"] as! [[String: Any]]).map { $0["message"] as! String }
            #expect(messages.count == 3, "\(messages)")
            #expect(messages.first?.contains("serial \"NO-SUCH-SERIAL\" is not sold") == true, "\(messages)")
            #expect(messages.dropFirst().first?.contains("voids seq 27, which is itself refused and was not folded") == true, "\(messages)")
            #expect(messages.last?.contains("seq 99 does not exist") == true, "\(messages)")
            #expect(object["notFolded"] as? [Int64] == [27, 28, 29])
        }
    }
}
