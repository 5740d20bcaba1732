import Testing
@testable import JSONText

@Suite struct RoundTripTests {
    static let controls = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))

    static let values: [JSONValue] = [
        .null, .bool(true), .bool(false), .integer(0), .integer(.min), .integer(.max),
        .number("-0.0"), .number("1e400"), .number("99999999999999999999"),
        .string(""), .string("合作社-7"), .string("保修索赔 第三季度"), .string(controls),
        .string("\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}😀"), .string("\"\\/'"),
        .array([]), .object([]),
        .object([JSONMember("客户", .string("合作社-7")), JSONMember(controls, .array([.string(controls)]))]),
        .array([.array([.array([.object([JSONMember("", .null)])])])]),
    ]

    @Test(arguments: values)
    func writerOutputParsesBack(_ value: JSONValue) throws {
        let bytes = JSONWriter.bytes(value)
        let back = try JSONParser.parse(bytes)
        #expect(back == value)
        #expect(JSONWriter.bytes(back) == bytes)
    }

    @Test func randomTreesRoundTrip() throws {
        var rng = SplitMix64(seed: 20_260_301)
        for _ in 0..<2_000 {
            let value = Self.randomValue(depth: 0, &rng)
            let bytes = JSONWriter.bytes(value)
            let back = try JSONParser.parse(bytes)
            #expect(back == value)
            // `==` on strings is canonical equivalence; equal bytes prove nothing was normalised.
            #expect(JSONWriter.bytes(back) == bytes)
        }
    }

    /// Mangled event lines must be refused or accepted, never crash or hang, and whatever is accepted must round-trip.
    @Test func mangledInputNeverCrashes() throws {
        var rng = SplitMix64(seed: 77)
        let seedBytes = Array(sampleLine.utf8) + Array(#"[1.5e3,-0,"\u00e9\ud83d\ude00",{"a":[true,false,null]}]"#.utf8)
        var accepted = 0
        for _ in 0..<20_000 {
            var bytes = seedBytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(Array(#"{}[]",:\-0e.tfn"#.utf8).randomElement(using: &rng)!, at: at)
                default: bytes.removeSubrange(at...)
                }
                if bytes.isEmpty { break }
            }
            if let value = try? JSONParser.parse(bytes) {
                accepted += 1
                #expect(try JSONParser.parse(JSONWriter.bytes(value)) == value)
            }
        }
        #expect(accepted > 0)
    }

    static func randomValue(depth: Int, _ rng: inout SplitMix64) -> JSONValue {
        let kinds = depth >= 6 ? 6 : 8
        switch Int.random(in: 0..<kinds, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            let specials: [Int64] = [0, -1, 1, .min, .max, .min + 1, .max - 1]
            return .integer(Bool.random(using: &rng) ? specials.randomElement(using: &rng)! : Int64.random(in: .min ... .max, using: &rng))
        case 3:
            // Only literals that are not plain Int64 integers, since those parse back as `.integer`.
            let numbers = ["-0.0", "1.5", "1e10", "-2.5E-300", "0.000001", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890.5"]
            return .number(numbers.randomElement(using: &rng)!)
        case 4, 5: return .string(randomString(&rng))
        case 6:
            return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(depth: depth + 1, &rng) })
        default:
            var members: [JSONMember] = []
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                let key = randomString(&rng)
                // Keys must be distinct byte-wise or the parser rightly refuses the output.
                if !members.contains(where: { Array($0.key.utf8) == Array(key.utf8) }) {
                    members.append(JSONMember(key, randomValue(depth: depth + 1, &rng)))
                }
            }
            return .object(members)
        }
    }

    static func randomString(_ rng: inout SplitMix64) -> String {
        // Weighted towards the characters that stress escaping and UTF-8: controls, quotes, CJK, astral.
        let pools: [ClosedRange<UInt32>] = [0x00...0x1F, 0x20...0x7F, 0x22...0x22, 0x5C...0x5C, 0x80...0x7FF,
                                            0x4E00...0x9FFF, 0xE000...0xFFFF, 0x10000...0x10FFFF, 0x61...0x7A]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            let pool = pools.randomElement(using: &rng)!
            scalars.append(Unicode.Scalar(UInt32.random(in: pool, using: &rng))!)
        }
        return String(scalars)
    }
}
