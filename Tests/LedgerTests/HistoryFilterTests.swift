@testable import Ledger
import Testing
import WarrantyDomain

/// `history` decodes only the events its two passes may need, chosen from the records' headers: for every unit of a
/// generated ledger (exchange chains, voids, notices and confirmations), under several views, the entries are those
/// of the passes that decode every event.
@Suite struct HistoryFilterTests {
    @Test func theHeaderFiltersChangeNoHistory() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        let lines = generatedLines(units: 150, seed: 4)
        try append(lines, to: ledger, scratch: scratch)
        let serials = try ledger.state().unitStatuses(on: Day("2031-01-01")!).map(\.serial)
        #expect(serials.count > 150, "replacements too")
        let filters = [EventFilter(), EventFilter(asOf: Day("2023-06-30")!), EventFilter(knownAt: Int64(lines.count / 2))]
        var compared = 0
        for serial in serials {
            for filter in filters {
                let full = Result { try ledger.history(serial: serial, filter: filter, decodingAll: true) }
                let filtered = Result { try ledger.history(serial: serial, filter: filter, decodingAll: false) }
                switch (full, filtered) {
                case (.success(let full), .success(let filtered)):
                    #expect(full.map(\.seq) == filtered.map(\.seq) && full.map(\.relation) == filtered.map(\.relation)
                            && full.map(\.voidedBy) == filtered.map(\.voidedBy) && full.map(\.hash) == filtered.map(\.hash)
                            && full.map(\.recordedMicroseconds) == filtered.map(\.recordedMicroseconds)
                            && full.map(\.stored) == filtered.map(\.stored), "\(serial)")
                    compared += full.count
                case (.failure(let full as LedgerError), .failure(let filtered as LedgerError)):
                    #expect(full.message == filtered.message, "\(serial)")
                default:
                    Issue.record("\(serial): \(full) but \(filtered)")
                }
            }
        }
        #expect(compared > 2_000)
    }
}
