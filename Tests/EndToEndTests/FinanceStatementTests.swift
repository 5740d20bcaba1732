import Foundation
import Testing
import WarrantyDomain

/// `ledger statement` through the built binary: exact movements on the golden scenarios, and on a generated
/// five-year network every dealer's every half-year ties out with `dealers --json`.
@Suite struct FinanceStatementTests {
    /// One movement reduced to what the rules decide: day, seq, kind, cause, line, from, to, reason, amount.
    struct Row: Equatable, CustomStringConvertible {
        var day: String, seq: Int64, kind: String, cause: String, line: String?, from: String?, to: String?
        var reason: String?, amount: Int64

        init(_ day: String, _ seq: Int64, _ kind: String, _ cause: String, _ amount: Int64, _ line: String? = nil,
             _ from: String? = nil, _ to: String? = nil, _ reason: String? = nil) {
            (self.day, self.seq, self.kind, self.cause, self.line) = (day, seq, kind, cause, line)
            (self.from, self.to, self.reason, self.amount) = (from, to, reason, amount)
        }

        init(_ json: [String: Any]) {
            self.init(json["day"] as! String, fen(json, "seq")!, json["kind"] as! String, json["cause"] as! String,
                      fen(json, "amount")!, json["line"] as? String, json["from"] as? String, json["to"] as? String,
                      json["reason"] as? String)
        }

        var description: String { "\(day) #\(seq) \(kind) \(cause) \(line ?? "-") \(from ?? "-")→\(to ?? "-") \(reason ?? "") \(amount)" }
    }

    func statement(_ ledger: TestLedger, _ dealer: String, _ from: String, _ to: String) async throws -> [String: Any] {
        let run = try await ledger.run("statement", dealer, "--from", from, "--to", to, "--format", "json")
        #expect(run.status == 0, "\(run)")
        guard let object = try financeJSON(run.standardOutput) as? [String: Any] else { throw TestFailure("not an object: \(run)") }
        return object
    }

