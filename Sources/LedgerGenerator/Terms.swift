import WarrantyDomain

/// A policy's terms in the form the simulation needs, indexed by the family's parts (`-1` is the unit itself).
struct Terms {
    let policy: PolicyPublished
    let family: Int
    let warrantyMonths: Int
    /// Warranty months of each family part: its component entry, else the unit's.
    let partMonths: [Int]
    let partExcluded: [Bool]
    let returnDays: Int
    let exchangeDays: Int
    let registrationDays: Int
    let escalateAfter: Int
    let maxRepairDays: Int?
    let deadlines: [PolicyPublished.MonthDay]
    let laborRate: Fen

    init(_ policy: PolicyPublished, family: Int, parts: [PartSpec]) {
        self.policy = policy
        self.family = family
        warrantyMonths = Int(policy.warrantyMonths)
        partMonths = parts.map { part in
            Int(policy.components?.first { $0.part == part.name }?.months ?? policy.warrantyMonths)
        }
        let excluded = policy.excluded ?? []
        partExcluded = parts.map { excluded.contains($0.name) }
        returnDays = Int(policy.returnDays)
        exchangeDays = Int(policy.exchangeDays)
        registrationDays = Int(policy.registrationDays ?? 20)
        escalateAfter = Int(policy.escalateAfter ?? 2)
        maxRepairDays = policy.maxRepairDays.map(Int.init)
        deadlines = policy.partReturnDeadlines ?? [.init(month: 6, day: 30), .init(month: 12, day: 31)]
        laborRate = policy.laborRate
    }

    /// Whether complaints and swaps of `part` are never covered.
    func excluded(_ part: Int) -> Bool {
        part >= 0 && partExcluded[part]
    }

    /// The last covered day of `part` before any extension for repair time (SPEC §3 "Ends").
    func end(of part: Int, start: Day) -> Day {
        start.adding(months: part >= 0 ? partMonths[part] : warrantyMonths).adding(days: -1)
    }

    /// Whether a failure of `part` on `failureDay` is covered without counting any extension.
    ///
    /// Extensions only ever lengthen the warranty, so a failure covered here stays covered on every later day.
    func covers(_ part: Int, start: Day, failureDay: Day) -> Bool {
        !excluded(part) && failureDay <= end(of: part, start: start)
    }

    /// The first part-return deadline on or after `swapDay`; `02-29` means `02-28` in other years.
    func returnDeadline(onOrAfter swapDay: Day) -> Day? {
        deadlines.firstDeadline(onOrAfter: swapDay)
    }

    /// The labor line amount `round_half_up(laborMinutes × laborRate / 60) + travel` (SPEC §3 "Claim lines").
    func laborAmount(minutes: Int32, travel: Fen) -> Fen {
        let product = Int64(minutes) * laborRate
        return product / 60 + (product % 60 >= 30 ? 1 : 0) + travel
    }
}
