/// Aligned text tables for people; CJK characters count two columns, so Chinese names stay aligned.
struct Table {
    var headers: [String]
    /// Columns aligned to the right (numbers and money).
    var rightAligned: Set<Int> = []
    var rows: [[String]] = []

    init(_ headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// The table as lines: a header, a rule, the rows; columns separated by two spaces.
    func render() -> String {
        var widths = headers.map(Table.width)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], Table.width(cell)) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - Table.width(cell))
                let isLast = index == cells.count - 1
                if rightAligned.contains(index) {
                    text += padding + cell
                } else {
                    text += cell + (isLast ? "" : padding)
                }
                if !isLast { text += "  " }
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text + "\n"
        }
        return line(headers) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
    }

    /// Display columns of `text` in a terminal: East Asian wide and fullwidth characters take two, combining marks none.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: 0
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD: 2
        default: 1
        }
    }
}

/// Money for people: yuan with two decimals and thousands separators.
enum Yuan {
    static func format(_ fen: Int64) -> String {
        let negative = fen < 0
        let magnitude = fen.magnitude
        let yuan = String(magnitude / 100)
        var grouped = ""
        for (index, digit) in yuan.enumerated() {
            if index > 0 && (yuan.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        let cents = magnitude % 100
        return (negative ? "-" : "") + grouped + "." + (cents < 10 ? "0" : "") + String(cents)
    }
}
