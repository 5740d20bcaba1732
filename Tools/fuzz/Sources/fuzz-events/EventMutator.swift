import FuzzSupport
import JSONText

/// Grammar-aware mutations of a JSON Lines batch: whole lines spliced from the fixtures, members deleted,
/// duplicated or renamed, values swapped for other types, numbers beyond Int64 and huge exponents, deep
/// nesting, invalid UTF-8, NUL bytes, 10 MB lines and random bytes; otherwise libFuzzer's byte mutations.
enum EventMutator {
    static let keys = ["type", "at", "id", "by", "data", "serial", "model", "dealer", "price", "policy", "models",
                       "complaint", "visit", "swap", "notice", "lines", "amount", "seq", "part", "effective",
                       "warrantyMonths", "returnDays", "exchangeDays", "components", "months", "kind", "finding",
                       "laborMinutes", "travel", "resolved", "refund", "invoice", "ref", "name", "region", "x"]

    static let types = ["policy.published", "dealer.enrolled", "unit.sold", "unit.installed", "card.registered",
                        "complaint.lodged", "visit.recorded", "part.swapped", "part.returned", "part.appraised",
                        "unit.returned", "unit.exchanged", "cost.written-off", "writeoff.confirmed",
                        "dealer.invoiced", "payment.received", "event.voided", "unit.scrapped", ""]

    static let numbers: [JSONValue] = [
        .integer(0), .integer(-1), .integer(1), .integer(Int64.max), .integer(Int64.min), .integer(1_000_000_000_000),
        .integer(1_000_000_000_001), .integer(2_147_483_648), .integer(4_294_967_296),
        .number("9223372036854775808"), .number("-9223372036854775809"), .number("99999999999999999999999999999"),
        .number("1e400"), .number("1E-400"), .number("1e999999999999"), .number("-0"), .number("0.5"), .number("1e3"),
        .number("1.0"), .number("-1e-7"), .number("123456789012345678901234567890e-10"),
    ]

    static let strings: [String] = [
        "", " ", "三包", "e\u{301}", "\u{1F600}", "2024-02-29", "2025-02-29", "0000-01-01", "9999-12-31", "2025-13-01",
        "2025-01-01T00:00:00+08:00", "2025-01-01T24:00:00+08:00", "2025-01-01T10:00:00+14:01", "2025-01-01T10:00:00Z",
        "2025-01-01T10:00:00.123456789+08:00", "06-30", "02-30", "sale", "install", "repair", "defect", "dealer:D1",
        String(repeating: "x", count: 64), String(repeating: "x", count: 65), String(repeating: "界", count: 128),
        String(repeating: "y", count: 129), String(repeating: "z", count: 256), String(repeating: "z", count: 257),
        "\u{0}", "a\nb", "\u{7F}", "\u{FEFF}x", "\u{FFFF}", "D1", "SN1", "M1", "P1", "C1", "V1",
    ]

    /// Byte sequences that are not UTF-8, or are NUL, inserted into the text.
    static let rawInsertions: [[UInt8]] = [
        [0xFF], [0xC0, 0xAF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80],
        [0x00], [0x00, 0x00], Array("\\u0000".utf8), Array("\\ud800".utf8), Array("\\udc00\\ud800".utf8),
        [0xEF, 0xBB, 0xBF], [0x0D], [0x09], Array("\\".utf8), Array("\"".utf8), Array("}".utf8), Array("]".utf8),
        Array(",".utf8), Array(":".utf8), Array("\\x".utf8), Array("\\u12".utf8),
    ]

