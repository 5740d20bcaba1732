import Foundation
import Testing

/// The issue's main acceptance case: a realistic 60-line input with one repeated line, appended, logged and verified.
@Suite struct RealisticFixtureTests {
    static let eventTypes: Set<String> = [
        "policy.published", "dealer.enrolled", "unit.sold", "card.registered", "unit.installed", "complaint.lodged",
        "visit.recorded", "part.swapped", "part.returned", "part.appraised", "cost.written-off",
        "writeoff.confirmed", "dealer.invoiced", "payment.received", "unit.returned", "unit.exchanged", "event.voided",
    ]
    static let envelopeKeys: Set<String> = ["seq", "stream", "version", "recorded", "hash"]

    @Test func fixtureIsSixtyLinesOfEverySeventeenTypesWithOneRepeat() throws {
        let lines = try Fixture.lines("realistic.jsonl")
        #expect(lines.count == 60)
        let objects = lines.compactMap(jsonObject)
        #expect(objects.count == 60, "every line is a JSON object")
        #expect(Set(objects.compactMap { $0["type"] as? String }) == Self.eventTypes)
        let repeats = lines.indices.filter { index in lines[..<index].contains(lines[index]) }
        #expect(repeats == [36], "exactly one line (37) repeats an earlier line verbatim")
        #expect(objects[36]["id"] as? String == "sale-T504-0002")
        #expect(objects.filter { $0["id"] != nil }.count >= 40)
    }

    @Test func appendLogAndVerify() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            let append = try await ledger.appendSucceeding(Fixture.path("realistic.jsonl"))
            #expect(append.standardError == "")
            let head = try #require(append.field("head"))
            #expect(isDigest(head), "\(append)")
            #expect(append.outputLines == ["appended: 59", "duplicates: 1", "seq: 1-59", "head: \(head)"])

            // `log`: 59 JSON lines, seq 1…59, the envelope, and the input fields of each accepted line unchanged.
            let inputs = try Fixture.lines("realistic.jsonl").enumerated().filter { $0.offset != 36 }.map {
                try #require(jsonObject($0.element))
            }
            let logged = try await ledger.log()
            #expect(logged.count == 59)
            var versions: [String: Int] = [:]
            for (index, line) in logged.enumerated() {
                let object = try #require(jsonObject(line), "log line \(index + 1) is not a JSON object: \(line)")
                #expect(object["seq"] as? Int == index + 1, "\(line)")
                #expect(Set(object.keys).isSuperset(of: Self.envelopeKeys.union(["type", "at", "data"])), "\(line)")
                let stream = try #require(object["stream"] as? String, "\(line)")
                #expect(!stream.isEmpty)
                versions[stream, default: 0] += 1
                #expect(object["version"] as? Int == versions[stream], "version counts the stream's events: \(line)")
                #expect(isDigest(object["hash"] as? String), "\(line)")
                let recorded = try #require(object["recorded"] as? String, "\(line)")
                #expect(recorded.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/) != nil, "\(recorded)")
                var input = object
                for key in Self.envelopeKeys { input[key] = nil }
                #expect(NSDictionary(dictionary: input).isEqual(to: inputs[index]),
                        "seq \(index + 1) logs the input line's fields: \(line)")
            }
            #expect(jsonObject(logged.last ?? "")?["hash"] as? String == head, "the head is the last record's hash")

            let verified = try await ledger.verified()
            #expect(verified == Verified(events: 59, head: head))
        }
    }

    @Test func appendingTheSameInputAgain() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(Fixture.path("realistic.jsonl"))
            let before = try await ledger.verified()
            let lines = try Fixture.lines("realistic.jsonl")

            // The whole file again: its first line without an `id` (line 5) is a new event that is refused.
            let firstWithoutID = try #require(lines.firstIndex { jsonObject($0)?["id"] == nil })
            #expect(firstWithoutID == 4)
            let again = try await ledger.run("append", Fixture.path("realistic.jsonl"))
            #expect(again.status == 65, "\(again)")
            #expect(again.standardOutput == "")
            #expect(again.standardError.hasPrefix("error: line 5: dealer.enrolled: "), "\(again)")
            #expect(again.standardError.contains("\"D-HF\""), "\(again)")
            #expect(again.standardError.contains("already enrolled"), "\(again)")
            #expect(try await ledger.verified() == before)

            // Only the lines with an `id`: every one is a duplicate, nothing is appended.
            let withID = lines.filter { jsonObject($0)?["id"] != nil }
            #expect(withID.count == 44)
            let duplicates = try await ledger.append(lines: withID)
            #expect(duplicates.status == 0, "\(duplicates)")
            #expect(duplicates.outputLines == ["appended: 0", "duplicates: 44", "seq: none", "head: \(before.head)"])
            #expect(try await ledger.verified() == before)
        }
    }

    @Test func idCarryingFileAppendedTwice() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(Fixture.path("realistic.jsonl"))

            let first = try await ledger.appendSucceeding(Fixture.path("followup.jsonl"))
            let head = try #require(first.field("head"))
            #expect(isDigest(head))
            #expect(first.outputLines == ["appended: 5", "duplicates: 0", "seq: 60-64", "head: \(head)"])

            let second = try await ledger.appendSucceeding(Fixture.path("followup.jsonl"))
            #expect(second.outputLines == ["appended: 0", "duplicates: 5", "seq: none", "head: \(head)"])
            #expect(try await ledger.verified() == Verified(events: 64, head: head))
            #expect(try await ledger.log().count == 64)
        }
    }

    @Test func idReusedForADifferentEventIsRefused() async throws {
        try await withTemporaryFolder { scratch in
            let ledger = TestLedger(scratch: scratch)
            try await ledger.initialize()
            try await ledger.appendSucceeding(Fixture.path("realistic.jsonl"))
            let before = try await ledger.verified()

            // Against the ledger: the key of seq 19, a payment, on another payment.
            let reused = try await ledger.append(lines: [
                #"{"type":"payment.received","at":"2025-09-20","id":"pay-BANK-20250320-01","data":{"dealer":"D-JN","amount":10000000,"ref":"BANK-20250920-01"}}"#,
            ])
            #expect(reused.status == 65, "\(reused)")
            #expect(reused.standardOutput == "")
            #expect(reused.standardError.hasPrefix("error: line 1: payment.received: "), "\(reused)")
            #expect(reused.standardError.contains("\"pay-BANK-20250320-01\""), "\(reused)")
            #expect(reused.standardError.contains("seq 19"), "\(reused)")
            #expect(try await ledger.verified() == before)

            // Within one batch: the second line reuses the first line's new key.
            let inBatch = try await ledger.append(lines: [
                #"{"type":"dealer.invoiced","at":"2025-09-20","id":"inv-new-1","data":{"dealer":"D-XA","invoice":"FP-2025-0101","amount":500000}}"#,
                #"{"type":"dealer.invoiced","at":"2025-09-21","id":"inv-new-1","data":{"dealer":"D-XA","invoice":"FP-2025-0102","amount":600000}}"#,
            ])
            #expect(inBatch.status == 65, "\(inBatch)")
            #expect(inBatch.standardError.hasPrefix("error: line 2: dealer.invoiced: "), "\(inBatch)")
            #expect(inBatch.standardError.contains("\"inv-new-1\""), "\(inBatch)")
            #expect(try await ledger.verified() == before)
        }
    }
}
