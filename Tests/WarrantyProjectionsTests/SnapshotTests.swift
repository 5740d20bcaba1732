import Foundation
import Testing
import WarrantyDomain
@testable import WarrantyProjections

#if canImport(Glibc)
import Glibc
#endif

/// A small ledger with one of each kind of fact: exchange, return, void, notice, confirmation, invoice, payment.
func smallSnapshotLedger() -> TestLedger {
    var ledger = fixture(E.policy(components: [("battery", 3)], excluded: ["belt"], maxRepairDays: 10,
                                  deadlines: ["06-30"]))
    ledger.add([
        E.invoice("D1", "F1", 500_000, "2025-02-01"),
        E.complaint("C1", "SN1", "2025-04-01", part: "battery"),
        E.visit("V1", "SN1", "2025-04-02", complaint: "C1", travel: 500),
        E.swap("S1", visit: "V1", "SN1", "2025-04-02", part: "battery", cost: 7000),
        E.returned("S1", "2025-04-10"),
        E.appraised("S1", "2025-04-12", .premature),
        E.notice("N1", ["V1"], amount: 6500, "2025-05-01"),
        E.confirm("N1", "2025-05-02"),
        E.sale("SN2", "2025-03-02", dealer: "D2"),
        E.visit("V2", "SN2", "2025-03-20", dealer: "D2", kind: .inspection, finding: .none),
        E.exchanged("SN2", for: "R2", "2025-03-25"),
        E.complaint("C2", "R2", "2025-04-01"),
        E.payment("D1", 100_000, "2025-05-05", ref: "PAY"),
    ])
    ledger.add(E.void(ledger.seq(.paymentReceived, "PAY")))
    return ledger
}

/// The states the round trips run over: built by hand, the worked example and random ledgers.
func snapshotLedgers() -> [(name: String, ledger: TestLedger, serials: [String])] {
    var ledgers: [(name: String, ledger: TestLedger, serials: [String])] = [
        ("empty", TestLedger(), ["SN1"]),
        ("fixture", fixture(), ["SN1"]),
        ("small", smallSnapshotLedger(), ["SN1", "SN2", "R2"]),
        ("rich", richLedger(), richSerials),
        ("harvester", TestLedger(harvesterEvents), ["H9-001", "H9-002"]),
    ]
    for seed in [3, 11, 17, 29, 41, 53] {
        var generator = LedgerGenerator(seed: UInt64(seed) + 5000)
        let ledger = generator.generate(count: 300)
        ledgers.append(("random seed \(seed)", ledger, generator.serials))
    }
    return ledgers
}

/// The days answers are compared on: across the rich ledger's year and the random ledgers' span.
let snapshotDays = richDays + stride(from: 0, to: 420, by: 37).map { day("2025-01-01").adding(days: $0) }

extension StateSnapshot {
    /// The record of `serial` in `units`, if the snapshot has it, found by binary search of the index.
    func record(of serial: String) -> ArraySlice<UInt8>? {
        var low = 0
        var high = unitIndex.count
        while low < high {
            let middle = (low + high) / 2
            if unitIndex[middle].serial.utf8.lexicographicallyPrecedes(serial.utf8) { low = middle + 1 } else { high = middle }
        }
        guard low < unitIndex.count, unitIndex[low].serial == serial else { return nil }
        let entry = unitIndex[low]
        return units[entry.offset..<(entry.offset + entry.length)]
    }

    /// `serial` and every serial its records refer to, transitively, that the snapshot has.
    func relatedClosure(of serial: String) throws -> [String] {
        var found = [serial]
        var queue = [serial]
        while let next = queue.popLast() {
            guard let record = record(of: next) else { continue }
            let related = try Array(record).withUnsafeBytes { raw in try LedgerState.relatedSerials(inUnitRecord: raw) }
            for other in related where !found.contains(other) && self.record(of: other) != nil {
                found.append(other)
                queue.append(other)
            }
        }
        return found
    }

