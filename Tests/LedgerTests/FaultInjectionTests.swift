#if canImport(Glibc)
import Glibc
#endif
import Integrity
import Ledger
import WarrantyDomain
@_spi(Testing) import LedgerLog
import Testing

/// The facade's `append`, with every file-system call of the batch failed in turn by each kind of fault.
/// A fault up to the batch's commit (its `fdatasync`): exit code 74 with the cause in the message, the
/// ledger exactly as before (every record's hash compared), `verify` clean after reopening, and the same
/// batch appended again reaching exactly the clean run's head. A fault after the commit (in the caches
/// written after it): the append is acknowledged and the ledger is exactly as after the batch.
@Suite struct FaultInjectionTests {
    static let recorded: Int64 = 1_750_000_000_000_000

    struct Batch: Sendable, CustomStringConvertible {
        var description: String
        var lines: [String]
        /// The blocks the batch writes in a clean run.
        var blocks: Int
    }

    /// Events of a generated dealer network: the first 40 are appended before the batch under test.
    static let generated = generatedLines(units: 30, seed: 7)

    /// 80 policies of 1,000 60-character models each: about 5 MB stored, more than one 4 MiB block.
    static let bigPolicies = (1...80).map { policy in
        let models = (1...1_000).map { "\"M\(policy)-\($0)-" + String(repeating: "x", count: 50) + "\"" }
        return #"{"type":"policy.published","at":"2020-01-01","id":"big-\#(policy)","data":{"policy":"BIG\#(policy)","models":[\#(models.joined(separator: ","))],"effective":"2020-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":6000}}"#
    }

    static let batches = [
        Batch(description: "generated events, one block", lines: Array(generated[40...]), blocks: 1),
        Batch(description: "large policies, two blocks", lines: bigPolicies, blocks: 2),
    ]

    /// A new ledger holding the first 40 generated events, and the input file of the batch under test.
    static func prepare(_ batch: Batch) throws -> (ledger: Ledger, scratch: String, input: String) {
        let scratch = temporaryFolder()
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: .init("+08:00")!)
        _ = try ledger.append(try lineReader(Array(generated[..<40]), scratch: scratch, name: "before"),
                              recordedMicroseconds: recorded - 1)
        let input = scratch + "/batch.jsonl"
        write(batch.lines.joined(separator: "\n") + "\n", to: input)
        return (ledger, scratch, input)
    }

    static func lineReader(_ lines: [String], scratch: String, name: String) throws -> LineReader {
        let path = scratch + "/" + name + ".jsonl"
        write(lines.joined(separator: "\n") + "\n", to: path)
        return try LineReader(path: path)
    }

    static func write(_ text: String, to path: String) {
        let file = fopen(path, "w")!
        _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
        fclose(file)
    }

    static func removeLedger(_ scratch: String) {
        removeFolder(scratch + "/ledger")
        removeFolder(scratch)
    }

    /// Every stored record's seq and hash: equal lists mean byte-identical logs.
    static func records(_ ledger: Ledger) throws -> [(Int64, SHA256Digest)] {
        var found: [(Int64, SHA256Digest)] = []
        try ledger.forEachEvent { logged in
            found.append((logged.seq, logged.hash))
            return true
        }
        return found
    }

    /// Appends the batch through `fileSystem`.
    static func append(_ ledger: Ledger, _ input: String, through fileSystem: FileSystem) throws -> AppendReport {
        try FileSystem.$current.withValue(fileSystem) {
            try ledger.append(try LineReader(path: input), recordedMicroseconds: recorded)
        }
    }

    @Test(arguments: batches, Fault.allCases)
    func everyCallOfAnAppendFailedInTurnLeavesTheLedgerAsBefore(_ batch: Batch, _ fault: Fault) throws {
        let clean = try Self.prepare(batch)
        defer { Self.removeLedger(clean.scratch) }
        let before = try Self.records(clean.ledger)
        #expect(before.count == 40)
        let counter = FaultInjector()
        let report = try Self.append(clean.ledger, clean.input, through: counter.fileSystem)
        #expect(report.appended == batch.lines.count)
        #expect(report.firstSeq == 41)
        let after = try Self.records(clean.ledger)
        #expect(after.count == 40 + batch.lines.count)
        // The commit is the first fdatasync: the ledger's files already exist, so nothing before it syncs.
        let commit = try #require(counter.calls.firstIndex(of: .datasync))
        #expect(counter.calls[..<commit].filter { $0 == .write }.count == batch.blocks)
        let eligible = counter.calls.indices.filter { fault.strikes(counter.calls[$0]) }
        let count = eligible.count
        #expect(count >= 1)

        for k in 1...count {
            let (ledger, scratch, input) = try Self.prepare(batch)
            defer { Self.removeLedger(scratch) }
            let injector = FaultInjector(fault, at: k)
            let context = Comment(rawValue: "\(batch), \(fault) at call \(k) of \(count): \(injector.calls)")
            var thrown: LedgerError?
            do {
                _ = try Self.append(ledger, input, through: injector.fileSystem)
            } catch let error as LedgerError {
                thrown = error
            }
            #expect(injector.struck, context)
            let reopened = try Ledger(folder: ledger.folder)
            guard eligible[k - 1] <= commit else {
                // After the commit: acknowledged, and exactly the clean run's ledger.
                #expect(thrown == nil, "\(thrown?.message ?? ""); \(context)")
                #expect(try Self.records(reopened).elementsEqual(after, by: ==), context)
                #expect(try reopened.verify().events == Int64(after.count), context)
                continue
            }
            #expect(thrown?.code == .io, context)
            let cause = switch fault {
            case .ioError, .failedSync: "Input/output error"
            case .noSpace, .shortWrite: "No space left on device"
            }
            #expect(thrown?.message.contains(cause) == true, "\(thrown?.message ?? "no error"); \(context)")
            if fault == .failedSync { #expect(thrown?.message.contains("fsync") == true, context) }

            // Reopened: exactly as before the batch, and it verifies.
            #expect(try Self.records(reopened).elementsEqual(before, by: ==), context)
            let verified = try reopened.verify()
            #expect(verified.events == 40, context)
            #expect(verified.head == before.last!.1, context)
            #expect(verified.tornBytes == 0, context)
            // The same batch, appended again, gives the clean run's ledger byte for byte.
            let retried = try Self.append(reopened, input, through: .posix)
            #expect(retried.lastSeq == report.lastSeq && retried.head == report.head, context)
            #expect(try Self.records(reopened).elementsEqual(after, by: ==), context)
            #expect(try reopened.verify().events == Int64(after.count), context)
        }
    }
}

