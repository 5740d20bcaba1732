/// The facts of one kind (units, complaints, visits, swaps) by their identifier: a dense array of facts
/// and a small index from identifier to position.
///
/// A `Dictionary` of large values keeps its values in its hash buckets, up to twice as many buckets as
/// values once rounded to a power of two: a 248-byte `UnitFacts` then costs up to 660 bytes. Here the
/// buckets hold only the key and a 4-byte position, and the facts sit in chunks of 4,096, so that the
/// table grows by one chunk at a time and never copies its facts to grow (a doubling array costs up to
/// twice its count, and three times while it moves).
/// Removed entries leave a hole that the next insertion reuses. Iteration order is unspecified, as a
/// dictionary's; every answer sorts.
struct FactTable<Facts: Sendable>: Sendable {
    private var index: [String: UInt32] = [:]
    /// `nil` marks a hole left by a removal.
    private var facts = ChunkedArray<Facts?>()
    private var holes: [UInt32] = []

    init() {}

    var count: Int { index.count }

    mutating func reserveCapacity(_ capacity: Int) {
        index.reserveCapacity(capacity)
    }

    /// The key as stored, sharing its bytes: a fact that names another (a visit its unit's serial) keeps
    /// this copy instead of one of its own.
    func storedKey(_ key: String) -> String? {
        index.index(forKey: key).map { index[$0].key }
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
    var values: some Sequence<Facts> { (0..<facts.count).lazy.compactMap { facts[$0] } }

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

/// An array in fixed chunks of 4,096 elements: appending never moves what is stored.
struct ChunkedArray<Element: Sendable>: Sendable {
    private static var shift: Int { 12 }
    private static var mask: Int { (1 << shift) - 1 }
    private var chunks: [[Element]] = []
    private(set) var count = 0

    subscript(position: Int) -> Element {
        get { chunks[position >> Self.shift][position & Self.mask] }
        _modify { yield &chunks[position >> Self.shift][position & Self.mask] }
    }

    mutating func append(_ element: Element) {
        if count & Self.mask == 0 {
            chunks.append([])
            chunks[chunks.count - 1].reserveCapacity(1 << Self.shift)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }
}
