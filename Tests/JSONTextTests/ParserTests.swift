import Testing
@testable import JSONText

@Suite struct ParserTests {
    @Test func parsesTheSampleEventLine() throws {
        let value = try JSONParser.parse(sampleLine)
        #expect(value[key: "type"] == .string("unit.sold"))
        #expect(value[key: "data"]?[key: "customer"] == .string("合作社-7"))
        #expect(value[key: "data"]?[key: "price"] == .integer(450_000))
        #expect(value.objectValue?.map(\.key) == ["type", "at", "id", "by", "data"])
        #expect(JSONWriter.string(value) == sampleLine)
    }

    @Test func keepsMemberOrderAndValues() throws {
        let value = try JSONParser.parse(#" {"z":null,"a":[true,false,-1,"x",{}],"m":1.50} "#)
        #expect(value == .object([
            JSONMember("z", .null),
            JSONMember("a", .array([.bool(true), .bool(false), .integer(-1), .string("x"), .object([])])),
            JSONMember("m", .number("1.50")),
        ]))
    }

    // MARK: Numbers

    @Test(arguments: [
        ("0", JSONValue.integer(0)),
        ("-0", .integer(0)),
        ("7", .integer(7)),
        ("9223372036854775807", .integer(.max)),
        ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .number("9223372036854775808")),
        ("-9223372036854775809", .number("-9223372036854775809")),
        ("18446744073709551615", .number("18446744073709551615")),
        ("18446744073709551616", .number("18446744073709551616")),
        ("100000000000000000000000000", .number("100000000000000000000000000")),
        ("1.0", .number("1.0")),
        ("-0.0", .number("-0.0")),
        ("1e2", .number("1e2")),
        ("1E+2", .number("1E+2")),
        ("-12.5e-3", .number("-12.5e-3")),
    ])
    func numberBoundaries(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
        #expect(try JSONParser.parse("[\(text)]") == .array([expected]))
    }

    // MARK: UTF-8

    /// Every ill-formed class from Unicode Table 3-7, inside a string, with the detail the reason must give.
    @Test(arguments: [
        ([0xC0, 0xAF], "overlong encoding"),
        ([0xC1, 0xBF], "overlong encoding"),
        ([0xE0, 0x80, 0xAF], "overlong encoding"),
        ([0xE0, 0x9F, 0xBF], "overlong encoding"),
        ([0xF0, 0x80, 0x80, 0xAF], "overlong encoding"),
        ([0xF0, 0x8F, 0xBF, 0xBF], "overlong encoding"),
        ([0xED, 0xA0, 0x80], "encoded surrogate"),
        ([0xED, 0xBF, 0xBF], "encoded surrogate"),
        ([0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80], "encoded surrogate"),  // CESU-8 style pair
        ([0xF4, 0x90, 0x80, 0x80], "code point beyond U+10FFFF"),
        ([0xF4, 0xBF, 0xBF, 0xBF], "code point beyond U+10FFFF"),
        ([0xF5, 0x80, 0x80, 0x80], "byte 0xF5 never appears in UTF-8"),
        ([0xF7, 0xBF, 0xBF, 0xBF], "byte 0xF7 never appears in UTF-8"),
        ([0xF8, 0x88, 0x80, 0x80, 0x80], "byte 0xF8 never appears in UTF-8"),
        ([0xFE], "byte 0xFE never appears in UTF-8"),
        ([0xFF], "byte 0xFF never appears in UTF-8"),
        ([0xC3], "truncated sequence"),
        ([0xC3, 0x41], "truncated sequence"),
        ([0xE4, 0xB8], "truncated sequence"),
        ([0xF0, 0x9F, 0x98], "truncated sequence"),
        ([0xE4, 0xB8, 0xAD, 0xE4], "truncated sequence"),
        ([0x80], "unexpected continuation byte"),
        ([0xBF], "unexpected continuation byte"),
        ([0xE4, 0xB8, 0xAD, 0xAD], "unexpected continuation byte"),
    ] as [([UInt8], String)])
    func refusesIllFormedUTF8(_ bad: [UInt8], _ detail: String) throws {
        // `{"key":"ab` puts the bad bytes at offset 10; the reason names the start of the bad sequence.
        let prefix = Array(#"{"key":"ab"#.utf8)
        let error = try #require(refusal(prefix + bad + Array("\"}".utf8)))
        let first = bad.starts(with: [0xE4, 0xB8, 0xAD]) ? prefix.count + 3 : prefix.count
        #expect(error == JSONError(offset: first, reason: "invalid UTF-8 (\(detail))"))
        // The same bytes in a key, and cut off at the end of the input, are refused too.
        #expect(refusal(Array("{\"".utf8) + bad + Array("\":1}".utf8)) != nil)
        #expect(refusal(Array("\"".utf8) + bad) != nil)
    }

    @Test(arguments: [
        [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
        [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
    ] as [[UInt8]])
    func acceptsUTF8Boundaries(_ good: [UInt8]) throws {
        let value = try JSONParser.parse(Array("\"".utf8) + good + Array("\"".utf8))
        #expect(value.stringValue.map { Array($0.utf8) } == good)
    }

    @Test func refusesInvalidUTF8OutsideStrings() {
        #expect(refusal([0x5B, 0xE5, 0x5D]) == JSONError(offset: 1, reason: "invalid UTF-8 (truncated sequence)"))
        #expect(refusal([0x5B, 0x31, 0x5D, 0x20, 0x80]) == JSONError(offset: 4, reason: "trailing characters after the value"))
    }

    @Test func refusesEveryUnescapedControlCharacter() throws {
        for c in UInt8(0)..<0x20 {
            let error = try #require(refusal([0x22, 0x61, c, 0x22]))
            let hex = String(c, radix: 16, uppercase: true)
            #expect(error == JSONError(offset: 2, reason: "control character U+\(hex.count == 1 ? "000" : "00")\(hex) in string must be escaped"))
        }
        // DEL is not a JSON control character.
        #expect(try JSONParser.parse([0x22, 0x7F, 0x22]) == .string("\u{7F}"))
    }

    // MARK: Escapes

    @Test func decodesEscapes() throws {
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try JSONParser.parse(#""\u0041\u00e9\u4E2D\uD83D\uDE00\u0000""#) == .string("Aé中😀\u{0}"))
        #expect(try JSONParser.parse(#""a\u5408b\u4f5cc""#) == .string("a合b作c"))
        #expect(try JSONParser.parse(#""\uDBFF\uDFFF""#) == .string("\u{10FFFF}"))
    }

    @Test(arguments: [
        (#""\uD800""#, 1, "unpaired surrogate \\uD800: a high surrogate must be followed by a low surrogate escape"),
        (#""\uD800x""#, 1, "unpaired surrogate \\uD800: a high surrogate must be followed by a low surrogate escape"),
        (#""\uD800\u0041""#, 1, "unpaired surrogate \\uD800: a high surrogate must be followed by a low surrogate escape"),
        (#""\uDBFF\uDBFF""#, 1, "unpaired surrogate \\uDBFF: a high surrogate must be followed by a low surrogate escape"),
        (#""ab\uDC00""#, 3, "unpaired surrogate \\uDC00: a low surrogate must follow a high surrogate"),
        (#""\uDE00\uD83D""#, 1, "unpaired surrogate \\uDE00: a low surrogate must follow a high surrogate"),
        (#""\uD83D\n\uDE00""#, 1, "unpaired surrogate \\uD83D: a high surrogate must be followed by a low surrogate escape"),
        (#""\u12G4""#, 1, "invalid \\u escape: expected four hex digits"),
        (#""\uD800\u12""#, 7, "invalid \\u escape: expected four hex digits"),
        (#""\x41""#, 1, "invalid escape '\\x'"),
        (#""\'""#, 1, "invalid escape '\\''"),
    ] as [(String, Int, String)])
    func refusesBadEscapes(_ text: String, _ offset: Int, _ reason: String) {
        #expect(refusal(text) == JSONError(offset: offset, reason: reason))
    }

    // MARK: Duplicate keys

    @Test func refusesDuplicateKeysNamingThem() {
        #expect(refusal(#"{"price":1,"price":2}"#) == JSONError(offset: 11, reason: #"duplicate key "price""#))
        #expect(refusal(#"{"a":{"b":1,"c":2,"b":3}}"#) == JSONError(offset: 18, reason: #"duplicate key "b""#))
        // Escapes are decoded before comparing: "\u0061" is "a".
        #expect(refusal(#"{"a":1,"\u0061":2}"#)?.reason == #"duplicate key "a""#)
        #expect(refusal(#"{"q\"\n":1,"q\"\n":2}"#)?.reason == #"duplicate key "q\"\n""#)
        // The same key in sibling or nested objects is fine.
        #expect(refusal(#"{"a":{"a":1},"b":{"a":2},"c":[{"a":3},{"a":4}]}"#) == nil)
    }

    @Test func refusesDuplicatesInLargeObjects() throws {
        // Past 16 keys the check switches to a hash set; it must still find the duplicate, late or early.
        let keys = (0..<1000).map { "\"k\($0)\":\($0)" }
        #expect(try JSONParser.parse("{" + keys.joined(separator: ",") + "}").objectValue?.count == 1000)
        let late = refusal("{" + (keys + ["\"k3\":0"]).joined(separator: ",") + "}")
        #expect(late?.reason == #"duplicate key "k3""#)
        let justPastSmall = refusal("{" + (keys.prefix(16) + ["\"k15\":0"]).joined(separator: ",") + "}")
        #expect(justPastSmall?.reason == #"duplicate key "k15""#)
        let atSmall = refusal("{" + (keys.prefix(15) + ["\"k0\":0"]).joined(separator: ",") + "}")
        #expect(atSmall?.reason == #"duplicate key "k0""#)
    }

    @Test func comparesKeysByteForByte() throws {
        // "é" precomposed and decomposed are canonically equivalent but different keys in JSON.
        let value = try JSONParser.parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        #expect(value.objectValue?.count == 2)
        #expect(value[key: "e\u{301}"] == .integer(2))
        #expect(value[key: "\u{E9}"] == .integer(1))
    }

    @Test func shortensLongDuplicateKeysInTheReason() throws {
        let long = String(repeating: "x", count: 1000)
        let error = try #require(refusal("{\"\(long)\":1,\"\(long)\":2}"))
        #expect(error.reason == "duplicate key \"" + String(repeating: "x", count: 64) + "…\"")
    }

    // MARK: Depth

    @Test func limitsNesting() throws {
        let ok = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(refusal(ok) == nil)
        let tooDeep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(refusal(tooDeep) == JSONError(offset: 32, reason: "nesting deeper than 32"))
        let objects = String(repeating: #"{"a":"#, count: 5) + "1" + String(repeating: "}", count: 5)
        #expect(refusal(objects, maximumDepth: 4) == JSONError(offset: 20, reason: "nesting deeper than 4"))
        #expect(refusal(objects, maximumDepth: 5) == nil)
    }

    @Test func refusesAMillionOpenBracketsWithoutRecursion() throws {
        let brackets = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(refusal(brackets) == JSONError(offset: 32, reason: "nesting deeper than 32"))
        #expect(clock.now - start < .seconds(1))
        // Even with no depth limit the explicit stack copes: the input just ends too early.
        #expect(refusal(brackets, maximumDepth: .max) == JSONError(offset: 1_000_000, reason: "unexpected end of input"))
        let mixed = [UInt8](String(repeating: #"{"a":["#, count: 200_000).utf8)
        #expect(refusal(mixed, maximumDepth: .max) == JSONError(offset: mixed.count, reason: "unexpected end of input"))
    }

    // MARK: Reasons and offsets

    @Test(arguments: [
        ("", 0, "unexpected end of input"),
        ("  \n", 3, "unexpected end of input"),
        ("[1,2", 4, "unexpected end of input"),
        (#""abc"#, 0, "unterminated string"),
        (#"["abc\"#, 1, "unterminated string"),
        ("[x]", 1, "unexpected character 'x'"),
        ("[1] x", 4, "trailing characters after the value"),
        ("1 2", 2, "trailing characters after the value"),
        ("[1 2]", 3, "unexpected character '2', expected ',' or ']'"),
        (#"{"a":1 "b":2}"#, 7, "unexpected character '\"', expected ',' or '}'"),
        (#"{"a":1,}"#, 7, "unexpected character '}', expected a string key"),
        (#"{"a" 1}"#, 5, "unexpected character '1', expected ':' after the key"),
        ("{\"a\"\u{FF1A}1}", 4, "unexpected character '\u{FF1A}' (U+FF1A), expected ':' after the key"),
        ("[1\u{FF0C}2]", 2, "unexpected character '\u{FF0C}' (U+FF0C), expected ',' or ']'"),
        ("[\u{0}]", 1, "unexpected character U+0000"),
        ("[\u{C}]", 1, "unexpected character U+000C"),
        ("[tru]", 4, "unexpected character ']', expected 'true'"),
        ("[01]", 1, "leading zeros are not allowed in numbers"),
        ("[-]", 2, "expected a digit after '-'"),
        ("[1.]", 3, "expected a digit after '.'"),
        ("[1e+]", 4, "expected a digit in the exponent"),
        ("1.", 2, "expected a digit after '.'"),
        ("-", 1, "expected a digit after '-'"),
        ("[1e", 3, "expected a digit in the exponent"),
        ("[\"a\nb\"]", 3, "control character U+000A in string must be escaped"),
        ("\u{FEFF}{}", 0, "byte order mark is not allowed"),
    ] as [(String, Int, String)])
    func explainsRefusals(_ text: String, _ offset: Int, _ reason: String) {
        #expect(refusal(text) == JSONError(offset: offset, reason: reason))
    }

    @Test func reportsTheByteOfInvalidUTF8() {
        // `{"ab":"0123456789` is 17 bytes, so the bad byte is byte 17, as in the brief's example.
        let line = Array(#"{"ab":"0123456789"#.utf8) + [0xFF] + Array(#""}"#.utf8)
        #expect(refusal(line) == JSONError(offset: 17, reason: "invalid UTF-8 (byte 0xFF never appears in UTF-8)"))
    }

    @Test func entryPointsAgree() throws {
        let bytes = Array(sampleLine.utf8)
        let viaBuffer = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        #expect(viaBuffer == (try JSONParser.parse(bytes)))
        #expect(viaBuffer == (try JSONParser.parse(sampleLine)))
        #expect(throws: JSONError(offset: 0, reason: "unexpected end of input")) {
            try JSONParser.parse(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    @Test func parsesLongStringsInLinearTime() throws {
        // 4 MB of escapes and multi-byte text: quadratic behaviour would take far longer than the limit.
        let piece = #"\n\u4e2d合\"x"#
        let text = "\"" + String(repeating: piece, count: 300_000) + "\""
        let clock = ContinuousClock()
        let start = clock.now
        let value = try JSONParser.parse(text)
        #expect(value.stringValue?.unicodeScalars.count == 300_000 * 5)
        #expect(clock.now - start < .seconds(20))
    }
}