    /// The partial state of the records of `serials`.
    func partialState(_ serials: [String]) throws(SnapshotError) -> LedgerState {
        let records = serials.compactMap { record(of: $0).map(Array.init) }
        return try Self.partialState(policies: policies, dealers: dealers, other: other, records: records, lastSeq: lastSeq)
    }

    /// The partial initializer over arrays, with the notices of `dealer` when given.
    static func partialState(policies: [UInt8], dealers: [UInt8], other: [UInt8], records: [[UInt8]],
                             lastSeq: Int64, notices: [UInt8] = [], dealer: String? = nil) throws(SnapshotError) -> LedgerState {
        let pointers = records.map { record -> UnsafeMutableRawBufferPointer in
            let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(record.count, 1), alignment: 1)
            pointer.copyBytes(from: record)
            return pointer
        }
        defer { pointers.forEach { $0.deallocate() } }
        let raw = zip(pointers, records).map { UnsafeRawBufferPointer(rebasing: $0.0[0..<$0.1.count]) }
        let result: Result<LedgerState, SnapshotError> = policies.withUnsafeBytes { policies in
            dealers.withUnsafeBytes { dealers in
                other.withUnsafeBytes { other in
                    notices.withUnsafeBytes { notices in
                        Result { () throws(SnapshotError) in
                            try LedgerState(policies: policies, dealers: dealers, other: other, unitRecords: raw, lastSeq: lastSeq,
                                            notices: dealer == nil ? nil : notices, noticesOf: dealer)
                        }
                    }
                }
            }
        }
        return try result.get()
    }
}

/// Runs every query on `state`, so that a state decoded from corrupted bytes is shown not to trap.
func exerciseQueries(_ state: LedgerState, days: [Day]) -> Int {
    var total = 0
    for day in days {
        for serial in state.units.keys {
            total += state.unitStatus(serial: serial, on: day)?.extensionDays ?? 0
        }
        total += state.claimLines(on: day).count
        for dealer in state.dealers.keys {
            total += state.claimLines(on: day, dealer: dealer).count
        }
        total += state.dealerBalances(on: day).count
        total += state.archive(on: day).count
    }
    return total
}

@Suite("State snapshots")
struct SnapshotTests {
    @Test func roundTripsGiveTheSameStateAndTheSameBytes() throws {
        for (name, ledger, _) in snapshotLedgers() {
            let snapshot = ledger.state.snapshot()
            let restored = try LedgerState(snapshot: snapshot)
            #expect(restored == ledger.state, "\(name)")
            // Equality of policies is by id and seq; the bytes show every field came back.
            #expect(restored.snapshot() == snapshot, "\(name)")
            #expect(ledger.state.snapshot() == snapshot, "\(name): snapshots of one state differ")
            #expect(restored.policiesByModel == ledger.state.policiesByModel, "\(name)")
            #expect(restored.noticeOfLine == ledger.state.noticeOfLine, "\(name)")
            for (id, terms) in ledger.state.policies {
                #expect(restored.policies[id]?.published == terms.published, "\(name): policy \(id)")
            }
        }
    }

    @Test func theIndexListsEveryRecordInSerialOrder() {
        for (name, ledger, _) in snapshotLedgers() {
            let snapshot = ledger.state.snapshot()
            let serials = snapshot.unitIndex.map(\.serial)
            #expect(serials == ledger.state.units.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "\(name)")
            var offset = 0
            for entry in snapshot.unitIndex {
                #expect(entry.offset == offset && entry.length > 0, "\(name): \(entry.serial)")
                offset += entry.length
            }
            #expect(offset == snapshot.units.count, "\(name)")
        }
    }

    @Test func equalStatesBuiltInAnotherOrderGiveTheSameBytes() {
        // Dictionaries hash with a per-process seed and grow differently: a fold and a copy-by-insertion
        // of the same facts must still write the same bytes.
        var generator = LedgerGenerator(seed: 77)
        let ledger = generator.generate(count: 300)
        var shuffled = ledger.state
        shuffled.units = FactTable()
        for (serial, unit) in ledger.state.units.shuffled() { shuffled.units[serial] = unit }
        shuffled.complaints = FactTable()
        for (id, complaint) in ledger.state.complaints.shuffled() { shuffled.complaints[id] = complaint }
        shuffled.dealers = Dictionary(uniqueKeysWithValues: ledger.state.dealers.shuffled())
        shuffled.voided = Set(ledger.state.voided.shuffled())
        #expect(shuffled == ledger.state)
        #expect(shuffled.snapshot() == ledger.state.snapshot())
    }

