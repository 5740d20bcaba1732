import Integrity
import WarrantyProjections

/// Where `SectionEncoder` sends the bytes of each section.
protocol SectionOutput {
    /// Takes the next bytes of the current section.
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Ends the current section; the next bytes belong to the next one.
    mutating func endSection() throws
}

/// The snapshot a scoped fold (`SnapshotScope`) was loaded from, for writing the fold's snapshot over it: the
/// fold's units and notices replace the ones it loaded, and everything else is carried over.
struct MergeBase {
    let file: SnapshotFile
    let reader: SnapshotReader
    /// The serials whose records the fold loaded: the fold's own version of each replaces the record (and a unit
    /// the fold no longer holds, its sale voided, is left out).
    let loaded: Set<String>
    /// The notices the fold loaded: the fold's own version of each replaces the stored one (and a notice the fold
    /// no longer holds, voided, is left out).
    let noticesLoaded: Set<String>
    /// How many complaints, visits and swaps the loaded records held when they were loaded.
    let loadedFacts: (complaints: Int, visits: Int, swaps: Int)
    /// The base's notices section split by dealer (`LedgerState.noticesByDealer` of `file`'s section), when the
    /// scope has read it: the merge takes the notices it carries over from these parts instead of reading the
    /// section again.
    let noticesByDealer: [String: [UInt8]]?
    /// The idempotency keys a rebuild's spills kept aside (`KeyRuns`): merged with the base's and the fold's.
    var keyRuns: KeyRuns? = nil
    /// The stream versions a rebuild's spills kept aside, each stream's first and last version in each run
    /// (`VersionRun`): checked to follow on from each other and merged with the fold's.
    var versionRuns: KeyRuns? = nil
    /// The heap holding the base's unit records, when it is a scratch snapshot (`RecordHeap`).
    var heap: RecordHeap? = nil
}

/// Encodes the ten sections of a fold in file order, computing each one's length and CRC-32C as it goes.
///
/// Small writes are gathered in a staging buffer before they reach the output; what is kept that grows with
/// the ledger is the unit index (24 bytes and the serial per unit), written after the units, and the dealer
/// index built from it at the end (a few bytes per unit).
///
/// Over a `MergeBase`, the fold is a scoped one and the sections written are those of the whole ledger: the
/// stored records, unit index entries, keys, versions and identifiers the fold did not replace are carried over
/// from the base and merged with the fold's, so that the bytes are exactly those the whole fold would encode to
/// (the records copied, or, into the heap they are in, pointed at: `OldUnits.Records`). Of the unit index, only
/// the fold's entries are then held, with the new number of each of the base's entries (4 bytes per unit).
struct SectionEncoder<Output: SectionOutput>: SnapshotSink, LookupTableOutput {
    typealias Failure = any Error
    static var stagingSize: Int { 1 << 16 }

    var output: Output
    /// The length and checksum of each section ended so far.
    private(set) var sections: [(length: Int64, checksum: UInt32)] = []
    private var checksum = CRC32C()
    private var length: Int64 = 0
    private var staged: [UInt8] = []
    /// The unit index as it is written, 24 bytes per unit (see `SnapshotFile`), and its blob of serials. While
    /// merging, only the fold's own units are kept here (their serial offsets counting in this blob): the base's
    /// entries are read again from the base when the index is written (`appendMergedUnitIndex`).
    private var indexEntries: [UInt8] = []
    private var serialBlob: [UInt8] = []
    private var unitCount = 0
    /// While merging: the base's records not passed yet.
    private var old: OldUnits?
    /// While merging: the new entry number of each of the base's entries (`UInt32.max`: replaced or removed).
    private var oldToNew: [UInt32] = []
    /// While merging: the new entry numbers of the fold's units, in the order they came.
    private var foldNumbers: [UInt32] = []
    /// Where the unit records go instead of the units section: a scratch snapshot's heap, which then is that section.
    private let heap: RecordHeap?
    /// Where the first record written starts, as the unit index counts: in the units section, or in the heap.
    private let recordsStart: Int64
    /// While merging into the heap the base's records are in: the base's records are pointed at, not copied.
    private var pointsAtBase = false
    /// The bytes of the records the unit index points at.
    private(set) var indexedBytes: Int64 = 0

    init(output: Output, heap: RecordHeap? = nil) {
        self.output = output
        self.heap = heap
        recordsStart = heap?.size ?? 0
        staged.reserveCapacity(Self.stagingSize)
    }

