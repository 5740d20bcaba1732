import WarrantyDomain

extension LedgerState {
    /// Throws the reason `event` may not be appended after the live events folded so far.
    ///
    /// Covers every "accepted only if" of SPEC §2 against the current state (all live events,
    /// whatever their business day), the uniqueness of each kind of identifier among live events,
    /// the dating rule (no event dated before an event it depends on) and the money limit.
    /// Field syntax (lengths, formats, non-empty strings) is the decoder's concern.
    /// `resolve` reads the event at a log position, for `event.voided`.
    public func check(_ event: Event, resolve: (Int64) -> Event?) throws(Refusal) {
        let day = event.day
        switch event.body {
        case .policyPublished(let policy):
            try checkPolicy(policy)

        case .dealerEnrolled(let enrolment):
            guard dealers[enrolment.dealer] == nil else {
                throw Refusal("dealer \(quoted(enrolment.dealer)) is already enrolled")
            }

        case .unitSold(let sale):
            guard units[sale.serial] == nil else { throw Refusal("serial \(quoted(sale.serial)) already exists") }
            let dealer = try enrolledDealer(sale.dealer)
            try Self.notBefore(day, dealer.enrolled.day, "the enrolment of dealer \(quoted(dealer.id))")
            guard boundPolicy(model: sale.model, on: day) != nil else {
                throw Refusal("no policy for model \(quoted(sale.model)) is in force on \(day)")
            }

        case .cardRegistered(let card):
            let unit = try soldUnit(card.serial)
            if let original = unit.replacementOf {
                throw Refusal("serial \(quoted(unit.serial)) is a replacement for \(quoted(original)); its registration is that of serial \(quoted(unit.registrationSerial))")
            }
            if let registered = unit.card {
                throw Refusal("card of serial \(quoted(unit.serial)) is already registered on \(registered.day)")
            }
            try Self.notBefore(day, unit.introduced.day, unit.introductionDescription)

        case .unitInstalled(let installation):
            let unit = try soldUnit(installation.serial)
            if let installed = unit.installed {
                throw Refusal("serial \(quoted(unit.serial)) is already installed on \(installed.day)")
            }
            try Self.notBefore(day, unit.introduced.day, unit.introductionDescription)

        case .complaintLodged(let lodged):
            guard complaints[lodged.complaint] == nil else {
                throw Refusal("complaint \(quoted(lodged.complaint)) already exists")
            }
            let unit = try soldUnit(lodged.serial)
            try Self.notEnded(unit)
            try Self.notBefore(day, unit.introduced.day, unit.introductionDescription)

        case .visitRecorded(let visit):
            guard visits[visit.visit] == nil else { throw Refusal("visit \(quoted(visit.visit)) already exists") }
            let unit = try soldUnit(visit.serial)
            let dealer = try enrolledDealer(visit.dealer)
            var complaint: ComplaintFacts?
            if let id = visit.complaint {
                guard let facts = complaints[id] else { throw Refusal("complaint \(quoted(id)) does not exist") }
                guard facts.serial == visit.serial else {
                    throw Refusal("complaint \(quoted(id)) is for serial \(quoted(facts.serial)), not \(quoted(visit.serial))")
                }
                if let resolving = visitIDs(of: facts).first(where: { visits[$0]?.record.resolved == true }) {
                    throw Refusal("complaint \(quoted(id)) is already resolved by visit \(quoted(resolving))")
                }
                complaint = facts
            }
            try Self.notBefore(day, unit.introduced.day, unit.introductionDescription)
            try Self.notBefore(day, dealer.enrolled.day, "the enrolment of dealer \(quoted(dealer.id))")
            if let complaint {
                try Self.notBefore(day, complaint.lodged.day, "complaint \(quoted(complaint.id))")
            }
            try Self.notNegative("laborMinutes", Int64(visit.laborMinutes))
            try Self.notNegative("travel", visit.travel)
            if visit.kind == .repair {
                guard let amount = unit.policy.laborAmount(minutes: visit.laborMinutes, travel: visit.travel) else {
                    throw Refusal("labor line of visit \(quoted(visit.visit)) does not fit in 64-bit fen")
                }
                try fitsMoneyLimit(amount)
            }

        case .partSwapped(let swap):
            guard swaps[swap.swap] == nil else { throw Refusal("swap \(quoted(swap.swap)) already exists") }
            guard let visit = visits[swap.visit] else { throw Refusal("visit \(quoted(swap.visit)) does not exist") }
            guard visit.record.serial == swap.serial else {
                throw Refusal("visit \(quoted(swap.visit)) is for serial \(quoted(visit.record.serial)), not \(quoted(swap.serial))")
            }
            let unit = try soldUnit(swap.serial)
            try Self.notBefore(day, unit.introduced.day, unit.introductionDescription)
            try Self.notBefore(day, visit.at.day, "visit \(quoted(swap.visit))")
            try Self.notNegative("cost", swap.cost)
            try fitsMoneyLimit(swap.cost)

        case .partReturned(let returned):
            let swap = try existingSwap(returned.swap)
            if let earlier = swap.returned {
                throw Refusal("part of swap \(quoted(returned.swap)) is already returned on \(earlier.day)")
            }
            try Self.notBefore(day, swap.at.day, "swap \(quoted(returned.swap))")

        case .partAppraised(let appraisal):
            let swap = try existingSwap(appraisal.swap)
            guard let returned = swap.returned else {
                throw Refusal("part of swap \(quoted(appraisal.swap)) is not returned")
            }
            if let earlier = swap.appraisal {
                throw Refusal("part of swap \(quoted(appraisal.swap)) is already appraised on \(earlier.at.day)")
            }
            try Self.notBefore(day, swap.at.day, "swap \(quoted(appraisal.swap))")
            try Self.notBefore(day, returned.day, "the return of swap \(quoted(appraisal.swap))")

        case .costWrittenOff(let notice):
            try checkNotice(notice, day: day)

        case .writeoffConfirmed(let confirmation):
            guard let notice = notices[confirmation.notice] else {
                throw Refusal("notice \(quoted(confirmation.notice)) does not exist")
            }
            if let confirmed = notice.confirmed {
                throw Refusal("notice \(quoted(notice.id)) is already confirmed on \(confirmed.day)")
            }
            try Self.notBefore(day, notice.at.day, "notice \(quoted(notice.id))")

        case .dealerInvoiced(let invoice):
            let dealer = try enrolledDealer(invoice.dealer)
            try Self.notBefore(day, dealer.enrolled.day, "the enrolment of dealer \(quoted(dealer.id))")
            try Self.notNegative("amount", invoice.amount)
            try fitsMoneyLimit(invoice.amount)

        case .paymentReceived(let payment):
            let dealer = try enrolledDealer(payment.dealer)
            try Self.notBefore(day, dealer.enrolled.day, "the enrolment of dealer \(quoted(dealer.id))")
            try Self.notNegative("amount", payment.amount)
            try fitsMoneyLimit(payment.amount)

        case .unitReturned(let returned):
            let unit = try soldUnit(returned.serial)
            try Self.notEnded(unit)
            try Self.notBefore(day, unit.introduced.day, unit.introductionDescription)

        case .unitExchanged(let exchange):
            let unit = try soldUnit(exchange.serial)
            try Self.notEnded(unit)
            guard units[exchange.replacement] == nil else {
                throw Refusal("replacement serial \(quoted(exchange.replacement)) already exists")
            }
            try Self.notBefore(day, unit.introduced.day, unit.introductionDescription)

        case .eventVoided(let void):
            try checkVoid(void, resolve: resolve)
        }
    }