    @Test func writeoffScenarioHalfYear() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            let object = try await statement(ledger, "WA", "2025-01-01", "2025-06-30")
            #expect(object["dealer"] as? String == "WA")
            #expect(object["name"] as? String == "华东一号经销商")
            #expect(object["from"] as? String == "2025-01-01" && object["to"] as? String == "2025-06-30")
            let rows = (object["movements"] as! [[String: Any]]).map(Row.init)
            #expect(rows == [
                Row("2025-01-10", 10, "invoice", "dealer.invoiced", 100000),
                Row("2025-02-01", 13, "line", "visit.recorded", 7000, "V-A1", nil, "approved"),
                Row("2025-02-01", 14, "line", "part.swapped", 20000, "S-A1", nil, "pending"),
                Row("2025-02-15", 16, "status", "part.appraised", 20000, "S-A1", "pending", "approved"),
                Row("2025-02-20", 17, "notice", "cost.written-off", 27000),
                Row("2025-02-20", 17, "status", "cost.written-off", 20000, "S-A1", "approved", "written-off"),
                Row("2025-02-20", 17, "status", "cost.written-off", 7000, "V-A1", "approved", "written-off"),
                Row("2025-02-25", 18, "payment", "payment.received", 30000),
                Row("2025-02-28", 19, "confirmation", "writeoff.confirmed", 27000),
                Row("2025-02-28", 19, "status", "writeoff.confirmed", 20000, "S-A1", "written-off", "deducted"),
                Row("2025-02-28", 19, "status", "writeoff.confirmed", 7000, "V-A1", "written-off", "deducted"),
                Row("2025-03-05", 22, "line", "visit.recorded", 1500, "V-A2", nil, "approved"),
                Row("2025-03-05", 23, "line", "part.swapped", 9000, "S-A2", nil, "pending"),
            ])
            let opening = object["opening"] as! [String: Any]
            let closing = object["closing"] as! [String: Any]
            #expect(Set(opening.keys) == Set(["dealer", "name"] + financeColumns))
            #expect(financeColumns.map { fen(opening, $0)! } == [0, 0, 0, 0, 0, 0, 0])
            // 70 + 200 + 15 + 90 yuan claimed; 270 deducted; receivable 1,000 − 300 − 270.
            #expect(financeColumns.map { fen(closing, $0)! } == [37500, 9000, 1500, 0, 0, 27000, 43000])
            #expect(object["balanced"] as? Bool == true)
            let rowsOfDealers = try await dealerRows(ledger, on: "2025-06-30")
            for column in financeColumns { #expect(fen(closing, column) == fen(rowsOfDealers["WA"], column)) }
        }
    }

    @Test func deadlineAndRegistrationChangesNameTheEventThatSetThem() async throws {
        try await withTemporaryFolder { scratch in
            let writeoffs = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            let july = try await statement(writeoffs, "WA", "2025-07-01", "2025-07-31")
            let movement = (july["movements"] as! [[String: Any]])
            #expect(movement.map(Row.init) == [
                Row("2025-07-01", 23, "status", "return-deadline-passed", 9000, "S-A2", "pending", "rejected", "part-not-returned"),
            ])
            #expect(movement.first?["deadline"] as? String == "2025-06-30")

            let registration = try await scenarioLedger("registration", scratch: scratch)
            let rd = try await statement(registration, "RD", "2025-03-12", "2025-03-12")
            #expect((rd["movements"] as! [[String: Any]]).map(Row.init) == [
                Row("2025-03-12", 6, "status", "registration-due-passed", 6000, "RV-LATE", "pending", "rejected", "not-registered"),
                Row("2025-03-12", 7, "status", "registration-due-passed", 2000, "RS-MISS", "pending", "rejected", "not-registered"),
                Row("2025-03-12", 7, "status", "registration-due-passed", 6000, "RV-MISS", "pending", "rejected", "not-registered"),
            ])
            // A replacement's registration is its exchange chain's first unit's: R-Z2 replaced R-Z1, sold at seq 10.
            let re = try await statement(registration, "RE", "2025-03-12", "2025-03-12")
            #expect((re["movements"] as! [[String: Any]]).map(Row.init) == [
                Row("2025-03-12", 10, "status", "registration-due-passed", 6000, "RV-Z2", "pending", "rejected", "not-registered"),
            ])
        }
    }

    @Test func knownAtCutsTheLog() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            // After 16 events the ledger knew the appraisal of S-A1 but not yet notice N-A1.
            let run = try await ledger.run("statement", "WA", "--from", "2025-01-01", "--to", "2025-06-30", "--known-at", "16", "--format", "json")
            let object = try financeJSON(run.standardOutput) as! [String: Any]
            #expect((object["movements"] as! [[String: Any]]).map { fen($0, "seq")! } == [10, 13, 14, 16])
            let dealers = try await ledger.run("dealers", "--as-of", "2025-06-30", "--known-at", "16", "--json")
            let row = (try financeJSON(dealers.standardOutput) as! [[String: Any]]).first { $0["dealer"] as? String == "WA" }
            #expect(financeColumns.map { fen(object["closing"] as? [String: Any], $0)! } == financeColumns.map { fen(row, $0)! })
            #expect(financeColumns.map { fen(row, $0)! } == [27000, 0, 27000, 0, 0, 0, 100000])
        }
    }

    @Test func refusesBadArguments() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            let unknown = try await ledger.run("statement", "NOPE", "--from", "2025-01-01", "--to", "2025-06-30")
            #expect(unknown.status == 66 && unknown.standardError.contains("dealer \"NOPE\" is not enrolled"), "\(unknown)")
            let late = try await ledger.run("statement", "Ｚ-LATE", "--from", "2025-01-01", "--to", "2025-05-31")
            #expect(late.status == 66 && late.standardError.contains("not enrolled on or before 2025-05-31"), "\(late)")
            let backwards = try await ledger.run("statement", "WA", "--from", "2025-07-01", "--to", "2025-06-30")
            #expect(backwards.status == 64 && backwards.standardError.contains("--from 2025-07-01 is after --to 2025-06-30"), "\(backwards)")
            let missing = try await ledger.run("statement", "WA", "--from", "2025-07-01")
            #expect(missing.status == 64 && missing.standardError.contains("needs --to"), "\(missing)")
            let format = try await ledger.run("statement", "WA", "--from", "2025-01-01", "--to", "2025-01-31", "--format", "pdf")
            #expect(format.status == 64 && format.standardError.contains("--format must be"), "\(format)")
            let badDay = try await ledger.run("statement", "WA", "--from", "2025-02-30", "--to", "2025-03-31")
            #expect(badDay.status == 64 && badDay.standardError.contains("--from must be a date"), "\(badDay)")
        }
    }

    /// Opening, closing and every movement of a statement checked against `dealers --json` and the events file
    /// (appended as one batch, so the event at seq N is line N).
    static func check(_ object: [String: Any], dealer: String, from: String, to: String, openingRow: [String: Any]?,
                      closingRow: [String: Any], events: [[String: Any]]) -> [String] {
        var problems: [String] = []
        let opening = object["opening"] as! [String: Any]
        let closing = object["closing"] as! [String: Any]
        var sums = financeColumns.map { _ in Int64(0) }
        for movement in object["movements"] as! [[String: Any]] {
            let delta = movement["delta"] as! [String: Any]
            for (index, column) in financeColumns.enumerated() { sums[index] += fen(delta, column)! }
            let row = Row(movement)
            guard row.day >= from, row.day <= to, row.seq >= 1, row.seq <= Int64(events.count) else {
                problems.append("\(dealer) \(from): movement outside the period or the log: \(row)")
                continue
            }
            let source = events[Int(row.seq - 1)]
            let type = source["type"] as! String
            let data = source["data"] as! [String: Any]
            let at = source["at"] as! String
            let sourceDay = String(at.prefix(10))
            let datedInZone = at.count == 10 || at.hasSuffix("+08:00")
            switch row.cause {
            case "return-deadline-passed":
                if type != "part.swapped" || data["swap"] as? String != row.line { problems.append("\(dealer): deadline cause is not the swap: \(row)") }
                if let deadline = movement["deadline"] as? String, Day(deadline)!.adding(days: 1).description != row.day {
                    problems.append("\(dealer): deadline \(deadline) passed on \(row.day)")
                }
            case "registration-due-passed":
                if type != "unit.sold" && type != "unit.exchanged" { problems.append("\(dealer): registration cause is \(type): \(row)") }
            default:
                if type != row.cause { problems.append("\(dealer): seq \(row.seq) is \(type), movement says \(row.cause)") }
                if datedInZone && sourceDay != row.day { problems.append("\(dealer): seq \(row.seq) is dated \(at), movement \(row.day)") }
            }
            switch row.kind {
            case "line":
                let id = type == "visit.recorded" ? data["visit"] : data["swap"]
                if id as? String != row.line { problems.append("\(dealer): seq \(row.seq) does not make line \(row.line ?? "-")") }
            case "invoice", "payment", "notice":
                if data["dealer"] as? String != dealer { problems.append("\(dealer): seq \(row.seq) belongs to \(data["dealer"] ?? "-")") }
            default: break
            }
        }
        for (index, column) in financeColumns.enumerated() {
            let open = fen(openingRow, column) ?? 0
            if fen(opening, column) != open { problems.append("\(dealer) \(from): opening \(column) \(fen(opening, column)!) ≠ dealers \(open)") }
            if fen(closing, column) != fen(closingRow, column) {
                problems.append("\(dealer) \(to): closing \(column) \(fen(closing, column)!) ≠ dealers \(fen(closingRow, column)!)")
            }
            if open + sums[index] != fen(closing, column) { problems.append("\(dealer) \(from)–\(to): \(column) opening + movements ≠ closing") }
            if fen(object["movementTotals"] as? [String: Any], column) != sums[index] { problems.append("\(dealer): movementTotals.\(column)") }
        }
        return problems
    }

    @Test func everyDealerEveryHalfYearOfAGeneratedNetwork() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            let path = scratch + "/generated.jsonl"
            let generated = try await runLedger(["generate", "--units", "2000", "--seed", "3", "--out", path])
            #expect(generated.status == 0, "\(generated)")
            try await ledger.appendSucceeding(path)
            _ = try await ledger.run("rebuild")
            let events = try String(decoding: Files.bytes(path), as: UTF8.self).split(separator: "\n")
                .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }

            var periods: [(from: String, to: String, opening: String)] = []
            for year in 2021...2025 {
                periods.append(("\(year)-01-01", "\(year)-06-30", "\(year - 1)-12-31"))
                periods.append(("\(year)-07-01", "\(year)-12-31", "\(year)-06-30"))
            }
            var rows: [String: [String: [String: Any]]] = [:]
            for day in Set(periods.flatMap { [$0.opening, $0.to] }) { rows[day] = try await dealerRows(ledger, on: day) }
            let dealers = rows["2025-12-31"]!.keys.sorted()
            #expect(dealers.count == 40)

            // One `statement --all` per period (one fold for 40 statements), and single-dealer runs of two dealers
            // that must print exactly the same objects.
            var problems: [String] = []
            var checked = 0
            var movements = 0
            for period in periods {
                let run = try await ledger.run("statement", "--all", "--from", period.from, "--to", period.to, "--format", "json")
                guard run.status == 0, let statements = try financeJSON(run.standardOutput) as? [[String: Any]] else {
                    problems.append("\(run)")
                    continue
                }
                let enrolled = rows[period.to]!.keys.sorted()
                if statements.map({ $0["dealer"] as! String }) != enrolled {
                    problems.append("\(period.from): --all lists \(statements.count) dealers, \(enrolled.count) are enrolled by \(period.to)")
                }
                for object in statements {
                    let dealer = object["dealer"] as! String
                    checked += 1
                    movements += (object["movements"] as! [Any]).count
                    problems += Self.check(object, dealer: dealer, from: period.from, to: period.to,
                                           openingRow: rows[period.opening]![dealer], closingRow: rows[period.to]![dealer]!,
                                           events: events)
                }
                for dealer in [dealers.first!, dealers.last!] {
                    let single = try await ledger.run("statement", dealer, "--from", period.from, "--to", period.to, "--format", "json")
                    guard let expected = statements.first(where: { $0["dealer"] as? String == dealer }) else {
                        if single.status != 66 { problems.append("\(dealer) not enrolled by \(period.to) but: \(single)") }
                        continue
                    }
                    let object = try financeJSON(single.standardOutput)
                    let canonical = { (value: Any) in try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) }
                    if try canonical(object) != canonical(expected) {
                        problems.append("\(dealer) \(period.from): the single statement differs from --all's")
                    }
                }
            }
            #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
            #expect(checked >= 350, "only \(checked) statements had an enrolled dealer")
            #expect(checked == periods.reduce(0) { $0 + rows[$1.to]!.count })
            #expect(movements > 10_000, "only \(movements) movements")
        }
    }
}