/// `init` is all or nothing: a failed file-system call at any point leaves no folder (or the empty folder it
/// was given) and a clear I/O error, so that `init` can simply be run again once the cause is gone.
@Suite struct CreateFaultTests {
    @Test(arguments: Fault.allCases, [false, true])
    func everyCallOfCreateFailedInTurnLeavesNothingBehind(_ fault: Fault, _ folderExists: Bool) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let folder = scratch + "/ledger"
        let zone = TimeZoneOffset("+08:00")!
        let counter = FaultInjector()
        try FileSystem.$current.withValue(counter.fileSystem) { _ = try Ledger.create(folder: folder, timeZone: zone) }
        let calls = counter.calls
        removeFolder(folder)
        let eligible = calls.indices.filter { fault.strikes(calls[$0]) }
        #expect(!eligible.isEmpty)
        for k in 1...eligible.count {
            if folderExists { mkdir(folder, 0o700) }
            let injector = FaultInjector(fault, at: k)
            let context = Comment(rawValue: "\(fault) at call \(k) of \(eligible.count): \(injector.calls)")
            do {
                _ = try FileSystem.$current.withValue(injector.fileSystem) { try Ledger.create(folder: folder, timeZone: zone) }
                Issue.record("init succeeded although a call failed: \(context)")
            } catch let error as LedgerError {
                #expect(error.code == .io, "\(error.message); \(context)")
                var info = stat()
                if folderExists {
                    #expect(stat(folder, &info) == 0 && (try? DurableFiles.names(in: folder)) == [], "left empty: \(context)")
                } else {
                    #expect(stat(folder, &info) != 0, "no folder left: \(context)")
                }
            }
            // Whatever happened, `init` works again.
            removeFolder(folder)
            if folderExists { mkdir(folder, 0o700) }
            #expect(try Ledger.create(folder: folder, timeZone: zone).verify().events == 0, context)
            removeFolder(folder)
        }
    }
}
