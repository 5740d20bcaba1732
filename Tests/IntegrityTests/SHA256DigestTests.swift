import Testing
import Integrity

@Suite("SHA-256 digest")
struct SHA256DigestTests {
    let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    @Test("Hex round trip")
    func hexRoundTrip() throws {
        let digest = try #require(SHA256Digest(hex: abc))
        #expect(digest.hex == abc)
        #expect(digest.description == abc)
        #expect(digest == SHA256.hash("abc".utf8))
    }

    @Test("Uppercase hex is accepted and printed back in lowercase")
    func uppercaseHex() {
        #expect(SHA256Digest(hex: abc.uppercased())?.hex == abc)
    }

    @Test("Bytes are in the standard digest order")
    func byteOrder() throws {
        let digest = SHA256.hash("abc".utf8)
        #expect(Array(digest.bytes.prefix(4)) == [0xBA, 0x78, 0x16, 0xBF])
        #expect(digest.bytes.count == 32)
        #expect(digest.withUnsafeBytes { Array($0) } == digest.bytes)
        #expect(SHA256Digest(bytes: digest.bytes) == digest)
        #expect(SHA256Digest(bytes: digest.bytes[...]) == digest)
    }

    @Test("Bytes constructor refuses any count but 32", arguments: [0, 1, 31, 33, 64])
    func wrongByteCount(count: Int) {
        #expect(SHA256Digest(bytes: [UInt8](repeating: 1, count: count)) == nil)
    }

    @Test(
        "Hex constructor refuses wrong lengths and non-hex",
        arguments: [
            "",
            "ba7816bf",
            String(repeating: "0", count: 63),
            String(repeating: "0", count: 65),
            String(repeating: "0", count: 62) + "0g",
            String(repeating: "0", count: 62) + "0 ",
            "x" + String(repeating: "0", count: 63),
            " " + String(repeating: "0", count: 63),
            String(repeating: "0", count: 60) + "é0",  // 64 UTF-8 bytes, 63 characters
        ])
    func invalidHex(text: String) {
        #expect(SHA256Digest(hex: text) == nil)
    }

    @Test("Zero is 32 zero bytes")
    func zero() {
        #expect(SHA256Digest.zero.bytes == [UInt8](repeating: 0, count: 32))
        #expect(SHA256Digest.zero.hex == String(repeating: "0", count: 64))
        #expect(SHA256Digest(hex: String(repeating: "0", count: 64)) == .zero)
    }

    @Test("Equal digests hash equally and distinct ones differ")
    func hashable() {
        let digests: Set<SHA256Digest> = [SHA256.hash("a".utf8), SHA256.hash("a".utf8), SHA256.hash("b".utf8), .zero]
        #expect(digests.count == 3)
    }
}
