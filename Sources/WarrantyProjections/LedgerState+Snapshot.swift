import WarrantyDomain

/// The sections of a state snapshot; the Ledger module frames them in a file with checksums.
///
/// The units are stored one record per unit, sorted by serial, with an index of where each record
/// lies, so that a question about one unit decodes that unit's record (and the few it refers to)
/// and never the others.
///
/// ## Encoding (format version 1)
///
/// Integers are fixed-width little-endian: `u8`, `i8`, `i32`, `u32`, `i64`. A *string* is a `u32`
/// byte length and that many bytes of valid UTF-8. An *optional* is a presence byte (0 absent,
/// 1 present; any other value is corruption) followed by the value when present. A *list* is a
/// `u32` count and that many items. A *dated* is `i32` day ordinal (days since 1970-01-01) and
/// `i64` log position. Sorting "by id" or "by serial" is by UTF-8 bytes, strictly increasing.
/// Enumeration tags are `u8`: clockStart sale 0, install 1; visit kind repair 0, return 1,
/// inspection 2; finding defect 0, misuse 1, supplier 2, none 3; verdict defect 0, premature 1,
/// misuse 2, no-fault 3; line kind labor 0, part 1.
///
/// - `policies`: list, in increasing seq, of: `i64` seq, string policy, list of string models,
///   `i32` effective, `u8` clockStart, `i32` returnDays, `i32` exchangeDays, `i32` warrantyMonths,
///   optional list of (string part, `i32` months) components, optional list of string excluded,
///   optional `i32` escalateAfter, optional `i32` maxRepairDays, optional `i32` registrationDays,
///   optional list of (`i8` month, `i8` day) partReturnDeadlines, optional `i32` retentionYears,
///   `i64` laborRate, optional (`i32` onsiteHours, `i32` resolveHours) sla. These are the fields
///   of `policy.published` as written; the defaults are filled in on load.
/// - `dealers`: list, by id, of: string id, string name, dated enrolled, list of invoices and
///   then list of payments, each in increasing seq: `i64` seq, `i32` day, `i64` amount.
///   A dealer's claim lines are not stored, nor held: they are found from the units when asked for.
/// - `notices`: list, by id, of: string id, string dealer, list of lines (`u8` kind, string id)
///   in the notice's order, `i64` amount, dated at, optional dated confirmed.
/// - `other`: list of `i64` voided seqs in increasing order, `i64` moneyTotal, then `u32` totals
///   of complaints, visits and swaps (so that a full load can size its tables once).
/// - `units`: unit records back to back, by serial; `unitIndex` gives each one's serial, offset
///   and length, the records following one another from offset 0 with nothing between or after
///   them. A unit record is: string serial, optional string replacementOf, optional string
///   registrationSerial (absent when it is the unit's own serial, never equal to it), optional
///   (dated at, string replacement) exchange, string model, string dealer, optional string
///   customer, `u32` policy (its position in the `policies` list), dated introduced, optional
///   dated card, installed and returned; then the unit's complaints, visits and swaps, each a list in the unit's log order:
///   - complaint: string id, optional string part, dated lodged;
///   - visit: string id, string dealer, optional string complaint, `u8` kind, `u8` finding,
///     `i32` laborMinutes, `i64` travel, `u8` resolved, dated at, optional `i64` laborAmount;
///   - swap: string id, string visit, string part, optional string removed, optional string
///     installed, `i64` cost, dated at, optional `i32` returnDeadline, optional dated returned,
///     optional (dated at, `u8` verdict) appraisal.
///
///   A record holds everything recorded against its serial; the serial of each complaint, visit and
///   swap is the record's. Derived on load: a swap's dealer (its visit's), the policies by model and
///   the notice of each line. Found when asked for: a complaint's visits and a visit's swaps (the
///   unit's visits naming the complaint, the unit's swaps naming the visit, in the unit's order).
///
/// A reader refuses, besides malformed bytes: lists out of the orders above or holding an id twice,
/// a record naming a policy position, complaint, visit or dealer that does not exist (a visit's
/// complaint and a swap's visit must be the unit's own), a labor amount on a visit that is not a
/// repair or none on one that is, a line dated before its unit's introduction or its dealer's
/// enrolment, a registration serial with no record, a notice line that is missing or on two
/// notices, totals that do not match the records, and amounts that are negative or do not add up
/// to the money total.
public struct StateSnapshot: Equatable, Sendable {
    /// The version of the encoding described above; bump whenever the encoding or the meaning of facts changes.
    public static let formatVersion: UInt32 = 1

    public var lastSeq: Int64
    /// Every live policy, in seq order (`policy.published` fields and seq).
    public var policies: [UInt8]
    /// Every dealer: id, name, enrolment, invoices and payments by seq; its claim lines are found from the units.
    public var dealers: [UInt8]
    /// Every live notice: id, dealer, lines (kind and id), amount, day and confirmation.
    public var notices: [UInt8]
    /// Voided seqs (sorted), the money total and the totals of complaints, visits and swaps.
    public var other: [UInt8]
    /// One record per unit, sorted by serial (UTF-8 byte order), back to back.
    public var units: [UInt8]
    /// Sorted by serial: where each unit's record lies in `units`.
    public var unitIndex: [UnitIndexEntry]

    public init(lastSeq: Int64, policies: [UInt8], dealers: [UInt8], notices: [UInt8], other: [UInt8],
                units: [UInt8], unitIndex: [UnitIndexEntry]) {
        self.lastSeq = lastSeq
        self.policies = policies
        self.dealers = dealers
        self.notices = notices
        self.other = other
        self.units = units
        self.unitIndex = unitIndex
    }
}

/// Where one unit's record lies in a snapshot's `units` section.
public struct UnitIndexEntry: Equatable, Sendable {
    public var serial: String
    public var offset: Int
    public var length: Int

    public init(serial: String, offset: Int, length: Int) {
        self.serial = serial
        self.offset = offset
        self.length = length
    }
}

/// What a partial state's snapshot is written over (`encodeSnapshot(into:over:)`): the older snapshot it loaded
/// its units and notices from.
public struct SnapshotMergeBase: Sendable {
    /// The older snapshot's notices the state did not load, each with its encoding (`noticeEntries`).
    public var notices: [(id: String, bytes: ArraySlice<UInt8>)]
    /// How many complaints, visits and swaps the older snapshot's units that the state does not hold have.
    public var otherFacts: (complaints: Int, visits: Int, swaps: Int)

