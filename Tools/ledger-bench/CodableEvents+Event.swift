import WarrantyDomain

/// Turns a line decoded by Foundation's `JSONDecoder` into the domain's `Event`, so that the JSON baseline of
/// `ledger-bench projections` folds exactly what the binary path folds.
///
/// The business day is computed from `at` in the ledger's zone (`BusinessTime`), dates and `MM-DD`
/// deadlines are parsed with the domain's parsers, and string enumerations map by raw value.
/// Field checks beyond what the mapping needs are not made (the events are known to be valid).
extension CodableEvents.Line {
    func event(zone: TimeZoneOffset) throws -> Event {
        guard let day = BusinessTime.businessDay(of: at, in: zone) else { throw BenchError("not a business time: \(at)") }
        return Event(at: at, day: day, id: id, by: by, body: try data.body())
    }
}

extension CodableEvents.Body {
    func body() throws -> EventBody {
        switch self {
        case .policyPublished(let p):
            guard let effective = Day(p.effective) else { throw BenchError("bad effective day \(p.effective)") }
            var deadlines: [PolicyPublished.MonthDay]?
            if let texts = p.partReturnDeadlines {
                deadlines = try texts.map { text in
                    guard let deadline = PolicyPublished.MonthDay(text) else { throw BenchError("bad deadline \(text)") }
                    return deadline
                }
            }
            return .policyPublished(PolicyPublished(
                policy: p.policy, models: p.models, effective: effective,
                clockStart: p.clockStart == .sale ? .sale : .install,
                returnDays: p.returnDays, exchangeDays: p.exchangeDays, warrantyMonths: p.warrantyMonths,
                components: p.components?.map { PolicyPublished.Component(part: $0.part, months: $0.months) },
                excluded: p.excluded, escalateAfter: p.escalateAfter, maxRepairDays: p.maxRepairDays,
                registrationDays: p.registrationDays, partReturnDeadlines: deadlines, retentionYears: p.retentionYears,
                laborRate: p.laborRate,
                sla: p.sla.map { PolicyPublished.ServiceLevel(onsiteHours: $0.onsiteHours, resolveHours: $0.resolveHours) }))
        case .dealerEnrolled(let d):
            return .dealerEnrolled(DealerEnrolled(dealer: d.dealer, name: d.name, region: d.region))
        case .unitSold(let s):
            return .unitSold(UnitSold(serial: s.serial, model: s.model, dealer: s.dealer, customer: s.customer,
                                      invoice: s.invoice, price: s.price))
        case .cardRegistered(let c):
            return .cardRegistered(CardRegistered(serial: c.serial))
        case .unitInstalled(let i):
            return .unitInstalled(UnitInstalled(serial: i.serial, site: i.site))
        case .complaintLodged(let c):
            return .complaintLodged(ComplaintLodged(complaint: c.complaint, serial: c.serial, part: c.part, fault: c.fault))
        case .visitRecorded(let v):
            let kind: VisitRecorded.Kind = switch v.kind {
            case .repair: .repair
            case .return: .return
            case .inspection: .inspection
            }
            let finding: VisitRecorded.Finding = switch v.finding {
            case .defect: .defect
            case .misuse: .misuse
            case .supplier: .supplier
            case .none: .none
            }
            return .visitRecorded(VisitRecorded(visit: v.visit, serial: v.serial, dealer: v.dealer, complaint: v.complaint,
                                                kind: kind, finding: finding, laborMinutes: v.laborMinutes,
                                                travel: v.travel, resolved: v.resolved))
        case .partSwapped(let s):
            return .partSwapped(PartSwapped(swap: s.swap, visit: s.visit, serial: s.serial, part: s.part,
                                            removed: s.removed, installed: s.installed, cost: s.cost))
        case .partReturned(let r):
            return .partReturned(PartReturned(swap: r.swap))
        case .partAppraised(let a):
            let verdict: PartAppraised.Verdict = switch a.verdict {
            case .defect: .defect
            case .premature: .premature
            case .misuse: .misuse
            case .noFault: .noFault
            }
            return .partAppraised(PartAppraised(swap: a.swap, verdict: verdict,
                                                disposition: a.disposition == .reusable ? .reusable : .scrap))
        case .costWrittenOff(let w):
            return .costWrittenOff(CostWrittenOff(notice: w.notice, dealer: w.dealer, lines: w.lines, amount: w.amount))
        case .writeoffConfirmed(let c):
            return .writeoffConfirmed(WriteoffConfirmed(notice: c.notice))
        case .dealerInvoiced(let i):
            return .dealerInvoiced(DealerInvoiced(dealer: i.dealer, invoice: i.invoice, amount: i.amount))
        case .paymentReceived(let p):
            return .paymentReceived(PaymentReceived(dealer: p.dealer, amount: p.amount, ref: p.ref))
        case .unitReturned(let r):
            return .unitReturned(UnitReturned(serial: r.serial, refund: r.refund))
        case .unitExchanged(let x):
            return .unitExchanged(UnitExchanged(serial: x.serial, replacement: x.replacement))
        case .eventVoided(let v):
            return .eventVoided(EventVoided(seq: v.seq, reason: v.reason))
        }
    }
}
