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
        rows.sort { $0.serial.bytePrecedes($1.serial) }
        return rows
    }

    /// The name a dealer enrolled with.
    public func dealerName(_ dealer: String) -> String? {
        dealers[dealer]?.name
    }

    /// Whether a unit with this serial was ever sold (or introduced by an exchange), on any day.
    public func hasUnit(_ serial: String) -> Bool {
        units[serial] != nil
    }
}
