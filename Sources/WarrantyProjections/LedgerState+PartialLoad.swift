import WarrantyDomain

/// The kinds of identifier that are unique in the ledger and that a snapshot's identifier index finds.
public enum IdentifierKind: UInt8, Sendable, CaseIterable {
    case serial, complaint, visit, swap, notice
}

/// A snapshot's policies section, decoded once for every `addUnits`: a unit record names its policy by position in it.
public struct SnapshotPolicies: Sendable {
    let terms: [PolicyTerms]

    public init(section bytes: UnsafeRawBufferPointer) throws(SnapshotError) {
        var scratch = LedgerState()
        terms = try scratch.loadPolicies(bytes)
    }
}

extension LedgerState {
    /// Whether this state holds a live identifier of that kind.
    public func holds(_ kind: IdentifierKind, _ id: String) -> Bool {
        switch kind {
        case .serial: units[id] != nil
        case .complaint: complaints[id] != nil
        case .visit: visits[id] != nil
        case .swap: swaps[id] != nil
        case .notice: notices[id] != nil
        }
    }

    /// The dealer who owns a swap's part line (the dealer of its visit).
    public func swapDealer(_ swap: String) -> String? {
        swaps[swap]?.dealer
    }

    /// The ids of one kind recorded against a unit the state holds, in log order: its complaints, visits or swaps
    /// (a serial or a notice is not recorded against a unit: asking for those is a programming error). None for a
    /// serial the state does not hold.
    public func forEachIdentifier(ofUnit serial: String, _ kind: IdentifierKind, _ body: (String) -> Void) {
        guard let unit = units[serial] else { return }
        switch kind {
        case .complaint: unit.complaints.forEach(body)
        case .visit: unit.visits.forEach(body)
        case .swap: unit.swaps.forEach(body)
        case .serial, .notice: preconditionFailure("a unit's \(kind) ids are not listed with it")
        }
    }

    /// How many units the state holds.
    public var unitCount: Int {
        units.count
    }

    /// The serials of the units the state holds.
    public var unitSerials: [String] {
        Array(units.keys)
    }

    /// How many live notices the state holds.
    public var noticeCount: Int {
        notices.count
    }

    /// Every live notice with its dealer.
    public var noticeDealers: [(notice: String, dealer: String)] {
        notices.map { ($0.key, $0.value.dealer) }
    }

    /// Adds to a partial state (`init(policies:dealers:other:unitRecords:lastSeq:notices:noticesOf:)`) notices of
    /// one dealer, a notices section of some of its snapshot's entries, without the units of their lines.
    ///
    /// Enough for checking and applying events, whose checks read a line's notice (`noticeOfLine`) and load the
    /// line's own unit; not for that dealer's answers, which need all its units (`addUnits` with `noticesOf`).
    /// The caller keeps the state exact: no event applied since the snapshot has touched these notices.
    public mutating func addNotices(_ section: UnsafeRawBufferPointer, of dealer: String) throws(SnapshotError) {
        try loadNotices(section, of: dealer, checkingLines: false)
    }

    /// Adds to a partial state (`init(policies:dealers:other:unitRecords:lastSeq:notices:noticesOf:)`, maybe with
    /// later events applied since) the records of more units from the same snapshot, and with `noticesOf` notices
    /// of that dealer: a notices section of the entries of its snapshot's not loaded yet.
    ///
    /// The caller keeps the state exact: no event applied since the snapshot may have touched these units or
    /// notices (a record is what the snapshot took), the records are of units the state does not hold, and the
    /// records of every unit a dealer sold or visited are loaded before or with its notices.
    public mutating func addUnits(_ records: [UnsafeRawBufferPointer], policies: SnapshotPolicies,
                                  notices: UnsafeRawBufferPointer? = nil, noticesOf dealer: String? = nil) throws(SnapshotError) {
        // The state's own terms, which the units it holds share; policies are never removed.
        let terms = policies.terms.map { self.policies[$0.id] ?? $0 }
        var load = UnitLoad(policies: terms, ordered: false)
        let before = (units: units.count, complaints: complaints.count, visits: visits.count, swaps: swaps.count)
        for (position, record) in records.enumerated() {
            var reader = SnapshotReader(record, section: "unit record")
            do throws(SnapshotError) {
                let serial = try Self.serial(ofUnitRecord: record)
                guard units[serial] == nil else { throw reader.error("unit \(quoted(serial)) is already loaded") }
                try loadUnit(&reader, &load)
                try reader.expectEnd()
            } catch {
                throw SnapshotError(reason: "unit record \(position) of \(records.count): \(error.reason)")
            }
        }
        guard units.count - before.units == load.units, complaints.count - before.complaints == load.complaints,
              visits.count - before.visits == load.visits, swaps.count - before.swaps == load.swaps else {
            throw SnapshotError(reason: "snapshot: a serial, complaint, visit or swap of the loaded records is already held")
        }
        for (serial, holder) in load.holders where units[holder] == nil {
            throw SnapshotError(reason: "snapshot: unit \(quoted(serial)) takes its registration from unit \(quoted(holder)), whose record is not loaded")
        }
        if let notices, let dealer {
            try loadNotices(notices, of: dealer)
        }
    }
}
