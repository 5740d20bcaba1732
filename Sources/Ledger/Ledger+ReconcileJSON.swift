import JSONText
import WarrantyDomain
import WarrantyProjections

extension AnswerJSON {
    /// `reconcile --json`: the breaches and the action lists, one object.
    public static func reconciliation(_ result: Reconciliation) -> JSONValue {
        let actions = result.actions
        return .object([
            JSONMember("asOf", day(result.asOf)),
            JSONMember("events", .integer(result.events)),
            JSONMember("dealers", .integer(Int64(result.dealers))),
            JSONMember("lines", .integer(Int64(result.lines))),
            JSONMember("notices", .integer(Int64(result.notices))),
            JSONMember("clean", .bool(result.breaches.isEmpty)),
            JSONMember("breaches", .array(result.breaches.map(breach))),
            JSONMember("notFolded", .array(result.notFolded.map { .integer($0) })),
            JSONMember("partsDue", .array(actions.partsDue.map { item in
                .object([
                    JSONMember("line", .string(item.line)), JSONMember("dealer", .string(item.dealer)),
                    JSONMember("serial", .string(item.serial)), JSONMember("part", .string(item.part)),
                    JSONMember("deadline", day(item.deadline)), JSONMember("daysLeft", .integer(Int64(item.daysLeft))),
                ])
            })),
            JSONMember("awaitingAppraisal", .array(actions.awaitingAppraisal.map { item in
                .object([
                    JSONMember("line", .string(item.line)), JSONMember("dealer", .string(item.dealer)),
                    JSONMember("serial", .string(item.serial)), JSONMember("part", .string(item.part)),
                    JSONMember("returned", day(item.returned)), JSONMember("days", .integer(Int64(item.days))),
                ])
            })),
            JSONMember("approvedNotOnNotice", .array(actions.approvedNotOnNotice.map { item in
                .object([
                    JSONMember("line", .string(item.line)), JSONMember("kind", .string(item.kind.rawValue)),
                    JSONMember("dealer", .string(item.dealer)), JSONMember("serial", .string(item.serial)),
                    JSONMember("amount", .integer(item.amount)), JSONMember("claimed", day(item.claimed)),
                    JSONMember("ageDays", .integer(Int64(item.ageDays))),
                ])
            })),
            JSONMember("unconfirmedNotices", .array(actions.unconfirmedNotices.map { item in
                .object([
                    JSONMember("notice", .string(item.notice)), JSONMember("dealer", .string(item.dealer)),
                    JSONMember("amount", .integer(item.amount)), JSONMember("issued", day(item.issued)),
                    JSONMember("ageDays", .integer(Int64(item.ageDays))),
                ])
            })),
        ])
    }

    /// One breach: the invariant, what it concerns and a sentence saying what is wrong.
    public static func breach(_ breach: Breach) -> JSONValue {
        .object([
            JSONMember("check", .string(breach.check.rawValue)),
            JSONMember("dealer", text(breach.dealer)),
            JSONMember("seq", breach.seq.map { .integer($0) } ?? .null),
            JSONMember("notice", text(breach.notice)),
            JSONMember("line", text(breach.line)),
            JSONMember("message", .string(breach.message)),
        ])
    }
}
