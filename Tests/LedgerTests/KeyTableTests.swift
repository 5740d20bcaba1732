@testable import Ledger
import Testing

/// The key table must answer exactly as a `Dictionary` would, and keep insertion order.
struct KeyTableTests {
    @Test func agreesWithDictionaryAndKeepsInsertionOrder() {
        var table = KeyTable<Int64>()
        var reference: [String: Int64] = [:]
        var order: [String] = []
        var generator = SystemRandomNumberGenerator()
        // Short keys collide often in their first bytes; some are prefixes of others; one is non-ASCII.
        let alphabet = Array("ab0-é三")
        for step in 0..<20_000 {
            let length = Int.random(in: 0...6, using: &generator)
            let key = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let value = Int64(step)
            if reference[key] == nil { order.append(key) }
            reference[key] = value
            table[key] = value
            #expect(table[key] == value)
        }
        #expect(table.count == reference.count)
        for (key, value) in reference { #expect(table[key] == value) }
        #expect(table["never-added"] == nil)
        #expect(table["never-added", default: -1] == -1)
        var visited: [String] = []
        table.forEach { key, value in
            let text = String(decoding: key, as: UTF8.self)
            visited.append(text)
            #expect(reference[text] == value)
        }
        #expect(visited == order)
    }

    @Test func defaultSubscriptCountsUp() {
        var versions = KeyTable<UInt32>()
        for stream in ["unit:A", "dealer:B", "unit:A", "unit:A", "policy:P", "dealer:B"] {
            versions[stream, default: 0] += 1
        }
        #expect(versions["unit:A"] == 3 && versions["dealer:B"] == 2 && versions["policy:P"] == 1)
        var order: [String] = []
        versions.forEach { key, _ in order.append(String(decoding: key, as: UTF8.self)) }
        #expect(order == ["unit:A", "dealer:B", "policy:P"])
        #expect(versions.increment("unit:A") == 4 && versions.increment("unit:C") == 1 && versions.increment("unit:C") == 2)
        #expect(versions["unit:A"] == 4 && versions["unit:C"] == 2 && versions.count == 4)
    }

    @Test func growsWithoutLosingAKey() {
        var table = KeyTable<UInt32>()
        for index in 0..<300_000 { table["SN-\(index)"] = UInt32(index) }
        #expect(table.count == 300_000)
        #expect((0..<300_000).allSatisfy { table["SN-\($0)"] == UInt32($0) })
        #expect(table["SN-300000"] == nil)
    }
}
