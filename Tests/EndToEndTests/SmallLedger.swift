import Testing

/// A small ledger of three appended batches, for the tests that damage its files byte by byte.
struct SmallLedger: Sendable {
    static let batches: [[String]] = [
        [
            #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["M1"],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":6000}}"#,
            #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D1","name":"济南"}}"#,
        ],
        [
            #"{"type":"unit.sold","at":"2025-03-01","id":"sale-SN1","data":{"serial":"SN1","model":"M1","dealer":"D1","price":100000}}"#,
            #"{"type":"card.registered","at":"2025-03-05","data":{"serial":"SN1"}}"#,
        ],
        [
            #"{"type":"dealer.invoiced","at":"2025-03-10","data":{"dealer":"D1","invoice":"F1","amount":5000}}"#,
            #"{"type":"payment.received","at":"2025-03-11T10:00:00+08:00","data":{"dealer":"D1","amount":5000}}"#,
        ],
    ]

    let ledger: TestLedger
    /// The segment's size before the last batch was appended.
    let segmentSizeBeforeLastBatch: Int
    /// The segment's size after it.
    let segmentSize: Int
    /// What `verify` printed before the last batch, and after it.
    let earlier: Verified
    let final: Verified
    /// `ledger log` before the last batch.
    let earlierLog: [String]

    /// Creates the ledger in `scratch/name`.
    init(scratch: String, name: String = "ledger") async throws {
        ledger = TestLedger(scratch: scratch, name: name)
        try await ledger.initialize()
        for batch in Self.batches.dropLast() {
            _ = try await ledger.appendSucceeding(try ledger.input(lines: batch))
        }
        earlier = try await ledger.verified()
        earlierLog = try await ledger.log()
        segmentSizeBeforeLastBatch = try Files.size(try ledger.segmentPath())
        _ = try await ledger.appendSucceeding(try ledger.input(lines: Self.batches.last!))
        final = try await ledger.verified()
        segmentSize = try Files.size(try ledger.segmentPath())
    }
}