    /// Encodes every section of a whole fold: the state's, then the unit index, the idempotency keys, the stream
    /// versions, the dealer index and the identifier index.
    mutating func encode(_ fold: LedgerFold) throws {
        indexEntries.reserveCapacity(24 * fold.state.unitCount)
        try fold.state.encodeSnapshot(into: &self)
        try endSection()
        let unitOrder = (0..<unitCount).map(serial(atEntry:))
        try appendUnitIndex()
        try appendKeys(fold.ids, over: nil) { UInt64(bitPattern: $1) }
        try appendKeys(fold.versions, over: nil) { UInt64($1) }
        let dealerIndex = fold.state.dealerIndex(unitOrder: unitOrder)
        try appendDealerIndex(dealerIndex.map { ($0.dealer, $0.positions.count) }) { entry, write in
            for position in dealerIndex[entry].positions { try write(position) }
        }
        try appendIdentifiers(fold.state, units: unitOrder.enumerated().map { (serial: $1, number: UInt32($0)) },
                              dealers: dealerIndex.map(\.dealer), over: nil)
        precondition(sections.count == SnapshotFile.sectionCount, "encoded \(sections.count) snapshot sections")
    }

    /// Encodes the sections of the whole ledger from a scoped fold and the snapshot it was loaded from: the same
    /// bytes as `encode` of the whole fold. Throws when a part of the base cannot be read.
    mutating func encode(_ fold: LedgerFold, over base: MergeBase) throws {
        guard let notices = base.noticesByDealer.map({ Array($0.values) }) ?? base.file.section(.notices, base.reader).map({ [$0] }),
              let other = base.file.section(.other, base.reader),
              base.file.checksumHolds(.unitIndex, base.reader) else { throw SnapshotError.merge("a small section or an index") }
        let kept = try notices.flatMap(LedgerState.noticeEntries).filter { !base.noticesLoaded.contains($0.id) }
        let stored = try other.withUnsafeBytes { try LedgerState.factCounts(ofOther: $0) }
        let outside = (stored.complaints - base.loadedFacts.complaints, stored.visits - base.loadedFacts.visits,
                       stored.swaps - base.loadedFacts.swaps)
        guard outside.0 >= 0, outside.1 >= 0, outside.2 >= 0 else { throw SnapshotError.merge("its totals") }
        let foldSerials = fold.state.byteSortedSerials
        pointsAtBase = heap != nil && base.heap === heap
        old = try OldUnits(base, records: pointsAtBase ? .pointedAt : base.heap == nil ? .inOrder : .scattered)
        oldToNew = [UInt32](repeating: .max, count: old!.count)
        // The fold's part of the unit index is held until the units are written: reserved at its size, it is never
        // copied to grow.
        indexEntries.reserveCapacity(24 * foldSerials.count)
        serialBlob.reserveCapacity(foldSerials.reduce(0) { $0 + $1.utf8.count })
        try fold.state.encodeSnapshot(into: &self, over: SnapshotMergeBase(notices: kept.map { ($0.id, $0.bytes) }, otherFacts: outside),
                                      serials: foldSerials)
        try passOldUnits(before: nil)
        try old!.finish()
        old = nil
        try endSection()
        try appendMergedUnitIndex(base)
        try appendKeys(fold.ids, over: (base, .ids), runs: base.keyRuns) { UInt64(bitPattern: $1) }
        if let runs = base.versionRuns {
            try appendKeys(fold.versions, over: (base, .versions), runs: runs, finish: VersionRun.last) {
                VersionRun.value(first: fold.firstVersion(ofEntry: $0), last: $1)
            }
        } else {
            try appendKeys(fold.versions, over: (base, .versions)) { UInt64($1) }
        }

        guard foldSerials.count == foldNumbers.count else { throw MergeInvariantError(reason: "the fold's units were not encoded in order") }
        let (dealers, oldDealers) = try appendMergedDealerIndex(fold.state, serials: foldSerials, base)
        try appendIdentifiers(fold.state, units: zip(foldSerials, foldNumbers).map { (serial: $0, number: $1) },
                              dealers: dealers, over: (base, oldDealers))
        precondition(sections.count == SnapshotFile.sectionCount, "encoded \(sections.count) snapshot sections")
    }

    mutating func take(sectionPart bytes: UnsafeRawBufferPointer) throws {
        try append(bytes)
    }

    mutating func endSmallSection() throws {
        try endSection()
    }

