/// Facts that carry the identifier a `FactTable` files them under.
protocol KeyedFacts: Sendable {
    var key: String { get }
}

/// The facts of one kind (units, complaints, visits, swaps) by their identifier: a dense array of facts
/// and a compact index from identifier to position.
///
/// The index is an open-addressing table of 8-byte slots, at most three quarters full: each slot holds 32 bits of
/// the key's hash (`tag`, which also picks its first slot) and the fact's position. The key itself is the fact's
/// own (`KeyedFacts.key`), compared only when the hash bits match. A `Dictionary` from key to position would keep a
/// 16-byte copy of every key beside its value, about 60 bytes an entry once its spare buckets are counted; here an
/// entry costs 11 to 21 bytes. Keys hash and compare as Swift strings do: canonically equivalent spellings are one
/// key.
///
/// The facts sit in chunks of 4,096, so that the table grows by one chunk at a time and never copies its facts to
/// grow (a doubling array costs up to twice its count, and three times while it moves). A `Dictionary` of large
/// values would keep them in its buckets: a 248-byte `UnitFacts` would then cost up to 660 bytes.
/// Removed entries leave a hole that the next insertion reuses. Iteration order is unspecified, as a
/// dictionary's; every answer sorts.
struct FactTable<Facts: KeyedFacts>: Sendable {
    /// A power-of-two count of slots, linear probing: 0 is empty, else the key's tag in the high 32 bits and the
    /// position + 1 in the low 32.
    private var slots: [UInt64] = []
    /// `nil` marks a hole left by a removal.
    private var facts = ChunkedArray<Facts?>()
    private var holes: [UInt32] = []
    private(set) var count = 0

    init() {}

    mutating func reserveCapacity(_ capacity: Int) {
        var size = Swift.max(slots.count, 16)
        while size * 3 < capacity * 4 { size *= 2 }
        if size > slots.count { rehash(size) }
    }

    /// The key as stored, sharing its bytes: a fact that names another (a visit its unit's serial) keeps
    /// this copy instead of one of its own.
    func storedKey(_ key: String) -> String? {
        find(key).position.map { facts[Int($0)]!.key }
    }

    /// The facts of `key`; setting nil removes them. Changing them in place (`table[key]!.field = x`) moves the
    /// value out and back, so the arrays inside it are never copied.
    subscript(key: String) -> Facts? {
        get { find(key).position.map { facts[Int($0)]! } }
        set { store(newValue, key: key, found: find(key)) }
        _modify {
            var value: Facts?
            let found = find(key)
            if let position = found.position { swap(&value, &facts[Int(position)]) }
            defer { store(value, key: key, found: found) }
            yield &value
        }
    }

    /// The slot holding `key` and the position of its facts, or the empty slot where it would go; and the key's tag.
    private func find(_ key: String) -> Found {
        let tag = Self.tag(key)
        guard !slots.isEmpty else { return Found(slot: 0, position: nil, tag: tag) }
        let mask = slots.count - 1
        var slot = Int(tag) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return Found(slot: slot, position: nil, tag: tag) }
            if UInt32(truncatingIfNeeded: entry >> 32) == tag {
                let position = UInt32(truncatingIfNeeded: entry) - 1
                if facts[Int(position)]!.key == key { return Found(slot: slot, position: position, tag: tag) }
            }
            slot = (slot + 1) & mask
        }
    }

    private struct Found {
        var slot: Int
        var position: UInt32?
        var tag: UInt32
    }

    /// 32 bits of the key's hash: they pick its first slot and tell most other keys apart without comparing them.
    private static func tag(_ key: String) -> UInt32 {
        let hash = UInt64(bitPattern: Int64(key.hashValue))
        return UInt32(truncatingIfNeeded: hash >> 32) ^ UInt32(truncatingIfNeeded: hash)
    }

    private mutating func store(_ value: Facts?, key: String, found: Found) {
        switch (value, found.position) {
        case (let value?, let position?):
            facts[Int(position)] = value
        case (nil, let position?):
            facts[Int(position)] = nil
            holes.append(position)
            remove(slot: found.slot)
        case (let value?, nil):
            precondition(value.key == key, "facts are filed under their own key")
            let position: UInt32
            if let hole = holes.popLast() {
                position = hole
                facts[Int(position)] = value
            } else {
                precondition(facts.count < Int(UInt32.max) - 1, "a fact table holds fewer than 2^32 - 1 entries")
                position = UInt32(facts.count)
                facts.append(value)
            }
            count += 1
            if count * 4 > slots.count * 3 {
                rehash(Swift.max(16, slots.count * 2))
                insert(Self.slot(tag: found.tag, position: position))
            } else {
                slots[found.slot] = Self.slot(tag: found.tag, position: position)
            }
        case (nil, nil):
            break
        }
    }

    private static func slot(tag: UInt32, position: UInt32) -> UInt64 {
        UInt64(tag) << 32 | UInt64(position + 1)
    }

    /// Empties `slot` and moves back the entries after it that would no longer be found past the gap (backward-shift
    /// deletion: linear probing needs no tombstones).
    private mutating func remove(slot: Int) {
        let mask = slots.count - 1
        var gap = slot, next = slot
        count -= 1
        while true {
            next = (next + 1) & mask
            let entry = slots[next]
            if entry == 0 { break }
            let home = Int(entry >> 32) & mask
            // The entry stays when its home slot lies cyclically in (gap, next]: it is found before reaching the gap.
            let stays = gap <= next ? (gap < home && home <= next) : (gap < home || home <= next)
            if !stays {
                slots[gap] = entry
                gap = next
            }
        }
        slots[gap] = 0
    }

    /// Moves every entry to a table of `size` slots.
    private mutating func rehash(_ size: Int) {
        let old = slots
        slots = [UInt64](repeating: 0, count: size)
        for entry in old where entry != 0 { insert(entry) }
    }

    /// Puts an entry of a key not in the table in the first empty slot from its home slot on.
    private mutating func insert(_ entry: UInt64) {
        let mask = slots.count - 1
        var slot = Int(entry >> 32) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }

    /// Every entry's facts.
    var values: some Sequence<Facts> { (0..<facts.count).lazy.compactMap { facts[$0] } }

    /// Every entry's key.
    var keys: some Sequence<String> { values.lazy.map(\.key) }
}

extension FactTable: Sequence {
    /// Every entry as (key, facts).
    func makeIterator() -> some IteratorProtocol<(key: String, value: Facts)> {
        values.lazy.map { (key: $0.key, value: $0) }.makeIterator()
    }
}

extension FactTable: Equatable where Facts: Equatable {
    /// Equal when they hold the same keys with equal facts, wherever they sit.
    static func == (left: FactTable, right: FactTable) -> Bool {
        left.count == right.count && left.values.allSatisfy { right[$0.key] == $0 }
    }
}

/// An array in fixed chunks of 4,096 elements: appending never moves what is stored.
struct ChunkedArray<Element: Sendable>: Sendable {
    private static var shift: Int { 12 }
    private static var mask: Int { (1 << shift) - 1 }
    private var chunks: [[Element]] = []
    private(set) var count = 0

    subscript(position: Int) -> Element {
        // Read in place: `table.find` reads only a fact's key.
        _read { yield chunks[position >> Self.shift][position & Self.mask] }
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
