#if canImport(Glibc)
import Glibc
#endif
@testable import Ledger
import LedgerGenerator
import Testing
import WarrantyDomain
import WarrantyProjections

/// Snapshots are caches: whatever they hold, every answer equals the answer folded from the log alone.
@Suite(.serialized) struct SnapshotPropertyTests {
    static let lines = generatedLines(units: 400, seed: 11)

    /// A ledger appended in batches, with a rebuild (and so a snapshot) after every batch but the last.
    func ledger(splits: [Int], scratch: String) throws -> Ledger {
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        var start = 0
        for (index, end) in (splits + [Self.lines.count]).enumerated() {
            try append(Self.lines[start..<end], to: ledger, scratch: scratch)
            if index < splits.count { _ = try ledger.rebuild() }
            start = end
        }
        return ledger
    }

    @Test(arguments: [[1], [1_000], [2_500, 4_000], [Self.lines.count - 1]])
    func snapshotPlusTailEqualsTheFoldFromTheFirstEvent(splits: [Int]) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try ledger(splits: splits, scratch: scratch)
        let fromSnapshot = try ledger.fold()
        #expect(fromSnapshot.snapshotSeq == Int64(splits.last!))
        let fromScratch = try ledger.fold(knownAt: Int64(splits.last!) - 1)   // before the snapshot: folds from seq 1
        #expect(fromScratch.snapshotSeq == 0)
        // The same events folded without any snapshot.
        let plain = try Ledger.create(folder: scratch + "/plain", timeZone: TimeZoneOffset("+08:00")!)
        defer { removeFolder(scratch + "/plain") }
        try append(Self.lines, to: plain, scratch: scratch)
        let scratchFold = try plain.fold()
        #expect(scratchFold.snapshotSeq == 0)
        #expect(fromSnapshot.state.snapshot() == scratchFold.state.snapshot())
        for day in sampleDays {
            #expect(Answers(fromSnapshot.state, on: day) == Answers(scratchFold.state, on: day), "on \(day)")
        }
    }

    @Test func oneUnitFromTheSnapshotAnswersLikeTheWholeState() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try ledger(splits: [3_000], scratch: scratch)   // a tail of about 1,400 events after the snapshot
        let whole = try ledger.state()
        let serials = whole.unitStatuses(on: Day("2031-01-01")!).map(\.serial)
        #expect(serials.count >= 400)
        // Every unit (those sold or exchanged in after the snapshot too), serials that do not exist, and the last
        // serials spelt with a character in another normalization (which no unit has).
        let fallbacks = ScopedAppendTests.Fallbacks()
        for serial in serials + ["NO-SUCH-SERIAL", "SN-E\u{0301}"] {
            let partial = try fallbacks.watching { try ledger.state(forUnit: serial) }
            for day in sampleDays {
                #expect(partial.unitStatus(serial: serial, on: day) == whole.unitStatus(serial: serial, on: day), "\(serial) on \(day)")
            }
            #expect(partial.unitSerials.count < 10, "\(serial) was answered from its own records")
        }
        #expect(fallbacks.reasons.isEmpty, "\(fallbacks.reasons)")
        #expect(fallbacks.opened == serials.count + 2, "every answer came from a scope")
    }

    @Test func aDamagedSnapshotIsIgnoredAndReplacedByRebuild() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try ledger(splits: [2_000], scratch: scratch)
        let expected = try ledger.fold().state.snapshot()
        let path = ledger.folder + "/state.snapshot"
        var bytes = try #require(readFile(path))
        bytes[bytes.count / 2] ^= 0x40
        writeFile(path, bytes)
        #expect(throws: LedgerError.self) { try ledger.verify() }
        let fold = try ledger.fold()
        #expect(fold.snapshotSeq == 0)
        #expect(fold.state.snapshot() == expected)
        #expect(try ledger.rebuild().stored == .damaged)
        #expect(try ledger.verify().snapshotSeq == Int64(Self.lines.count))
        #expect(try ledger.rebuild().stored == .equal(seq: Int64(Self.lines.count)))
    }

    /// `--known-at N` answers exactly what a ledger holding only the first N events answers.
    @Test(arguments: [1, 150, 1_234, 3_333, 5_000])
    func knownAtEqualsTheLedgerOfTheFirstEvents(count: Int) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch + "/prefix"); removeFolder(scratch) }
        let ledger = try ledger(splits: [2_000], scratch: scratch)
        let prefix = try Ledger.create(folder: scratch + "/prefix", timeZone: TimeZoneOffset("+08:00")!)
        try append(Self.lines.prefix(count), to: prefix, scratch: scratch)
        let known = try ledger.state(knownAt: Int64(count))
        let alone = try prefix.state()
        for day in sampleDays {
            #expect(Answers(known, on: day) == Answers(alone, on: day), "first \(count) events on \(day)")
        }
    }

    @Test func everyDealerClaimEqualsTheSumOfItsParts() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let state = try ledger(splits: [], scratch: scratch).state()
        for day in sampleDays {
            for row in state.dealerBalances(on: day) {
                #expect(row.claimed == row.pending + row.approved + row.rejected + row.writtenOff + row.deducted, "\(row.dealer) on \(day)")
            }
        }
    }
}

