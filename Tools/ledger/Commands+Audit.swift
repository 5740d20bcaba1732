import Ledger

/// `digest`, `prove` and `check-proof`: Merkle checkpoints and proofs for auditors.
extension Commands {
    static func digest(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["known-at"])
        let size = try arguments.integer("known-at", in: 0...Int64.max)
        output.write(try Ledger(folder: folder).merkleDigest(size: size).text)
    }

    static func prove(_ arguments: Arguments, folder: String, _ output: inout Output) throws(LedgerError) {
        try arguments.expect(options: ["from", "size"], positionals: 0...1)
        let size = try arguments.integer("size", in: 0...Int64.max)
        let ledger = try Ledger(folder: folder)
        let proof: MerkleProof
        if let from = try arguments.integer("from", in: 1...Int64.max) {
            guard arguments.positionals.isEmpty else { throw LedgerError(.usage, "prove takes either SEQ or --from M, not both") }
            proof = try ledger.consistencyProof(from: from, size: size)
        } else {
            guard let text = arguments.positionals.first else {
                throw LedgerError(.usage, "prove needs SEQ (inclusion) or --from M (consistency) (see `ledger help`)")
            }
            guard let seq = Int64(text), seq >= 1 else { throw LedgerError(.usage, "SEQ must be a whole number from 1, not \"\(text)\"") }
            proof = try ledger.inclusionProof(seq: seq, size: size)
        }
        output.write(proof.text)
    }

    /// `check-proof FILE [--digest FILE]...`: `--digest` may be repeated, so it is read from the words themselves.
    static func checkProof(_ words: [String], folder: String, _ output: inout Output) throws(LedgerError) {
        var positionals: [String] = []
        var digestPaths: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if word == "--digest" || word == "--dir" {
                guard index < words.count else { throw LedgerError(.usage, "\(word) needs a value") }
                if word == "--digest" { digestPaths.append(words[index]) }
                index += 1
            } else if word.hasPrefix("--digest=") {
                digestPaths.append(String(word.dropFirst("--digest=".count)))
            } else if word.hasPrefix("--dir=") {
                continue
            } else if word.hasPrefix("--") && word.count > 2 {
                throw LedgerError(.usage, "check-proof does not take \(word) (see `ledger help`)")
            } else {
                positionals.append(word)
            }
        }
        // The first positional is the command itself.
        guard positionals.count == 2 else {
            throw LedgerError(.usage, "check-proof takes one proof file, got \(positionals.count - 1) (see `ledger help`)")
        }
        guard digestPaths.count <= 2 else { throw LedgerError(.usage, "--digest may be given at most twice") }
        let proofPath = positionals[1]
        let proof = try MerkleProof(parsing: try readSmallFile(proofPath, what: "proof"), name: proofPath)
        var digests: [(name: String, digest: MerkleDigest)] = []
        for path in digestPaths {
            digests.append((path, try MerkleDigest(parsing: try readSmallFile(path, what: "digest"), name: path)))
        }
        // Against digests the ledger is not needed, so an auditor can check proofs away from it; an end of the
        // proof that no digest names is checked against the ledger, since a proof alone does not fix its sizes.
        var matched = try Ledger.checkProof(proof, against: digests)
        let uncovered = Ledger.uncoveredSizes(of: proof, by: digests.map(\.digest))
        if !uncovered.isEmpty {
            let ledger: Ledger
            do {
                ledger = try Ledger(folder: folder)
            } catch where error.code == .notFound {
                // Only a missing ledger is "no ledger"; one that cannot be opened says why (I/O, a damaged manifest…).
                let sizes = uncovered.sorted().map(String.init).joined(separator: " and ")
                throw LedgerError(.verificationFailed, "no digest vouches for the proof's size \(sizes), and there is no ledger at "
                                  + "\(folder) to check it against: give the digest taken at that size, or run in the ledger's folder")
            }
            matched += try ledger.checkProof(proof, sizes: uncovered)
        }
        output.write("proof: valid \(proof.summary)\n")
        for item in matched { output.write("matches: \(item)\n") }
    }

    static func readSmallFile(_ path: String, what: String) throws(LedgerError) -> [UInt8] {
        try Ledger.readFile(path, what: what)
    }
}
