#if canImport(Glibc)
import Glibc
#endif
import JSONText
import Ledger
import LedgerGenerator
import LedgerLog
import Testing
import WarrantyDomain
import WarrantyProjections

/// A ledger of `OneUnitPathTests.base` in `scratch`, then `forged` written past `append`: straight into the log as one
/// batch, each event in the stream and at the version given, with a correct frame, checksum and chain link.
func forgedLedger(_ forged: [(line: String, stream: String, version: UInt32)], scratch: String) throws -> Ledger {
    let zone = TimeZoneOffset("+08:00")!
    let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: zone)
    try append(OneUnitPathTests.base, to: ledger, scratch: scratch)
    let writer = try LogWriter(folder: ledger.folder)
    try writer.begin(recordedMicroseconds: Ledger.currentMicroseconds())
    for (index, (line, stream, version)) in forged.enumerated() {
        let event = try EventDecoder.decode(try JSONParser.parse(line), zone: zone)
        var payload: [UInt8] = []
        StoredEvent(stream: stream, version: version, event: event).encode(into: &payload)
        #expect(try writer.add(payload) == Int64(OneUnitPathTests.base.count + 1 + index))
    }
    _ = try writer.commit()
    return ledger
}

/// A new empty folder under /tmp.
func temporaryFolder() -> String {
    var template = Array("/tmp/ledger-facade-test-XXXXXX".utf8CString)
    return String(cString: mkdtemp(&template)!)
}

/// Removes a folder and the files in it.
func removeFolder(_ path: String) {
    if let stream = opendir(path) {
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { unlink(path + "/" + name) }
        }
        closedir(stream)
    }
    rmdir(path)
}

/// The JSON Lines of a generated dealer network.
func generatedLines(units: Int, seed: UInt64) -> [String] {
    EventGenerator(GeneratorConfiguration(units: units, seed: seed)).map { JSONWriter.string(EventEncoder.encode($0)) }
}

/// Writes lines to a file and appends it to the ledger as one batch.
@discardableResult
func append(_ lines: some Collection<String>, to ledger: Ledger, scratch: String) throws -> AppendReport {
    let path = scratch + "/input-\(lines.count)-\(Ledger.currentMicroseconds()).jsonl"
    let text = lines.joined(separator: "\n") + "\n"
    let file = fopen(path, "w")!
    _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
    fclose(file)
    defer { unlink(path) }
    return try ledger.append(try LineReader(path: path))
}

/// A new ledger in `scratch/ledger` holding `base`, a snapshot of it, then `tail` (each appended as one batch).
func snapshotLedger(base: some Collection<String>, tail: some Collection<String> = [String](), scratch: String) throws -> Ledger {
    let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
    try append(base, to: ledger, scratch: scratch)
    _ = try ledger.rebuild()
    if !tail.isEmpty { try append(tail, to: ledger, scratch: scratch) }
    return ledger
}

/// Every answer of SPEC §4 on one day, as comparable values.
struct Answers: Equatable {
    var statuses: [UnitStatus]
    var claims: [ClaimLine]
    var dealers: [DealerBalance]
    var archive: [ArchiveRecord]

    init(_ state: LedgerState, on day: Day) {
        statuses = state.unitStatuses(on: day)
        claims = state.claimLines(on: day)
        dealers = state.dealerBalances(on: day)
        archive = state.archive(on: day)
    }
}

/// Days spread over the generator's five years and past them.
let sampleDays = ["2021-03-01", "2022-06-30", "2023-12-31", "2025-07-01", "2026-11-26", "2031-06-30"].map { Day($0)! }
