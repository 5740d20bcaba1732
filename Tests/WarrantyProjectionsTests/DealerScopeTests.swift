import Testing
import WarrantyDomain
@testable import WarrantyProjections

/// A state of one dealer's units and notices answers for that dealer exactly as the whole state does.
@Suite struct DealerScopeTests {
    @Test func theDealersRecordsAndNoticesAnswerForTheDealerAsTheWholeStateDoes() throws {
        var dealersChecked = 0
        for (name, ledger, _) in snapshotLedgers() {
            let full = ledger.state
            let snapshot = full.snapshot()
            let order = snapshot.unitIndex.map(\.serial)
            let index = full.dealerIndex(unitOrder: order)
            #expect(index.map(\.dealer) == index.map(\.dealer).sorted { $0.bytePrecedes($1) })
            for dealer in full.dealers.keys {
                let positions = index.first { $0.dealer == dealer }?.positions ?? []
                #expect(positions == positions.sorted())
                var serials: [String] = []
                for position in positions {
                    for serial in try snapshot.relatedClosure(of: order[Int(position)]) where !serials.contains(serial) {
                        serials.append(serial)
                    }
                }
                let partial = try Self.dealerState(snapshot, serials: serials, dealer: dealer)
                for day in snapshotDays {
                    #expect(partial.claimLines(on: day, dealer: dealer) == full.claimLines(on: day, dealer: dealer), "\(name) \(dealer) \(day)")
                    #expect(partial.unitStatuses(on: day, dealer: dealer) == full.unitStatuses(on: day, dealer: dealer), "\(name) \(dealer) \(day)")
                    #expect(partial.dealerBalances(on: day).first { $0.dealer == dealer }
                            == full.dealerBalances(on: day).first { $0.dealer == dealer }, "\(name) \(dealer) \(day)")
                }
                dealersChecked += 1
            }
        }
        #expect(dealersChecked > 20)
    }

    /// The comparison above can fail: leaving out one of the dealer's units that holds one of its lines changes its answers.
    @Test func withoutAUnitHoldingOneOfItsLinesTheDealersAnswersDiffer() throws {
        let full = richLedger().state
        let snapshot = full.snapshot()
        let order = snapshot.unitIndex.map(\.serial)
        let (dealer, positions) = full.dealerIndex(unitOrder: order).max { $0.positions.count < $1.positions.count }!
        let serials = positions.map { order[Int($0)] }
        let lines = full.claimLines(on: day("2026-06-30"), dealer: dealer)
        let unitWithLines = serials.first { serial in lines.contains { $0.serial == serial } }!
        // Notices naming that unit's lines would not load without it: drop them too by asking for no notices.
        let partial = try Self.dealerState(snapshot, serials: serials.filter { $0 != unitWithLines }, dealer: nil)
        #expect(partial.claimLines(on: day("2026-06-30"), dealer: dealer) != lines)
    }

    /// The partial state of the records of `serials`, with the notices of `dealer`.
    static func dealerState(_ snapshot: StateSnapshot, serials: [String], dealer: String?) throws -> LedgerState {
        try StateSnapshot.partialState(policies: snapshot.policies, dealers: snapshot.dealers, other: snapshot.other,
                                       records: serials.compactMap { snapshot.record(of: $0).map(Array.init) },
                                       lastSeq: snapshot.lastSeq, notices: snapshot.notices, dealer: dealer)
    }
}
