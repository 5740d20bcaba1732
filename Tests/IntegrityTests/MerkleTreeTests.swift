import Testing
import Integrity

// Published vectors from github.com/transparency-dev/merkle:
// - testonly/constants.go (LeafInputs, NodeHashes, RootHashes, CompactTrees), commit 582a6ad190b6848f1d26f8bf08ddef29955d9db1;
// - proof/verify_test.go (inclusionProofs, consistencyProofs, the corrupt*Proof probes), commit 02194e9afb6c1d95b5381350007963aa70fff472,
//   whose inclusion vectors count leaves from 1 and appear here from 0;
// - testonly/reference_test.go (TestRefInclusionProof, TestRefConsistencyProof), commit 141d627eab770a7e9a2514f46a8b6338e6d90874;
// - proof/proof_test.go (TestInclusion, TestConsistency node IDs), commit 02a3e2029520f515596d5238c54fb0ac9e19bff4.

/// Returns the digest of 64 hex digits, trapping on a malformed literal because these are fixed test inputs.
private func hash(_ hex: String) -> SHA256Digest {
    SHA256Digest(hex: hex)!
}

/// Returns the bytes of an even number of hex digits.
private func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}

/// LeafInputs of testonly/constants.go.
let merkleLeaves: [[UInt8]] = [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
].map(hexBytes)

/// RootHashes of testonly/constants.go, indexed by tree size 0...8.
let merkleRoots: [SHA256Digest] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
].map(hash)

/// NodeHashes of testonly/constants.go: every complete subtree, by level then index.
let merkleNodes: [[SHA256Digest]] = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
].map { $0.map(hash) }

/// CompactTrees of testonly/constants.go as (level, index) into `merkleNodes`, by tree size 0...8.
let merkleCompactTrees: [[(Int, Int)]] = [
    [], [(0, 0)], [(1, 0)], [(1, 0), (0, 2)], [(2, 0)], [(2, 0), (0, 4)], [(2, 0), (1, 2)], [(2, 0), (1, 2), (0, 6)], [(3, 0)],
]

/// A published inclusion proof over `merkleLeaves`.
struct MerkleInclusionVector: Sendable, CustomTestStringConvertible {
    let index: Int
    let size: Int
    let proof: [SHA256Digest]
    var testDescription: String { "leaf \(index) of \(size)" }
}

/// A published consistency proof over `merkleLeaves`.
struct MerkleConsistencyVector: Sendable, CustomTestStringConvertible {
    let oldSize: Int
    let newSize: Int
    let proof: [SHA256Digest]
    var testDescription: String { "\(oldSize) to \(newSize)" }
}

