import WarrantyDomain

extension Simulation {
    // MARK: Network

    /// Creates the dealers: half farm machinery, some special vehicles, the rest doors and lighting;
    /// most enrol on the first day, the others during the first half of the period.
    func makeDealers(count: Int) {
        let specialtyPattern: [Specialty] = [.farm, .vehicle, .building, .farm, .building, .farm, .farm, .building,
                                             .farm, .vehicle, .building, .farm, .building, .farm, .vehicle,
                                             .building, .farm, .building, .farm, .building]
        var cityOrder = Array(Names.cities.indices)
        for index in cityOrder.indices.reversed() where index > 0 {
            cityOrder.swapAt(index, random.below(index + 1))
        }
        let halfPeriod = max(1, firstDay.days(to: lastDay) / 2)
        for index in 0..<count {
            let specialty = specialtyPattern[index % specialtyPattern.count]
            let city = Names.cities[cityOrder[index % cityOrder.count]]
            let name = city.name + random.pick(Names.tradeWords) + random.pick(Names.businessKinds(specialty))
            let regionDraw = random.below(100)
            let region: String? = regionDraw < 70 ? city.province
                : regionDraw < 85 ? (city.municipality ? city.province + "市" : city.province + "省" + city.name + "市")
                : nil
            // The first dealers of each specialty are there from the start, so that every sale has a dealer.
            let late = index >= specialtyPattern.count / 2 && random.chance(0.15) && halfPeriod > 60
            let enrolment = late ? firstDay.adding(days: random.int(in: 60...halfPeriod)) : firstDay
            dealers.append(DealerRecord(
                id: city.provinceCode + "-" + city.code + Simulation.padded(index + 1, 2), name: name, region: region,
                city: city, specialty: specialty, weight: random.int(in: 1...6), noticeDay: random.int(in: 20...28),
                enrolment: enrolment))
            enrolments.append((enrolment, index))
        }
        enrolments = enrolments.enumerated().sorted { ($0.element.day, $0.offset) < ($1.element.day, $1.offset) }
            .map(\.element)
    }

    func publishPolicies() {
        while releaseCursor < releases.count, releases[releaseCursor].published == today {
            let policy = terms[releases[releaseCursor].terms].policy
            releaseCursor += 1
            emit(.policyPublished(policy), at: dayText(today), key: "pol-" + policy.policy, by: "factory:service-dept")
        }
    }

    func enrolDealers() {
        while enrolmentCursor < enrolments.count, enrolments[enrolmentCursor].day == today {
            let index = enrolments[enrolmentCursor].dealer
            enrolmentCursor += 1
            let dealer = dealers[index]
            emit(.dealerEnrolled(DealerEnrolled(dealer: dealer.id, name: dealer.name, region: dealer.region)),
                 at: stamp(9...17), key: "dlr-" + dealer.id, by: random.chance(0.5) ? "erp" : nil)
            enrolledDealers[dealer.specialty.rawValue].append(index)
            enrolledWeights[dealer.specialty.rawValue].append(dealer.weight)
        }
    }

    /// An enrolled dealer of `specialty`, the bigger ones more often.
    func pickDealer(_ specialty: Specialty) -> Int {
        let candidates = enrolledDealers[specialty.rawValue]
        return candidates[random.weighted(enrolledWeights[specialty.rawValue])]
    }

    /// The terms in force today for a family: the latest effective on or before today.
    func currentTerms(_ family: Int) -> Int {
        var best = familyTerms[family][0]
        for index in familyTerms[family] where terms[index].policy.effective <= today {
            best = index
        }
        return best
    }

    /// A new serial of a model, e.g. `LT504-23-000117`: model, year of issue, running number.
    func newSerial(family: Int, model: Int) -> String {
        serialCounts[family][model] += 1
        let year = today.civil.year % 100
        return families[family].models[model].serialPrefix + "-" + Simulation.padded(year, 2) + "-"
            + Simulation.padded(serialCounts[family][model], 6)
    }

    // MARK: Sales