    public init(notices: [(id: String, bytes: ArraySlice<UInt8>)], otherFacts: (complaints: Int, visits: Int, swaps: Int)) {
        self.notices = notices
        self.otherFacts = otherFacts
    }
}

// MARK: - Writing

/// Takes a snapshot's sections as they are encoded: the four small ones whole, then the unit records one at a time.
///
/// The units section is the records back to back in the order given; a sink that writes a file never
/// needs the whole section in memory.
public protocol SnapshotSink {
    associatedtype Failure: Error

    /// Takes the next bytes of the current small section: policies, dealers, notices, then other.
    mutating func take(sectionPart bytes: UnsafeRawBufferPointer) throws(Failure)

    /// Ends the current small section: the next bytes belong to the next one.
    mutating func endSmallSection() throws(Failure)

    /// Takes the next unit record; records come in serial order (UTF-8 byte order), after the four small sections.
    mutating func take(unitRecord bytes: UnsafeRawBufferPointer, serial: String) throws(Failure)
}

extension SnapshotSink {
    /// Takes the whole of the next small section.
    mutating func take(section bytes: UnsafeRawBufferPointer) throws(Failure) {
        try take(sectionPart: bytes)
        try endSmallSection()
    }
}

extension LedgerState {
    /// The state as snapshot sections; equal states give identical bytes.
    /// - Complexity: O(n log n) in the number of units (they are sorted by serial), linear in everything else.
    public func snapshot() -> StateSnapshot {
        var sink = WholeSnapshot(lastSeq: lastSeq)
        encodeSnapshot(into: &sink)
        return sink.snapshot
    }

    /// Encodes the state's snapshot sections into `sink`, the unit records in serial order; equal states give identical bytes.
    ///
    /// Besides what the sink keeps, the memory used is the serials sorted (a few words per unit) and one
    /// record at a time.
    /// - Complexity: O(n log n) in the number of units (they are sorted by serial), linear in everything else.
    ///
    /// With `base`, the state is a partial one (`addUnits`) and the small sections are those of the whole ledger:
    /// the base's notices the state did not load join the state's, and the base's facts of units the
    /// state does not hold are counted in the totals. The unit records are the state's only; the caller merges
    /// them with the base's others. `serials`: the state's serials in UTF-8 byte order (`byteSortedSerials`), when
    /// the caller has sorted them already.
    public func encodeSnapshot<Sink: SnapshotSink>(into sink: inout Sink, over base: SnapshotMergeBase? = nil,
                                                   serials: [String]? = nil) throws(Sink.Failure) {
        let orderedPolicies = policies.values.sorted { $0.seq < $1.seq }
        var policyIndex: [ObjectIdentifier: UInt32] = [:]
        var policyWriter = SnapshotWriter(capacity: 256 * orderedPolicies.count + 64)
        policyWriter.writeCount(orderedPolicies.count)
        for (index, terms) in orderedPolicies.enumerated() {
            policyIndex[ObjectIdentifier(terms)] = UInt32(index)
            Self.write(terms, to: &policyWriter)
        }
        try policyWriter.withBytes { bytes throws(Sink.Failure) in try sink.take(section: bytes) }

        var dealerWriter = SnapshotWriter(capacity: 64 * dealers.count + 64)
        dealerWriter.writeCount(dealers.count)
        for id in Self.byteSorted(dealers.keys) {
            Self.write(dealers[id]!, to: &dealerWriter)
        }
        try dealerWriter.withBytes { bytes throws(Sink.Failure) in try sink.take(section: bytes) }

        // The base's notices kept, and the state's, each with its encoding, in byte order of their ids.
        var allNotices: [(id: String, bytes: ArraySlice<UInt8>)] = (base?.notices ?? []).filter { notices[$0.id] == nil }
        for notice in notices.values {
            var writer = SnapshotWriter(capacity: 96)
            Self.write(notice, to: &writer)
            allNotices.append((notice.id, writer.finish()[...]))
        }
        allNotices.sort { $0.id.bytePrecedes($1.id) }
        // Handed over entry by entry: the whole ledger's notices are not copied into one section first.
        var header = SnapshotWriter(capacity: 4)
        header.writeCount(allNotices.count)
        try header.withBytes { bytes throws(Sink.Failure) in try sink.take(sectionPart: bytes) }
        for notice in allNotices {
            try notice.bytes.withUnsafeBytes { bytes in Result { () throws(Sink.Failure) in try sink.take(sectionPart: bytes) } }.get()
        }
        try sink.endSmallSection()

        var otherWriter = SnapshotWriter(capacity: 8 * voided.count + 64)
        otherWriter.writeCount(voided.count)
        for seq in voided.sorted() {
            otherWriter.write(seq)
        }
        otherWriter.write(moneyTotal)
        let outside = base?.otherFacts ?? (complaints: 0, visits: 0, swaps: 0)
        otherWriter.writeCount(complaints.count + outside.complaints)
        otherWriter.writeCount(visits.count + outside.visits)
        otherWriter.writeCount(swaps.count + outside.swaps)
        try otherWriter.withBytes { bytes throws(Sink.Failure) in try sink.take(section: bytes) }

        // The serials are sorted first and each record is encoded when its turn comes, so that only one
        // record is held at a time; a lookup per unit costs less than holding every record to reorder them.
        var record = SnapshotWriter(capacity: 4096)
        var lastPolicy: PolicyTerms?
        var lastPolicyIndex: UInt32 = 0
        for serial in serials ?? byteSortedSerials {
            let unit = units[serial]!
            if unit.policy !== lastPolicy {
                guard let found = policyIndex[ObjectIdentifier(unit.policy)] else {
                    preconditionFailure("unit \(serial) is bound to policy \(unit.policy.id) seq \(unit.policy.seq), which the state does not hold")
                }
                lastPolicy = unit.policy
                lastPolicyIndex = found
            }
            record.removeAll()
            writeRecord(of: unit, policyIndex: lastPolicyIndex, to: &record)
            try record.withBytes { bytes throws(Sink.Failure) in try sink.take(unitRecord: bytes, serial: serial) }
        }
    }

    /// The keys in UTF-8 byte order.
    static func byteSorted(_ keys: some Sequence<String>) -> [String] {
        Array(keys).sorted(byBytesOf: { $0 })
    }

