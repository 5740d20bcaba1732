import WarrantyDomain

extension Simulation {
    // MARK: Complaints

    /// The customer complains; the complaint is planned to its end: refund, exchange or repair in one to three visits.
    func lodgeComplaint(_ unit: Int32) {
        defer { release(unit) }
        let record = units[Int(unit)]
        guard !record.ended else { return }
        let terms = self.terms[record.terms]
        let family = families[record.family]
        let elapsed = record.start.days(to: today)

        var flow = Flow.repair
        if elapsed <= terms.returnDays && random.chance(0.3) {
            flow = .refund
        } else if elapsed <= terms.exchangeDays && random.chance(0.3) {
            flow = .exchange
        }
        let part: Int
        if record.weakPart >= 0 && random.chance(0.8) {
            part = record.weakPart
        } else if random.chance(0.08) {
            part = -1
        } else {
            part = random.weighted(family.parts.map(\.weight))
        }
        var finding = VisitRecorded.Finding.defect
        if flow == .repair && part != record.weakPart {
            let draw = random.below(100)
            finding = draw < 80 ? .defect : draw < 88 ? .misuse : draw < 93 ? .supplier : .none
        }
        var count = 1
        var lateResolution: Day?
        if flow == .repair {
            let draw = random.below(100)
            count = draw < 70 ? 1 : draw < 92 ? 2 : 3
            if let maxRepairDays = terms.maxRepairDays, random.chance(0.05) {
                // Waiting for spare parts: resolved only after the policy's longest repair time.
                count = max(count, 2)
                lateResolution = today.adding(days: maxRepairDays + random.int(in: 1...25))
            }
        }
        var escalates = false
        if part >= 0 && part == record.weakPart && terms.covers(part, start: record.start, failureDay: today) {
            units[Int(unit)].weakDefects += 1
            escalates = units[Int(unit)].weakDefects > terms.escalateAfter && random.chance(0.5)
        }

        complaintCount += 1
        let complaint = "C-" + Simulation.padded(complaintCount, 7)
        let fault = part >= 0 ? random.pick(family.parts[part].faults) : random.pick(family.unitFaults)
        let partName = part >= 0 ? family.parts[part].name : nil
        let hotline = random.chance(0.3)
        emit(.complaintLodged(ComplaintLodged(complaint: complaint, serial: record.serial, part: partName, fault: fault)),
             at: stamp(7...20), key: key(hotline ? "crm" : "portal"),
             by: hotline ? "hotline:400" : dealerActor(record.dealer, 0.4))
        if random.chance(0.005) {
            // The same call entered twice; the service desk voids the copy within a few days.
            complaintCount += 1
            let copy = "C-" + Simulation.padded(complaintCount, 7)
            let seq = emit(.complaintLodged(ComplaintLodged(complaint: copy, serial: record.serial, part: partName, fault: fault)),
                           at: stamp(7...20), key: key("crm"), by: "hotline:400")
            schedule(.void(seq: seq, reason: "complaint \(copy) duplicates \(complaint)", actor: "service-desk"),
                     on: today.adding(days: random.int(in: 0...3)))
        }

        let delay: Int
        switch flow {
        case .refund: delay = random.int(in: 0...min(1, terms.returnDays - elapsed))
        case .exchange: delay = random.int(in: 0...min(2, terms.exchangeDays - elapsed))
        case .repair:
            let draw = random.below(100)
            delay = draw < 45 ? 0 : draw < 75 ? 1 : draw < 90 ? 2 : random.int(in: 3...6)
        }
        let plan = VisitPlan(unit: unit, complaint: complaint, lodged: today, part: part, finding: finding, flow: flow,
                             index: 0, count: count, escalates: escalates, lateResolution: lateResolution)
        schedule(.visit(plan), on: today.adding(days: delay), holding: unit)
        if flow == .repair { scheduleNextComplaint(unit) }
    }

    // MARK: Visits

