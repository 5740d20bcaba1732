import WarrantyDomain

/// What writing a partial state's snapshot over an older one (`encodeSnapshot(into:over:)`) needs of each.
extension LedgerState {
    /// The dealers a unit's record names: the one that sold it and those that visited it. Empty for a serial the state does not hold.
    public func dealers(ofUnit serial: String) -> Set<String> {
        guard let unit = units[serial] else { return [] }
        var named: Set<String> = [unit.dealer]
        for visit in unit.visits {
            if let dealer = visits[visit]?.record.dealer { named.insert(dealer) }
        }
        return named
    }

    /// The serials of the units the state holds, in UTF-8 byte order: the order of a snapshot's records.
    public var byteSortedSerials: [String] {
        var serials = Array(units.keys)
        serials.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return serials
    }

    /// How many complaints, visits and swaps the state holds.
    public var factCounts: (complaints: Int, visits: Int, swaps: Int) {
        (complaints.count, visits.count, swaps.count)
    }

    /// The totals of complaints, visits and swaps an `other` section records.
    public static func factCounts(ofOther bytes: UnsafeRawBufferPointer) throws(SnapshotError) -> (complaints: Int, visits: Int, swaps: Int) {
        let other = try OtherSection(bytes)
        return (other.complaints, other.visits, other.swaps)
    }

    /// Every entry of a notices section: its id, its dealer and its encoding, in the section's order.
    public static func noticeEntries(_ bytes: UnsafeRawBufferPointer) throws(SnapshotError) -> [(id: String, dealer: String, bytes: [UInt8])] {
        var reader = SnapshotReader(bytes, section: "notices")
        let count = try reader.readCount(minimumSize: 33)
        var entries: [(id: String, dealer: String, bytes: [UInt8])] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.offset
            let id = try reader.readString()
            let dealer = try reader.readString()
            for _ in 0..<(try reader.readCount(minimumSize: 5)) {
                _ = try reader.readTag(count: 2, "line kind")
                _ = try reader.readString()
            }
            _ = try reader.read(Int64.self)
            _ = try reader.readDated()
            _ = try reader.readOptionalDated()
            entries.append((id, dealer, Array(bytes[start..<reader.offset])))
        }
        try reader.expectEnd()
        return entries
    }
}
