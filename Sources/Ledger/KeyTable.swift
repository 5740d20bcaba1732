#if canImport(Glibc)
import Glibc
#endif

/// A map from exact strings to values, kept in insertion order: the idempotency keys and stream versions of a fold.
///
/// Built for tens of millions of short keys: the keys' UTF-8 bytes sit back to back in one arena, the
/// slots are an open-addressing table of (hash tag, entry) pairs, and the hash is a fast 64-bit one over
/// the bytes (no `Hasher` per lookup). Keys are compared byte for byte, so a hash collision costs a
/// comparison, never a wrong answer. Iteration is in insertion order, which makes encodings deterministic.
struct KeyTable<Value: Sendable>: Sendable {
    /// The keys' bytes, back to back; entry `i` ends at `ends[i]` and starts where entry `i - 1` ends.
    private var arena: [UInt8] = []
    private var ends: [Int] = []
    private(set) var values: [Value] = []
    /// Power-of-two count, at most half full: 0 is empty, else the hash's high 32 bits and entry + 1.
    private var slots = [UInt64](repeating: 0, count: 16)

    init() {}

    var count: Int { values.count }

    /// The key's value; setting one adds the key at the end if it is new (keys are never removed).
    subscript(key: String) -> Value? {
        get {
            var key = key
            return key.withUTF8 { bytes in find(UnsafeRawBufferPointer(bytes)).entry.map { values[$0] } }
        }
        set {
            guard let newValue else { preconditionFailure("keys are never removed from a key table") }
            self[key, default: newValue] = newValue
        }
    }

    subscript(key: String, default fallback: Value) -> Value {
        get { self[key] ?? fallback }
        set {
            var key = key
            key.withUTF8 { bytes in set(UnsafeRawBufferPointer(bytes), newValue) }
        }
    }

    /// Sets the value of the key with these UTF-8 bytes, adding the key at the end if it is new.
    mutating func set(_ key: UnsafeRawBufferPointer, _ value: Value) {
        let (entry, slot, hash) = find(key)
        if let entry {
            values[entry] = value
            return
        }
        insert(key, value, slot: slot, hash: hash)
    }

    /// Adds a key `find` did not find, at the empty slot it returned.
    private mutating func insert(_ key: UnsafeRawBufferPointer, _ value: Value, slot: Int, hash: UInt64) {
        precondition(values.count < Int(UInt32.max), "a key table holds fewer than 2^32 keys")
        arena.appendBytes(key)
        ends.append(arena.count)
        values.append(value)
        slots[slot] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(values.count)
        if values.count * 2 > slots.count { grow() }
    }

    /// Visits every key's bytes and value in insertion order.
    func forEach(_ body: (UnsafeRawBufferPointer, Value) throws -> Void) rethrows {
        try arena.withUnsafeBytes { arena in
            var start = 0
            for (end, value) in zip(ends, values) {
                try body(UnsafeRawBufferPointer(rebasing: arena[start..<end]), value)
                start = end
            }
        }
    }

    /// The entries' numbers in the UTF-8 byte order of their keys.
    func byteOrder() -> [Int] {
        arena.withUnsafeBytes { arena in
            func key(_ entry: Int) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: arena[(entry == 0 ? 0 : ends[entry - 1])..<ends[entry]])
            }
            // Sorted by the first 8 bytes read as a big-endian number, and only ties compared byte by byte.
            var order = ends.indices.map { entry -> (prefix: UInt64, entry: Int) in
                var prefix: UInt64 = 0
                for (index, byte) in key(entry).prefix(8).enumerated() { prefix |= UInt64(byte) << (56 - 8 * index) }
                return (prefix, entry)
            }
            order.sort { lhs, rhs in
                if lhs.prefix != rhs.prefix { return lhs.prefix < rhs.prefix }
                return LookupTable.Order.bytes.compare(key(lhs.entry), key(rhs.entry)) < 0
            }
            return order.map(\.entry)
        }
    }

    /// Calls `body` with the bytes and value of entry `entry`.
    func withEntry<R>(_ entry: Int, _ body: (UnsafeRawBufferPointer, Value) throws -> R) rethrows -> R {
        try arena.withUnsafeBytes { arena in
            try body(UnsafeRawBufferPointer(rebasing: arena[(entry == 0 ? 0 : ends[entry - 1])..<ends[entry]]), values[entry])
        }
    }

    /// The entry holding `key`, else the empty slot where it would go; and the key's hash.
    private func find(_ key: UnsafeRawBufferPointer) -> (entry: Int?, slot: Int, hash: UInt64) {
        let hash = KeyTable.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return arena.withUnsafeBytes { arena in
            while true {
                let word = slots[slot]
                if word == 0 { return (nil, slot, hash) }
                if word >> 32 == hash >> 32 {
                    let entry = Int(word & 0xFFFF_FFFF) - 1
                    let start = entry == 0 ? 0 : ends[entry - 1]
                    if ends[entry] - start == key.count,
                       key.count == 0 || memcmp(arena.baseAddress! + start, key.baseAddress!, key.count) == 0 {
                        return (entry, slot, hash)
                    }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    private mutating func grow() {
        var larger = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = larger.count - 1
        arena.withUnsafeBytes { arena in
            var start = 0
            for (entry, end) in ends.enumerated() {
                let hash = KeyTable.hash(UnsafeRawBufferPointer(rebasing: arena[start..<end]))
                var slot = Int(truncatingIfNeeded: hash) & mask
                while larger[slot] != 0 { slot = (slot + 1) & mask }
                larger[slot] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(entry + 1)
                start = end
            }
        }
        slots = larger
    }

    /// FNV-1a over the bytes with a final avalanche (the low bits pick the slot, the high bits are the tag).
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}

extension KeyTable where Value == UInt32 {
    /// Adds one to the key's count (a new key counts from 0) and returns the new count, in one lookup.
    mutating func increment(_ key: String) -> UInt32 {
        // A count reaches `UInt32.max` only after as many events of one stream.
        increment(key, orStartAt: 1)!.count
    }

    /// Adds one to the key's count and returns it; a new key starts at `start` instead, and says it is new. Nil, and
    /// nothing changed, when the count is `UInt32.max` already.
    mutating func increment(_ key: String, orStartAt start: UInt32) -> (count: UInt32, isNew: Bool)? {
        var key = key
        return key.withUTF8 { bytes in
            let key = UnsafeRawBufferPointer(bytes)
            let found = find(key)
            guard let entry = found.entry else {
                insert(key, start, slot: found.slot, hash: found.hash)
                return (start, true)
            }
            guard values[entry] < .max else { return nil }
            values[entry] += 1
            return (values[entry], false)
        }
    }
}
