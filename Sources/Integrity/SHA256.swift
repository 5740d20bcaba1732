/// An incremental SHA-256 hasher as specified by FIPS 180-4.
public struct SHA256: Sendable {
    /// The eight working hash words, updated once per 64-byte block.
    var state: State

    /// The bytes of a not yet complete block, kept inline so the hasher never touches the heap.
    var pending: Block = (0, 0, 0, 0, 0, 0, 0, 0)

    /// The number of valid bytes at the start of `pending`, always below 64.
    var pendingCount = 0

    /// The total number of message bytes consumed so far, needed for the length padding.
    var totalCount: UInt64 = 0

    /// Creates a hasher in the FIPS 180-4 initial state.
    public init() {
        state = State(
            a: 0x6a09_e667, b: 0xbb67_ae85, c: 0x3c6e_f372, d: 0xa54f_f53a,
            e: 0x510e_527f, f: 0x9b05_688c, g: 0x1f83_d9ab, h: 0x5be0_cd19)
    }

    /// Feeds the bytes of a raw buffer into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var input = bytes.baseAddress, !bytes.isEmpty else { return }
        var remaining = bytes.count
        totalCount &+= UInt64(remaining)

        // Top up a partially filled block first; only a full block can be compressed.
        if pendingCount > 0 {
            let taken = min(64 - pendingCount, remaining)
            withUnsafeMutableBytes(of: &pending) { block in
                (block.baseAddress! + pendingCount).copyMemory(from: input, byteCount: taken)
            }
            pendingCount += taken
            input += taken
            remaining -= taken
            guard pendingCount == 64 else { return }
            // A copy of the block avoids overlapping access to `self.pending` and `self.state`.
            var block = pending
            withUnsafeBytes(of: &block) { Self.compress(&state, blocks: $0.baseAddress!, count: 1) }
            pendingCount = 0
        }

        // Whole blocks are compressed straight from the caller's memory without copying.
        let wholeBlocks = remaining / 64
        if wholeBlocks > 0 {
            Self.compress(&state, blocks: input, count: wholeBlocks)
            input += wholeBlocks * 64
            remaining -= wholeBlocks * 64
        }

        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { block in
                block.baseAddress!.copyMemory(from: input, byteCount: remaining)
            }
            pendingCount = remaining
        }
    }

    /// Feeds a sequence of bytes into the hash.
    @inlinable
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        forEachContiguousChunk(of: bytes) { update($0) }
    }

    /// Pads the message, processes the final block or blocks and returns the digest.
    public consuming func finalize() -> SHA256Digest {
        // The padding is one 0x80 byte, zeros, then the bit length as a big-endian 64-bit number;
        // it spills into a second block when fewer than 9 bytes are free in the current one.
        var tail: (Block, Block) = (pending, (0, 0, 0, 0, 0, 0, 0, 0))
        let blockCount = pendingCount < 56 ? 1 : 2
        let bitCount = totalCount &<< 3
        withUnsafeMutableBytes(of: &tail) { bytes in
            bytes[pendingCount] = 0x80
            for index in (pendingCount + 1)..<(blockCount * 64 - 8) { bytes[index] = 0 }
            bytes.storeBytes(of: bitCount.bigEndian, toByteOffset: blockCount * 64 - 8, as: UInt64.self)
            Self.compress(&state, blocks: bytes.baseAddress!, count: blockCount)
        }
        return SHA256Digest(state: state)
    }

    /// Returns the SHA-256 digest of the bytes of a raw buffer.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Returns the SHA-256 digest of a sequence of bytes.
    @inlinable
    public static func hash(_ bytes: some Sequence<UInt8>) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

extension SHA256 {
    /// Sixty-four bytes of inline storage for one message block.
    typealias Block = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// The eight 32-bit words of the intermediate hash value.
    struct State: Sendable {
        var a, b, c, d, e, f, g, h: UInt32
    }

    /// Applies the compression function to `count` consecutive 64-byte blocks starting at `blocks`.
    static func compress(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
        // The 64-word message schedule lives on the stack and is reused for every block.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            let w = schedule.baseAddress!
            // Copies of the state in locals let the optimiser keep them in registers for the whole loop.
            var (h0, h1, h2, h3) = (state.a, state.b, state.c, state.d)
            var (h4, h5, h6, h7) = (state.e, state.f, state.g, state.h)
            var block = blocks
            for _ in 0..<count {
                for t in 0..<16 {
                    w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
                }
                for t in 16..<64 {
                    let s0 = rotate(w[t - 15], 7) ^ rotate(w[t - 15], 18) ^ (w[t - 15] &>> 3)
                    let s1 = rotate(w[t - 2], 17) ^ rotate(w[t - 2], 19) ^ (w[t - 2] &>> 10)
                    w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                }

                var (a, b, c, d, e, f, g, h) = (h0, h1, h2, h3, h4, h5, h6, h7)
                // Eight rounds per pass with the roles of the variables rotated in the argument lists,
                // which avoids the seven register moves that a plain per-round shuffle would need.
                var t = 0
                while t < 64 {
                    round(a, b, c, &d, e, f, g, &h, roundConstant(t) &+ w[t])
                    round(h, a, b, &c, d, e, f, &g, roundConstant(t + 1) &+ w[t + 1])
                    round(g, h, a, &b, c, d, e, &f, roundConstant(t + 2) &+ w[t + 2])
                    round(f, g, h, &a, b, c, d, &e, roundConstant(t + 3) &+ w[t + 3])
                    round(e, f, g, &h, a, b, c, &d, roundConstant(t + 4) &+ w[t + 4])
                    round(d, e, f, &g, h, a, b, &c, roundConstant(t + 5) &+ w[t + 5])
                    round(c, d, e, &f, g, h, a, &b, roundConstant(t + 6) &+ w[t + 6])
                    round(b, c, d, &e, f, g, h, &a, roundConstant(t + 7) &+ w[t + 7])
                    t += 8
                }

                h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                block += 64
            }
            state = State(a: h0, b: h1, c: h2, d: h3, e: h4, f: h5, g: h6, h: h7)
        }
    }
}

/// Performs one SHA-256 round, adding the first temporary sum into `d` and leaving the new `a` in `h`.
@inline(__always)
private func round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32,
    _ constantPlusWord: UInt32
) {
    let sigma1 = rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)
    let choose = g ^ (e & (f ^ g))
    let temporary1 = h &+ sigma1 &+ choose &+ constantPlusWord
    let sigma0 = rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)
    let majority = (a & b) | (c & (a | b))
    d &+= temporary1
    h = temporary1 &+ sigma0 &+ majority
}

/// Rotates a 32-bit word right by `count` bits.
@inline(__always)
private func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
    (value &>> count) | (value &<< (32 &- count))
}

/// Returns the round constant for round `index`, read without a bounds check.
@inline(__always)
private func roundConstant(_ index: Int) -> UInt32 {
    roundConstants.withUnsafeBufferPointer { $0.baseAddress.unsafelyUnwrapped[index] }
}

/// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
private let roundConstants: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
]
