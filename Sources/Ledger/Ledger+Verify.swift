import Integrity
import LedgerLog
import WarrantyDomain

/// What `verify` proved: how many events, up to which head, and any torn tail it saw.
public struct VerifyReport: Sendable, Equatable {
    public var events: Int64
    /// The seq of the projection snapshot, checked against the log; nil when there is none.
    public var snapshotSeq: Int64?
    /// The tree size of the Merkle store, every entry checked against the log; nil when there is none usable.
    public var merkleSize: Int64? = nil
    public var head: SHA256Digest
    public var segments: Int
    public var bytes: Int64
    public var tornBytes: Int64
}

extension Ledger {
    /// Re-reads the whole log: every checksum, the hash chain from genesis, every payload's decoding, each
    /// event's business day and every stream's version sequence, then the caches (snapshot, Merkle store)
    /// against it; throws a verification error naming the first bad position.
    public func verify() throws(LedgerError) -> VerifyReport {
        var versions = KeyTable<UInt32>()
        let summary = try forEachEvent(checkChain: true) { logged throws(LedgerError) in
            let stream = logged.stored.stream
            let expected = versions[stream, default: 0] + 1
            guard logged.stored.version == expected else {
                throw LedgerError(.verificationFailed, "seq \(logged.seq): stream \(stream) version \(logged.stored.version), expected \(expected)")
            }
            versions[stream] = expected
            // The codec can only bound the stored day (it knows no zone); here it must be exact.
            let event = logged.stored.event
            guard BusinessTime.businessDay(of: event.at, in: timeZone) == event.day else {
                throw LedgerError(.verificationFailed, "seq \(logged.seq): stored business day \(event.day) is not the day of "
                                  + "\"\(event.at)\" in the ledger's zone \(timeZone)")
            }
            return true
        }
        var report = VerifyReport(events: summary.lastSeq, snapshotSeq: try verifySnapshot(), head: summary.head,
                                  segments: summary.segments, bytes: summary.committedBytes, tornBytes: summary.tornBytes)
        switch try checkMerkleStore() {
        case .unusable: break
        case .matches(let size): report.merkleSize = size
        case .differs(_, let entry):
            let part = entry < 0 ? "its header" : "entry \(entry)"
            throw LedgerError(.verificationFailed, "\(MerkleStore.fileName): \(part) differs from the tree of the log; "
                              + "the log itself is intact: delete the file and the next `digest` or `append` rebuilds it from the log")
        }
        return report
    }

    /// Checks the projection snapshot, if there is one: every checksum, and that the log holds the record it names with its head hash.
    ///
    /// A snapshot is only a cache, but a changed byte anywhere in the folder is something an auditor must hear of.
    func verifySnapshot() throws(LedgerError) -> Int64? {
        func damaged(_ reason: String) -> LedgerError {
            LedgerError(.verificationFailed, "\(SnapshotFile.fileName): \(reason); the log itself is intact: run `ledger rebuild` to replace the snapshot")
        }
        let (file, reader): (SnapshotFile, SnapshotReader)
        switch SnapshotFile.find(folder: folder) {
        case .missing, .otherVersion: return nil
        case .damaged: throw damaged("header damaged")
        case .header(let found, let foundReader): (file, reader) = (found, foundReader)
        }
        // Read in pieces: a section is never held whole to check its checksum.
        for section in SnapshotFile.Section.allCases where !file.checksumHolds(section, reader) {
            throw damaged("section \(section) fails its checksum")
        }
        guard usableSnapshot(reader: try logReader()) != nil else {
            throw damaged("its head hash does not match the log at seq \(file.lastSeq)")
        }
        return file.lastSeq
    }
}
