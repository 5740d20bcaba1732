import Testing
import WarrantyDomain
@testable import WarrantyProjections

/// A ledger with one of almost everything, for voids and refusals; the comment is each event's seq.
let richEvents: [Event] = [
    E.policy(components: [("battery", 3)], excluded: ["belt"]),                   // 1
    E.dealer("D1"),                                                               // 2
    E.dealer("D2"),                                                               // 3
    E.dealer("D3", at: "2025-06-01"),                                             // 4
    E.invoice("D1", "F1", 1_000_000, "2025-02-01"),                               // 5
    E.sale("SN1", "2025-03-01"),                                                  // 6
    E.card("SN1", "2025-03-05"),                                                  // 7
    E.install("SN1", "2025-03-03"),                                               // 8
    E.sale("SN2", "2025-03-02", dealer: "D2"),                                    // 9  never registered
    E.sale("SN3", "2025-03-03"),                                                  // 10 nothing else
    E.sale("SN4", "2025-03-04", dealer: "D2"),                                    // 11
    E.complaint("C1", "SN1", "2025-04-01", part: "battery"),                      // 12
    E.visit("V1", "SN1", "2025-04-01", complaint: "C1", resolved: false),         // 13
    E.swap("S1", visit: "V1", "SN1", "2025-04-01", part: "battery", cost: 50_000), // 14
    E.visit("V2", "SN1", "2025-04-04", complaint: "C1", resolved: true),          // 15
    E.returned("S1", "2025-04-10"),                                               // 16
    E.appraised("S1", "2025-04-15"),                                              // 17
    E.complaint("C2", "SN2", "2025-05-01"),                                       // 18
    E.visit("V3", "SN2", "2025-05-03", dealer: "D2", complaint: "C2"),            // 19
    E.swap("S2", visit: "V3", "SN2", "2025-05-03", cost: 20_000),                 // 20
    E.returned("S2", "2025-05-20"),                                               // 21
    E.complaint("C3", "SN1", "2025-06-01", part: "pump"),                         // 22
    E.notice("N1", ["S1", "V1", "V2"], amount: 62_000, "2025-06-10"),             // 23
    E.confirm("N1", "2025-06-15"),                                                // 24
    E.payment("D1", 200_000, "2025-06-20", ref: "PAY-1"),                         // 25
    E.visit("V4", "SN1", "2025-07-01", kind: .inspection, finding: .none, resolved: false), // 26
    E.swap("S3", visit: "V1", "SN1", "2025-07-02", part: "battery", cost: 3000),  // 27
    E.complaint("C4", "SN2", "2025-07-05"),                                       // 28
    E.visit("V5", "SN2", "2025-07-08", dealer: "D2", complaint: "C4"),            // 29
    E.complaint("C5", "SN1", "2025-08-01", part: "pump"),                         // 30
    E.visit("V6", "SN1", "2025-08-02", complaint: "C5"),                          // 31
    E.notice("N2", ["V6"], amount: 6000, "2025-08-10"),                           // 32
    E.complaint("C6", "SN1", "2025-08-20"),                                       // 33
    E.visit("V7", "SN1", "2025-08-21", complaint: "C6"),                          // 34
    E.unitReturned("SN2", "2025-09-01"),                                          // 35
    E.exchanged("SN4", for: "R4", "2025-09-05"),                                  // 36
]

func richLedger(sourceLocation: SourceLocation = #_sourceLocation) -> TestLedger {
    TestLedger(richEvents, sourceLocation: sourceLocation)
}

let richSerials = ["SN1", "SN2", "SN3", "SN4", "R4", "SN9"]
let richDays = ["2025-03-01", "2025-03-04", "2025-04-02", "2025-04-20", "2025-06-12", "2025-06-30", "2025-07-10",
                "2025-08-15", "2025-09-10", "2026-06-30", "2031-01-01"].map(day)

@Suite("The rich test ledger")
struct RichLedgerTests {
    @Test func everyEventIsAcceptedWhereTheCommentsSay() {
        let ledger = richLedger()
        #expect(ledger.events.count == 36)
        #expect(ledger.seq(.costWrittenOff, "N1") == 23)
        #expect(ledger.seq(.unitExchanged, "SN4") == 36)
    }

    @Test func dealersClaimWhatTheirLinesAddUpTo() {
        let ledger = richLedger()
        for day in richDays {
            for row in ledger.state.dealerBalances(on: day) {
                #expect(row.claimed == row.pending + row.approved + row.rejected + row.writtenOff + row.deducted)
            }
        }
        let rows = ledger.state.dealerBalances(on: day("2025-12-31"))
        #expect(rows.map(\.dealer) == ["D1", "D2", "D3"])
        #expect(rows[0].deducted == 62_000)
        #expect(rows[0].writtenOff == 6000)
        #expect(rows[0].receivable == 1_000_000 - 200_000 - 62_000)
        #expect(rows[1].rejected == rows[1].claimed)
    }
}
