import Testing
import Integrity

/// A message and its published SHA-256 digest.
struct SHA256Vector: Sendable, CustomTestStringConvertible {
    let name: String
    let message: String
    let digest: String
    var testDescription: String { name }
}

/// The FIPS 180-4 / NIST example vectors.
let nistVectors: [SHA256Vector] = [
    SHA256Vector(
        name: "empty", message: "",
        digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    SHA256Vector(
        name: "abc", message: "abc",
        digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    SHA256Vector(
        name: "448 bits", message: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    SHA256Vector(
        name: "896 bits",
        message: "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        digest: "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
]

/// Deterministic bytes for the tests, from a SplitMix64 generator.
func testBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt8(truncatingIfNeeded: mixed ^ (mixed >> 31))
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test("NIST example vectors, one-shot", arguments: nistVectors)
    func oneShot(vector: SHA256Vector) {
        #expect(SHA256.hash(vector.message.utf8).hex == vector.digest)
        #expect(SHA256.hash(Array(vector.message.utf8)).hex == vector.digest)
    }

    @Test("NIST example vectors, raw buffer and byte-by-byte", arguments: nistVectors)
    func rawAndIncremental(vector: SHA256Vector) {
        let bytes = Array(vector.message.utf8)
        #expect(bytes.withUnsafeBytes { SHA256.hash($0) }.hex == vector.digest)
        var hasher = SHA256()
        for byte in bytes { hasher.update(CollectionOfOne(byte)) }
        #expect(hasher.finalize().hex == vector.digest)
    }

    @Test("One million 'a'")
    func millionA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex == expected)

        // The same message fed in uneven pieces, so blocks straddle update calls.
        var hasher = SHA256()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        var remaining = 1_000_000
        var size = 1
        while remaining > 0 {
            let count = min(size, remaining)
            hasher.update(piece[..<count])
            remaining -= count
            size = size % 987 + 13
        }
        #expect(hasher.finalize().hex == expected)
    }

    @Test("A non-contiguous sequence hashes like its bytes")
    func nonContiguousSequence() {
        // Python: hashlib.sha256(bytes((i * 7) & 0xff for i in range(1000))).hexdigest()
        let lazyBytes = (0..<1000).lazy.map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(SHA256.hash(lazyBytes).hex == "89f4ff56a25dd1db06a4ce6033603775d705fb96f30f8693733fef602a1ca532")
        #expect(SHA256.hash(lazyBytes) == SHA256.hash(Array(lazyBytes)))
    }

    @Test("Two updates split at every offset equal one-shot")
    func splitAtEveryOffset() {
        let message = testBytes(count: 200, seed: 1)
        let expected = SHA256.hash(message)
        for split in 0...message.count {
            var hasher = SHA256()
            message[..<split].withUnsafeBytes { hasher.update($0) }
            message[split...].withUnsafeBytes { hasher.update($0) }
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }

    @Test("Byte-by-byte equals one-shot across the padding boundaries", arguments: 0...130)
    func paddingBoundaries(length: Int) {
        let message = testBytes(count: length, seed: UInt64(length))
        var hasher = SHA256()
        for byte in message { hasher.update(CollectionOfOne(byte)) }
        #expect(hasher.finalize() == SHA256.hash(message))
    }

    @Test("Known digests around the padding boundaries")
    func knownPaddingBoundaries() {
        // Python: hashlib.sha256(b"a" * n).hexdigest()
        let expected: [Int: String] = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            65: "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0",
        ]
        for (length, digest) in expected {
            #expect(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: length)).hex == digest, "length \(length)")
        }
    }
}
