import Testing
import WarrantyDomain
@testable import WarrantyProjections

/// SplitMix64: a small seeded generator, so that a failing seed can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random small ledgers: events proposed at random, appended when `check` accepts them.
struct LedgerGenerator {
    var random: SeededGenerator
    var ledger = TestLedger()
    var clock = day("2025-01-01")
    var serials: [String] = []
    var complaints: [String] = []
    var visits: [String] = []
    var swaps: [String] = []
    var notices: [String] = []
    var counter = 0
    var refused = 0
    let dealers = ["D1", "D2", "D3"]
    let parts = ["pump", "belt", "battery", "frame"]

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &random)]
    }

    mutating func name(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    /// A day near the clock: mostly forward, sometimes a little back, so that the dating rule gets exercised.
    mutating func nextDay() -> String {
        clock = clock.adding(days: Int.random(in: -2...4, using: &random))
        return clock.description
    }

    mutating func generate(count: Int) -> TestLedger {
        let policy = E.policy(
            clock: Bool.random(using: &random) ? .sale : .install,
            returnDays: Int32.random(in: 0...7, using: &random), exchangeDays: Int32.random(in: 7...20, using: &random),
            months: Int32.random(in: 2...12, using: &random),
            components: [("battery", Int32.random(in: 1...3, using: &random))], excluded: ["belt"],
            escalateAfter: Int32.random(in: 0...2, using: &random),
            maxRepairDays: Bool.random(using: &random) ? Int32.random(in: 1...20, using: &random) : nil,
            registrationDays: Int32.random(in: 3...30, using: &random),
            deadlines: pick([nil, ["03-31", "09-30"], ["02-29"], []]) ?? nil,
            laborRate: Fen.random(in: 0...20_000, using: &random))
        ledger.add(policy)
        for dealer in dealers {
            ledger.add(E.dealer(dealer))
        }
        for _ in 0..<count {
            propose()
        }
        return ledger
    }

    mutating func propose() {
        let at = nextDay()
        let serial = pick(serials) ?? "SN0"
        let dealer = pick(dealers)!
        var event: Event
        switch Int.random(in: 0..<20, using: &random) {
        case 0, 1:
            let new = name("SN")
            event = E.sale(new, at, dealer: dealer)
        case 2:
            event = E.card(serial, at)
        case 3:
            event = E.install(serial, at)
        case 4, 5:
            event = E.complaint(name("C"), serial, at, part: pick(parts + ["unit"]).flatMap { $0 == "unit" ? nil : $0 })
        case 6, 7, 8:
            let complaint = Bool.random(using: &random) ? pick(complaints) : nil
            let target = complaint.flatMap { ledger.state.complaints[$0]?.serial } ?? serial
            event = E.visit(name("V"), target, at, dealer: dealer, complaint: complaint,
                            kind: pick(VisitRecorded.Kind.allCases)!, finding: pick([.defect, .defect, .misuse, .supplier, .none])!,
                            minutes: Int32.random(in: 0...300, using: &random), travel: Fen.random(in: 0...5000, using: &random),
                            resolved: Bool.random(using: &random))
        case 9, 10:
            let visit = pick(visits) ?? "V0"
            let target = ledger.state.visits[visit]?.record.serial ?? serial
            event = E.swap(name("S"), visit: visit, target, at, part: pick(parts)!, cost: Fen.random(in: 0...90_000, using: &random))
        case 11:
            event = E.returned(pick(swaps) ?? "S0", at)
        case 12:
            event = E.appraised(pick(swaps) ?? "S0", at, pick(PartAppraised.Verdict.allCases)!)
        case 13:
            let state = ledger.state
            let approved = state.claimLines(on: clock, dealer: dealer).filter {
                $0.status == .approved && state.noticeOfLine[LineKey(kind: $0.kind, id: $0.line)] == nil
            }
            let lines = approved.enumerated().filter { $0.offset == 0 || Bool.random(using: &random) }.map(\.element)
            let amount = lines.reduce(0) { $0 + $1.amount } + (Int.random(in: 0..<10, using: &random) == 0 ? 1 : 0)
            event = E.notice(name("N"), dealer: dealer, lines.map(\.line), amount: amount, at)
        case 14:
            event = E.confirm(pick(notices) ?? "N0", at)
        case 15:
            event = E.invoice(dealer, name("F"), Fen.random(in: 0...1_000_000, using: &random), at)
        case 16:
            event = E.payment(dealer, Fen.random(in: 0...500_000, using: &random), at)
        case 17:
            event = Bool.random(using: &random) ? E.unitReturned(serial, at) : E.exchanged(serial, for: name("SN"), at)
        default:
            event = E.void(Int64.random(in: 1...Int64(max(1, ledger.events.count)), using: &random))
        }
        do {
            try ledger.append(event)
        } catch {
            refused += 1
            return
        }
        switch event.body {
        case .unitSold(let sale):
            serials.append(sale.serial)
            if Int.random(in: 0..<10, using: &random) < 7 {
                let card = event.day.adding(days: Int.random(in: 0...25, using: &random))
                _ = try? ledger.append(E.card(sale.serial, card.description))
            }
        case .unitExchanged(let exchange): serials.append(exchange.replacement)
        case .complaintLodged(let lodged): complaints.append(lodged.complaint)
        case .visitRecorded(let visit): visits.append(visit.visit)
        case .partSwapped(let swap): swaps.append(swap.swap)
        case .costWrittenOff(let notice): notices.append(notice.notice)
        default: break
        }
    }
}

