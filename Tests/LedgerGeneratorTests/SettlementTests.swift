import LedgerGenerator
import Testing
import WarrantyDomain
import WarrantyProjections

/// Dealer balances add up, and the generator's write-offs settle exactly the lines they name.
@Suite struct SettlementTests {
    let ledger = coverageLedger

    @Test func claimedIsTheSumOfTheStatusesForEveryDealer() {
        let start = ledger.configuration.startDay
        var days = (1...10).map { start.adding(months: 6 * $0).adding(days: -1) }
        days.append(start.adding(days: 400))
        var settled: Fen = 0
        for day in days {
            let rows = ledger.state.dealerBalances(on: day)
            #expect(rows.count >= 30)
            for row in rows {
                #expect(row.claimed == row.pending + row.approved + row.rejected + row.writtenOff + row.deducted,
                        "dealer \(row.dealer) on \(day)")
                let lines = ledger.state.claimLines(on: day, dealer: row.dealer)
                #expect(row.claimed == lines.reduce(0) { $0 + $1.amount }, "dealer \(row.dealer) on \(day)")
                settled += row.deducted
            }
        }
        #expect(settled > 0)
    }

    @Test func writeOffLinesAreWrittenOffOrDeductedAfterwards() {
        let end = ledger.configuration.endDay
        let voided = ledger.voidedSeqs
        var notices = 0
        for (index, event) in ledger.events.enumerated() where !voided.contains(Int64(index + 1)) {
            guard case .costWrittenOff(let notice) = event.body else { continue }
            notices += 1
            #expect(notice.lines.count <= 1_000)
            for day in [event.day, event.day.adding(days: 30), end] {
                let lines = Dictionary(uniqueKeysWithValues: ledger.state.claimLines(on: day, dealer: notice.dealer)
                    .map { ($0.line, $0) })
                var amount: Fen = 0
                for id in notice.lines {
                    guard let line = lines[id] else {
                        Issue.record("notice \(notice.notice): line \(id) not found on \(day)")
                        continue
                    }
                    #expect(line.status == .writtenOff || line.status == .deducted,
                            "notice \(notice.notice) line \(id) is \(line.status.rawValue) on \(day)")
                    #expect(line.notice == notice.notice)
                    amount += line.amount
                }
                #expect(amount == notice.amount)
            }
        }
        #expect(notices > 50)
    }
}
