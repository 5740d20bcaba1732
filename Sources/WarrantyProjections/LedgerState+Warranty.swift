import WarrantyDomain

/// A complaint as it stands on a day.
struct ComplaintOnDay {
    var facts: ComplaintFacts
    /// The day of the first resolving visit dated on or before the day asked about.
    var resolution: Day?
    /// Whether a visit dated on or before the day asked about found a `defect`.
    var defect: Bool
}

/// A unit as it stands on a day: what SPEC §3 derives from its facts dated on or before that day.
struct UnitOnDay {
    var facts: UnitFacts
    var day: Day
    var start: Day
    var extensionDays: Int
    var end: Day
    var registration: Registration
    /// The complaints lodged on or before the day, in complaint-day order (log order on ties).
    var complaints: [ComplaintOnDay]

    var policy: PolicyTerms { facts.policy }

    /// The last covered day of `part`, or nil if the part is excluded and never covered.
    func end(of part: String) -> Day? {
        if policy.excluded.contains(part) { return nil }
        guard let months = policy.componentMonths[part] else { return end }
        return LedgerState.warrantyEnd(start: start, months: months, extensionDays: extensionDays)
    }

    /// Whether `part` is covered on `failureDay`.
    func covers(_ part: String, on failureDay: Day) -> Bool {
        end(of: part).map { failureDay <= $0 } ?? false
    }
}

/// Unit views computed once per query and day, so that many lines of one unit share one computation.
struct UnitViews {
    let state: LedgerState
    let day: Day
    private var views: [String: UnitOnDay?] = [:]

    init(state: LedgerState, day: Day) {
        self.state = state
        self.day = day
    }

    mutating func unit(_ serial: String) -> UnitOnDay? {
        if let known = views[serial] { return known }
        let view = state.unit(serial, on: day)
        views[serial] = view
        return view
    }
}

extension LedgerState {
    /// `addMonths(start, months) − 1 day + extensionDays`, the last covered day.
    static func warrantyEnd(start: Day, months: Int, extensionDays: Int) -> Day {
        start.adding(months: months).adding(days: extensionDays - 1)
    }

    /// The unit with `serial` on `day`, or nil if it is not sold on that day.
    /// - Complexity: proportional to the unit's own complaints and their visits.
    func unit(_ serial: String, on day: Day) -> UnitOnDay? {
        units[serial].flatMap { unit($0, on: day) }
    }

    /// The unit of `facts` on `day`, or nil if it is not sold on that day.
    func unit(_ facts: UnitFacts, on day: Day) -> UnitOnDay? {
        guard facts.introduced.day <= day else { return nil }
        let policy = facts.policy

        // A replacement's clock starts on the exchange day whatever the policy's clockStart.
        var start = facts.introduced.day
        if facts.replacementOf == nil, policy.clockStart == .install,
           let installed = facts.installed, installed.day <= day {
            start = installed.day
        }

        var lodged: [ComplaintOnDay] = []
        for id in facts.complaints {
            guard let complaint = complaints[id], complaint.lodged.day <= day else { continue }
            var resolution: Day?
            var defect = false
            for visitID in facts.visits {
                guard let visit = visits[visitID], visit.record.complaint == id, visit.at.day <= day else { continue }
                if visit.record.finding == .defect { defect = true }
                if visit.record.resolved, resolution.map({ visit.at.day < $0 }) ?? true {
                    resolution = visit.at.day
                }
            }
            lodged.append(ComplaintOnDay(facts: complaint, resolution: resolution, defect: defect))
        }
        // Complaint day order, log order on ties; the ids are already in log order, so sort stably.
        lodged = lodged.enumerated().sorted {
            ($0.element.facts.lodged.day, $0.offset) < ($1.element.facts.lodged.day, $1.offset)
        }.map(\.element)

        var extensionDays = 0
        for complaint in lodged {
            let endSoFar = Self.warrantyEnd(start: start, months: policy.warrantyMonths, extensionDays: extensionDays)
            guard complaint.facts.lodged.day <= endSoFar else { continue }
            if let resolution = complaint.resolution, complaint.defect {
                extensionDays += complaint.facts.lodged.day.days(to: resolution)
            }
        }

        return UnitOnDay(facts: facts, day: day, start: start, extensionDays: extensionDays,
                         end: Self.warrantyEnd(start: start, months: policy.warrantyMonths, extensionDays: extensionDays),
                         registration: registration(of: facts, on: day), complaints: lodged)
    }

    /// The registration of `unit` on `day`; a replacement's is that of the first unit of its exchange chain.
    func registration(of unit: UnitFacts, on day: Day) -> Registration {
        let holder = unit.registrationSerial == unit.serial ? unit : units[unit.registrationSerial]!
        let due = holder.introduced.day.adding(days: holder.policy.registrationDays)
        if let card = holder.card, card.day <= day {
            return card.day <= due ? .onTime : .late
        }
        return day > due ? .missing : .pending
    }

    /// The answer of `ledger status SERIAL` on `day`, or nil if the unit is not sold on that day.
    /// - Complexity: proportional to the unit's own complaints and their visits.
    public func unitStatus(serial: String, on day: Day) -> UnitStatus? {
        guard let unit = unit(serial, on: day) else { return nil }
        let policy = unit.policy

        let state: UnitState
        if let returned = unit.facts.returned, returned.day <= day {
            state = .returned
        } else if let exchanged = unit.facts.exchanged, exchanged.at.day <= day {
            state = .exchanged
        } else {
            let elapsed = unit.start.days(to: day)
            if elapsed <= policy.returnDays {
                state = .return
            } else if elapsed <= policy.exchangeDays {
                state = .exchange
            } else if day <= unit.end {
                state = .repair
            } else {
                state = .expired
            }
        }

        var components: [String: Day] = [:]
        for (part, months) in policy.componentMonths {
            components[part] = Self.warrantyEnd(start: unit.start, months: months, extensionDays: unit.extensionDays)
        }

        var repairs: [String: Int] = [:]
        var coveredDefects: [String: Int] = [:]
        var overdue = false
        for complaint in unit.complaints {
            let part = complaint.facts.partName
            if complaint.defect {
                repairs[part, default: 0] += 1
            }
            guard unit.covers(part, on: complaint.facts.lodged.day) else { continue }
            if complaint.defect {
                coveredDefects[part, default: 0] += 1
            }
            if let maxRepairDays = policy.maxRepairDays,
               complaint.facts.lodged.day.days(to: complaint.resolution ?? day) > maxRepairDays {
                overdue = true
            }
        }
        let escalation = overdue || coveredDefects.values.contains { $0 > policy.escalateAfter }

        let replacedBy = unit.facts.exchanged.flatMap { $0.at.day <= day ? $0.replacement : nil }
        let installed = unit.facts.installed.flatMap { $0.day <= day ? $0.day : nil }
        return UnitStatus(serial: serial, model: unit.facts.model, dealer: unit.facts.dealer, policy: policy.id,
                          state: state, sold: unit.facts.introduced.day, start: unit.start, end: unit.end,
                          extensionDays: unit.extensionDays, components: components,
                          registration: unit.registration, repairs: repairs, escalation: escalation,
                          replacementOf: unit.facts.replacementOf, replacedBy: replacedBy, installed: installed)
    }
}
