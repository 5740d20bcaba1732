/// A complete subtree of 2^level leaves starting at leaf `index << level`, with its hash.
public struct MerkleSubtree: Hashable, Sendable {
    /// The height of the subtree, 0 for a single leaf.
    public var level: Int
    /// The position of the subtree among those of its level.
    public var index: Int
    /// The Merkle tree hash of the subtree.
    public var hash: SHA256Digest

    /// Creates a subtree description.
    public init(level: Int, index: Int, hash: SHA256Digest) {
        self.level = level
        self.index = index
        self.hash = hash
    }
}

/// The right edge of a growing Merkle tree: one complete subtree hash per set bit of the size.
public struct MerkleFrontier: Hashable, Sendable {
    /// The number of leaves appended so far.
    public private(set) var size = 0

    /// The complete subtrees that make up the tree, largest and leftmost first.
    public private(set) var hashes: [SHA256Digest] = []

    /// Creates the frontier of the empty tree.
    public init() {}

    /// Creates the frontier of the first `size` leaves by reading its O(log size) complete subtrees.
    public init(size: Int, source: some MerkleSubtreeSource) throws {
        guard size >= 0 else { throw MerkleError.sizeOutOfRange(size: size, limit: .max) }
        var start = 0
        for level in stride(from: Int.bitWidth - 2, through: 0, by: -1) where size >> level & 1 == 1 {
            hashes.append(try source.subtreeHash(level: level, index: start >> level))
            start += 1 << level
        }
        self.size = size
    }

    /// The Merkle tree hash of the leaves appended so far.
    public var root: SHA256Digest {
        // The RFC splits off the largest complete subtree first, so the parts nest from the right.
        guard var root = hashes.last else { return Merkle.emptyRoot }
        for hash in hashes.dropLast().reversed() {
            root = Merkle.nodeHash(hash, root)
        }
        return root
    }

    /// Appends a leaf hash.
    public mutating func append(_ leafHash: SHA256Digest) {
        append(leafHash) { _ in }
    }

    /// Appends a leaf hash and reports each subtree it completes, leaf first, leaving the frontier unchanged if a report throws.
    public mutating func append(_ leafHash: SHA256Digest, onCompleted: (MerkleSubtree) throws -> Void) rethrows {
        // Nothing is changed until every report has succeeded, so a failed store can simply retry the append.
        var hash = leafHash
        try onCompleted(MerkleSubtree(level: 0, index: size, hash: hash))
        // Each trailing one bit of the old size is a complete left sibling waiting for this right neighbour.
        let merges = (~size).trailingZeroBitCount
        for level in 0..<merges {
            hash = Merkle.nodeHash(hashes[hashes.count - 1 - level], hash)
            try onCompleted(MerkleSubtree(level: level + 1, index: size >> (level + 1), hash: hash))
        }
        hashes.removeLast(merges)
        hashes.append(hash)
        size += 1
    }
}