/// The inclusion proofs of verify_test.go and reference_test.go, with 0-based leaf indices.
let merkleInclusionVectors: [MerkleInclusionVector] = [
    MerkleInclusionVector(index: 0, size: 1, proof: []),
    MerkleInclusionVector(index: 0, size: 2, proof: [hash("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7")]),
    MerkleInclusionVector(index: 1, size: 2, proof: [hash("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")]),
    MerkleInclusionVector(index: 2, size: 3, proof: [hash("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    MerkleInclusionVector(index: 1, size: 5, proof: [
        hash("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        hash("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        hash("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
    ]),
    MerkleInclusionVector(index: 0, size: 8, proof: [
        hash("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        hash("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        hash("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ]),
    MerkleInclusionVector(index: 5, size: 8, proof: [
        hash("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        hash("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
        hash("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    ]),
]

/// The consistency proofs of verify_test.go, which include those of reference_test.go.
let merkleConsistencyVectors: [MerkleConsistencyVector] = [
    MerkleConsistencyVector(oldSize: 1, newSize: 1, proof: []),
    MerkleConsistencyVector(oldSize: 1, newSize: 8, proof: [
        hash("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        hash("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        hash("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ]),
    MerkleConsistencyVector(oldSize: 6, newSize: 8, proof: [
        hash("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        hash("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
        hash("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    ]),
    MerkleConsistencyVector(oldSize: 2, newSize: 5, proof: [
        hash("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        hash("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
    ]),
    MerkleConsistencyVector(oldSize: 6, newSize: 7, proof: [
        hash("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        hash("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        hash("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    ]),
]

/// The complete subtrees a proof is assembled from, as proof_test.go lists them by (level, index).
struct MerkleNodeLayout: Sendable, CustomTestStringConvertible {
    /// The leaf index of an inclusion proof, or the old size of a consistency proof.
    let first: Int
    let size: Int
    let nodes: [Pair]
    struct Pair: Hashable, Sendable {
        let level: Int
        let index: Int
    }
    init(_ first: Int, _ size: Int, _ nodes: [(Int, Int)]) {
        self.first = first
        self.size = size
        self.nodes = nodes.map { Pair(level: $0.0, index: $0.1) }
    }
    var testDescription: String { "\(first), \(size)" }
}

/// TestInclusion of proof/proof_test.go as (index, size, nodes), rehashed right edges included.
let merkleInclusionLayouts: [MerkleNodeLayout] = [
    MerkleNodeLayout(0, 1, []),
    MerkleNodeLayout(0, 2, [(0, 1)]),
    MerkleNodeLayout(1, 2, [(0, 0)]),
    MerkleNodeLayout(1, 3, [(0, 0), (0, 2)]),
    MerkleNodeLayout(0, 7, [(0, 1), (1, 1), (0, 6), (1, 2)]),
    MerkleNodeLayout(1, 7, [(0, 0), (1, 1), (0, 6), (1, 2)]),
    MerkleNodeLayout(2, 7, [(0, 3), (1, 0), (0, 6), (1, 2)]),
    MerkleNodeLayout(3, 7, [(0, 2), (1, 0), (0, 6), (1, 2)]),
    MerkleNodeLayout(4, 7, [(0, 5), (0, 6), (2, 0)]),
    MerkleNodeLayout(5, 7, [(0, 4), (0, 6), (2, 0)]),
    MerkleNodeLayout(6, 7, [(1, 2), (2, 0)]),
    MerkleNodeLayout(2, 4, [(0, 3), (1, 0)]),
    MerkleNodeLayout(3, 5, [(0, 2), (1, 0), (0, 4)]),
    MerkleNodeLayout(3, 6, [(0, 2), (1, 0), (1, 2)]),
    MerkleNodeLayout(4, 6, [(0, 5), (2, 0)]),
    MerkleNodeLayout(10, 15, [(0, 11), (1, 4), (0, 14), (1, 6), (3, 0)]),
    MerkleNodeLayout(24, 31, [(0, 25), (1, 13), (0, 30), (1, 14), (3, 2), (4, 0)]),
    MerkleNodeLayout(81, 95, [(0, 80), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)]),
]

/// TestConsistency of proof/proof_test.go as (old size, new size, nodes), rehashed right edges included.
let merkleConsistencyLayouts: [MerkleNodeLayout] = [
    MerkleNodeLayout(1, 2, [(0, 1)]),
    MerkleNodeLayout(1, 4, [(0, 1), (1, 1)]),
    MerkleNodeLayout(1, 6, [(0, 1), (1, 1), (1, 2)]),
    MerkleNodeLayout(2, 3, [(0, 2)]),
    MerkleNodeLayout(2, 8, [(1, 1), (2, 1)]),
    MerkleNodeLayout(3, 7, [(0, 2), (0, 3), (1, 0), (0, 6), (1, 2)]),
    MerkleNodeLayout(4, 7, [(0, 6), (1, 2)]),
    MerkleNodeLayout(5, 7, [(0, 4), (0, 5), (0, 6), (2, 0)]),
    MerkleNodeLayout(6, 7, [(1, 2), (0, 6), (2, 0)]),
    MerkleNodeLayout(7, 8, [(0, 6), (0, 7), (1, 2), (2, 0)]),
    MerkleNodeLayout(1, 1, []), MerkleNodeLayout(2, 2, []), MerkleNodeLayout(3, 3, []), MerkleNodeLayout(4, 4, []),
    MerkleNodeLayout(5, 5, []), MerkleNodeLayout(7, 7, []), MerkleNodeLayout(8, 8, []),
    MerkleNodeLayout(2, 4, [(1, 1)]),
    MerkleNodeLayout(3, 5, [(0, 2), (0, 3), (1, 0), (0, 4)]),
    MerkleNodeLayout(3, 6, [(0, 2), (0, 3), (1, 0), (1, 2)]),
    MerkleNodeLayout(4, 6, [(1, 2)]),
    MerkleNodeLayout(1, 7, [(0, 1), (1, 1), (0, 6), (1, 2)]),
    MerkleNodeLayout(10, 15, [(1, 4), (1, 5), (0, 14), (1, 6), (3, 0)]),
    MerkleNodeLayout(24, 31, [(3, 2), (0, 30), (1, 14), (2, 6), (4, 0)]),
    MerkleNodeLayout(81, 95, [(0, 80), (0, 81), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)]),
]

/// The arbitrary hash verify_test.go uses as a wrong root and an inserted proof component.
let merkleSomeHash = hash("abacaba000000000000000000000000000000000000000000060061e00123456")

/// The published leaves followed by made-up ones, 64 in all, for the exhaustive checks.
let merkleTestLeafHashes: [SHA256Digest] = (merkleLeaves + (8..<64).map { Array("leaf \($0)".utf8) }).map(MerkleReference.leafHash)

/// RFC 9162 §2.1 written out literally over byte arrays, independent of the library's index arithmetic.
enum MerkleReference {
    static func leafHash(_ leaf: [UInt8]) -> SHA256Digest {
        SHA256.hash([0x00] + leaf)
    }

    static func nodeHash(_ left: SHA256Digest, _ right: SHA256Digest) -> SHA256Digest {
        SHA256.hash([0x01] + left.bytes + right.bytes)
    }

    /// The largest power of two smaller than n.
    static func split(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    /// MTH(D[n]) over leaf hashes.
    static func root(_ d: ArraySlice<SHA256Digest>) -> SHA256Digest {
        switch d.count {
        case 0: return SHA256.hash([])
        case 1: return d.first!
        default:
            let k = split(d.count)
            return nodeHash(root(d.prefix(k)), root(d.dropFirst(k)))
        }
    }

    /// PATH(m, D[n]).
    static func path(_ m: Int, _ d: ArraySlice<SHA256Digest>) -> [SHA256Digest] {
        guard d.count > 1 else { return [] }
        let k = split(d.count)
        return m < k ? path(m, d.prefix(k)) + [root(d.dropFirst(k))] : path(m - k, d.dropFirst(k)) + [root(d.prefix(k))]
    }

    /// SUBPROOF(m, D[n], b).
    static func subproof(_ m: Int, _ d: ArraySlice<SHA256Digest>, _ b: Bool) -> [SHA256Digest] {
        if m == d.count { return b ? [] : [root(d)] }
        let k = split(d.count)
        return m <= k
            ? subproof(m, d.prefix(k), b) + [root(d.dropFirst(k))]
            : subproof(m - k, d.dropFirst(k), false) + [root(d.prefix(k))]
    }
}

/// A source that counts and records the subtrees asked of another source.
final class RecordingMerkleSource<Base: MerkleSubtreeSource>: MerkleSubtreeSource {
    let base: Base
    var reads: [MerkleNodeLayout.Pair] = []
    init(_ base: Base) { self.base = base }
    func subtreeHash(level: Int, index: Int) throws -> SHA256Digest {
        reads.append(MerkleNodeLayout.Pair(level: level, index: index))
        return try base.subtreeHash(level: level, index: index)
    }
}

/// A tree of astronomically many equal leaves, whose subtree hash depends on the level alone.
struct UniformMerkleSource: MerkleSubtreeSource {
    let levels: [SHA256Digest]
    init() {
        var levels = [Merkle.leafHash("same".utf8)]
        for _ in 1..<Int.bitWidth { levels.append(Merkle.nodeHash(levels.last!, levels.last!)) }
        self.levels = levels
    }
    func subtreeHash(level: Int, index: Int) throws -> SHA256Digest { levels[level] }
}

/// A store that, like a log persisting only every third level, keeps what a frontier reports at levels 0, 3, 6, ….
struct SparseStoredMerkleSource: MerkleSubtreeSource {
    var stored: [MerkleNodeLayout.Pair: SHA256Digest] = [:]
    static let stride = 3
    mutating func store(_ subtree: MerkleSubtree) {
        if subtree.level % Self.stride == 0 {
            stored[MerkleNodeLayout.Pair(level: subtree.level, index: subtree.index)] = subtree.hash
        }
    }
    func subtreeHash(level: Int, index: Int) throws -> SHA256Digest {
        if level % Self.stride == 0 {
            guard let hash = stored[MerkleNodeLayout.Pair(level: level, index: index)] else {
                throw MerkleError.subtreeUnavailable(level: level, index: index)
            }
            return hash
        }
        return Merkle.nodeHash(try subtreeHash(level: level - 1, index: 2 * index), try subtreeHash(level: level - 1, index: 2 * index + 1))
    }
}

/// Returns copies of a proof with one bit flipped in each byte of each hash in turn.
func eachByteFlipped(_ proof: [SHA256Digest]) -> [[SHA256Digest]] {
    var result: [[SHA256Digest]] = []
    for position in proof.indices {
        var bytes = proof[position].bytes
        for offset in bytes.indices {
            bytes[offset] ^= 0x01
            var mutated = proof
            mutated[position] = SHA256Digest(bytes: bytes)!
            result.append(mutated)
            bytes[offset] ^= 0x01
        }
    }
    return result
}

@Suite("Merkle tree (RFC 9162)")
struct MerkleTreeTests {
    let leafHashes = merkleLeaves.map { Merkle.leafHash($0) }

    // MARK: Published hashes

    @Test("Leaf, node and empty-tree hashes match the published vectors")
    func hashes() {
        #expect(Merkle.emptyRoot == merkleRoots[0])
        #expect(leafHashes == merkleNodes[0])
        for level in 1..<merkleNodes.count {
            for index in merkleNodes[level].indices {
                let children = merkleNodes[level - 1]
                #expect(Merkle.nodeHash(children[2 * index], children[2 * index + 1]) == merkleNodes[level][index])
            }
        }
        #expect(Merkle.leafHash(merkleLeaves[3]) == MerkleReference.leafHash(merkleLeaves[3]))
    }

    @Test("Roots of sizes 0 to 8 match the published vectors", arguments: 0...8)
    func roots(size: Int) throws {
        #expect(Merkle.root(ofLeafHashes: leafHashes.prefix(size)) == merkleRoots[size])
        #expect(try Merkle.root(size: size, source: InMemoryMerkleSource(leafHashes)) == merkleRoots[size])
        // A collection without contiguous storage takes the copying path.
        #expect(Merkle.root(ofLeafHashes: merkleLeaves.prefix(size).lazy.map { Merkle.leafHash($0) }) == merkleRoots[size])
    }

    @Test("A slice gives the hash of a range of leaves")
    func rangeRoot() {
        #expect(Merkle.root(ofLeafHashes: leafHashes[4..<8]) == merkleNodes[2][1])
        #expect(Merkle.root(ofLeafHashes: leafHashes[6..<8]) == merkleNodes[1][3])
        #expect(Merkle.root(ofLeafHashes: leafHashes[4..<7]) == MerkleReference.root(leafHashes[4..<7]))
    }

    @Test("The in-memory source returns every published complete subtree and refuses others")
    func inMemorySource() throws {
        let source = InMemoryMerkleSource(leafHashes)
        for level in merkleNodes.indices {
            for index in merkleNodes[level].indices {
                #expect(try source.subtreeHash(level: level, index: index) == merkleNodes[level][index])
            }
        }
        for (level, index) in [(0, 8), (1, 4), (3, 1), (4, 0), (-1, 0), (0, -1), (63, 0), (Int.max, 0), (0, Int.max)] {
            #expect(throws: MerkleError.subtreeUnavailable(level: level, index: index)) {
                try source.subtreeHash(level: level, index: index)
            }
        }
    }

    // MARK: Published proofs

    @Test("Published inclusion proofs are generated and verify", arguments: merkleInclusionVectors)
    func publishedInclusion(vector: MerkleInclusionVector) throws {
        let proof = try Merkle.inclusionProof(index: vector.index, size: vector.size, leafHashes: leafHashes)
        #expect(proof == vector.proof)
        #expect(Merkle.verifyInclusion(index: vector.index, size: vector.size, leafHash: leafHashes[vector.index],
                                       proof: vector.proof, root: merkleRoots[vector.size]))
    }

    @Test("Corrupted published inclusion proofs fail", arguments: merkleInclusionVectors)
    func corruptedInclusion(vector: MerkleInclusionVector) {
        let (index, size, proof) = (vector.index, vector.size, vector.proof)
        let root = merkleRoots[size]
        let leaf = leafHashes[index]
        // The probes of corruptInclusionProof in verify_test.go; a zero hash stands in for its empty byte string.
        var probes: [(String, Int, Int, SHA256Digest, [SHA256Digest], SHA256Digest)] = [
            ("index - 1", index - 1, size, leaf, proof, root),
            ("index + 1", index + 1, size, leaf, proof, root),
            ("index ^ 2", index ^ 2, size, leaf, proof, root),
            ("size * 2", index, size * 2, leaf, proof, root),
            ("size / 2", index, size / 2, leaf, proof, root),
            ("wrong leaf", index, size, Merkle.leafHash("WrongLeaf".utf8), proof, root),
            ("empty root", index, size, leaf, proof, Merkle.emptyRoot),
            ("random root", index, size, leaf, proof, merkleSomeHash),
            ("trailing garbage", index, size, leaf, proof + [.zero], root),
            ("trailing root", index, size, leaf, proof + [root], root),
            ("preceding garbage", index, size, leaf, [.zero] + proof, root),
            ("preceding root", index, size, leaf, [root] + proof, root),
        ]
        for position in proof.indices {
            var bytes = proof[position].bytes
            bytes[0] ^= 8
            var wrong = proof
            wrong[position] = SHA256Digest(bytes: bytes)!
            probes.append(("modified proof[\(position)] bit 3", index, size, leaf, wrong, root))
        }
        if !proof.isEmpty {
            probes.append(("removed component", index, size, leaf, Array(proof.dropLast()), root))
        }
        if proof.count > 1 {
            probes.append(("inserted component", index, size, leaf, [proof[0], merkleSomeHash] + proof.dropFirst(), root))
        }
        for (description, index, size, leaf, proof, root) in probes {
            #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof, root: root), "\(description)")
        }
    }

    @Test("Published consistency proofs are generated and verify", arguments: merkleConsistencyVectors)
    func publishedConsistency(vector: MerkleConsistencyVector) throws {
        let proof = try Merkle.consistencyProof(from: vector.oldSize, to: vector.newSize, leafHashes: leafHashes)
        #expect(proof == vector.proof)
        #expect(Merkle.verifyConsistency(oldSize: vector.oldSize, newSize: vector.newSize, oldRoot: merkleRoots[vector.oldSize],
                                         newRoot: merkleRoots[vector.newSize], proof: vector.proof))
    }

    @Test("Corrupted published consistency proofs fail", arguments: merkleConsistencyVectors.filter { !$0.proof.isEmpty })
    func corruptedConsistency(vector: MerkleConsistencyVector) {
        let (size1, size2, proof) = (vector.oldSize, vector.newSize, vector.proof)
        let (root1, root2) = (merkleRoots[size1], merkleRoots[size2])
        let wrongRoot = SHA256.hash("WrongRoot".utf8)
        // The probes of corruptConsistencyProof in verify_test.go; a zero hash stands in for its empty byte string.
        var probes: [(String, Int, Int, SHA256Digest, SHA256Digest, [SHA256Digest])] = [
            ("size1 - 1", size1 - 1, size2, root1, root2, proof),
            ("size1 + 1", size1 + 1, size2, root1, root2, proof),
            ("size1 ^ 2", size1 ^ 2, size2, root1, root2, proof),
            ("size2 * 2", size1, size2 * 2, root1, root2, proof),
            ("size2 / 2", size1, size2 / 2, root1, root2, proof),
            ("wrong root1", size1, size2, wrongRoot, root2, proof),
            ("wrong root2", size1, size2, root1, wrongRoot, proof),
            ("swapped roots", size1, size2, root2, root1, proof),
            ("empty proof", size1, size2, root1, root2, []),
            ("trailing garbage", size1, size2, root1, root2, proof + [.zero]),
            ("trailing root1", size1, size2, root1, root2, proof + [root1]),
            ("trailing root2", size1, size2, root1, root2, proof + [root2]),
            ("preceding garbage", size1, size2, root1, root2, [.zero] + proof),
            ("preceding root1", size1, size2, root1, root2, [root1] + proof),
            ("preceding root2", size1, size2, root1, root2, [root2] + proof),
            ("preceding proof[0]", size1, size2, root1, root2, [proof[0]] + proof),
            ("truncated proof", size1, size2, root1, root2, Array(proof.dropLast())),
        ]
        for position in proof.indices {
            var bytes = proof[position].bytes
            bytes[0] ^= 16
            var wrong = proof
            wrong[position] = SHA256Digest(bytes: bytes)!
            probes.append(("modified proof[\(position)] bit 4", size1, size2, root1, root2, wrong))
        }
        for (description, size1, size2, root1, root2, proof) in probes {
            #expect(!Merkle.verifyConsistency(oldSize: size1, newSize: size2, oldRoot: root1, newRoot: root2, proof: proof),
                    "\(description)")
        }
    }

    @Test("Degenerate inclusion arguments fail and a one-leaf tree needs no proof")
    func degenerateInclusion() {
        // TestVerifyInclusion and TestVerifyInclusionSingleEntry of verify_test.go.
        for (index, size) in [(0, 0), (0, 1), (1, 0), (2, 1), (-1, 1), (Int.min, Int.max), (Int.max, Int.max)] {
            #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: merkleSomeHash, proof: [], root: Merkle.emptyRoot))
        }
        let data = Merkle.leafHash("data".utf8)
        #expect(Merkle.verifyInclusion(index: 0, size: 1, leafHash: data, proof: [], root: data))
        #expect(!Merkle.verifyInclusion(index: 0, size: 1, leafHash: data, proof: [], root: .zero))
        #expect(!Merkle.verifyInclusion(index: 0, size: 1, leafHash: .zero, proof: [], root: data))
        // A proof far longer than any tree is tall stops at the top instead of running on.
        #expect(!Merkle.verifyInclusion(index: 0, size: Int.max, leafHash: data, proof: Array(repeating: data, count: 200), root: data))
    }

    @Test("Degenerate consistency arguments follow the published table")
    func degenerateConsistency() {
        // TestVerifyConsistency of verify_test.go, except that an old size of 0 must come with the empty-tree root.
        let root1 = SHA256.hash("don't care 1".utf8)
        let root2 = SHA256.hash("don't care 2".utf8)
        let empty = Merkle.emptyRoot
        let cases: [(Int, Int, SHA256Digest, SHA256Digest, [SHA256Digest], Bool)] = [
            (0, 0, root1, root2, [], false),
            (1, 1, root1, root2, [], false),
            (0, 0, root1, root1, [], true),
            (0, 1, empty, root2, [], true),
            (0, 1, root1, root2, [], false),
            (1, 1, root2, root2, [], true),
            (1, 0, root1, root2, [], false),
            (2, 1, root1, root2, [], false),
            (1, 2, root1, root2, [], false),
            (0, 0, empty, root2, [], false),
            (1, 1, empty, root2, [], false),
            (0, 0, empty, empty, [empty], false),
            (0, 1, empty, empty, [empty], false),
            (1, 1, empty, empty, [empty], false),
            (-1, 1, root1, root2, [root1], false),
            (1, -1, root1, root2, [root1], false),
            (Int.max - 1, Int.max, root1, root2, [root1, root2], false),
            (1, 2, root1, root2, Array(repeating: root1, count: 200), false),
        ]
        for (oldSize, newSize, oldRoot, newRoot, proof, valid) in cases {
            #expect(Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof) == valid,
                    "\(oldSize) to \(newSize)")
        }
    }

    @Test("Proof generation refuses impossible arguments")
    func generationErrors() {
        #expect(throws: MerkleError.indexOutOfRange(index: 8, size: 8)) { try Merkle.inclusionProof(index: 8, size: 8, leafHashes: leafHashes) }
        #expect(throws: MerkleError.indexOutOfRange(index: -1, size: 8)) { try Merkle.inclusionProof(index: -1, size: 8, leafHashes: leafHashes) }
        #expect(throws: MerkleError.indexOutOfRange(index: 0, size: 0)) { try Merkle.inclusionProof(index: 0, size: 0, leafHashes: leafHashes) }
        #expect(throws: MerkleError.sizeOutOfRange(size: 9, limit: 8)) { try Merkle.inclusionProof(index: 0, size: 9, leafHashes: leafHashes) }
        #expect(throws: MerkleError.sizeOutOfRange(size: 5, limit: 4)) { try Merkle.consistencyProof(from: 5, to: 4, leafHashes: leafHashes) }
        #expect(throws: MerkleError.sizeOutOfRange(size: -1, limit: 4)) { try Merkle.consistencyProof(from: -1, to: 4, leafHashes: leafHashes) }
        #expect(throws: MerkleError.sizeOutOfRange(size: 9, limit: 8)) { try Merkle.consistencyProof(from: 1, to: 9, leafHashes: leafHashes) }
        // A source that lacks a subtree says which one.
        let short = InMemoryMerkleSource(Array(leafHashes.prefix(5)))
        #expect(throws: MerkleError.subtreeUnavailable(level: 1, index: 2)) { try Merkle.inclusionProof(index: 0, size: 6, source: short) }
        #expect(throws: MerkleError.subtreeUnavailable(level: 1, index: 2)) { try Merkle.root(size: 6, source: short) }
        #expect(throws: MerkleError.sizeOutOfRange(size: -1, limit: .max)) { try Merkle.root(size: -1, source: short) }
        #expect(throws: MerkleError.sizeOutOfRange(size: -1, limit: .max)) { try MerkleFrontier(size: -1, source: short) }
        #expect((try? Merkle.consistencyProof(from: 0, to: 8, leafHashes: leafHashes)) == [])
        #expect((try? Merkle.consistencyProof(from: 8, to: 8, leafHashes: leafHashes)) == [])
    }

    // MARK: O(log n) reads

    @Test("An inclusion proof reads exactly the published subtrees", arguments: merkleInclusionLayouts)
    func inclusionReads(layout: MerkleNodeLayout) throws {
        let source = RecordingMerkleSource(InMemoryMerkleSource(merkleTestLeafHashes + merkleTestLeafHashes))
        let proof = try Merkle.inclusionProof(index: layout.first, size: layout.size, source: source)
        #expect(source.reads.count == layout.nodes.count)
        #expect(Set(source.reads) == Set(layout.nodes))
        #expect(proof == MerkleReference.path(layout.first, (merkleTestLeafHashes + merkleTestLeafHashes).prefix(layout.size)))
    }

    @Test("A consistency proof reads exactly the published subtrees", arguments: merkleConsistencyLayouts)
    func consistencyReads(layout: MerkleNodeLayout) throws {
        let leaves = merkleTestLeafHashes + merkleTestLeafHashes
        let source = RecordingMerkleSource(InMemoryMerkleSource(leaves))
        let proof = try Merkle.consistencyProof(from: layout.first, to: layout.size, source: source)
        #expect(source.reads.count == layout.nodes.count)
        #expect(Set(source.reads) == Set(layout.nodes))
        let expected = layout.first == layout.size ? [] : MerkleReference.subproof(layout.first, leaves.prefix(layout.size), true)
        #expect(proof == expected)
    }

    @Test("Proofs in a tree of up to 2^62 leaves read O(log n) subtrees and verify",
          arguments: [(0, 1), (999_999, 1_000_000), (123_456_789, 1 << 40 + 12_345), (1 << 40, 1 << 40 + 12_345), (Int.max - 2, Int.max - 1)])
    func largeTree(index: Int, size: Int) throws {
        let source = RecordingMerkleSource(UniformMerkleSource())
        let height = Int.bitWidth - (size - 1).leadingZeroBitCount
        let leaf = try source.subtreeHash(level: 0, index: index)
        source.reads = []
        let proof = try Merkle.inclusionProof(index: index, size: size, source: source)
        #expect(proof.count <= height)
        #expect(source.reads.count <= 2 * height)
        let root = try Merkle.root(size: size, source: source)
        #expect(Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof, root: root))

        // The leaf index doubles as an old size here.
        source.reads = []
        let consistency = try Merkle.consistencyProof(from: index + 1, to: size, source: source)
        #expect(source.reads.count <= 2 * height)
        let oldRoot = try Merkle.root(size: index + 1, source: source)
        #expect(Merkle.verifyConsistency(oldSize: index + 1, newSize: size, oldRoot: oldRoot, newRoot: root, proof: consistency))
    }

    // MARK: Exhaustive up to 64 leaves

    @Test("Every inclusion proof up to 64 leaves is the RFC's, verifies and fails when mutated", arguments: 1...64)
    func exhaustiveInclusion(size: Int) throws {
        let leaves = Array(merkleTestLeafHashes.prefix(size))
        let root = MerkleReference.root(leaves[...])
        for index in 0..<size {
            let proof = try Merkle.inclusionProof(index: index, size: size, leafHashes: leaves)
            #expect(proof == MerkleReference.path(index, leaves[...]))
            let leaf = leaves[index]
            #expect(Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof, root: root))
            let accepted = eachByteFlipped(proof).filter {
                Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: $0, root: root)
            }
            #expect(accepted.isEmpty)
            #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof + [root], root: root))
            if !proof.isEmpty {
                #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: Array(proof.dropLast()), root: root))
            }
            #expect(!Merkle.verifyInclusion(index: index ^ 1, size: size, leafHash: leaf, proof: proof, root: root))
            #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: merkleSomeHash, proof: proof, root: root))
        }
    }

    @Test("Every consistency proof up to 64 leaves is the RFC's, verifies and fails when mutated", arguments: 1...64)
    func exhaustiveConsistency(newSize: Int) throws {
        let leaves = Array(merkleTestLeafHashes.prefix(newSize))
        let newRoot = MerkleReference.root(leaves[...])
        #expect(Merkle.verifyConsistency(oldSize: 0, newSize: newSize, oldRoot: Merkle.emptyRoot, newRoot: newRoot, proof: []))
        for oldSize in 1...newSize {
            let oldRoot = MerkleReference.root(leaves.prefix(oldSize))
            let proof = try Merkle.consistencyProof(from: oldSize, to: newSize, leafHashes: leaves)
            #expect(proof == (oldSize == newSize ? [] : MerkleReference.subproof(oldSize, leaves[...], true)))
            #expect(Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof))
            let accepted = eachByteFlipped(proof).filter {
                Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: $0)
            }
            #expect(accepted.isEmpty)
            #expect(!Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof + [newRoot]))
            if !proof.isEmpty {
                #expect(!Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: Array(proof.dropLast())))
                #expect(!Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: newRoot, newRoot: oldRoot, proof: proof))
            }
        }
    }

    // MARK: Frontier

    @Test("The frontier holds the published compact ranges for sizes 0 to 8")
    func publishedCompactRanges() {
        var frontier = MerkleFrontier()
        for size in 0...8 {
            #expect(frontier.size == size)
            #expect(frontier.hashes == merkleCompactTrees[size].map { merkleNodes[$0.0][$0.1] })
            #expect(frontier.root == merkleRoots[size])
            if size < 8 { frontier.append(leafHashes[size]) }
        }
    }

    @Test("The frontier's root, size and completed subtrees agree with the recursion for every size up to 300")
    func frontierAgrees() throws {
        let leaves = (0..<300).map { MerkleReference.leafHash(Array("frontier \($0)".utf8)) }
        var frontier = MerkleFrontier()
        var completed: [MerkleNodeLayout.Pair: SHA256Digest] = [:]
        for size in 0...leaves.count {
            #expect(frontier.root == MerkleReference.root(leaves.prefix(size)))
            #expect(frontier.hashes.count == size.nonzeroBitCount)
            #expect(try MerkleFrontier(size: size, source: InMemoryMerkleSource(leaves)) == frontier)
            // Exactly the complete subtrees within `size` leaves have been reported.
            let expected = (0..<Int.bitWidth - 1).reduce(0) { $0 + size >> $1 }
            #expect(completed.count == expected)
            guard size < leaves.count else { break }
            frontier.append(leaves[size]) { subtree in
                let first = subtree.index << subtree.level
                #expect(subtree.hash == MerkleReference.root(leaves[first..<first + 1 << subtree.level]))
                #expect(completed.updateValue(subtree.hash, forKey: MerkleNodeLayout.Pair(level: subtree.level, index: subtree.index)) == nil)
            }
        }
    }

    @Test("A failing subtree report leaves the frontier unchanged")
    func frontierRetry() throws {
        struct StoreFailed: Error {}
        var frontier = MerkleFrontier()
        for leaf in leafHashes.prefix(7) { frontier.append(leaf) }
        let before = frontier
        #expect(throws: StoreFailed.self) {
            try frontier.append(leafHashes[7]) { if $0.level == 2 { throw StoreFailed() } }
        }
        #expect(frontier == before)
        var reported: [Int] = []
        frontier.append(leafHashes[7]) { reported.append($0.level) }
        #expect(reported == [0, 1, 2, 3])
        #expect(frontier.root == merkleRoots[8])
        #expect(frontier.hashes == [merkleNodes[3][0]])
    }

    @Test("Proofs from a store fed by the frontier equal those from the leaves in memory", arguments: 1...64)
    func storedSubtrees(newSize: Int) throws {
        var store = SparseStoredMerkleSource()
        var frontier = MerkleFrontier()
        for leaf in merkleTestLeafHashes.prefix(newSize) {
            frontier.append(leaf) { store.store($0) }
        }
        let memory = InMemoryMerkleSource(Array(merkleTestLeafHashes.prefix(newSize)))
        #expect(try Merkle.root(size: newSize, source: store) == frontier.root)
        #expect(try MerkleFrontier(size: newSize, source: store) == frontier)
        for index in 0..<newSize {
            #expect(try Merkle.inclusionProof(index: index, size: newSize, source: store)
                    == Merkle.inclusionProof(index: index, size: newSize, source: memory))
        }
        for oldSize in 0...newSize {
            #expect(try Merkle.consistencyProof(from: oldSize, to: newSize, source: store)
                    == Merkle.consistencyProof(from: oldSize, to: newSize, source: memory))
        }
    }
}
