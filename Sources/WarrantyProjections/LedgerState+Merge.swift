import WarrantyDomain

/// What writing a partial state's snapshot over an older one (`encodeSnapshot(into:over:)`) needs of each.
extension LedgerState {
    /// Hands each dealer a unit's record names to `body` once: the one that sold it, then those that visited it, in the
    /// order of their first visit. None for a serial the state does not hold.
    public func forEachDealer(ofUnit serial: String, _ body: (String) -> Void) {
        guard let unit = units[serial] else { return }
        // A unit is visited by a few dealers at most: a list is cheaper than a set.
        var named = [unit.dealer]
        for visit in unit.visits {
            if let dealer = visits[visit]?.record.dealer, !named.contains(dealer) { named.append(dealer) }
        }
        named.forEach(body)
    }

    /// The serials of the units the state holds, in UTF-8 byte order: the order of a snapshot's records.
    public var byteSortedSerials: [String] {
        Self.byteSorted(units.keys)
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

    /// Every entry of a notices section: its id, its dealer and its encoding (a slice of `section`), in the section's order.
    public static func noticeEntries(_ section: [UInt8]) throws(SnapshotError) -> [(id: String, dealer: String, bytes: ArraySlice<UInt8>)] {
        var entries: [(id: String, dealer: String, bytes: ArraySlice<UInt8>)] = []
        try section.withUnsafeBytes { bytes in
            Result { () throws(SnapshotError) in
                try forEachNotice(bytes, withLines: false) { id, dealer, _, entry in entries.append((id, dealer, section[entry])) }
            }
        }.get()
        return entries
    }

    /// A notices section split by dealer: each dealer's entries as a notices section of their own (a count, then
    /// the entries in the section's order), which `loadNotices(_:of:checkingLines:)` reads as it reads the whole.
    public static func noticesByDealer(_ bytes: UnsafeRawBufferPointer) throws(SnapshotError) -> [String: [UInt8]] {
        var entries: [String: [Range<Int>]] = [:]
        try forEachNotice(bytes, withLines: false) { _, dealer, _, entry in entries[dealer, default: []].append(entry) }
        return entries.mapValues { section($0, of: bytes) }
    }

    /// The entries of a notices section that `pick` chooses by their ids and lines, as a notices section of their
    /// own, in the section's order, with their ids.
    public static func notices(in bytes: UnsafeRawBufferPointer, picking pick: (_ id: String, _ lines: [(kind: LineKind, id: String)]) -> Bool)
        throws(SnapshotError) -> (section: [UInt8], ids: [String]) {
        var entries: [Range<Int>] = []
        var ids: [String] = []
        try forEachNotice(bytes, withLines: true) { id, _, lines, entry in
            guard pick(id, lines) else { return }
            entries.append(entry)
            ids.append(id)
        }
        return (section(entries, of: bytes), ids)
    }

    /// A notices section of these entries of `bytes`: their count, then the entries in order.
    private static func section(_ entries: [Range<Int>], of bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var section: [UInt8] = []
        section.reserveCapacity(4 + entries.reduce(0) { $0 + $1.count })
        withUnsafeBytes(of: UInt32(entries.count).littleEndian) { section.append(contentsOf: $0) }
        // Typed, so that each entry is copied at once (a raw buffer is appended byte by byte).
        let typed = bytes.assumingMemoryBound(to: UInt8.self)
        for entry in entries { section.append(contentsOf: UnsafeBufferPointer(rebasing: typed[entry])) }
        return section
    }

    /// Hands each entry of a notices section to `body`, in order: its id, its dealer, its lines (`withLines`; else
    /// none, though they are still checked) and where its encoding lies.
    private static func forEachNotice(_ bytes: UnsafeRawBufferPointer, withLines: Bool,
                                      _ body: (_ id: String, _ dealer: String, _ lines: [(kind: LineKind, id: String)], _ entry: Range<Int>) -> Void)
        throws(SnapshotError) {
        var reader = SnapshotReader(bytes, section: "notices")
        let count = try reader.readCount(minimumSize: 33)
        var lines: [(kind: LineKind, id: String)] = []
        for _ in 0..<count {
            let start = reader.offset
            let id = try reader.readString()
            let dealer = try reader.readString()
            lines.removeAll(keepingCapacity: true)
            for _ in 0..<(try reader.readCount(minimumSize: 5)) {
                let kind = SnapshotTag.lineKind(try reader.readTag(count: 2, "line kind"))
                let line = try reader.readString()
                if withLines { lines.append((kind, line)) }
            }
            _ = try reader.read(Int64.self)
            _ = try reader.readDated()
            _ = try reader.readOptionalDated()
            body(id, dealer, lines, start..<reader.offset)
        }
        try reader.expectEnd()
    }
}
