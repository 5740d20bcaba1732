/// A strict RFC 8259 reader: exactly one value, validated UTF-8, no duplicate keys, bounded nesting.
public enum JSONParser {
    /// Parses exactly one JSON value, with optional surrounding whitespace, from UTF-8 bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int = 32) throws(JSONError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONError(offset: 0, reason: "unexpected end of input")
        }
        var reader = Reader(base.assumingMemoryBound(to: UInt8.self), count: bytes.count, maximumDepth: maximumDepth)
        return try reader.document()
    }

    /// Parses exactly one JSON value from an array of UTF-8 bytes.
    public static func parse(_ bytes: [UInt8], maximumDepth: Int = 32) throws(JSONError) -> JSONValue {
        // `withUnsafeBytes` only rethrows untyped errors, so carry the outcome out in a Result.
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONError) -> JSONValue in try parse(buffer, maximumDepth: maximumDepth) }
        }
        return try result.get()
    }

    /// Parses exactly one JSON value from the UTF-8 of a string.
    public static func parse(_ text: String, maximumDepth: Int = 32) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONError) -> JSONValue in
                try parse(UnsafeRawBufferPointer(buffer), maximumDepth: maximumDepth)
            }
        }
        return try result.get()
    }

    /// True when `text` is exactly one number literal in the RFC 8259 grammar.
    static func isNumberLiteral(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            guard let base = buffer.baseAddress, let first = buffer.first,
                  first == .minus || Reader.isDigit(first) else { return false }
            var reader = Reader(base, count: buffer.count, maximumDepth: 0)
            return (try? reader.number()) != nil && reader.i == reader.end
        }
    }
}

extension UInt8 {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let minus = UInt8(ascii: "-")
}

/// One pass over the bytes with an index; containers live on explicit stacks so depth never touches the call stack.
struct Reader: ~Copyable {
    let p: UnsafePointer<UInt8>
    let end: Int
    var i = 0
    let maximumDepth: Int
    /// Members of all open objects, innermost last; a member's value is filled in when it is complete.
    var members = Stack<JSONMember>()
    /// Elements of all open arrays, innermost last.
    var elements = Stack<JSONValue>()
    /// The open containers, innermost last.
    var frames: [Frame] = []
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []

    struct Frame {
        /// Where this container's members or elements begin on their stack.
        var start: Int
        var isObject: Bool
        /// Built once an object has many keys, so duplicate checks stay linear-time.
        var keys: Set<ByteKey>? = nil
    }

    init(_ p: UnsafePointer<UInt8>, count: Int, maximumDepth: Int) {
        self.p = p
        self.end = count
        self.maximumDepth = maximumDepth
    }

    static func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    // MARK: Structure

