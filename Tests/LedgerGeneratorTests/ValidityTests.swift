import JSONText
import LedgerGenerator
import Testing
import WarrantyDomain
import WarrantyProjections

/// Every generated event passes the acceptance rules against the events before it.
@Suite struct ValidityTests {
    @Test(arguments: [(1 as UInt64, 300), (2, 800), (3, 1_500), (99, 2_000)])
    func everyEventIsAccepted(seed: UInt64, units: Int) {
        let ledger = GeneratedLedger(units: units, seed: seed)
        ledger.expectAllAccepted()
        #expect(ledger.events.count > units * 6)
    }

    @Test func shortAndLongPeriodsAreAccepted() {
        GeneratedLedger(units: 400, seed: 5, years: 1).expectAllAccepted()
        GeneratedLedger(units: 600, seed: 6, years: 9).expectAllAccepted()
    }

    @Test func noUnitsStillGivesTheNetwork() {
        let events = Array(EventGenerator(GeneratorConfiguration(units: 0, seed: 1)))
        #expect(events.contains { $0.type == .policyPublished })
        #expect(events.contains { $0.type == .dealerEnrolled })
        #expect(!events.contains { $0.type == .unitSold })
    }

    @Test func everyLineDecodesToTheSameEvent() throws {
        let configuration = GeneratorConfiguration(units: 500, seed: 11)
        for event in EventGenerator(configuration) {
            let bytes = JSONWriter.bytes(EventEncoder.encode(event))
            let decoded = try EventDecoder.decode(JSONParser.parse(bytes), zone: .chinaStandard)
            #expect(decoded == event, "\(String(decoding: bytes, as: UTF8.self))")
            if decoded != event { return }
        }
    }

    @Test func keysAreUniqueAndDaysStayInThePeriod() {
        let ledger = coverageLedger
        let configuration = ledger.configuration
        var keys: Set<String> = []
        var previous = configuration.startDay
        let voided = ledger.voidedSeqs
        for (index, event) in ledger.events.enumerated() {
            if let id = event.id { #expect(keys.insert(id).inserted, "duplicate id \(id)") }
            #expect(event.day >= configuration.startDay && event.day <= configuration.endDay)
            // Only a card keyed with a wrong (earlier) date, voided at once, breaks day order.
            if !voided.contains(Int64(index + 1)) {
                #expect(event.day >= previous, "seq \(index + 1) goes back in time")
                previous = event.day
            }
        }
        #expect(keys.count > ledger.events.count * 8 / 10)
    }

    @Test func memoryFollowsUnitsInService() {
        // Over ten years most units leave service long before the end.
        let ledger = GeneratedLedger(units: 3_000, seed: 8, years: 10)
        ledger.expectAllAccepted()
        #expect(ledger.liveUnitsMax < 3_000 / 2, "\(ledger.liveUnitsMax) live units at most")
    }
}