    /// A dealer's visit for a complaint, with its swaps; the last visit resolves it and may end the unit.
    func visit(_ plan: VisitPlan) {
        let unit = plan.unit
        defer { release(unit) }
        let record = units[Int(unit)]
        let terms = self.terms[record.terms]
        let family = families[record.family]
        let last = plan.index == plan.count - 1

        let kind: VisitRecorded.Kind
        let minutes: Int
        switch plan.flow {
        case .refund:
            kind = .return
            minutes = random.int(in: 30...90)
        case .exchange:
            kind = .inspection
            minutes = random.int(in: 20...60)
        case .repair:
            if plan.index == 0 && plan.count > 1 && random.chance(0.35) {
                kind = .inspection
                minutes = random.int(in: 20...60)
            } else {
                kind = .repair
                minutes = random.int(in: family.laborMinutes)
            }
        }
        // Usually the selling dealer; sometimes a nearer dealer of the same trade does the work.
        var dealer = record.dealer
        if random.chance(0.07) { dealer = pickDealer(family.specialty) }
        let travel: Fen = random.chance(0.25) ? 0 : random.money(in: family.travelFen) / 100 * 100
        visitCount += 1
        let visit = "V-" + Simulation.padded(visitCount, 7)
        emit(.visitRecorded(VisitRecorded(visit: visit, serial: record.serial, dealer: dealers[dealer].id,
                                          complaint: plan.complaint, kind: kind, finding: plan.finding,
                                          laborMinutes: Int32(minutes), travel: travel, resolved: last)),
             at: stamp(8...19), key: key("portal"), by: dealerActor(dealer, 0.4))

        if kind == .repair, record.cardOnTime, let cardDay = record.cardDay, plan.finding == .defect,
           terms.covers(plan.part, start: record.start, failureDay: plan.lodged) {
            let amount = terms.laborAmount(minutes: Int32(minutes), travel: travel)
            dealers[dealer].lines.append(PendingLine(id: visit, amount: amount, ready: max(today, cardDay)))
        }

        if kind == .repair && plan.finding != .none {
            var part: Int?
            if random.chance(0.65) {
                if plan.part >= 0 {
                    part = plan.part
                } else if random.chance(0.5) {
                    let covered = family.parts.indices.filter { !terms.excluded($0) }
                    part = random.pick(covered)
                }
            }
            if let part { swap(part, visit: visit, plan: plan, dealer: dealer) }
            if random.chance(0.05) {
                // A worn belt or tyre replaced on the same visit: a wear part the policy excludes.
                let wear = family.parts.indices.filter { terms.excluded($0) }
                if !wear.isEmpty { swap(random.pick(wear), visit: visit, plan: plan, dealer: dealer) }
            }
        } else if kind == .inspection && plan.part >= 0 && plan.finding == .defect && random.chance(0.1) {
            swap(plan.part, visit: visit, plan: plan, dealer: dealer)
        }

        if !last {
            var next = today.adding(days: random.int(in: 1...10))
            if plan.index + 2 == plan.count, let late = plan.lateResolution, late > next { next = late }
            var following = plan
            following.index += 1
            schedule(.visit(following), on: next, holding: unit)
            return
        }
        guard !units[Int(unit)].ended else { return }
        switch plan.flow {
        case .refund:
            emit(.unitReturned(UnitReturned(serial: record.serial, refund: record.price)), at: stamp(9...18),
                 key: key("erp"), by: dealerActor(dealer, 0.5))
            units[Int(unit)].ended = true
        case .exchange:
            exchange(unit)
        case .repair:
            if plan.escalates { exchange(unit) }
        }
    }

    /// Replaces the unit with a new one of the same model, which starts its own warranty today.
    func exchange(_ unit: Int32) {
        let record = units[Int(unit)]
        let replacement = newSerial(family: record.family, model: record.model)
        emit(.unitExchanged(UnitExchanged(serial: record.serial, replacement: replacement)), at: stamp(9...18),
             key: key("erp"), by: dealerActor(record.dealer, 0.5))
        units[Int(unit)].ended = true
        let months = terms[record.terms].warrantyMonths + Simulation.serviceMonthsAfterWarranty
        let fresh = allocate(UnitRecord(
            serial: replacement, family: record.family, model: record.model, terms: record.terms, dealer: record.dealer,
            price: record.price, sold: today, start: today, serviceUntil: today.adding(months: months),
            cardDay: record.cardDay, cardOnTime: record.cardOnTime, weakPart: -1))
        scheduleFirstComplaint(fresh)
        release(fresh)
    }

