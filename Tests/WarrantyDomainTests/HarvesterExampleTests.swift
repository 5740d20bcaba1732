import Foundation
import JSONText
import Testing
import WarrantyDomain

/// The worked example of the contract (SPEC.md's `examples/harvester.jsonl`), kept as a golden scenario.
enum HarvesterExample {
    static var url: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()  // WarrantyDomainTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // the repository
            .appendingPathComponent("Snapshots/scenarios/harvester/events.jsonl")
    }

    static func lines() throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}

@Suite("The worked example")
struct HarvesterExampleTests {
    @Test func everyLineDecodesAndSurvivesStorage() throws {
        let lines = try HarvesterExample.lines()
        #expect(lines.count == 18)
        var events: [Event] = []
        for (index, line) in lines.enumerated() {
            let event = try EventDecoder.decode(JSONParser.parse(line), zone: .chinaStandard)
            #expect(try EventCodec.decode(EventCodec.encode(event)) == event, "line \(index + 1)")
            #expect(try EventDecoder.decode(EventEncoder.encode(event), zone: .chinaStandard) == event, "line \(index + 1)")
            events.append(event)
        }
        #expect(events.map(\.type) == [
            .policyPublished, .dealerEnrolled, .dealerEnrolled, .dealerInvoiced, .unitSold, .cardRegistered,
            .unitInstalled, .unitSold, .complaintLodged, .visitRecorded, .partSwapped, .visitRecorded, .partReturned,
            .partAppraised, .complaintLodged, .visitRecorded, .costWrittenOff, .writeoffConfirmed,
        ])
        #expect(events[4].id == "sale-H9-001")
        #expect(events[8].day == day("2025-06-20"))
        #expect(events[15].day == day("2025-07-15"))
        guard case .policyPublished(let policy) = events[0].body else { Issue.record("not a policy"); return }
        #expect(policy.components == [.init(part: "cutter-bar", months: 3)])
        #expect(policy.excluded == ["belt"])
        #expect(policy.clockStart == .install)
        #expect(policy.escalateAfter == nil && policy.partReturnDeadlines == nil && policy.sla == nil)
        guard case .costWrittenOff(let notice) = events[16].body else { Issue.record("not a notice"); return }
        #expect(notice.lines == ["S-1", "V-1", "V-2"] && notice.amount == 83_000)
    }
}
