#if canImport(Glibc)
import Glibc
#endif
import Testing
@_spi(Testing) @testable import LedgerLog

/// Every file-system call of a whole batch, failed in turn with each kind of fault: the batch throws an
/// error naming the cause, the log is exactly as before it, reads back with its chain intact, and a
/// reopened writer appends again. A writer that saw a failure refuses more work until reopened.
@Suite struct FaultInjectionTests {
    static let recorded: Int64 = 1_750_000_000_000_000

    /// A batch appended by a writer opened through `fileSystem`; the writer is returned whether or not the commit failed.
    struct Scenario: Sendable {
        var name: String
        /// Batch sizes committed before the batch under test.
        var before: [Int]
        var payloadSizes: [Int]
        var segmentTargetSize: Int64 = LogFormat.segmentTargetSize
        /// The blocks the batch writes in a clean run, and whether it starts a new segment.
        var blocks: Int
        var startsSegment = false
    }

    static let scenarios = [
        Scenario(name: "one block", before: [3, 2], payloadSizes: [100, 2_000, 5], blocks: 1),
        // 600 kB records: six fill a 4 MiB block, so seven make two blocks.
        Scenario(name: "two blocks", before: [1], payloadSizes: Array(repeating: 600_000, count: 7), blocks: 2),
        // The first two batches fill 1,241 bytes of the first segment (headers, 10 records of 83 to 146 bytes),
        // past the 1,000-byte target, so the batch under test begins the second segment.
        Scenario(name: "new segment", before: [4, 6], payloadSizes: [300, 40, 70_000], segmentTargetSize: 1_000,
                 blocks: 1, startsSegment: true),
    ]

