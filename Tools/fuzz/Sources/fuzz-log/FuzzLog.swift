#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import JSONText
import Ledger
import LedgerLog

// One input is a ledger's log: its segment files concatenated. It is written as segment files (split
// at each segment magic, named by the base seq in their header) into a ledger folder in /dev/shm,
// then read as the commands read it: a scan from a later seq and `verify`; a log that verifies is
// also folded into warranty state. Errors are expected; a crash, a hang or a sanitizer report is a finding.
// So is a log that verifies but that the writer cannot open, or that after the writer's recovery
// no longer verifies to the same head, or that refuses a new batch.

let folder = "/dev/shm/fuzz-log-\(getpid())"

/// The segment files of `bytes`: (name, contents), names unique and increasing.
func segments(_ bytes: [UInt8]) -> [(String, ArraySlice<UInt8>)] {
    let starts = LogMutator.segmentStarts(bytes)
    var result: [(String, ArraySlice<UInt8>)] = []
    var previous: Int64 = 0
    for (number, start) in starts.enumerated() {
        let end = number + 1 < starts.count ? starts[number + 1] : bytes.count
        var base = Int64(bitPattern: LogMutator.load(bytes, start + 16, 8))
        if end - start < 24 || base <= previous || base > 999_999_999_999 { base = previous + 1 }
        result.append((LogFormat.segmentName(baseSeq: base), bytes[start..<end]))
        previous = base
    }
    return result
}

func check(_ input: [UInt8]) {
    for name in (try? DurableFiles.names(in: folder)) ?? [] where name.hasSuffix(".seg") { unlink(folder + "/" + name) }
    for (name, contents) in segments(input) { writeFile(folder + "/" + name, contents) }
    guard let ledger = try? Ledger(folder: folder) else { fatalError("the manifest of \(folder) is gone") }
    _ = try? LogReader(folder: folder).scan(from: 3) { _ in true }
    guard let verified = try? ledger.verify() else { return }
    _ = try? ledger.fold()
    do {
        let writer = try LogWriter(folder: folder)
        try writer.begin(recordedMicroseconds: 0)
        try writer.add([1, 2, 3])
        let receipt = try writer.commit()
        guard receipt?.lastSeq == verified.events + 1 else { fatalError("the writer appended at \(String(describing: receipt)) after \(verified)") }
    } catch {
        fatalError("the log verified (\(verified)) but the writer failed: \(error)")
    }
    guard let summary = try? LogReader(folder: folder).scan(checkChain: true),
          summary.lastSeq == verified.events + 1, summary.tornBytes == 0 else {
        fatalError("after the writer's recovery and one batch the log does not read back: \(verified)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    check(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
func customMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    var random = SeededRandom(seed: UInt64(seed))
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    return deliver(LogMutator.mutate(input, maxSize: maxSize, using: &random), to: data, maxSize: maxSize)
}

/// Writes the seed logs into `directory`: the fixture `base.jsonl` appended in two batches, the same
/// events spread over four small segments, and a log whose last batch was torn by a crash.
func makeSeeds(_ directory: String) throws {
    let scratch = folder + "-seeds"
    let ledger = try Ledger.create(folder: scratch, timeZone: .chinaStandard)
    let lines = String(decoding: readFile(repositoryRoot + "/Tests/EndToEndTests/Fixtures/base.jsonl")!, as: UTF8.self)
        .split(separator: "\n").map(String.init)
    for (index, part) in [lines[..<10], lines[10...]].enumerated() {
        let path = scratch + "-\(index).jsonl"
        writeFile(path, Array((part.joined(separator: "\n") + "\n").utf8))
        _ = try ledger.append(try LineReader(path: path), recordedMicroseconds: 1_750_000_000_000_000)
        unlink(path)
    }
    let log = readFile(scratch + "/" + LogFormat.segmentName(baseSeq: 1))!
    writeFile(directory + "/two-batches.log", log)

    var payloads: [[UInt8]] = []
    try LogReader(folder: scratch).scan { record in payloads.append(Array(record.payload)); return true }
    let small = folder + "-small"
    mkdir(small, 0o700)
    let writer = try LogWriter(folder: small, creating: true, segmentTargetSize: 1_500)
    for batch in stride(from: 0, to: payloads.count, by: 4) {
        try writer.begin(recordedMicroseconds: 1_750_000_000_000_000)
        for payload in payloads[batch..<min(batch + 4, payloads.count)] { try writer.add(payload) }
        try writer.commit()
    }
    let names = try DurableFiles.names(in: small).filter { $0.hasSuffix(".seg") }
    writeFile(directory + "/segments.log", names.flatMap { readFile(small + "/" + $0)! })
    writeFile(directory + "/torn-tail.log", log + Array(log[32..<min(log.count, 32 + 700)]))
    for path in [scratch, small] {
        for name in try DurableFiles.names(in: path) { unlink(path + "/" + name) }
        rmdir(path)
    }
}

@_cdecl("fuzz_log_main")
func fuzzLogMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    atexit {
        for name in (try? DurableFiles.names(in: folder)) ?? [] { unlink(folder + "/" + name) }
        rmdir(folder)
    }
    do {
        _ = try Ledger.create(folder: folder, timeZone: .chinaStandard)
        if let directory = getenv("FUZZ_LOG_MAKE_SEEDS") {
            try makeSeeds(String(cString: directory))
            return 0
        }
    } catch {
        fatalError("cannot set up \(folder): \(error)")
    }
    return runFuzzer(argc, argv, testOneInput)
}
