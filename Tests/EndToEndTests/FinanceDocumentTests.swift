import Foundation
import Testing

/// The statement as CSV (re-read by Python's `csv` module) and as a printable HTML page.
@Suite struct FinanceDocumentTests {
    /// Reads a CSV statement with Python's `csv` module and reports what a spreadsheet user would see.
    static let csvReader = #"""
    import csv, decimal, json, sys
    raw = open(sys.argv[1], 'rb').read()
    with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
        rows = list(csv.DictReader(f))
    cols = ['claimed', 'pending', 'approved', 'rejected', 'written_off', 'deducted', 'receivable']
    opening = [r for r in rows if r['row'] == 'opening']
    closing = [r for r in rows if r['row'] == 'closing']
    moves = [r for r in rows if r['row'] == 'movement']
    yuan_ok = all(decimal.Decimal(r[c + '_yuan']) * 100 == int(r[c + '_fen'])
                  for r in rows for c in cols + ['amount'] if r[c + '_fen'] != '')
    print(json.dumps({
        'bom': raw.startswith(b'\xef\xbb\xbf'),
        'crlf': raw.count(b'\r\n') == raw.count(b'\n') and raw.endswith(b'\r\n'),
        'rows': [r['row'] for r in rows],
        'names': sorted(set(r['dealer_name'] for r in rows)),
        'widths': sorted(set(len(r) for r in rows)),
        'sums': [int(opening[0][c + '_fen']) + sum(int(r[c + '_fen']) for r in moves) for c in cols],
        'closing': [int(closing[0][c + '_fen']) for c in cols],
        'yuan_ok': yuan_ok,
        'seqs': [int(r['seq']) for r in moves],
    }, ensure_ascii=False))
    """#

    /// A dealer whose name needs quoting in CSV and escaping in HTML.
    static let awkward = [
        #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["M1"],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":6000}}"#,
        #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D<1>","name":"=\"华北, 第一\" <b>&'"}}"#,
        #"{"type":"unit.sold","at":"2025-01-02","data":{"serial":"SN1","model":"M1","dealer":"D<1>","price":100000}}"#,
        #"{"type":"card.registered","at":"2025-01-03","data":{"serial":"SN1"}}"#,
        #"{"type":"visit.recorded","at":"2025-02-01","data":{"visit":"V1","serial":"SN1","dealer":"D<1>","kind":"repair","finding":"defect","laborMinutes":90,"travel":1234,"resolved":true}}"#,
        #"{"type":"dealer.invoiced","at":"2025-02-02","data":{"dealer":"D<1>","invoice":"FP,\"7\"","amount":500001}}"#,
    ]

    @Test(arguments: [("writeoffs-and-balances", "WA", "2025-01-01", "2025-06-30"), ("awkward", "D<1>", "2025-01-01", "2025-12-31")])
    func csvReadByPythonSumsToTheClosingBalances(_ scenario: String, _ dealer: String, _ from: String, _ to: String) async throws {
        try await withTemporaryFolder { scratch in
            let ledger: TestLedger
            if scenario == "awkward" {
                ledger = TestLedger(scratch: scratch)
                try await ledger.initialize()
                try await ledger.appendSucceeding(try ledger.input(lines: Self.awkward))
            } else {
                ledger = try await scenarioLedger(scenario, scratch: scratch)
            }
            let path = scratch + "/statement.csv"
            let run = try await ledger.run("statement", dealer, "--from", from, "--to", to, "--format", "csv", "--out", path)
            #expect(run.status == 0 && run.standardOutput.hasPrefix("wrote the statement of \(dealer)"), "\(run)")
            let json = try await ledger.run("statement", dealer, "--from", from, "--to", to, "--format", "json")
            let statement = try financeJSON(json.standardOutput) as! [String: Any]
            let closing = statement["closing"] as! [String: Any]
            guard let python = try runPython(Self.csvReader, [path]) else {
                Issue.record("python3 is needed to re-read the CSV")
                return
            }
            #expect(python.status == 0, "\(python.errors)")
            let read = try financeJSON(python.output) as! [String: Any]
            #expect(read["bom"] as? Bool == true)
            #expect(read["crlf"] as? Bool == true)
            #expect(read["yuan_ok"] as? Bool == true)
            #expect(read["widths"] as? [Int] == [StatementCSVShape.columns])
            let movements = statement["movements"] as! [[String: Any]]
            #expect(read["rows"] as? [String] == ["opening"] + movements.map { _ in "movement" } + ["closing"])
            #expect(read["seqs"] as? [Int64] == movements.map { fen($0, "seq")! })
            let name = statement["name"] as! String
            // A name a spreadsheet would run as a formula gets a leading apostrophe.
            #expect(read["names"] as? [String] == ["=+-@".contains(name.first!) ? "'" + name : name])
            let expectedClosing = financeColumns.map { fen(closing, $0)! }
            #expect(read["sums"] as? [Int64] == expectedClosing)
            #expect(read["closing"] as? [Int64] == expectedClosing)
            if scenario == "awkward" {
                // 90 min at 60 yuan/h + 12.34 travel = 102.34; invoiced 5,000.01; spreadsheet formulas defused.
                #expect(expectedClosing == [10234, 0, 10234, 0, 0, 0, 500001])
                #expect(read["names"] as? [String] == [#"'="华北, 第一" <b>&'"#])
            }
        }
    }

    @Test func htmlIsOneEscapedPrintablePage() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: Self.awkward))
            let run = try await ledger.run("statement", "D<1>", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "html")
            #expect(run.status == 0, "\(run)")
            let page = run.standardOutput
            for needle in ["<!DOCTYPE html>", #"<meta charset="utf-8">"#, "@page { size: A4", "Noto Sans CJK SC",
                           "=&quot;华北, 第一&quot; &lt;b&gt;&amp;&#39;", "(<span class=\"dealer-id\">D&lt;1&gt;</span>)",
                           "2025-01-01", "2025-03-31", "经销商确认", "签字", "日期", "102.34", "5,000.01", "FP,&quot;7&quot;"] {
                #expect(page.contains(needle), "missing \(needle)")
            }
            #expect(!page.contains("<b>&"), "unescaped dealer name")
            #expect(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"), "not self-contained")
        }
    }

    /// A comma, quote, `=` or `<` followed by a combining mark (U+0301) is one `Character` but still the ASCII byte a
    /// CSV reader, a spreadsheet or an HTML parser acts on.
    static let combining = [
        #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["M1"],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":6000}}"#,
        #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D2","name":"=\u0301甲,\u0301乙\"\u0301丙<\u0301b>"}}"#,
        #"{"type":"unit.sold","at":"2025-01-02","data":{"serial":"SN1","model":"M1","dealer":"D2","price":100000}}"#,
        #"{"type":"dealer.invoiced","at":"2025-02-02","data":{"dealer":"D2","invoice":"FP,\u03019","amount":100}}"#,
    ]

    @Test func combiningMarksDoNotHideCommasQuotesFormulasOrTags() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: Self.combining))
            let name = "=\u{301}甲,\u{301}乙\"\u{301}丙<\u{301}b>"
            let path = scratch + "/statement.csv"
            let run = try await ledger.run("statement", "D2", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "csv", "--out", path)
            #expect(run.status == 0, "\(run)")
            let csv = try Files.bytes(path)
            // Quoted, its quote doubled, and defused with an apostrophe; the invoice number quoted.
            let field = Array(("\"'" + "=\u{301}甲,\u{301}乙\"\"\u{301}丙<\u{301}b>" + "\"").utf8)
            #expect(csv.count(of: field) == 3, "opening, movement and closing rows")
            #expect(csv.count(of: Array("\"FP,\u{301}9\"".utf8)) == 1)
            if let python = try runPython(Self.csvReader, [path]) {
                let read = try financeJSON(python.output) as! [String: Any]
                #expect(read["widths"] as? [Int] == [StatementCSVShape.columns], "\(python)")
                #expect((read["names"] as? [String])?.map { Array($0.utf8) } == [Array(("'" + name).utf8)], "\(python)")
            }

            let html = try await ledger.run("statement", "D2", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "html")
            #expect(html.status == 0, "\(html)")
            let page = Array(html.standardOutput.utf8)
            #expect(page.count(of: Array("=\u{301}甲,\u{301}乙&quot;\u{301}丙&lt;\u{301}b&gt;".utf8)) == 1, "\(html.standardOutput)")
            #expect(page.count(of: Array("<\u{301}".utf8)) == 0 && page.count(of: Array("\"\u{301}".utf8)) == 0)
        }
    }

    /// `--out` replaces the file atomically (mode 0600, no temporary file left) and never writes into the ledger folder.
    @Test func outIsAtomicAndNeverInTheLedgerFolder() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await scenarioLedger("writeoffs-and-balances", scratch: scratch)
            let path = scratch + "/out/statement.json"
            try FileManager.default.createDirectory(atPath: scratch + "/out", withIntermediateDirectories: false)
            try Files.write(path, Array("an older, longer statement that must be replaced entirely\n".utf8))
            let run = try await ledger.run("statement", "WA", "--from", "2025-01-01", "--to", "2025-06-30", "--format", "json", "--out", path)
            #expect(run.status == 0, "\(run)")
            let printed = try await ledger.run("statement", "WA", "--from", "2025-01-01", "--to", "2025-06-30", "--format", "json")
            #expect(try Files.bytes(path) == Array(printed.standardOutput.utf8))
            #expect(try Files.names(scratch + "/out") == ["statement.json"])
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let names = try Files.names(ledger.folder)
            let snapshot = try? Files.bytes(ledger.folder + "/state.snapshot")
            for target in [ledger.folder + "/state.snapshot", ledger.folder + "/./statement.csv", ledger.folder + "/" + names[0]] {
                let refused = try await ledger.run("statement", "WA", "--from", "2025-01-01", "--to", "2025-06-30", "--format", "csv", "--out", target)
                #expect(refused.status == 64, "\(refused)")
                #expect(refused.standardError.contains("--out \(target) is inside the ledger folder"), "\(refused)")
            }
            #expect(try Files.names(ledger.folder) == names)
            #expect((try? Files.bytes(ledger.folder + "/state.snapshot")) == snapshot)
        }
    }

    /// `Tools/check_statement_html.py` renders the page in headless Chromium; it skips itself when there is none.
    @Test func rendersInHeadlessChromium() async throws {
        let script = (LedgerBinary.packageRoot() ?? ".") + "/Tools/check_statement_html.py"
        guard let result = try runPython("import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
                                         [script, "--ledger-binary", try LedgerBinary.path()]) else { return }
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.hasPrefix("ok: ") || result.output.hasPrefix("skipped: "), "\(result.output)")
    }
}

/// The CSV layout the reader expects: 18 descriptive columns, then fen and yuan for each of 7 balances.
enum StatementCSVShape {
    static let columns = 18 + 2 * 7
}

extension Array where Element == UInt8 {
    /// How many times `needle` occurs in these bytes (overlaps counted).
    func count(of needle: [UInt8]) -> Int {
        guard !needle.isEmpty, needle.count <= count else { return 0 }
        return (0...(count - needle.count)).count { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
