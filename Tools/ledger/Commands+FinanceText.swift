import Ledger
import WarrantyDomain
import WarrantyProjections

extension StatementMovement {
    /// What happened, in a few words: `new labor line (pending)`, `pending → approved`, `notice issued`, `invoice FP-1`.
    var summary: String {
        switch kind {
        case .line: "new \(lineKind?.rawValue ?? "") line (\(toStatus?.rawValue ?? ""))"
        case .status:
            if fromStatus == toStatus { "\(toStatus?.rawValue ?? ""): reason now \(reason?.rawValue ?? "none")" }
            else { "\(fromStatus?.rawValue ?? "") → \(toStatus?.rawValue ?? "")" }
        case .notice: "notice issued"
        case .confirmation: "notice confirmed by the dealer"
        case .invoice: "invoice" + (reference.map { " " + $0 } ?? "")
        case .payment: "payment" + (reference.map { " " + $0 } ?? "")
        }
    }

    /// The cause, with the deadline when a deadline passed.
    var causeText: String {
        deadline.map { "\(cause) (\($0))" } ?? cause
    }
}

/// The balance column headings for people, in the order of `BalanceDelta.columns`.
let balanceHeadings = ["claimed", "pending", "approved", "rejected", "written off", "deducted", "receivable"]

/// `statement --format table`: the heading, the balances, the check and the movements, amounts in yuan.
enum StatementText {
    static func render(_ statement: Statement) -> String {
        var text = "statement of dealer \(statement.dealer)\(statement.name.map { " " + $0 } ?? "") from \(statement.from) to \(statement.to)\n\n"
        var balances = Table(["", "day"] + balanceHeadings, rightAligned: Set(2...8))
        balances.add(["opening", "\(statement.from.adding(days: -1))"] + BalanceDelta.values(of: statement.opening).map(Yuan.format))
        balances.add(["movements", ""] + statement.totals.values.map(Yuan.format))
        balances.add(["closing", "\(statement.to)"] + BalanceDelta.values(of: statement.closing).map(Yuan.format))
        text += balances.render()
        text += "opening + movements = closing in every column (checked); amounts in yuan\n\n"
        var movements = Table(["day", "seq", "line", "serial", "what", "reason", "notice", "cause", "amount"], rightAligned: [1, 8])
        for movement in statement.movements {
            movements.add(["\(movement.day)", "\(movement.seq)", movement.line ?? "", movement.serial ?? "", movement.summary,
                           movement.reason?.rawValue ?? "", movement.notice ?? "", movement.causeText, Yuan.format(movement.amount)])
        }
        text += movements.render()
        text += "\(statement.movements.count) movement\(statement.movements.count == 1 ? "" : "s")\n"
        return text
    }
}

/// `reconcile` for people: the breaches, then each action list as a table.
enum ReconcileText {
    static func render(_ result: Reconciliation) -> String {
        var text = "reconciliation on \(result.asOf) over \(result.events) events: \(result.dealers) dealers, \(result.lines) claim lines, \(result.notices) notices\n"
        if result.breaches.isEmpty {
            text += "invariants: all hold (claimed = sum of its parts; notice amounts = sum of their lines; no line on two notices; every deducted line on a confirmed notice; receivable = invoiced − paid − deducted)\n"
        } else {
            text += "BREACHES: \(result.breaches.count)\n"
            for breach in result.breaches { text += "  [\(breach.check.rawValue)] \(breach.message)\n" }
            if !result.notFolded.isEmpty {
                text += "  not folded (the projections would stop on them): seq \(result.notFolded.map(String.init).joined(separator: ", "))\n"
            }
        }
        let actions = result.actions
        let horizon = ReconcileActions.horizonDays
        text += "\nold parts due within \(horizon) days of their return deadline: \(actions.partsDue.count)\n"
        if !actions.partsDue.isEmpty {
            var table = Table(["dealer", "line", "serial", "part", "deadline", "days left"], rightAligned: [5])
            for item in actions.partsDue {
                table.add([item.dealer, item.line, item.serial, item.part, "\(item.deadline)", "\(item.daysLeft)"])
            }
            text += table.render()
        }
        text += "\nparts returned but not appraised: \(actions.awaitingAppraisal.count)\n"
        if !actions.awaitingAppraisal.isEmpty {
            var table = Table(["dealer", "line", "serial", "part", "returned", "days"], rightAligned: [5])
            for item in actions.awaitingAppraisal {
                table.add([item.dealer, item.line, item.serial, item.part, "\(item.returned)", "\(item.days)"])
            }
            text += table.render()
        }
        let approvedTotal = actions.approvedNotOnNotice.reduce(0) { $0 + $1.amount }
        text += "\napproved lines not yet on a notice: \(actions.approvedNotOnNotice.count), \(Yuan.format(approvedTotal)) yuan (`ledger writeoff-draft DEALER` drafts the notice)\n"
        if !actions.approvedNotOnNotice.isEmpty {
            var table = Table(["dealer", "line", "kind", "serial", "claimed", "age (days)", "amount (yuan)"], rightAligned: [5, 6])
            for item in actions.approvedNotOnNotice {
                table.add([item.dealer, item.line, item.kind.rawValue, item.serial, "\(item.claimed)", "\(item.ageDays)", Yuan.format(item.amount)])
            }
            text += table.render()
        }
        text += "\nnotices not confirmed after \(horizon) days: \(actions.unconfirmedNotices.count)\n"
        if !actions.unconfirmedNotices.isEmpty {
            var table = Table(["dealer", "notice", "issued", "age (days)", "amount (yuan)"], rightAligned: [3, 4])
            for item in actions.unconfirmedNotices {
                table.add([item.dealer, item.notice, "\(item.issued)", "\(item.ageDays)", Yuan.format(item.amount)])
            }
            text += table.render()
        }
        return text
    }
}
