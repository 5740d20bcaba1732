/// The facts of one kind (units, complaints, visits, swaps) by their identifier: a dense array of facts
/// and a small index from identifier to position.
///
/// A `Dictionary` of large values keeps its values in its hash buckets, up to twice as many buckets as
/// values once rounded to a power of two: a 248-byte `UnitFacts` then costs up to 660 bytes. Here the
/// buckets hold only the key and a 4-byte position, and the facts sit in an array sized to its count.
/// Removed entries leave a hole that the next insertion reuses. Iteration order is unspecified, as a
/// dictionary's; every answer sorts.
struct FactTable<Facts: Sendable>: Sendable {
    private var index: [String: UInt32] = [:]
    /// `nil` marks a hole left by a removal.
    private var facts: [Facts?] = []
    private var holes: [UInt32] = []

    init() {}

    var count: Int { index.count }

    mutating func reserveCapacity(_ capacity: Int) {
        index.reserveCapacity(capacity)
        facts.reserveCapacity(capacity)
    }

    /// The facts of `key`; setting nil removes them. Changing them in place (`table[key]!.field = x`) moves the
    /// value out and back, so the arrays inside it are never copied.
    subscript(key: String) -> Facts? {
        get { index[key].map { facts[Int($0)]! } }
        set { store(newValue, key: key, at: index[key]) }
        _modify {
            var value: Facts?
            let position = index[key]
            if let position { swap(&value, &facts[Int(position)]) }
            defer { store(value, key: key, at: position) }
            yield &value
        }
    }

    private mutating func store(_ value: Facts?, key: String, at position: UInt32?) {
        switch (value, position) {
        case (let value?, let position?):
            facts[Int(position)] = value
        case (nil, let position?):
            facts[Int(position)] = nil
            index[key] = nil
            holes.append(position)
        case (let value?, nil):
            if let hole = holes.popLast() {
                facts[Int(hole)] = value
                index[key] = hole
            } else {
                precondition(facts.count < Int(UInt32.max), "a fact table holds fewer than 2^32 entries")
                index[key] = UInt32(facts.count)
                facts.append(value)
            }
        case (nil, nil):
            break
        }
    }

    /// Every entry's facts.
    var values: some Sequence<Facts> { facts.lazy.compactMap { $0 } }

    /// Every entry's key.
    var keys: some Collection<String> { index.keys }
}

extension FactTable: Sequence {
    /// Every entry as (key, facts).
    func makeIterator() -> some IteratorProtocol<(key: String, value: Facts)> {
        index.lazy.map { (key: $0.key, value: facts[Int($0.value)]!) }.makeIterator()
    }
}

extension FactTable: Equatable where Facts: Equatable {
    /// Equal when they hold the same keys with equal facts, wherever they sit.
    static func == (left: FactTable, right: FactTable) -> Bool {
        left.count == right.count && left.index.allSatisfy { key, position in right[key] == left.facts[Int(position)] }
    }
}
