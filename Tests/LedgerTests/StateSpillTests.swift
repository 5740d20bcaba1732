#if canImport(Glibc)
import Glibc
#endif
@testable import Ledger
@_spi(Testing) import LedgerLog
import Testing
import WarrantyDomain

/// A long fold that writes its state out (`StateSpill`) and goes on scoped over the file must end where the whole
/// fold ends: the same refusals, the same head hash and the very bytes of the whole fold's snapshot.
@Suite(.serialized) struct StateSpillTests {
    static let lines = ScopedAppendTests.lines

    /// Counts the spills while `body` runs with a limit of `units` units.
    static func spilling<T>(_ units: Int, _ body: () throws -> T) rethrows -> (T, spills: Int) {
        let count = Counter()
        let result = try Ledger.$spillUnits.withValue(units) {
            try Ledger.$spilled.withValue({ failure in
                #expect(failure == nil)
                count.add()
            }) { try body() }
        }
        return (result, count.value)
    }

    /// The descriptors of the files `watching` saw opened, in order, and the writes to each.
    final class Opened: @unchecked Sendable {
        var descriptors: [Int32] = []
        var writes: [Int32: Int] = [:]
    }

    final class Counter: @unchecked Sendable {
        private(set) var value = 0
        func add() { value += 1 }
    }

    /// Calls `body` with a ledger of `lines` in a scratch folder, the path of its snapshot and the bytes its whole fold
    /// stores there, which are then removed; the folder goes afterwards.
    static func withLedgerWithoutSnapshot(_ body: (Ledger, _ path: String, _ whole: [UInt8]) throws -> Void) throws {
        let scratch = temporaryFolder()
        defer {
            removeFolder(scratch + "/ledger")
            removeFolder(scratch)
        }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try Ledger.$spillUnits.withValue(.max) {
            try append(lines, to: ledger, scratch: scratch)
            _ = try ledger.rebuild()
        }
        let path = ledger.folder + "/" + SnapshotFile.fileName
        let whole = try #require(readFile(path))
        unlink(path)
        try body(ledger, path, whole)
    }

    /// How many descriptors this process has open on heaps of a ledger folder, which have no name.
    static func openHeaps(_ folder: String) -> Int {
        let heap = folder + "/" + RecordHeap.name + ".new-"
        return ((try? DurableFiles.names(in: "/proc/self/fd")) ?? []).filter { name in
            var target = [CChar](repeating: 0, count: 4096)
            let length = readlink("/proc/self/fd/" + name, &target, target.count - 1)
            return length > 0 && String(cString: target).hasPrefix(heap)
        }.count
    }

    /// The names of a spilling fold's scratch files left in a ledger folder: its scratch snapshots, and the runs of keys
    /// and versions a rebuild keeps aside (`KeyRuns`).
    static func scratchFiles(_ folder: String) throws -> [String] {
        try DurableFiles.names(in: folder).filter { name in
            ["state.spill", KeyRuns.keysName, KeyRuns.versionsName].contains { name.hasPrefix($0) }
        }
    }

    /// The names of the heaps (`RecordHeap`) in a ledger folder.
    static func heaps(_ folder: String) throws -> [String] {
        try DurableFiles.names(in: folder).filter { $0.hasPrefix(RecordHeap.name) }
    }

    @Test(arguments: [5, 12, 150])
    func aRebuildThatSpillsStoresTheWholeFoldsSnapshot(limit: Int) throws {
        try Self.withLedgerWithoutSnapshot { ledger, path, whole in
            let (written, spills) = try Self.spilling(limit) { try ledger.rebuild() }
            #expect(spills >= Self.lines.count / 10 / limit, "spills: \(spills)")
            // At the lower limits, the idempotency keys kept aside are merged into one run at least once, and at the
            // lowest, twice: into the second file and back into the first.
            #expect(limit > 12 || spills > KeyRuns.maximumRuns, "spills: \(spills)")
            #expect(limit > 5 || spills >= 2 * KeyRuns.maximumRuns, "spills: \(spills)")
            #expect(written.stored == .none && written.written)
            let spilled = try #require(readFile(path))
            #expect(spilled.count == whole.count)
            #expect(spilled == whole, "the spilled rebuild's snapshot differs from the whole fold's")
            // A rebuild that spills compares the stored snapshot with the fold at its seq as the whole fold does.
            let (again, _) = try Self.spilling(limit) { try ledger.rebuild() }
            #expect(again.stored == .equal(seq: Int64(Self.lines.count)) && !again.written)
            #expect(try #require(readFile(path)) == whole)
            // No scratch file is left behind.
            #expect(try Self.scratchFiles(ledger.folder) == [])
        }
    }

