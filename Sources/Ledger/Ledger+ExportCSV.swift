import JSONText
import WarrantyDomain

/// The CSV export: one RFC 4180 file per event type, UTF-8 with a byte order mark, CRLF line ends.
///
/// Columns are the envelope, then the type's data fields in catalogue order (SPEC §2). Values are exact:
/// text as stored, integers in decimal (money in fen), `true`/`false`, an absent optional field empty,
/// an array as its JSON text in one cell, and the `sla` object as two columns `sla.onsiteHours` and
/// `sla.resolveHours`. The voided event's seq is the column `data.seq`, as `seq` is the envelope's.
public enum ExportCSV {
    public static let envelopeColumns = ["seq", "stream", "version", "recorded", "hash", "type", "at", "day", "id", "by"]

    /// The data columns of each event type.
    public static func dataColumns(_ type: EventType) -> [String] {
        switch type {
        case .policyPublished:
            ["policy", "models", "effective", "clockStart", "returnDays", "exchangeDays", "warrantyMonths", "components",
             "excluded", "escalateAfter", "maxRepairDays", "registrationDays", "partReturnDeadlines", "retentionYears",
             "laborRate", "sla.onsiteHours", "sla.resolveHours"]
        case .dealerEnrolled: ["dealer", "name", "region"]
        case .unitSold: ["serial", "model", "dealer", "customer", "invoice", "price"]
        case .cardRegistered: ["serial"]
        case .unitInstalled: ["serial", "site"]
        case .complaintLodged: ["complaint", "serial", "part", "fault"]
        case .visitRecorded: ["visit", "serial", "dealer", "complaint", "kind", "finding", "laborMinutes", "travel", "resolved"]
        case .partSwapped: ["swap", "visit", "serial", "part", "removed", "installed", "cost"]
        case .partReturned: ["swap"]
        case .partAppraised: ["swap", "verdict", "disposition"]
        case .costWrittenOff: ["notice", "dealer", "lines", "amount"]
        case .writeoffConfirmed: ["notice"]
        case .dealerInvoiced: ["dealer", "invoice", "amount"]
        case .paymentReceived: ["dealer", "amount", "ref"]
        case .unitReturned: ["serial", "refund"]
        case .unitExchanged: ["serial", "replacement"]
        case .eventVoided: ["data.seq", "reason"]
        }
    }

    /// The file name of a type's export.
    public static func fileName(_ type: EventType) -> String { type.rawValue + ".csv" }

    /// The byte order mark and the header record.
    public static func header(_ type: EventType) -> String {
        "\u{FEFF}" + record(envelopeColumns + dataColumns(type))
    }

    /// One event's record.
    public static func row(_ logged: LoggedEvent) -> String {
        let event = logged.stored.event
        var fields = [String(logged.seq), logged.stored.stream, String(logged.stored.version),
                      Timestamp.iso8601(microseconds: logged.recordedMicroseconds), logged.hash.hex,
                      event.type.rawValue, event.at, event.day.description, event.id ?? "", event.by ?? ""]
        let data = EventEncoder.data(event.body).objectValue ?? []
        let columns = dataColumns(event.type)
        var used = 0
        for column in columns {
            var value: JSONValue?
            if column.hasPrefix("sla.") {
                value = data[key: "sla"]?[key: String(column.dropFirst(4))]
                if column == "sla.onsiteHours", data[key: "sla"] != nil { used += 1 }
            } else {
                value = data[key: column.hasPrefix("data.") ? String(column.dropFirst(5)) : column]
                if value != nil { used += 1 }
            }
            fields.append(value.map(cell) ?? "")
        }
        // The columns are the catalogue; a field outside it would be lost, which a test must catch first.
        precondition(used == data.count, "\(event.type.rawValue) has a data field without a CSV column")
        return record(fields)
    }

    public static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .number(let text): text
        case .string(let text): text
        case .array, .object: JSONWriter.string(value)
        }
    }

    /// Fields joined by commas and ended by CRLF, each quoted when it holds a comma, quote, CR or LF.
    static func record(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }

    static func quoted(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }) else {
            return field
        }
        var text = "\""
        for character in field.unicodeScalars {
            if character == "\"" { text += "\"" }
            text.unicodeScalars.append(character)
        }
        return text + "\""
    }
}