    mutating func take(unitRecord bytes: UnsafeRawBufferPointer, serial: String) throws {
        if old != nil {
            try passOldUnits(before: serial)
            foldNumbers.append(UInt32(unitCount))
        }
        var serial = serial
        try serial.withUTF8 { try appendUnit(record: bytes, serial: UnsafeRawBufferPointer($0)) }
    }

    /// Copies the base's records that sort before `serial` (all of them when nil), leaving out the ones the fold loaded.
    private mutating func passOldUnits(before serial: String?) throws {
        while let old, let head = old.head {
            let loaded = old.headIsLoaded()
            if !loaded, var serial {
                let order = serial.withUTF8 { LookupTable.Order.bytes.compare(head, UnsafeRawBufferPointer($0)) }
                // A unit the fold holds and did not load cannot be in its snapshot: it would have been loaded first.
                guard order != 0 else { throw MergeInvariantError(reason: "unit \(serial) is in the fold, not loaded, and in its snapshot") }
                if order > 0 { return }
            }
            if !loaded {
                oldToNew[old.number] = UInt32(unitCount)
                if pointsAtBase {
                    unitCount += 1
                    indexedBytes += Int64(old.recordLength)
                } else {
                    let (record, checksum) = try old.take()
                    try appendUnit(record: record, serial: head, copiedWith: checksum)
                }
            }
            try old.advance()
        }
    }

    /// Writes a unit's record, to the units section or the heap: the fold's own (`checksum` nil), or one of the base's
    /// copied with its entry's checksum, whose index entry is read again from the base when the index is written.
    private mutating func appendUnit(record: UnsafeRawBufferPointer, serial: UnsafeRawBufferPointer,
                                     copiedWith checksum: UInt32? = nil) throws {
        if checksum == nil {
            indexEntries.appendLittle(UInt32(serialBlob.count))
            indexEntries.appendLittle(UInt32(serial.count))
            indexEntries.appendLittle(UInt64(heap?.size ?? length + Int64(staged.count)))
            indexEntries.appendLittle(UInt32(record.count))
            indexEntries.appendLittle(CRC32C.checksum(record))
            serialBlob.appendBytes(serial)
        }
        unitCount += 1
        indexedBytes += Int64(record.count)
        if let heap { try heap.append(record) } else { try append(record) }
    }

    private func serial(atEntry number: Int) -> String {
        let start = Int(indexEntries.littleUInt32(at: 24 * number)), count = Int(indexEntries.littleUInt32(at: 24 * number + 4))
        return String(decoding: serialBlob[start..<(start + count)], as: UTF8.self)
    }

    /// The unit index: a u32 count, per unit the serial's offset and length in the blob, the record's offset,
    /// length and CRC-32C, then the blob of serials.
    private mutating func appendUnitIndex() throws {
        try append(UInt32(unitCount))
        try indexEntries.withUnsafeBytes { try append($0) }
        try serialBlob.withUnsafeBytes { try append($0) }
        indexEntries = []
        serialBlob = []
        try endSection()
    }

