import Testing
@testable import JSONText

/// A piece of a test input: readable text or one raw byte, so invalid UTF-8 can sit next to JSON text.
enum Part: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, Sendable {
    case text(String)
    case byte(UInt8)
    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: UInt8) { self = .byte(value) }
}

/// A named input in the style of JSONTestSuite (`y_` must be accepted, `n_` refused, `i_` our decision).
struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]

    init(_ name: String, _ parts: Part...) {
        self.name = name
        bytes = parts.flatMap { part -> [UInt8] in
            switch part {
            case .text(let s): return Array(s.utf8)
            case .byte(let b): return [b]
            }
        }
    }

    var testDescription: String { name }
}

/// The error thrown for `bytes`, or nil when they parse.
func refusal(_ bytes: [UInt8], maximumDepth: Int = 32) -> JSONError? {
    do {
        _ = try JSONParser.parse(bytes, maximumDepth: maximumDepth)
        return nil
    } catch {
        return error
    }
}

func refusal(_ text: String, maximumDepth: Int = 32) -> JSONError? {
    refusal(Array(text.utf8), maximumDepth: maximumDepth)
}

/// A small seeded generator (SplitMix64) so random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The sample event line from the ingestion brief.
let sampleLine = #"{"type":"unit.sold","at":"2026-03-01","id":"erp-77-1","by":"dealer:D01","data":{"serial":"SN1","model":"T-504","dealer":"D01","customer":"合作社-7","price":450000}}"#
