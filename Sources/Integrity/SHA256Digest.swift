/// A 32-byte SHA-256 digest stored inline.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    // The digest bytes in their standard order, laid out as raw memory: a homogeneous tuple is
    // contiguous, so `withUnsafeBytes(of:)` sees exactly the 32 bytes and no heap is involved.
    private var storage: (UInt64, UInt64, UInt64, UInt64)

    private init(storage: (UInt64, UInt64, UInt64, UInt64)) {
        self.storage = storage
    }

    /// Creates the digest from the final SHA-256 state words, which are big-endian in the output.
    init(state: SHA256.State) {
        // `bigEndian` gives the word whose memory representation is big-endian on any host.
        storage = (
            (UInt64(state.a) << 32 | UInt64(state.b)).bigEndian,
            (UInt64(state.c) << 32 | UInt64(state.d)).bigEndian,
            (UInt64(state.e) << 32 | UInt64(state.f)).bigEndian,
            (UInt64(state.g) << 32 | UInt64(state.h)).bigEndian)
    }

    /// The digest whose 32 bytes are all zero.
    public static let zero = SHA256Digest(storage: (0, 0, 0, 0))

    /// Creates a digest from the 32 bytes at `pointer`, without the generic copy of `init(bytes:)`.
    public init(loading pointer: UnsafeRawPointer) {
        storage = (pointer.loadUnaligned(as: UInt64.self), pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                   pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self), pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Creates a digest from exactly 32 bytes, or returns nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
        self.storage = storage
    }

    /// Calls a closure with a view of the 32 digest bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: storage) { try body($0) }
    }

    /// The 32 digest bytes as an array.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// The digest as 64 lowercase hexadecimal digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { output in
            withUnsafeBytes { digest in
                for (index, byte) in digest.enumerated() {
                    output[2 * index] = hexDigit(byte >> 4)
                    output[2 * index + 1] = hexDigit(byte & 0x0f)
                }
            }
            return 64
        }
    }

    /// Creates a digest from 64 hexadecimal digits of either case, or returns nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 64 else { return nil }
        var digits = hex.utf8.makeIterator()
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for wordIndex in 0..<4 {
            // Accumulate eight bytes most significant first, then store that value big-endian
            // so its first byte lands at the lowest address.
            var word: UInt64 = 0
            for _ in 0..<16 {
                guard let digit = digits.next(), let value = hexValue(digit) else { return nil }
                word = word << 4 | UInt64(value)
            }
            switch wordIndex {
            case 0: words.0 = word.bigEndian
            case 1: words.1 = word.bigEndian
            case 2: words.2 = word.bigEndian
            default: words.3 = word.bigEndian
            }
        }
        storage = words
    }

    /// The digest as lowercase hexadecimal.
    public var description: String { hex }

    /// Returns whether two digests have the same 32 bytes.
    public static func == (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
            && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3
    }

    /// Feeds the 32 digest bytes into a hasher.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }
}

/// Returns the ASCII code of the lowercase hexadecimal digit for a value below 16.
@inline(__always)
private func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
}

/// Returns the value of an ASCII hexadecimal digit, or nil when the byte is not one.
@inline(__always)
private func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
    default: nil
    }
}
