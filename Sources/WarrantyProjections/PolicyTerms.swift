import WarrantyDomain

/// A published policy with its defaults filled in, shared by every unit bound to it.
///
/// A class so that a million units hold one reference each rather than a copy of the terms;
/// immutable, so sharing it is safe.
final class PolicyTerms: Hashable, Sendable {
    /// The publication the terms were built from, kept so that a snapshot stores its fields rather than the derived maps.
    let published: PolicyPublished
    let id: String
    let seq: Int64
    let effective: Day
    let clockStart: PolicyPublished.ClockStart
    let returnDays: Int
    let exchangeDays: Int
    let warrantyMonths: Int
    /// Months per listed component; the first entry wins if a part were listed twice (`check` refuses that).
    let componentMonths: [String: Int]
    let excluded: Set<String>
    let escalateAfter: Int
    let maxRepairDays: Int?
    let registrationDays: Int
    let returnDeadlines: [PolicyPublished.MonthDay]
    let retentionYears: Int
    let laborRate: Fen

    static let defaultEscalateAfter = 2
    static let defaultRegistrationDays = 20
    static let defaultReturnDeadlines = [PolicyPublished.MonthDay(month: 6, day: 30), PolicyPublished.MonthDay(month: 12, day: 31)]
    static let defaultRetentionYears = 5

    init(_ policy: PolicyPublished, seq: Int64) {
        published = policy
        id = policy.policy
        self.seq = seq
        effective = policy.effective
        clockStart = policy.clockStart
        returnDays = Int(policy.returnDays)
        exchangeDays = Int(policy.exchangeDays)
        warrantyMonths = Int(policy.warrantyMonths)
        var months: [String: Int] = [:]
        for component in policy.components ?? [] where months[component.part] == nil {
            months[component.part] = Int(component.months)
        }
        componentMonths = months
        excluded = Set(policy.excluded ?? [])
        escalateAfter = policy.escalateAfter.map(Int.init) ?? Self.defaultEscalateAfter
        maxRepairDays = policy.maxRepairDays.map(Int.init)
        registrationDays = policy.registrationDays.map(Int.init) ?? Self.defaultRegistrationDays
        returnDeadlines = policy.partReturnDeadlines ?? Self.defaultReturnDeadlines
        retentionYears = policy.retentionYears.map(Int.init) ?? Self.defaultRetentionYears
        laborRate = policy.laborRate
    }

    static func == (lhs: PolicyTerms, rhs: PolicyTerms) -> Bool {
        lhs.id == rhs.id && lhs.seq == rhs.seq
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(seq)
    }

    /// The first deadline day on or after `swapDay`; `02-29` means `02-28` in a year that has none.
    ///
    /// Nil when the policy lists no deadline (the old part then never becomes late).
    func returnDeadline(onOrAfter swapDay: Day) -> Day? {
        returnDeadlines.firstDeadline(onOrAfter: swapDay)
    }

    /// The labor line amount `round_half_up(laborMinutes × laborRate / 60) + travel`, or nil if it does not fit in `Int64`.
    func laborAmount(minutes: Int32, travel: Fen) -> Fen? {
        let (product, overflow) = Int64(minutes).multipliedReportingOverflow(by: laborRate)
        guard !overflow, product >= 0 else { return nil }
        // Halves round up; dividing first keeps the addition from overflowing.
        let labor = product / 60 + (product % 60 >= 30 ? 1 : 0)
        let (amount, sumOverflow) = labor.addingReportingOverflow(travel)
        return sumOverflow ? nil : amount
    }
}