    mutating func document() throws(JSONError) -> JSONValue {
        if end >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
            throw JSONError(offset: 0, reason: "byte order mark is not allowed")
        }
        var value: JSONValue
        parsing: while true {
            // Here a value is expected.
            skipWhitespace()
            guard i < end else { throw endOfInput() }
            let start = i
            switch p[i] {
            case UInt8(ascii: "{"):
                try checkDepth()
                i += 1
                skipWhitespace()
                if i < end && p[i] == UInt8(ascii: "}") {
                    i += 1
                    value = .object([])
                } else {
                    push(isObject: true)
                    try key()
                    continue parsing
                }
            case UInt8(ascii: "["):
                try checkDepth()
                i += 1
                skipWhitespace()
                if i < end && p[i] == UInt8(ascii: "]") {
                    i += 1
                    value = .array([])
                } else {
                    push(isObject: false)
                    continue parsing
                }
            case .quote:
                i += 1
                value = .string(try string(openedAt: start))
            case UInt8(ascii: "t"):
                try literal("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                value = .null
            case .minus, UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try number()
            default:
                throw unexpected(at: i, expecting: nil)
            }

            // A value is complete: store it in its container, then close every container that ends right here.
            while let frame = frames.last {
                if frame.isObject {
                    members[members.count - 1].value = value
                } else {
                    elements.append(value)
                }
                skipWhitespace()
                guard i < end else { throw endOfInput() }
                let c = p[i]
                if c == UInt8(ascii: ",") {
                    i += 1
                    if frame.isObject {
                        skipWhitespace()
                        try key()
                    }
                    continue parsing
                }
                guard c == (frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw unexpected(at: i, expecting: frame.isObject ? "',' or '}'" : "',' or ']'")
                }
                i += 1
                value = pop()
            }
            skipWhitespace()
            guard i == end else { throw JSONError(offset: i, reason: "trailing characters after the value") }
            return value
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < end {
            switch p[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    func checkDepth() throws(JSONError) {
        guard frames.count < maximumDepth else {
            throw JSONError(offset: i, reason: "nesting deeper than \(maximumDepth)")
        }
    }

    mutating func push(isObject: Bool) {
        // One allocation up front instead of several while a typical event line grows the array.
        if frames.isEmpty { frames.reserveCapacity(8) }
        frames.append(Frame(start: isObject ? members.count : elements.count, isObject: isObject))
    }

    /// Closes the innermost container and returns it as a value with an exactly sized array.
    mutating func pop() -> JSONValue {
        let frame = frames.removeLast()
        return frame.isObject ? .object(members.pop(from: frame.start)) : .array(elements.pop(from: frame.start))
    }

    /// Reads `"name":` and opens a member whose value the caller fills in.
    mutating func key() throws(JSONError) {
        guard i < end else { throw endOfInput() }
        guard p[i] == .quote else { throw unexpected(at: i, expecting: "a string key") }
        let keyStart = i
        i += 1
        let name = try string(openedAt: keyStart)
        try checkDuplicate(name, at: keyStart)
        skipWhitespace()
        guard i < end else { throw endOfInput() }
        guard p[i] == UInt8(ascii: ":") else { throw unexpected(at: i, expecting: "':' after the key") }
        i += 1
        members.append(JSONMember(name, .null))
    }

    mutating func checkDuplicate(_ name: String, at offset: Int) throws(JSONError) {
        let f = frames.count - 1
        let start = frames[f].start
        if frames[f].keys == nil {
            // Small objects, the usual case, are cheapest to check by scanning.
            if members.count - start < 16 {
                for n in start..<members.count where sameBytes(members[n].key, name) {
                    throw duplicate(name, at: offset)
                }
                return
            }
            frames[f].keys = Set((start..<members.count).map { ByteKey(members[$0].key) })
        }
        guard frames[f].keys!.insert(ByteKey(name)).inserted else { throw duplicate(name, at: offset) }
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let w = word.utf8Start
        for n in 0..<word.utf8CodeUnitCount {
            guard i < end else { throw endOfInput() }
            guard p[i] == w[n] else { throw unexpected(at: i, expecting: "'\(word)'") }
            i += 1
        }
    }

    // MARK: Numbers

    /// Reads a number literal; integers that fit stay exact, everything else keeps its text.
    mutating func number() throws(JSONError) -> JSONValue {
        let start = i
        let negative = p[i] == .minus
        if negative { i += 1 }
        guard i < end, Reader.isDigit(p[i]) else {
            throw numberError("expected a digit after '-'")
        }
        var magnitude: UInt64 = 0
        var overflow = false
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if i < end && Reader.isDigit(p[i]) {
                throw JSONError(offset: i - 1, reason: "leading zeros are not allowed in numbers")
            }
        } else {
            while i < end && Reader.isDigit(p[i]) {
                if !overflow {
                    let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(UInt64(p[i] &- UInt8(ascii: "0")))
                    magnitude = sum
                    overflow = o1 || o2
                }
                i += 1
            }
        }
        var isInteger = true
        if i < end && p[i] == UInt8(ascii: ".") {
            i += 1
            guard i < end, Reader.isDigit(p[i]) else { throw numberError("expected a digit after '.'") }
            while i < end && Reader.isDigit(p[i]) { i += 1 }
            isInteger = false
        }
        if i < end && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            if i < end && (p[i] == UInt8(ascii: "+") || p[i] == .minus) { i += 1 }
            guard i < end, Reader.isDigit(p[i]) else { throw numberError("expected a digit in the exponent") }
            while i < end && Reader.isDigit(p[i]) { i += 1 }
            isInteger = false
        }
        if isInteger && !overflow {
            if !negative && magnitude <= UInt64(Int64.max) { return .integer(Int64(magnitude)) }
            // Two's complement negation also covers Int64.min, whose magnitude is Int64.max + 1.
            if negative && magnitude <= UInt64(Int64.max) + 1 { return .integer(Int64(bitPattern: 0 &- magnitude)) }
        }
        return .number(String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self))
    }

    /// Numbers cut short by the end of the input still say which digit was missing.
    func numberError(_ reason: String) -> JSONError { JSONError(offset: i, reason: reason) }

    // MARK: Strings

    /// Reads the rest of a string whose opening quote is at `quote`; `i` is just past that quote.
    mutating func string(openedAt quote: Int) throws(JSONError) -> String {
        var runStart = i
        try skipPlain()
        // Fast path: no escapes, so the string is a slice of the input.
        if i < end && p[i] == .quote {
            i += 1
            return String(decoding: UnsafeBufferPointer(start: p + runStart, count: i - 1 - runStart), as: UTF8.self)
        }
        scratch.removeAll(keepingCapacity: true)
        while true {
            scratch.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart))
            guard i < end else { throw JSONError(offset: quote, reason: "unterminated string") }
            switch p[i] {
            case .quote:
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            case .backslash:
                try escape(quote: quote)
            default:
                throw JSONError(offset: i, reason: "control character \(Reader.codePoint(UInt32(p[i]))) in string must be escaped")
            }
            runStart = i
            try skipPlain()
        }
    }

    /// Advances over unescaped string content, validating UTF-8, up to a quote, backslash, control character or the end.
    @inline(__always)
    mutating func skipPlain() throws(JSONError) {
        while i < end {
            let c = p[i]
            if c >= 0x80 {
                i = try utf8Sequence(at: i)
            } else if c == .quote || c == .backslash || c < 0x20 {
                return
            } else {
                i += 1
            }
        }
    }

    /// Decodes the escape at `i` into `scratch`.
    mutating func escape(quote: Int) throws(JSONError) {
        let at = i
        guard i + 1 < end else { throw JSONError(offset: quote, reason: "unterminated string") }
        let e = p[i + 1]
        i += 2
        switch e {
        case .quote, .backslash, UInt8(ascii: "/"): scratch.append(e)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4(escapeAt: at)
            if (0xDC00...0xDFFF).contains(scalar) {
                throw JSONError(offset: at, reason: "unpaired surrogate \\u\(Reader.hex(scalar)): a low surrogate must follow a high surrogate")
            }
            if (0xD800...0xDBFF).contains(scalar) {
                // UTF-16 pairs arrive as two escapes; only a high surrogate immediately followed by a low one is a character.
                let unpaired = JSONError(offset: at, reason: "unpaired surrogate \\u\(Reader.hex(scalar)): a high surrogate must be followed by a low surrogate escape")
                guard i + 1 < end, p[i] == .backslash, p[i + 1] == UInt8(ascii: "u") else { throw unpaired }
                i += 2
                let low = try hex4(escapeAt: i - 2)
                guard (0xDC00...0xDFFF).contains(low) else { throw unpaired }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            appendUTF8(scalar)
        default:
            if e >= 0x20 && e < 0x7F {
                throw JSONError(offset: at, reason: "invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
            throw JSONError(offset: at, reason: "invalid escape: '\\' must be followed by one of \" \\ / b f n r t u")
        }
    }

    /// Reads the four hex digits after a `\u` at `at`.
    mutating func hex4(escapeAt at: Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard i < end else { throw JSONError(offset: at, reason: "invalid \\u escape: expected four hex digits") }
            let c = p[i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw JSONError(offset: at, reason: "invalid \\u escape: expected four hex digits")
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Returns the index after the well-formed multi-byte UTF-8 sequence at `k` (Unicode Table 3-7), or says what is wrong.
    func utf8Sequence(at k: Int) throws(JSONError) -> Int {
        let lead = p[k]
        let length: Int
        // The allowed range of the second byte is what excludes overlong forms, surrogates and values above U+10FFFF.
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        case 0x80...0xBF: throw invalidUTF8(k, "unexpected continuation byte")
        case 0xC0, 0xC1: throw invalidUTF8(k, "overlong encoding")
        default: throw invalidUTF8(k, "byte 0x\(Reader.hex(UInt32(lead), width: 2)) never appears in UTF-8")
        }
        for n in 1..<length where k + n >= end || p[k + n] & 0xC0 != 0x80 {
            throw invalidUTF8(k, "truncated sequence")
        }
        let second = p[k + 1]
        if second < low { throw invalidUTF8(k, "overlong encoding") }
        if second > high { throw invalidUTF8(k, lead == 0xED ? "encoded surrogate" : "code point beyond U+10FFFF") }
        return k + length
    }

    // MARK: Errors

    func endOfInput() -> JSONError { JSONError(offset: end, reason: "unexpected end of input") }

    func invalidUTF8(_ k: Int, _ detail: String) -> JSONError {
        JSONError(offset: k, reason: "invalid UTF-8 (\(detail))")
    }

    func duplicate(_ name: String, at offset: Int) -> JSONError {
        // Long keys are shortened so a hostile line cannot make the error message huge.
        let shown = name.unicodeScalars.count > 64 ? String(String.UnicodeScalarView(name.unicodeScalars.prefix(64))) + "…" : name
        return JSONError(offset: offset, reason: "duplicate key \(JSONWriter.string(.string(shown)))")
    }

    /// Names the character at `k` the way a person would recognise it, e.g. a full-width comma.
    func unexpected(at k: Int, expecting: String?) -> JSONError {
        let c = p[k]
        let what: String
        if c >= 0x80 {
            let next: Int
            do { next = try utf8Sequence(at: k) } catch { return error }
            var scalar = UInt32(c) & (0xFF >> (next - k + 1))
            for n in k + 1..<next { scalar = scalar << 6 | UInt32(p[n] & 0x3F) }
            what = "'\(Character(Unicode.Scalar(scalar)!))' (\(Reader.codePoint(scalar)))"
        } else if c < 0x20 || c == 0x7F {
            what = Reader.codePoint(UInt32(c))
        } else {
            what = "'\(Character(Unicode.Scalar(c)))'"
        }
        return JSONError(offset: k, reason: "unexpected character \(what)" + (expecting.map { ", expected \($0)" } ?? ""))
    }

    static func hex(_ value: UInt32, width: Int = 4) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func codePoint(_ value: UInt32) -> String { "U+" + hex(value) }
}

/// A string hashed and compared by its UTF-8 bytes, for the duplicate-key set.
struct ByteKey: Hashable {
    let text: String
    init(_ text: String) { self.text = text }

    static func == (a: ByteKey, b: ByteKey) -> Bool { sameBytes(a.text, b.text) }

    func hash(into hasher: inout Hasher) {
        for byte in text.utf8 { hasher.combine(byte) }
        hasher.combine(0xFF as UInt8)  // 0xFF never occurs in UTF-8, so it terminates the key unambiguously.
    }
}