    /// The payload of the batch under test's `index`-th record: a slice of one fixed pattern.
    static func batchPayload(_ index: Int, size: Int) -> ArraySlice<UInt8> {
        pattern[index * 101..<index * 101 + size]
    }
    static let pattern = (0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 7) }

    /// A folder holding the scenario's committed batches (the first makes a new segment when the target is small).
    static func prepare(_ scenario: Scenario) throws -> String {
        let folder = temporaryFolder()
        try appendBatches(folder, scenario.before, segmentTargetSize: scenario.segmentTargetSize)
        return folder
    }

    /// Opens a writer through `fileSystem` and appends the scenario's batch; the writer is handed back even when a call throws.
    static func appendBatch(_ scenario: Scenario, folder: String, fileSystem: FileSystem,
                            writer: inout LogWriter?) throws -> BatchReceipt {
        let opened = try LogWriter(folder: folder, segmentTargetSize: scenario.segmentTargetSize, fileSystem: fileSystem)
        writer = opened
        try opened.begin(recordedMicroseconds: recorded)
        for (index, size) in scenario.payloadSizes.enumerated() {
            try batchPayload(index, size: size).withUnsafeBytes { bytes throws in try opened.add(bytes) }
        }
        return try opened.commit()!
    }

    /// The words the error must contain for `fault`.
    static func cause(of fault: Fault) -> String {
        switch fault {
        case .ioError: "Input/output error"
        case .noSpace, .shortWrite: "No space left on device"
        case .failedSync: "fsync"
        }
    }

    @Test(arguments: scenarios, Fault.allCases)
    func everyCallOfABatchFailedInTurnLeavesTheLogAsBefore(_ scenario: Scenario, _ fault: Fault) throws {
        // A clean run: the records after the batch, and the calls it makes.
        let cleanFolder = try Self.prepare(scenario)
        defer { removeFolder(cleanFolder) }
        let (beforeRecords, beforeSummary) = try readAll(cleanFolder)
        #expect(beforeSummary.segments == 1)
        let counter = FaultInjector()
        var cleanWriter: LogWriter?
        let receipt = try Self.appendBatch(scenario, folder: cleanFolder, fileSystem: counter.fileSystem, writer: &cleanWriter)
        let (afterRecords, afterSummary) = try readAll(cleanFolder)
        #expect(afterRecords.count == beforeRecords.count + scenario.payloadSizes.count)
        // One write per block, and one for a new segment's header.
        #expect(counter.calls.filter { $0 == .write }.count == scenario.blocks + (scenario.startsSegment ? 1 : 0))
        #expect(afterSummary.segments == (scenario.startsSegment ? 2 : 1))
        let count = counter.count(fault)
        #expect(count >= 1)

        for k in 1...count {
            let folder = try Self.prepare(scenario)
            defer { removeFolder(folder) }
            let injector = FaultInjector(fault, at: k)
            var writer: LogWriter?
            var thrown: LogError?
            do {
                _ = try Self.appendBatch(scenario, folder: folder, fileSystem: injector.fileSystem, writer: &writer)
            } catch let error as LogError {
                thrown = error
            }
            let context = Comment(rawValue: "\(scenario.name), \(fault) at call \(k) of \(count): \(injector.calls)")
            #expect(injector.struck, context)
            guard let thrown else {
                Issue.record("the batch did not fail; \(context)")
                continue
            }
            #expect(thrown.kind == .io, context)
            #expect(thrown.message.contains(Self.cause(of: fault)), "\(thrown.message); \(context)")
            if fault != .ioError { #expect(thrown.errno == (fault == .failedSync ? EIO : ENOSPC), context) }
            if writer != nil && (fault == .noSpace || fault == .shortWrite) {
                #expect(thrown.message.hasSuffix("; free space on that disk, then append again"), context)
            }
            // The writer that failed refuses more work, saying why, until the log is reopened.
            if let writer {
                do {
                    try writer.begin(recordedMicroseconds: Self.recorded)
                    Issue.record("a failed writer began a new batch; \(context)")
                } catch let error as LogError {
                    #expect(error.kind == .poisoned, context)
                    #expect(error.message == "the writer stopped after an earlier failure (\(thrown.message)); reopen the ledger", context)
                }
            }
            writer = nil
            // Exactly as before the batch, even before a writer reopens it.
            #expect(try readAll(folder).records.elementsEqual(beforeRecords, by: ==), context)
            // Reopened: any torn bytes are cut, the chain reads clean, and the same batch appends to the same head.
            var reopened: LogWriter?
            let retried = try Self.appendBatch(scenario, folder: folder, fileSystem: .posix, writer: &reopened)
            #expect(retried == receipt, context)
            let (records, summary) = try readAll(folder)
            #expect(records.elementsEqual(afterRecords, by: ==), context)
            #expect(summary.tornBytes == 0, context)
            #expect(summary.head == afterSummary.head, context)
            #expect(summary.segments == afterSummary.segments, context)
        }
    }

    @Test func aShortWriteWhoseRestSucceedsIsCompletedByTheWriteLoop() throws {
        let scenario = Self.scenarios[1]
        let folder = try Self.prepare(scenario)
        defer { removeFolder(folder) }
        // A file system whose every write stores at most 1,000 bytes: the loop must finish each one.
        var trickle = FileSystem.posix
        trickle.pwrite = { descriptor, bytes, offset in
            FileSystem.posix.pwrite(descriptor, UnsafeRawBufferPointer(rebasing: bytes.prefix(1_000)), offset)
        }
        var writer: LogWriter?
        let receipt = try Self.appendBatch(scenario, folder: folder, fileSystem: trickle, writer: &writer)
        let (records, summary) = try readAll(folder)
        #expect(records.count == 1 + 7)
        #expect(summary.head == receipt.head)
        for (index, record) in records.suffix(7).enumerated() {
            #expect(record.1[...] == Self.batchPayload(index, size: 600_000))
        }
    }

    @Test(arguments: Fault.allCases)
    func everyCallOfADurableCreateFailedInTurnLeavesNoFileBehind(_ fault: Fault) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        // The manifest a full disk once left empty, so that `init` could neither finish nor start again.
        let path = folder + "/LEDGER"
        let bytes = Array("warranty-ledger 1\n".utf8)
        let counter = FaultInjector()
        try FileSystem.$current.withValue(counter.fileSystem) { try DurableFiles.create(path: path, bytes: bytes) }
        #expect(counter.calls == [.create, .write, .datasync, .open, .fsync])
        let count = counter.count(fault)
        for k in 1...count {
            unlink(path)
            let injector = FaultInjector(fault, at: k)
            let context = Comment(rawValue: "\(fault) at call \(k) of \(count): \(injector.calls)")
            var thrown: LogError?
            do {
                try FileSystem.$current.withValue(injector.fileSystem) { try DurableFiles.create(path: path, bytes: bytes) }
            } catch let error as LogError {
                thrown = error
            }
            #expect(thrown?.message.contains(Self.cause(of: fault)) == true, context)
            #expect(!FileStatus.exists(path), context)
            try DurableFiles.create(path: path, bytes: bytes)
            #expect(fileBytes(path) == bytes, context)
        }
    }

    @Test(arguments: Fault.allCases)
    func everyCallOfADurableReplaceFailedInTurnLeavesTheOldFileOrTheNew(_ fault: Fault) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let path = folder + "/state.snapshot"
        let old: [UInt8] = Array("old contents".utf8)
        let new: [[UInt8]] = [Array(repeating: 0x41, count: 5_000), Array("new".utf8)]
        let counter = FaultInjector()
        try DurableFiles.create(path: path, bytes: old)
        try FileSystem.$current.withValue(counter.fileSystem) { try DurableFiles.replace(path: path, chunks: new) }
        #expect(fileBytes(path) == new.flatMap { $0 })
        let count = counter.count(fault)
        #expect(count >= 1)
        for k in 1...count {
            unlink(path)
            try DurableFiles.create(path: path, bytes: old)
            let injector = FaultInjector(fault, at: k)
            var thrown: LogError?
            do {
                try FileSystem.$current.withValue(injector.fileSystem) { try DurableFiles.replace(path: path, chunks: new) }
            } catch let error as LogError {
                thrown = error
            }
            let context = Comment(rawValue: "\(fault) at call \(k) of \(count): \(injector.calls)")
            let contents = fileBytes(path)
            // Only a failure after the rename (the folder's sync) may leave the new file in place, and
            // only a failure to remove a stale temporary file (which is ignored) lets the replace succeed.
            let renamed = injector.calls.contains(.rename) && injector.struckCall != .rename
            if injector.struckCall == .unlink {
                #expect(thrown == nil, context)
            } else {
                #expect(thrown?.message.contains(Self.cause(of: fault)) == true, context)
            }
            #expect(contents == (renamed || thrown == nil ? new.flatMap { $0 } : old), context)
            // The failed replace left nothing beside the file, and the next one succeeds.
            #expect(try DurableFiles.names(in: folder) == ["state.snapshot"], context)
            try DurableFiles.replace(path: path, chunks: new)
            #expect(fileBytes(path) == new.flatMap { $0 })
        }
    }
    /// A temporary left by a killed process is removed by the next replace of the same file; a running process's is not.
    @Test func aReplaceRemovesTheTemporariesOfProcessesThatNoLongerRun() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let path = folder + "/state.snapshot"
        let abandoned = path + ".new-999999999"   // beyond any pid_max: no such process
        let running = path + ".new-1"             // init runs as long as the machine does
        for name in [abandoned, running] { try DurableFiles.create(path: name, bytes: [1, 2, 3]) }
        try DurableFiles.replace(path: path, chunks: [[7]])
        #expect(try DurableFiles.names(in: folder).sorted() == ["state.snapshot", "state.snapshot.new-1"])
        #expect(fileBytes(path) == [7])
    }
}
