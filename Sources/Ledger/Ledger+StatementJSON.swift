import JSONText
import WarrantyDomain
import WarrantyProjections

extension AnswerJSON {
    /// `statement --format json`: one object; `opening` and `closing` have exactly the fields of a `dealers --json` row.
    public static func statement(_ statement: Statement) -> JSONValue {
        .object([
            JSONMember("dealer", .string(statement.dealer)),
            JSONMember("name", text(statement.name)),
            JSONMember("from", day(statement.from)),
            JSONMember("to", day(statement.to)),
            JSONMember("opening", dealer(statement.opening, name: statement.name)),
            JSONMember("closing", dealer(statement.closing, name: statement.name)),
            JSONMember("movements", .array(statement.movements.map(movement))),
            JSONMember("movementTotals", delta(statement.totals)),
            JSONMember("balanced", .bool(true)),
        ])
    }

    /// A balance change, with the column names of a `dealers --json` row.
    public static func delta(_ delta: BalanceDelta) -> JSONValue {
        .object(zip(BalanceDelta.columns, delta.values).map { JSONMember($0, .integer($1)) })
    }

    /// One movement of a statement: absent fields are `null`.
    public static func movement(_ movement: StatementMovement) -> JSONValue {
        .object([
            JSONMember("day", day(movement.day)),
            JSONMember("seq", .integer(movement.seq)),
            JSONMember("kind", .string(movement.kind.rawValue)),
            JSONMember("cause", .string(movement.cause)),
            JSONMember("line", text(movement.line)),
            JSONMember("lineKind", text(movement.lineKind?.rawValue)),
            JSONMember("serial", text(movement.serial)),
            JSONMember("notice", text(movement.notice)),
            JSONMember("reference", text(movement.reference)),
            JSONMember("from", text(movement.fromStatus?.rawValue)),
            JSONMember("to", text(movement.toStatus?.rawValue)),
            JSONMember("reason", text(movement.reason?.rawValue)),
            JSONMember("deadline", day(movement.deadline)),
            JSONMember("amount", .integer(movement.amount)),
            JSONMember("delta", delta(movement.delta)),
        ])
    }
}
