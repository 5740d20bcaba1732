import JSONText
import Ledger
import WarrantyDomain
import WarrantyProjections

/// The answers of SPEC §4: `status`, `claims`, `dealers`, `archive`, and `units` for service staff.
extension Commands {
    static let viewOptions: Set<String> = ["as-of", "known-at"]

    /// The ledger, the day of `--as-of` (today by default) and the event count of `--known-at` (every event by default).
    static func context(_ arguments: Arguments, folder: String) throws(LedgerError) -> (Ledger, Day, knownAt: Int64) {
        let ledger = try Ledger(folder: folder)
        var day = ledger.today()
        if let text = arguments.options["as-of"] {
            guard let parsed = Day(text) else {
                throw LedgerError(.usage, "--as-of must be a date YYYY-MM-DD, not \"\(text)\"")
            }
            day = parsed
        }
        return (ledger, day, try arguments.integer("known-at", in: 0...Int64.max) ?? .max)
    }

    /// The rows of an answer over the whole ledger or over one dealer (`--dealer`): one dealer's from its own state
    /// (`dealer`), every dealer's gathered from one dealer's state at a time (`byDealer`). Kept until exit.
    static func answerRows<Row>(_ arguments: Arguments, folder: String, dealer: (LedgerState, Day, String) -> [Row],
                                byDealer: (Ledger, Day, Int64) throws(LedgerError) -> [Row]) throws(LedgerError) -> ([Row], Day) {
        let (ledger, day, knownAt) = try context(arguments, folder: folder)
        let rows = if let name = arguments.options["dealer"] {
            dealer(try ledger.state(forDealer: name, knownAt: knownAt), day, name)
        } else {
            try byDealer(ledger, day, knownAt)
        }
        KeptUntilExit.keep(rows)
        return (rows, day)
    }

    static func writeJSON(_ value: JSONValue, _ output: inout Output) {
        var writer = JSONWriter()
        writer.write(value)
        writer.newline()
        output.write(bytes: writer.bytes)
    }

    /// Arrays print one element per line inside the brackets, so large answers stay greppable. Each element is
    /// made as it is written (`json`), not all of them first.
    static func writeJSONArray<Row>(_ rows: [Row], _ output: inout Output, _ json: (Row) -> JSONValue) {
        var writer = JSONWriter()
        writer.bytes.append(UInt8(ascii: "["))
        for (index, row) in rows.enumerated() {
            writer.bytes.append(contentsOf: Array((index == 0 ? "\n" : ",\n").utf8))
            writer.write(json(row))
            writer.newline()
            writer.bytes.removeLast()
            if writer.bytes.count >= 1 << 16 {
                output.write(bytes: writer.bytes)
                writer.bytes.removeAll(keepingCapacity: true)
            }
        }
        writer.bytes.append(contentsOf: Array((rows.isEmpty ? "]\n" : "\n]\n").utf8))
        output.write(bytes: writer.bytes)
    }

