import JSONText

/// Turns one parsed input line (SPEC §2) into an `Event`, checking every field against the catalogue and `Limits`.
///
/// Only the line itself is checked here; conditions on the ledger's state (the serial exists, the dealer is
/// enrolled, ...) are the ledger's. Optional fields may be absent or `null`.
public enum EventDecoder {
    /// The keys an input line may have.
    static let envelopeKeys: [StaticString] = ["type", "at", "id", "by", "data"]

    /// Decodes one line's top-level object, with business days taken in the ledger's `zone`.
    public static func decode(_ line: JSONValue, zone: TimeZoneOffset) throws(EventInputError) -> Event {
        guard case .object(let members) = line else {
            throw EventInputError(type: nil, reason: "expected a JSON object")
        }
        let type = try eventType(members)
        let envelope = try JSONObjectReader(line, path: "", allowed: envelopeKeys, type: type.rawValue)

        guard let atValue = envelope.value("at") else { throw EventInputError(type: type.rawValue, reason: "at: required") }
        let at = try JSONObjectReader.string(atValue, .businessTime) { EventInputError(type: type.rawValue, reason: "at: \($0)") }
        guard let time = BusinessTime(at) else {
            throw EventInputError(
                type: type.rawValue,
                reason: "at: \(quoted(at)): \(BusinessTime.refusal(of: at))")
        }
        let id = try envelope.value("id").map { value throws(EventInputError) in
            try JSONObjectReader.string(value, .id) { EventInputError(type: type.rawValue, reason: "id: \($0)") }
        }
        let by = try envelope.value("by").map { value throws(EventInputError) in
            try JSONObjectReader.string(value, .freeText) { EventInputError(type: type.rawValue, reason: "by: \($0)") }
        }
        let body = try decodeBody(type, data: envelope.value("data"))
        return Event(at: at, day: time.businessDay(in: zone), id: id, by: by, body: body)
    }

    /// The known event type named by the line's `type`.
    static func eventType(_ members: [JSONMember]) throws(EventInputError) -> EventType {
        guard let member = members.first(where: { sameBytes($0.key, "type") }), member.value != .null else {
            throw EventInputError(type: nil, reason: "type: required")
        }
        guard case .string(let name) = member.value else {
            throw EventInputError(type: nil, reason: "type: expected a string")
        }
        guard let type = EventType.allCases.first(where: { sameBytes($0.rawValue, name) }) else {
            throw EventInputError(type: nil, reason: "type: unknown event type \(quoted(name))")
        }
        return type
    }

