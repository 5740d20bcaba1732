#if canImport(Glibc)
import Glibc
#endif
import Ledger
import WarrantyDomain

extension Commands {
    /// Creates a fresh ledger in a new temporary folder, appends the built-in sample, verifies it and reports.
    static func demo(_ arguments: Arguments, _ output: inout Output) throws(LedgerError) {
        try arguments.expect()
        var template = Array("/tmp/ledger-demo-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw LedgerError(.io, "cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        let base = String(cString: created)
        let folder = base + "/ledger"
        let samplePath = base + "/sample.jsonl"
        let ledger = try Ledger.create(folder: folder, timeZone: TimeZoneOffset("+08:00")!)
        try writeFile(samplePath, Sample.harvester + "\n")
        output.write("ledger: \(folder)\nsample: \(samplePath)\n\n$ ledger append sample.jsonl\n")
        output.write(describe(try ledger.append(try LineReader(path: samplePath))))
        let report = try ledger.verify()
        output.write("\n$ ledger verify\nverified: \(report.events) events, head \(report.head.hex)\n")
        output.write("\nTry: LEDGER_DIR=\(folder) swift run -c release ledger log\n")
    }

    static func writeFile(_ path: String, _ text: String) throws(LedgerError) {
        guard let file = fopen(path, "wx") else {
            throw LedgerError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        let bytes = Array(text.utf8)
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else {
            throw LedgerError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