    /// The conditions of `policy.published`, plus clear terms: no component listed twice, real deadline days.
    private func checkPolicy(_ policy: PolicyPublished) throws(Refusal) {
        guard policies[policy.policy] == nil else { throw Refusal("policy \(quoted(policy.policy)) already exists") }
        guard policy.returnDays >= 0 else { throw Refusal("returnDays \(policy.returnDays) is negative") }
        guard policy.returnDays <= policy.exchangeDays else {
            throw Refusal("returnDays \(policy.returnDays) is greater than exchangeDays \(policy.exchangeDays)")
        }
        guard policy.warrantyMonths >= 1 else {
            throw Refusal("warrantyMonths \(policy.warrantyMonths) is less than 1")
        }
        var parts: Set<String> = []
        for component in policy.components ?? [] {
            guard parts.insert(component.part).inserted else {
                throw Refusal("component \(quoted(component.part)) is listed twice")
            }
        }
        for deadline in policy.partReturnDeadlines ?? [] {
            let month = Int(deadline.month)
            // 02-29 is a real deadline: it means 02-28 in years without one.
            guard (1...12).contains(month), (1...Day.daysIn(month: month, year: 2000)).contains(Int(deadline.day)) else {
                let text = (deadline.month < 10 ? "0" : "") + "\(deadline.month)-" + (deadline.day < 10 ? "0" : "") + "\(deadline.day)"
                throw Refusal("partReturnDeadlines entry \(quoted(text)) is not a day of the year")
            }
        }
        try Self.notNegative("laborRate", policy.laborRate)
    }