    /// Decodes the `data` object of an event of type `type`.
    static func decodeBody(_ type: EventType, data: JSONValue?) throws(EventInputError) -> EventBody {
        let name = type.rawValue
        switch type {
        case .policyPublished:
            return .policyPublished(try policyPublished(data, type: name))
        case .dealerEnrolled:
            let r = try JSONObjectReader(data, path: "data", allowed: ["dealer", "name", "region"], type: name)
            return .dealerEnrolled(DealerEnrolled(
                dealer: try r.string("dealer", .identifier),
                name: try r.string("name", .freeText),
                region: try r.optionalString("region", .freeText)))
        case .unitSold:
            let r = try JSONObjectReader(
                data, path: "data", allowed: ["serial", "model", "dealer", "customer", "invoice", "price"], type: name)
            return .unitSold(UnitSold(
                serial: try r.string("serial", .identifier),
                model: try r.string("model", .identifier),
                dealer: try r.string("dealer", .identifier),
                customer: try r.optionalString("customer", .freeText),
                invoice: try r.optionalString("invoice", .identifier),
                price: try r.money("price")))
        case .cardRegistered:
            let r = try JSONObjectReader(data, path: "data", allowed: ["serial"], type: name)
            return .cardRegistered(CardRegistered(serial: try r.string("serial", .identifier)))
        case .unitInstalled:
            let r = try JSONObjectReader(data, path: "data", allowed: ["serial", "site"], type: name)
            return .unitInstalled(UnitInstalled(
                serial: try r.string("serial", .identifier),
                site: try r.optionalString("site", .freeText)))
        case .complaintLodged:
            let r = try JSONObjectReader(data, path: "data", allowed: ["complaint", "serial", "part", "fault"], type: name)
            return .complaintLodged(ComplaintLodged(
                complaint: try r.string("complaint", .identifier),
                serial: try r.string("serial", .identifier),
                part: try r.optionalString("part", .identifier),
                fault: try r.string("fault", .freeText)))
        case .visitRecorded:
            let r = try JSONObjectReader(
                data, path: "data",
                allowed: ["visit", "serial", "dealer", "complaint", "kind", "finding", "laborMinutes", "travel", "resolved"],
                type: name)
            return .visitRecorded(VisitRecorded(
                visit: try r.string("visit", .identifier),
                serial: try r.string("serial", .identifier),
                dealer: try r.string("dealer", .identifier),
                complaint: try r.optionalString("complaint", .identifier),
                kind: try r.choice("kind", VisitRecorded.Kind.self),
                finding: try r.choice("finding", VisitRecorded.Finding.self),
                laborMinutes: try r.int32("laborMinutes", 0...Limits.laborMinutesMax),
                travel: try r.money("travel"),
                resolved: try r.bool("resolved")))
        case .partSwapped:
            let r = try JSONObjectReader(
                data, path: "data", allowed: ["swap", "visit", "serial", "part", "removed", "installed", "cost"], type: name)
            return .partSwapped(PartSwapped(
                swap: try r.string("swap", .identifier),
                visit: try r.string("visit", .identifier),
                serial: try r.string("serial", .identifier),
                part: try r.string("part", .identifier),
                removed: try r.optionalString("removed", .identifier),
                installed: try r.optionalString("installed", .identifier),
                cost: try r.money("cost")))
        case .partReturned:
            let r = try JSONObjectReader(data, path: "data", allowed: ["swap"], type: name)
            return .partReturned(PartReturned(swap: try r.string("swap", .identifier)))
        case .partAppraised:
            let r = try JSONObjectReader(data, path: "data", allowed: ["swap", "verdict", "disposition"], type: name)
            return .partAppraised(PartAppraised(
                swap: try r.string("swap", .identifier),
                verdict: try r.choice("verdict", PartAppraised.Verdict.self),
                disposition: try r.choice("disposition", PartAppraised.Disposition.self)))
        case .costWrittenOff:
            let r = try JSONObjectReader(data, path: "data", allowed: ["notice", "dealer", "lines", "amount"], type: name)
            return .costWrittenOff(CostWrittenOff(
                notice: try r.string("notice", .identifier),
                dealer: try r.string("dealer", .identifier),
                lines: try r.stringArray("lines", .identifier, nonEmpty: true),
                amount: try r.money("amount")))
        case .writeoffConfirmed:
            let r = try JSONObjectReader(data, path: "data", allowed: ["notice"], type: name)
            return .writeoffConfirmed(WriteoffConfirmed(notice: try r.string("notice", .identifier)))
        case .dealerInvoiced:
            let r = try JSONObjectReader(data, path: "data", allowed: ["dealer", "invoice", "amount"], type: name)
            return .dealerInvoiced(DealerInvoiced(
                dealer: try r.string("dealer", .identifier),
                invoice: try r.string("invoice", .identifier),
                amount: try r.money("amount")))
        case .paymentReceived:
            let r = try JSONObjectReader(data, path: "data", allowed: ["dealer", "amount", "ref"], type: name)
            return .paymentReceived(PaymentReceived(
                dealer: try r.string("dealer", .identifier),
                amount: try r.money("amount"),
                ref: try r.optionalString("ref", .identifier)))
        case .unitReturned:
            let r = try JSONObjectReader(data, path: "data", allowed: ["serial", "refund"], type: name)
            return .unitReturned(UnitReturned(
                serial: try r.string("serial", .identifier),
                refund: try r.money("refund")))
        case .unitExchanged:
            let r = try JSONObjectReader(data, path: "data", allowed: ["serial", "replacement"], type: name)
            return .unitExchanged(UnitExchanged(
                serial: try r.string("serial", .identifier),
                replacement: try r.string("replacement", .identifier)))
        case .eventVoided:
            let r = try JSONObjectReader(data, path: "data", allowed: ["seq", "reason"], type: name)
            return .eventVoided(EventVoided(
                seq: try r.int64("seq", Limits.sequenceMin...Int64.max),
                reason: try r.string("reason", .freeText)))
        }
    }

