#if canImport(Glibc)
import Glibc
#endif
import Integrity
@testable import LedgerLog
import Testing

/// A new empty folder under /tmp, removed by `removeFolder`.
func temporaryFolder() -> String {
    var template = Array("/tmp/ledgerlog-test-XXXXXX".utf8CString)
    return String(cString: mkdtemp(&template)!)
}

func removeFolder(_ path: String) {
    if let names = try? Folder.names(path) {
        for name in names { unlink(path + "/" + name) }
    }
    rmdir(path)
}

/// A deterministic payload for record `seq`, of a length that varies with it.
func payload(_ seq: Int64, size: Int? = nil) -> [UInt8] {
    let count = size ?? (20 + Int(seq % 37) * 7)
    return (0..<count).map { UInt8(truncatingIfNeeded: Int64($0) &* 31 &+ seq &* 7) }
}

/// Appends batches of the given sizes and returns the receipts.
@discardableResult
func appendBatches(_ folder: String, _ sizes: [Int], payloadSize: Int? = nil,
                   segmentTargetSize: Int64 = LogFormat.segmentTargetSize) throws -> [BatchReceipt] {
    let writer = try LogWriter(folder: folder, creating: true, segmentTargetSize: segmentTargetSize)
    var receipts: [BatchReceipt] = []
    for size in sizes {
        try writer.begin(recordedMicroseconds: 1_700_000_000_000_000 + writer.lastSeq)
        for seq in writer.lastSeq + 1...writer.lastSeq + Int64(size) {
            #expect(try writer.add(payload(seq, size: payloadSize)) == seq)
        }
        receipts.append(try writer.commit()!)
    }
    return receipts
}

/// Every committed record's seq and payload, with the chain checked.
func readAll(_ folder: String) throws -> (records: [(Int64, [UInt8])], summary: LogSummary) {
    var records: [(Int64, [UInt8])] = []
    let summary = try LogReader(folder: folder).scan(checkChain: true) { record in
        records.append((record.seq, Array(record.payload)))
        return true
    }
    return (records, summary)
}

/// The bytes of a file.
func fileBytes(_ path: String) -> [UInt8] {
    DurableFiles.contents(of: path, limit: 1 << 30)!
}

/// Replaces a file's bytes (no sync: tests only).
func overwrite(_ path: String, _ bytes: [UInt8]) {
    let descriptor = open(path, O_WRONLY | O_TRUNC)
    precondition(descriptor >= 0)
    bytes.withUnsafeBytes { _ = write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}