    @Test func answersAreTheSameAfterARoundTrip() throws {
        for (name, ledger, serials) in snapshotLedgers() {
            let restored = try LedgerState(snapshot: ledger.state.snapshot())
            let all = serials + ["NOT-SOLD"]
            #expect(Answers(restored, serials: all, days: snapshotDays) == Answers(ledger.state, serials: all, days: snapshotDays),
                    "\(name)")
        }
    }

    @Test(arguments: [3, 11, 17, 29])
    func furtherEventsApplyAlikeToTheRestoredState(seed: Int) throws {
        var generator = LedgerGenerator(seed: UInt64(seed) + 5000)
        let ledger = generator.generate(count: 300)
        for cut in [ledger.events.count / 4, ledger.events.count / 2, ledger.events.count * 3 / 4] {
            var original = LedgerState()
            for (index, event) in ledger.events.prefix(cut).enumerated() {
                original.apply(event, seq: Int64(index + 1), target: ledger.target(of: event))
            }
            var restored = try LedgerState(snapshot: original.snapshot())
            for (index, event) in ledger.events.enumerated().dropFirst(cut) {
                let seq = Int64(index + 1)
                let log = ledger.events.prefix(index)
                let resolve = { (seq: Int64) -> Event? in seq >= 1 && seq <= log.count ? log[Int(seq) - 1] : nil }
                // The restored state refuses and accepts exactly what the original does.
                #expect(((try? restored.check(event, resolve: resolve)) != nil)
                        == ((try? original.check(event, resolve: resolve)) != nil), "seed \(seed), seq \(seq)")
                original.apply(event, seq: seq, target: ledger.target(of: event))
                restored.apply(event, seq: seq, target: ledger.target(of: event))
            }
            #expect(restored == original, "seed \(seed), cut \(cut)")
            #expect(restored.snapshot() == original.snapshot(), "seed \(seed), cut \(cut)")
            let serials = generator.serials
            #expect(Answers(restored, serials: serials, days: snapshotDays) == Answers(original, serials: serials, days: snapshotDays))
        }
    }

    @Test func relatedSerialsNameTheChain() throws {
        let snapshot = richLedger().state.snapshot()
        #expect(try snapshot.relatedClosure(of: "R4").sorted() == ["R4", "SN4"])
        #expect(try snapshot.relatedClosure(of: "SN4").sorted() == ["R4", "SN4"])
        #expect(try snapshot.relatedClosure(of: "SN1") == ["SN1"])

        // A chain of three: the second replacement takes its registration from the first unit.
        var ledger = fixture()
        ledger.add([E.exchanged("SN1", for: "R1", "2025-03-10"), E.exchanged("R1", for: "R2", "2025-03-12")])
        let chain = ledger.state.snapshot()
        let related = try Array(chain.record(of: "R2")!).withUnsafeBytes { try LedgerState.relatedSerials(inUnitRecord: $0) }
        #expect(related == ["R1", "SN1"])
        #expect(try chain.relatedClosure(of: "R2").sorted() == ["R1", "R2", "SN1"])
    }

    @Test func aPartialStateAnswersForItsUnits() throws {
        for (name, ledger, serials) in snapshotLedgers() {
            let snapshot = ledger.state.snapshot()
            for serial in serials where ledger.state.units[serial] != nil {
                let partial = try snapshot.partialState(try snapshot.relatedClosure(of: serial))
                for day in snapshotDays {
                    #expect(partial.unitStatus(serial: serial, on: day) == ledger.state.unitStatus(serial: serial, on: day),
                            "\(name): \(serial) on \(day)")
                }
                #expect(partial.units.count <= 3)
            }
        }
    }

    @Test func aPartialStateWithoutTheRegistrationHolderIsRefused() throws {
        let snapshot = richLedger().state.snapshot()
        #expect(throws: SnapshotError.self) { try snapshot.partialState(["R4"]) }
        #expect(throws: SnapshotError.self) { try snapshot.partialState(["SN1", "SN1"]) }
    }

    @Test(arguments: [3, 11, 17, 29, 41])
    func laterEventsOfAUnitApplyAlikeToItsPartialState(seed: Int) throws {
        var generator = LedgerGenerator(seed: UInt64(seed) + 5000)
        let ledger = generator.generate(count: 300)
        let cut = ledger.events.count / 2
        var base = LedgerState()
        for (index, event) in ledger.events.prefix(cut).enumerated() {
            base.apply(event, seq: Int64(index + 1), target: ledger.target(of: event))
        }
        let snapshot = base.snapshot()
        var checked = 0
        for serial in base.units.keys.sorted().prefix(25) {
            let loaded = try snapshot.relatedClosure(of: serial)
            let streams = Set(loaded.map { "unit:" + $0 })
            var partial = try snapshot.partialState(loaded)
            var full = base
            for (index, event) in ledger.events.enumerated().dropFirst(cut) {
                let seq = Int64(index + 1)
                let target = ledger.target(of: event)
                if streams.contains(full.stream(of: event, target: target)) {
                    partial.apply(event, seq: seq, target: target)
                    checked += 1
                }
                full.apply(event, seq: seq, target: target)
            }
            for day in snapshotDays {
                #expect(partial.unitStatus(serial: serial, on: day) == full.unitStatus(serial: serial, on: day),
                        "seed \(seed): \(serial) on \(day)")
            }
        }
        #expect(checked > 0, "seed \(seed): no later events of the units")
    }

    // MARK: Corrupted bytes

    /// Decodes `snapshot`, and runs every query on what it decodes to; returns whether it decoded.
    static func survives(_ snapshot: StateSnapshot, days: [Day], exercise: Bool = true) -> Bool {
        guard let state = try? LedgerState(snapshot: snapshot) else { return false }
        if exercise {
            _ = exerciseQueries(state, days: days)
            _ = state.snapshot()
        }
        return true
    }

    /// Byte values whose decoded states are also queried: the edges of each range and flips of the original.
    static func isQueried(_ value: UInt8, original: UInt8) -> Bool {
        [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF, original ^ 0x01, original ^ 0x10, original ^ 0x80,
         original &+ 1, original &- 1].contains(value)
    }

    static let corruptionDays = ["2025-03-01", "2025-04-05", "2025-05-03", "2026-01-01"].map(day)

    static let sectionNames = ["policies", "dealers", "notices", "other", "units"]

    /// The section of a snapshot named `name`.
    static func section(_ name: String) -> WritableKeyPath<StateSnapshot, [UInt8]> {
        switch name {
        case "policies": \.policies
        case "dealers": \.dealers
        case "notices": \.notices
        case "other": \.other
        default: \.units
        }
    }

    @Test(arguments: sectionNames)
    func everyByteOfEverySectionMutatedDecodesOrThrows(section: String) {
        let snapshot = smallSnapshotLedger().state.snapshot()
        let path = Self.section(section)
        let bytes = snapshot[keyPath: path]
        var decoded = 0
        var refused = 0
        for position in bytes.indices {
            for value in 0...255 where UInt8(value) != bytes[position] {
                var mutated = snapshot
                mutated[keyPath: path][position] = UInt8(value)
                // Every value must decode or throw; the states of a dozen values per byte are also queried.
                let exercise = Self.isQueried(UInt8(value), original: bytes[position])
                if Self.survives(mutated, days: Self.corruptionDays, exercise: exercise) { decoded += 1 } else { refused += 1 }
            }
        }
        #expect(refused > 0)
        print("snapshot section \(section) (\(bytes.count) bytes), every byte value: \(decoded) decoded, \(refused) refused")
    }

    @Test(arguments: sectionNames)
    func everyTruncationOfEverySectionThrows(section: String) {
        for (name, ledger, _) in [("small", smallSnapshotLedger(), []), ("rich", richLedger(), [])] as [(String, TestLedger, [String])] {
            let snapshot = ledger.state.snapshot()
            let path = Self.section(section)
            for length in 0..<snapshot[keyPath: path].count {
                var truncated = snapshot
                truncated[keyPath: path].removeLast(snapshot[keyPath: path].count - length)
                #expect(!Self.survives(truncated, days: Self.corruptionDays), "\(name) \(section) cut to \(length)")
            }
        }
    }

    @Test func bytesOfTheRichLedgerFlippedDecodeOrThrow() {
        let snapshot = richLedger().state.snapshot()
        var decoded = 0
        for path in Self.sectionNames.map(Self.section) {
            for position in snapshot[keyPath: path].indices {
                for flip: UInt8 in [0x01, 0x02, 0x10, 0x80, 0xFF] {
                    var mutated = snapshot
                    mutated[keyPath: path][position] ^= flip
                    if Self.survives(mutated, days: Self.corruptionDays) { decoded += 1 }
                }
            }
        }
        print("rich snapshot, five flips per byte: \(decoded) decoded")
    }

    @Test func aCorruptedIndexThrows() {
        let snapshot = smallSnapshotLedger().state.snapshot()
        for position in snapshot.unitIndex.indices {
            for change in [-1, 1, Int.min, Int.max] {
                var offset = snapshot
                offset.unitIndex[position].offset = snapshot.unitIndex[position].offset &+ change
                #expect(!Self.survives(offset, days: Self.corruptionDays))
                var length = snapshot
                length.unitIndex[position].length = snapshot.unitIndex[position].length &+ change
                #expect(!Self.survives(length, days: Self.corruptionDays))
            }
            var serial = snapshot
            serial.unitIndex[position].serial += "x"
            #expect(!Self.survives(serial, days: Self.corruptionDays))
        }
        var dropped = snapshot
        dropped.unitIndex.removeLast()
        #expect(!Self.survives(dropped, days: Self.corruptionDays))
        var swapped = snapshot
        swapped.unitIndex.swapAt(0, 1)
        #expect(!Self.survives(swapped, days: Self.corruptionDays))
    }

    @Test func everyMutationOfAUnitRecordGivesAPartialStateOrThrows() {
        let snapshot = smallSnapshotLedger().state.snapshot()
        for serial in ["SN1", "R2"] {
            let loaded = try! snapshot.relatedClosure(of: serial)
            let records = loaded.map { Array(snapshot.record(of: $0)!) }
            for position in records[0].indices {
                for value in 0...255 where UInt8(value) != records[0][position] {
                    var mutated = records
                    mutated[0][position] = UInt8(value)
                    _ = try? mutated[0].withUnsafeBytes { try LedgerState.relatedSerials(inUnitRecord: $0) }
                    if let state = try? StateSnapshot.partialState(policies: snapshot.policies, dealers: snapshot.dealers,
                                                                   other: snapshot.other, records: mutated,
                                                                   lastSeq: snapshot.lastSeq),
                       Self.isQueried(UInt8(value), original: records[0][position]) {
                        for day in Self.corruptionDays {
                            for serial in state.units.keys {
                                _ = state.unitStatus(serial: serial, on: day)
                            }
                        }
                    }
                }
            }
            for length in 0..<records[0].count {
                var truncated = records
                truncated[0].removeLast(records[0].count - length)
                _ = try? truncated[0].withUnsafeBytes { try LedgerState.relatedSerials(inUnitRecord: $0) }
                #expect(throws: SnapshotError.self) {
                    try StateSnapshot.partialState(policies: snapshot.policies, dealers: snapshot.dealers,
                                                   other: snapshot.other, records: truncated, lastSeq: snapshot.lastSeq)
                }
            }
        }
    }

    @Test func errorsSayWhereTheBytesWentWrong() {
        var snapshot = smallSnapshotLedger().state.snapshot()
        snapshot.units.removeLast()
        #expect(throws: SnapshotError.self) { try LedgerState(snapshot: snapshot) }
        do {
            _ = try LedgerState(snapshot: snapshot)
        } catch {
            #expect(error.reason.contains("snapshot"))
        }
        var counts = smallSnapshotLedger().state.snapshot()
        counts.other.replaceSubrange(0..<4, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: SnapshotError(reason: "snapshot section other, byte 0: count 2147483647 of 8-byte items exceeds the 28 bytes left")) {
            try LedgerState(snapshot: counts)
        }
    }
}