    private static func write(_ terms: PolicyTerms, to writer: inout SnapshotWriter) {
        let policy = terms.published
        writer.write(terms.seq)
        writer.write(policy.policy)
        writer.writeCount(policy.models.count)
        for model in policy.models {
            writer.write(model)
        }
        writer.write(policy.effective)
        writer.write(UInt8(policy.clockStart == .sale ? 0 : 1))
        writer.write(policy.returnDays)
        writer.write(policy.exchangeDays)
        writer.write(policy.warrantyMonths)
        writer.write(policy.components != nil)
        if let components = policy.components {
            writer.writeCount(components.count)
            for component in components {
                writer.write(component.part)
                writer.write(component.months)
            }
        }
        writer.write(policy.excluded != nil)
        if let excluded = policy.excluded {
            writer.writeCount(excluded.count)
            for part in excluded {
                writer.write(part)
            }
        }
        writer.write(policy.escalateAfter)
        writer.write(policy.maxRepairDays)
        writer.write(policy.registrationDays)
        writer.write(policy.partReturnDeadlines != nil)
        if let deadlines = policy.partReturnDeadlines {
            writer.writeCount(deadlines.count)
            for deadline in deadlines {
                writer.write(deadline.month)
                writer.write(deadline.day)
            }
        }
        writer.write(policy.retentionYears)
        writer.write(policy.laborRate)
        writer.write(policy.sla != nil)
        if let sla = policy.sla {
            writer.write(sla.onsiteHours)
            writer.write(sla.resolveHours)
        }
    }

    private static func write(_ dealer: DealerFacts, to writer: inout SnapshotWriter) {
        writer.write(dealer.id)
        writer.write(dealer.name)
        writer.write(dealer.enrolled)
        for amounts in [dealer.invoices, dealer.payments] {
            writer.writeCount(amounts.count)
            for (seq, dated) in amounts.sorted(by: { $0.key < $1.key }) {
                writer.write(seq)
                writer.write(dated.day)
                writer.write(dated.amount)
            }
        }
    }

    private static func write(_ notice: NoticeFacts, to writer: inout SnapshotWriter) {
        writer.write(notice.id)
        writer.write(notice.dealer)
        writer.writeCount(notice.lines.count)
        for line in notice.lines {
            writer.write(SnapshotTag.lineKind(line.kind))
            writer.write(line.id)
        }
        writer.write(notice.amount)
        writer.write(notice.at)
        writer.write(notice.confirmed)
    }

    /// Writes the record of `unit`: its own facts, then every complaint, visit and swap of its serial.
    private func writeRecord(of unit: UnitFacts, policyIndex: UInt32, to writer: inout SnapshotWriter) {
        writer.write(unit.serial)
        writer.write(unit.replacementOf)
        writer.write(unit.registrationSerial == unit.serial ? nil : unit.registrationSerial)
        writer.write(unit.exchanged != nil)
        if let exchanged = unit.exchanged {
            writer.write(exchanged.at)
            writer.write(exchanged.replacement)
        }
        writer.write(unit.model)
        writer.write(unit.dealer)
        writer.write(unit.customer)
        writer.write(policyIndex)
        writer.write(unit.introduced)
        writer.write(unit.card)
        writer.write(unit.installed)
        writer.write(unit.returned)

        writer.writeCount(unit.complaints.count)
        for id in unit.complaints {
            let complaint = complaints[id]!
            // Pair assertion: what the load derives must be what the state holds.
            assert(complaint.serial == unit.serial && complaint.id == id)
            writer.write(complaint.id)
            writer.write(complaint.part)
            writer.write(complaint.lodged)
        }

        writer.writeCount(unit.visits.count)
        for id in unit.visits {
            let visit = visits[id]!
            let record = visit.record
            assert(record.serial == unit.serial && record.visit == id)
            writer.write(record.visit)
            writer.write(record.dealer)
            writer.write(record.complaint)
            writer.write(SnapshotTag.kind(record.kind))
            writer.write(SnapshotTag.finding(record.finding))
            writer.write(record.laborMinutes)
            writer.write(record.travel)
            writer.write(record.resolved)
            writer.write(visit.at)
            writer.write(visit.laborAmount)
        }

        writer.writeCount(unit.swaps.count)
        for id in unit.swaps {
            let swap = swaps[id]!
            let record = swap.record
            assert(record.serial == unit.serial && record.swap == id)
            assert(swap.dealer == visits[record.visit]!.record.dealer)
            writer.write(record.swap)
            writer.write(record.visit)
            writer.write(record.part)
            writer.write(record.removed)
            writer.write(record.installed)
            writer.write(record.cost)
            writer.write(swap.at)
            writer.write(swap.returnDeadline)
            writer.write(swap.returned)
            writer.write(swap.appraisal != nil)
            if let appraisal = swap.appraisal {
                writer.write(appraisal.at)
                writer.write(SnapshotTag.verdict(appraisal.verdict))
            }
        }
    }
}

/// A sink that keeps every section in memory, as a `StateSnapshot`.
private struct WholeSnapshot: SnapshotSink {
    typealias Failure = Never
    var snapshot: StateSnapshot
    private var small = 0

    init(lastSeq: Int64) {
        snapshot = StateSnapshot(lastSeq: lastSeq, policies: [], dealers: [], notices: [], other: [], units: [], unitIndex: [])
    }

    private var section: [UInt8] = []

    mutating func take(sectionPart bytes: UnsafeRawBufferPointer) {
        // Typed, so that the bytes are copied at once (a raw buffer is appended byte by byte).
        section.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }

    mutating func endSmallSection() {
        switch small {
        case 0: snapshot.policies = section
        case 1: snapshot.dealers = section
        case 2: snapshot.notices = section
        case 3: snapshot.other = section
        default: preconditionFailure("a snapshot has four small sections")
        }
        section = []
        small += 1
    }

    mutating func take(unitRecord bytes: UnsafeRawBufferPointer, serial: String) {
        snapshot.unitIndex.append(UnitIndexEntry(serial: serial, offset: snapshot.units.count, length: bytes.count))
        snapshot.units.append(contentsOf: bytes)
    }
}

/// Gives the units section of a snapshot front to back, in pieces the reader asks for.
public protocol SnapshotUnitSource {
    /// The next `count` bytes of the section, valid until the next call; throws when they cannot be read.
    mutating func next(_ count: Int) throws(SnapshotError) -> UnsafeRawBufferPointer
}

