#if canImport(Glibc)
import Glibc
#endif
import Integrity
import WarrantyDomain

/// The folder's `LEDGER` file: the format version and the time zone chosen at `init`, protected by a checksum.
///
/// It is four lines of UTF-8 text, each ending in `\n`:
/// `warranty-ledger 1`, `time-zone +08:00`, `created 2026-11-26T06:23:32Z`, and
/// `checksum XXXXXXXX` — the CRC-32C of the first three lines' bytes, as 8 lowercase hex digits.
struct LedgerManifest: Equatable {
    static let fileName = "LEDGER"
    var timeZone: TimeZoneOffset
    var created: String

    /// The file's bytes.
    var text: String {
        let body = "warranty-ledger 1\ntime-zone \(timeZone)\ncreated \(created)\n"
        return body + "checksum \(hex8(CRC32C.checksum(Array(body.utf8))))\n"
    }

    /// Parses and checks the file's text; throws a verification error naming the problem.
    init(parsing text: String, path: String) throws(LedgerError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func fail(_ reason: String) -> LedgerError {
            LedgerError(.verificationFailed, "\(path): \(reason)")
        }
        guard lines.count == 5, lines[4].isEmpty, lines[0] == "warranty-ledger 1",
              lines[1].hasPrefix("time-zone "), lines[2].hasPrefix("created "), lines[3].hasPrefix("checksum ") else {
            throw fail("not a warranty-ledger version 1 manifest")
        }
        let body = lines[0...2].joined(separator: "\n") + "\n"
        guard lines[3].dropFirst("checksum ".count) == hex8(CRC32C.checksum(Array(body.utf8))) else {
            throw fail("checksum mismatch (the file was changed)")
        }
        guard let zone = TimeZoneOffset(String(lines[1].dropFirst("time-zone ".count))) else {
            throw fail("invalid time zone")
        }
        timeZone = zone
        created = String(lines[2].dropFirst("created ".count))
    }

    init(timeZone: TimeZoneOffset, created: String) {
        self.timeZone = timeZone
        self.created = created
    }
}

func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
