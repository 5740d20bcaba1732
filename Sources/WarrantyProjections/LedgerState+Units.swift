import WarrantyDomain

extension LedgerState {
    /// Every unit sold on or before `day`, with its status, sorted by serial; optionally only one state or dealer.
    /// - Complexity: O(units × their own facts), plus sorting.
    public func unitStatuses(on day: Day, state wanted: UnitState? = nil, dealer: String? = nil) -> [UnitStatus] {
        var rows: [UnitStatus] = []
        for (serial, facts) in units where dealer.map({ $0 == facts.dealer }) ?? true {
            guard let status = unitStatus(serial: serial, on: day) else { continue }
            if let wanted, status.state != wanted { continue }
            rows.append(status)
        }
        return UnitStatus.sorted(rows)
    }

    /// The name a dealer enrolled with.
    public func dealerName(_ dealer: String) -> String? {
        dealers[dealer]?.name
    }

    /// Every dealer enrolled, on any day, in UTF-8 byte order.
    public var dealerIDs: [String] {
        dealers.keys.sorted { $0.bytePrecedes($1) }
    }

    /// Whether a unit with this serial was ever sold (or introduced by an exchange), on any day.
    public func hasUnit(_ serial: String) -> Bool {
        units[serial] != nil
    }
}
