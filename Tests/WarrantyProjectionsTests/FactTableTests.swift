@testable import WarrantyProjections
import Testing

/// The fact table must behave as the dictionary it replaced, whatever the order of insertions and removals.
struct FactTableTests {
    struct Facts: Equatable, KeyedFacts {
        var id: String
        var items: [Int] = []
        var key: String { id }
    }

    @Test func behavesAsADictionary() {
        var table = FactTable<Facts>()
        var reference: [String: Facts] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0..<20_000 {
            let key = "K\(Int.random(in: 0..<500, using: &generator))"
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                table[key] = Facts(id: key)
                reference[key] = Facts(id: key)
            case 1:
                table[key] = nil
                reference[key] = nil
            default:
                // In place, as `units[serial]!.complaints.append(id)` does; only on present keys.
                if reference[key] != nil {
                    table[key]!.items.append(step)
                    reference[key]!.items.append(step)
                }
            }
            #expect(table[key] == reference[key])
        }
        #expect(table.count == reference.count)
        #expect(Set(table.keys) == Set(reference.keys))
        #expect(table.values.count { _ in true } == reference.count, "no hole is visited")
        for (key, facts) in table { #expect(reference[key] == facts) }
    }

    /// Tens of thousands of keys, so that the index grows many times, each removed again in another order: the table
    /// must find every key left, whatever was removed around it.
    @Test func growsAndShrinksAsADictionary() {
        var table = FactTable<Facts>()
        var reference: [String: Facts] = [:]
        let keys = (0..<40_000).map { "S-\($0 * 7919 % 40_000)" }
        for key in keys {
            table[key] = Facts(id: key)
            reference[key] = Facts(id: key)
        }
        #expect(table.count == 40_000)
        for key in keys.shuffled().prefix(30_000) {
            table[key] = nil
            reference[key] = nil
        }
        #expect(table.count == reference.count)
        #expect(keys.allSatisfy { table[$0] == reference[$0] })
        for key in keys.prefix(5_000) where reference[key] == nil {
            table[key] = Facts(id: key, items: [1])
            reference[key] = Facts(id: key, items: [1])
        }
        #expect(table.count == reference.count)
        #expect(keys.allSatisfy { table[$0] == reference[$0] })
    }

    /// Keys are Swift strings: canonically equivalent spellings are one key, as they were in the dictionary, even
    /// when one spelling is ASCII (U+212A KELVIN SIGN is canonically the letter K).
    @Test func canonicallyEquivalentKeysAreOneKey() {
        var table = FactTable<Facts>()
        table["caf\u{E9}"] = Facts(id: "caf\u{E9}")
        table["K-1"] = Facts(id: "K-1")
        #expect(table["cafe\u{301}"]?.id == "caf\u{E9}")
        #expect(table["\u{212A}-1"]?.id == "K-1")
        #expect(table.storedKey("\u{212A}-1") == "K-1")
        table["cafe\u{301}"] = nil
        #expect(table["caf\u{E9}"] == nil)
        #expect(table.count == 1)
    }

    @Test func equalityIgnoresPlacement() {
        var forward = FactTable<Facts>(), backward = FactTable<Facts>()
        let keys = (0..<100).map { "K\($0)" }
        for key in keys { forward[key] = Facts(id: key) }
        for key in keys.reversed() { backward[key] = Facts(id: key) }
        #expect(forward == backward)
        backward["K7"]!.items.append(1)
        #expect(forward != backward)
        backward["K7"] = nil
        #expect(forward != backward)
        forward["K7"] = nil
        #expect(forward == backward)
    }

    @Test func changingInPlaceDoesNotCopyTheInnerArray() {
        var table = FactTable<Facts>()
        table["A"] = Facts(id: "A", items: Array(0..<1_000))
        let before = table["A"]!.items.withUnsafeBufferPointer { $0.baseAddress }
        table["A"]!.items[0] = 7   // would copy the array if the table kept a second reference during the change
        let after = table["A"]!.items.withUnsafeBufferPointer { $0.baseAddress }
        #expect(before == after)
        #expect(table["A"]!.items[0] == 7)
    }
}
