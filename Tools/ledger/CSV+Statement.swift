import Ledger
import WarrantyDomain
import WarrantyProjections

/// `statement --format csv`: one table whose rows are the opening balances, each movement, and the closing balances.
///
/// Every money column holds fen, and the next column the same amount in yuan with two decimals. Summing a balance
/// column over the `opening` and `movement` rows gives the `closing` row's value.
enum StatementCSV {
    static let header: [String] = {
        var names = ["row", "dealer", "dealer_name", "day", "seq", "kind", "cause", "line", "line_kind", "serial", "notice",
                     "reference", "from_status", "to_status", "reason", "deadline", "amount_fen", "amount_yuan"]
        for column in ["claimed", "pending", "approved", "rejected", "written_off", "deducted", "receivable"] {
            names += [column + "_fen", column + "_yuan"]
        }
        return names
    }()

    /// The statements' rows under one header; the `dealer` column tells them apart.
    static func render(_ statements: [Statement]) -> String {
        var csv = CSV()
        csv.row(header)
        for statement in statements { add(statement, to: &csv) }
        return csv.text
    }

    static func add(_ statement: Statement, to csv: inout CSV) {
        let dealer = [CSV.text(statement.dealer), CSV.text(statement.name)]
        func money(_ values: [Int64]) -> [String] {
            values.flatMap { [String($0), CSV.yuan($0)] }
        }
        let blank = Array(repeating: "", count: 14)
        csv.row(["opening"] + dealer + ["\(statement.from.adding(days: -1))"] + blank
                + money(BalanceDelta.values(of: statement.opening)))
        for movement in statement.movements {
            csv.row(["movement"] + dealer + [
                "\(movement.day)", "\(movement.seq)", movement.kind.rawValue, movement.cause, CSV.text(movement.line),
                movement.lineKind?.rawValue ?? "", CSV.text(movement.serial), CSV.text(movement.notice), CSV.text(movement.reference),
                movement.fromStatus?.rawValue ?? "", movement.toStatus?.rawValue ?? "", movement.reason?.rawValue ?? "",
                movement.deadline.map { "\($0)" } ?? "",
            ] + money([movement.amount]) + money(movement.delta.values))
        }
        csv.row(["closing"] + dealer + ["\(statement.to)"] + blank + money(BalanceDelta.values(of: statement.closing)))
    }
}