@Suite("Properties of random ledgers")
struct PropertyTests {
    static let days = stride(from: 0, to: 400, by: 23).map { day("2025-01-01").adding(days: $0) }

    @Test(arguments: 0..<40)
    func claimedIsTheSumOfTheStatuses(seed: Int) {
        var generator = LedgerGenerator(seed: UInt64(seed))
        let ledger = generator.generate(count: 250)
        #expect(ledger.events.count > 60, "seed \(seed) appended too little to mean much")
        for day in Self.days {
            let lines = ledger.state.claimLines(on: day)
            for row in ledger.state.dealerBalances(on: day) {
                #expect(row.claimed == row.pending + row.approved + row.rejected + row.writtenOff + row.deducted,
                        "seed \(seed), \(row.dealer) on \(day)")
                #expect(row.claimed == lines.filter { $0.dealer == row.dealer }.reduce(0) { $0 + $1.amount })
                #expect(ledger.state.claimLines(on: day, dealer: row.dealer) == lines.filter { $0.dealer == row.dealer })
            }
            for line in lines {
                #expect((line.status == .rejected) == (line.reason != nil), "seed \(seed), line \(line.line) on \(day)")
            }
            let ids = lines.map(\.line)
            #expect(ids == ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } || Set(ids).count < ids.count)
        }
    }

    @Test(arguments: 0..<40)
    func foldingOnlyTheLiveEventsGivesTheSameState(seed: Int) {
        var generator = LedgerGenerator(seed: UInt64(seed) + 1000)
        let ledger = generator.generate(count: 250)
        var voided: Set<Int64> = []
        for event in ledger.events {
            if case .eventVoided(let void) = event.body { voided.insert(void.seq) }
        }
        var live = LedgerState()
        for (index, event) in ledger.events.enumerated() {
            let seq = Int64(index + 1)
            if voided.contains(seq) || event.type == .eventVoided { continue }
            live.apply(event, seq: seq, target: nil)
        }
        #expect(withoutVoidBookkeeping(ledger.state) == withoutVoidBookkeeping(live), "seed \(seed)")
        let serials = Array(generator.serials.prefix(12))
        #expect(Answers(ledger.state, serials: serials, days: Self.days) == Answers(live, serials: serials, days: Self.days),
                "seed \(seed)")
    }

    @Test func knownAtIsAFoldOfAPrefix() {
        var generator = LedgerGenerator(seed: 7)
        let ledger = generator.generate(count: 200)
        var state = LedgerState()
        for (index, event) in ledger.events.enumerated() {
            state.apply(event, seq: Int64(index + 1), target: ledger.target(of: event))
        }
        #expect(state == ledger.state)
    }
}

extension PropertyTests {
    @Test func generatorAppendsEveryEventType() {
        var counts: [EventType: Int] = [:]
        var refused = 0
        var appended = 0
        for seed in 0..<40 {
            var generator = LedgerGenerator(seed: UInt64(seed))
            let ledger = generator.generate(count: 250)
            refused += generator.refused
            appended += ledger.events.count
            for event in ledger.events {
                counts[event.type, default: 0] += 1
            }
        }
        for type in EventType.allCases {
            #expect((counts[type] ?? 0) > 0, "no \(type.rawValue) appended")
        }
        print("random ledgers: appended \(appended), refused \(refused), by type \(counts.map { "\($0.key.rawValue)=\($0.value)" }.sorted())")
    }
}