    /// The unit index of a merge, in serial order: the base's entries carried over, read
    /// again from the base, and the fold's, held since their records were written; every serial offset counted
    /// afresh, and every record offset but those of base records the index points at where they are (in the heap
    /// this merge appends to). The blob of serials follows, read the same way. So a merge holds index entries for
    /// the fold's units only, not for the whole ledger. The base's index was checked before the merge, and its file
    /// does not change while it is open (an unlinked scratch file, or a snapshot replaced only by the writer that
    /// holds the lock); the offsets must still add up to the records written.
    private mutating func appendMergedUnitIndex(_ base: MergeBase) throws {
        try append(UInt32(unitCount))
        var serialOffset = 0, recordOffset = recordsStart, nextFold = 0
        do {
            var entries = try BaseUnitIndex(base, oldToNew: oldToNew, readingSerials: false)
            for number in 0..<unitCount {
                let serialLength: Int, recordLength: Int, checksum: UInt32, offset: Int64
                if nextFold < foldNumbers.count, foldNumbers[nextFold] == UInt32(number) {
                    let at = 24 * nextFold
                    nextFold += 1
                    let entry = indexEntries.withUnsafeBytes { UnitIndexFields(UnsafeRawBufferPointer(rebasing: $0[at..<(at + 24)])) }
                    guard entry.recordOffset == UInt64(recordOffset) else {
                        throw MergeInvariantError(reason: "the fold's unit records were not written in index order")
                    }
                    (serialLength, recordLength, checksum) = (entry.serialLength, entry.recordLength, entry.checksum)
                    offset = recordOffset
                    recordOffset += Int64(recordLength)
                } else {
                    let carried = try entries.next(carriedTo: number).entry
                    (serialLength, recordLength, checksum) = (carried.serialLength, carried.recordLength, carried.checksum)
                    if pointsAtBase {
                        offset = Int64(bitPattern: carried.recordOffset)
                    } else {
                        offset = recordOffset
                        recordOffset += Int64(recordLength)
                    }
                }
                try append(UInt32(serialOffset))
                try append(UInt32(serialLength))
                try append(UInt64(offset))
                try append(UInt32(recordLength))
                try append(checksum)
                serialOffset += serialLength
            }
            try entries.finish()
        }
        guard nextFold == foldNumbers.count, recordOffset == heap?.size ?? sections[SnapshotFile.Section.units.rawValue].length else {
            throw MergeInvariantError(reason: "the unit index does not add up to the units written")
        }
        nextFold = 0
        var serials = try BaseUnitIndex(base, oldToNew: oldToNew, readingSerials: true)
        for number in 0..<unitCount {
            if nextFold < foldNumbers.count, foldNumbers[nextFold] == UInt32(number) {
                let at = 24 * nextFold
                nextFold += 1
                let start = Int(indexEntries.littleUInt32(at: at)), count = Int(indexEntries.littleUInt32(at: at + 4))
                try serialBlob.withUnsafeBytes { try append(UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
            } else {
                try append(try serials.next(carriedTo: number).serial)
            }
        }
        try serials.finish()
        indexEntries = []
        serialBlob = []
        try endSection()
    }

    /// The dealer index of a merge: the base's positions carried over to the new entry numbers, merged with those of
    /// the fold's units (`serials`, in the order they were numbered). Written dealer by dealer from the base's index,
    /// not gathered first: a merge holds the fold's positions only. Returns the dealers written, and the base's.
    private mutating func appendMergedDealerIndex(_ state: LedgerState, serials: [String], _ base: MergeBase) throws
        -> (dealers: [String], oldDealers: [String]) {
        // Read only now, not held while the units are written.
        guard let oldDealers = DealerIndex(base.file.section(.dealerIndex, base.reader)) else { throw SnapshotError.merge("its dealer index") }
        let oldDealerIDs = (0..<oldDealers.count).map(oldDealers.dealer)
        // Keyed as strings compare: a dealer named in another Unicode normalization is the same dealer.
        var entries: [String: (old: Int?, fold: [UInt32])] = [:]
        for (entry, dealer) in oldDealerIDs.enumerated() { entries[dealer, default: (nil, [])].old = entry }
        for (serial, number) in zip(serials, foldNumbers) {
            state.forEachDealer(ofUnit: serial) { entries[$0, default: (nil, [])].fold.append(number) }
        }
        let oldToNew = self.oldToNew
        /// Hands `body` the base's positions of an entry of its dealer index that are carried over, at their new entry
        /// numbers, increasing.
        func forEachCarried(_ entry: Int?, _ body: (UInt32) throws -> Void) throws {
            var last = -1
            for position in entry.map(oldDealers.positions) ?? [] {
                guard position > last, position < oldToNew.count else { throw SnapshotError.merge("its dealer index") }
                last = position
                if oldToNew[position] != .max { try body(oldToNew[position]) }
            }
        }
        var dealers: [(id: String, old: Int?, fold: [UInt32], count: Int)] = []
        for (dealer, entry) in entries {
            var count = entry.fold.count
            try forEachCarried(entry.old) { _ in count += 1 }
            // A dealer with no unit left is left out, as the whole fold's index leaves it out.
            if count > 0 { dealers.append((state.enrolledSpelling(of: dealer), entry.old, entry.fold, count)) }
        }
        dealers.sort { $0.id.bytePrecedes($1.id) }
        try appendDealerIndex(dealers.map { ($0.id, $0.count) }) { index, write in
            // Both lists increase (the fold's units were numbered in order) and never share a number: merged, they must
            // increase too.
            let own = dealers[index].fold
            var next = 0, last: UInt32?
            func add(_ position: UInt32) throws {
                guard last.map({ $0 < position }) ?? true else {
                    throw MergeInvariantError(reason: "the dealer index of \(dealers[index].id) does not increase")
                }
                last = position
                try write(position)
            }
            try forEachCarried(dealers[index].old) { position in
                while next < own.count, own[next] < position {
                    try add(own[next])
                    next += 1
                }
                try add(position)
            }
            while next < own.count {
                try add(own[next])
                next += 1
            }
        }
        return (dealers.map(\.id), oldDealerIDs)
    }

    /// The dealer index: a u32 count, per dealer its id's offset and length in the blob and the index and
    /// count of its positions, then all positions, then the blob of ids.
    private mutating func appendDealerIndex(_ dealers: [(id: String, count: Int)],
                                            positions: (_ entry: Int, _ write: (UInt32) throws -> Void) throws -> Void) throws {
        try append(UInt32(dealers.count))
        var blobLength = 0
        var first = 0
        for dealer in dealers {
            let idLength = dealer.id.utf8.count
            try append(UInt32(blobLength))
            try append(UInt32(idLength))
            try append(UInt32(first))
            try append(UInt32(dealer.count))
            blobLength += idLength
            first += dealer.count
        }
        for entry in dealers.indices {
            var written = 0
            try positions(entry) { position in
                try append(position)
                written += 1
            }
            guard written == dealers[entry].count else { throw MergeInvariantError(reason: "the dealer index's positions do not add up") }
        }
        for dealer in dealers {
            var id = dealer.id
            try id.withUTF8 { try append(UnsafeRawBufferPointer($0)) }
        }
        try endSection()
    }

    /// A lookup table of the keys in UTF-8 byte order, with their values (`value` of each entry's number and value);
    /// over a base, merged with the base's table in that section and with the runs a rebuild kept aside for it: a key
    /// of the fold replacing the base's (a stream's later version), or combined with the older entries as the runs
    /// combine theirs (`KeyRuns.combine`: runs of stream versions). `finish` makes the value stored of the merged one.
    private mutating func appendKeys<Value>(_ table: KeyTable<Value>, over base: (MergeBase, SnapshotFile.Section)?,
                                            runs: KeyRuns? = nil, finish: (UnsafeRawBufferPointer, UInt64) throws -> UInt64 = { $1 },
                                            _ value: (Int, Value) -> UInt64) throws {
        let combine = runs?.combine
        var stored = try base.map { base, section in
            let own = try LookupTableCursor(SectionStream(base.reader, base.file.sections[section.rawValue], pieceSize: SnapshotFile.pieceSize))
            return try MergedCursor([own] + (runs?.cursors() ?? []), combine: combine)
        }
        var writer = LookupTableWriter()
        var next = try stored?.next()
        for entry in table.byteOrder() {
            try table.withEntry(entry) { key, fold in
                var own = value(entry, fold)
                while let entry = next, LookupTable.Order.bytes.compare(entry.key, key) <= 0 {
                    if LookupTable.Order.bytes.compare(entry.key, key) < 0 {
                        try writer.add(entry.key, try finish(entry.key, entry.value), to: &self)
                    } else if let combine {
                        own = try combine(key, entry.value, own)
                    }
                    next = try stored!.next()
                }
                try writer.add(key, try finish(key, own), to: &self)
            }
        }
        while let entry = next {
            try writer.add(entry.key, try finish(entry.key, entry.value), to: &self)
            next = try stored!.next()
        }
        try endTable(writer)
    }

    /// The identifier index: a lookup table from each serial, complaint, visit and swap (a kind byte, then the
    /// id) to the number of its unit's entry in the unit index, and from each notice to the number of its
    /// dealer's entry in the dealer index; sorted by kind, then as strings compare.
    ///
    /// `units` are the state's units with their entry numbers. Over a base (with the dealer of each entry of its
    /// dealer index), the base's entries for units and notices the fold did not load are carried over to the new
    /// entry numbers and merged in.
    private mutating func appendIdentifiers(_ state: LedgerState, units: [(serial: String, number: UInt32)],
                                            dealers: [String], over base: (MergeBase, oldDealers: [String])?) throws {
        var dealerNumbers: [String: UInt32] = [:]
        for (number, dealer) in dealers.enumerated() { dealerNumbers[dealer] = UInt32(number) }
        let oldToNew = self.oldToNew
        var stored = try base.map { base, _ in
            try LookupTableCursor(SectionStream(base.reader, base.file.sections[SnapshotFile.Section.identifiers.rawValue],
                                                pieceSize: SnapshotFile.pieceSize))
        }
        // Taken out of `base` once: the loop below runs once per entry of the base.
        let noticesLoaded = base?.0.noticesLoaded ?? [], oldDealers = base?.oldDealers ?? []
        /// The base's next entry that is carried over, with its new value.
        func nextStored() throws -> (key: UnsafeRawBufferPointer, value: UInt64)? {
            guard stored != nil else { return nil }
            while let entry = try stored!.next() {
                let (key, value) = entry
                guard let kind = key.first, value < UInt64(Int.max) else { throw SnapshotError.merge("its identifier index") }
                if kind == IdentifierKind.notice.rawValue {
                    guard Int(value) < oldDealers.count else { throw SnapshotError.merge("its identifier index") }
                    if noticesLoaded.contains(String(decoding: key.dropFirst(), as: UTF8.self)) { continue }
                    let dealer = oldDealers[Int(value)]
                    guard let number = dealerNumbers[dealer] else { throw SnapshotError.merge("the dealer of a notice") }
                    return (key, UInt64(number))
                }
                guard Int(value) < oldToNew.count else { throw SnapshotError.merge("its identifier index") }
                if oldToNew[Int(value)] != .max { return (key, UInt64(oldToNew[Int(value)])) }
            }
            return nil
        }
        var writer = LookupTableWriter()
        var next = try nextStored()
        var key: [UInt8] = []
        let facts = state.factCounts
        let counts = [units.count, facts.complaints, facts.visits, facts.swaps, state.noticeCount]
        // One kind at a time, as the table is sorted: only that kind's ids are held (for a whole fold, the whole state's).
        for kind in IdentifierKind.allCases {
            // Parallel arrays, reserved to the exact count.
            var ids: [String] = [], values: [UInt32] = []
            ids.reserveCapacity(counts[Int(kind.rawValue)])
            values.reserveCapacity(counts[Int(kind.rawValue)])
            switch kind {
            case .serial:
                for (serial, number) in units {
                    ids.append(serial)
                    values.append(number)
                }
            case .complaint, .visit, .swap:
                for (serial, number) in units {
                    state.forEachIdentifier(ofUnit: serial, kind) { id in
                        ids.append(id)
                        values.append(number)
                    }
                }
            case .notice:
                for (notice, dealer) in state.noticeDealers {
                    // A notice's dealer owns its lines, so the dealer index names it.
                    guard let number = dealerNumbers[dealer] else { throw SnapshotError.merge("the dealer of notice \(notice)") }
                    ids.append(notice)
                    values.append(number)
                }
            }
            // Positions are sorted, not the entries. When every id is ASCII, strings compare as their bytes do, so the
            // first 16 bytes, as two numbers, order most pairs without a string comparison.
            let ascii = ids.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }
            let order = ascii ? ids.positionsInByteOrder(of: { $0 }) : ids.indices.sorted { ids[$0] < ids[$1] }
            for position in order {
                key.removeAll(keepingCapacity: true)
                key.append(kind.rawValue)
                key.append(contentsOf: ids[position].utf8)
                try key.withUnsafeBytes { key in
                    while let entry = next, LookupTable.Order.kindThenText.compare(entry.key, key) < 0 {
                        try writer.add(entry.key, entry.value, to: &self)
                        next = try nextStored()
                    }
                    try writer.add(key, UInt64(values[position]), to: &self)
                }
            }
        }
        while let entry = next {
            try writer.add(entry.key, entry.value, to: &self)
            next = try nextStored()
        }
        try endTable(writer)
    }

    /// Ends a lookup table written through `LookupTableOutput` as the next section.
    private mutating func endTable(_ writer: consuming LookupTableWriter) throws {
        try writer.finish(to: &self)
        try endSection()
    }

    mutating func appendTableBytes(_ bytes: UnsafeRawBufferPointer) throws {
        try append(bytes)
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) throws {
        if staged.count + MemoryLayout<T>.size > Self.stagingSize { try flush() }
        staged.appendLittle(value)
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        if staged.count + bytes.count > Self.stagingSize { try flush() }
        if bytes.count >= Self.stagingSize {
            try emit(bytes)
        } else {
            staged.appendBytes(bytes)
        }
    }

    /// Ends the current section: its length and checksum are recorded and the next bytes start the next one.
    private mutating func endSection() throws {
        try flush()
        sections.append((length, checksum.value))
        checksum = CRC32C()
        length = 0
        try output.endSection()
    }

    private mutating func flush() throws {
        guard !staged.isEmpty else { return }
        try staged.withUnsafeBytes { try emit($0) }
        staged.removeAll(keepingCapacity: true)
    }

    private mutating func emit(_ bytes: UnsafeRawBufferPointer) throws {
        checksum.update(bytes)
        length += Int64(bytes.count)
        try output.append(bytes)
    }
}

/// The unit records of a merge's base, in index order with their serials: the unit index read in pieces, and
/// the records read as `records` says. The entries are checked by the unit index's checksum, before the merge.
final class OldUnits {
    /// How the base's records are read.
    enum Records {
        /// Back to back in index order, as a snapshot's units section holds them: read in pieces, and checked by
        /// the section's checksum at `finish`, which a merge that writes them must reach before its output is kept.
        case inOrder
        /// Anywhere in the section, as a scratch snapshot's heap holds them: each read on its own and checked
        /// against its entry's checksum.
        case scattered
        /// Not read: the merge points at them where they are.
        case pointedAt
    }