    static func status(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: viewOptions, flags: ["json"], positionals: 1...1)
        let serial = arguments.positionals[0]
        let (ledger, day, knownAt) = try context(arguments, folder: folder)
        let state = try ledger.state(forUnit: serial, knownAt: knownAt)
        guard let status = state.unitStatus(serial: serial, on: day) else {
            let why = state.hasUnit(serial) ? "is not sold on or before \(day)" : "is not in the ledger"
            throw LedgerError(.notFound, "unit \"\(serial)\" \(why)")
        }
        if arguments.flags.contains("json") { return writeJSON(AnswerJSON.status(status), &output) }
        func dated(_ entries: [String: Day]) -> String {
            entries.keys.sorted().map { "\($0) until \(entries[$0]!)" }.joined(separator: ", ")
        }
        var rows: [(String, String)] = [
            ("serial", status.serial), ("model", status.model),
            ("dealer", status.dealer + (state.dealerName(status.dealer).map { " " + $0 } ?? "")),
            ("policy", status.policy), ("state on \(day)", status.state.rawValue),
            ("sold", "\(status.sold)"), ("warranty start", "\(status.start)"), ("warranty end", "\(status.end)"),
            ("extension", "\(status.extensionDays) days"),
            ("components", status.components.isEmpty ? "-" : dated(status.components)),
            ("registration", status.registration.rawValue),
            ("repairs", status.repairs.isEmpty ? "-" : status.repairs.keys.sorted().map { "\($0) \(status.repairs[$0]!)" }.joined(separator: ", ")),
            ("escalation", status.escalation ? "yes: the unit may be exchanged or refunded" : "no"),
        ]
        if let installed = status.installed { rows.insert(("installed", "\(installed)"), at: 6) }
        if let old = status.replacementOf { rows.append(("replaces", old)) }
        if let new = status.replacedBy { rows.append(("replaced by", new)) }
        let width = rows.map { Table.width($0.0) }.max() ?? 0
        for (key, value) in rows {
            output.write(key + String(repeating: " ", count: width - Table.width(key)) + "  " + value + "\n")
        }
    }

    static func claims(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: viewOptions.union(["dealer"]), flags: ["json"])
        let (lines, day) = try answerRows(arguments, folder: folder, dealer: { $0.claimLines(on: $1, dealer: $2) },
                                          byDealer: { ledger, day, knownAt throws(LedgerError) in
                                              try ledger.claimLines(on: day, knownAt: knownAt)
                                          })
        if arguments.flags.contains("json") { return writeJSONArray(lines, &output, AnswerJSON.claim) }
        var table = Table(["line", "kind", "dealer", "serial", "part", "amount (yuan)", "status", "reason", "notice"],
                          rightAligned: [5])
        for line in lines {
            table.add([line.line, line.kind.rawValue, line.dealer, line.serial, line.part, Yuan.format(line.amount),
                       line.status.rawValue, line.reason?.rawValue ?? "", line.notice ?? ""])
        }
        output.write(table.render())
        output.write("\(lines.count) claim line\(lines.count == 1 ? "" : "s") on \(day), \(Yuan.format(lines.reduce(0) { $0 + $1.amount })) yuan\n")
    }

    static func dealers(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: viewOptions, flags: ["json"])
        let (ledger, day, knownAt) = try context(arguments, folder: folder)
        let balances = try ledger.dealerBalances(on: day, knownAt: knownAt)
        if arguments.flags.contains("json") {
            return writeJSONArray(balances, &output) { AnswerJSON.dealer($0.balance, name: $0.name) }
        }
        var table = Table(["dealer", "name", "claimed", "pending", "approved", "rejected", "written off", "deducted", "receivable"],
                          rightAligned: Set(2...8))
        for (balance, name) in balances {
            table.add([balance.dealer, name ?? ""] +
                      [balance.claimed, balance.pending, balance.approved, balance.rejected, balance.writtenOff,
                       balance.deducted, balance.receivable].map(Yuan.format))
        }
        output.write(table.render())
        output.write("amounts in yuan on \(day)\n")
    }

    static func archive(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: viewOptions, flags: ["json", "expired"])
        let (ledger, day, knownAt) = try context(arguments, folder: folder)
        let expired = arguments.flags.contains("expired")
        let records = try ledger.archive(on: day, knownAt: knownAt).filter { $0.expired == expired }
        KeptUntilExit.keep(records)
        if arguments.flags.contains("json") { return writeJSONArray(records, &output, AnswerJSON.archive) }
        var table = Table(["record", "serial", "dealer", "opened", "closed", "retain until", "visits", "swaps", "cost (yuan)"],
                          rightAligned: [8])
        for record in records {
            table.add([record.record, record.serial, record.dealer, "\(record.opened)", record.closed.map { "\($0)" } ?? "open",
                       record.retainUntil.map { "\($0)" } ?? "", record.visits.joined(separator: " "),
                       record.swaps.joined(separator: " "), Yuan.format(record.cost)])
        }
        output.write(table.render())
        output.write("\(records.count) \(expired ? "expired " : "")record\(records.count == 1 ? "" : "s") on \(day)\n")
    }

    static func units(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: viewOptions.union(["state", "dealer"]), flags: ["json"])
        var wanted: UnitState?
        if let text = arguments.options["state"] {
            guard let state = UnitState(rawValue: text) else {
                throw LedgerError(.usage, "--state must be one of \(UnitState.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"")
            }
            wanted = state
        }
        let (rows, day) = try answerRows(arguments, folder: folder, dealer: { $0.unitStatuses(on: $1, state: wanted, dealer: $2) },
                                         byDealer: { ledger, day, knownAt throws(LedgerError) in
                                             try ledger.unitStatuses(on: day, state: wanted, knownAt: knownAt)
                                         })
        if arguments.flags.contains("json") { return writeJSONArray(rows, &output, AnswerJSON.status) }
        var table = Table(["serial", "model", "dealer", "state", "sold", "start", "end", "registration", "escalation"])
        for row in rows {
            table.add([row.serial, row.model, row.dealer, row.state.rawValue, "\(row.sold)", "\(row.start)", "\(row.end)",
                       row.registration.rawValue, row.escalation ? "yes" : ""])
        }
        output.write(table.render())
        output.write("\(rows.count) unit\(rows.count == 1 ? "" : "s") on \(day)\n")
    }
}

/// Values left for the operating system to reclaim at exit (as compilers do): freeing a state of a million
/// units record by record would add about a second to a query that has already printed its answer.
enum KeptUntilExit {
    nonisolated(unsafe) private static var values: [Any] = []

    static func keep(_ value: Any) { values.append(value) }
}
