import Integrity
import LedgerLog
import WarrantyDomain

/// What `verify` proved: how many events, up to which head, and any torn tail it saw.
public struct VerifyReport: Sendable, Equatable {
    public var events: Int64
    public var head: SHA256Digest
    public var segments: Int
    public var bytes: Int64
    public var tornBytes: Int64
}

extension Ledger {
    /// Re-reads the whole log: every checksum, the hash chain from genesis, every payload's decoding
    /// and every stream's version sequence; throws a verification error naming the first bad position.
    public func verify() throws(LedgerError) -> VerifyReport {
        var versions: [String: UInt32] = [:]
        let summary = try forEachEvent(checkChain: true) { logged throws(LedgerError) in
            let stream = logged.stored.stream
            let expected = versions[stream, default: 0] + 1
            guard logged.stored.version == expected else {
                throw LedgerError(.verificationFailed, "seq \(logged.seq): stream \(stream) version \(logged.stored.version), expected \(expected)")
            }
            versions[stream] = expected
            return true
        }
        return VerifyReport(events: summary.lastSeq, head: summary.head, segments: summary.segments,
                            bytes: summary.committedBytes, tornBytes: summary.tornBytes)
    }
}