    static let policyKeys: [StaticString] = [
        "policy", "models", "effective", "clockStart", "returnDays", "exchangeDays", "warrantyMonths", "components",
        "excluded", "escalateAfter", "maxRepairDays", "registrationDays", "partReturnDeadlines", "retentionYears",
        "laborRate", "sla",
    ]

    static func policyPublished(_ data: JSONValue?, type: String) throws(EventInputError) -> PolicyPublished {
        let r = try JSONObjectReader(data, path: "data", allowed: policyKeys, type: type)
        let policy = try r.string("policy", .identifier)
        let models = try r.stringArray("models", .identifier, nonEmpty: true)
        let effective = try r.day("effective")
        let clockStart = try r.choice("clockStart", PolicyPublished.ClockStart.self)
        let returnDays = try r.int32("returnDays", 0...Limits.dayCountMax)
        let exchangeDays = try r.int32("exchangeDays", 0...Limits.dayCountMax)
        guard returnDays <= exchangeDays else {
            throw r.fail("exchangeDays", "must not be less than returnDays (\(returnDays))")
        }
        let warrantyMonths = try r.int32("warrantyMonths", Limits.monthsMin...Limits.monthsMax)
        let components: [PolicyPublished.Component]? = try r.value("components") == nil ? nil : r.array(
            "components", nonEmpty: false, identity: { $0.part }, describe: { "part \(quoted($0))" }
        ) { value, itemPath throws(EventInputError) in
            let item = try JSONObjectReader(value, path: itemPath, allowed: ["part", "months"], type: type)
            return PolicyPublished.Component(
                part: try item.string("part", .identifier),
                months: try item.int32("months", Limits.monthsMin...Limits.monthsMax))
        }
        let excluded = try r.optionalStringArray("excluded", .identifier)
        if let components, let excluded {
            for (index, part) in excluded.enumerated() where components.contains(where: { $0.part == part }) {
                throw EventInputError(
                    type: type, reason: "data.excluded[\(index)]: \(quoted(part)) is also listed in components")
            }
        }
        let escalateAfter = try r.optionalInt32("escalateAfter", 0...Limits.escalateAfterMax)
        let maxRepairDays = try r.optionalInt32("maxRepairDays", 0...Limits.dayCountMax)
        let registrationDays = try r.optionalInt32("registrationDays", 0...Limits.dayCountMax)
        let deadlines: [PolicyPublished.MonthDay]? = try r.value("partReturnDeadlines") == nil ? nil : r.array(
            "partReturnDeadlines", nonEmpty: false, identity: { $0 }, describe: { quoted($0.description) }
        ) { value, itemPath throws(EventInputError) in
            guard case .string(let text) = value else {
                throw EventInputError(type: type, reason: "\(itemPath): expected a month-day (MM-DD)")
            }
            guard let monthDay = PolicyPublished.MonthDay(text) else {
                throw EventInputError(type: type, reason: "\(itemPath): \(quoted(text)) is not a valid month-day (MM-DD)")
            }
            return monthDay
        }
        let retentionYears = try r.optionalInt32("retentionYears", Limits.retentionYearsMin...Limits.retentionYearsMax)
        let laborRate = try r.money("laborRate")
        let sla: PolicyPublished.ServiceLevel? = try r.value("sla") == nil ? nil : {
            () throws(EventInputError) in
            let item = try JSONObjectReader(r.value("sla"), path: "data.sla", allowed: ["onsiteHours", "resolveHours"],
                                            type: type)
            return PolicyPublished.ServiceLevel(
                onsiteHours: try item.int32("onsiteHours", 0...Limits.serviceLevelHoursMax),
                resolveHours: try item.int32("resolveHours", 0...Limits.serviceLevelHoursMax))
        }()
        return PolicyPublished(
            policy: policy, models: models, effective: effective, clockStart: clockStart,
            returnDays: returnDays, exchangeDays: exchangeDays, warrantyMonths: warrantyMonths,
            components: components, excluded: excluded, escalateAfter: escalateAfter, maxRepairDays: maxRepairDays,
            registrationDays: registrationDays, partReturnDeadlines: deadlines, retentionYears: retentionYears,
            laborRate: laborRate, sla: sla)
    }
}