/// A units section held whole in memory.
private struct WholeUnits: SnapshotUnitSource {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func next(_ count: Int) throws(SnapshotError) -> UnsafeRawBufferPointer {
        guard count <= bytes.count - offset else {
            throw SnapshotError(reason: "snapshot section units: \(count) bytes asked for at byte \(offset) of \(bytes.count)")
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}

/// The `u8` tags of the enumerations a snapshot stores; written out so that reordering a Swift enum never changes the format.
enum SnapshotTag {
    static func clockStart(_ tag: UInt8) -> PolicyPublished.ClockStart { tag == 0 ? .sale : .install }

    static func kind(_ kind: VisitRecorded.Kind) -> UInt8 {
        switch kind {
        case .repair: 0
        case .return: 1
        case .inspection: 2
        }
    }

    static func kind(_ tag: UInt8) -> VisitRecorded.Kind {
        switch tag {
        case 0: .repair
        case 1: .return
        default: .inspection
        }
    }

    static func finding(_ finding: VisitRecorded.Finding) -> UInt8 {
        switch finding {
        case .defect: 0
        case .misuse: 1
        case .supplier: 2
        case .none: 3
        }
    }

    static func finding(_ tag: UInt8) -> VisitRecorded.Finding {
        switch tag {
        case 0: .defect
        case 1: .misuse
        case 2: .supplier
        default: .none
        }
    }

    static func verdict(_ verdict: PartAppraised.Verdict) -> UInt8 {
        switch verdict {
        case .defect: 0
        case .premature: 1
        case .misuse: 2
        case .noFault: 3
        }
    }

    static func verdict(_ tag: UInt8) -> PartAppraised.Verdict {
        switch tag {
        case 0: .defect
        case 1: .premature
        case 2: .misuse
        default: .noFault
        }
    }

    static func lineKind(_ kind: LineKind) -> UInt8 { kind == .labor ? 0 : 1 }

    static func lineKind(_ tag: UInt8) -> LineKind { tag == 0 ? .labor : .part }
}

// MARK: - Reading

extension LedgerState {
    /// The full state a snapshot was taken of, with its derived tables rebuilt.
    ///
    /// Any bytes give a state or a `SnapshotError`: lengths and counts are checked against the
    /// bytes left, and the facts are checked for what the queries rely on (every reference
    /// resolves, no identifier twice, lines dated after their unit's sale and their dealer's
    /// enrolment, the money total equal to the sum of the amounts).
    /// - Complexity: linear in the size of the snapshot.
    public init(snapshot: StateSnapshot) throws(SnapshotError) {
        let result: Result<LedgerState, SnapshotError> = snapshot.policies.withUnsafeBytes { policies in
            snapshot.dealers.withUnsafeBytes { dealers in
                snapshot.notices.withUnsafeBytes { notices in
                    snapshot.other.withUnsafeBytes { other in
                        snapshot.units.withUnsafeBytes { units in
                            Result { () throws(SnapshotError) -> LedgerState in
                                var source = WholeUnits(bytes: units)
                                return try Self.load(policies: policies, dealers: dealers, notices: notices, other: other,
                                                     units: &source, unitsLength: units.count, index: snapshot.unitIndex,
                                                     lastSeq: snapshot.lastSeq)
                            }
                        }
                    }
                }
            }
        }
        self = try result.get()
    }

    /// The full state of a snapshot whose units section is read piece by piece from `units`, in pieces of
    /// whole records of about `pieceSize` bytes (one record when it is larger), each decoded as it comes.
    ///
    /// The checks are those of `init(snapshot:)`; the source's own checks (a checksum over the section)
    /// are the caller's, after this returns.
    /// - Complexity: linear in the size of the snapshot; besides the state, memory for one piece.
    public init<Units: SnapshotUnitSource>(policies: UnsafeRawBufferPointer, dealers: UnsafeRawBufferPointer,
                                           notices: UnsafeRawBufferPointer, other: UnsafeRawBufferPointer,
                                           units: inout Units, unitsLength: Int, unitIndex: [UnitIndexEntry], lastSeq: Int64,
                                           pieceSize: Int = 1 << 20) throws(SnapshotError) {
        self = try Self.load(policies: policies, dealers: dealers, notices: notices, other: other, units: &units,
                             unitsLength: unitsLength, index: unitIndex, lastSeq: lastSeq, pieceSize: pieceSize)
    }

    /// A state holding all policies and dealers but only the given units' records (each record = the unit
    /// with all its complaints, visits and swaps).
    ///
    /// Enough for `unitStatus` of those units and for `apply` of later events of those units' streams.
    /// Notices and the other units are absent, so the state does not answer for dealers or claims, and
    /// `check` against it does not see identifiers the absent units hold. A replacement's registration is
    /// that of the first unit of its exchange chain, so that unit's record must be among `unitRecords`:
    /// `relatedSerials(inUnitRecord:)` names it.
    ///
    /// With `notices` and `noticesOf`, the notices of that one dealer are loaded too: enough, when the records
    /// are those of every unit the dealer sold or visited (`dealerIndex(unitOrder:)`), for that dealer's claim
    /// lines, balances and write-off drafts, though not for any other dealer's.
    public init(policies: UnsafeRawBufferPointer, dealers: UnsafeRawBufferPointer, other: UnsafeRawBufferPointer,
                unitRecords: [UnsafeRawBufferPointer], lastSeq: Int64,
                notices: UnsafeRawBufferPointer? = nil, noticesOf dealer: String? = nil) throws(SnapshotError) {
        var state = LedgerState()
        var load = UnitLoad(policies: try state.loadPolicies(policies), ordered: false)
        try state.loadDealers(dealers, money: &load.money)
        let totals = try OtherSection(other)
        for (position, record) in unitRecords.enumerated() {
            var reader = SnapshotReader(record, section: "unit record")
            do throws(SnapshotError) {
                try state.loadUnit(&reader, &load)
                try reader.expectEnd()
            } catch {
                throw SnapshotError(reason: "unit record \(position) of \(unitRecords.count): \(error.reason)")
            }
        }
        try state.checkLoaded(load)
        if let notices, let dealer {
            try state.loadNotices(notices, of: dealer)
        }
        for (serial, holder) in load.holders where state.units[holder] == nil {
            throw SnapshotError(reason: "snapshot: unit \(quoted(serial)) takes its registration from unit \(quoted(holder)), whose record is not loaded")
        }
        guard load.money.total <= totals.moneyTotal else {
            throw SnapshotError(reason: "snapshot: the loaded amounts add up to \(load.money.total) fen, more than the money total \(totals.moneyTotal)")
        }
        state.voided = totals.voided
        state.moneyTotal = totals.moneyTotal
        state.lastSeq = lastSeq
        self = state
    }

