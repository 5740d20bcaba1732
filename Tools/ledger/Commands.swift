import JSONText
import Ledger
import WarrantyDomain

/// The command implementations: parse options, call the `Ledger` facade, print.
enum Commands {
    static func initialize(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["tz"])
        let zoneText = arguments.options["tz"] ?? "+08:00"
        guard let zone = TimeZoneOffset(zoneText) else {
            throw LedgerError(.usage, "--tz must be an offset like +08:00 or -05:30, not \"\(zoneText)\"")
        }
        try Ledger.create(folder: folder, timeZone: zone)
        output.write("initialized \(folder) (time zone \(zone))\n")
    }

    static func append(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["wait"], positionals: 0...1)
        var wait = 0.1
        if let text = arguments.options["wait"] {
            guard let seconds = Double(text), seconds >= 0, seconds <= 86_400 else {
                throw LedgerError(.usage, "--wait must be a number of seconds from 0 to 86400, not \"\(text)\"")
            }
            wait = max(seconds, 0.1)
        }
        let ledger = try Ledger(folder: folder)
        let source = arguments.positionals.first ?? "-"
        var lines = source == "-" ? LineReader.standardInput() : try LineReader(path: source)
        let progress = ProgressLine(verb: "append", unit: "MB read")
        defer { progress.finish() }
        lines.progress = progress.handler.map { show in { done, size in show(done >> 20, size.map { $0 >> 20 }) } }
        let report = try ledger.append(lines, lockWaitSeconds: wait)
        progress.finish()
        output.write(describe(report))
    }

    static func describe(_ report: AppendReport) -> String {
        var text = "appended: \(report.appended)\nduplicates: \(report.duplicates)\n"
        if let first = report.firstSeq, let last = report.lastSeq {
            text += "seq: \(first)-\(last)\n"
        } else {
            text += "seq: none\n"
        }
        text += "head: \(report.head.hex)\n"
        if report.recoveredTornBytes > 0 {
            text += "recovered: cut \(report.recoveredTornBytes) bytes of an interrupted earlier append\n"
        }
        return text
    }

    static func log(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["from", "limit", "stream"])
        let from = try arguments.integer("from", in: 1...Int64.max) ?? 1
        var remaining = try arguments.integer("limit", in: 0...Int64.max) ?? Int64.max
        let stream = arguments.options["stream"]
        let ledger = try Ledger(folder: folder)
        guard remaining > 0 else { return }
        var writer = JSONWriter()
        try ledger.forEachEvent(from: from) { logged in
            if let stream, logged.stored.stream != stream { return true }
            writer.write(LogLine.json(logged))
            writer.newline()
            if writer.bytes.count >= 1 << 16 {
                output.write(bytes: writer.bytes)
                writer.bytes.removeAll(keepingCapacity: true)
            }
            remaining -= 1
            return remaining > 0
        }
        output.write(bytes: writer.bytes)
    }

    static func verify(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect()
        let ledger = try Ledger(folder: folder)
        let report = try ledger.verify()
        output.write("verified: \(report.events) events in \(report.segments) segment\(report.segments == 1 ? "" : "s") (\(report.bytes) bytes)\n")
        output.write("head: \(report.head.hex)\n")
        if let seq = report.snapshotSeq { output.write("snapshot: valid at seq \(seq)\n") }
        if let size = report.merkleSize { output.write("merkle store: valid at size \(size)\n") }
        if report.tornBytes > 0 {
            output.write("note: \(report.tornBytes) bytes of an interrupted append follow seq \(report.events); the next append cuts them\n")
        }
    }
}

extension Commands {
    static func rebuild(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect()
        let progress = ProgressLine(verb: "rebuild")
        defer { progress.finish() }
        let report = try Ledger(folder: folder).rebuild(progress: progress.handler)
        progress.finish()
        output.write("rebuilt: \(report.events) events in \(String(format3(report.seconds))) s\n")
        output.write(report.written ? "snapshot: written at seq \(report.events)\n"
                                    : "snapshot: kept at seq \(report.events) (already this state, byte for byte)\n")
        switch report.stored {
        case .none: output.write("stored snapshot: there was none of this format version\n")
        case .damaged:
            throw LedgerError(.verificationFailed, "the stored snapshot was damaged or did not match the log; it has been replaced")
        case .equal(let seq): output.write("stored snapshot: at seq \(seq), equal to the state rebuilt from the log\n")
        case .different(let seq):
            throw LedgerError(.verificationFailed, "the stored snapshot at seq \(seq) differs from the state rebuilt from the log; it has been replaced")
        }
    }

    static func format3(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

/// One line of `ledger log`: the envelope, then the event's input fields.
enum LogLine {
    static func json(_ logged: LoggedEvent) -> JSONValue {
        json(seq: logged.seq, stream: logged.stored.stream, version: logged.stored.version,
             recordedMicroseconds: logged.recordedMicroseconds, hash: logged.hash.hex, event: logged.stored.event)
    }

    /// The line of an event known by its parts rather than as it is read from the log.
    static func json(seq: Int64, stream: String, version: UInt32, recordedMicroseconds: Int64, hash: String,
                     event: Event) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("seq", .integer(seq)),
            JSONMember("stream", .string(stream)),
            JSONMember("version", .integer(Int64(version))),
            JSONMember("recorded", .string(Timestamp.iso8601(microseconds: recordedMicroseconds))),
            JSONMember("hash", .string(hash)),
        ]
        if case .object(let input) = EventEncoder.encode(event) { members.append(contentsOf: input) }
        return .object(members)
    }
}
