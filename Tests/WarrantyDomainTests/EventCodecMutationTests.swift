import Testing
import WarrantyDomain

/// SplitMix64: a small seeded generator, so that a failing mutation can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The error `bytes` must be refused with, when they are refused.
func refusal(_ bytes: [UInt8]) -> EventCodecError? {
    do {
        _ = try EventCodec.decode(bytes)
        return nil
    } catch {
        return error
    }
}

@Suite("Stored bytes that are not an event")
struct EventCodecRefusalTests {
    static let card = bytes(hex: frozenFixtures["card.registered minimal"]!)
    static let visit = bytes(hex: frozenFixtures["visit.recorded minimal"]!)

    @Test func refusesShortAndForeignRecords() {
        #expect(refusal([])?.reason == "record of 0 bytes is too short")
        #expect(refusal([1])?.reason == "record of 1 bytes is too short")
        var wrongVersion = Self.card
        wrongVersion[0] = 2
        #expect(refusal(wrongVersion)?.reason == "codec version 2 is not 1")
        var unknownTag = Self.card
        unknownTag[1] = 17
        #expect(refusal(unknownTag)?.reason == "type tag 17 is not a known event type")
        var envelopeBits = Self.card
        envelopeBits[2] = 4
        #expect(refusal(envelopeBits)?.reason == "envelope presence bits 4 set undefined bits")
    }

    @Test func refusesTrailingAndMissingBytes() {
        #expect(refusal(Self.card + [0])?.reason == "1 bytes after the end of the card.registered event")
        for length in 0..<Self.card.count {
            #expect(refusal(Array(Self.card.prefix(length))) != nil, "prefix \(length)")
        }
    }

    @Test func refusesUndefinedBodyBits() {
        var bits = Self.card
        bits[19] = 1  // card.registered has no optional field
        #expect(refusal(bits) == EventCodecError(offset: 19, reason: "body presence bits 1 set bits outside 0"))
    }

    @Test func refusesADayThatDisagreesWithAt() {
        var day = Self.card
        day[3] &+= 1
        #expect(refusal(day)?.reason == "at: day 2025-04-11 does not agree with 2025-04-10")
    }

