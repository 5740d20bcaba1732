#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import JSONText
import Ledger
import WarrantyDomain
import WarrantyProjections

// One input is a JSON Lines batch. It is read by the real `LineReader` (from a memory file), every
// line parsed by `JSONParser`, decoded and field-checked by `EventDecoder`, checked by the acceptance
// rules against a ledger holding `base.jsonl` and the batch's earlier accepted lines, and stored:
// encoded, decoded back and compared, as `append` does. The whole input is also parsed as one JSON
// text, so inputs far beyond the line limit reach the parser. Refusals are expected; a crash, a
// hang or a sanitizer report is a finding, and so is an accepted event that does not read back
// equal from its stored bytes or from its JSON form (what `ledger log` prints).

let zone = TimeZoneOffset.chinaStandard
let fixtures = repositoryRoot + "/Tests/EndToEndTests/Fixtures/"

/// Lines of the fixtures and golden scenarios: what the grammar-aware mutator splices in.
let pool: [[UInt8]] = {
    var paths = [fixtures + "realistic.jsonl", fixtures + "base.jsonl", fixtures + "followup.jsonl"]
    let scenarios = repositoryRoot + "/Snapshots/scenarios"
    if let folder = opendir(scenarios) {
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if !name.hasPrefix(".") { paths.append(scenarios + "/" + name + "/events.jsonl") }
        }
        closedir(folder)
    }
    let lines = paths.compactMap(readFile).flatMap { $0.split(separator: 0x0A).map(Array.init) }
    precondition(!lines.isEmpty, "no seed lines found under \(repositoryRoot)")
    return lines
}()

/// The ledger a batch is checked against: `base.jsonl` folded, with its events by seq for voids.
let base: (state: LedgerState, events: [Event]) = {
    var state = LedgerState()
    var events: [Event] = []
    for line in readFile(fixtures + "base.jsonl")!.split(separator: 0x0A) {
        let event = try! EventDecoder.decode(try! JSONParser.parse(Array(line)), zone: zone)
        var target: Event?
        if case .eventVoided(let void) = event.body { target = events[Int(void.seq) - 1] }
        try! state.check(event) { _ in target }
        state.apply(event, seq: Int64(events.count + 1), target: target)
        events.append(event)
    }
    return (state, events)
}()

/// A file in memory (/dev/shm) the input is written to and read back from through `LineReader`.
let memoryPath = "/dev/shm/fuzz-events-\(getpid()).jsonl"
let memoryFile = open(memoryPath, O_RDWR | O_CREAT | O_TRUNC, 0o600)

func check(_ bytes: UnsafeRawBufferPointer) {
    _ = try? JSONParser.parse(bytes)
    ftruncate(memoryFile, 0)
    if bytes.count > 0 { precondition(pwrite(memoryFile, bytes.baseAddress, bytes.count, 0) == bytes.count) }
    var state = base.state
    var events = base.events
    guard let lines = try? LineReader(path: memoryPath) else { fatalError("cannot reopen the memory file") }
    try? lines.forEachLine { _, line in
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        guard let value = try? JSONParser.parse(line), let event = try? EventDecoder.decode(value, zone: zone) else { return }
        var target: Event?
        if case .eventVoided(let void) = event.body, void.seq >= 1, void.seq <= events.count {
            target = events[Int(void.seq) - 1]
        }
        do throws(Refusal) { try state.check(event) { _ in target } } catch { return }
        let stored = StoredEvent(stream: state.stream(of: event, target: target), version: 1, event: event)
        var payload: [UInt8] = []
        stored.encode(into: &payload)
        let decoded = payload.withUnsafeBytes { try? StoredEvent(decoding: $0) }
        guard decoded == stored else { fatalError("an accepted event does not read back from its stored bytes: \(event)") }
        let printed = JSONWriter.string(EventEncoder.encode(event))
        guard let reparsed = try? EventDecoder.decode(try JSONParser.parse(printed), zone: zone), reparsed == event else {
            fatalError("an accepted event does not read back from its JSON form: \(printed)")
        }
        state.apply(event, seq: Int64(events.count + 1), target: target)
        events.append(event)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
func customMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    var random = SeededRandom(seed: UInt64(seed))
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    return deliver(EventMutator.mutate(input, maxSize: maxSize, using: &random), to: data, maxSize: maxSize)
}

@_cdecl("fuzz_events_main")
func fuzzEventsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    _ = pool.count
    _ = base.events.count
    precondition(memoryFile >= 0, "cannot create \(memoryPath)")
    atexit { unlink(memoryPath) }
    return runFuzzer(argc, argv, testOneInput)
}
