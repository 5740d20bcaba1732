#if canImport(Glibc)
import Glibc
#endif
@testable import Ledger
import JSONText
import Testing
import WarrantyDomain
import WarrantyProjections

/// `claims --dealer` and `units --dealer` read only that dealer's records from the snapshot; they must answer
/// like the whole state, whatever the tail after the snapshot brings, and fall back when they cannot.
@Suite(.serialized) struct DealerStateTests {
    static let lines = generatedLines(units: 400, seed: 11)

    static func expectSameAnswers(_ ledger: Ledger, dealer: String, knownAt: Int64 = .max, days: [Day] = sampleDays,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let whole = try ledger.state(knownAt: knownAt)
        let partial = try ledger.state(forDealer: dealer, knownAt: knownAt)
        for day in days {
            #expect(partial.claimLines(on: day, dealer: dealer) == whole.claimLines(on: day, dealer: dealer),
                    "\(dealer) on \(day)", sourceLocation: sourceLocation)
            #expect(partial.unitStatuses(on: day, dealer: dealer) == whole.unitStatuses(on: day, dealer: dealer),
                    "\(dealer) on \(day)", sourceLocation: sourceLocation)
            #expect(partial.dealerBalances(on: day).first { $0.dealer == dealer } == whole.dealerBalances(on: day).first { $0.dealer == dealer },
                    "\(dealer) on \(day)", sourceLocation: sourceLocation)
        }
    }

    /// The answers over every dealer (`Ledger.claimLines(on:knownAt:)`, `dealerBalances`, `archive`, `unitStatuses`),
    /// gathered one dealer's state at a time, equal the whole state's. Returns how many dealer states they took.
    @discardableResult
    static func expectSameAnswersOverEveryDealer(_ ledger: Ledger, knownAt: Int64 = .max, days: [Day] = sampleDays,
                                                 sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let whole = try ledger.state(knownAt: knownAt)
        let taken = StateSpillTests.Counter()
        try Ledger.$dealerStateTaken.withValue({ _ in taken.add() }) {
            for day in days {
                #expect(try ledger.claimLines(on: day, knownAt: knownAt) == whole.claimLines(on: day), "\(day)", sourceLocation: sourceLocation)
                let balances = try ledger.dealerBalances(on: day, knownAt: knownAt)
                #expect(balances.map(\.balance) == whole.dealerBalances(on: day), "\(day)", sourceLocation: sourceLocation)
                #expect(balances.map(\.name) == whole.dealerBalances(on: day).map { whole.dealerName($0.dealer) },
                        "\(day)", sourceLocation: sourceLocation)
                #expect(try ledger.archive(on: day, knownAt: knownAt) == whole.archive(on: day), "\(day)", sourceLocation: sourceLocation)
                #expect(try ledger.unitStatuses(on: day, knownAt: knownAt) == whole.unitStatuses(on: day), "\(day)",
                        sourceLocation: sourceLocation)
                #expect(try ledger.unitStatuses(on: day, state: .repair, knownAt: knownAt) == whole.unitStatuses(on: day, state: .repair),
                        "\(day)", sourceLocation: sourceLocation)
            }
        }
        return taken.value
    }

    @Test func everyDealerFromTheSnapshotAndItsTailAnswersLikeTheWholeState() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try snapshotLedger(base: Self.lines[..<3_000], tail: Self.lines[3_000...], scratch: scratch)   // a tail of about 1,400 events
        let whole = try ledger.state()
        let dealers = whole.dealerBalances(on: Day("2031-01-01")!).map(\.dealer)
        #expect(dealers.count >= 20)
        var smaller = 0
        for dealer in dealers {
            try Self.expectSameAnswers(ledger, dealer: dealer)
            let held = try ledger.state(forDealer: dealer).unitStatuses(on: Day("2031-01-01")!).count
            if held < whole.unitStatuses(on: Day("2031-01-01")!).count { smaller += 1 }
        }
        #expect(smaller == dealers.count, "each dealer was answered from its own records, not the whole state")
        // Known-at views: inside the tail (from the snapshot) and before the snapshot (the whole fold).
        for knownAt: Int64 in [3_200, 2_000] {
            for dealer in dealers.prefix(5) { try Self.expectSameAnswers(ledger, dealer: dealer, knownAt: knownAt) }
        }
        // The answers over every dealer: one dealer's state at a time (five answers on each day), but before the
        // snapshot from the whole fold.
        let enrolled = whole.dealerIDs.count
        #expect(enrolled >= dealers.count)
        #expect(try Self.expectSameAnswersOverEveryDealer(ledger) == 5 * sampleDays.count * enrolled)
        #expect(try Self.expectSameAnswersOverEveryDealer(ledger, knownAt: 3_200) == 5 * sampleDays.count * enrolled)
        #expect(try Self.expectSameAnswersOverEveryDealer(ledger, knownAt: 2_000) == 0)
        // A tail longer than an answer holds: the whole fold too.
        #expect(try Ledger.$heldTailBytes.withValue(100_000) { try Self.expectSameAnswersOverEveryDealer(ledger, days: [sampleDays[3]]) } == 0)
        #expect(try Ledger.$heldTailBytes.withValue(1_000_000) { try Self.expectSameAnswersOverEveryDealer(ledger, days: [sampleDays[3]]) } == 5 * enrolled)
        // The rows are sorted by id as the answers say, and the lines of all dealers are there.
        let lines = try ledger.claimLines(on: Day("2031-01-01")!)
        #expect(lines.count > 1_000 && Set(lines.map(\.dealer)).count == dealers.count)
        #expect(zip(lines, lines.dropFirst()).allSatisfy { pair in
            let (left, right) = (Array(pair.0.line.utf8), Array(pair.1.line.utf8))
            return left.lexicographicallyPrecedes(right) || (left == right && pair.0.kind == .labor && pair.1.kind == .part)
        })
        #expect(try ledger.state(forDealer: "NO-SUCH-DEALER").dealerName("NO-SUCH-DEALER") == nil)
        // A statement of one dealer (from its own units) equals that dealer's statement among all of them (from the whole state).
        let from = Day("2024-01-01")!, to = Day("2025-06-30")!
        let all = try ledger.statements(dealers: nil, from: from, to: to)
        for dealer in dealers {
            let alone = try ledger.statement(dealer: dealer, from: from, to: to)
            #expect(all.first { $0.dealer == dealer }.map { JSONWriter.string(AnswerJSON.statement($0)) }
                    == JSONWriter.string(AnswerJSON.statement(alone)), "\(dealer)")
        }
    }

    @Test func unitsTheTailBringsIntoADealersScopeAreFolded() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(OneUnitPathTests.base + [#"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D2","name":"泰安维修中心"}}"#,
                                            #"{"type":"unit.sold","at":"2025-02-03","data":{"serial":"SN0","model":"M","dealer":"D2","price":100000}}"#],
                   to: ledger, scratch: scratch)
        _ = try ledger.rebuild()
        try append([
            // D2 visits SN1, which D1 sold: SN1 enters D2's scope only through the tail.
            #"{"type":"complaint.lodged","at":"2025-04-01","data":{"complaint":"C1","serial":"SN1","fault":"异响"}}"#,
            #"{"type":"visit.recorded","at":"2025-04-03","data":{"visit":"V1","serial":"SN1","dealer":"D2","complaint":"C1","kind":"repair","finding":"defect","laborMinutes":90,"travel":1000,"resolved":true}}"#,
            #"{"type":"part.swapped","at":"2025-04-03","data":{"swap":"S1","visit":"V1","serial":"SN1","part":"gear","cost":30000}}"#,
            // SN2, D1's, is exchanged; the replacement is D1's too and D1 visits it.
            #"{"type":"unit.exchanged","at":"2025-04-10","data":{"serial":"SN2","replacement":"SN2-R"}}"#,
            #"{"type":"complaint.lodged","at":"2025-05-01","data":{"complaint":"C2","serial":"SN2-R","fault":"漏油"}}"#,
            #"{"type":"visit.recorded","at":"2025-05-02","data":{"visit":"V2","serial":"SN2-R","dealer":"D1","complaint":"C2","kind":"repair","finding":"defect","laborMinutes":60,"travel":0,"resolved":true}}"#,
            // D2 sells a new unit.
            #"{"type":"unit.sold","at":"2025-05-05","data":{"serial":"SN3","model":"M","dealer":"D2","price":100000}}"#,
        ], to: ledger, scratch: scratch)
        let days = ["2025-02-01", "2025-04-03", "2025-04-20", "2025-05-02", "2025-06-01", "2026-06-01"].map { Day($0)! }
        for dealer in ["D1", "D2"] { try Self.expectSameAnswers(ledger, dealer: dealer, days: days) }
        let day = Day("2025-06-01")!
        #expect(try ledger.state(forDealer: "D2").claimLines(on: day, dealer: "D2").map(\.line) == ["S1", "V1"])
        #expect(try ledger.state(forDealer: "D1").claimLines(on: day, dealer: "D1").map(\.line) == ["V2"])
        #expect(try ledger.state(forDealer: "D2").unitStatuses(on: day).map(\.serial) == ["SN0", "SN1", "SN3"],
                "D2's own units and the unit it visited, not D1's others")
        try Self.expectSameAnswersOverEveryDealer(ledger, days: days)
    }

    /// A dealer enrolled after the snapshot, with its sale and repair: the answers over every dealer take its state too.
    @Test func aDealerEnrolledAfterTheSnapshotIsInTheAnswersOverEveryDealer() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try snapshotLedger(base: OneUnitPathTests.base, tail: [
            #"{"type":"dealer.enrolled","at":"2025-03-01","data":{"dealer":"D4","name":"济南新店"}}"#,
            #"{"type":"unit.sold","at":"2025-03-02","data":{"serial":"SN7","model":"M","dealer":"D4","price":100000}}"#,
            #"{"type":"complaint.lodged","at":"2025-04-01","data":{"complaint":"C8","serial":"SN7","fault":"异响"}}"#,
            #"{"type":"visit.recorded","at":"2025-04-03","data":{"visit":"V8","serial":"SN7","dealer":"D4","complaint":"C8","kind":"repair","finding":"defect","laborMinutes":60,"travel":0,"resolved":true}}"#,
        ], scratch: scratch)
        let days = ["2025-03-01", "2025-04-03", "2025-06-01"].map { Day($0)! }
        #expect(try Self.expectSameAnswersOverEveryDealer(ledger, days: days) == 5 * days.count * 2, "D1 and D4")
        let day = Day("2025-06-01")!
        #expect(try ledger.claimLines(on: day).filter { $0.dealer == "D4" }.map(\.line) == ["V8"])
        #expect(try ledger.dealerBalances(on: day).map(\.name) == ["济南服务站", "济南新店"])
        #expect(try ledger.unitStatuses(on: day).filter { $0.dealer == "D4" }.map(\.serial) == ["SN7"])
        #expect(try ledger.archive(on: day).filter { $0.dealer == "D4" }.map(\.record) == ["C8"])
    }

    /// A serial written in another Unicode normalization names the same unit but another stream: the paths that
    /// read only some streams still see its events.
    @Test func eventsNamingASerialInAnotherNormalizationAreFolded() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(OneUnitPathTests.base + [#"{"type":"unit.sold","at":"2025-02-03","data":{"serial":"SN\u00c9","model":"M","dealer":"D1","price":100000}}"#],
                   to: ledger, scratch: scratch)
        _ = try ledger.rebuild()
        try append([   // the same serial, decomposed: E + U+0301
            #"{"type":"card.registered","at":"2025-02-05","data":{"serial":"SNE\u0301"}}"#,
            #"{"type":"complaint.lodged","at":"2025-04-01","data":{"complaint":"C9","serial":"SNE\u0301","fault":"异响"}}"#,
            #"{"type":"visit.recorded","at":"2025-04-03","data":{"visit":"V9","serial":"SNE\u0301","dealer":"D1","complaint":"C9","kind":"repair","finding":"defect","laborMinutes":90,"travel":1000,"resolved":true}}"#,
        ], to: ledger, scratch: scratch)
        let days = ["2025-02-04", "2025-04-03", "2025-06-01"].map { Day($0)! }
        try Self.expectSameAnswers(ledger, dealer: "D1", days: days)
        let whole = try ledger.state()
        for day in days {
            #expect(try ledger.state(forUnit: "SN\u{00C9}").unitStatus(serial: "SN\u{00C9}", on: day) == whole.unitStatus(serial: "SN\u{00C9}", on: day))
        }
        #expect(whole.unitStatus(serial: "SN\u{00C9}", on: days[2])?.registration == .onTime)
        #expect(try ledger.state(forDealer: "D1").claimLines(on: days[2], dealer: "D1").map(\.line) == ["V9"])
        let from = Day("2025-01-01")!, to = Day("2025-06-30")!
        #expect(JSONWriter.string(AnswerJSON.statement(try ledger.statement(dealer: "D1", from: from, to: to)))
                == JSONWriter.string(AnswerJSON.statement(try ledger.statements(dealers: nil, from: from, to: to)[0])))
    }

    @Test func aDealerIdInAnotherNormalizationFindsTheDealersUnits() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(OneUnitPathTests.base + [
            #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D\u00c9","name":"测试"}}"#,
            #"{"type":"unit.sold","at":"2025-02-03","data":{"serial":"SN9","model":"M","dealer":"D\u00c9","price":100000}}"#,
        ], to: ledger, scratch: scratch)
        _ = try ledger.rebuild()
        let day = Day("2025-03-01")!
        let decomposed = "DE\u{0301}"
        #expect(try ledger.state(forDealer: decomposed).unitStatuses(on: day, dealer: decomposed).map(\.serial) == ["SN9"])
        try Self.expectSameAnswers(ledger, dealer: decomposed, days: [day])
    }

    /// A unit another dealer sold before the snapshot, visited by D2 after it: read from the snapshot by its serial.
    /// When that serial is spelt in another normalization than the record, or the record is damaged, D2's answers
    /// come from the whole fold; they are never refused as a forged log.
    @Test(arguments: ["spelling", "damage"])
    func aUnitTheTailBringsInThatTheSnapshotCannotGiveFallsBack(_ case: String) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append([
            OneUnitPathTests.base[0], OneUnitPathTests.base[1],
            #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D2","name":"泰安维修中心"}}"#,
            #"{"type":"unit.sold","at":"2025-02-03","data":{"serial":"SN\u00c9","model":"M","dealer":"D1","price":100000}}"#,
        ], to: ledger, scratch: scratch)
        _ = try ledger.rebuild()
        let serial = `case` == "spelling" ? "SNE\\u0301" : "SN\\u00c9"
        try append([
            #"{"type":"complaint.lodged","at":"2025-04-01","data":{"complaint":"C9","serial":"\#(serial)","fault":"异响"}}"#,
            #"{"type":"visit.recorded","at":"2025-04-03","data":{"visit":"V9","serial":"\#(serial)","dealer":"D2","complaint":"C9","kind":"repair","finding":"defect","laborMinutes":90,"travel":1000,"resolved":true}}"#,
        ], to: ledger, scratch: scratch)
        if `case` == "damage" {
            // The snapshot holds one unit record: flip a byte in its middle.
            let path = ledger.folder + "/" + SnapshotFile.fileName
            var bytes = try #require(readFile(path))
            func field(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
            let units = 80 + 24 * SnapshotFile.Section.units.rawValue
            bytes[field(units) + field(units + 8) / 2] ^= 0x01
            writeFile(path, bytes)
        }
        let day = Day("2025-06-01")!
        #expect(try ledger.state(forDealer: "D2").claimLines(on: day, dealer: "D2").map(\.line) == ["V9"])
        try Self.expectSameAnswers(ledger, dealer: "D2", days: [Day("2025-04-03")!, day])
        // D2's state cannot come from the snapshot, so every dealer's rows come from the whole state; D1's state
        // came from it before, unless the damaged record is its unit's.
        #expect(try Self.expectSameAnswersOverEveryDealer(ledger, days: [Day("2025-04-03")!, day]) == (`case` == "spelling" ? 5 * 2 : 0))
    }

    /// A unit of D in the snapshot, its sale voided after it, and its serial brought back as another dealer's replacement.
    @Test func aSerialVoidedAndBroughtBackByAnExchangeAfterTheSnapshot() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try snapshotLedger(base: OneUnitPathTests.base + [
            #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D3","name":"德州农机站"}}"#,
            #"{"type":"unit.sold","at":"2025-02-03","data":{"serial":"SN5","model":"M","dealer":"D3","price":100000}}"#,
        ], tail: [
            #"{"type":"event.voided","at":"2025-03-01","data":{"seq":4,"reason":"sold twice"}}"#,   // SN2, sold by D1
            #"{"type":"unit.exchanged","at":"2025-03-02","data":{"serial":"SN5","replacement":"SN2"}}"#,
            #"{"type":"complaint.lodged","at":"2025-04-01","data":{"complaint":"C7","serial":"SN2","fault":"异响"}}"#,
            #"{"type":"visit.recorded","at":"2025-04-03","data":{"visit":"V7","serial":"SN2","dealer":"D1","complaint":"C7","kind":"repair","finding":"defect","laborMinutes":60,"travel":0,"resolved":true}}"#,
        ], scratch: scratch)
        let days = ["2025-03-01", "2025-03-02", "2025-05-01"].map { Day($0)! }
        for dealer in ["D1", "D3"] { try Self.expectSameAnswers(ledger, dealer: dealer, days: days) }
        try Self.expectSameAnswersOverEveryDealer(ledger, days: days)
    }

    @Test func aDamagedDealerIndexFallsBackToTheWholeState() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try snapshotLedger(base: Self.lines[..<1_500], scratch: scratch)
        let path = ledger.folder + "/" + SnapshotFile.fileName
        var bytes = try #require(readFile(path))
        func field(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        let section = 80 + 24 * SnapshotFile.Section.dealerIndex.rawValue
        let start = field(section), length = field(section + 8)
        #expect(length > 4 && start + length <= bytes.count)
        bytes[start + length / 2] ^= 0x01
        writeFile(path, bytes)
        let dealer = try ledger.state().dealerBalances(on: Day("2031-01-01")!)[0].dealer
        let partial = try ledger.state(forDealer: dealer)
        #expect(partial.unitStatuses(on: Day("2031-01-01")!).count == (try ledger.state()).unitStatuses(on: Day("2031-01-01")!).count,
                "the whole state, not a partial one")
        try Self.expectSameAnswers(ledger, dealer: dealer)
        #expect(try Self.expectSameAnswersOverEveryDealer(ledger) == 0, "the whole state, not one dealer's at a time")
    }
}
