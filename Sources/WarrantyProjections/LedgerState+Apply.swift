import WarrantyDomain

extension LedgerState {
    /// Folds one live event into the state; `target` is the voided event when `event` is `event.voided`.
    ///
    /// The event must have passed `check` against this state: a log that breaks the rules is a
    /// broken invariant here and traps, because `check` is the gate and the log is only ever
    /// written through it.
    /// - Complexity: O(1) amortised, except a void, which is proportional to its unit's or dealer's own facts.
    public mutating func apply(_ event: Event, seq: Int64, target: Event?) {
        precondition(seq > lastSeq, "events are applied in log order: seq \(seq) after \(lastSeq)")
        lastSeq = seq
        let at = Dated(day: event.day, seq: seq)
        switch event.body {
        case .policyPublished(let published):
            let terms = PolicyTerms(published, seq: seq)
            policies[published.policy] = terms
            var seen: Set<String> = []
            for model in published.models where seen.insert(model).inserted {
                policiesByModel[model, default: []].append(terms)
            }

        case .dealerEnrolled(let enrolment):
            dealers[enrolment.dealer] = DealerFacts(id: enrolment.dealer, name: enrolment.name, enrolled: at)

        case .unitSold(let sale):
            guard let policy = boundPolicy(model: sale.model, on: event.day) else {
                preconditionFailure("unit.sold at seq \(seq): no policy in force for model \(sale.model)")
            }
            units[sale.serial] = UnitFacts(serial: sale.serial, model: sale.model, dealer: sale.dealer,
                                           customer: sale.customer, policy: policy, introduced: at,
                                           replacementOf: nil, registrationSerial: sale.serial)

        case .cardRegistered(let card):
            units[card.serial]!.card = at

        case .unitInstalled(let installation):
            units[installation.serial]!.installed = at

        case .complaintLodged(let lodged):
            // The unit's own copy of the serial, shared, rather than the event's.
            complaints[lodged.complaint] = ComplaintFacts(id: lodged.complaint, serial: units.storedKey(lodged.serial)!,
                                                          part: lodged.part, lodged: at)
            units[lodged.serial]!.complaints.append(lodged.complaint)

        case .visitRecorded(let visit):
            var amount: Fen?
            if visit.kind == .repair {
                amount = units[visit.serial]!.policy.laborAmount(minutes: visit.laborMinutes, travel: visit.travel)!
                addMoney(amount!)
            }
            var record = visit
            record.serial = units.storedKey(visit.serial)!
            visits[visit.visit] = VisitFacts(record: record, at: at, laborAmount: amount)
            units[visit.serial]!.visits.append(visit.visit)

        case .partSwapped(let swap):
            let dealer = visits[swap.visit]!.record.dealer
            let deadline = units[swap.serial]!.policy.returnDeadline(onOrAfter: event.day)
            var record = swap
            record.serial = units.storedKey(swap.serial)!
            swaps[swap.swap] = SwapFacts(record: record, at: at, dealer: dealer, returnDeadline: deadline)
            units[swap.serial]!.swaps.append(swap.swap)
            addMoney(swap.cost)

        case .partReturned(let returned):
            swaps[returned.swap]!.returned = at

        case .partAppraised(let appraisal):
            swaps[appraisal.swap]!.appraisal = SwapFacts.Appraisal(at: at, verdict: appraisal.verdict)

        case .costWrittenOff(let notice):
            let keys = notice.lines.map { id -> LineKey in
                guard case .found(let key) = lookUpLine(id) else {
                    preconditionFailure("cost.written-off at seq \(seq): line \(id) is not one claim line")
                }
                return key
            }
            notices[notice.notice] = NoticeFacts(id: notice.notice, dealer: notice.dealer, lines: keys,
                                                 amount: notice.amount, at: at)
            for key in keys {
                noticeOfLine[key] = notice.notice
            }

        case .writeoffConfirmed(let confirmation):
            notices[confirmation.notice]!.confirmed = at

        case .dealerInvoiced(let invoice):
            dealers[invoice.dealer]!.invoices[seq] = DatedAmount(day: event.day, amount: invoice.amount)
            addMoney(invoice.amount)

        case .paymentReceived(let payment):
            dealers[payment.dealer]!.payments[seq] = DatedAmount(day: event.day, amount: payment.amount)
            addMoney(payment.amount)

        case .unitReturned(let returned):
            units[returned.serial]!.returned = at

        case .unitExchanged(let exchange):
            let old = units[exchange.serial]!
            units[exchange.serial]!.exchanged = UnitFacts.Exchange(at: at, replacement: exchange.replacement)
            units[exchange.replacement] = UnitFacts(serial: exchange.replacement, model: old.model, dealer: old.dealer,
                                                    customer: old.customer, policy: old.policy, introduced: at,
                                                    replacementOf: old.serial,
                                                    registrationSerial: old.registrationSerial)

        case .eventVoided(let void):
            guard let target else { preconditionFailure("event.voided at seq \(seq) applied without its target") }
            precondition(!voided.contains(void.seq), "seq \(void.seq) is voided twice")
            unapply(target, seq: void.seq)
            voided.insert(void.seq)
        }
    }