    /// Between spills, a rebuild writes its keys and versions out as runs of their own once they number
    /// `Ledger.keyRunEntries`: here dozens of runs among a few spills, merged into one at least twice (into the second
    /// keys file, and back into the first). The snapshot is still the whole fold's.
    @Test func keysSetAsideBetweenSpillsStillGiveTheWholeFoldsSnapshot() throws {
        try Self.withLedgerWithoutSnapshot { ledger, path, whole in
            let ((written, spills), opened) = try Self.watching(KeyRuns.keysName) { _ in
                try Ledger.$keyRunEntries.withValue(16) { try Self.spilling(150) { try ledger.rebuild() } }
            }
            #expect(spills > 0 && spills < KeyRuns.maximumRuns, "spills: \(spills)")
            #expect(opened.count >= 3, "keys files opened: \(opened.count)")
            #expect(written.written)
            #expect(try #require(readFile(path)) == whole, "the rebuild's snapshot differs from the whole fold's")
            #expect(try Self.scratchFiles(ledger.folder) == [])
        }
    }

    /// Runs `body` watching the files whose path holds `name` as they are opened; with `failing`, the `write`-th write
    /// to the `file`-th of them fails with `EIO`. (Writes are counted by descriptor, which a later file may reuse once
    /// that one is closed: the failing write must come while it is open.)
    static func watching<T>(_ name: String, failing: (file: Int, write: Int)? = nil, _ body: (Opened) throws -> T) rethrows
        -> (T, opened: [Int32]) {
        let opened = Opened()
        var watched = FileSystem.posix
        watched.open = { path, flags, mode in
            let descriptor = FileSystem.posix.open(path, flags, mode)
            if path.contains(name) { opened.descriptors.append(descriptor) }
            return descriptor
        }
        watched.pwrite = { descriptor, bytes, offset in
            if let failing, opened.descriptors.count >= failing.file, descriptor == opened.descriptors[failing.file - 1] {
                opened.writes[descriptor, default: 0] += 1
                if opened.writes[descriptor] == failing.write {
                    errno = EIO
                    return -1
                }
            }
            return FileSystem.posix.pwrite(descriptor, bytes, offset)
        }
        let result = try FileSystem.$current.withValue(watched) { try body(opened) }
        return (result, opened.descriptors)
    }

    /// A spill appends the fold's unit records to the heap and points at the others; once the heap holds more than
    /// `RecordHeap.slack` times the records the index points at, a spill copies those to a new heap, and the old one goes.
    /// The snapshot is still the whole fold's, and no heap is left in the folder, even while the fold runs.
    @Test func aHeapHoldingTooManyOldRecordsIsReplacedByANewOne() throws {
        try Self.withLedgerWithoutSnapshot { ledger, path, whole in
            let folder = ledger.folder, spills = Counter()
            let (_, heaps) = try Self.watching(RecordHeap.name) { _ in
                try Ledger.$spillUnits.withValue(5) {
                    try Ledger.$spilled.withValue({ failure in
                        // No heap has a name; the last one is open for writing and reading, and in the scope's reader.
                        #expect(failure == nil && (try? Self.heaps(folder)) == [])
                        let open = Self.openHeaps(folder)
                        #expect(open <= 3, "\(open) descriptors of heaps")
                        spills.add()
                    }) { _ = try ledger.rebuild() }
                }
            }
            // A new heap at least twice, but only now and then, as the old records pile up (5 times in 679 spills; a spill
            // that copied every record would start one every 5 spills).
            #expect(spills.value > 100 && heaps.count >= 3 && 20 * heaps.count < spills.value, "\(heaps.count) heaps in \(spills.value) spills")
            #expect(try #require(readFile(path)) == whole)
        }
    }

