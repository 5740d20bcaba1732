extension Merkle {
    /// Returns whether `proof` shows `leafHash` at `index` in the tree of `size` leaves with `root`, per RFC 9162 §2.1.3.2.
    public static func verifyInclusion(
        index: Int, size: Int, leafHash: SHA256Digest, proof: [SHA256Digest], root: SHA256Digest
    ) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            // A path longer than the tree is tall runs `sn` down to zero first.
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                // On the right edge a node can be its parent's only child; those levels carry no proof hash.
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Returns whether `proof` shows the tree of `oldSize` leaves is a prefix of that of `newSize`, per RFC 9162 §2.1.4.2.
    public static func verifyConsistency(
        oldSize: Int, newSize: Int, oldRoot: SHA256Digest, newRoot: SHA256Digest, proof: [SHA256Digest]
    ) -> Bool {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        // The RFC covers 0 < old < new; an unchanged tree must keep its root, and the empty tree,
        // whose root is fixed, is a prefix of every tree. Neither needs a proof hash.
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty && oldRoot == emptyRoot }
        guard let firstHash = proof.first else { return false }

        // A power-of-two old tree is a node of the new one, so its root is the starting hash itself.
        let isPowerOfTwo = oldSize & (oldSize - 1) == 0
        let start = isPowerOfTwo ? oldRoot : firstHash
        let rest = isPowerOfTwo ? proof[...] : proof.dropFirst()
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = start
        var sr = start
        for c in rest {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }
}