    /// The serial a unit record belongs to, read from its first field.
    public static func serial(ofUnitRecord record: UnsafeRawBufferPointer) throws(SnapshotError) -> String {
        var reader = SnapshotReader(record, section: "unit record")
        return try reader.readString()
    }

    /// The serials a unit record refers to, so a caller can load them too: the serial it replaced, the
    /// serial whose registration card counts for it, and the serial that replaced it, each once.
    ///
    /// Only the start of the record is read.
    public static func relatedSerials(inUnitRecord record: UnsafeRawBufferPointer) throws(SnapshotError) -> [String] {
        var reader = SnapshotReader(record, section: "unit record")
        let serial = try reader.readString()
        var related: [String] = []
        if let replacementOf = try reader.readOptionalString() {
            related.append(replacementOf)
        }
        if let holder = try reader.readOptionalString(), !related.contains(holder) {
            related.append(holder)
        }
        if try reader.readBool() {
            _ = try reader.readDated()
            let replacement = try reader.readString()
            if !related.contains(replacement) { related.append(replacement) }
        }
        return related.filter { $0 != serial }
    }

    /// The full load: policies, dealers, the other section, every unit in index order, then the notices.
    private static func load<Units: SnapshotUnitSource>(policies: UnsafeRawBufferPointer, dealers: UnsafeRawBufferPointer,
                                                        notices: UnsafeRawBufferPointer, other: UnsafeRawBufferPointer,
                                                        units: inout Units, unitsLength: Int, index: [UnitIndexEntry],
                                                        lastSeq: Int64, pieceSize: Int = 1 << 20) throws(SnapshotError) -> LedgerState {
        var state = LedgerState()
        var load = UnitLoad(policies: try state.loadPolicies(policies), ordered: true)
        try state.loadDealers(dealers, money: &load.money)
        let totals = try OtherSection(other)

        // Sizes come from the bytes: a corrupted count cannot ask for more than the bytes could hold.
        guard unitsLength >= 0, index.count <= unitsLength / UnitLimits.recordSizeMin,
              totals.complaints <= unitsLength / UnitLimits.complaintSizeMin,
              totals.visits <= unitsLength / UnitLimits.visitSizeMin,
              totals.swaps <= unitsLength / UnitLimits.swapSizeMin else {
            throw SnapshotError(reason: "snapshot: \(index.count) units, \(totals.complaints) complaints, \(totals.visits) visits and \(totals.swaps) swaps cannot fit in \(unitsLength) bytes of unit records")
        }
        state.units.reserveCapacity(index.count)
        state.complaints.reserveCapacity(totals.complaints)
        state.visits.reserveCapacity(totals.visits)
        state.swaps.reserveCapacity(totals.swaps)

        // The order check compares each serial with the one before it, which may lie in the piece the
        // source is about to overwrite: it is copied here first.
        var previous = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
        defer { previous.deallocate() }
        var offset = 0
        var position = 0
        while position < index.count {
            // The records of the next piece: at least one, then as many as fit in `pieceSize`.
            let start = offset
            var end = position
            repeat {
                let entry = index[end]
                guard entry.offset == offset, entry.length > 0, entry.length <= unitsLength - offset else {
                    throw SnapshotError(reason: "snapshot unit index entry \(end): offset \(entry.offset) and length \(entry.length) do not follow the record ending at \(offset) within \(unitsLength) bytes")
                }
                offset += entry.length
                end += 1
            } while end < index.count && index[end].length <= pieceSize - (offset - start)
            if let last = load.previous {
                if last.count > previous.count {
                    previous.deallocate()
                    previous = UnsafeMutableRawBufferPointer.allocate(byteCount: last.count, alignment: 1)
                }
                previous.copyMemory(from: last)
                load.previous = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(previous)[0..<last.count])
            }
            let piece = try units.next(offset - start)
            guard piece.count == offset - start else {
                throw SnapshotError(reason: "snapshot section units: \(piece.count) bytes read at byte \(start), not \(offset - start)")
            }
            var within = 0
            for number in position..<end {
                let entry = index[number]
                let bytes = UnsafeRawBufferPointer(rebasing: piece[within..<(within + entry.length)])
                var reader = SnapshotReader(bytes, section: "units", origin: entry.offset)
                try state.loadUnit(&reader, &load)
                try reader.expectEnd()
                guard Self.utf8(of: entry.serial, equals: load.previous!) else {
                    throw SnapshotError(reason: "snapshot unit index entry \(number): serial \(quoted(entry.serial)) is not that of the record at byte \(entry.offset)")
                }
                within += entry.length
            }
            position = end
        }
        load.previous = nil
        guard offset == unitsLength else {
            throw SnapshotError(reason: "snapshot section units: \(unitsLength - offset) bytes after the last indexed record")
        }
        try state.checkLoaded(load)
        guard load.complaints == totals.complaints, load.visits == totals.visits, load.swaps == totals.swaps else {
            throw SnapshotError(reason: "snapshot: the unit records hold \(load.complaints) complaints, \(load.visits) visits and \(load.swaps) swaps, not the \(totals.complaints), \(totals.visits) and \(totals.swaps) recorded")
        }
        for (serial, holder) in load.holders where state.units[holder] == nil {
            throw SnapshotError(reason: "snapshot: unit \(quoted(serial)) takes its registration from unit \(quoted(holder)), which does not exist")
        }
        guard load.money.total == totals.moneyTotal else {
            throw SnapshotError(reason: "snapshot: the amounts add up to \(load.money.total) fen, not the money total \(totals.moneyTotal)")
        }
        try state.loadNotices(notices)
        state.voided = totals.voided
        state.moneyTotal = totals.moneyTotal
        state.lastSeq = lastSeq
        return state
    }

