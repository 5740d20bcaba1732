#if canImport(Glibc)
import Glibc
#endif
@testable import Ledger
import Foundation
import LedgerLog
import Testing
import WarrantyDomain

/// `append` on a ledger with a snapshot checks the batch against a scoped fold that loads from the snapshot only
/// what the events need. It must accept, refuse and store exactly what the whole fold does: two ledgers fed the
/// same batches, one scoped and one whole, must keep the same head hash and give the same refusals.
@Suite(.serialized) struct ScopedAppendTests {
    static let lines = generatedLines(units: 400, seed: 11)

    /// Two ledgers in lockstep: `scoped` appends as `append` does, `whole` with the whole fold.
    struct Pair {
        let scratch = temporaryFolder()
        let scoped: Ledger
        let whole: Ledger
        var clock: Int64 = 1_700_000_000_000_000

        init() throws {
            scoped = try Ledger.create(folder: scratch + "/scoped", timeZone: TimeZoneOffset("+08:00")!)
            whole = try Ledger.create(folder: scratch + "/whole", timeZone: TimeZoneOffset("+08:00")!)
        }

        /// Appends the first `count` generated lines to both, then stores a snapshot of each.
        mutating func snapshot(after count: Int) throws {
            _ = try append(ScopedAppendTests.lines[..<count])
            _ = try scoped.rebuild()
            _ = try whole.rebuild()
        }

        /// Changes the scoped ledger's snapshot file: `change` gets its bytes and the start and length of `section`.
        func damageSnapshot(_ section: SnapshotFile.Section, _ change: (inout [UInt8], Int, Int) -> Void) throws {
            let path = scoped.folder + "/" + SnapshotFile.fileName
            var bytes = try #require(readFile(path))
            func field(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
            let entry = 80 + 24 * section.rawValue
            change(&bytes, field(entry), field(entry + 8))
            writeFile(path, bytes)
        }

        /// The scoped ledger's snapshot with the events after it folded in scope, written over it, must be the
        /// very bytes of the whole fold's snapshot (the whole ledger's log is the same).
        func expectMergedSnapshotIsTheWholeOnes(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let (file, reader) = try #require(SnapshotFile.open(folder: scoped.folder))
            let scope = try #require(SnapshotScope(file: file, reader: reader))
            var fold = try #require(scope.emptyFold())
            try scoped.foldTail(&fold, after: file.lastRecord, knownAt: .max, scope: scope)
            let summary = try scoped.logReader().scan(from: Int64.max)
            try SnapshotFile.write(fold, over: scope.mergeBase, head: summary.head, lastRecord: summary.lastRecord,
                                   path: scratch + "/merged")
            try SnapshotFile.write(try whole.fold(), head: summary.head, lastRecord: summary.lastRecord, path: scratch + "/whole.snapshot")
            let merged = try #require(readFile(scratch + "/merged")), expected = try #require(readFile(scratch + "/whole.snapshot"))
            let same = merged == expected
            let difference = zip(merged, expected).enumerated().first { $1.0 != $1.1 }?.offset ?? -1
            #expect(same, "\(merged.count) bytes against \(expected.count); the first difference at byte \(difference)",
                    sourceLocation: sourceLocation)
            #expect(fold.lastSeq > file.lastSeq, "the test folds a tail", sourceLocation: sourceLocation)
        }

        func remove() {
            for name in ["scoped", "whole"] { removeFolder(scratch + "/" + name) }
            removeFolder(scratch)
        }

        /// Appends the lines to both with the same recorded time; the outcome: the report, or the error's text.
        /// With a snapshot in the scoped ledger, its append must open a scope (`expectScoped: false` when it must not).
        mutating func append(_ lines: some Collection<String>, expectedFallbacks: Int = 0, expectScoped: Bool? = nil,
                             sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let scopedExpected = expectScoped ?? (SnapshotFile.open(folder: scoped.folder) != nil)
            clock += 1_000_000
            let path = scratch + "/input.jsonl"
            let file = fopen(path, "w")!
            let text = lines.joined(separator: "\n") + "\n"
            _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
            fclose(file)
            defer { unlink(path) }
            func outcome(_ ledger: Ledger) -> String {
                do {
                    let report = try ledger.append(try LineReader(path: path), recordedMicroseconds: clock)
                    return "appended \(report.appended), duplicates \(report.duplicates), head \(report.head)"
                } catch {
                    return "\(error)"
                }
            }
            let fallbacks = Fallbacks()
            let scopedOutcome = fallbacks.watching { outcome(scoped) }
            #expect(fallbacks.reasons.count == expectedFallbacks, "\(fallbacks.reasons)", sourceLocation: sourceLocation)
            #expect((fallbacks.opened > 0) == scopedExpected, "scopes opened: \(fallbacks.opened)", sourceLocation: sourceLocation)
            let wholeOutcome = Ledger.$scopedFolds.withValue(false) { outcome(whole) }
            #expect(scopedOutcome == wholeOutcome, sourceLocation: sourceLocation)
            return scopedOutcome
        }
    }

