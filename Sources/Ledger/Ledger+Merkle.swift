#if canImport(Glibc)
import Glibc
#endif
import Integrity
import LedgerLog

extension Ledger {
    /// Runs `body` on the Merkle tree of the log, rebuilding the store from the log once if an entry turns out damaged.
    ///
    /// A `MerkleError` cannot come from a size the caller asked for (those are range-checked first), so it
    /// is taken as an inconsistent store too; from a store rebuilt from the log, either is a verification failure.
    func withMerkleTree<T>(_ body: (MerkleTreeView) throws -> T) throws(LedgerError) -> T {
        let reader = try logReader()
        var ignoringFile = false
        while true {
            do {
                let tree = try MerkleTreeView(folder: folder, reader: reader, ignoringFile: ignoringFile)
                tree.persist()
                return try body(tree)
            } catch let damage as MerkleStoreDamage {
                guard !ignoringFile else { throw LedgerError(.verificationFailed, "Merkle tree: \(damage.reason)") }
                ignoringFile = true
            } catch let error as MerkleError {
                guard !ignoringFile else { throw LedgerError(.verificationFailed, "Merkle tree: \(error)") }
                ignoringFile = true
            } catch {
                throw LedgerError.wrap(error)
            }
        }
    }

    /// Checks a proof built from the store before it is published: the path, from the record read from the
    /// log, must lead to the root the store gave; otherwise the store is damaged (and rebuilt once).
    private static func checked(_ proof: MerkleProof) throws -> MerkleProof {
        do {
            try proof.check()
        } catch {
            throw MerkleStoreDamage(reason: "a proof built from the store does not check: \(error.message)")
        }
        return proof
    }

    /// Brings `merkle.tree` up to the log's end; called after an append commits, and harmless when it fails.
    public func updateMerkleStore() {
        _ = try? withMerkleTree { _ in }
    }

    /// The size asked for, which must lie within the log; the whole log when none is given.
    private func checkedSize(_ size: Int64?, _ tree: MerkleTreeView, option: String) throws(LedgerError) -> Int64 {
        let current = tree.header.size
        guard let size else { return current }
        guard size >= 0, size <= current else {
            throw LedgerError(.usage, "\(option) \(size) is beyond the log, which holds \(current) record\(current == 1 ? "" : "s")")
        }
        return size
    }

    /// The digest of the first `size` records (all of them by default).
    public func merkleDigest(size: Int64? = nil, now: Int64 = Ledger.currentMicroseconds()) throws(LedgerError) -> MerkleDigest {
        try withMerkleTree { tree in
            let size = try checkedSize(size, tree, option: "--known-at")
            var head = SHA256Digest.zero
            var recorded = "none"
            let root = try Merkle.root(size: Int(size), source: tree)
            if size > 0 {
                let record = try tree.record(seq: size)
                head = SHA256.hash(record)
                recorded = Timestamp.iso8601(microseconds: Int64(bitPattern: record.little(UInt64.self, at: 16)))
                // The head record must be the last leaf under the root: the store's root and the log's record agree.
                _ = try Self.checked(.inclusion(seq: size, size: size, record: record, root: root,
                                                path: try Merkle.inclusionProof(index: Int(size - 1), size: Int(size), source: tree)))
                if size == tree.header.size && head != tree.header.head {
                    throw MerkleStoreDamage(reason: "the record at the log's end is not the one the store names")
                }
            }
            return MerkleDigest(size: size, root: root, head: head, recorded: recorded, taken: Timestamp.iso8601(microseconds: now))
        }
    }

