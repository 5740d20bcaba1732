import LedgerGenerator
import Testing
import WarrantyDomain
import WarrantyProjections

/// A generated ledger of 2,000 units exercises every event type and every outcome of SPEC §3.
@Suite struct CoverageTests {
    let ledger = coverageLedger
    var end: Day { ledger.configuration.endDay }

    @Test func isAccepted() {
        ledger.expectAllAccepted()
    }

    @Test func containsEveryEventType() {
        let types = Set(ledger.events.map(\.type))
        for type in EventType.allCases {
            #expect(types.contains(type), "no \(type.rawValue)")
        }
        let perUnit = Double(ledger.events.count) / Double(ledger.configuration.units)
        #expect((8...13).contains(perUnit), "\(perUnit) events per unit")
    }

    @Test func everyUnitStateAndRegistrationAtTheEnd() {
        var states: Set<UnitState> = []
        var registrations: Set<Registration> = []
        var escalated = 0
        var extended = 0
        var policies: Set<String> = []
        for serial in ledger.serials {
            guard let status = ledger.state.unitStatus(serial: serial, on: end) else {
                Issue.record("\(serial) is not sold on \(end)")
                continue
            }
            states.insert(status.state)
            registrations.insert(status.registration)
            if status.escalation { escalated += 1 }
            if status.extensionDays > 0 { extended += 1 }
            policies.insert(status.policy)
        }
        #expect(states == Set(UnitState.allCases))
        #expect(registrations == Set(Registration.allCases))
        #expect(escalated > 0)
        #expect(extended > 0)
        // Units bound to the first terms and to the re-publications.
        #expect(policies.count == 7, "\(policies.sorted())")
    }

    @Test func everyLineStatusAndRejectionReasonAtTheEnd() {
        let lines = ledger.state.claimLines(on: end)
        let statuses = Set(lines.map(\.status))
        #expect(statuses == Set(LineStatus.allCases))
        let reasons = Set(lines.compactMap(\.reason))
        #expect(reasons == Set(RejectionReason.allCases))
        #expect(Set(lines.map(\.kind)) == Set(LineKind.allCases))
    }

    @Test func voidsUndoMistakesWithoutDependents() {
        var targets: Set<EventType> = []
        for event in ledger.events {
            guard case .eventVoided(let void) = event.body else { continue }
            let target = ledger.events[Int(void.seq) - 1]
            #expect(target.day <= event.day || target.type == .cardRegistered)
            targets.insert(target.type)
        }
        #expect(targets == [.cardRegistered, .complaintLodged, .dealerInvoiced, .paymentReceived], "\(targets)")
    }

    @Test func networkAndFormats() {
        var dealers = 0
        var lateDealers = 0
        var models: [String: Set<String>] = [:]
        var dateOnly = 0
        var dateTime = 0
        var withKey = 0
        var withActor = 0
        var customers = 0
        var sales = 0
        for event in ledger.events {
            if event.at.utf8.count == 10 { dateOnly += 1 } else { dateTime += 1 }
            if event.id != nil { withKey += 1 }
            if event.by != nil { withActor += 1 }
            switch event.body {
            case .dealerEnrolled(let enrolment):
                dealers += 1
                if event.day > ledger.configuration.startDay { lateDealers += 1 }
                #expect(enrolment.name.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF })
            case .policyPublished(let policy):
                for model in policy.models { models[model, default: []].insert(policy.policy) }
            case .unitSold(let sale):
                sales += 1
                if sale.customer != nil { customers += 1 }
            default:
                break
            }
        }
        #expect((30...60).contains(dealers))
        #expect(lateDealers > 0)
        #expect(models.values.contains { $0.count > 1 }, "a re-publication for the same models")
        #expect(sales == ledger.configuration.units)
        #expect(customers > sales * 8 / 10)
        #expect(dateOnly > 0 && dateTime > 0)
        #expect(withKey > ledger.events.count * 8 / 10)
        #expect(withActor > 0 && withActor < ledger.events.count)
    }
}
