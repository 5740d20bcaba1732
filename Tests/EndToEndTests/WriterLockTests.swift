import Foundation
import Testing

/// The writer lock across processes: an append while another process holds it fails at once and writes nothing.
@Suite struct WriterLockTests {
    /// Takes `flock(LOCK_EX)` on the file named by its argument, prints "locked", and holds the lock until its
    /// standard input closes.
    static let locker = """
        import fcntl, sys
        handle = open(sys.argv[1], "a")
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        print("locked", flush=True)
        sys.stdin.read()
        """

    @Test func appendFailsAtOnceWhileAnotherProcessHoldsTheLock() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(Fixture.path("base.jsonl"))
            let base = try await ledger.verified()
            let segmentSize = try Files.size(try ledger.segmentPath())
            let line = try ledger.input(lines: [
                #"{"type":"payment.received","at":"2025-05-01","id":"lock-test-payment","data":{"dealer":"D1","amount":100}}"#,
            ])

            let holder = try await LockHolder(lockFile: ledger.folder + "/lock", scratch: scratch)
            let refused = try await ledger.run("append", line)
            let stillHeld = holder.isRunning
            // Readers take no lock.
            let whileHeld = try await ledger.verified()
            try await holder.release()

            #expect(stillHeld, "the locker held the lock throughout the append")
            #expect(refused.status == 74, "\(refused)")
            // The holder keeps the lock until released, so exit 74 already shows the append did not wait for it.
            // The bound only rules out a long retry loop. It is loose on purpose: under a parallel `swift test`
            // on two cores, starting a process has been seen to take over 10 s.
            #expect(refused.seconds < 60, "refused at once, not after waiting: \(refused.seconds) s")
            #expect(refused.standardOutput == "")
            #expect(refused.standardError.hasPrefix("error: "), "\(refused)")
            #expect(refused.standardError.filter { $0 == "\n" }.count == 1, "\(refused)")
            #expect(refused.standardError.contains("another process is appending"), "\(refused)")
            #expect(whileHeld == base, "nothing written")
            #expect(try Files.size(try ledger.segmentPath()) == segmentSize, "nothing written")
            #expect(try await ledger.log().count == 20)

            let retried = try await ledger.appendSucceeding(line)
            #expect(Array(retried.outputLines.prefix(3)) == ["appended: 1", "duplicates: 0", "seq: 21-21"])
            #expect(try await ledger.verified().events == 21)
        }
    }
}

extension WriterLockTests {
    /// With `--wait`, an append waits for the holder to finish and then goes through; the wait is bounded.
    @Test func appendWithWaitWaitsForTheHolderOrGivesUpAfterItsTime() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(Fixture.path("base.jsonl"))
            let line = try ledger.input(lines: [
                #"{"type":"payment.received","at":"2025-05-01","id":"wait-test-payment","data":{"dealer":"D1","amount":100}}"#,
            ])

            let holder = try await LockHolder(lockFile: ledger.folder + "/lock", scratch: scratch)
            let gaveUp = try await ledger.run("append", "--wait", "0.5", line)
            #expect(gaveUp.status == 74, "\(gaveUp)")
            #expect(gaveUp.seconds >= 0.5 && gaveUp.seconds < 60, "waited its time: \(gaveUp.seconds) s")
            #expect(try await ledger.log().count == 20)

            async let waited = ledger.run("append", "--wait", "30", line)
            try await Task.sleep(for: .milliseconds(700))
            try await holder.release()
            let result = try await waited
            #expect(result.status == 0, "\(result)")
            #expect(result.seconds >= 0.6, "it waited for the holder: \(result.seconds) s")
            #expect(result.standardOutput.hasPrefix("appended: 1\n"), "\(result)")
            #expect(try await ledger.verified().events == 21)
        }
    }
}

/// A `python3` process holding the writer lock of a ledger folder until `release`.
final class LockHolder {
    let process: Process
    let input: Pipe

    init(lockFile: String, scratch: String) async throws {
        let script = scratch + "/locker.py"
        try Files.write(script, Array(WriterLockTests.locker.utf8))
        let output = scratch + "/locker.out"
        try Files.write(output, [])
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, lockFile]
        input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle(forWritingAtPath: output)
        do {
            try process.run()
        } catch {
            throw TestFailure("cannot start python3 to hold the lock: \(error)")
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while String(decoding: try Files.bytes(output), as: UTF8.self) != "locked\n" {
            guard process.isRunning, ContinuousClock.now < deadline else {
                try? input.fileHandleForWriting.close()
                throw TestFailure("python3 did not report holding \(lockFile) (is python3 installed?)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    var isRunning: Bool { process.isRunning }

    /// Closes the locker's standard input and waits for it to exit, which releases the lock.
    func release() async throws {
        try input.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestFailure("python3 did not exit") }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(process.terminationStatus == 0)
    }
}
