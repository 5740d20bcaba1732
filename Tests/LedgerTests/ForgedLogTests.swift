import JSONText
import Ledger
import LedgerLog
import Testing
import WarrantyDomain

/// A log with a valid hash chain whose events `append` would have refused (forged, or written by a faulty
/// version) is reported as a verification failure naming the seq, by every fold: never a trap.
@Suite struct ForgedLogTests {
    struct Forgery: Sendable, CustomStringConvertible {
        var description: String
        var stream: String
        var version: UInt32
        var line: String
        /// What the error message must say besides the seq.
        var reason: String
    }

    static let forgeries = [
        Forgery(description: "a serial sold twice", stream: "unit:SN1", version: 3,
                line: #"{"type":"unit.sold","at":"2025-03-01","data":{"serial":"SN1","model":"M","dealer":"D1","price":1}}"#,
                reason: "serial \"SN1\" already exists"),
        Forgery(description: "a card for a serial never sold", stream: "unit:SN9", version: 1,
                line: #"{"type":"card.registered","at":"2025-03-01","data":{"serial":"SN9"}}"#,
                reason: "SN9"),
        Forgery(description: "a visit by a dealer never enrolled", stream: "unit:SN2", version: 2,
                line: #"{"type":"visit.recorded","at":"2025-03-01","data":{"visit":"V1","serial":"SN2","dealer":"D7","kind":"repair","finding":"defect","laborMinutes":60,"travel":0,"resolved":true}}"#,
                reason: "D7"),
        Forgery(description: "a stream version out of order", stream: "unit:SN2", version: 5,
                line: #"{"type":"card.registered","at":"2025-03-01","data":{"serial":"SN2"}}"#,
                reason: "version 5"),
        Forgery(description: "a void of a later event", stream: "unit:SN1", version: 3,
                line: #"{"type":"event.voided","at":"2025-03-01","data":{"seq":7,"reason":"forged"}}"#,
                reason: "voids seq 7, which does not come before it"),
        Forgery(description: "an event in another unit's stream", stream: "unit:SN1", version: 3,
                line: #"{"type":"card.registered","at":"2025-03-01","data":{"serial":"SN2"}}"#,
                reason: "belongs to stream unit:SN2"),
    ]

    @Test(arguments: forgeries)
    func everyFoldReportsTheForgedSeq(_ forgery: Forgery) throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try forgedLedger([(forgery.line, forgery.stream, forgery.version)], scratch: scratch)

        func expectRefusal(_ what: String, _ body: () throws -> Void) {
            do {
                try body()
                Issue.record("\(what) accepted the forged log")
            } catch {
                guard let error = error as? LedgerError else {
                    Issue.record("\(what): \(error)")
                    return
                }
                #expect(error.code == .verificationFailed, "\(what): \(error.message)")
                #expect(error.message.hasPrefix("seq 6: "), "\(what): \(error.message)")
                #expect(error.message.contains(forgery.reason), "\(what): \(error.message)")
            }
        }
        if forgery.reason.hasPrefix("version") {
            expectRefusal("verify, which counts stream versions") { _ = try ledger.verify() }
        } else {
            #expect(try ledger.verify().events == 6, "the chain, the framing and the stream versions are intact")
        }
        expectRefusal("state") { _ = try ledger.state() }
        expectRefusal("state at --known-at 6") { _ = try ledger.state(knownAt: 6) }
        expectRefusal("rebuild") { _ = try ledger.rebuild() }
        // Spilling at every unit, the forged event is folded after a spill: a stream version out of order is then found
        // only when the versions kept aside are merged, and the log is read again for its seq.
        expectRefusal("rebuild, spilling") { _ = try Ledger.$spillUnits.withValue(1) { try ledger.rebuild() } }
        expectRefusal("append") { _ = try append([String](), to: ledger, scratch: scratch) }
        #expect(try ledger.state(knownAt: 5).lastSeq == 5, "what came before the forgery still answers")
    }

    @Test func verifyFindsAStoredDayThatIsNotTheDayOfItsTime() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let zone = TimeZoneOffset("+08:00")!
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: zone)
        try append(OneUnitPathTests.base, to: ledger, scratch: scratch)
        // 2025-03-01T20:00:00-08:00 is 2025-03-02 in +08:00; stored a day early, within the codec's own bound.
        var event = try EventDecoder.decode(try JSONParser.parse(#"{"type":"card.registered","at":"2025-03-01T20:00:00-08:00","data":{"serial":"SN2"}}"#), zone: zone)
        #expect(event.day == Day("2025-03-02"))
        event.day = Day("2025-03-01")!
        var payload: [UInt8] = []
        StoredEvent(stream: "unit:SN2", version: 2, event: event).encode(into: &payload)
        do {
            let writer = try LogWriter(folder: ledger.folder)
            try writer.begin(recordedMicroseconds: Ledger.currentMicroseconds())
            _ = try writer.add(payload)
            _ = try writer.commit()
        }
        #expect { try ledger.verify() } throws: { error in
            "\(error)" == "seq 6: stored business day 2025-03-01 is not the day of \"2025-03-01T20:00:00-08:00\" in the ledger's zone +08:00"
        }
    }
}
