import JSONText

/// Turns an `Event` back into its input line (SPEC §2), for `ledger log` and export.
///
/// Members come in the order `type, at, id?, by?, data`, data fields in the catalogue's order, absent optional
/// fields omitted, so that `EventDecoder.decode(EventEncoder.encode(event), zone:)` gives back an equal event
/// (in the zone that computed its day).
public enum EventEncoder {
    /// The line's top-level object.
    public static func encode(_ event: Event) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("type", .string(event.type.rawValue)),
            JSONMember("at", .string(event.at)),
        ]
        if let id = event.id { members.append(JSONMember("id", .string(id))) }
        if let by = event.by { members.append(JSONMember("by", .string(by))) }
        members.append(JSONMember("data", data(event.body)))
        return .object(members)
    }

    /// The `data` object of `body`.
    public static func data(_ body: EventBody) -> JSONValue {
        var fields = Fields()
        switch body {
        case .policyPublished(let p):
            fields.add("policy", p.policy)
            fields.add("models", .array(p.models.map { .string($0) }))
            fields.add("effective", p.effective.description)
            fields.add("clockStart", p.clockStart.rawValue)
            fields.add("returnDays", p.returnDays)
            fields.add("exchangeDays", p.exchangeDays)
            fields.add("warrantyMonths", p.warrantyMonths)
            if let components = p.components {
                fields.add("components", .array(components.map {
                    .object([JSONMember("part", .string($0.part)), JSONMember("months", .integer(Int64($0.months)))])
                }))
            }
            if let excluded = p.excluded { fields.add("excluded", .array(excluded.map { .string($0) })) }
            fields.add("escalateAfter", p.escalateAfter)
            fields.add("maxRepairDays", p.maxRepairDays)
            fields.add("registrationDays", p.registrationDays)
            if let deadlines = p.partReturnDeadlines {
                fields.add("partReturnDeadlines", .array(deadlines.map { .string($0.description) }))
            }
            fields.add("retentionYears", p.retentionYears)
            fields.add("laborRate", p.laborRate)
            if let sla = p.sla {
                fields.add("sla", .object([
                    JSONMember("onsiteHours", .integer(Int64(sla.onsiteHours))),
                    JSONMember("resolveHours", .integer(Int64(sla.resolveHours))),
                ]))
            }
        case .dealerEnrolled(let d):
            fields.add("dealer", d.dealer)
            fields.add("name", d.name)
            fields.add("region", d.region)
        case .unitSold(let s):
            fields.add("serial", s.serial)
            fields.add("model", s.model)
            fields.add("dealer", s.dealer)
            fields.add("customer", s.customer)
            fields.add("invoice", s.invoice)
            fields.add("price", s.price)
        case .cardRegistered(let c):
            fields.add("serial", c.serial)
        case .unitInstalled(let i):
            fields.add("serial", i.serial)
            fields.add("site", i.site)
        case .complaintLodged(let c):
            fields.add("complaint", c.complaint)
            fields.add("serial", c.serial)
            fields.add("part", c.part)
            fields.add("fault", c.fault)
        case .visitRecorded(let v):
            fields.add("visit", v.visit)
            fields.add("serial", v.serial)
            fields.add("dealer", v.dealer)
            fields.add("complaint", v.complaint)
            fields.add("kind", v.kind.rawValue)
            fields.add("finding", v.finding.rawValue)
            fields.add("laborMinutes", v.laborMinutes)
            fields.add("travel", v.travel)
            fields.add("resolved", .bool(v.resolved))
        case .partSwapped(let s):
            fields.add("swap", s.swap)
            fields.add("visit", s.visit)
            fields.add("serial", s.serial)
            fields.add("part", s.part)
            fields.add("removed", s.removed)
            fields.add("installed", s.installed)
            fields.add("cost", s.cost)
        case .partReturned(let r):
            fields.add("swap", r.swap)
        case .partAppraised(let a):
            fields.add("swap", a.swap)
            fields.add("verdict", a.verdict.rawValue)
            fields.add("disposition", a.disposition.rawValue)
        case .costWrittenOff(let w):
            fields.add("notice", w.notice)
            fields.add("dealer", w.dealer)
            fields.add("lines", .array(w.lines.map { .string($0) }))
            fields.add("amount", w.amount)
        case .writeoffConfirmed(let c):
            fields.add("notice", c.notice)
        case .dealerInvoiced(let i):
            fields.add("dealer", i.dealer)
            fields.add("invoice", i.invoice)
            fields.add("amount", i.amount)
        case .paymentReceived(let p):
            fields.add("dealer", p.dealer)
            fields.add("amount", p.amount)
            fields.add("ref", p.ref)
        case .unitReturned(let r):
            fields.add("serial", r.serial)
            fields.add("refund", r.refund)
        case .unitExchanged(let x):
            fields.add("serial", x.serial)
            fields.add("replacement", x.replacement)
        case .eventVoided(let v):
            fields.add("seq", v.seq)
            fields.add("reason", v.reason)
        }
        return .object(fields.members)
    }

    /// Members of a `data` object in order, skipping absent optionals.
    struct Fields {
        var members: [JSONMember] = []

        mutating func add(_ key: String, _ value: JSONValue) { members.append(JSONMember(key, value)) }
        mutating func add(_ key: String, _ value: String?) { if let value { add(key, .string(value)) } }
        mutating func add(_ key: String, _ value: Int64?) { if let value { add(key, .integer(value)) } }
        mutating func add(_ key: String, _ value: Int32?) { if let value { add(key, .integer(Int64(value))) } }
    }
}

extension Event {
    /// The event as its input line's top-level object (see `EventEncoder`).
    public var jsonValue: JSONValue { EventEncoder.encode(self) }
}