    /// The inclusion proof of record `seq` in the tree of the first `size` records (all by default).
    public func inclusionProof(seq: Int64, size: Int64? = nil) throws(LedgerError) -> MerkleProof {
        try withMerkleTree { tree in
            let size = try checkedSize(size, tree, option: "--size")
            guard seq >= 1, seq <= size else {
                throw LedgerError(.usage, "seq \(seq) is not among the \(size) record\(size == 1 ? "" : "s") of the tree (seq counts from 1)")
            }
            return try Self.checked(.inclusion(seq: seq, size: size, record: try tree.record(seq: seq),
                                               root: try Merkle.root(size: Int(size), source: tree),
                                               path: try Merkle.inclusionProof(index: Int(seq - 1), size: Int(size), source: tree)))
        }
    }

    /// The consistency proof from the tree of the first `from` records to that of the first `size` (all by default).
    public func consistencyProof(from: Int64, size: Int64? = nil) throws(LedgerError) -> MerkleProof {
        try withMerkleTree { tree in
            let size = try checkedSize(size, tree, option: "--size")
            guard from >= 1, from <= size else {
                throw LedgerError(.usage, "--from \(from) must be from 1 to the tree size \(size)")
            }
            return try Self.checked(.consistency(from: from, size: size, fromRoot: try Merkle.root(size: Int(from), source: tree),
                                                 root: try Merkle.root(size: Int(size), source: tree),
                                                 path: try Merkle.consistencyProof(from: Int(from), to: Int(size), source: tree)))
        }
    }

    /// The roots of the trees over the first `sizes` records, recomputed from the log itself (not the store)
    /// with every checksum and hash link checked from genesis, as `verify` reads it.
    public func merkleRootsFromLog(sizes: [Int64]) throws(LedgerError) -> (roots: [Int64: SHA256Digest], recordsRead: Int64) {
        var wanted = Set(sizes)
        var roots: [Int64: SHA256Digest] = [:]
        if wanted.remove(0) != nil { roots[0] = Merkle.emptyRoot }
        guard let largest = wanted.max() else { return (roots, 0) }
        var frontier = MerkleFrontier()
        do {
            try logReader().scan(from: 1, checkChain: true) { record in
                frontier.append(Merkle.leafHash(record.bytes))
                if wanted.contains(record.seq) { roots[record.seq] = frontier.root }
                return record.seq < largest
            }
        } catch {
            throw LedgerError.wrap(error)
        }
        return (roots, Int64(frontier.size))
    }

    /// Checks a proof on its own, then against this ledger's own roots at the proof's sizes, recomputed from
    /// the log (so a changed byte anywhere before them fails); returns what matched.
    /// With `sizes`, only the ends of those sizes are checked against the log.
    public func checkProof(_ proof: MerkleProof, sizes: Set<Int64>? = nil) throws(LedgerError) -> [String] {
        try proof.check()
        var matched: [String] = []
        let ends = proof.ends.filter { sizes?.contains($0.size) ?? true }
        let (roots, count) = try merkleRootsFromLog(sizes: ends.map(\.size))
        for end in ends {
            guard let root = roots[end.size] else {
                throw LedgerError(.verificationFailed, "the proof is about \(end.size) records, but the ledger holds \(count)")
            }
            guard root == end.root else {
                throw LedgerError(.verificationFailed, "the ledger's root at size \(end.size) is \(root.hex), the proof's is \(end.root.hex)")
            }
            matched.append("the ledger's root at size \(end.size)")
        }
        return matched
    }

    /// Checks a proof on its own, then each digest, which must match one end of the proof by size and root.
    /// An end no digest names is left unchecked here: the caller must vouch for it another way (see `uncoveredSizes`).
    public static func checkProof(_ proof: MerkleProof, against digests: [(name: String, digest: MerkleDigest)]) throws(LedgerError) -> [String] {
        try proof.check()
        var matched: [String] = []
        let ends = proof.ends
        for (name, digest) in digests {
            guard let end = ends.first(where: { $0.size == digest.size }) else {
                let sizes = ends.map { String($0.size) }.joined(separator: " and ")
                throw LedgerError(.verificationFailed, "\(name): the digest is of size \(digest.size), which is no end of the proof (size \(sizes))")
            }
            guard end.root == digest.root else {
                throw LedgerError(.verificationFailed, "\(name): the digest's root at size \(digest.size) is \(digest.root.hex), the proof's is \(end.root.hex)")
            }
            // The last record of a tree is the digest's head: a proof of that record must hash to it.
            if case .inclusion(let seq, _, let record, _, _) = proof, seq == digest.size, SHA256.hash(record) != digest.head {
                throw LedgerError(.verificationFailed, "\(name): the digest's head is \(digest.head.hex), but the proof's record, seq \(seq) and the last of the tree, hashes to \(SHA256.hash(record).hex)")
            }
            matched.append("digest \(name) (size \(digest.size))")
        }
        return matched
    }

