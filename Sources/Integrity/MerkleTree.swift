// The Merkle tree of RFC 9162 §2.1 (Certificate Transparency version 2).
//
// Proofs are assembled from the hashes of *complete* subtrees: the 2^level leaves starting at leaf
// `index << level`. Every node the RFC recursion visits is either complete or the right edge of the
// tree, and a right-edge node over `count` leaves is the complete subtrees of the binary digits of
// `count`, largest first, folded from the right. So a proof or a past root needs O(log n) complete
// subtree hashes and never the leaves. A log persists the leaf hashes (level 0) and the nodes that
// `MerkleFrontier` reports as completed; if it keeps only every 8th level, a missing level is
// rebuilt from at most 2^7 stored hashes of the stored level below, still O(log n) reads per proof.

/// The RFC 9162 Merkle tree hash, proof generation and proof verification over SHA-256.
public enum Merkle {
    /// The root of the empty tree, the SHA-256 of no bytes.
    public static let emptyRoot = SHA256.hash(EmptyCollection<UInt8>())

    /// Returns the hash of one leaf, SHA-256(0x00 ‖ leaf).
    public static func leafHash(_ leaf: some Sequence<UInt8>) -> SHA256Digest {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update($0) }
        hasher.update(leaf)
        return hasher.finalize()
    }

    /// Returns the hash of an interior node, SHA-256(0x01 ‖ left ‖ right).
    public static func nodeHash(_ left: SHA256Digest, _ right: SHA256Digest) -> SHA256Digest {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x01)) { hasher.update($0) }
        left.withUnsafeBytes { hasher.update($0) }
        right.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// Returns the Merkle tree hash of the given leaf hashes, so a slice gives the hash of a range.
    public static func root(ofLeafHashes leafHashes: some Collection<SHA256Digest>) -> SHA256Digest {
        if let root = leafHashes.withContiguousStorageIfAvailable({ treeHash($0) }) { return root }
        return Array(leafHashes).withUnsafeBufferPointer { treeHash($0) }
    }

    /// Returns the root of the first `size` leaves from O(log size) complete subtree hashes.
    public static func root(size: Int, source: some MerkleSubtreeSource) throws -> SHA256Digest {
        guard size >= 0 else { throw MerkleError.sizeOutOfRange(size: size, limit: .max) }
        return size == 0 ? emptyRoot : try rangeHash(start: 0, count: size, source: source)
    }

    /// Returns the RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of the first `size` leaves.
    public static func inclusionProof(index: Int, size: Int, source: some MerkleSubtreeSource) throws -> [SHA256Digest] {
        guard index >= 0, index < size else { throw MerkleError.indexOutOfRange(index: index, size: size) }
        var proof: [SHA256Digest] = []
        proof.reserveCapacity(Int.bitWidth)
        try appendPath(index: index, start: 0, count: size, source: source, to: &proof)
        return proof
    }

    /// Returns the RFC 9162 §2.1.4.1 consistency proof from the tree of `oldSize` leaves to that of `newSize`.
    public static func consistencyProof(from oldSize: Int, to newSize: Int, source: some MerkleSubtreeSource) throws -> [SHA256Digest] {
        guard oldSize >= 0, oldSize <= newSize else { throw MerkleError.sizeOutOfRange(size: oldSize, limit: newSize) }
        // The RFC defines proofs for 0 < old < new; the empty tree and an unchanged tree need no hashes.
        guard oldSize > 0, oldSize < newSize else { return [] }
        var proof: [SHA256Digest] = []
        proof.reserveCapacity(2 * Int.bitWidth)
        try appendSubproof(oldCount: oldSize, start: 0, count: newSize, isOldRoot: true, source: source, to: &proof)
        return proof
    }

    /// Returns the inclusion proof of leaf `index` in the tree of the first `size` of `leafHashes`.
    public static func inclusionProof(index: Int, size: Int, leafHashes: [SHA256Digest]) throws -> [SHA256Digest] {
        guard size <= leafHashes.count else { throw MerkleError.sizeOutOfRange(size: size, limit: leafHashes.count) }
        return try inclusionProof(index: index, size: size, source: InMemoryMerkleSource(leafHashes))
    }

    /// Returns the consistency proof between two sizes of the tree over `leafHashes`.
    public static func consistencyProof(from oldSize: Int, to newSize: Int, leafHashes: [SHA256Digest]) throws -> [SHA256Digest] {
        guard newSize <= leafHashes.count else { throw MerkleError.sizeOutOfRange(size: newSize, limit: leafHashes.count) }
        return try consistencyProof(from: oldSize, to: newSize, source: InMemoryMerkleSource(leafHashes))
    }
}