    /// Sells one unit today and plans its card, its installation and its first complaint.
    func sell() {
        sold += 1
        let familyIndex = random.weighted(familySalesWeights)
        let family = families[familyIndex]
        let modelIndex = random.below(family.models.count)
        let model = family.models[modelIndex]
        let dealer = pickDealer(family.specialty)
        let termsIndex = currentTerms(familyIndex)
        let terms = self.terms[termsIndex]
        let serial = newSerial(family: familyIndex, model: modelIndex)
        // Prices are whole hundreds of yuan.
        let price = random.money(in: model.priceFen) / 10_000 * 10_000
        let customer = random.chance(0.9) ? random.pick(customers[family.specialty.rawValue]) : nil
        let invoice = random.chance(0.6) ? "FP" + Simulation.padded(37_000_000 + sold, 8) : nil
        emit(.unitSold(UnitSold(serial: serial, model: model.name, dealer: dealers[dealer].id, customer: customer,
                                invoice: invoice, price: price)),
             at: stamp(8...19), key: key("erp"), by: dealerActor(dealer, 0.3))
        // The dealer buys the unit from the factory at 85 % of its price.
        dealers[dealer].unbilled += price / 100 * 85

        // The 三包 card: mostly within registrationDays, some late, some never.
        var cardDay: Day?
        var cardOnTime = false
        let cardDraw = random.below(100)
        if cardDraw < 89 {
            cardDay = today.adding(days: random.int(in: 1...terms.registrationDays))
            cardOnTime = true
        } else if cardDraw < 95 {
            cardDay = today.adding(days: terms.registrationDays + random.int(in: 1...90))
        }
        var weakPart = -1
        if random.chance(0.025) {
            let covered = family.parts.indices.filter { !terms.excluded($0) }
            weakPart = covered[random.weighted(covered.map { family.parts[$0].weight })]
        }
        let unit = allocate(UnitRecord(
            serial: serial, family: familyIndex, model: modelIndex, terms: termsIndex, dealer: dealer, price: price,
            sold: today, start: today,
            serviceUntil: today.adding(months: terms.warrantyMonths + Simulation.serviceMonthsAfterWarranty),
            cardDay: cardDay, cardOnTime: cardOnTime, weakPart: weakPart))
        if let cardDay { schedule(.card(unit), on: cardDay, holding: unit) }
        if family.installs {
            // A few units stay in the customer's store and are never installed.
            if random.chance(0.95) {
                schedule(.install(unit), on: today.adding(days: random.int(in: family.installDelayDays)), holding: unit)
            }
        } else {
            scheduleFirstComplaint(unit)
        }
        release(unit)
    }

    /// The card reaches the factory; now and then it is first keyed with a wrong date and corrected.
    func registerCard(_ unit: Int32) {
        let record = units[Int(unit)]
        let daysSinceSale = record.sold.days(to: today)
        if daysSinceSale >= 1 && random.chance(0.005) {
            let wrong = today.adding(days: -random.int(in: 1...min(10, daysSinceSale)))
            let seq = emit(.cardRegistered(CardRegistered(serial: record.serial)), at: dayText(wrong), day: wrong,
                           key: key("portal"), by: dealerActor(record.dealer, 0.5))
            emit(.eventVoided(EventVoided(seq: seq, reason: "card of \(record.serial) keyed with date \(wrong); it arrived on \(today)")),
                 at: stamp(9...17), key: key("erp"), by: "factory:service-dept")
        }
        emit(.cardRegistered(CardRegistered(serial: record.serial)), at: stamp(8...17), key: key("portal"),
             by: dealerActor(record.dealer, 0.2))
        release(unit)
    }

    /// The dealer installs the unit; an install-clock warranty starts today.
    func install(_ unit: Int32) {
        let record = units[Int(unit)]
        let family = families[record.family]
        let site: String? = random.chance(0.85) ? dealers[record.dealer].city.name + random.pick(family.sites) : nil
        emit(.unitInstalled(UnitInstalled(serial: record.serial, site: site)), at: stamp(8...18), key: key("portal"),
             by: dealerActor(record.dealer, 0.3))
        units[Int(unit)].start = today
        let months = terms[record.terms].warrantyMonths + Simulation.serviceMonthsAfterWarranty
        units[Int(unit)].serviceUntil = today.adding(months: months)
        scheduleFirstComplaint(unit)
        release(unit)
    }

    /// Plans the unit's first complaint: an early failure for a few, else after a random gap.
    func scheduleFirstComplaint(_ unit: Int32) {
        let record = units[Int(unit)]
        let gap = random.chance(0.05)
            ? random.int(in: 0...terms[record.terms].exchangeDays)
            : random.exponentialDays(mean: record.weakPart >= 0 ? 80 : families[record.family].complaintGapDays)
        let day = record.start.adding(days: gap)
        if day <= record.serviceUntil { schedule(.complaint(unit), on: day, holding: unit) }
    }

    /// Plans the unit's next complaint after a random gap, while it is still in service.
    func scheduleNextComplaint(_ unit: Int32) {
        let record = units[Int(unit)]
        let gap = random.exponentialDays(mean: record.weakPart >= 0 ? 80 : families[record.family].complaintGapDays)
        let day = today.adding(days: gap)
        if day <= record.serviceUntil { schedule(.complaint(unit), on: day, holding: unit) }
    }
}
