import Foundation
import Ledger
import LedgerLog
import Testing
import WarrantyDomain

/// The balance columns of a `dealers --json` row, in the statement's order.
let financeColumns = ["claimed", "pending", "approved", "rejected", "writtenOff", "deducted", "receivable"]

/// Parses a `--json` array answer (one element per line) or object.
func financeJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
}

/// `dealers --json --as-of DAY`, by dealer id.
func dealerRows(_ ledger: TestLedger, on day: String) async throws -> [String: [String: Any]] {
    let run = try await ledger.run("dealers", "--as-of", day, "--json")
    guard run.status == 0, let rows = try financeJSON(run.standardOutput) as? [[String: Any]] else {
        throw TestFailure("dealers failed: \(run)")
    }
    return Dictionary(uniqueKeysWithValues: rows.map { ($0["dealer"] as! String, $0) })
}

/// An integer field of a parsed JSON object.
func fen(_ object: [String: Any]?, _ key: String) -> Int64? {
    (object?[key] as? NSNumber)?.int64Value
}

/// Appends `events` to the ledger in `folder` straight through the log writer, skipping every check of the append
/// path: the only way to build a ledger holding events the ledger itself would refuse.
func forge(_ events: [Event], into folder: String) throws {
    let writer = try LogWriter(folder: folder)
    try writer.begin(recordedMicroseconds: 1_767_225_600_000_000)
    for event in events {
        var payload: [UInt8] = []
        StoredEvent(stream: "forged", version: 1, event: event).encode(into: &payload)
        _ = try writer.add(payload)
    }
    _ = try writer.commit()
}

/// An event dated at midnight of `day`.
func event(_ day: String, _ body: EventBody) -> Event {
    Event(at: day, day: Day(day)!, body: body)
}

/// Runs `python3 -c SCRIPT ARGUMENTS...`; nil when there is no python3.
func runPython(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus == 127 { return nil }
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
}

/// A scenario of `Snapshots/scenarios` appended to a new ledger in `scratch`.
func scenarioLedger(_ name: String, scratch: String) async throws -> TestLedger {
    let ledger = TestLedger(scratch: scratch, name: name)
    try await ledger.initialize()
    try await ledger.appendSucceeding(GoldenScenario(name: name).eventsPath)
    return ledger
}
