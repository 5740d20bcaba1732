/// An incremental CRC-32C (Castagnoli) checksum computed with slicing-by-8 tables.
public struct CRC32C: Sendable {
    /// The running CRC register, kept inverted as the algorithm specifies between updates.
    var register: UInt32 = 0xFFFF_FFFF

    /// Creates a checksum of no bytes.
    public init() {}

    /// Feeds the bytes of a raw buffer into the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        register = Self.advance(register, over: bytes)
    }

    /// Feeds a sequence of bytes into the checksum.
    @inlinable
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        forEachContiguousChunk(of: bytes) { update($0) }
    }

    /// The checksum of all bytes fed so far.
    public var value: UInt32 { register ^ 0xFFFF_FFFF }

    /// Returns the CRC-32C of the bytes of a raw buffer.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        advance(0xFFFF_FFFF, over: bytes) ^ 0xFFFF_FFFF
    }

    /// Returns the CRC-32C of a sequence of bytes.
    @inlinable
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var checksum = CRC32C()
        checksum.update(bytes)
        return checksum.value
    }
}

extension CRC32C {
    /// The reflected Castagnoli polynomial.
    static let polynomial: UInt32 = 0x82F6_3B78

    /// Eight 256-entry tables, back to back: table 0 advances the CRC by one byte, and table k by
    /// one byte followed by k zero bytes, so eight lookups together consume eight bytes at once.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xff)]
            }
        }
        return tables
    }()

    /// Returns the register after processing `bytes`, starting from `register`.
    static func advance(_ register: UInt32, over bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var input = bytes.baseAddress, !bytes.isEmpty else { return register }
        var remaining = bytes.count
        var crc = register
        tables.withUnsafeBufferPointer { tables in
            let t = tables.baseAddress!
            // Eight bytes per step: the first four are folded into the register (the CRC is
            // reflected, so little-endian order matches byte order) and all eight are looked up
            // in separate tables that are independent of each other, so the loads overlap.
            while remaining >= 8 {
                let word = UInt64(littleEndian: input.loadUnaligned(as: UInt64.self)) ^ UInt64(crc)
                let low = UInt32(truncatingIfNeeded: word)
                let high = UInt32(truncatingIfNeeded: word &>> 32)
                let fromLow = t[7 * 256 + Int(low & 0xff)] ^ t[6 * 256 + Int((low &>> 8) & 0xff)]
                    ^ t[5 * 256 + Int((low &>> 16) & 0xff)] ^ t[4 * 256 + Int(low &>> 24)]
                let fromHigh = t[3 * 256 + Int(high & 0xff)] ^ t[2 * 256 + Int((high &>> 8) & 0xff)]
                    ^ t[1 * 256 + Int((high &>> 16) & 0xff)] ^ t[Int(high &>> 24)]
                crc = fromLow ^ fromHigh
                input += 8
                remaining -= 8
            }
            // The last few bytes go one at a time through table 0.
            while remaining > 0 {
                let byte = UInt32(input.load(as: UInt8.self))
                crc = (crc &>> 8) ^ t[Int((crc ^ byte) & 0xff)]
                input += 1
                remaining -= 1
            }
        }
        return crc
    }
}
