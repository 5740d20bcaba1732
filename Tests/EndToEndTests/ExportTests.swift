import Foundation
import Testing

/// `export --format jsonl|csv`, and appending an export into a new ledger, through the built binary.
@Suite struct ExportTests {
    static func ledgerOf300Units(_ scratch: String) async throws -> TestLedger {
        let ledger = TestLedger(scratch: scratch)
        try await ledger.initialize()
        let path = scratch + "/generated.jsonl"
        let run = try await runLedger(["generate", "--units", "300", "--seed", "7", "--out", path])
        guard run.status == 0 else { throw TestFailure("\(run)") }
        try await ledger.appendSucceeding(path)
        return ledger
    }

    @Test func anExportAppendedIntoANewLedgerGivesIdenticalAnswers() async throws {
        try await withTemporaryFolder { scratch in
            let original = try await Self.ledgerOf300Units(scratch)
            let exported = try await original.run("export", "--format", "jsonl")
            #expect(exported.status == 0, "\(exported)")
            #expect(exported.standardOutput == (try await original.run("log")).standardOutput, "exactly the `log` lines")
            let file = scratch + "/export.jsonl"
            let toFile = try await original.run("export", "--format", "jsonl", "--out", file)
            #expect(toFile.status == 0 && toFile.standardOutput == "exported: \(exported.outputLines.count) events to \(file)\n", "\(toFile)")
            #expect(try Files.bytes(file) == Array(exported.standardOutput.utf8))

            let copy = TestLedger(scratch: scratch, name: "copy")
            try await copy.initialize()
            let appended = try await copy.appendSucceeding(file)
            let count = exported.outputLines.count
            #expect(appended.field("appended") == String(count) && appended.field("seq") == "1-\(count)")

            var queries: [[String]] = []
            for view in [["--as-of", "2026-06-30"], ["--as-of", "2023-03-31", "--known-at", "1500"], ["--as-of", "2022-01-01"]] {
                for command in [["claims"], ["dealers"], ["archive"], ["archive", "--expired"], ["units"]] {
                    queries.append(command + view + ["--json"])
                }
            }
            let serials = exported.outputLines.compactMap(jsonObject).filter { $0["type"] as? String == "unit.sold" || $0["type"] as? String == "unit.exchanged" }
                .compactMap { (($0["data"] as? [String: Any])?["replacement"] ?? ($0["data"] as? [String: Any])?["serial"]) as? String }
            #expect(serials.count > 300)
            for (index, serial) in serials.enumerated() where index % 9 == 0 || serial.hasSuffix("2") {
                queries.append(["status", serial, "--as-of", "2026-06-30", "--json"])
            }
            for query in queries {
                let expected = try await runLedger(["--dir", original.folder] + query)
                let actual = try await runLedger(["--dir", copy.folder] + query)
                #expect(expected.status == actual.status && expected.standardOutput == actual.standardOutput, "\(query): \(actual)")
            }
            // The new ledger records its own time, so only `recorded` and `hash` differ.
            let copied = try await copy.run("log")
            func strip(_ line: String) -> String {
                line.replacingOccurrences(of: #""recorded":"[^"]*","hash":"[0-9a-f]{64}""#, with: "", options: .regularExpression)
            }
            #expect(copied.outputLines.map(strip) == exported.outputLines.map(strip))
            // Appending the same export again is refused as a whole: nothing may be stored twice.
            let again = try await copy.run("append", file)
            #expect(again.status == 65 && again.standardError.contains("this ledger would store the event at seq \(count + 1)"), "\(again)")
        }
    }

    @Test func anImportMustLandWhereItsEnvelopeSays() async throws {
        try await withTemporaryFolder { scratch in
            let original = TestLedger(scratch: scratch)
            try await original.initialize()
            try await original.appendSucceeding(try original.input(lines: AuditTests.historyEvents))
            let lines = (try await original.run("export", "--format", "jsonl")).outputLines
            func edited(_ index: Int, _ from: String, _ to: String) -> [String] {
                var copy = lines
                copy[index] = copy[index].replacingOccurrences(of: from, with: to)
                return copy
            }
            let cases: [([String], String)] = [
                (edited(6, "\"seq\":7,", "\"seq\":9,"), "line 7: card.registered: seq 9: this ledger would store the event at seq 7"),
                (Array(lines[0..<3] + lines[4...]), "line 4: unit.sold: seq 5: this ledger would store the event at seq 4"),
                (edited(6, "\"version\":2,", "\"version\":3,"), "line 7: card.registered: seq 7: version 3, but this ledger would store it as version 2 of unit:SN1"),
                (edited(6, "\"stream\":\"unit:SN1\"", "\"stream\":\"unit:SN9\""), "line 7: card.registered: seq 7: stream \"unit:SN9\", but this ledger would store the event in \"unit:SN1\""),
                (edited(2, "\"seq\":3,", ""), "line 3: envelope: \"seq\" must be a whole number from 1"),
                (edited(2, "\"hash\":\"", "\"hash\":\"x"), "line 3: envelope: \"hash\" must be 64 lowercase hex digits"),
            ]
            for (index, (input, message)) in cases.enumerated() {
                let copy = TestLedger(scratch: scratch, name: "copy\(index)")
                try await copy.initialize()
                let run = try await copy.append(lines: input)
                #expect(run.status == 65 && run.standardError == "error: \(message)\n", "\(run)")
                #expect(try await copy.verified().events == 0, "nothing appended")
            }
        }
    }

    /// Parses RFC 4180 text: records of fields, quoted fields with doubled quotes, CRLF line ends.
    static func parseCSV(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if scalars.first == "\"" { field.unicodeScalars.append(scalars.removeFirst()) } else { quoted = false }
                } else {
                    field.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" && field.isEmpty {
                quoted = true
            } else if scalar == "," {
                record.append(field)
                field = ""
            } else if scalar == "\r" {
                guard scalars.popFirst() == "\n" else { throw TestFailure("CR without LF") }
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                guard scalar != "\n" && scalar != "\"" else { throw TestFailure("bare LF or quote in an unquoted field") }
                field.unicodeScalars.append(scalar)
            }
        }
        guard record.isEmpty && field.isEmpty && !quoted else { throw TestFailure("the last record does not end with CRLF") }
        return records
    }

    /// The text a CSV cell holds for a JSON value of the log line.
    static func cell(_ value: Any?, boolean: Bool = false) throws -> String {
        switch value {
        case nil, is NSNull: return ""
        case let text as String: return text
        case let number as NSNumber where boolean: return number.boolValue ? "true" : "false"
        case let number as NSNumber: return number.stringValue
        default: return String(decoding: try JSONSerialization.data(withJSONObject: value!, options: [.withoutEscapingSlashes]), as: UTF8.self)
        }
    }

    @Test func csvFilesParseBackToTheLoggedEvents() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await Self.ledgerOf300Units(scratch)
            let out = scratch + "/csv"
            let run = try await ledger.run("export", "--format", "csv", "--out", out)
            #expect(run.status == 0, "\(run)")
            let files = try Files.names(out)
            #expect(files.count == 17 && files.contains("unit.sold.csv") && files.contains("cost.written-off.csv"), "\(files)")
            var rows: [Int: [String: String]] = [:]
            for name in files {
                let bytes = try Files.bytes(out + "/" + name)
                #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "\(name) starts with a byte order mark")
                let records = try Self.parseCSV(String(decoding: bytes.dropFirst(3), as: UTF8.self))
                let header = try #require(records.first)
                #expect(Array(header.prefix(10)) == ["seq", "stream", "version", "recorded", "hash", "type", "at", "day", "id", "by"])
                for record in records.dropFirst() {
                    #expect(record.count == header.count)
                    #expect(record[5] + ".csv" == name)
                    rows[Int(record[0])!] = Dictionary(uniqueKeysWithValues: zip(header, record))
                }
            }
            let logged = (try await ledger.run("log")).outputLines.compactMap(jsonObject)
            #expect(rows.count == logged.count)
            for line in logged {
                let seq = line["seq"] as! Int
                guard let row = rows[seq] else { Issue.record("seq \(seq) is in no file"); continue }
                for key in ["seq", "stream", "version", "recorded", "hash", "type", "at", "id", "by"] {
                    let expected = try Self.cell(line[key])
                    #expect(row[key] == expected, "seq \(seq) \(key)")
                }
                #expect(row["day"]?.count == 10 && (line["at"] as! String).hasPrefix(row["day"]!.prefix(4)))
                let data = line["data"] as! [String: Any]
                for (key, value) in data {
                    if key == "sla", let sla = value as? [String: Any] {
                        let onsite = try Self.cell(sla["onsiteHours"])
                        let resolve = try Self.cell(sla["resolveHours"])
                        #expect(row["sla.onsiteHours"] == onsite && row["sla.resolveHours"] == resolve)
                    } else if let array = value as? [Any] {
                        let parsed = try JSONSerialization.jsonObject(with: Data(row[key]!.utf8)) as! [Any]
                        #expect((parsed as NSArray).isEqual(to: array), "seq \(seq) \(key)")
                    } else {
                        let expected = try Self.cell(value, boolean: key == "resolved")
                        #expect(row[key == "seq" ? "data.seq" : key] == expected, "seq \(seq) \(key)")
                    }
                }
            }
            let missing = try await ledger.run("export", "--format", "csv")
            #expect(missing.status == 64 && missing.standardError.contains("--out DIR"), "\(missing)")
            let unknown = try await ledger.run("export", "--format", "xml")
            #expect(unknown.status == 64, "\(unknown)")
        }
    }

    @Test func exportKeepsTheFirstNEventsOrThoseUpToADay() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = try await Self.ledgerOf300Units(scratch)
            let known = try await ledger.run("export", "--format", "jsonl", "--known-at", "100")
            #expect(known.outputLines.compactMap(jsonObject).map { $0["seq"] as? Int } == Array(1...100).map { Optional($0) })
            let all = scratch + "/all"
            let byDay = scratch + "/by-day"
            #expect(try await ledger.run("export", "--format", "csv", "--out", all).status == 0)
            #expect(try await ledger.run("export", "--format", "csv", "--out", byDay, "--as-of", "2023-06-30").status == 0)
            for name in try Files.names(all) {
                let every = try Self.parseCSV(String(decoding: try Files.bytes(all + "/" + name).dropFirst(3), as: UTF8.self)).dropFirst()
                let kept = try Self.parseCSV(String(decoding: try Files.bytes(byDay + "/" + name).dropFirst(3), as: UTF8.self)).dropFirst()
                #expect(Array(kept) == every.filter { $0[7] <= "2023-06-30" }, "\(name)")
            }
        }
    }

    /// `--out` never inside the ledger folder, where an export could replace a segment or a cache (exit 64);
    /// a CSV export is renamed into place as a whole folder, over nothing, an empty folder or a previous export only.
    @Test func exportsGoOutsideTheLedgerAndReplaceOnlyAPreviousExport() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: AuditTests.historyEvents))
            let segment = ledger.folder + "/00000000000000000001.seg"
            let before = try Files.bytes(segment)
            for (format, out) in [("jsonl", segment), ("jsonl", ledger.folder + "/new.jsonl"), ("jsonl", ledger.folder + "/../ledger/x.jsonl"),
                                  ("jsonl", scratch + "/./ledger/sub/../merkle.tree"), ("csv", ledger.folder), ("csv", ledger.folder + "/csv")] {
                let run = try await ledger.run("export", "--format", format, "--out", out)
                #expect(run.status == 64 && run.standardError.contains("is inside the ledger folder"), "\(out): \(run)")
            }
            #expect(try Files.bytes(segment) == before)
            #expect(try Files.names(ledger.folder).allSatisfy { !$0.contains(".tmp-") && $0 != "csv" && $0 != "new.jsonl" })

            let out = scratch + "/csv"
            #expect(try await ledger.run("export", "--format", "csv", "--out", out, "--known-at", "3").status == 0)
            let unsold = try Self.parseCSV(String(decoding: try Files.bytes(out + "/unit.sold.csv").dropFirst(3), as: UTF8.self))
            #expect(unsold.count == 1, "the header only")
            let again = try await ledger.run("export", "--format", "csv", "--out", out)
            #expect(again.status == 0, "\(again)")
            let sold = try Self.parseCSV(String(decoding: try Files.bytes(out + "/unit.sold.csv").dropFirst(3), as: UTF8.self))
            #expect(sold.dropFirst().map { $0[0] } == ["5", "6"], "replaced by the new export")
            #expect(try Files.names(out).count == 17)
            #expect(try Files.names(scratch).allSatisfy { !$0.contains(".tmp-") && !$0.contains(".old-") })
            try Files.write(out + "/notes.txt", Array("mine".utf8))
            let refused = try await ledger.run("export", "--format", "csv", "--out", out)
            #expect(refused.status == 64 && refused.standardError.contains("holds notes.txt, which no export writes"), "\(refused)")
            #expect(try Files.bytes(out + "/notes.txt") == Array("mine".utf8))
            let empty = scratch + "/empty"
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
            #expect(try await ledger.run("export", "--format", "csv", "--out", empty + "/").status == 0)
            #expect(try Files.names(empty).count == 17)
        }
    }
}