func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return bytes
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let file = fopen(path, "wb")!
    _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

/// The one-unit path reads a few records from the snapshot; it must answer like the whole state, and fall back when it cannot.
@Suite struct OneUnitPathTests {
    static let base = [
        #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["M"],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":6000}}"#,
        #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D1","name":"济南服务站"}}"#,
        #"{"type":"unit.sold","at":"2025-02-01","data":{"serial":"SN1","model":"M","dealer":"D1","price":100000}}"#,
        #"{"type":"unit.sold","at":"2025-02-02","data":{"serial":"SN2","model":"M","dealer":"D1","price":100000}}"#,
        #"{"type":"card.registered","at":"2025-02-05","data":{"serial":"SN1"}}"#,
    ]
    static let tail = [
        #"{"type":"dealer.enrolled","at":"2025-03-01","data":{"dealer":"D2","name":"泰安维修中心"}}"#,
        #"{"type":"complaint.lodged","at":"2025-04-01","data":{"complaint":"C1","serial":"SN1","fault":"异响"}}"#,
        #"{"type":"visit.recorded","at":"2025-04-03","data":{"visit":"V1","serial":"SN1","dealer":"D2","complaint":"C1","kind":"repair","finding":"defect","laborMinutes":90,"travel":1000,"resolved":true}}"#,
        #"{"type":"part.swapped","at":"2025-04-03","data":{"swap":"S1","visit":"V1","serial":"SN1","part":"gear","cost":30000}}"#,
        #"{"type":"unit.exchanged","at":"2025-04-10","data":{"serial":"SN2","replacement":"SN2-R"}}"#,
    ]

    /// A ledger in `scratch` holding `base`, a snapshot of it, then `tail`.
    static func ledger(tail: [String], scratch: String) throws -> Ledger {
        try snapshotLedger(base: Self.base, tail: tail, scratch: scratch)
    }

