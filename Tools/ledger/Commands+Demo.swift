#if canImport(Glibc)
import Glibc
#endif
import Ledger
import LedgerGenerator
import WarrantyDomain
import WarrantyProjections

extension Commands {
    /// Generates a dealer network of about 10,000 units into a new temporary folder, appends it, builds the
    /// projections, verifies the log and reports what finance and service staff would look at first.
    static func demo(_ arguments: Arguments, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["units", "seed"])
        let units = try arguments.integer("units", in: 1...1_000_000) ?? 10_000
        let seed = try arguments.integer("seed", in: 0...Int64.max) ?? 1
        var template = Array("/tmp/ledger-demo-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw LedgerError(.io, "cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        let base = String(cString: created)
        let folder = base + "/ledger"
        let samplePath = base + "/events.jsonl"
        var clock = Ledger.currentMicroseconds()
        func lap() -> String {
            let now = Ledger.currentMicroseconds()
            defer { clock = now }
            return format3(Double(now - clock) / 1_000_000) + " s"
        }

        let configuration = GeneratorConfiguration(units: Int(units), seed: UInt64(seed))
        let count = try generateFile(EventGenerator(configuration), path: samplePath)
        output.write("generated  \(count) events of \(units) units and \(configuration.dealerCount) dealers, \(configuration.startDay) to \(configuration.endDay) (\(lap()))\n")
        let ledger = try Ledger.create(folder: folder, timeZone: TimeZoneOffset("+08:00")!)
        let appended = try ledger.append(try LineReader(path: samplePath))
        output.write("appended   \(appended.appended) events as one batch, seq \(appended.firstSeq ?? 0)-\(appended.lastSeq ?? 0) (\(lap()))\n")
        _ = try ledger.rebuild()
        output.write("rebuilt    every projection from the log and stored the snapshot (\(lap()))\n")
        let verified = try ledger.verify()
        output.write("verified   \(verified.events) events, hash chain and checksums intact (\(lap()))\n")
        output.write("head       \(verified.head.hex)\n")

        let day = configuration.endDay
        let state = try ledger.state()
        output.write("\nUnits on \(day), by state\n")
        var byState: [UnitState: Int] = [:]
        var escalated = 0
        for status in state.unitStatuses(on: day) {
            byState[status.state, default: 0] += 1
            if status.escalation { escalated += 1 }
        }
        var stateTable = Table(["state", "units"], rightAligned: [1])
        for unitState in UnitState.allCases { stateTable.add([unitState.rawValue, String(byState[unitState] ?? 0)]) }
        stateTable.add(["escalated", String(escalated)])
        output.write(stateTable.render())

        let balances = state.dealerBalances(on: day)
        for (title, amount) in [("pending", \DealerBalance.pending), ("approved, not yet written off", \DealerBalance.approved)] {
            output.write("\nDealers with the most \(title) (yuan)\n")
            var table = Table(["dealer", "name", "amount", "claimed", "receivable"], rightAligned: [2, 3, 4])
            for balance in balances.sorted(by: { $0[keyPath: amount] > $1[keyPath: amount] }).prefix(5) {
                table.add([balance.dealer, state.dealerName(balance.dealer) ?? "", Yuan.format(balance[keyPath: amount]),
                           Yuan.format(balance.claimed), Yuan.format(balance.receivable)])
            }
            output.write(table.render())
        }

        let archive = state.archive(on: day)
        let open = archive.filter { $0.closed == nil }.count
        let expired = archive.filter(\.expired).count
        output.write("\nRepair archive on \(day): \(archive.count) records (\(open) open, \(archive.count - open - expired) closed and kept, \(expired) past retention)\n")
        output.write("\nThe ledger is in \(folder). Try:\n")
        output.write("  export LEDGER_DIR=\(folder)\n")
        output.write("  swift run -c release ledger dealers --as-of \(day)\n")
        output.write("  swift run -c release ledger units --state exchange --as-of \(day)\n")
        output.write("  swift run -c release ledger log --limit 5\n")
    }
}
