import Testing
@testable import WarrantyDomain

/// The decoder's fast paths (SWAR text checks, the common shapes of `at`) accept exactly what the
/// general checks accept, and give the same values.
@Suite("Decoder fast paths")
struct CodecFastPathTests {
    /// The card.registered record with `serial` replaced by `bytes`.
    static func card(serial bytes: [UInt8]) -> [UInt8] {
        let fixture = WarrantyDomainTests.bytes(hex: frozenFixtures["card.registered minimal"]!)
        let serialAt = fixture.count - 8   // u16 length, then "H9-001"
        return Array(fixture[..<serialAt]) + [UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8)] + bytes
    }

    /// What the codec contract says about a serial: valid UTF-8, no control character, 1...64 scalars.
    static func acceptable(_ bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let scalars = text.unicodeScalars
        guard (1...Limits.identifierLengthMax).contains(scalars.count),
              !scalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return text
    }

    /// Byte strings around every branch of the text checks: ASCII, control bytes and DEL anywhere,
    /// multi-byte characters whole and cut, overlong forms, surrogates, bytes that are never UTF-8, the
    /// three bytes `F0 90 80` that repair to a replacement character of the same length, and lengths on
    /// both sides of 8, 15, 16 and the 64-scalar limit.
    static let pieces: [[UInt8]] = [
        Array("A".utf8), Array("z9-".utf8), Array("~ ".utf8), [0x00], [0x09], [0x1F], [0x7F],
        Array("é".utf8), Array("液".utf8), Array("😀".utf8), [0xC3], [0xE6, 0xB6], [0xF0, 0x9F, 0x98],
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x80],
        [0xF0, 0x90, 0x80],
    ]

    @Test("Strings: the fast path agrees with the contract", arguments: 0..<4)
    func stringsAgreeWithTheContract(seed: UInt64) throws {
        var generator = SeededGenerator(state: 0x5EED_0000 + seed)
        for _ in 0..<3_000 {
            var serial: [UInt8] = []
            let target = Int.random(in: 0...70, using: &generator)
            while serial.count < target {
                // Mostly ASCII, so that long valid strings occur; one odd piece now and then.
                if Int.random(in: 0..<6, using: &generator) == 0 {
                    serial += Self.pieces.randomElement(using: &generator)!
                } else {
                    serial.append(UInt8.random(in: 0x20...0x7E, using: &generator))
                }
            }
            let expected = Self.acceptable(serial)
            let decoded = try? EventCodec.decode(Self.card(serial: serial))
            if case .cardRegistered(let card) = decoded?.body {
                #expect(card.serial == expected, "serial \(serial)")
                #expect(Array(card.serial.utf8) == serial)
            } else {
                #expect(expected == nil, "refused serial \(serial)")
            }
            // Stream names: valid UTF-8 only.
            let stream = serial.withUnsafeBytes { EventCodec.string(validatingUTF8: $0) }
            #expect(stream == String(validating: serial, as: UTF8.self), "stream \(serial)")
        }
    }

    @Test("Strings: same-length repairs and overlong 3-byte forms are refused")
    func repairsOfTheSameLengthAreRefused() {
        for serial: [UInt8] in [[0xF0, 0x90, 0x80, 0x41], [0x41, 0xF0, 0x90, 0x80], [0xE0, 0x80, 0xAF],
                                Array("SN0000".utf8) + [0xF0, 0x90, 0x80] + Array("1234567".utf8)] {
            #expect(throws: EventCodecError.self) { try EventCodec.decode(Self.card(serial: serial)) }
            #expect(serial.withUnsafeBytes { EventCodec.string(validatingUTF8: $0) } == nil)
        }
    }

    /// Texts near the three common shapes of `at`, each byte replaced in turn by bytes that matter.
    static var businessTimes: [String] {
        let seeds = ["2025-04-10", "2025-04-10T08:30:00Z", "2025-04-10t08:30:00z", "2025-04-10T08:30:00+08:00",
                     "2024-02-29T23:59:60-23:59", "0001-01-01", "9999-12-31T00:00:00Z", "2025-12-31T14:00:00-05:30"]
        let replacements: [UInt8] = Array("0123456789-:+TtZz. /".utf8) + [0x00, 0x7F, 0xB0, 0xD4, 0x3A, 0x2F]
        var texts: [String] = seeds
        for seed in seeds {
            let bytes = Array(seed.utf8)
            for index in bytes.indices {
                for replacement in replacements {
                    var changed = bytes
                    changed[index] = replacement
                    texts.append(String(decoding: changed, as: UTF8.self))
                }
            }
        }
        return texts + ["2025-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "0000-01-01", "2025-04-10T24:00:00Z",
                        "2025-04-10T23:60:00Z", "2025-04-10T23:59:61Z", "2025-04-10T08:30:00+24:00",
                        "2025-04-10T08:30:00+08:60", "2025-04-10T08:30:00.5Z", "2025-04-10T08:30:00*08:00"]
    }

    @Test("at: every date of some years, valid or not, agrees with Day(year:month:day:)")
    func datesAgree() {
        func pad(_ value: Int, _ width: Int) -> String {
            String(repeating: "0", count: width - String(value).count) + String(value)
        }
        for year in [0, 1, 4, 99, 100, 400, 1600, 1899, 1900, 1969, 1970, 2000, 2023, 2024, 2025, 2100, 2400, 9996, 9999] {
            for month in 0...13 {
                for day in 0...32 {
                    var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
                    let fast = text.withUTF8 { CommonBusinessTime.parse(UnsafeRawPointer($0.baseAddress!), $0.count) }
                    #expect(fast?.date == Day(year: year, month: month, day: day), "\(text)")
                }
            }
        }
    }

    @Test("at: the common shapes agree with BusinessTime.parse")
    func businessTimesAgree() {
        var answered = 0
        for text in Self.businessTimes {
            var copy = text
            copy.withUTF8 { utf8 in
                let general = BusinessTime.parse(utf8)
                guard let fast = CommonBusinessTime.parse(UnsafeRawPointer(utf8.baseAddress!), utf8.count) else { return }
                answered += 1
                #expect(general?.date == fast.date, "\(text)")
                #expect((general?.minuteOfDay != nil) == fast.hasTime, "\(text)")
            }
        }
        #expect(answered > 100)
        // The shapes the ledger writes take the fast path.
        for text in ["2025-04-10", "2025-04-10T08:30:00Z", "2025-04-10T08:30:00+08:00", "2025-04-10t08:30:00z"] {
            var copy = text
            #expect(copy.withUTF8 { CommonBusinessTime.parse(UnsafeRawPointer($0.baseAddress!), $0.count) } != nil, "\(text)")
        }
    }
}
