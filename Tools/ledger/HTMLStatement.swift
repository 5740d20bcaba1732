import Ledger
import WarrantyDomain
import WarrantyProjections

/// `statement --format html`: one self-contained printable A4 page (inline CSS, no scripts, no external files).
///
/// The dealer signs it to confirm the balances (经销商确认). Every text from the ledger is HTML-escaped.
enum StatementHTML {
    static let style = """
    @page { size: A4; margin: 14mm 12mm; }
    * { box-sizing: border-box; }
    body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
           "Microsoft YaHei", "WenQuanYi Micro Hei", "SimSun", sans-serif;
           font-size: 9pt; color: #111; margin: 0 auto; max-width: 186mm; padding: 6mm 0; }
    @media print { body { padding: 0; } }
    h1 { font-size: 15pt; margin: 0 0 2mm; }
    h2 { font-size: 11pt; margin: 5mm 0 1.5mm; }
    .meta { margin: 0 0 3mm; width: auto; }
    .meta td { padding: 0.5mm 3mm 0.5mm 0; border: none; }
    table { border-collapse: collapse; width: 100%; }
    th, td { border: 0.3mm solid #888; padding: 0.8mm 1.5mm; vertical-align: top; }
    th { background: #eee; text-align: left; font-weight: 600; font-size: 8pt; }
    td.day { white-space: nowrap; }
    .movements-list td { font-size: 8pt; }
    section.statement + section.statement { break-before: page; page-break-before: always; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tr.total td { font-weight: 600; }
    thead { display: table-header-group; }
    tr { page-break-inside: avoid; }
    .check { margin: 1.5mm 0 0; }
    .sign { margin-top: 10mm; page-break-inside: avoid; }
    .sign p { margin: 0 0 6mm; }
    .line { display: inline-block; width: 55mm; border-bottom: 0.3mm solid #111; height: 6mm; vertical-align: bottom;
            margin-right: 10mm; }
    """

    /// One page per statement (a page break between dealers), in one document.
    static func render(_ statements: [Statement]) -> String {
        let title = statements.count == 1
            ? "\(escape(statements[0].dealer)) \(statements[0].from) – \(statements[0].to)"
            : statements.first.map { "\($0.from) – \($0.to), \(statements.count) dealers" } ?? ""
        return """
        <!DOCTYPE html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <title>经销商三包费用对账单 \(title)</title>
        <style>
        \(style)
        </style>
        </head>
        <body>

        """ + statements.map(section).joined() + """
        </body>
        </html>

        """
    }

    /// One statement as a section of the page.
    static func section(_ statement: Statement) -> String {
        let name = statement.name ?? ""
        var html = """
        <section class="statement">
        <h1>经销商三包费用对账单 Dealer warranty statement</h1>
        <table class="meta">
        <tr><td>经销商 Dealer</td><td><strong class="dealer-name">\(escape(name))</strong> (<span class="dealer-id">\(escape(statement.dealer))</span>)</td></tr>
        <tr><td>期间 Period</td><td><span class="period-from">\(statement.from)</span> – <span class="period-to">\(statement.to)</span></td></tr>
        <tr><td>金额 Amounts</td><td>元 yuan</td></tr>
        </table>
        <h2>余额 Balances</h2>
        <table class="balances">
        <thead><tr><th></th><th>日期 Day</th>
        """
        let headings = [("索赔合计", "claimed"), ("待定", "pending"), ("已批准", "approved"), ("已拒绝", "rejected"),
                        ("已核销", "written off"), ("已扣款", "deducted"), ("应收", "receivable")]
        html += headings.map { "<th class=\"num\">\($0.0)<br>\($0.1)</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        func row(_ label: String, _ day: String, _ values: [Int64], id: String, total: Bool = false) -> String {
            "<tr class=\"\(id)\(total ? " total" : "")\"><td>\(escape(label))</td><td class=\"day\">\(day)</td>"
                + values.map { "<td class=\"num\">\(Yuan.format($0))</td>" }.joined() + "</tr>\n"
        }
        html += row("期初 Opening", "\(statement.from.adding(days: -1))", BalanceDelta.values(of: statement.opening), id: "opening")
        html += row("本期发生 Movements", "", statement.totals.values, id: "movements")
        html += row("期末 Closing", "\(statement.to)", BalanceDelta.values(of: statement.closing), id: "closing", total: true)
        html += """
        </tbody>
        </table>
        <p class="check">期初 + 本期发生 = 期末，各栏已核对。Opening + movements = closing in every column (checked).</p>
        <h2>本期明细 Movements (\(statement.movements.count))</h2>
        <table class="movements-list">
        <thead><tr><th>日期 Day</th><th class="num">Seq</th><th>索赔行 Line</th><th>序列号 Serial</th><th>事项 What</th><th>原因 Reason</th><th>通知 Notice</th><th>依据 Cause</th><th class="num">金额 Amount</th></tr></thead>
        <tbody>

        """
        for movement in statement.movements {
            let cells = ["\(movement.day)", "\(movement.seq)", movement.line ?? "", movement.serial ?? "", movement.summary,
                         movement.reason?.rawValue ?? "", movement.notice ?? "", movement.causeText]
            html += "<tr>" + cells.enumerated().map { index, cell in
                "<td\(index == 0 ? " class=\"day\"" : index == 1 ? " class=\"num\"" : "")>\(escape(cell))</td>"
            }.joined() + "<td class=\"num\">\(Yuan.format(movement.amount))</td></tr>\n"
        }
        if statement.movements.isEmpty { html += "<tr><td colspan=\"9\">本期无发生 No movements in the period</td></tr>\n" }
        html += """
        </tbody>
        </table>
        <div class="sign">
        <p>经销商确认 Dealer confirmation：以上余额及明细无误。The balances and movements above are confirmed.</p>
        <p>签字 Signature：<span class="line"></span>日期 Date：<span class="line"></span></p>
        </div>
        </section>

        """
        return html
    }

    /// Text made safe inside an element or a quoted attribute.
    ///
    /// Escapes Unicode scalars, not `Character`s: `<` followed by a combining mark is one `Character` that is not
    /// `"<"`, yet an HTML parser still sees the `<`.
    static func escape(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }
}
