import WarrantyDomain

/// What to simulate: how many units the dealer network sells, over which years, from which seed.
public struct GeneratorConfiguration: Hashable, Sendable {
    /// Units sold over the whole period, not counting replacements from exchanges.
    public var units: Int
    /// The seed of the simulation's only random source: the same configuration gives the same events.
    public var seed: UInt64
    /// The first simulated day: the policies are published and the first dealers enrolled on it.
    public var startDay: Day
    /// How many years to simulate; the last day is the day before `startDay` plus `years` years.
    public var years: Int

    /// 2021-01-01.
    public static let defaultStartDay = Day(year: 2021, month: 1, day: 1)!

    /// Most units one configuration may ask for, so that serial numbers keep their width.
    public static let unitsMax = 100_000_000

    public init(units: Int, seed: UInt64, startDay: Day = GeneratorConfiguration.defaultStartDay, years: Int = 5) {
        precondition((0...Self.unitsMax).contains(units), "units must be from 0 to \(Self.unitsMax)")
        precondition((1...50).contains(years), "years must be from 1 to 50")
        self.units = units
        self.seed = seed
        self.startDay = startDay
        self.years = years
    }

    /// The last simulated day: no event is dated after it.
    public var endDay: Day {
        startDay.adding(months: 12 * years).adding(days: -1)
    }

    /// The size of the dealer network: one dealer per fifty units, from 30 to 60.
    public var dealerCount: Int {
        min(60, max(30, units / 50))
    }
}