    /// The sizes of the proof's ends that none of the digests names. A proof alone does not fix its sizes (a
    /// different size can fit the same path), so each such end must be checked against the ledger.
    public static func uncoveredSizes(of proof: MerkleProof, by digests: [MerkleDigest]) -> Set<Int64> {
        Set(proof.ends.map(\.size)).subtracting(digests.map(\.size))
    }

    /// The largest proof or digest file read: a proof holds one record (at most 1 MiB, 2 MiB as hex) and
    /// at most 63 × 2 path hashes, a digest six short lines.
    public static let largestProofFile = 4 << 20

    /// The bytes of a proof or digest file (at most `largestProofFile` bytes).
    public static func readFile(_ path: String, what: String) throws(LedgerError) -> [UInt8] {
        guard FileStatus.exists(path) else { throw LedgerError(.notFound, "no \(what) file \(path)") }
        var info = stat()
        if stat(path, &info) == 0, Int64(info.st_size) > Int64(largestProofFile) {
            throw LedgerError(.refused, "\(what) file \(path) is too large (\(info.st_size) bytes; at most \(largestProofFile))")
        }
        guard let bytes = DurableFiles.contents(of: path, limit: largestProofFile) else {
            throw LedgerError(.io, "cannot read \(what) file \(path)")
        }
        return bytes
    }
}

/// What a full check of `merkle.tree` against the log found.
public enum MerkleStoreCheck: Equatable, Sendable {
    /// There is no store, or its header is not usable for this log (it is rebuilt when next needed).
    case unusable
    /// Every stored entry equals the one recomputed from the log.
    case matches(size: Int64)
    /// The stored entry with this number differs from the log's (it is replaced when next needed);
    /// entry -1 is the header (its record positions).
    case differs(size: Int64, entry: Int64)
}

extension Ledger {
    /// Compares every entry of `merkle.tree` with the tree recomputed from the log, for `verify`
    /// (which reads the whole log anyway); the store is a cache, so a difference is repaired by rebuilding it.
    public func checkMerkleStore() throws(LedgerError) -> MerkleStoreCheck {
        let reader = try logReader()
        do {
            guard let (file, header) = try MerkleTreeView.usableFile(folder: folder, reader: reader) else { return .unusable }
            let rebuilt = try MerkleTreeView(folder: folder, reader: reader, ignoringFile: true)
            // `usableFile` found the header's size, head and last record in the log; the start of its tail group
            // is compared here, as the tree would read records from there.
            var expected = header
            let chunk = header.size / Int64(MerkleStore.chunkLeaves)
            expected.tailStart = header.size % Int64(MerkleStore.chunkLeaves) == 0 ? nil : try rebuilt.chunkStart(chunk)
            guard header == expected else { return .differs(size: header.size, entry: -1) }
            for number in 0..<header.entryCount {
                var expected: [UInt8] = []
                rebuilt.added[Int(number)].encode(into: &expected)
                let offset = Int64(MerkleStore.headerSize) + number * Int64(MerkleStore.entrySize)
                guard try file.read(MerkleStore.entrySize, at: offset) == expected else {
                    return .differs(size: header.size, entry: number)
                }
            }
            return .matches(size: header.size)
        } catch {
            throw LedgerError.wrap(error)
        }
    }
}