    /// The conditions of `cost.written-off`, line by line in the notice's order, then the amount.
    private func checkNotice(_ notice: CostWrittenOff, day: Day) throws(Refusal) {
        guard notices[notice.notice] == nil else { throw Refusal("notice \(quoted(notice.notice)) already exists") }
        let dealer = try enrolledDealer(notice.dealer)
        try Self.notBefore(day, dealer.enrolled.day, "the enrolment of dealer \(quoted(dealer.id))")
        guard !notice.lines.isEmpty else { throw Refusal("notice \(quoted(notice.notice)) lists no lines") }
        var views = UnitViews(state: self, day: day)
        var seen: Set<String> = []
        var sum: Fen = 0
        for id in notice.lines {
            guard seen.insert(id).inserted else { throw Refusal("line \(quoted(id)) is listed twice") }
            let key: LineKey
            switch lookUpLine(id) {
            case .found(let found): key = found
            case .missing: throw Refusal("line \(quoted(id)) does not exist")
            case .notRepair(let kind):
                throw Refusal("line \(quoted(id)) does not exist: visit \(quoted(id)) is of kind \(kind.rawValue), which has no labor line")
            case .ambiguous:
                throw Refusal("line \(quoted(id)) is ambiguous: both a repair visit and a swap have that id")
            }
            let owner = key.kind == .labor ? visits[id]!.record.dealer : swaps[id]!.dealer
            guard owner == notice.dealer else {
                throw Refusal("line \(quoted(id)) belongs to dealer \(quoted(owner)), not \(quoted(notice.dealer))")
            }
            if let other = noticeOfLine[key] {
                throw Refusal("line \(quoted(id)) is already on notice \(quoted(other))")
            }
            switch key.kind {
            case .labor: try Self.notBefore(day, visits[id]!.at.day, "visit \(quoted(id))")
            case .part: try Self.notBefore(day, swaps[id]!.at.day, "swap \(quoted(id))")
            }
            let line = claimLine(key, views: &views)!
            guard line.status == .approved else {
                let reason = line.reason.map { " (\($0.rawValue))" } ?? ""
                throw Refusal("line \(quoted(id)) is \(line.status.rawValue)\(reason) on \(day), not approved")
            }
            // Cannot overflow: the money limit bounds the sum of all lines.
            sum += line.amount
        }
        guard notice.amount == sum else {
            throw Refusal("amount \(notice.amount) does not equal the lines' sum \(sum)")
        }
    }

    /// The conditions of `event.voided`: the target exists, may be voided, is live and nothing live depends on it.
    private func checkVoid(_ void: EventVoided, resolve: (Int64) -> Event?) throws(Refusal) {
        guard let target = resolve(void.seq) else { throw Refusal("seq \(void.seq) does not exist") }
        switch target.type {
        case .policyPublished, .dealerEnrolled:
            throw Refusal("seq \(void.seq) is a \(target.type.rawValue), which cannot be voided")
        case .eventVoided:
            throw Refusal("seq \(void.seq) is an event.voided, which cannot be voided")
        default:
            break
        }
        guard !voided.contains(void.seq) else { throw Refusal("seq \(void.seq) is already voided") }
        let found = dependents(of: target, seq: void.seq)
        guard found.isEmpty else {
            let names = found.map { "seq \($0.seq) (\($0.type.rawValue) \($0.identifier))" }
            throw Refusal("seq \(void.seq) is depended on by \(names.joined(separator: ", "))")
        }
    }

    /// A live event that depends on another: its log position, type and the identifier it names.
    struct Dependent: Hashable {
        var seq: Int64
        var type: EventType
        var identifier: String
    }

