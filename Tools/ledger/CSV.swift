/// RFC 4180 text: fields separated by commas, records ended by CRLF, a field quoted when it holds a comma, a quote,
/// CR or LF, with its quotes doubled. It starts with a UTF-8 byte order mark so spreadsheet programs read Chinese correctly.
struct CSV {
    private(set) var text = "\u{FEFF}"

    /// Appends one record.
    mutating func row(_ fields: [String]) {
        text += fields.map(CSV.field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        var quoted = "\""
        for character in value {
            quoted += character == "\"" ? "\"\"" : String(character)
        }
        return quoted + "\""
    }

    /// Free text from the ledger: a leading `=`, `+`, `-` or `@` would make a spreadsheet evaluate it as a formula,
    /// so such text gets a leading apostrophe, which spreadsheets show as plain text.
    static func text(_ value: String?) -> String {
        guard let value else { return "" }
        guard let first = value.first, "=+-@".contains(first) else { return value }
        return "'" + value
    }

    /// Yuan with two decimals and no grouping, e.g. `-1234.50`, which every spreadsheet reads as a number.
    static func yuan(_ fen: Int64) -> String {
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + String(magnitude / 100) + "." + (cents < 10 ? "0" : "") + String(cents)
    }
}
