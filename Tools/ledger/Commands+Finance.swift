import JSONText
import Ledger
import WarrantyDomain
import WarrantyProjections

/// Finance at period close: dealer statements, the reconciliation of every dealer, write-off drafts.
extension Commands {
    /// `ledger statement DEALER|--all --from DAY --to DAY [--format table|csv|json|html] [--known-at N] [--out FILE]`.
    ///
    /// With `--all`, every dealer enrolled on or before `--to`: a JSON array, one CSV table, one HTML document with
    /// a page per dealer, or the tables one after another.
    static func statement(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["from", "to", "format", "known-at", "out"], flags: ["all"], positionals: 0...1)
        let all = arguments.flags.contains("all")
        guard all != (arguments.positionals.count == 1) else {
            throw LedgerError(.usage, "statement takes one DEALER or --all (see `ledger help`)")
        }
        let from = try day(arguments, "from", required: true)!
        let to = try day(arguments, "to", required: true)!
        let format = arguments.options["format"] ?? "table"
        guard ["table", "csv", "json", "html"].contains(format) else {
            throw LedgerError(.usage, "--format must be table, csv, json or html, not \"\(format)\"")
        }
        let knownAt = try arguments.integer("known-at", in: 0...Int64.max) ?? .max
        let ledger = try Ledger(folder: folder)
        if let out = arguments.options["out"] {
            guard !out.isEmpty, !out.hasSuffix("/") else { throw LedgerError(.usage, "--out needs a file name") }
            // A statement must never replace a segment or `state.snapshot`.
            try ledger.refuseInside(out)
        }
        let statements = try ledger.statements(dealers: all ? nil : arguments.positionals, from: from, to: to, knownAt: knownAt)
        var document: [UInt8]
        switch format {
        case "csv": document = Array(StatementCSV.render(statements).utf8)
        case "html": document = Array(StatementHTML.render(statements).utf8)
        case "json":
            var writer = JSONWriter()
            if all {
                writer.bytes.append(UInt8(ascii: "["))
                for (index, statement) in statements.enumerated() {
                    writer.bytes.append(contentsOf: Array((index == 0 ? "\n" : ",\n").utf8))
                    writer.write(AnswerJSON.statement(statement))
                    // The writer ends each top-level value with a line end; the array's separators take its place.
                    writer.newline()
                    writer.bytes.removeLast()
                }
                writer.bytes.append(contentsOf: Array((statements.isEmpty ? "]" : "\n]").utf8))
            } else {
                writer.write(AnswerJSON.statement(statements[0]))
            }
            writer.newline()
            document = writer.bytes
        default: document = Array(statements.map(StatementText.render).joined(separator: "\n").utf8)
        }
        guard let path = arguments.options["out"] else { return output.write(bytes: document) }
        try writeFile(path, document)
        let whose = all ? "\(statements.count) dealers" : statements[0].dealer
        output.write("wrote the statement\(all ? "s" : "") of \(whose) from \(from) to \(to) (\(statements.reduce(0) { $0 + $1.movements.count }) movements, \(format)) to \(path)\n")
    }

    /// `ledger reconcile [--as-of DAY] [--known-at N] [--json]`: exit 1 when an invariant is broken.
    static func reconcile(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: viewOptions, flags: ["json"])
        let ledger = try Ledger(folder: folder)
        let day = try self.day(arguments, "as-of", required: false) ?? ledger.today()
        let knownAt = try arguments.integer("known-at", in: 0...Int64.max) ?? .max
        let result = try ledger.reconcile(asOf: day, knownAt: knownAt)
        if arguments.flags.contains("json") {
            writeJSON(AnswerJSON.reconciliation(result), &output)
        } else {
            output.write(ReconcileText.render(result))
        }
        if !result.breaches.isEmpty {
            try output.finish()
            throw LedgerError(.verificationFailed, "\(result.breaches.count) breach\(result.breaches.count == 1 ? "" : "es") of the finance invariants on \(day) (listed above)")
        }
    }

    /// `ledger writeoff-draft DEALER [--as-of DAY] [--notice ID]`: the `cost.written-off` lines to review and append.
    static func writeoffDraft(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["as-of", "notice"], positionals: 1...1)
        let ledger = try Ledger(folder: folder)
        let day = try self.day(arguments, "as-of", required: false) ?? ledger.today()
        let dealer = arguments.positionals[0]
        if let notice = arguments.options["notice"], notice.isEmpty || notice.unicodeScalars.count > Limits.identifierLengthMax {
            throw LedgerError(.usage, "--notice must be 1 to \(Limits.identifierLengthMax) characters")
        }
        let draft = try ledger.writeoffDraft(dealer: dealer, on: day, notice: arguments.options["notice"])
        for line in draft.skipped {
            Output.standardError("writeoff-draft: approved \(line.kind.rawValue) line \(line.line) (\(line.amount) fen) not drafted: \(line.reason)\n")
        }
        let drafts = draft.notices
        guard !drafts.isEmpty else {
            let other = draft.skipped.isEmpty ? "" : " that a notice can hold"
            Output.standardError("writeoff-draft: dealer \(dealer) has no approved lines outside a notice\(other) on \(day); nothing to write off\n")
            return
        }
        var writer = JSONWriter()
        for draft in drafts {
            writer.write(EventEncoder.encode(draft))
            writer.newline()
        }
        output.write(bytes: writer.bytes)
        let lines = drafts.reduce(0) { total, event in
            if case .costWrittenOff(let notice) = event.body { return total + notice.lines.count }
            return total
        }
        Output.standardError("writeoff-draft: \(drafts.count) notice\(drafts.count == 1 ? "" : "s") over \(lines) approved line\(lines == 1 ? "" : "s") of \(dealer) on \(day); review, then `ledger append` it\n")
    }

    /// The day of option `name` (`YYYY-MM-DD`).
    static func day(_ arguments: Arguments, _ name: String, required: Bool) throws(LedgerError) -> Day? {
        guard let text = arguments.options[name] else {
            if required { throw LedgerError(.usage, "\(arguments.command ?? "") needs --\(name) YYYY-MM-DD (see `ledger help`)") }
            return nil
        }
        guard let day = Day(text) else { throw LedgerError(.usage, "--\(name) must be a date YYYY-MM-DD, not \"\(text)\"") }
        return day
    }

    /// Writes a document to `path` atomically: a synced temporary file renamed over it (mode 0600), the folder synced.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(LedgerError) {
        let file = try ExportFile(path: path)
        file.write(bytes)
        try file.commit()
    }
}
