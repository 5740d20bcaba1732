import Testing
import Integrity

/// A message and its published CRC-32C.
struct CRC32CVector: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let checksum: UInt32
    var testDescription: String { name }
}

/// RFC 3720 appendix B.4 and the usual "123456789" check value.
let crc32cVectors: [CRC32CVector] = [
    CRC32CVector(name: "32 bytes of 0x00", bytes: [UInt8](repeating: 0x00, count: 32), checksum: 0x8A91_36AA),
    CRC32CVector(name: "32 bytes of 0xFF", bytes: [UInt8](repeating: 0xFF, count: 32), checksum: 0x62A8_AB43),
    CRC32CVector(name: "32 ascending bytes", bytes: Array(0x00...0x1F), checksum: 0x46DD_794E),
    CRC32CVector(name: "32 descending bytes", bytes: Array((0x00...0x1F).reversed()), checksum: 0x113F_DB5C),
    CRC32CVector(
        name: "iSCSI read command PDU",
        bytes: [
            0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
            0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ],
        checksum: 0xD996_3A56),
    CRC32CVector(name: "123456789", bytes: Array("123456789".utf8), checksum: 0xE306_9283),
]

/// The CRC-32C computed one bit at a time, straight from the definition.
func bitwiseCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
        }
    }
    return crc ^ 0xFFFF_FFFF
}

@Suite("CRC-32C")
struct CRC32CTests {
    @Test("Published vectors", arguments: crc32cVectors)
    func publishedVectors(vector: CRC32CVector) {
        #expect(CRC32C.checksum(vector.bytes) == vector.checksum)
        #expect(vector.bytes.withUnsafeBytes { CRC32C.checksum($0) } == vector.checksum)
        #expect(bitwiseCRC32C(vector.bytes) == vector.checksum)
    }

    @Test("An empty input has checksum zero")
    func empty() {
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C().value == 0)
    }

    @Test("Two updates split at every offset equal one-shot")
    func splitAtEveryOffset() {
        let message = testBytes(count: 100, seed: 7)
        let expected = CRC32C.checksum(message)
        for split in 0...message.count {
            var checksum = CRC32C()
            message[..<split].withUnsafeBytes { checksum.update($0) }
            message[split...].withUnsafeBytes { checksum.update($0) }
            #expect(checksum.value == expected, "split at \(split)")
        }
    }

    @Test("Random bytes agree with the bitwise reference", arguments: 0...64)
    func againstReference(length: Int) {
        let message = testBytes(count: length, seed: 1000 + UInt64(length))
        #expect(CRC32C.checksum(message) == bitwiseCRC32C(message))
        // An unaligned start exercises the unaligned eight-byte loads.
        let shifted = [0xA5] + message
        #expect(CRC32C.checksum(shifted[1...]) == bitwiseCRC32C(message))
    }

    @Test("A long non-contiguous sequence agrees with the reference")
    func nonContiguousSequence() {
        // Python: the bitwise CRC-32C of bytes((i * 7) & 0xff for i in range(1000)).
        let lazyBytes = (0..<1000).lazy.map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(CRC32C.checksum(lazyBytes) == 0x79A1_6AE6)
        #expect(bitwiseCRC32C(Array(lazyBytes)) == 0x79A1_6AE6)
    }
}