    /// The live events that depend on the live event at `seq`, in log order.
    ///
    /// They name an identifier the target introduced (a serial, complaint, visit, swap or notice,
    /// write-off lines naming their visit or swap), and an appraisal depends on its part's return.
    /// Only direct dependents: anything depending on them depends on one of them too.
    func dependents(of target: Event, seq: Int64) -> [Dependent] {
        var found: [Dependent] = []
        func notice(holding key: LineKey) {
            if let id = noticeOfLine[key], let notice = notices[id] {
                found.append(Dependent(seq: notice.at.seq, type: .costWrittenOff, identifier: id))
            }
        }
        switch target.body {
        case .unitSold(let sale):
            if let unit = units[sale.serial], unit.introduced.seq == seq { found = unitDependents(unit) }
        case .unitExchanged(let exchange):
            if let unit = units[exchange.replacement], unit.introduced.seq == seq { found = unitDependents(unit) }
        case .complaintLodged(let lodged):
            for id in complaints[lodged.complaint].map({ Array(visitIDs(of: $0)) }) ?? [] {
                found.append(Dependent(seq: visits[id]!.at.seq, type: .visitRecorded, identifier: id))
            }
        case .visitRecorded(let visit):
            for id in visits[visit.visit].map({ Array(swapIDs(of: $0)) }) ?? [] {
                found.append(Dependent(seq: swaps[id]!.at.seq, type: .partSwapped, identifier: id))
            }
            notice(holding: LineKey(kind: .labor, id: visit.visit))
        case .partSwapped(let swap):
            if let facts = swaps[swap.swap] {
                if let returned = facts.returned {
                    found.append(Dependent(seq: returned.seq, type: .partReturned, identifier: swap.swap))
                }
                if let appraisal = facts.appraisal {
                    found.append(Dependent(seq: appraisal.at.seq, type: .partAppraised, identifier: swap.swap))
                }
            }
            notice(holding: LineKey(kind: .part, id: swap.swap))
        case .partReturned(let returned):
            if let appraisal = swaps[returned.swap]?.appraisal {
                found.append(Dependent(seq: appraisal.at.seq, type: .partAppraised, identifier: returned.swap))
            }
        case .costWrittenOff(let notice):
            if let confirmed = notices[notice.notice]?.confirmed {
                found.append(Dependent(seq: confirmed.seq, type: .writeoffConfirmed, identifier: notice.notice))
            }
        default:
            break
        }
        return found.sorted { $0.seq < $1.seq }
    }

    /// Everything recorded against a unit's serial.
    private func unitDependents(_ unit: UnitFacts) -> [Dependent] {
        var found: [Dependent] = []
        if let card = unit.card {
            found.append(Dependent(seq: card.seq, type: .cardRegistered, identifier: unit.serial))
        }
        if let installed = unit.installed {
            found.append(Dependent(seq: installed.seq, type: .unitInstalled, identifier: unit.serial))
        }
        for id in unit.complaints {
            found.append(Dependent(seq: complaints[id]!.lodged.seq, type: .complaintLodged, identifier: id))
        }
        for id in unit.visits {
            found.append(Dependent(seq: visits[id]!.at.seq, type: .visitRecorded, identifier: id))
        }
        for id in unit.swaps {
            found.append(Dependent(seq: swaps[id]!.at.seq, type: .partSwapped, identifier: id))
        }
        if let returned = unit.returned {
            found.append(Dependent(seq: returned.seq, type: .unitReturned, identifier: unit.serial))
        }
        if let exchanged = unit.exchanged {
            found.append(Dependent(seq: exchanged.at.seq, type: .unitExchanged, identifier: unit.serial))
        }
        return found
    }

    // MARK: Shared conditions

    private func soldUnit(_ serial: String) throws(Refusal) -> UnitFacts {
        guard let unit = units[serial] else { throw Refusal("serial \(quoted(serial)) is not sold") }
        return unit
    }

    private func enrolledDealer(_ id: String) throws(Refusal) -> DealerFacts {
        guard let dealer = dealers[id] else { throw Refusal("dealer \(quoted(id)) is not enrolled") }
        return dealer
    }

    private func existingSwap(_ id: String) throws(Refusal) -> SwapFacts {
        guard let swap = swaps[id] else { throw Refusal("swap \(quoted(id)) does not exist") }
        return swap
    }

    private static func notEnded(_ unit: UnitFacts) throws(Refusal) {
        if let returned = unit.returned {
            throw Refusal("serial \(quoted(unit.serial)) is already returned on \(returned.day)")
        }
        if let exchanged = unit.exchanged {
            throw Refusal("serial \(quoted(unit.serial)) is already exchanged for \(quoted(exchanged.replacement)) on \(exchanged.at.day)")
        }
    }

    /// The dating rule: an event may not be dated before an event it depends on.
    private static func notBefore(_ day: Day, _ dependencyDay: Day, _ dependency: @autoclosure () -> String) throws(Refusal) {
        guard day >= dependencyDay else {
            throw Refusal("dated \(day), before \(dependency()) on \(dependencyDay)")
        }
    }

    private static func notNegative(_ field: String, _ value: Int64) throws(Refusal) {
        guard value >= 0 else { throw Refusal("\(field) \(value) is negative") }
    }

    /// Keeps the total of every invoice, payment and line amount within `Int64`, so that no balance overflows.
    private func fitsMoneyLimit(_ amount: Fen) throws(Refusal) {
        guard !moneyTotal.addingReportingOverflow(amount).overflow else {
            throw Refusal("amount \(amount) would take the ledger's money total past \(Fen.max) fen")
        }
    }
}
