@testable import WarrantyProjections
import Testing

/// The fact table must behave as the dictionary it replaced, whatever the order of insertions and removals.
struct FactTableTests {
    struct Facts: Equatable, Sendable {
        var id: String
        var items: [Int] = []
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