    let base: MergeBase
    let count: Int
    /// The entry number of `head`.
    private(set) var number = 0
    /// The serial of the next record, valid until `advance`; nil after the last.
    private(set) var head: UnsafeRawBufferPointer?
    private var entry: (offset: Int64, length: Int, checksum: UInt32) = (0, 0, 0)
    /// Whether `head`'s record was read.
    private var taken = false
    /// The loaded serials' UTF-8 in byte order, and how many of them `head` has passed.
    private let loaded: [[UInt8]]
    private var nextLoaded = 0
    private let entries: SectionStream
    private let serials: SectionStream
    private let records: Records
    /// The units section, read in order (`Records.inOrder` only).
    private let units: SectionStream?
    /// The last record read on its own (`Records.scattered`).
    private var record = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    init(_ base: MergeBase, records: Records) throws {
        self.base = base
        self.records = records
        let parts = try Self.indexParts(base)
        count = parts.count
        loaded = base.loaded.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        entries = SectionStream(base.reader, parts.entries, pieceSize: SnapshotFile.pieceSize)
        serials = SectionStream(base.reader, parts.serials, pieceSize: SnapshotFile.pieceSize)
        units = records == .inOrder
            ? SectionStream(base.reader, base.file.sections[SnapshotFile.Section.units.rawValue], pieceSize: SnapshotFile.pieceSize) : nil
        try readHead()
    }

