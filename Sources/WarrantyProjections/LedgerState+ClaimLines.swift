import WarrantyDomain

extension LedgerState {
    /// The claim lines dated on or before `day`, of one dealer or of all, sorted by line id.
    /// - Complexity: proportional to the units held, and to the facts of the units with lines listed.
    public func claimLines(on day: Day, dealer: String? = nil) -> [ClaimLine] {
        var lines: [ClaimLine] = []
        forEachLine(on: day, dealer: dealer) { lines.append($0) }
        return ClaimLine.sorted(lines)
    }

    /// Calls `body` with every claim line dated on or before `day`, of one dealer or of all, unit by unit, each
    /// unit's rules computed once. A line is its visit's dealer's, labor and part alike.
    func forEachLine(on day: Day, dealer: String? = nil, _ body: (ClaimLine) -> Void) {
        for facts in units.values where !facts.visits.isEmpty && facts.introduced.day <= day {
            if let dealer, !facts.visits.contains(where: { visits[$0]?.record.dealer == dealer }) { continue }
            guard let unit = unit(facts, on: day) else { continue }
            for id in facts.visits {
                guard let visit = visits[id], visit.at.day <= day, let amount = visit.laborAmount,
                      dealer == nil || visit.record.dealer == dealer else { continue }
                body(claimLine(LineKey(kind: .labor, id: id), visit: visit, swap: nil, amount: amount, unit: unit))
            }
            for id in facts.swaps {
                guard let swap = swaps[id], swap.at.day <= day, dealer == nil || swap.dealer == dealer else { continue }
                body(claimLine(LineKey(kind: .part, id: id), visit: visits[swap.record.visit]!, swap: swap,
                               amount: swap.record.cost, unit: unit))
            }
        }
    }

    /// The line `key` on the views' day, or nil if it is not dated on or before it.
    func claimLine(_ key: LineKey, views: inout UnitViews) -> ClaimLine? {
        let day = views.day
        let visit: VisitFacts
        let swap: SwapFacts?
        let amount: Fen
        switch key.kind {
        case .labor:
            guard let facts = visits[key.id], facts.at.day <= day, let labor = facts.laborAmount else { return nil }
            visit = facts
            swap = nil
            amount = labor
        case .part:
            guard let facts = swaps[key.id], facts.at.day <= day else { return nil }
            visit = visits[facts.record.visit]!
            swap = facts
            amount = facts.record.cost
        }
        guard let unit = views.unit(visit.record.serial) else {
            preconditionFailure("line \(key.id) is dated on or before \(day) but its unit is not sold then")
        }
        return claimLine(key, visit: visit, swap: swap, amount: amount, unit: unit)
    }

    /// The line `key` of `visit` (and `swap` for a part line) on the unit view's day.
    func claimLine(_ key: LineKey, visit: VisitFacts, swap: SwapFacts?, amount: Fen, unit: UnitOnDay) -> ClaimLine {
        let day = unit.day
        let complaint = visit.record.complaint.flatMap { complaints[$0] }
        let part = swap?.record.part ?? complaint?.partName ?? unitPartName
        let failureDay = complaint?.lodged.day ?? visit.at.day
        let notice = noticeOfLine[key].flatMap { notices[$0] }.flatMap { $0.at.day <= day ? $0 : nil }
        let (status, reason) = Self.status(unit: unit, visit: visit, swap: swap, part: part,
                                           failureDay: failureDay, notice: notice)
        return ClaimLine(line: key.id, kind: key.kind, dealer: visit.record.dealer, serial: visit.record.serial,
                         amount: amount, status: status, reason: reason, notice: notice?.id,
                         part: part, failureDay: failureDay, returnDeadline: swap?.returnDeadline)
    }

    /// A line's status on the unit view's day by the ordered rules of SPEC §3 "Claim lines".
    ///
    /// `notice` is the live notice holding the line, already cut to notices dated on or before the day.
    static func status(unit: UnitOnDay, visit: VisitFacts, swap: SwapFacts?, part: String, failureDay: Day,
                       notice: NoticeFacts?) -> (LineStatus, RejectionReason?) {
        let day = unit.day
        let returned = swap?.returned.flatMap { $0.day <= day ? $0 : nil }
        let verdict = swap?.appraisal.flatMap { $0.at.day <= day ? $0.verdict : nil }
        let finding = visit.record.finding

        // 1. Rejected, with the first reason that applies.
        if unit.registration == .late || unit.registration == .missing {
            return (.rejected, .notRegistered)
        }
        if unit.policy.excluded.contains(part) {
            return (.rejected, .excludedPart)
        }
        if verdict != .premature, !unit.covers(part, on: failureDay) {
            return (.rejected, .outOfWarranty)
        }
        if finding == .misuse || verdict == .misuse {
            return (.rejected, .misuse)
        }
        if finding == .supplier {
            return (.rejected, .supplier)
        }
        if finding == .none || verdict == .noFault {
            return (.rejected, .noFault)
        }
        if let swap, let deadline = swap.returnDeadline, deadline < day,
           returned.map({ $0.day > deadline }) ?? true {
            return (.rejected, .partNotReturned)
        }

        // 2. Pending while a decision is open; a labor line does not wait for appraisals.
        if unit.registration == .pending {
            return (.pending, nil)
        }
        if swap != nil, returned == nil || verdict == nil {
            return (.pending, nil)
        }

        // 3. Settled by a write-off notice, or approved.
        guard let notice else { return (.approved, nil) }
        if let confirmed = notice.confirmed, confirmed.day <= day {
            return (.deducted, nil)
        }
        return (.writtenOff, nil)
    }
}