    /// Reads the policies section into `policies` and `policiesByModel`; returns the terms in seq order.
    mutating func loadPolicies(_ bytes: UnsafeRawBufferPointer) throws(SnapshotError) -> [PolicyTerms] {
        var reader = SnapshotReader(bytes, section: "policies")
        let count = try reader.readCount(minimumSize: 49)
        var terms: [PolicyTerms] = []
        terms.reserveCapacity(count)
        for _ in 0..<count {
            let seq = try reader.read(Int64.self)
            if let last = terms.last, seq <= last.seq {
                throw reader.error("policy seq \(seq) does not follow seq \(last.seq)")
            }
            let id = try reader.readString()
            let modelCount = try reader.readCount(minimumSize: 4)
            var models: [String] = []
            models.reserveCapacity(modelCount)
            for _ in 0..<modelCount {
                models.append(try reader.readString())
            }
            let effective = try reader.readDay()
            let clockStart = SnapshotTag.clockStart(try reader.readTag(count: 2, "clockStart"))
            let returnDays = try reader.read(Int32.self)
            let exchangeDays = try reader.read(Int32.self)
            let warrantyMonths = try reader.read(Int32.self)
            var components: [PolicyPublished.Component]?
            if try reader.readBool() {
                let componentCount = try reader.readCount(minimumSize: 8)
                var list: [PolicyPublished.Component] = []
                list.reserveCapacity(componentCount)
                for _ in 0..<componentCount {
                    let part = try reader.readString()
                    list.append(PolicyPublished.Component(part: part, months: try reader.read(Int32.self)))
                }
                components = list
            }
            var excluded: [String]?
            if try reader.readBool() {
                let excludedCount = try reader.readCount(minimumSize: 4)
                var list: [String] = []
                list.reserveCapacity(excludedCount)
                for _ in 0..<excludedCount {
                    list.append(try reader.readString())
                }
                excluded = list
            }
            let escalateAfter = try reader.readOptional(Int32.self)
            let maxRepairDays = try reader.readOptional(Int32.self)
            let registrationDays = try reader.readOptional(Int32.self)
            var deadlines: [PolicyPublished.MonthDay]?
            if try reader.readBool() {
                let deadlineCount = try reader.readCount(minimumSize: 2)
                var list: [PolicyPublished.MonthDay] = []
                list.reserveCapacity(deadlineCount)
                for _ in 0..<deadlineCount {
                    let month = try reader.read(Int8.self)
                    list.append(PolicyPublished.MonthDay(month: month, day: try reader.read(Int8.self)))
                }
                deadlines = list
            }
            let retentionYears = try reader.readOptional(Int32.self)
            let laborRate = try reader.read(Int64.self)
            var sla: PolicyPublished.ServiceLevel?
            if try reader.readBool() {
                let onsite = try reader.read(Int32.self)
                sla = PolicyPublished.ServiceLevel(onsiteHours: onsite, resolveHours: try reader.read(Int32.self))
            }
            let published = PolicyPublished(
                policy: id, models: models, effective: effective, clockStart: clockStart, returnDays: returnDays,
                exchangeDays: exchangeDays, warrantyMonths: warrantyMonths, components: components, excluded: excluded,
                escalateAfter: escalateAfter, maxRepairDays: maxRepairDays, registrationDays: registrationDays,
                partReturnDeadlines: deadlines, retentionYears: retentionYears, laborRate: laborRate, sla: sla)
            let policy = PolicyTerms(published, seq: seq)
            guard policies.updateValue(policy, forKey: id) == nil else {
                throw reader.error("policy \(quoted(id)) appears twice")
            }
            // As `apply` does: each model once per publication, publications in log order.
            var seen: Set<String> = []
            for model in models where seen.insert(model).inserted {
                policiesByModel[model, default: []].append(policy)
            }
            terms.append(policy)
        }
        try reader.expectEnd()
        return terms
    }

    /// Reads the dealers section into `dealers`, adding their invoices and payments to `money`.
    private mutating func loadDealers(_ bytes: UnsafeRawBufferPointer, money: inout MoneyTally) throws(SnapshotError) {
        var reader = SnapshotReader(bytes, section: "dealers")
        let count = try reader.readCount(minimumSize: 28)
        dealers.reserveCapacity(count)
        var previous: UnsafeRawBufferPointer?
        for _ in 0..<count {
            let idBytes = try reader.readStringBytes()
            guard let id = SnapshotReader.string(idBytes) else { throw reader.error("dealer id is not valid UTF-8") }
            if let previous, !SnapshotReader.precedes(previous, idBytes) {
                throw reader.error("dealer \(quoted(id)) is out of order or appears twice")
            }
            previous = idBytes
            let name = try reader.readString()
            var dealer = DealerFacts(id: id, name: name, enrolled: try reader.readDated())
            dealer.invoices = try Self.readAmounts(&reader, money: &money)
            dealer.payments = try Self.readAmounts(&reader, money: &money)
            dealers[id] = dealer
        }
        try reader.expectEnd()
    }

    /// A list of (seq, day, amount) in increasing seq.
    private static func readAmounts(_ reader: inout SnapshotReader,
                                    money: inout MoneyTally) throws(SnapshotError) -> [Int64: DatedAmount] {
        let count = try reader.readCount(minimumSize: 20)
        var amounts: [Int64: DatedAmount] = [:]
        amounts.reserveCapacity(count)
        var previous = Int64.min
        for index in 0..<count {
            let seq = try reader.read(Int64.self)
            guard index == 0 || seq > previous else { throw reader.error("seq \(seq) does not follow seq \(previous)") }
            previous = seq
            let day = try reader.readDay()
            let amount = try reader.read(Int64.self)
            try money.add(amount, reader)
            amounts[seq] = DatedAmount(day: day, amount: amount)
        }
        return amounts
    }