    /// The reasons the scoped fold handed a batch to the whole fold.
    final class Fallbacks: @unchecked Sendable {
        private(set) var reasons: [String] = []
        /// How many times a scoped fold's snapshot was opened.
        private(set) var opened = 0
        func add(_ reason: String) { reasons.append(reason) }

        /// Runs `body`, recording the fallbacks and the scopes opened meanwhile.
        func watching<T>(_ body: () throws -> T) rethrows -> T {
            try Ledger.$scopeOpened.withValue({ self.opened += 1 }) {
                try Ledger.$scopeFallback.withValue({ self.add($0) }) { try body() }
            }
        }
    }

    @Test func batchesAfterASnapshotAreStoredExactlyAsTheWholeFoldStoresThem() throws {
        var pair = try Pair()
        defer { pair.remove() }
        try pair.snapshot(after: 2_000)
        // A tail after the snapshot, then batches of many sizes on top of it.
        var start = 2_000
        for size in [600, 1, 2, 7, 50, 300, 1, 13, 900] {
            let end = min(Self.lines.count, start + size)
            let outcome = try pair.append(Self.lines[start..<end])
            #expect(outcome.hasPrefix("appended \(end - start)"), "\(outcome)")
            start = end
        }
        _ = try pair.append(Self.lines[start...])
        // Resent lines (those with an idempotency key) are duplicates in both.
        let resent = Self.lines[100..<400].filter { $0.contains("\"id\":") }
        let outcome = try pair.append(resent)
        #expect(outcome.hasPrefix("appended 0, duplicates \(resent.count)"), "\(outcome)")
        try pair.expectMergedSnapshotIsTheWholeOnes()
    }

    @Test func refusalsAfterASnapshotAreTheWholeFoldsRefusals() throws {
        var pair = try Pair()
        defer { pair.remove() }
        try pair.snapshot(after: 3_000)
        _ = try pair.append(Self.lines[3_000..<3_400])
        let later = Array(Self.lines[3_400...])
        // Every later event with its identifiers swapped for those of other events: unknown, duplicate, of
        // another unit or dealer; each alone, so that each is accepted or refused on its own.
        let fields = ["serial", "complaint", "visit", "swap", "notice", "dealer", "replacement"]
        var values: [String: [String]] = [:]
        for line in Self.lines { for field in fields { if let value = Self.value(of: field, in: line) { values[field, default: []].append(value) } } }
        var refused = 0
        var accepted = 0
        for (number, line) in later.enumerated() where number % 29 == 0 {
            for (index, field) in fields.enumerated() {
                guard let value = Self.value(of: field, in: line), let pool = values[field] else { continue }
                let other = pool[(number * 7 + index * 13) % pool.count]
                let mutated = line.replacingOccurrences(of: "\"\(field)\":\"\(value)\"", with: "\"\(field)\":\"\(other)\"")
                    .replacingOccurrences(of: "\"id\":\"", with: "\"id\":\"m\(number)-\(index)-")
                let outcome = try pair.append([mutated])
                if outcome.hasPrefix("appended 1") { accepted += 1 } else { refused += 1 }
            }
        }
        // Voids of every stored event after the snapshot and of a sample before it, late enough to pass the dating rule.
        for seq in Array(stride(from: 1, to: 3_000, by: 151)) + Array(stride(from: 3_001, through: 3_400, by: 9)) {
            let void = #"{"type":"event.voided","at":"2030-01-01","data":{"seq":\#(seq),"reason":"test"}}"#
            if try pair.append([void]).hasPrefix("appended 1") { accepted += 1 } else { refused += 1 }
        }
        // Line ids of other dealers, on notices already, or not approved.
        let lineIDs = (values["visit"] ?? []) + (values["swap"] ?? [])
        for (number, dealer) in Set(values["dealer"] ?? []).sorted().prefix(12).enumerated() {
            let ids = (0..<3).map { lineIDs[(number * 31 + $0 * 101) % lineIDs.count] }
            let notice = #"{"type":"cost.written-off","at":"2030-06-01","data":{"notice":"N-TEST-\#(number)","dealer":"\#(dealer)","lines":[\#(ids.map { "\"\($0)\"" }.joined(separator: ","))],"amount":0}}"#
            if try pair.append([notice]).hasPrefix("appended 1") { accepted += 1 } else { refused += 1 }
        }
        _ = try pair.append(later)
        #expect(refused > 60 && accepted > 10, "refused \(refused), accepted \(accepted)")
    }

