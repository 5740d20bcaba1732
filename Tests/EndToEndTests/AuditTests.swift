import Foundation
import Testing

/// `digest`, `prove`, `check-proof` and `history` through the built binary.
@Suite struct AuditTests {
    /// The generated events of a small dealer network, as lines.
    static func generatedLines(_ ledger: TestLedger, units: Int = 40, seed: Int = 7) async throws -> [String] {
        let path = ledger.scratch + "/generated-\(units)-\(seed).jsonl"
        let run = try await runLedger(["generate", "--units", String(units), "--seed", String(seed), "--out", path])
        guard run.status == 0 else { throw TestFailure("generate failed: \(run)") }
        return String(decoding: try Files.bytes(path), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Runs a command that must succeed and writes its output to a file in the scratch folder.
    static func save(_ ledger: TestLedger, _ name: String, _ arguments: String...) async throws -> String {
        try await save(ledger, name, arguments: arguments)
    }

    static func save(_ ledger: TestLedger, _ name: String, arguments: [String]) async throws -> String {
        let run = try await runLedger(["--dir", ledger.folder] + arguments)
        guard run.status == 0 else { throw TestFailure("\(run)") }
        let path = ledger.scratch + "/" + name
        try Files.write(path, Array(run.standardOutput.utf8))
        return path
    }

    @Test func digestThenAppendThenConsistencyProofChecksOut() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            let lines = try await Self.generatedLines(ledger)
            try await ledger.appendSucceeding(try ledger.input(lines: Array(lines[0..<150])))
            let early = try await Self.save(ledger, "early.digest", "digest")
            let text = String(decoding: try Files.bytes(early), as: UTF8.self)
            let digestLines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(digestLines.count == 7 && digestLines[6] == "", "six lines, each ending in a line feed: \(text)")
            #expect(digestLines[0] == "warranty-ledger digest 1")
            #expect(digestLines[1] == "size 150")
            #expect(isDigest(String(digestLines[2].dropFirst(5))))
            #expect(digestLines[3] == "head " + (try await ledger.verified().head))
            #expect(digestLines[4].hasPrefix("recorded 20") && digestLines[4].hasSuffix("Z") && digestLines[4].count == 36)
            #expect(digestLines[5].hasPrefix("taken 20") && digestLines[5].count == 33)
            let again = try await ledger.run("digest")
            #expect(Array(again.outputLines.prefix(5)) == Array(digestLines.prefix(5)), "deterministic but for the time taken")

            try await ledger.appendSucceeding(try ledger.input(lines: Array(lines[150...])))
            let late = try await Self.save(ledger, "late.digest", "digest")
            let known = try await ledger.run("digest", "--known-at", "150")
            #expect(Array(known.outputLines.prefix(5)) == Array(digestLines.prefix(5)), "--known-at gives the earlier checkpoint")

            let proof = try await Self.save(ledger, "consistency.json", "prove", "--from", "150")
            let json = try #require(jsonObject(String(decoding: try Files.bytes(proof), as: UTF8.self)))
            #expect(json["proof"] as? String == "consistency" && json["from"] as? Int == 150 && json["size"] as? Int == lines.count)
            #expect(String(decoding: try Files.bytes(proof), as: UTF8.self).hasPrefix("{\"proof\":\"consistency\",\"from\":150,\"size\":\(lines.count),\"fromRoot\":\"\(digestLines[2].dropFirst(5))\",\"root\":\""))

            let both = try await ledger.run("check-proof", proof, "--digest", early, "--digest", late)
            #expect(both.status == 0, "\(both)")
            #expect(both.standardOutput.hasPrefix("proof: valid consistency of the tree of 150 records"), "\(both)")
            #expect(both.outputLines.filter { $0.hasPrefix("matches: digest") }.count == 2, "\(both)")
            // A proof alone does not fix its sizes: with one digest, the other end is checked against the ledger,
            // and refused where there is no ledger to check it against.
            let oneDigest = try await ledger.run("check-proof", proof, "--digest", early)
            #expect(oneDigest.status == 0, "\(oneDigest)")
            #expect(oneDigest.outputLines.contains("matches: the ledger's root at size \(lines.count)"), "\(oneDigest)")
            let away = try await runLedger(["--dir", scratch + "/no-ledger", "check-proof", proof, "--digest", early])
            #expect(away.status == 1 && away.standardError.contains("no digest vouches for the proof's size \(lines.count)"), "\(away)")
            let againstLedger = try await ledger.run("check-proof", proof)
            #expect(againstLedger.status == 0, "\(againstLedger)")
            #expect(againstLedger.outputLines.filter { $0.hasPrefix("matches: the ledger's root at size") }.count == 2)

            // An inclusion proof at the earlier size matches the earlier digest only.
            let inclusion = try await Self.save(ledger, "inclusion.json", "prove", "100", "--size", "150")
            #expect(try await ledger.run("check-proof", inclusion, "--digest", early).status == 0)
            let wrongEnd = try await ledger.run("check-proof", inclusion, "--digest", late)
            #expect(wrongEnd.status == 1 && wrongEnd.standardError.contains("no end of the proof"), "\(wrongEnd)")
            // A digest whose root was changed does not match.
            var changed = digestLines
            changed[2] = "root " + String(repeating: "0", count: 64)
            let forged = try ledger.input(Array(changed.joined(separator: "\n").utf8))
            let mismatch = try await ledger.run("check-proof", proof, "--digest", forged)
            #expect(mismatch.status == 1 && mismatch.standardError.contains("digest's root at size 150"), "\(mismatch)")
        }
    }