    deinit {
        record.deallocate()
    }

    /// The base's unit index in parts: its entry count, its entries and its blob of serials. The index's own checksum
    /// is checked before a merge reads it (`checksumHolds`), so the parts are given with none.
    static func indexParts(_ base: MergeBase) throws
        -> (count: Int, entries: (offset: Int64, length: Int64, checksum: UInt32), serials: (offset: Int64, length: Int64, checksum: UInt32)) {
        let index = base.file.sections[SnapshotFile.Section.unitIndex.rawValue]
        guard let count = base.file.unitEntryCount(base.reader), 4 + 24 * Int64(count) <= index.length else {
            throw SnapshotError.merge("its unit index")
        }
        let blob = index.offset + 4 + 24 * Int64(count)
        return (count, (index.offset + 4, 24 * Int64(count), 0), (blob, index.offset + index.length - blob, 0))
    }

    /// Whether the fold loaded the next record (`MergeBase.loaded`). Called for each record in turn: the loaded
    /// serials are walked alongside, in the same byte order, with no string made of a serial that was not loaded.
    func headIsLoaded() -> Bool {
        guard let head else { return false }
        while nextLoaded < loaded.count {
            let order = loaded[nextLoaded].withUnsafeBytes { LookupTable.Order.bytes.compare($0, head) }
            if order > 0 { return false }
            nextLoaded += 1
            if order == 0 { return true }
        }
        return false
    }