// MARK: - Throughput

/// Measures snapshot rates when `SNAPSHOT_BENCH` is set; meaningful only in release:
/// `SNAPSHOT_BENCH=1 swift test -c release --no-parallel --filter SnapshotThroughput`.
@Suite("Snapshot throughput", .enabled(if: ProcessInfo.processInfo.environment["SNAPSHOT_BENCH"] != nil))
struct SnapshotThroughputTests {
    /// Nanoseconds of CPU time this thread has used.
    static func threadCPUNanoseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }

    /// CPU and wall seconds of `body`.
    static func measure<R>(_ body: () throws -> R) rethrows -> (R, cpu: Double, wall: Double) {
        let wallStart = ContinuousClock.now
        let cpuStart = threadCPUNanoseconds()
        let result = try body()
        let cpu = Double(threadCPUNanoseconds() - cpuStart) / 1e9
        let wall = ContinuousClock.now - wallStart
        return (result, cpu, Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18)
    }

    /// A ledger of `unitCount` units shaped like a dealer network's: most registered, a third with a
    /// complaint and a repair visit, half of those with a part swap, some exchanged.
    static func bigState(unitCount: Int) -> LedgerState {
        var state = LedgerState()
        var seq: Int64 = 0
        func apply(_ event: Event) {
            seq += 1
            state.apply(event, seq: seq, target: nil)
        }
        apply(E.policy(models: ["M"], components: [("battery", 3)], excluded: ["belt"], at: "2024-01-01"))
        apply(E.policy("P2", models: ["M", "N"], effective: "2024-06-01", at: "2024-06-01"))
        let dealers = (0..<200).map { "D\($0)" }
        for dealer in dealers {
            apply(E.dealer(dealer, at: "2024-01-01"))
            apply(E.invoice(dealer, "F-\(dealer)", 1_000_000, "2024-02-01"))
        }
        let start = day("2024-07-01")
        for index in 0..<unitCount {
            let serial = "SN-\(1_000_000 + index)"
            let dealer = dealers[index % dealers.count]
            let sold = start.adding(days: index % 300).description
            apply(E.sale(serial, sold, model: index % 2 == 0 ? "M" : "N", dealer: dealer))
            if index % 10 < 8 { apply(E.card(serial, sold)) }
            if index % 3 == 0 {
                let later = start.adding(days: index % 300 + 20).description
                apply(E.complaint("C-\(index)", serial, later, part: index % 2 == 0 ? "pump" : nil))
                apply(E.visit("V-\(index)", serial, later, dealer: dealer, complaint: "C-\(index)", travel: 1500))
                if index % 6 == 0 {
                    apply(E.swap("S-\(index)", visit: "V-\(index)", serial, later, cost: 12_000))
                }
            }
            if index % 50 == 0 {
                apply(E.exchanged(serial, for: "RX-\(index)", start.adding(days: index % 300 + 30).description))
            }
        }
        return state
    }

    @Test func rates() throws {
        let unitCount = 100_000
        let state = Self.bigState(unitCount: unitCount)
        let units = state.units.count
        print("snapshot throughput: \(units) units, \(state.complaints.count) complaints, \(state.visits.count) visits, \(state.swaps.count) swaps")
        var best = (encodeCPU: Double.infinity, encodeWall: Double.infinity, decodeCPU: Double.infinity,
                    decodeWall: Double.infinity)
        var snapshot = state.snapshot()
        for _ in 0..<5 {
            let (encoded, encodeCPU, encodeWall) = Self.measure { state.snapshot() }
            snapshot = encoded
            let (decoded, decodeCPU, decodeWall) = try Self.measure { try LedgerState(snapshot: snapshot) }
            #expect(decoded.units.count == units)
            best = (min(best.encodeCPU, encodeCPU), min(best.encodeWall, encodeWall), min(best.decodeCPU, decodeCPU),
                    min(best.decodeWall, decodeWall))
        }
        let bytes = snapshot.policies.count + snapshot.dealers.count + snapshot.notices.count + snapshot.other.count
            + snapshot.units.count
        func report(_ label: String, _ cpu: Double, _ wall: Double) {
            print("  \(label): \(Int(Double(units) / cpu)) units/CPU-s, \(Int(Double(bytes) / cpu / 1e6)) MB/CPU-s (wall \(Int(wall * 1000)) ms, \(Int(Double(units) / wall)) units/s)")
        }
        print("  \(bytes) bytes, \(snapshot.units.count / units) bytes per unit record on average")
        report("encode", best.encodeCPU, best.encodeWall)
        report("decode", best.decodeCPU, best.decodeWall)
        #expect(try LedgerState(snapshot: snapshot) == state)

        // One unit's status: its record and the records it refers to, nothing else.
        let serials = ["SN-1000000", "SN-1050000", "RX-50000", "SN-1099999"]
        let (partialCount, partialCPU, _) = try Self.measure { () throws -> Int in
            var total = 0
            for _ in 0..<1000 {
                for serial in serials {
                    let partial = try snapshot.partialState(try snapshot.relatedClosure(of: serial))
                    total += partial.unitStatus(serial: serial, on: day("2025-06-01")) == nil ? 0 : 1
                }
            }
            return total
        }
        #expect(partialCount == 4000)
        print("  one unit's partial state (binary search of the index, records copied): \(Int(partialCPU / 4000 * 1e6)) µs each")
    }
}