    @Test func aScopedAppendPastTheIntervalStoresTheWholeStateAsItsSnapshot() throws {
        var pair = try Pair()
        defer { pair.remove() }
        try Ledger.$snapshotInterval.withValue(1_000) {
            _ = try pair.append(Self.lines[..<1_500])
            _ = try pair.append(Self.lines[1_500..<2_000])
            _ = try pair.append(Self.lines[2_000..<3_100])
        }
        let scopedSnapshot = DurableFiles.contents(of: pair.scoped.folder + "/" + SnapshotFile.fileName, limit: 1 << 30)
        let wholeSnapshot = DurableFiles.contents(of: pair.whole.folder + "/" + SnapshotFile.fileName, limit: 1 << 30)
        #expect(scopedSnapshot != nil && scopedSnapshot == wholeSnapshot)
        #expect(SnapshotFile.open(folder: pair.scoped.folder)?.0.lastSeq == 3_100)
    }

    @Test func aSnapshotDamagedUnderABatchHandsItToTheWholeFoldWithTheEventsSoFar() throws {
        var pair = try Pair()
        defer { pair.remove() }
        try pair.snapshot(after: 3_000)
        // Every block of the scoped ledger's identifier index damaged, its directory left whole: the first lookup fails.
        try pair.damageSnapshot(.identifiers) { bytes, start, length in
            let trailer = start + length - LookupTable.trailerSize
            func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
            let blocksEnd = trailer - 24 * u32(trailer + 4) - u32(trailer + 8)
            for offset in stride(from: blocksEnd - 1, to: start, by: -300) { bytes[offset] ^= 0x20 }
        }
        let dealer = try #require(Self.lines.lazy.compactMap { Self.value(of: "dealer", in: $0) }.first)
        // Three events that look nothing up in the identifier index go first: they are in the batch when the damage is met.
        let invoices = (1...3).map { #"{"type":"dealer.invoiced","at":"2030-01-0\#($0)","data":{"dealer":"\#(dealer)","invoice":"INV-T\#($0)","amount":100}}"# }
        let outcome = try pair.append(invoices + Self.lines[3_000..<3_300], expectedFallbacks: 1)
        #expect(outcome.hasPrefix("appended 303"), "\(outcome)")
    }

    @Test func aDamagedLookupDirectoryIsNotSearched() throws {
        var pair = try Pair()
        defer { pair.remove() }
        try pair.snapshot(after: 3_000)
        // One byte of the idempotency keys' directory (a first key, which steers the search) changed.
        try pair.damageSnapshot(.ids) { bytes, start, length in
            // The trailer's last 8 bytes: the blob's length and the checksum; the blob ends where the trailer starts.
            let trailer = start + length - LookupTable.trailerSize
            let blobLength = (0..<4).reduce(0) { $0 | Int(bytes[trailer + 8 + $1]) << (8 * $1) }
            bytes[trailer - blobLength + 1] ^= 0x01
        }
        let path = pair.scoped.folder + "/" + SnapshotFile.fileName
        #expect(SnapshotScope(file: try #require(SnapshotFile.open(folder: pair.scoped.folder)?.0),
                              reader: try #require(SnapshotReader(path: path))) == nil)
        // Resent lines: with a misled search they would be stored twice.
        let outcome = try pair.append(Self.lines[2_000..<2_400].filter { $0.contains("\"id\":") } + Self.lines[3_000..<3_100],
                                      expectScoped: false)
        #expect(outcome.hasPrefix("appended 100"), "\(outcome)")
    }

    /// Identifiers spelt in another Unicode normalization across the snapshot, and identifiers removed by a void
    /// and then used again, are found (or not) as the whole fold finds them.
    @Test func spellingsAndVoidedIdentifiersAfterASnapshot() throws {
        var pair = try Pair()
        defer { pair.remove() }
        _ = try pair.append(Self.lines[..<3_000])
        let dealer = try #require(Self.lines.lazy.compactMap { Self.value(of: "dealer", in: $0) }.first)
        let model = try #require(Self.lines.lazy.compactMap { Self.value(of: "model", in: $0) }.first)
        let composed = "SN-\u{00C9}1", decomposed = "SN-E\u{0301}1"
        func sale(_ serial: String, _ day: String) -> String {
            #"{"type":"unit.sold","at":"\#(day)","data":{"serial":"\#(serial)","model":"\#(model)","dealer":"\#(dealer)","price":100}}"#
        }
        func complaint(_ id: String, _ serial: String, _ day: String) -> String {
            #"{"type":"complaint.lodged","at":"\#(day)","data":{"complaint":"\#(id)","serial":"\#(serial)","fault":"noise"}}"#
        }
        // A dealer enrolled under one spelling and named in later sales under another: the dealer index spells it as enrolled.
        let enrolled = #"{"type":"dealer.enrolled","at":"2021-01-01","data":{"dealer":"D-\#u{00C9}","name":"É","region":"x"}}"#
        func sale(_ serial: String, by dealer: String) -> String {
            #"{"type":"unit.sold","at":"2025-12-01","data":{"serial":"\#(serial)","model":"\#(model)","dealer":"\#(dealer)","price":100}}"#
        }
        let enrolment = try pair.append([enrolled, sale("SN-Z-NFC", by: "D-\u{00C9}")])
        #expect(enrolment.hasPrefix("appended 2"), "\(enrolment)")
        #expect(try pair.append([sale(composed, "2025-12-01"), complaint("C-\u{00C9}", composed, "2025-12-02"),
                                 sale("SN-VOIDED", "2025-12-01"), complaint("C-VOIDED", "SN-VOIDED", "2025-12-02")]).hasPrefix("appended 4"))
        _ = try pair.scoped.rebuild()
        _ = try pair.whole.rebuild()
        let voidSeq = 3_006   // the complaint C-VOIDED
        let cases: [(line: String, accepted: Bool)] = [
            (sale(decomposed, "2025-12-03"), false),                                  // the same serial
            (complaint("C-E\u{0301}", decomposed, "2025-12-03"), false),              // the same complaint id
            (complaint("C-NEW", decomposed, "2025-12-03"), true),                     // the unit, spelt otherwise
            (#"{"type":"event.voided","at":"2025-12-04","data":{"seq":\#(voidSeq),"reason":"test"}}"#, true),
            (complaint("C-VOIDED", "SN-VOIDED", "2025-12-05"), true),                 // its id is free again
            (complaint("C-VOIDED", "SN-VOIDED", "2025-12-06"), false),                // and now taken
        ]
        for (line, accepted) in cases {
            let outcome = try pair.append([line])
            #expect(outcome.hasPrefix("appended 1") == accepted, "\(line): \(outcome)")
        }
        // A unit sorting before every other, sold under the other spelling of that dealer.
        #expect(try pair.append([sale("A-FIRST", by: "D-E\u{0301}")]).hasPrefix("appended 1"))
        try pair.expectMergedSnapshotIsTheWholeOnes()
    }

    /// Only the stored notices an event needs are loaded: the one it names, or those holding the lines it names.
    /// Each refusal that depends on a stored notice must still come, in the whole fold's words.
    @Test func storedNoticesAreLoadedAsTheEventsNameThemOrTheirLines() throws {
        var pair = try Pair()
        defer { pair.remove() }
        try pair.snapshot(after: 3_000)
        let stored = Self.lines[..<3_000]
        // A stored notice, and the first of its lines.
        let noticeLine = try #require(stored.first { $0.contains(#""type":"cost.written-off""#) })
        let notice = try #require(Self.value(of: "notice", in: noticeLine)), dealer = try #require(Self.value(of: "dealer", in: noticeLine))
        let line = try #require(noticeLine.range(of: #""lines":[""#).map { start in
            String(noticeLine[start.upperBound...].prefix { $0 != "\"" })
        })
        // The seq of the visit or swap that recorded the line: the generated lines are stored one seq each, in order.
        let recorded = try #require(stored.firstIndex {
            ($0.contains(#""type":"visit.recorded""#) && Self.value(of: "visit", in: $0) == line)
                || ($0.contains(#""type":"part.swapped""#) && Self.value(of: "swap", in: $0) == line)
        }) + 1

        let again = #"{"type":"cost.written-off","at":"2030-06-01","data":{"notice":"N-AGAIN","dealer":"\#(dealer)","lines":["\#(line)"],"amount":1}}"#
        #expect(try pair.append([again]).contains("line \"\(line)\" is already on notice \"\(notice)\""))
        let voidLine = #"{"type":"event.voided","at":"2030-06-02","data":{"seq":\#(recorded),"reason":"test"}}"#
        #expect(try pair.append([voidLine]).contains("(cost.written-off \(notice))"))
        let sameID = #"{"type":"cost.written-off","at":"2030-06-03","data":{"notice":"\#(notice)","dealer":"\#(dealer)","lines":["\#(line)"],"amount":1}}"#
        #expect(try pair.append([sameID]).contains("notice \"\(notice)\" already exists"))
        // Voided, the stored notice frees its line, which a new notice may then take in its own batch.
        let noticeSeq = try #require(stored.firstIndex(of: noticeLine)) + 1
        let confirmed = stored.contains { $0.contains(#""type":"writeoff.confirmed""#) && Self.value(of: "notice", in: $0) == notice }
        if !confirmed {
            let voidNotice = #"{"type":"event.voided","at":"2030-06-04","data":{"seq":\#(noticeSeq),"reason":"test"}}"#
            #expect(try pair.append([voidNotice]).hasPrefix("appended 1"))
            _ = try pair.append([again])
        }
        try pair.expectMergedSnapshotIsTheWholeOnes()
    }

    @Test func writeoffDraftsFromTheScopeAreTheWholeStatesDrafts() throws {
        var pair = try Pair()
        defer { pair.remove() }
        try pair.snapshot(after: 3_000)
        _ = try pair.append(Self.lines[3_000...])   // a tail after the snapshot
        let dealers = try pair.scoped.state().dealerBalances(on: Day("2031-01-01")!).map(\.dealer)
        var drafted = 0
        for dealer in dealers {
            for day in [Day("2024-06-30")!, Day("2026-01-31")!] {
                let fallbacks = Fallbacks()
                let scoped = try fallbacks.watching { try pair.scoped.writeoffDraft(dealer: dealer, on: day) }
                let whole = try Ledger.$scopedFolds.withValue(false) { try pair.scoped.writeoffDraft(dealer: dealer, on: day) }
                #expect(scoped.notices == whole.notices && scoped.skipped == whole.skipped, "\(dealer) on \(day)")
                #expect(fallbacks.reasons.isEmpty && fallbacks.opened == 1, "\(fallbacks.reasons), \(fallbacks.opened) scopes")
                drafted += scoped.notices.count
            }
        }
        #expect(drafted > 0)
        // A notice id another dealer's notice already has: both refuse the draft, in the same words. With the
        // snapshot at the log's end, nothing but the drafting dealer's scope is loaded unless the draft asks for it.
        _ = try pair.scoped.rebuild()
        let taken = try #require(Self.lines.lazy.compactMap { Self.value(of: "notice", in: $0) }.first)
        func refusal(_ body: () throws -> WriteoffDraft) -> String {
            do { return "drafted \(try body().notices.count)" } catch { return "\(error)" }
        }
        var refused = 0
        for dealer in dealers {
            let day = Day("2026-01-31")!
            let scoped = refusal { try pair.scoped.writeoffDraft(dealer: dealer, on: day, notice: taken) }
            let whole = refusal { try Ledger.$scopedFolds.withValue(false) { try pair.scoped.writeoffDraft(dealer: dealer, on: day, notice: taken) } }
            #expect(scoped == whole, "\(dealer)")
            if scoped.contains("already exists") { refused += 1 }
        }
        #expect(refused > 0)
        #expect(throws: LedgerError.self) { try pair.scoped.writeoffDraft(dealer: "NO-SUCH-DEALER", on: Day("2026-01-31")!) }
    }

    /// The string value of `"field":"…"` in a line, if any.
    static func value(of field: String, in line: String) -> String? {
        guard let range = line.range(of: "\"\(field)\":\"") else { return nil }
        let rest = line[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
