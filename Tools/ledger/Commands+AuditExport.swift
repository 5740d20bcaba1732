import JSONText
import Ledger
import WarrantyDomain

/// `export` and `history`: every event with its envelope, for auditors and spreadsheets.
extension Commands {
    static func eventFilter(_ arguments: Arguments) throws(LedgerError) -> EventFilter {
        var filter = EventFilter(knownAt: try arguments.integer("known-at", in: 0...Int64.max) ?? .max)
        if let text = arguments.options["as-of"] {
            guard let day = Day(text) else { throw LedgerError(.usage, "--as-of must be a date YYYY-MM-DD, not \"\(text)\"") }
            filter.asOf = day
        }
        return filter
    }

    static func export(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["format", "as-of", "known-at", "out"])
        let filter = try eventFilter(arguments)
        let ledger = try Ledger(folder: folder)
        if let out = arguments.options["out"] { try ledger.refuseInside(out) }
        let progress = ProgressLine(verb: "export")
        defer { progress.finish() }
        let tick = progress.handler
        func reach(_ seq: Int64) { if seq & 0x3FFF == 0 { tick?(seq, nil) } }
        switch arguments.options["format"] {
        case "jsonl":
            let file = try arguments.options["out"].map { path throws(LedgerError) in try ExportFile(path: path) }
            var writer = JSONWriter()
            var count = 0
            try ledger.forEachExported(filter) { logged in
                reach(logged.seq)
                writer.write(LogLine.json(logged))
                writer.newline()
                count += 1
                if writer.bytes.count >= 1 << 16 {
                    if let file { file.write(writer.bytes) } else { output.write(bytes: writer.bytes) }
                    writer.bytes.removeAll(keepingCapacity: true)
                }
            }
            if let file {
                file.write(writer.bytes)
                try file.commit()
                output.write("exported: \(count) events to \(file.path)\n")
            } else {
                output.write(bytes: writer.bytes)
            }
        case "csv":
            guard let out = arguments.options["out"] else {
                throw LedgerError(.usage, "export --format csv writes one file per event type: give the folder with --out DIR")
            }
            let exportFolder = try ExportFolder(path: out, names: Set(EventType.allCases.map(ExportCSV.fileName)))
            var files: [EventType: ExportFile] = [:]
            var counts: [EventType: Int] = [:]
            for type in EventType.allCases {
                let file = try exportFolder.file(ExportCSV.fileName(type))
                file.write(ExportCSV.header(type))
                files[type] = file
            }
            try ledger.forEachExported(filter) { logged in
                reach(logged.seq)
                let type = logged.stored.event.type
                files[type]!.write(ExportCSV.row(logged))
                counts[type, default: 0] += 1
            }
            for type in EventType.allCases { try files[type]!.commit() }
            try exportFolder.commit()
            output.write("exported: \(counts.values.reduce(0, +)) events into \(EventType.allCases.count) files in \(out)\n")
            for type in EventType.allCases { output.write("\(ExportCSV.fileName(type)): \(counts[type, default: 0])\n") }
        case let other:
            throw LedgerError(.usage, other == nil ? "export needs --format jsonl or --format csv"
                                                   : "--format must be jsonl or csv, not \"\(other!)\"")
        }
    }

    static func history(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: viewOptions, flags: ["json"], positionals: 1...1)
        let ledger = try Ledger(folder: folder)
        var filter = try eventFilter(arguments)
        // Like every query, history answers as of today in the ledger's zone unless --as-of says otherwise.
        if filter.asOf == nil { filter.asOf = ledger.today() }
        let entries = try ledger.history(serial: arguments.positionals[0], filter: filter)
        if arguments.flags.contains("json") {
            var writer = JSONWriter()
            for entry in entries {
                writer.write(historyJSON(entry))
                writer.newline()
            }
            output.write(bytes: writer.bytes)
            return
        }
        var table = Table(["seq", "day", "at", "recorded", "hash", "relation", "type", "event", "note"], rightAligned: [0])
        let shown = Set(entries.map(\.seq))
        for entry in entries {
            let event = entry.stored.event
            var note = entry.voidedBy.map { "voided by seq \($0)" } ?? ""
            if case .eventVoided(let void) = event.body {
                note = "voids seq \(void.seq)" + (shown.contains(void.seq) ? "" : ", outside this view")
            }
            let data = EventEncoder.data(event.body).objectValue ?? []
            let summary = data.map { "\($0.key)=\(ExportCSV.cell($0.value))" }.joined(separator: " ")
            table.add([String(entry.seq), event.day.description, event.at, Timestamp.iso8601(microseconds: entry.recordedMicroseconds),
                         String(entry.hash.hex.prefix(16)), entry.relation, event.type.rawValue, summary, note])
        }
        output.write(table.render())
        output.write("\(entries.count) events; hashes shortened to 16 hex digits (--json prints them whole)\n")
    }

    /// A `ledger log` line (`LogLine.json`) with, after its envelope, the business day, why the event is in
    /// the history and the void that cancelled it.
    static func historyJSON(_ entry: HistoryEntry) -> JSONValue {
        guard case .object(var members) = LogLine.json(seq: entry.seq, stream: entry.stored.stream, version: entry.stored.version,
                                                      recordedMicroseconds: entry.recordedMicroseconds, hash: entry.hash.hex,
                                                      event: entry.stored.event) else { preconditionFailure("a log line is an object") }
        members.insert(contentsOf: [JSONMember("day", .string(entry.stored.event.day.description)),
                                    JSONMember("relation", .string(entry.relation)),
                                    JSONMember("voidedBy", entry.voidedBy.map { .integer($0) } ?? .null)],
                       at: LogLine.envelopeCount)
        return .object(members)
    }
}

extension LogLine {
    /// The members of the envelope, which come before the event's input fields.
    static let envelopeCount = 5
}