    /// The length of `head`'s record.
    var recordLength: Int { entry.length }

    /// The next record and its entry's checksum, valid (with `head`) until `advance`.
    func take() throws -> (UnsafeRawBufferPointer, UInt32) {
        taken = true
        switch records {
        case .inOrder:
            return (try units!.next(entry.length), entry.checksum)
        case .scattered:
            let section = base.file.sections[SnapshotFile.Section.units.rawValue]
            if record.count < entry.length {
                record.deallocate()
                record = .allocate(byteCount: max(entry.length, 1 << 12), alignment: 16)
            }
            let bytes = UnsafeMutableRawBufferPointer(rebasing: record[0..<entry.length])
            guard entry.offset <= section.length - Int64(entry.length), base.reader.read(into: bytes, at: section.offset + entry.offset),
                  CRC32C.checksum(UnsafeRawBufferPointer(bytes)) == entry.checksum else { throw SnapshotError.merge("a unit record") }
            return (UnsafeRawBufferPointer(bytes), entry.checksum)
        case .pointedAt:
            preconditionFailure("a merge that points at the base's records does not read them")
        }
    }

    /// Moves to the next record, past this one's bytes if it was not taken.
    func advance() throws {
        if !taken, let units { _ = try units.next(entry.length) }
        number += 1
        try readHead()
    }