    /// A heap damaged while a rebuild reads it is not trusted: the records read from it are refused, the rebuild fails with
    /// an I/O error that says what could not be read, and no snapshot is stored.
    @Test func aDamagedHeapFailsTheRebuildAndStoresNothing() throws {
        try Self.withLedgerWithoutSnapshot { ledger, path, _ in
            let spills = Counter()
            let error = try #require(throws: LedgerError.self) {
                try Self.watching(RecordHeap.name) { heaps in
                    try Ledger.$spillUnits.withValue(12) {
                        try Ledger.$spilled.withValue({ _ in
                            spills.add()
                            var info = stat()
                            guard spills.value == 3, let heap = heaps.descriptors.last, fstat(heap, &info) == 0 else { return }
                            let garbage = [UInt8](repeating: 0xFF, count: Int(info.st_size))
                            _ = garbage.withUnsafeBytes { FileSystem.posix.pwrite(heap, $0, 0) }
                        }) { _ = try ledger.rebuild() }
                    }
                }
            }
            #expect(spills.value >= 3)
            #expect(error.code == .io && error.message.contains("a unit record cannot be read"), "\(error)")
            #expect(readFile(path) == nil)
        }
    }

    @Test(arguments: [3, 40])
    func batchesThatSpillAreStoredAsTheWholeFoldStoresThem(limit: Int) throws {
        var pair = try ScopedAppendTests.Pair()
        defer { pair.remove() }
        let (_, spills) = try Self.spilling(limit) {
            try Ledger.$snapshotInterval.withValue(1_000) {
                // A first batch into the new ledgers: no snapshot to scope on, the whole fold spills.
                var outcome = try pair.append(Self.lines[..<1_200], expectScoped: true)
                #expect(outcome.hasPrefix("appended 1200"), "\(outcome)")
                try expectSameSnapshots(pair)
                // Then batches on top of a snapshot, past the interval or not.
                for range in [1_200..<1_300, 1_300..<2_600, 2_600..<2_610, 2_610..<Self.lines.count] {
                    outcome = try pair.append(Self.lines[range])
                    #expect(outcome.hasPrefix("appended \(range.count)"), "\(outcome)")
                }
            }
        }
        #expect(spills > 0)
        try expectSameSnapshots(pair)
        // Refusals and duplicates while the fold spills are the whole fold's.
        try Self.spilling(limit) {
            let resent = Self.lines[100..<400].filter { $0.contains("\"id\":") }
            let outcome = try pair.append(resent + [#"{"type":"unit.sold","at":"2030-01-01","data":{}}"#])
            // Every resent line is a duplicate; the batch is refused at its last line, which has no serial.
            #expect(outcome.hasPrefix("line \(resent.count + 1): unit.sold: "), "\(outcome)")
            // The same events under new ids: refused by the rules, found through the spilled state (the card's unit).
            let again = try pair.append(Self.lines[200..<260].map { $0.replacingOccurrences(of: "\"id\":\"", with: "\"id\":\"again-") })
            #expect(again.hasPrefix("line 2: card.registered: card of serial ") && again.contains(" is already registered on "), "\(again)")
        }
    }

    /// A scratch file, or a heap, that cannot be created gives up spilling at the first spill.
    @Test(arguments: ["state.spill.new", RecordHeap.name])
    func aSpillThatCannotBeWrittenIsGivenUpAndTheFoldGoesOnInMemory(file: String) throws {
        try Self.withLedgerWithoutSnapshot { ledger, path, whole in
            // A disk with no room for the file.
            var full = FileSystem.posix
            full.open = { path, flags, mode in
                guard path.contains(file) else { return FileSystem.posix.open(path, flags, mode) }
                errno = ENOSPC
                return -1
            }
            let failures = Counter()
            let report = try FileSystem.$current.withValue(full) {
                try Ledger.$spillUnits.withValue(9) {
                    try Ledger.$spilled.withValue({ failure in if failure != nil { failures.add() } }) { try ledger.rebuild() }
                }
            }
            #expect(failures.value == 1, "given up once, then not tried again")
            let written = try #require(readFile(path))
            #expect(report.written && written == whole)
            #expect(try Self.scratchFiles(ledger.folder) == [])
        }
    }

    /// A scratch file whose write fails gives up the spill that writes it, keeping the spills before it; the fold goes
    /// on in memory and stores the whole fold's snapshot, and nothing is left in the folder.
    ///
    /// The writes that fail, each of one spill's worth (smaller than the file's buffer):
    /// - of the heap (`RecordHeap`): the first heap's first and third (the first and third spills' records), and the
    ///   second heap's first (the records copied to it);
    /// - of the idempotency keys a rebuild keeps aside (`KeyRuns`): the first file's first and third (the first and third
    ///   runs), and the second file's first (the runs merged into one, at the 33rd spill) and second (the run added after
    ///   that merge);
    /// - of the stream versions it keeps aside, written after the keys: the same, but for the last (the spill's run of
    ///   keys is then taken back out).
    @Test(arguments: [(RecordHeap.name, 5, 1, 1, 0), (RecordHeap.name, 5, 1, 3, 2), (RecordHeap.name, 5, 2, 1, nil),
                      (KeyRuns.keysName, 12, 1, 1, 0), (KeyRuns.keysName, 12, 1, 3, 2),
                      (KeyRuns.keysName, 12, 2, 1, KeyRuns.maximumRuns), (KeyRuns.keysName, 12, 2, 2, KeyRuns.maximumRuns),
                      (KeyRuns.versionsName, 12, 1, 1, 0), (KeyRuns.versionsName, 12, 1, 3, 2),
                      (KeyRuns.versionsName, 12, 2, 1, KeyRuns.maximumRuns)])
    func aScratchFileThatCannotBeWrittenIsGivenUpWithTheSpills(name: String, limit: Int, file: Int, write: Int, spillsKept: Int?) throws {
        try Self.withLedgerWithoutSnapshot { ledger, path, whole in
            let failures = Counter(), spills = Counter()
            let (report, files) = try Self.watching(name, failing: (file, write)) { _ in
                try Ledger.$spillUnits.withValue(limit) {
                    try Ledger.$spilled.withValue({ failure in failure == nil ? spills.add() : failures.add() }) { try ledger.rebuild() }
                }
            }
            #expect(failures.value == 1 && files.count == file, "given up once, then not tried again")
            #expect(spillsKept.map { spills.value == $0 } ?? true, "the spills before the failed write were kept: \(spills.value)")
            let written = try #require(readFile(path))
            #expect(report.written && written == whole)
            #expect(try Self.scratchFiles(ledger.folder) == [])
        }
    }

    /// Between spills, keys and versions whose run cannot be written are kept as a spill that cannot be written is: the
    /// fold keeps them (both, when the versions' run fails after the keys'), goes on in memory spilling no more, and
    /// stores the whole fold's snapshot. At 150 units a few spills come, and runs of 16 keys and versions between them:
    /// each file's third write is the second of those after the first spill.
    @Test(arguments: [KeyRuns.keysName, KeyRuns.versionsName])
    func keysAndVersionsThatCannotBeSetAsideStayInTheFold(name: String) throws {
        try Self.withLedgerWithoutSnapshot { ledger, path, whole in
            let failures = Counter(), spills = Counter()
            let (report, files) = try Self.watching(name, failing: (1, 3)) { _ in
                try Ledger.$keyRunEntries.withValue(16) {
                    try Ledger.$spillUnits.withValue(150) {
                        try Ledger.$spilled.withValue({ failure in failure == nil ? spills.add() : failures.add() }) { try ledger.rebuild() }
                    }
                }
            }
            #expect(failures.value == 1 && files.count == 1, "given up once, then not tried again")
            #expect(spills.value == 1, "the first spill was kept, and none came after the failure: \(spills.value)")
            let written = try #require(readFile(path))
            #expect(report.written && written == whole)
            #expect(try Self.scratchFiles(ledger.folder) == [])
        }
    }

    /// A log written around `append` whose stream versions are out of order only across spills: a spilling rebuild finds
    /// it when it merges the versions it kept aside (`KeyRuns`), or as a stream started after a spill at the last version
    /// there is counts past it, and names the event as the whole fold does. The forged dealer events come after the
    /// spill that follows the last sale or card, so the fold they are in has not met their stream.
    struct VersionForgery: Sendable, CustomTestStringConvertible {
        var testDescription: String
        /// Each forged event's line and stored version, in the stream of its dealer.
        var events: [(line: String, version: UInt32)]
        var message: String
    }

    static let invoice = #"{"type":"dealer.invoiced","at":"2025-03-01","data":{"dealer":"D1","invoice":"F1","amount":100}}"#
    static let versionForgeries = [
        VersionForgery(testDescription: "a version skipped", events: [(invoice, 3)],
                       message: "seq 6: stored in stream dealer:D1 version 3, but the event belongs to stream dealer:D1 at version 2"),
        VersionForgery(testDescription: "a new stream at version 2",
                       events: [(#"{"type":"dealer.enrolled","at":"2025-03-01","data":{"dealer":"D9","name":"D9"}}"#, 2)],
                       message: "seq 6: stored in stream dealer:D9 version 2, but the event belongs to stream dealer:D9 at version 1"),
        VersionForgery(testDescription: "the last version, then one more",
                       events: [(invoice, .max), (invoice.replacing("F1", with: "F2"), 0)],
                       message: "seq 6: stored in stream dealer:D1 version 4294967295, but the event belongs to stream dealer:D1 at version 2"),
    ]

    @Test(arguments: versionForgeries)
    func aStreamVersionOutOfOrderAcrossSpillsIsReportedAsTheWholeFoldDoes(_ forgery: VersionForgery) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try forgedLedger(forgery.events.map { line, version in
            (line, "dealer:" + (line.firstMatch(of: /"dealer":"([^"]+)"/)?.1 ?? ""), version)
        }, scratch: scratch)

        let spills = Counter()
        #expect(throws: LedgerError(.verificationFailed, forgery.message), "spilling") {
            try Ledger.$spillUnits.withValue(1) {
                try Ledger.$spilled.withValue({ _ in spills.add() }) { _ = try ledger.rebuild() }
            }
        }
        #expect(spills.value == 3, "after each sale and the card")
        // With the keys and versions written out after every event between spills too, the gap lies between two such runs.
        #expect(throws: LedgerError(.verificationFailed, forgery.message), "keys set aside") {
            try Ledger.$keyRunEntries.withValue(1) { _ = try Self.spilling(1) { try ledger.rebuild() } }
        }
        #expect(throws: LedgerError(.verificationFailed, forgery.message), "whole") {
            try Ledger.$spillUnits.withValue(.max) { _ = try ledger.rebuild() }
        }
        #expect(try Self.scratchFiles(ledger.folder) == [])
    }

    /// A merge carries the base's notices over from the scope's split of the notices section when the scope has
    /// read it, and from the file otherwise; either way it writes the base's very bytes for a fold that changed
    /// nothing, and the unit index it writes (from the fold's entries and the base's, read again) is the base's.
    @Test func aMergeCarriesNoticesOverFromTheScopesSplitOrFromTheFile() throws {
        try Self.withLedgerWithoutSnapshot { ledger, path, whole in
            writeFile(path, whole)
            let (file, reader) = try #require(SnapshotFile.open(folder: ledger.folder))
            let notice = try #require(Self.lines.first { $0.contains(#""type":"cost.written-off""#) })
            let dealer = try #require(notice.firstMatch(of: /"dealer":"([^"]+)"/)?.1).description

            // No notice read: the merge reads the section.
            let untouched = try #require(SnapshotScope(file: file, reader: reader))
            #expect(untouched.mergeBase.noticesByDealer == nil)
            #expect(try file.holds(try #require(untouched.emptyFold()), over: untouched.mergeBase, reader) == true)

            // A dealer's units and notices loaded: the merge takes the notices from the scope's parts, or from the file.
            let scope = try #require(SnapshotScope(file: file, reader: reader))
            var fold = try #require(scope.emptyFold())
            try scope.dealer(dealer, &fold.state)
            #expect(fold.state.unitCount > 0)
            let base = scope.mergeBase
            let parts = try #require(base.noticesByDealer)
            #expect(parts.count > 1 && parts[dealer] != nil)
            #expect(try file.holds(fold, over: base, reader) == true)
            let fromFile = MergeBase(file: file, reader: reader, loaded: base.loaded, noticesLoaded: base.noticesLoaded,
                                     loadedFacts: base.loadedFacts, noticesByDealer: nil)
            #expect(try file.holds(fold, over: fromFile, reader) == true)
            // The parts are what the merge writes from: without another dealer's, its notices are missing from the bytes.
            var partial = parts
            partial[try #require(parts.keys.first { $0 != dealer })] = nil
            let doctored = MergeBase(file: file, reader: reader, loaded: base.loaded, noticesLoaded: base.noticesLoaded,
                                     loadedFacts: base.loadedFacts, noticesByDealer: partial)
            #expect(try file.holds(fold, over: doctored, reader) == false)
            // The same fold over a base that says it loaded nothing would hold the dealer's units twice: refused.
            let unloaded = MergeBase(file: file, reader: reader, loaded: [], noticesLoaded: [], loadedFacts: (0, 0, 0), noticesByDealer: nil)
            #expect(throws: MergeInvariantError.self) { try file.holds(fold, over: unloaded, reader) }
        }
    }

    /// The snapshots the two ledgers stored are the same bytes.
    func expectSameSnapshots(_ pair: ScopedAppendTests.Pair, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let scoped = try #require(readFile(pair.scoped.folder + "/" + SnapshotFile.fileName), sourceLocation: sourceLocation)
        let whole = try #require(readFile(pair.whole.folder + "/" + SnapshotFile.fileName), sourceLocation: sourceLocation)
        let same = scoped == whole
        #expect(same, "stored snapshots differ: \(scoped.count) and \(whole.count) bytes", sourceLocation: sourceLocation)
    }
}
