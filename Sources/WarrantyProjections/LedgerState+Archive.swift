import WarrantyDomain

extension LedgerState {
    /// The repair archive on `day`: one record per complaint, and one per visit without a complaint, sorted by record id
    /// (`ArchiveRecord.sorted`); with `unitsOf`, only the records of the units that dealer sold.
    ///
    /// Expired records are included and flagged; the command line hides them unless asked.
    /// - Complexity: proportional to the complaints and visits dated on or before `day`.
    public func archive(on day: Day, unitsOf seller: String? = nil) -> [ArchiveRecord] {
        var records: [ArchiveRecord] = []
        for complaint in complaints.values where complaint.lodged.day <= day {
            let unit = units[complaint.serial]!
            if let seller, unit.dealer != seller { continue }
            let recorded: [VisitFacts] = visitIDs(of: complaint).compactMap { visits[$0] }.filter { $0.at.day <= day }
            let first = recorded.min { ($0.at.day, $0.at.seq) < ($1.at.day, $1.at.seq) }
            let closed = recorded.filter(\.record.resolved).map(\.at.day).min()
            records.append(record(id: complaint.id, serial: complaint.serial,
                                  dealer: first?.record.dealer ?? unit.dealer, opened: complaint.lodged.day,
                                  closed: closed, visits: recorded, policy: unit.policy, day: day))
        }
        for visit in visits.values where visit.record.complaint == nil && visit.at.day <= day {
            let unit = units[visit.record.serial]!
            if let seller, unit.dealer != seller { continue }
            records.append(record(id: visit.record.visit, serial: visit.record.serial, dealer: visit.record.dealer,
                                  opened: visit.at.day, closed: visit.at.day, visits: [visit],
                                  policy: unit.policy, day: day))
        }
        return ArchiveRecord.sorted(records)
    }

    private func record(id: String, serial: String, dealer: String, opened: Day, closed: Day?,
                        visits recorded: [VisitFacts], policy: PolicyTerms, day: Day) -> ArchiveRecord {
        var cost: Fen = 0
        var swapIDs: [String] = []
        for visit in recorded {
            cost += visit.laborAmount ?? 0
            for swapID in self.swapIDs(of: visit) {
                guard let swap = swaps[swapID], swap.at.day <= day else { continue }
                cost += swap.record.cost
                swapIDs.append(swapID)
            }
        }
        let retainUntil = closed.map { $0.adding(months: 12 * policy.retentionYears) }
        return ArchiveRecord(record: id, serial: serial, dealer: dealer, opened: opened, closed: closed,
                             retainUntil: retainUntil,
                             visits: recorded.map(\.record.visit).sorted { $0.bytePrecedes($1) },
                             swaps: swapIDs.sorted { $0.bytePrecedes($1) }, cost: cost,
                             expired: retainUntil.map { day > $0 } ?? false)
    }
}
