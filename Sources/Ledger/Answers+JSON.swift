import JSONText
import WarrantyDomain
import WarrantyProjections

/// The JSON shapes of SPEC §4: dates `YYYY-MM-DD`, money integer fen, absent values `null`.
public enum AnswerJSON {
    static func day(_ day: Day?) -> JSONValue {
        day.map { .string($0.description) } ?? .null
    }

    static func text(_ text: String?) -> JSONValue {
        text.map { .string($0) } ?? .null
    }

    static func sortedObject<Value>(_ dictionary: [String: Value], _ value: (Value) -> JSONValue) -> JSONValue {
        .object(dictionary.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { JSONMember($0, value(dictionary[$0]!)) })
    }

    /// `status`: the unit's warranty on the day asked about.
    public static func status(_ status: UnitStatus) -> JSONValue {
        .object([
            JSONMember("serial", .string(status.serial)),
            JSONMember("model", .string(status.model)),
            JSONMember("dealer", .string(status.dealer)),
            JSONMember("policy", .string(status.policy)),
            JSONMember("state", .string(status.state.rawValue)),
            JSONMember("sold", day(status.sold)),
            JSONMember("start", day(status.start)),
            JSONMember("end", day(status.end)),
            JSONMember("extensionDays", .integer(Int64(status.extensionDays))),
            JSONMember("components", sortedObject(status.components) { day($0) }),
            JSONMember("registration", .string(status.registration.rawValue)),
            JSONMember("repairs", sortedObject(status.repairs) { .integer(Int64($0)) }),
            JSONMember("escalation", .bool(status.escalation)),
            JSONMember("installed", day(status.installed)),
            JSONMember("replacementOf", text(status.replacementOf)),
            JSONMember("replacedBy", text(status.replacedBy)),
        ])
    }

    /// One row of `claims`.
    public static func claim(_ line: ClaimLine) -> JSONValue {
        .object([
            JSONMember("line", .string(line.line)),
            JSONMember("kind", .string(line.kind.rawValue)),
            JSONMember("dealer", .string(line.dealer)),
            JSONMember("serial", .string(line.serial)),
            JSONMember("amount", .integer(line.amount)),
            JSONMember("status", .string(line.status.rawValue)),
            JSONMember("reason", text(line.reason?.rawValue)),
            JSONMember("notice", text(line.notice)),
            JSONMember("part", .string(line.part)),
            JSONMember("failureDay", day(line.failureDay)),
            JSONMember("returnDeadline", day(line.returnDeadline)),
        ])
    }

    /// One row of `dealers`.
    public static func dealer(_ balance: DealerBalance, name: String?) -> JSONValue {
        .object([
            JSONMember("dealer", .string(balance.dealer)),
            JSONMember("name", text(name)),
            JSONMember("claimed", .integer(balance.claimed)),
            JSONMember("pending", .integer(balance.pending)),
            JSONMember("approved", .integer(balance.approved)),
            JSONMember("rejected", .integer(balance.rejected)),
            JSONMember("writtenOff", .integer(balance.writtenOff)),
            JSONMember("deducted", .integer(balance.deducted)),
            JSONMember("receivable", .integer(balance.receivable)),
        ])
    }

    /// One row of `archive`.
    public static func archive(_ record: ArchiveRecord) -> JSONValue {
        .object([
            JSONMember("record", .string(record.record)),
            JSONMember("serial", .string(record.serial)),
            JSONMember("dealer", .string(record.dealer)),
            JSONMember("opened", day(record.opened)),
            JSONMember("closed", day(record.closed)),
            JSONMember("retainUntil", day(record.retainUntil)),
            JSONMember("visits", .array(record.visits.map { .string($0) })),
            JSONMember("swaps", .array(record.swaps.map { .string($0) })),
            JSONMember("cost", .integer(record.cost)),
            JSONMember("expired", .bool(record.expired)),
        ])
    }
}
