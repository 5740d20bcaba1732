import Testing

/// Damage to the ledger's files: every flipped byte is found; a torn last batch is cut back and recovered.
@Suite struct DamageTests {
    /// Copies of the ledger checked at once, one per concurrent worker.
    static let workers = 8

    @Test func everyFlippedByteFailsVerification() async throws {
        try await withTemporaryFolder { scratch in
            let small = try await SmallLedger(scratch: scratch, name: "pristine")
            #expect(small.earlier.events == 4)
            #expect(small.final.events == 6)
            let names = try Files.names(small.ledger.folder)
            let damaged = names.filter { $0 == "LEDGER" || $0.hasSuffix(".seg") }
            #expect(damaged.count == 2, "the manifest and one segment: \(names)")
            if names.contains("lock") {
                #expect(try Files.size(small.ledger.folder + "/lock") == 0)
            }
            var positions: [(name: String, offset: Int)] = []
            for name in damaged {
                for offset in 0..<(try Files.size(small.ledger.folder + "/" + name)) {
                    positions.append((name, offset))
                }
            }
            #expect(positions.count > 500)

            let failures = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<Self.workers {
                    let copy = TestLedger(scratch: scratch, name: "copy-\(worker)")
                    try Files.copyFolder(small.ledger.folder, to: copy.folder)
                    let mine = positions.indices.filter { $0 % Self.workers == worker }.map { positions[$0] }
                    group.addTask {
                        var failures: [String] = []
                        for (name, offset) in mine {
                            let path = copy.folder + "/" + name
                            let original = try Files.bytes(path)[offset]
                            try Files.poke(path, offset: offset, original ^ 0x01)
                            let run = try await copy.run("verify")
                            try Files.poke(path, offset: offset, original)
                            let oneLine = run.standardError.hasPrefix("error: ")
                                && run.standardError.filter { $0 == "\n" }.count == 1
                            if run.status != 1 || !oneLine {
                                failures.append("\(name) byte \(offset) ^ 0x01: \(run)")
                            }
                        }
                        #expect(try await copy.verified() == small.final, "restored copy \(worker) verifies")
                        return failures
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(failures.isEmpty, "\(failures.count) flips not detected, e.g.:\n\(failures.prefix(5).joined(separator: "\n"))")
            #expect(try await small.ledger.verified() == small.final)
        }
    }

    @Test func tornLastBatchIsCutBackAndRecovered() async throws {
        try await withTemporaryFolder { scratch in
            let small = try await SmallLedger(scratch: scratch, name: "pristine")
            let before = small.segmentSizeBeforeLastBatch
            #expect(small.segmentSize > before)
            #expect(small.earlierLog.count == 4)
            let segmentName = String(try small.ledger.segmentPath().split(separator: "/").last!)
            let newLine = try small.ledger.input(lines: [
                #"{"type":"payment.received","at":"2025-04-01","data":{"dealer":"D1","amount":1}}"#,
            ])

            let failures = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<Self.workers {
                    let copy = TestLedger(scratch: scratch, name: "copy-\(worker)")
                    let offsets = (before..<small.segmentSize).filter { $0 % Self.workers == worker }
                    group.addTask {
                        var failures: [String] = []
                        for offset in offsets {
                            try Files.copyFolder(small.ledger.folder, to: copy.folder)
                            try Files.truncate(copy.folder + "/" + segmentName, to: offset)
                            let torn = offset - before

                            let verify = try await copy.run("verify")
                            if verify.status != 0 || Verified(verify) != small.earlier {
                                failures.append("cut at \(offset): verify: \(verify)")
                            }
                            let log = try await copy.run("log")
                            if log.status != 0 || log.outputLines != small.earlierLog {
                                failures.append("cut at \(offset): log: \(log)")
                            }
                            let append = try await copy.run("append", newLine)
                            let expected = ["appended: 1", "duplicates: 0", "seq: 5-5"]
                            let recovered = append.outputLines.filter { $0.hasPrefix("recovered:") }
                            if append.status != 0 || Array(append.outputLines.prefix(3)) != expected
                                || !isDigest(append.field("head"))
                                || (torn == 0 ? !recovered.isEmpty
                                              : recovered.count != 1 || !recovered[0].contains(" \(torn) bytes")) {
                                failures.append("cut at \(offset) (\(torn) torn bytes): append: \(append)")
                            }
                            let after = try await copy.run("verify")
                            if after.status != 0 || Verified(after)?.events != 5 || Verified(after)?.head != append.field("head") {
                                failures.append("cut at \(offset): verify after the append: \(after)")
                            }
                        }
                        return failures
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(failures.isEmpty, "\(failures.count) failures, e.g.:\n\(failures.prefix(5).joined(separator: "\n"))")
        }
    }
}