    @Test func aProofWithAnyOneByteChangedFails() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: try await Self.generatedLines(ledger)))
            for arguments in [["prove", "77"], ["prove", "--from", "70"]] {
                let proof = try await Self.save(ledger, "proof.json", arguments: arguments)
                let original = try Files.bytes(proof)
                #expect(try await ledger.run("check-proof", proof).status == 0)
                // A sample through the binary; the library test changes every byte.
                for offset in stride(from: 0, to: original.count, by: 41) {
                    var bytes = original
                    bytes[offset] = bytes[offset] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
                    let damaged = try ledger.input(bytes)
                    let run = try await ledger.run("check-proof", damaged)
                    #expect(run.status == 1 && run.standardError.hasPrefix("error: ") && run.standardOutput.isEmpty,
                            "byte \(offset) of \(arguments): \(run)")
                }
            }
        }
    }

    @Test func aLedgerWithAnyOneByteChangedFailsTheProof() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: try await Self.generatedLines(ledger)))
            let proof = try await Self.save(ledger, "proof.json", "prove", "--from", "100")
            let segment = try ledger.segmentPath()
            let original = try Files.bytes(segment)
            for offset in stride(from: 32, to: original.count, by: original.count / 40) {
                try Files.poke(segment, offset: offset, original[offset] ^ 0x20)
                let run = try await ledger.run("check-proof", proof)
                #expect(run.status == 1 && run.standardError.hasPrefix("error: "), "segment byte \(offset): \(run)")
                try Files.poke(segment, offset: offset, original[offset])
            }
            #expect(try await ledger.run("check-proof", proof).status == 0)
        }
    }

    @Test func badArgumentsAndFilesAreRefused() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: Array(try await Self.generatedLines(ledger).prefix(20))))
            for (arguments, status) in [(["prove"], 64), (["prove", "0"], 64), (["prove", "21"], 64), (["prove", "5", "--size", "21"], 64),
                                        (["prove", "5", "--from", "3"], 64), (["prove", "--from", "0"], 64), (["prove", "--from", "6", "--size", "5"], 64),
                                        (["digest", "--known-at", "21"], 64), (["check-proof"], 64), (["check-proof", scratch + "/none.json"], 66)] {
                let run = try await runLedger(["--dir", ledger.folder] + arguments)
                #expect(run.status == Int32(status) && run.standardError.hasPrefix("error: ") && run.standardOutput.isEmpty, "\(arguments): \(run)")
            }
            let good = String(decoding: try Files.bytes(try await Self.save(ledger, "p.json", "prove", "5")), as: UTF8.self)
            for (text, message) in [("{\"proof\":", "not a JSON proof"),
                                    (good.replacingOccurrences(of: "\"path\"", with: "\"extra\":1,\"path\""), "unknown key \"extra\""),
                                    (good.replacingOccurrences(of: ",\"seq\"", with: ", \"seq\""), "exact form"),
                                    (good.replacingOccurrences(of: "inclusion", with: "exclusion"), "\"proof\" must be"),
                                    (String(good.dropLast()), "exact form")] {
                let run = try await ledger.run("check-proof", try ledger.input(Array(text.utf8)))
                #expect(run.status == 1 && run.standardError.contains(message), "\(message): \(run)")
            }
        }
    }

    /// A unit sold, its card voided and registered again, repaired with a swap written off and confirmed,
    /// then exchanged; the replacement's complaint; and another unit that must not appear.
    static let historyEvents = [
        #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P1","models":["M1"],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":6000}}"#,
        #"{"type":"policy.published","at":"2025-01-01","data":{"policy":"P2","models":["M2"],"effective":"2025-01-01","clockStart":"sale","returnDays":7,"exchangeDays":15,"warrantyMonths":12,"laborRate":6000}}"#,
        #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D1","name":"东方农机"}}"#,
        #"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D2","name":"西方农机"}}"#,
        #"{"type":"unit.sold","at":"2025-02-01","data":{"serial":"SN1","model":"M1","dealer":"D1","price":100000}}"#,
        #"{"type":"unit.sold","at":"2025-02-01","data":{"serial":"SN9","model":"M2","dealer":"D2","price":100000}}"#,
        #"{"type":"card.registered","at":"2025-02-03","data":{"serial":"SN1"}}"#,
        #"{"type":"event.voided","at":"2025-02-04","data":{"seq":7,"reason":"keyed twice"}}"#,
        #"{"type":"card.registered","at":"2025-02-05","data":{"serial":"SN1"}}"#,
        #"{"type":"complaint.lodged","at":"2025-03-01","data":{"complaint":"C1","serial":"SN1","fault":"noise"}}"#,
        #"{"type":"visit.recorded","at":"2025-03-02","data":{"visit":"V1","serial":"SN1","dealer":"D1","complaint":"C1","kind":"repair","finding":"defect","laborMinutes":60,"travel":0,"resolved":true}}"#,
        #"{"type":"part.swapped","at":"2025-03-02","data":{"swap":"S1","visit":"V1","serial":"SN1","part":"pump","cost":5000}}"#,
        #"{"type":"complaint.lodged","at":"2025-03-03","data":{"complaint":"C9","serial":"SN9","fault":"noise"}}"#,
        #"{"type":"cost.written-off","at":"2025-03-10","data":{"notice":"N1","dealer":"D1","lines":["V1"],"amount":6000}}"#,
        #"{"type":"writeoff.confirmed","at":"2025-03-11","data":{"notice":"N1"}}"#,
        #"{"type":"unit.exchanged","at":"2025-03-12","data":{"serial":"SN1","replacement":"SN2"}}"#,
        #"{"type":"complaint.lodged","at":"2025-04-01","data":{"complaint":"C2","serial":"SN2","fault":"leak"}}"#,
    ]

    @Test func historyShowsTheChainVoidsNoticesAndDependencies() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: Self.historyEvents))
            let expected: [(Int, String, Int?)] = [(1, "policy", nil), (3, "dealer", nil), (5, "unit", nil), (7, "unit", 8), (8, "void", nil),
                                                   (9, "unit", nil), (10, "unit", nil), (11, "unit", nil), (12, "unit", nil),
                                                   (14, "write-off", nil), (15, "confirmation", nil), (16, "unit", nil), (17, "replacement", nil)]
            for serial in ["SN1", "SN2"] {
                let run = try await ledger.run("history", serial, "--json")
                #expect(run.status == 0, "\(run)")
                let rows = run.outputLines.compactMap(jsonObject)
                #expect(rows.count == expected.count, "\(run)")
                for (row, (seq, relation, voidedBy)) in zip(rows, expected) {
                    let shown = serial == "SN2" && relation == "unit" ? "predecessor" : serial == "SN2" && relation == "replacement" ? "unit" : relation
                    #expect(row["seq"] as? Int == seq && row["relation"] as? String == shown, "\(serial): \(row)")
                    #expect((row["voidedBy"] as? Int) == voidedBy, "\(row)")
                    #expect(isDigest(row["hash"] as? String) && (row["day"] as? String)?.count == 10 && row["recorded"] is String && row["at"] is String)
                }
            }
            let table = try await ledger.run("history", "SN1")
            #expect(table.status == 0 && table.standardOutput.contains("voided by seq 8") && table.standardOutput.contains("voids seq 7"), "\(table)")
            let early = try await ledger.run("history", "SN1", "--as-of", "2025-03-01", "--json")
            #expect(early.outputLines.compactMap(jsonObject).map { $0["seq"] as? Int } == [1, 3, 5, 7, 8, 9, 10], "\(early)")
            let known = try await ledger.run("history", "SN1", "--known-at", "7", "--json")
            #expect(known.outputLines.compactMap(jsonObject).map { $0["seq"] as? Int } == [1, 3, 5, 7], "\(known)")
            let missing = try await ledger.run("history", "SN404")
            #expect(missing.status == 66 && missing.standardError.contains("SN404"), "\(missing)")
        }
    }

    /// `history` answers as of today by default, like every query; a void whose target lies after the view's
    /// day is shown as a void of an event outside the view.
    @Test func historyDefaultsToTodayAndShowsVoidsOfEventsOutsideTheView() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: Self.historyEvents + [
                #"{"type":"event.voided","at":"2025-03-20","data":{"seq":17,"reason":"wrong unit"}}"#,
                #"{"type":"complaint.lodged","at":"2099-01-01","data":{"complaint":"C3","serial":"SN2","fault":"leak"}}"#,
            ]))
            func rows(_ arguments: String...) async throws -> [[String: Any]] {
                let run = try await runLedger(["--dir", ledger.folder, "history", "SN2", "--json"] + arguments)
                #expect(run.status == 0, "\(run)")
                return run.outputLines.compactMap(jsonObject)
            }
            let today = try await rows()
            #expect(today.map { $0["seq"] as? Int } == [1, 3, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18], "not the complaint of 2099")
            #expect(today.last?["relation"] as? String == "void" && today[12]["voidedBy"] as? Int == 18)
            let all = try await rows("--as-of", "2099-01-01")
            #expect(all.last?["seq"] as? Int == 19 && all.count == 15)
            let early = try await rows("--as-of", "2025-03-25")
            #expect(early.map { $0["seq"] as? Int } == [1, 3, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 18])
            #expect(early.last?["relation"] as? String == "void" && early.last?["voidedBy"] is NSNull)
            let before = try await ledger.run("history", "SN1", "--as-of", "2025-01-31")
            #expect(before.status == 66 && before.standardError == "error: unit \"SN1\" is not sold on or before 2025-01-31\n", "\(before)")
            let table = try await ledger.run("history", "SN2", "--as-of", "2025-03-25")
            #expect(table.outputLines.contains { $0.hasPrefix(" 18 ") && $0.contains(" void ") && $0.hasSuffix("voids seq 17, outside this view") }, "\(table)")
            // The JSON line is the `log` line with the day, relation and void inserted after the envelope.
            let log = try await ledger.run("log")
            let logged = try #require(log.outputLines.first { $0.hasPrefix("{\"seq\":18,") })
            let line = try #require((try await ledger.run("history", "SN2", "--json")).outputLines.last)
            let envelope = logged.range(of: ",\"type\":")!.lowerBound
            #expect(line == logged[..<envelope] + ",\"day\":\"2025-03-20\",\"relation\":\"void\",\"voidedBy\":null" + logged[envelope...])
        }
    }

    /// `check-proof` says "no ledger" only when there is none; a ledger that cannot be opened says why.
    /// A proof file larger than any proof is refused as too large.
    @Test func checkProofReportsWhyTheLedgerCannotBeOpened() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(try ledger.input(lines: Array(try await Self.generatedLines(ledger).prefix(20))))
            let proof = try await Self.save(ledger, "p.json", "prove", "5")
            let big = try ledger.input([UInt8](repeating: 0x20, count: (4 << 20) + 1))
            let tooLarge = try await ledger.run("check-proof", big)
            #expect(tooLarge.status == 65 && tooLarge.standardError.contains("is too large"), "\(tooLarge)")
            try Files.write(ledger.folder + "/LEDGER", [0xFF, 0xFE])
            let run = try await ledger.run("check-proof", proof)
            #expect(run.status == 1 && run.standardError.contains("not UTF-8 text") && !run.standardError.contains("no ledger"), "\(run)")
        }
    }
}