    /// Removes exactly the effect `apply` gave the event at `seq`, which is live and has no live dependents.
    mutating func unapply(_ event: Event, seq: Int64) {
        switch event.body {
        case .policyPublished, .dealerEnrolled, .eventVoided:
            preconditionFailure("seq \(seq): a \(event.type.rawValue) cannot be voided")

        case .unitSold(let sale):
            precondition(units[sale.serial]?.introduced.seq == seq, "void of seq \(seq): serial \(sale.serial) is not live")
            units[sale.serial] = nil

        case .cardRegistered(let card):
            precondition(units[card.serial]?.card?.seq == seq, "void of seq \(seq): card \(card.serial) is not live")
            units[card.serial]!.card = nil

        case .unitInstalled(let installation):
            precondition(units[installation.serial]?.installed?.seq == seq, "void of seq \(seq): install is not live")
            units[installation.serial]!.installed = nil

        case .complaintLodged(let lodged):
            precondition(complaints[lodged.complaint]?.lodged.seq == seq, "void of seq \(seq): complaint is not live")
            complaints[lodged.complaint] = nil
            units[lodged.serial]!.complaints.removeAll { $0 == lodged.complaint }

        case .visitRecorded(let visit):
            guard let facts = visits[visit.visit], facts.at.seq == seq else {
                preconditionFailure("void of seq \(seq): visit \(visit.visit) is not live")
            }
            if let amount = facts.laborAmount {
                moneyTotal -= amount
            }
            visits[visit.visit] = nil
            units[visit.serial]!.visits.removeAll { $0 == visit.visit }

        case .partSwapped(let swap):
            guard let facts = swaps[swap.swap], facts.at.seq == seq else {
                preconditionFailure("void of seq \(seq): swap \(swap.swap) is not live")
            }
            swaps[swap.swap] = nil
            units[swap.serial]!.swaps.removeAll { $0 == swap.swap }
            moneyTotal -= swap.cost

        case .partReturned(let returned):
            precondition(swaps[returned.swap]?.returned?.seq == seq, "void of seq \(seq): return is not live")
            swaps[returned.swap]!.returned = nil

        case .partAppraised(let appraisal):
            precondition(swaps[appraisal.swap]?.appraisal?.at.seq == seq, "void of seq \(seq): appraisal is not live")
            swaps[appraisal.swap]!.appraisal = nil

        case .costWrittenOff(let notice):
            guard let facts = notices[notice.notice], facts.at.seq == seq else {
                preconditionFailure("void of seq \(seq): notice \(notice.notice) is not live")
            }
            for key in facts.lines {
                noticeOfLine[key] = nil
            }
            notices[notice.notice] = nil

        case .writeoffConfirmed(let confirmation):
            precondition(notices[confirmation.notice]?.confirmed?.seq == seq, "void of seq \(seq): confirmation is not live")
            notices[confirmation.notice]!.confirmed = nil

        case .dealerInvoiced(let invoice):
            guard let removed = dealers[invoice.dealer]!.invoices.removeValue(forKey: seq) else {
                preconditionFailure("void of seq \(seq): invoice is not live")
            }
            moneyTotal -= removed.amount

        case .paymentReceived(let payment):
            guard let removed = dealers[payment.dealer]!.payments.removeValue(forKey: seq) else {
                preconditionFailure("void of seq \(seq): payment is not live")
            }
            moneyTotal -= removed.amount

        case .unitReturned(let returned):
            precondition(units[returned.serial]?.returned?.seq == seq, "void of seq \(seq): return is not live")
            units[returned.serial]!.returned = nil

        case .unitExchanged(let exchange):
            precondition(units[exchange.serial]?.exchanged?.at.seq == seq, "void of seq \(seq): exchange is not live")
            units[exchange.serial]!.exchanged = nil
            units[exchange.replacement] = nil
        }
    }

    /// Adds an amount `check` has already found to fit under the money limit.
    private mutating func addMoney(_ amount: Fen) {
        let (sum, overflow) = moneyTotal.addingReportingOverflow(amount)
        precondition(!overflow && amount >= 0, "money total out of range")
        moneyTotal = sum
    }

    /// The policy for `model` with the latest `effective` on or before `day`; a later publication wins a tie.
    func boundPolicy(model: String, on day: Day) -> PolicyTerms? {
        var best: PolicyTerms?
        for terms in policiesByModel[model] ?? [] where terms.effective <= day {
            if best.map({ terms.effective >= $0.effective }) ?? true {
                best = terms
            }
        }
        return best
    }

    /// What a line id names: a repair visit's labor line or a swap's part line.
    enum LineLookup: Equatable {
        case found(LineKey)
        case missing
        /// A visit with that id exists but is not a repair, and no swap has the id.
        case notRepair(VisitRecorded.Kind)
        /// Both a repair visit and a swap have the id.
        case ambiguous
    }

    /// Resolves a write-off line id against the live visits and swaps.
    func lookUpLine(_ id: String) -> LineLookup {
        let visit = visits[id]
        let labor = visit?.laborAmount != nil
        let part = swaps[id] != nil
        switch (labor, part) {
        case (true, true): return .ambiguous
        case (true, false): return .found(LineKey(kind: .labor, id: id))
        case (false, true): return .found(LineKey(kind: .part, id: id))
        case (false, false): return visit.map { .notRepair($0.record.kind) } ?? .missing
        }
    }
}
