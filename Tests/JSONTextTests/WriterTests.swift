import Testing
@testable import JSONText

@Suite struct WriterTests {
    @Test func writesCompactlyInGivenOrder() {
        let value = JSONValue.object([
            JSONMember("b", .array([.bool(true), .null])),
            JSONMember("a", .integer(1)),
            JSONMember("c", .object([JSONMember("x", .number("1.50e3")), JSONMember("y", .array([]))])),
            JSONMember("d", .object([])),
        ])
        #expect(JSONWriter.string(value) == #"{"b":[true,null],"a":1,"c":{"x":1.50e3,"y":[]},"d":{}}"#)
        #expect(value.description == JSONWriter.string(value))
    }

    @Test func streamsWithoutATree() {
        var w = JSONWriter()
        w.beginObject()
        w.key("a"); w.integer(1)
        w.key("b"); w.beginArray(); w.bool(true); w.null(); w.endArray()
        w.key("c"); w.beginObject(); w.endObject()
        w.key("d"); w.beginArray(); w.beginArray(); w.endArray(); w.beginObject(); w.key("e"); w.string("f"); w.endObject(); w.endArray()
        w.key("g"); w.raw(Array(#"{"pre":"encoded"}"#.utf8))
        w.key("h"); w.number("-0.5")
        w.key("i"); w.bool(false)
        w.endObject()
        #expect(String(decoding: w.bytes, as: UTF8.self)
            == #"{"a":1,"b":[true,null],"c":{},"d":[[],{"e":"f"}],"g":{"pre":"encoded"},"h":-0.5,"i":false}"#)
    }

    @Test func writesJSONLines() throws {
        var w = JSONWriter()
        w.beginObject(); w.key("n"); w.integer(1); w.endObject(); w.newline()
        w.beginArray(); w.endArray(); w.newline()
        w.string("x"); w.newline()
        #expect(String(decoding: w.bytes, as: UTF8.self) == "{\"n\":1}\n[]\n\"x\"\n")
        for line in w.bytes.split(separator: 0x0A) {
            _ = try JSONParser.parse(Array(line))
        }
    }

    @Test(arguments: [Int64.min, -9_223_372_036_854_775_807, -10, -1, 0, 1, 9, 10, 450_000, Int64.max])
    func writesIntegers(_ n: Int64) throws {
        #expect(JSONWriter.string(.integer(n)) == String(n))
        #expect(try JSONParser.parse(JSONWriter.bytes(.integer(n))) == .integer(n))
    }

    @Test func escapesOnlyWhatJSONRequires() {
        let text = "\"\\/\u{8}\u{C}\n\r\t\u{0}\u{1}\u{1F}\u{7F}合作社-7 €😀 \u{2028}"
        #expect(JSONWriter.string(.string(text))
            == "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\u{7F}合作社-7 €😀 \u{2028}\"")
    }

    @Test func escapesEveryControlCharacter() throws {
        let short: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        let hex = Array("0123456789abcdef")
        for c in UInt8(0)..<0x20 {
            let expected = short[c] ?? "\\u00\(hex[Int(c >> 4)])\(hex[Int(c & 15)])"
            let scalar = Character(Unicode.Scalar(c))
            #expect(JSONWriter.string(.string("a\(scalar)b")) == "\"a\(expected)b\"")
            #expect(try JSONParser.parse(JSONWriter.bytes(.string("a\(scalar)b"))) == .string("a\(scalar)b"))
        }
    }

    @Test func escapesKeysLikeStrings() {
        let value = JSONValue.object([JSONMember("k\"\n合", .string("v"))])
        #expect(JSONWriter.string(value) == "{\"k\\\"\\n合\":\"v\"}")
    }

    @Test func recognisesNumberLiterals() {
        for good in ["0", "-0", "1.5", "-1.5e-3", "1E+2", "123456789012345678901234567890"] {
            #expect(JSONParser.isNumberLiteral(good), "\(good)")
        }
        for bad in ["", "-", "+1", "01", "1.", ".5", "1e", "NaN", "Infinity", "0x1", " 1", "1 ", "1,2"] {
            #expect(!JSONParser.isNumberLiteral(bad), "\(bad)")
        }
    }
}
