import WarrantyDomain

/// The day-by-day simulation behind `EventGenerator`: live units, dealers and a calendar of scheduled work.
///
/// Each simulated day publishes policies and enrols dealers that are due, invoices dealers on the
/// first of the month, sells the day's units, runs the work scheduled for the day (cards, installs,
/// complaints, visits, part returns, appraisals, confirmations, payments, corrections) and finally
/// issues the write-off notices due that day. Work is scheduled only for live units and dropped
/// when it falls after the last day, so memory follows the units in service, not the events.
///
/// Events leave in the order they are made, days never go backwards, and every event is valid
/// against the ones before it (SPEC §2): the simulation keeps just enough facts to know that.
final class Simulation {
    let configuration: GeneratorConfiguration
    var random: RandomSource
    let families: [Family]
    /// The terms of every policy release, indexed like `releases`.
    let terms: [Terms]
    /// Releases in order of publication day; equal days keep catalogue order.
    let releases: [(published: Day, terms: Int)]
    var releaseCursor = 0
    /// For each family, the indices of its terms in order of effective day.
    let familyTerms: [[Int]]
    let familySalesWeights: [Int]

    let firstDay: Day
    let lastDay: Day
    /// The day being simulated.
    var today: Day
    /// Units sold by the end of each day (by offset from `firstDay`): the sales curve.
    let salesTarget: [Int]
    var sold = 0

    /// Scheduled work by day offset from `firstDay`; a day's list is emptied once run.
    var calendar: [[ScheduledWork]]
    /// Units with work still scheduled; a slot is reused once its unit has none.
    var units: [UnitRecord] = []
    var freeSlots: [Int32] = []
    var dealers: [DealerRecord] = []
    /// Dealer indices by enrolment day.
    var enrolments: [(day: Day, dealer: Int)] = []
    var enrolmentCursor = 0
    /// Enrolled dealers of each specialty, and their sales weights.
    var enrolledDealers: [[Int]] = Array(repeating: [], count: Specialty.allCases.count)
    var enrolledWeights: [[Int]] = Array(repeating: [], count: Specialty.allCases.count)
    /// Customer names by specialty.
    let customers: [[String]]

    /// Serial numbers issued per family and model.
    var serialCounts: [[Int]]
    var complaintCount = 0
    var visitCount = 0
    var swapCount = 0
    var paymentCount = 0
    var keyCount = 0

    /// `YYYY-MM-DD` of each simulated day, by offset from `firstDay`.
    let dayTexts: [String]
    /// `THH:MM:00+08:00` for each minute of the day.
    let clockTexts: [String]
    /// `THH:MM:00Z` for each minute of the day from 08:00 (earlier minutes would move the business day).
    let utcClockTexts: [String]

    /// Events made and not yet handed out; `cursor` is the next to hand out.
    var made: [Event] = []
    var cursor = 0
    /// The log position of the last event made: seq = position in the stream, from 1.
    var lastSeq: Int64 = 0

    /// Months after the warranty during which customers still complain (and dealers still claim, out of warranty).
    static let serviceMonthsAfterWarranty = 3

    init(_ configuration: GeneratorConfiguration) {
        self.configuration = configuration
        random = RandomSource(seed: configuration.seed)
        firstDay = configuration.startDay
        lastDay = configuration.endDay
        today = firstDay
        let dayCount = firstDay.days(to: lastDay) + 1

        families = Family.catalogue(start: firstDay)
        var terms: [Terms] = []
        var releases: [(published: Day, terms: Int)] = []
        var familyTerms: [[Int]] = []
        for (familyIndex, family) in families.enumerated() {
            var indices: [Int] = []
            for release in family.releases {
                indices.append(terms.count)
                releases.append((release.published, terms.count))
                terms.append(Terms(release.policy, family: familyIndex, parts: family.parts))
            }
            familyTerms.append(indices)
        }
        self.terms = terms
        self.releases = releases.enumerated().sorted {
            ($0.element.published, $0.offset) < ($1.element.published, $1.offset)
        }.map(\.element)
        self.familyTerms = familyTerms
        familySalesWeights = families.map(\.salesWeight)
        serialCounts = families.map { Array(repeating: 0, count: $0.models.count) }
        calendar = Array(repeating: [], count: dayCount)

        let first = firstDay
        dayTexts = (0..<dayCount).map { first.adding(days: $0).description }
        clockTexts = (0..<1440).map { "T" + Simulation.padded($0 / 60, 2) + ":" + Simulation.padded($0 % 60, 2) + ":00+08:00" }
        utcClockTexts = (0..<1440).map { minute in
            let utc = max(0, minute - 480)
            return "T" + Simulation.padded(utc / 60, 2) + ":" + Simulation.padded(utc % 60, 2) + ":00Z"
        }

        salesTarget = Simulation.salesCurve(units: configuration.units, first: firstDay, days: dayCount)
        var random = self.random
        customers = Specialty.allCases.map { Names.customers($0, count: 400, &random) }
        self.random = random
        makeDealers(count: configuration.dealerCount)
    }

    // MARK: Handing out events

    /// The next event of the stream, simulating further days as needed; nil after the last day.
    func next() -> Event? {
        while cursor == made.count {
            made.removeAll(keepingCapacity: true)
            cursor = 0
            guard today <= lastDay else { return nil }
            simulateDay()
            today = today.adding(days: 1)
        }
        defer { cursor += 1 }
        return made[cursor]
    }