    /// Reads the notices section into `notices` and `noticeOfLine`; every line must exist (unless not
    /// `checkingLines`) and be on one notice. With `only`, the notices of other dealers are read past, not kept or
    /// checked against the lines.
    mutating func loadNotices(_ bytes: UnsafeRawBufferPointer, of only: String? = nil, checkingLines: Bool = true) throws(SnapshotError) {
        var reader = SnapshotReader(bytes, section: "notices")
        let count = try reader.readCount(minimumSize: 33)
        notices.reserveCapacity(count)
        var previous: UnsafeRawBufferPointer?
        for _ in 0..<count {
            let idBytes = try reader.readStringBytes()
            guard let id = SnapshotReader.string(idBytes) else { throw reader.error("notice id is not valid UTF-8") }
            if let previous, !SnapshotReader.precedes(previous, idBytes) {
                throw reader.error("notice \(quoted(id)) is out of order or appears twice")
            }
            previous = idBytes
            let dealer = try reader.readString()
            guard dealers[dealer] != nil else { throw reader.error("notice \(quoted(id)) names unknown dealer \(quoted(dealer))") }
            let kept = only.map { $0 == dealer } ?? true
            let lineCount = try reader.readCount(minimumSize: 5)
            var lines: [LineKey] = []
            lines.reserveCapacity(kept ? lineCount : 0)
            for _ in 0..<lineCount {
                let kind = SnapshotTag.lineKind(try reader.readTag(count: 2, "line kind"))
                let line = LineKey(kind: kind, id: try reader.readString())
                guard kept else { continue }
                let exists = !checkingLines || (kind == .labor ? visits[line.id]?.laborAmount != nil : swaps[line.id] != nil)
                guard exists else { throw reader.error("notice \(quoted(id)) names missing \(kind.rawValue) line \(quoted(line.id))") }
                guard noticeOfLine.updateValue(id, forKey: line) == nil else {
                    throw reader.error("line \(quoted(line.id)) is on two notices")
                }
                lines.append(line)
            }
            let amount = try reader.read(Int64.self)
            let at = try reader.readDated()
            let confirmed = try reader.readOptionalDated()
            guard kept else { continue }
            notices[id] = NoticeFacts(id: id, dealer: dealer, lines: lines, amount: amount, at: at, confirmed: confirmed)
        }
        try reader.expectEnd()
    }

    /// Whether the UTF-8 of `text` is exactly `bytes`.
    private static func utf8(of text: String, equals bytes: UnsafeRawBufferPointer) -> Bool {
        let equal = text.utf8.withContiguousStorageIfAvailable { utf8 in
            utf8.count == bytes.count && (utf8.isEmpty || utf8.elementsEqual(UnsafeBufferPointer(
                start: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: bytes.count)))
        }
        return equal ?? text.utf8.elementsEqual(bytes)
    }

    /// Throws if an identifier appeared in two records: the tables then hold fewer entries than were read.
    private func checkLoaded(_ load: UnitLoad) throws(SnapshotError) {
        guard units.count == load.units, complaints.count == load.complaints, visits.count == load.visits,
              swaps.count == load.swaps else {
            throw SnapshotError(reason: "snapshot: a serial, complaint, visit or swap appears in two places (\(load.units) units, \(load.complaints) complaints, \(load.visits) visits and \(load.swaps) swaps read; \(units.count), \(complaints.count), \(visits.count) and \(swaps.count) distinct)")
        }
    }

    /// Reads one unit record into `units`, `complaints`, `visits`, `swaps` and its dealers' lines.
    ///
    /// Identifiers seen twice are caught afterwards by `checkLoaded`, from the counts: a second entry
    /// replaces the first, and nothing here relies on an entry being the one this record wrote.
    mutating func loadUnit(_ reader: inout SnapshotReader, _ load: inout UnitLoad) throws(SnapshotError) {
        let serialBytes = try reader.readStringBytes()
        guard let serial = SnapshotReader.string(serialBytes) else { throw reader.error("serial is not valid UTF-8") }
        if load.ordered, let previous = load.previous, !SnapshotReader.precedes(previous, serialBytes) {
            throw reader.error("unit \(quoted(serial)) is not after the unit before it in serial order")
        }
        load.previous = serialBytes
        let replacementOf = try reader.readOptionalString()
        let holder = try reader.readOptionalString()
        var exchanged: UnitFacts.Exchange?
        if try reader.readBool() {
            let at = try reader.readDated()
            exchanged = UnitFacts.Exchange(at: at, replacement: try reader.readString())
        }
        let model = try reader.readString()
        let dealer = try reader.readString()
        let customer = try reader.readOptionalString()
        let policyIndex = Int(try reader.read(UInt32.self))
        guard policyIndex < load.policies.count else {
            throw reader.error("unit \(quoted(serial)) names policy \(policyIndex) of \(load.policies.count)")
        }
        let introduced = try reader.readDated()
        let card = try reader.readOptionalDated()
        let installed = try reader.readOptionalDated()
        let returned = try reader.readOptionalDated()
        if let holder {
            // Absent means the unit's own serial; present and equal would be a second spelling of the same state.
            guard holder != serial else { throw reader.error("unit \(quoted(serial)) names itself as its registration serial") }
            load.holders.append((serial, holder))
        }

        var complaintIDs: [String] = []
        let complaintCount = try reader.readCount(minimumSize: UnitLimits.complaintSizeMin)
        if complaintCount > 0 {
            complaintIDs.reserveCapacity(complaintCount)
            for _ in 0..<complaintCount {
                let id = try reader.readString()
                let part = try reader.readOptionalString()
                complaints[id] = ComplaintFacts(id: id, serial: serial, part: part, lodged: try reader.readDated())
                complaintIDs.append(id)
            }
            load.complaints += complaintCount
        }

        var visitIDs: [String] = []
        let visitCount = try reader.readCount(minimumSize: UnitLimits.visitSizeMin)
        if visitCount > 0 {
            visitIDs.reserveCapacity(visitCount)
            for _ in 0..<visitCount {
                let id = try reader.readString()
                let visitDealer = try reader.readString()
                let complaint = try reader.readOptionalString()
                let kind = SnapshotTag.kind(try reader.readTag(count: 3, "visit kind"))
                let finding = SnapshotTag.finding(try reader.readTag(count: 4, "finding"))
                let laborMinutes = try reader.read(Int32.self)
                let travel = try reader.read(Int64.self)
                let resolved = try reader.readBool()
                let at = try reader.readDated()
                let laborAmount = try reader.readOptional(Int64.self)
                guard (laborAmount != nil) == (kind == .repair) else {
                    throw reader.error("visit \(quoted(id)) of kind \(kind.rawValue) \(laborAmount == nil ? "lacks" : "has") a labor amount")
                }
                guard at.day >= introduced.day else {
                    throw reader.error("visit \(quoted(id)) is dated before its unit \(quoted(serial))")
                }
                if let complaint {
                    guard complaints[complaint]?.serial == serial else {
                        throw reader.error("visit \(quoted(id)) names complaint \(quoted(complaint)), which is not of unit \(quoted(serial))")
                    }
                }
                if let laborAmount {
                    try load.money.add(laborAmount, reader)
                    try checkLine(LineKey(kind: .labor, id: id), dealer: visitDealer, day: at.day, reader)
                }
                let record = VisitRecorded(visit: id, serial: serial, dealer: visitDealer, complaint: complaint,
                                           kind: kind, finding: finding, laborMinutes: laborMinutes, travel: travel,
                                           resolved: resolved)
                visits[id] = VisitFacts(record: record, at: at, laborAmount: laborAmount)
                visitIDs.append(id)
            }
            load.visits += visitCount
        }

        var swapIDs: [String] = []
        let swapCount = try reader.readCount(minimumSize: UnitLimits.swapSizeMin)
        if swapCount > 0 {
            swapIDs.reserveCapacity(swapCount)
            for _ in 0..<swapCount {
                let id = try reader.readString()
                let visit = try reader.readString()
                let part = try reader.readString()
                let removed = try reader.readOptionalString()
                let installedPart = try reader.readOptionalString()
                let cost = try reader.read(Int64.self)
                let at = try reader.readDated()
                let returnDeadline = try reader.readOptionalDay()
                let partReturned = try reader.readOptionalDated()
                var appraisal: SwapFacts.Appraisal?
                if try reader.readBool() {
                    let appraised = try reader.readDated()
                    let verdict = SnapshotTag.verdict(try reader.readTag(count: 4, "verdict"))
                    appraisal = SwapFacts.Appraisal(at: appraised, verdict: verdict)
                }
                guard at.day >= introduced.day else {
                    throw reader.error("swap \(quoted(id)) is dated before its unit \(quoted(serial))")
                }
                guard let swapDealer = visits[visit]?.record.dealer, visits[visit]!.record.serial == serial else {
                    throw reader.error("swap \(quoted(id)) names visit \(quoted(visit)), which is not of unit \(quoted(serial))")
                }
                try load.money.add(cost, reader)
                try checkLine(LineKey(kind: .part, id: id), dealer: swapDealer, day: at.day, reader)
                let record = PartSwapped(swap: id, visit: visit, serial: serial, part: part, removed: removed,
                                         installed: installedPart, cost: cost)
                swaps[id] = SwapFacts(record: record, at: at, dealer: swapDealer, returnDeadline: returnDeadline,
                                      returned: partReturned, appraisal: appraisal)
                swapIDs.append(id)
            }
            load.swaps += swapCount
        }

        units[serial] = UnitFacts(serial: serial, model: model, dealer: dealer, customer: customer,
                                  policy: load.policies[policyIndex], introduced: introduced,
                                  replacementOf: replacementOf, registrationSerial: holder ?? serial, card: card,
                                  installed: installed, returned: returned, exchanged: exchanged,
                                  complaints: complaintIDs, visits: visitIDs, swaps: swapIDs)
        load.units += 1
    }