    static func mutate(_ input: [UInt8], maxSize: Int, using random: inout SeededRandom) -> [UInt8] {
        if Int.random(in: 0..<6, using: &random) == 0 { return byteMutation(input, maxSize: min(maxSize, input.count + 256)) }
        var lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if lines.isEmpty || input.isEmpty { lines = [pool.randomElement(using: &random)!] }
        let index = Int.random(in: 0..<lines.count, using: &random)
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<8: lines[index] = pool.randomElement(using: &random)!
        case 8..<14: lines.insert(pool.randomElement(using: &random)!, at: Int.random(in: 0...lines.count, using: &random))
        case 14..<17: if lines.count > 1 { lines.remove(at: index) }
        case 17..<20: lines.insert(lines[index], at: index)
        case 20..<62:
            if let value = try? JSONParser.parse(lines[index]) {
                lines[index] = Array(JSONWriter.string(mutate(value, using: &random)).utf8)
            } else {
                lines[index] = byteMutation(lines[index], maxSize: max(lines[index].count * 2, 64))
            }
        case 62..<85:
            let insertion = rawInsertions.randomElement(using: &random)!
            let at = Int.random(in: 0...lines[index].count, using: &random)
            lines[index].insert(contentsOf: insertion, at: at)
        case 85..<90: lines[index] = (0..<Int.random(in: 0..<200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 90..<93: lines[index] = Array(deepNesting(Int.random(in: 30..<40, using: &random), using: &random).utf8)
        case 93..<95: lines[index] = Array(deepNesting(Int.random(in: 100...min(100_000, max(100, maxSize / 2)), using: &random),
                                                       using: &random).utf8)
        case 95..<97: lines[index] = [0xEF, 0xBB, 0xBF] + lines[index] + [0x0D]
        default:
            // Huge lines only when the run allows them (-max_len=11000000): they slow every later input.
            if maxSize > 10_100_000 {
                lines[index] = Bool.random(using: &random)
                    // About 10 MB: one huge string value.
                    ? Array(#"{"type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D9","name":""#.utf8)
                        + Array(repeating: UInt8(ascii: "n"), count: 10_000_000) + Array(#""}}"#.utf8)
                    // Around the 1 MiB line limit.
                    : lines[index] + Array(repeating: 0x20, count: (1 << 20) - 10 + Int.random(in: 0..<20, using: &random))
            } else {
                lines[index] = byteMutation(lines[index], maxSize: lines[index].count + 16)
            }
        }
        return Array(Array(lines.joined(separator: [0x0A])).prefix(maxSize))
    }

    static func deepNesting(_ depth: Int, using random: inout SeededRandom) -> String {
        let object = Bool.random(using: &random)
        let open = object ? #"{"data":"# : "["
        let close = object ? "}" : "]"
        return #"{"type":"payment.received","at":"2025-01-01","data":"# + String(repeating: open, count: depth) + "1"
            + String(repeating: close, count: depth) + "}"
    }

    /// Mutates one randomly chosen value of the tree (the root included).
    static func mutate(_ value: JSONValue, using random: inout SeededRandom) -> JSONValue {
        var paths: [[Int]] = []
        func collect(_ value: JSONValue, _ path: [Int]) {
            paths.append(path)
            switch value {
            case .array(let items): for (index, item) in items.enumerated() { collect(item, path + [index]) }
            case .object(let members): for (index, member) in members.enumerated() { collect(member.value, path + [index]) }
            default: break
            }
        }
        collect(value, [])
        let path = paths.randomElement(using: &random)!
        return modify(value, path[...], using: &random)
    }

    static func modify(_ value: JSONValue, _ path: ArraySlice<Int>, using random: inout SeededRandom) -> JSONValue {
        guard let index = path.first else { return replace(value, using: &random) }
        switch value {
        case .array(var items):
            // At the parent: sometimes delete or duplicate the element instead of changing it.
            if path.count == 1, Int.random(in: 0..<4, using: &random) == 0 {
                if Bool.random(using: &random) { items.remove(at: index) } else { items.insert(items[index], at: index) }
                return .array(items)
            }
            items[index] = modify(items[index], path.dropFirst(), using: &random)
            return .array(items)
        case .object(var members):
            if path.count == 1 {
                switch Int.random(in: 0..<8, using: &random) {
                case 0: members.remove(at: index); return .object(members)
                case 1: members.insert(members[index], at: index); return .object(members)
                case 2: members[index].key = keys.randomElement(using: &random)!; return .object(members)
                case 3: members.append(JSONMember(keys.randomElement(using: &random)!, replace(.null, using: &random)))
                        return .object(members)
                default: break
                }
            }
            members[index].value = modify(members[index].value, path.dropFirst(), using: &random)
            return .object(members)
        default:
            return replace(value, using: &random)
        }
    }

    /// Another value for `value`: a type swap, an edge number or string, an event type, or a value from the pool.
    static func replace(_ value: JSONValue, using random: inout SeededRandom) -> JSONValue {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return [.null, .bool(true), .bool(false), .array([]), .object([]), .string("")].randomElement(using: &random)!
        case 1, 2: return numbers.randomElement(using: &random)!
        case 3, 4: return .string(strings.randomElement(using: &random)!)
        case 5: return .string(types.randomElement(using: &random)!)
        case 6: return .array([value, value])
        case 7:
            if case .integer(let number) = value {
                let delta = [-1, 1, -1_000, 1_000, Int64.max / 2].randomElement(using: &random)!
                return .integer(number &+ delta)
            }
            if case .string(let text) = value, !text.isEmpty { return .string(String(text.dropLast()) + text) }
            return .string(strings.randomElement(using: &random)!)
        default:
            // A value from another valid event: the right shape in the wrong place.
            guard let other = try? JSONParser.parse(pool.randomElement(using: &random)!) else { return .null }
            var values: [JSONValue] = []
            func collect(_ value: JSONValue) {
                values.append(value)
                if case .object(let members) = value { members.forEach { collect($0.value) } }
                if case .array(let items) = value { items.forEach(collect) }
            }
            collect(other)
            return values.randomElement(using: &random)!
        }
    }
}
