import WarrantyDomain

extension LedgerState {
    /// For each dealer, the positions in `unitOrder` of the units whose records its answers need: the units
    /// it sold (a replacement counts as sold by the old unit's dealer) and the units it visited (its claim
    /// lines). Dealers spelt as enrolled, in UTF-8 byte order, positions increasing; dealers with no such unit are
    /// left out.
    ///
    /// Loading those records (and the units they refer to, `relatedSerials(inUnitRecord:)`) with the
    /// dealer's notices gives a state that answers for that dealer as the whole state does.
    /// - Complexity: linear in the units and their visits.
    public func dealerIndex(unitOrder: [String]) -> [(dealer: String, positions: [UInt32])] {
        var positions: [String: [UInt32]] = [:]
        for (position, serial) in unitOrder.enumerated() {
            forEachDealer(ofUnit: serial) { positions[$0, default: []].append(UInt32(position)) }
        }
        return Self.dealerIndex(positions, spelling: enrolledSpelling)
    }

    /// The spelling a dealer was enrolled under, for an id in any canonically equivalent spelling.
    public func enrolledSpelling(of dealer: String) -> String {
        dealers[dealer]?.id ?? dealer
    }

    /// Each dealer's positions, the dealers spelt by `spelling` and sorted by UTF-8 bytes, the positions increasing.
    private static func dealerIndex(_ positions: [String: [UInt32]],
                                   spelling: (String) -> String) -> [(dealer: String, positions: [UInt32])] {
        positions.map { (dealer: spelling($0.key), positions: $0.value.sorted()) }.sorted { $0.dealer.bytePrecedes($1.dealer) }
    }
}