    @Test func refusesBadStrings() {
        // serial "H9-001" is at offset 23...28 of the card record.
        var control = Self.card
        control[25] = 0x0A
        #expect(refusal(control) == EventCodecError(offset: 25, reason: "serial: control character U+000A"))
        var delete = Self.card
        delete[25] = 0x7F
        #expect(refusal(delete)?.reason == "serial: control character U+007F")
        let prefix = Array(Self.card.prefix(21))
        // Overlong "/", a UTF-16 surrogate, a lone continuation byte, a truncated sequence, above U+10FFFF.
        for invalid: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80], [0xE5, 0x89], [0xF4, 0x90, 0x80, 0x80],
                                  [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE0, 0x80, 0xAF]] {
            let record = prefix + [UInt8(invalid.count), 0] + invalid
            #expect(refusal(record)?.reason == "serial: invalid UTF-8", "\(invalid)")
        }
        #expect(refusal(prefix + [0, 0])?.reason == "serial: empty string")
        let long = [UInt8](repeating: 0x41, count: 65)
        #expect(refusal(prefix + [65, 0] + long)?.reason == "serial: 65 characters, more than 64")
        // 64 Chinese characters are 192 bytes and allowed.
        let chinese = Array(String(repeating: "割", count: 64).utf8)
        let accepted = try? EventCodec.decode(prefix + [UInt8(chinese.count), 0] + chinese)
        #expect(accepted?.body == .cardRegistered(CardRegistered(serial: String(repeating: "割", count: 64))))
        #expect(refusal(prefix + [200, 0] + chinese)?.reason == "serial: string of 200 bytes runs past the record's end")
    }

    @Test func refusesBadCodesAndBools() throws {
        // visit.recorded minimal: ... kind, finding, laborMinutes (4), travel (8), resolved (1) at the end.
        let end = Self.visit.count
        var resolved = Self.visit
        resolved[end - 1] = 2
        #expect(refusal(resolved)?.reason == "resolved: 2 is not a bool (0 or 1)")
        var kind = Self.visit
        kind[end - 15] = 3
        #expect(refusal(kind)?.reason == "kind: code 3 is not below 3")
        var finding = Self.visit
        finding[end - 14] = 4
        #expect(refusal(finding)?.reason == "finding: code 4 is not below 4")
        var travel = Self.visit
        travel[end - 2] = 0x80  // the sign byte of travel: negative money
        #expect(refusal(travel)?.reason.hasPrefix("travel: -") == true)
    }

    @Test func refusesPolicyRulesBrokenInStoredBytes() throws {
        func policyBytes(_ change: (inout PolicyPublished) -> Void) -> [UInt8] {
            guard case .policyPublished(var policy) = Samples.all[0].event.body else { fatalError() }
            change(&policy)
            var event = Samples.all[0].event
            event.body = .policyPublished(policy)
            return EventCodec.encode(event)
        }
        #expect(refusal(policyBytes { $0.exchangeDays = 6 })?.reason == "exchangeDays: 6 is outside 7...36500")
        #expect(refusal(policyBytes { $0.models = [] })?.reason == "models: 0 items, outside 1...1000")
        #expect(refusal(policyBytes { $0.models = ["H-9", "H-9"] })?.reason == "models: duplicate items")
        #expect(refusal(policyBytes { $0.excluded = ["cutter-bar"] })?.reason == "excluded: a part is also a component")
        #expect(refusal(policyBytes { $0.partReturnDeadlines = [.init(month: 2, day: 30)] })?.reason
                    == "partReturnDeadlines: 2-30 is not a day of the year")
        #expect(refusal(policyBytes { $0.components = [.init(part: "a", months: 1), .init(part: "a", months: 2)] })?
                    .reason == "components: two with the same part")
        #expect(refusal(policyBytes { $0.warrantyMonths = 0 })?.reason == "warrantyMonths: 0 is outside 1...1200")
        #expect(refusal(policyBytes { $0.effective = Day(ordinal: Int32.max) })?.reason
                    == "effective: day 2147483647 is outside years 1–9999")
        #expect(refusal(policyBytes { $0.sla?.onsiteHours = -1 })?.reason == "sla.onsiteHours: -1 is outside 0...100000")
    }
}

@Suite("Mutated stored bytes")
struct EventCodecMutationTests {
    /// Flips, overwrites, truncates, extends, inserts and deletes bytes of every fixture 100,000 times in all:
    /// decoding either throws or returns an event whose encoding is exactly the mutated bytes.
    @Test func mutatedRecordsNeverTrapAndDecodeCanonically() throws {
        var random = SeededGenerator(state: 0x5EED_2025_0620)
        let originals = Samples.all.map { EventCodec.encode($0.event) }
        var decoded = 0
        var refused = 0
        for round in 0..<100_000 {
            var bytes = originals[round % originals.count]
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<7, using: &random) {
                case 0 where !bytes.isEmpty: bytes[position] ^= 1 << UInt8.random(in: 0...7, using: &random)
                case 1 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 2: bytes.removeLast(Int.random(in: 0...bytes.count, using: &random))
                case 3: bytes += (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                case 4: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                case 5 where !bytes.isEmpty: bytes.remove(at: position)
                case 6 where !bytes.isEmpty:
                    // Small edits to lengths and counts: the low byte of a u16 near the start of a field.
                    bytes[position] = bytes[position] &+ (Bool.random(using: &random) ? 1 : 255)
                default: break
                }
            }
            do {
                let event = try EventCodec.decode(bytes)
                decoded += 1
                let again = EventCodec.encode(event)
                #expect(again == bytes, "round \(round): re-encoding differs")
                #expect(try EventCodec.decode(again) == event, "round \(round)")
            } catch {
                refused += 1
            }
        }
        print("mutated records: \(decoded) decoded canonically, \(refused) refused")
        #expect(decoded + refused == 100_000)
        // Both outcomes must really happen, or the mutations test nothing.
        #expect(decoded > 1_000)
        #expect(refused > 50_000)
    }
}