@Suite("Snapshot format")
struct SnapshotFormatTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// A small state's snapshot, byte for byte: a change here is a change of format, which needs a new `formatVersion`.
    @Test func theFixturesBytesAreFrozen() {
        var ledger = fixture()
        ledger.add([E.complaint("C1", "SN1", "2025-04-01"), E.visit("V1", "SN1", "2025-04-02", complaint: "C1")])
        let snapshot = ledger.state.snapshot()
        #expect(StateSnapshot.formatVersion == 1)
        #expect(Self.hex(snapshot.policies) == "0100000001000000000000000200000050310100000001000000" + "4d" + "794e0000" + "00"
                + "07000000" + "0f000000" + "0c000000" + "00000000000000" + "7017000000000000" + "00")
        #expect(Self.hex(snapshot.dealers) == "02000000"
                + "020000004431" + "090000004465616c6572204431" + "794e0000" + "0200000000000000" + "00000000" + "00000000"
                + "020000004432" + "090000004465616c6572204432" + "794e0000" + "0300000000000000" + "00000000" + "00000000")
        #expect(Self.hex(snapshot.notices) == "00000000")
        #expect(Self.hex(snapshot.other) == "00000000" + "7017000000000000" + "01000000" + "01000000" + "00000000")
        #expect(Self.hex(snapshot.units) == "03000000534e31" + "00" + "00" + "00" + "010000004d" + "020000004431" + "00"
                + "00000000" + "b44e0000" + "0400000000000000" + "01" + "b84e0000" + "0500000000000000" + "00" + "00"
                + "01000000" + "020000004331" + "00" + "d34e0000" + "0600000000000000"
                + "01000000" + "020000005631" + "020000004431" + "01" + "020000004331" + "00" + "00" + "3c000000"
                + "0000000000000000" + "01" + "d44e0000" + "0700000000000000" + "01" + "7017000000000000"
                + "00000000")
        #expect(snapshot.unitIndex == [UnitIndexEntry(serial: "SN1", offset: 0, length: snapshot.units.count)])
    }
}