    /// Checks that every entry was passed, every loaded serial met, and, for records read in order, that the units
    /// section has its checksum.
    func finish() throws {
        guard head == nil, nextLoaded == loaded.count, serials.remaining == 0,
              units.map({ $0.remaining == 0 && $0.checksumHolds() }) ?? true else {
            throw SnapshotError.merge("its units")
        }
    }

    private func readHead() throws {
        taken = false
        guard number < count else {
            head = nil
            return
        }
        let fields = UnitIndexFields(try entries.next(24))
        // Serials lie back to back in index order, each starting where the last one ended; so do records in order.
        guard fields.serialOffset == serials.consumed, units.map({ fields.recordOffset == UInt64($0.consumed) }) ?? true,
              let offset = Int64(exactly: fields.recordOffset) else { throw SnapshotError.merge("its unit index") }
        entry = (offset, fields.recordLength, fields.checksum)
        head = try serials.next(fields.serialLength)
    }
}

/// The entries of a merge's base unit index, front to back, skipping those of records not carried over: for
/// writing the merged unit index without holding the base's (`SectionEncoder.appendMergedUnitIndex`).
struct BaseUnitIndex {
    private let oldToNew: [UInt32]
    private let entries: SectionStream
    /// The blob of serials, when they are read; either way, their lengths are added up to check the entries' offsets.
    private let serials: SectionStream?
    private var serialsPassed: Int64 = 0
    private var number = 0

    init(_ base: MergeBase, oldToNew: [UInt32], readingSerials: Bool) throws {
        let parts = try OldUnits.indexParts(base)
        guard parts.count == oldToNew.count else { throw SnapshotError.merge("its unit index") }
        self.oldToNew = oldToNew
        entries = SectionStream(base.reader, parts.entries, pieceSize: SnapshotFile.pieceSize)
        serials = readingSerials ? SectionStream(base.reader, parts.serials, pieceSize: SnapshotFile.pieceSize) : nil
    }

    /// The next entry carried over, which must become entry `newNumber` of the merged index: its serial's and record's
    /// lengths, the record's offset and checksum, and the serial (valid until the next call; empty unless read).
    mutating func next(carriedTo newNumber: Int) throws -> (entry: UnitIndexFields, serial: UnsafeRawBufferPointer) {
        while number < oldToNew.count {
            let entry = UnitIndexFields(try entries.next(24))
            guard entry.serialOffset == serialsPassed else { throw SnapshotError.merge("its unit index") }
            let serial = try serials?.next(entry.serialLength) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            serialsPassed += Int64(entry.serialLength)
            number += 1
            guard oldToNew[number - 1] != .max else { continue }
            guard oldToNew[number - 1] == UInt32(newNumber) else {
                throw MergeInvariantError(reason: "the base's units were not carried over in index order")
            }
            return (entry, serial)
        }
        throw MergeInvariantError(reason: "the base holds fewer units carried over than were written")
    }

    /// Checks that no entry is left that was carried over.
    func finish() throws {
        guard oldToNew[number...].allSatisfy({ $0 == .max }) else {
            throw MergeInvariantError(reason: "the base holds more units carried over than were written")
        }
    }
}

extension SnapshotError {
    static func merge(_ what: String) -> SnapshotError {
        SnapshotError(reason: "the snapshot or spill file a fold was loaded from: \(what) cannot be read to write the next one over it")
    }
}

/// A scoped fold that does not agree with the snapshot it was loaded from: not damage but a fault of the fold,
/// whose checks may then have differed from the whole fold's. Never given up on quietly.
struct MergeInvariantError: Error, CustomStringConvertible {
    let reason: String
    var description: String { "a scoped fold disagrees with its snapshot: \(reason)" }
}