    // MARK: Parts

    /// Swaps a part on a visit and plans the old part's way back to the factory and its appraisal.
    func swap(_ part: Int, visit: String, plan: VisitPlan, dealer: Int) {
        let record = units[Int(plan.unit)]
        let terms = self.terms[record.terms]
        let spec = families[record.family].parts[part]
        swapCount += 1
        let swap = "S-" + Simulation.padded(swapCount, 7)
        var removed: String?
        var installed: String?
        if random.chance(0.8) {
            removed = spec.partNumber + "-" + String(random.int(in: 100_000...999_999))
            installed = spec.partNumber + "-" + String(random.int(in: 100_000...999_999))
        }
        let cost = random.money(in: spec.costFen) / 100 * 100
        emit(.partSwapped(PartSwapped(swap: swap, visit: visit, serial: record.serial, part: spec.name,
                                      removed: removed, installed: installed, cost: cost)),
             at: stamp(9...19), key: key("portal"), by: dealerActor(dealer, 0.4))

        // Every policy lists deadlines, so there is always a first one on or after today.
        let deadline = terms.returnDeadline(onOrAfter: today) ?? today.adding(days: 180)
        var returned: Day?
        var onTime = false
        let fateDraw = random.below(100)
        if fateDraw < 84 {
            let slack = today.days(to: deadline)
            returned = today.adding(days: random.int(in: min(2, slack)...min(60, slack)))
            onTime = true
        } else if fateDraw < 91 {
            returned = deadline.adding(days: random.int(in: 1...60))
        }
        let covered = terms.covers(part, start: record.start, failureDay: plan.lodged)
        let draw = random.below(100)
        let verdict: PartAppraised.Verdict
        switch plan.finding {
        case .defect:
            verdict = covered
                ? (draw < 84 ? .defect : draw < 90 ? .premature : draw < 95 ? .misuse : .noFault)
                : (draw < 45 ? .defect : draw < 80 ? .premature : draw < 90 ? .misuse : .noFault)
        case .misuse: verdict = draw < 80 ? .misuse : .defect
        case .supplier: verdict = draw < 70 ? .defect : .noFault
        case .none: verdict = draw < 85 ? .noFault : .defect
        }
        let disposition: PartAppraised.Disposition = verdict == .noFault
            ? (random.chance(0.8) ? .reusable : .scrap)
            : (random.chance(0.85) ? .scrap : .reusable)
        let appraised = (returned ?? today).adding(days: random.int(in: 2...25))

        if onTime, record.cardOnTime, let cardDay = record.cardDay, plan.finding == .defect, !terms.excluded(part),
           covered || verdict == .premature, verdict == .defect || verdict == .premature {
            dealers[dealer].lines.append(PendingLine(id: swap, amount: cost, ready: max(appraised, cardDay)))
        }
        if let returned {
            schedule(.partReturn(SwapFate(swap: swap, returned: returned, appraised: appraised, verdict: verdict,
                                          disposition: disposition)), on: returned)
        }
    }

    /// The old part reaches the factory.
    func returnPart(_ fate: SwapFate) {
        emit(.partReturned(PartReturned(swap: fate.swap)), at: stamp(8...17), key: key("svc"), by: random.chance(0.3) ? "factory:warehouse" : nil)
        schedule(.appraisal(fate), on: fate.appraised)
    }

    /// The factory's technical department judges the old part.
    func appraise(_ fate: SwapFate) {
        emit(.partAppraised(PartAppraised(swap: fate.swap, verdict: fate.verdict, disposition: fate.disposition)),
             at: stamp(9...17), key: key("svc"), by: random.chance(0.5) ? "factory:technical-dept" : nil)
    }
}