/// A store that returns the hash of any complete subtree: 2^level leaves starting at leaf `index << level`.
public protocol MerkleSubtreeSource {
    /// Returns the hash of the complete subtree at `level` and `index`, or throws when it is not available.
    func subtreeHash(level: Int, index: Int) throws -> SHA256Digest
}

/// A subtree source over leaf hashes in memory, which hashes 2^level leaves per call.
public struct InMemoryMerkleSource: MerkleSubtreeSource, Sendable {
    /// The leaf hashes in log order.
    public var leafHashes: [SHA256Digest]

    /// Creates a source over the given leaf hashes.
    public init(_ leafHashes: [SHA256Digest]) {
        self.leafHashes = leafHashes
    }

    /// Returns the hash of a complete subtree, or throws when it reaches past the last leaf.
    public func subtreeHash(level: Int, index: Int) throws -> SHA256Digest {
        // `count >> level` complete subtrees fit at this level; the comparison cannot overflow.
        guard level >= 0, index >= 0, index < leafHashes.count >> level else {
            throw MerkleError.subtreeUnavailable(level: level, index: index)
        }
        let first = index << level
        return Merkle.root(ofLeafHashes: leafHashes[first..<(first + (1 << level))])
    }
}

/// The reasons proof generation refuses its arguments.
public enum MerkleError: Error, Hashable, Sendable {
    /// The leaf index is negative or not below the tree size.
    case indexOutOfRange(index: Int, size: Int)
    /// A tree size is negative or larger than the limit it must not exceed.
    case sizeOutOfRange(size: Int, limit: Int)
    /// The source holds no hash for the complete subtree asked for.
    case subtreeUnavailable(level: Int, index: Int)
}

extension Merkle {
    /// Returns the largest power of two smaller than `count`, which must be at least 2.
    @inline(__always)
    static func split(_ count: Int) -> Int {
        1 << (Int.bitWidth - 1 - (count - 1).leadingZeroBitCount)
    }

    /// Returns MTH of the leaf hashes in a buffer, straight from the RFC recursion.
    static func treeHash(_ leaves: UnsafeBufferPointer<SHA256Digest>) -> SHA256Digest {
        switch leaves.count {
        case 0: return emptyRoot
        case 1: return leaves[0]
        default:
            let k = split(leaves.count)
            return nodeHash(treeHash(UnsafeBufferPointer(rebasing: leaves[..<k])),
                            treeHash(UnsafeBufferPointer(rebasing: leaves[k...])))
        }
    }

    /// Returns MTH of `count` > 0 leaves from `start`, a node the RFC recursion visits, from its complete subtrees.
    static func rangeHash(start: Int, count: Int, source: some MerkleSubtreeSource) throws -> SHA256Digest {
        // Such a node starts at a multiple of its split, so a power-of-two count is one aligned complete subtree.
        if count & (count - 1) == 0 {
            let level = count.trailingZeroBitCount
            return try source.subtreeHash(level: level, index: start >> level)
        }
        let k = split(count)
        let left = try rangeHash(start: start, count: k, source: source)
        return nodeHash(left, try rangeHash(start: start + k, count: count - k, source: source))
    }

    /// Appends PATH(index, D[start..<start+count]) of RFC 9162 §2.1.3.1, deepest hash first.
    static func appendPath(index: Int, start: Int, count: Int, source: some MerkleSubtreeSource,
                           to proof: inout [SHA256Digest]) throws {
        guard count > 1 else { return }
        let k = split(count)
        if index < start + k {
            try appendPath(index: index, start: start, count: k, source: source, to: &proof)
            proof.append(try rangeHash(start: start + k, count: count - k, source: source))
        } else {
            try appendPath(index: index, start: start + k, count: count - k, source: source, to: &proof)
            proof.append(try rangeHash(start: start, count: k, source: source))
        }
    }

    /// Appends SUBPROOF(oldCount, D[start..<start+count], isOldRoot) of RFC 9162 §2.1.4.1.
    static func appendSubproof(oldCount: Int, start: Int, count: Int, isOldRoot: Bool,
                               source: some MerkleSubtreeSource, to proof: inout [SHA256Digest]) throws {
        if oldCount == count {
            // The verifier already holds the old root itself, but not an inner node it must start from.
            if !isOldRoot { proof.append(try rangeHash(start: start, count: count, source: source)) }
            return
        }
        let k = split(count)
        if oldCount <= k {
            try appendSubproof(oldCount: oldCount, start: start, count: k, isOldRoot: isOldRoot, source: source, to: &proof)
            proof.append(try rangeHash(start: start + k, count: count - k, source: source))
        } else {
            try appendSubproof(oldCount: oldCount - k, start: start + k, count: count - k, isOldRoot: false,
                               source: source, to: &proof)
            proof.append(try rangeHash(start: start, count: k, source: source))
        }
    }
}