    /// Checks that a claim line's dealer is enrolled on or before the line's day.
    @inline(__always)
    private func checkLine(_ key: LineKey, dealer: String, day: Day, _ reader: SnapshotReader) throws(SnapshotError) {
        guard let enrolled = dealers[dealer]?.enrolled, enrolled.day <= day else {
            throw reader.error("line \(quoted(key.id)) belongs to dealer \(quoted(dealer)), who is not enrolled by \(day)")
        }
    }
}

/// What loading unit records keeps track of across records.
struct UnitLoad {
    /// The policies section's terms, in seq order: a record names its policy by position.
    let policies: [PolicyTerms]
    /// The sum of the amounts read so far: invoices and payments, then claim lines.
    var money = MoneyTally()
    /// Whether records must come in increasing serial order (the full load) rather than in any order.
    let ordered: Bool
    /// The serial bytes of the last record read.
    var previous: UnsafeRawBufferPointer?
    /// Units whose registration is another unit's: (serial, that unit's serial).
    var holders: [(serial: String, holder: String)] = []
    /// Entries read, to compare with the tables' sizes.
    var units = 0
    var complaints = 0
    var visits = 0
    var swaps = 0

    init(policies: [PolicyTerms], ordered: Bool) {
        self.policies = policies
        self.ordered = ordered
    }
}

/// The smallest encodings of a unit record and of its complaint, visit and swap entries, in bytes.
private enum UnitLimits {
    /// Serial, 3 presence bytes, model, dealer, customer presence, policy, introduced, 3 presence bytes, 3 counts.
    static let recordSizeMin = 4 + 3 + 4 + 4 + 1 + 4 + 12 + 3 + 12
    /// Id, part presence, lodged.
    static let complaintSizeMin = 4 + 1 + 12
    /// Id, dealer, complaint presence, kind, finding, minutes, travel, resolved, at, amount presence.
    static let visitSizeMin = 4 + 4 + 1 + 1 + 1 + 4 + 8 + 1 + 12 + 1
    /// Id, visit, part, 2 presence bytes, cost, at, 3 presence bytes.
    static let swapSizeMin = 4 + 4 + 4 + 2 + 8 + 12 + 3
}

/// The `other` section: voided seqs, the money total and the totals of per-unit facts.
struct OtherSection {
    var voided: Set<Int64> = []
    var moneyTotal: Fen
    var complaints: Int
    var visits: Int
    var swaps: Int

    init(_ bytes: UnsafeRawBufferPointer) throws(SnapshotError) {
        var reader = SnapshotReader(bytes, section: "other")
        let count = try reader.readCount(minimumSize: 8)
        voided.reserveCapacity(count)
        var previous = Int64.min
        for index in 0..<count {
            let seq = try reader.read(Int64.self)
            guard index == 0 || seq > previous else { throw reader.error("voided seq \(seq) does not follow \(previous)") }
            previous = seq
            voided.insert(seq)
        }
        moneyTotal = try reader.read(Int64.self)
        guard moneyTotal >= 0 else { throw reader.error("money total \(moneyTotal) is negative") }
        complaints = Int(try reader.read(UInt32.self))
        visits = Int(try reader.read(UInt32.self))
        swaps = Int(try reader.read(UInt32.self))
        try reader.expectEnd()
    }
}

/// The sum of every amount loaded, kept within `Int64` with no amount negative, as `check` keeps the ledger's.
struct MoneyTally {
    var total: Fen = 0

    @inline(__always)
    mutating func add(_ amount: Fen, _ reader: SnapshotReader) throws(SnapshotError) {
        let (sum, overflow) = total.addingReportingOverflow(amount)
        guard amount >= 0, !overflow else {
            throw reader.error("amount \(amount) is negative or takes the total past \(Fen.max)")
        }
        total = sum
    }
}
