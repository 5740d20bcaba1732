/// RFC 4180 text: fields separated by commas, records ended by CRLF, a field quoted when it holds a comma, a quote,
/// CR or LF, with its quotes doubled. It starts with a UTF-8 byte order mark so spreadsheet programs read Chinese correctly.
struct CSV {
    private(set) var text = "\u{FEFF}"

    /// Appends one record.
    mutating func row(_ fields: [String]) {
        text += fields.map(CSV.field).joined(separator: ",") + "\r\n"
    }

    /// Looks at bytes, not `Character`s: a comma or quote followed by a combining mark is one `Character` that is not
    /// `","`, yet a CSV reader still sees the comma or quote.
    static func field(_ value: String) -> String {
        let special: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        guard value.utf8.contains(where: special.contains) else { return value }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in value.utf8 {
            quoted.append(byte)
            if byte == UInt8(ascii: "\"") { quoted.append(byte) }
        }
        quoted.append(UInt8(ascii: "\""))
        return String(decoding: quoted, as: UTF8.self)
    }

    /// Free text from the ledger: a leading `=`, `+`, `-` or `@` would make a spreadsheet evaluate it as a formula,
    /// so such text gets a leading apostrophe, which spreadsheets show as plain text. The first Unicode scalar decides,
    /// so `=` followed by a combining mark is guarded too.
    static func text(_ value: String?) -> String {
        guard let value else { return "" }
        guard let first = value.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }

    /// Yuan with two decimals and no grouping, e.g. `-1234.50`, which every spreadsheet reads as a number.
    static func yuan(_ fen: Int64) -> String {
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + String(magnitude / 100) + "." + (cents < 10 ? "0" : "") + String(cents)
    }
}