    /// Runs one day in the order that keeps every event valid against the ones before it.
    func simulateDay() {
        let offset = firstDay.days(to: today)
        publishPolicies()
        enrolDealers()
        let dayOfMonth = today.civil.day
        if dayOfMonth == 1 && offset > 0 { invoiceDealers() }
        while sold < salesTarget[offset] { sell() }
        var index = 0
        while index < calendar[offset].count {
            let work = calendar[offset][index]
            index += 1
            run(work)
        }
        calendar[offset] = []
        // Last, so that every return, appraisal and card of the day is already in the stream.
        writeOff(dayOfMonth: dayOfMonth)
    }

    func run(_ work: ScheduledWork) {
        switch work {
        case .card(let unit): registerCard(unit)
        case .install(let unit): install(unit)
        case .complaint(let unit): lodgeComplaint(unit)
        case .visit(let plan): visit(plan)
        case .partReturn(let fate): returnPart(fate)
        case .appraisal(let fate): appraise(fate)
        case .confirmation(let notice, let dealer): confirm(notice, dealer: dealer)
        case .invoice(let dealer, let invoice, let amount): issueInvoice(dealer, invoice, amount)
        case .payment(let dealer, let amount): receivePayment(dealer, amount)
        case .void(let seq, let reason, let actor):
            emit(.eventVoided(EventVoided(seq: seq, reason: reason)), at: stamp(9...18), key: key("erp"), by: actor)
        }
    }

    // MARK: Scheduling

    /// Schedules `work` on `day` unless that is after the last day; holds `unit` until the work has run.
    @discardableResult
    func schedule(_ work: ScheduledWork, on day: Day, holding unit: Int32? = nil) -> Bool {
        guard day <= lastDay else { return false }
        precondition(day >= today, "work is never scheduled in the past")
        calendar[firstDay.days(to: day)].append(work)
        if let unit { units[Int(unit)].holds += 1 }
        return true
    }

    /// A slot for a new unit, held once by the caller.
    func allocate(_ record: UnitRecord) -> Int32 {
        if let slot = freeSlots.popLast() {
            units[Int(slot)] = record
            return slot
        }
        units.append(record)
        return Int32(units.count - 1)
    }

    /// Drops one hold on `unit`; with none left the unit has no more work and its slot is freed.
    func release(_ unit: Int32) {
        let slot = Int(unit)
        units[slot].holds -= 1
        if units[slot].holds == 0 {
            units[slot].serial = ""
            freeSlots.append(unit)
        }
    }

    /// How many units still have work scheduled.
    var liveUnits: Int { units.count - freeSlots.count }

    // MARK: Making events

    /// Adds an event dated `day` (today unless given) to the stream and returns its seq.
    @discardableResult
    func emit(_ body: EventBody, at: String, day: Day? = nil, key: String?, by: String?) -> Int64 {
        made.append(Event(at: at, day: day ?? today, id: key, by: by, body: body))
        lastSeq += 1
        return lastSeq
    }

    /// An idempotency key from `source` on most events, unique in the stream.
    func key(_ source: String) -> String? {
        keyCount += 1
        return random.below(100) < 90 ? source + "-" + String(keyCount) : nil
    }

    /// `dealer:ID` on a share of the events a dealer enters.
    func dealerActor(_ dealer: Int, _ share: Double) -> String? {
        random.chance(share) ? "dealer:" + dealers[dealer].id : nil
    }

    /// Today's business time: half the time the date alone, else a time within `hours` at +08:00 (rarely in UTC).
    func stamp(_ hours: ClosedRange<Int>) -> String {
        let text = dayText(today)
        let draw = random.below(100)
        if draw < 50 { return text }
        let minute = random.int(in: (hours.lowerBound * 60)...(hours.upperBound * 60 + 59))
        return text + (draw < 98 || minute < 480 ? clockTexts[minute] : utcClockTexts[minute])
    }

    func dayText(_ day: Day) -> String {
        let offset = firstDay.days(to: day)
        return offset >= 0 && offset < dayTexts.count ? dayTexts[offset] : day.description
    }

    /// `YYYY-MM` of a day.
    static func monthText(_ day: Day) -> String {
        let (year, month, _) = day.civil
        return padded(year, 4) + "-" + padded(month, 2)
    }

    /// `value` in decimal with leading zeros to at least `width` digits.
    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        let count = text.utf8.count
        return count >= width ? text : String(repeating: "0", count: width - count) + text
    }

    // MARK: Sales curve

    /// Cumulative units sold by the end of each day: seasonal (spring and autumn peaks), growing
    /// year on year, slower on Sundays, reaching exactly `units` on the last day.
    static func salesCurve(units: Int, first: Day, days: Int) -> [Int] {
        let season = [0.55, 0.7, 1.3, 1.4, 1.15, 1.0, 0.9, 0.95, 1.15, 1.2, 0.95, 0.8]
        var cumulative: [Double] = []
        cumulative.reserveCapacity(days)
        var total = 0.0
        for offset in 0..<days {
            let day = first.adding(days: offset)
            let (_, month, _) = day.civil
            let years = Double(offset) / 365.25
            let sunday = (Int(day.ordinal) + 4) % 7 == 0
            total += season[month - 1] * (1 + 0.12 * years) * (sunday ? 0.5 : 1)
            cumulative.append(total)
        }
        var target = cumulative.map { min(units, Int(Double(units) * $0 / total)) }
        if days > 0 { target[days - 1] = units }
        return target
    }
}