    /// Each serial's status from its own records equals the whole state's on each day; each answer held at most 2 units.
    static func expectSameStatus(_ ledger: Ledger, _ serials: [String], days: [String],
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let whole = try ledger.state()
        for serial in serials {
            let partial = try ledger.state(forUnit: serial)
            #expect(partial.unitSerials.count <= 2, "\(serial) was answered from its own records", sourceLocation: sourceLocation)
            for day in days.map({ Day($0)! }) {
                #expect(partial.unitStatus(serial: serial, on: day) == whole.unitStatus(serial: serial, on: day), "\(serial) on \(day)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    /// A serial the snapshot holds, whose sale is voided after it and which an exchange then brings back as a
    /// replacement: its introduction is in the stream of the unit it replaced.
    @Test func aSerialVoidedAndBroughtBackByAnExchangeAfterTheSnapshotIsAnswered() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Self.ledger(tail: [
            #"{"type":"event.voided","at":"2025-03-01","data":{"seq":4,"reason":"sold twice"}}"#,
            #"{"type":"unit.exchanged","at":"2025-03-02","data":{"serial":"SN1","replacement":"SN2"}}"#,
            #"{"type":"complaint.lodged","at":"2025-04-01","data":{"complaint":"C7","serial":"SN2","fault":"异响"}}"#,
        ], scratch: scratch)
        try Self.expectSameStatus(ledger, ["SN1", "SN2"], days: ["2025-02-03", "2025-03-01", "2025-03-02", "2025-05-01"])
        #expect(try ledger.state().unitStatus(serial: "SN2", on: Day("2025-05-01")!)?.replacementOf == "SN1")
    }

    @Test func aDealerEnrolledAfterTheSnapshotCanWorkOnAUnitInIt() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Self.ledger(tail: Self.tail, scratch: scratch)
        try Self.expectSameStatus(ledger, ["SN1", "SN2", "SN2-R", "SN3"], days: ["2025-02-01", "2025-04-02", "2025-04-05", "2025-05-01", "2026-06-01"])
        #expect(try ledger.state().unitStatus(serial: "SN1", on: Day("2025-05-01")!)?.extensionDays == 2)
    }

    @Test func aUnitResoldAfterTheSnapshotUnderAPolicyPublishedAfterItIsAnswered() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        // SN2's sale (seq 4) voided, a policy published for model N, SN2 sold again as an N.
        let ledger = try Self.ledger(tail: [
            #"{"type":"event.voided","at":"2025-03-01","data":{"seq":4,"reason":"wrong model"}}"#,
            #"{"type":"policy.published","at":"2025-03-01","data":{"policy":"P2","models":["N"],"effective":"2025-03-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":24,"laborRate":6000}}"#,
            #"{"type":"unit.sold","at":"2025-03-02","data":{"serial":"SN2","model":"N","dealer":"D1","price":120000}}"#,
        ], scratch: scratch)
        let day = Day("2025-06-01")!
        let status = try #require(try ledger.state(forUnit: "SN2").unitStatus(serial: "SN2", on: day))
        #expect(status == (try ledger.state()).unitStatus(serial: "SN2", on: day))
        #expect(status.policy == "P2" && status.end == Day("2027-03-01")!, "addMonths(2025-03-02, 24) − 1 day")
    }

    @Test func aDamagedUnitIndexFallsBackToTheWholeState() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(Self.base + Self.tail, to: ledger, scratch: scratch)
        _ = try ledger.rebuild()
        let whole = try ledger.state()
        let path = ledger.folder + "/state.snapshot"
        let original = try #require(readFile(path))
        let day = Day("2025-05-01")!
        // Damage every byte of the units section and of the unit index (sections 4 and 5 of the header's table).
        func field(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(original[at + $1]) << (8 * $1) } }
        let unitsStart = field(80 + 4 * 24)
        let indexEnd = field(80 + 5 * 24) + field(80 + 5 * 24 + 8)
        #expect(unitsStart > 300 && indexEnd > unitsStart && indexEnd <= original.count)
        for position in unitsStart..<indexEnd {
            var damaged = original
            damaged[position] ^= 0xFF
            writeFile(path, damaged)
            for serial in ["SN1", "SN2", "SN2-R"] {
                #expect(try ledger.state(forUnit: serial).unitStatus(serial: serial, on: day) == whole.unitStatus(serial: serial, on: day),
                        "\(serial) with byte \(position) damaged")
            }
        }
        writeFile(path, original)
    }
}

/// The ledger's files are its owner's alone: the folder 0700, every file 0600, whatever the umask allows more.
@Suite struct PermissionTests {
    @Test func theFolderAndEveryFileAreTheOwnersOnly() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let previous = umask(0)
        defer { umask(previous) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(OneUnitPathTests.base, to: ledger, scratch: scratch)
        _ = try ledger.rebuild()
        func mode(_ path: String) -> mode_t {
            var info = stat()
            #expect(stat(path, &info) == 0, "\(path)")
            return info.st_mode & 0o777
        }
        #expect(mode(ledger.folder) == 0o700)
        let names = ["LEDGER", "lock", "00000000000000000001.seg", "state.snapshot"]
        for name in names {
            #expect(mode(ledger.folder + "/" + name) == 0o600, "\(name)")
        }
    }
}
