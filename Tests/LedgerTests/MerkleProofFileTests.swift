#if canImport(Glibc)
import Glibc
#endif
import Integrity
import Ledger
import LedgerLog
import Testing
import WarrantyDomain

/// Proof and digest files: any one byte changed anywhere makes `check-proof`'s checks fail.
@Suite struct MerkleProofFileTests {
    /// Replacements for a byte: a neighbouring value, a hex digit and structural JSON characters.
    static func replacements(for byte: UInt8) -> [UInt8] {
        Array(Set([byte ^ 0x01, byte ^ 0x20, UInt8(ascii: "0"), UInt8(ascii: "f"), UInt8(ascii: " "), UInt8(ascii: "\""),
                   UInt8(ascii: "]"), UInt8(ascii: "\n")]).subtracting([byte]))
    }

    @Test func everyOneByteChangeOfAProofFails() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(Array(generatedLines(units: 20, seed: 5).prefix(200)), to: ledger, scratch: scratch)
        let early = try ledger.merkleDigest(size: 90)
        let late = try ledger.merkleDigest()
        for proof in [try ledger.inclusionProof(seq: 37, size: 150), try ledger.consistencyProof(from: 90)] {
            let bytes = Array(proof.text.utf8)
            #expect(try MerkleProof(parsing: bytes, name: "p") == proof)
            #expect(!(try ledger.checkProof(proof)).isEmpty)
            let digests = proof.ends.count == 2 ? [("early", early), ("late", late)] : []
            var checked = 0
            for offset in bytes.indices {
                for replacement in Self.replacements(for: bytes[offset]) {
                    var changed = bytes
                    changed[offset] = replacement
                    do {
                        let parsed = try MerkleProof(parsing: changed, name: "p")
                        _ = digests.isEmpty ? try ledger.checkProof(parsed) : try Ledger.checkProof(parsed, against: digests)
                        Issue.record("byte \(offset) changed to \(replacement) still checks: \(String(decoding: changed, as: UTF8.self))")
                    } catch {
                        #expect(error.code == .verificationFailed || error.code == .usage, "byte \(offset): \(error)")
                    }
                    checked += 1
                }
            }
            #expect(checked > 7 * bytes.count)
        }
    }

    /// A proof of a tree's last record and a digest of that tree must agree on the record, not only on the root.
    @Test func aDigestWhoseHeadIsNotTheProvedLastRecordFails() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        try append(Array(generatedLines(units: 20, seed: 5).prefix(60)), to: ledger, scratch: scratch)
        let digest = try ledger.merkleDigest(size: 40)
        let last = try ledger.inclusionProof(seq: 40, size: 40)
        #expect(try Ledger.checkProof(last, against: [("d", digest)]) == ["digest d (size 40)"])
        var wrongHead = digest
        wrongHead.head = SHA256.hash(Array("another record".utf8))
        let error = #expect(throws: LedgerError.self) { try Ledger.checkProof(last, against: [("d", wrongHead)]) }
        #expect(error?.message.hasPrefix("d: the digest's head is \(wrongHead.head.hex), but the proof's record, seq 40 and the last of the tree, hashes to \(digest.head.hex)") == true,
                "\(String(describing: error))")
        // A record before the last is not the head: the head is not compared.
        #expect(try Ledger.checkProof(try ledger.inclusionProof(seq: 39, size: 40), against: [("d", wrongHead)]) == ["digest d (size 40)"])
    }

    @Test func digestTextRoundTripsAndRefusesChanges() throws {
        let digest = MerkleDigest(size: 12, root: SHA256.hash(Array("a".utf8)), head: SHA256.hash(Array("b".utf8)),
                                  recorded: "2026-11-26T08:00:00.123456Z", taken: "2026-11-26T09:00:00.000001Z")
        let bytes = Array(digest.text.utf8)
        #expect(try MerkleDigest(parsing: bytes, name: "d") == digest)
        for offset in bytes.indices {
            for replacement in Self.replacements(for: bytes[offset]) {
                var changed = bytes
                changed[offset] = replacement
                // A changed digest either fails to parse or says something else; it never reads as the same digest.
                if let parsed = try? MerkleDigest(parsing: changed, name: "d") {
                    #expect(parsed != digest, "byte \(offset)")
                }
            }
        }
        let empty = MerkleDigest(size: 0, root: Merkle.emptyRoot, head: .zero, recorded: "none", taken: "2026-11-26T09:00:00.000001Z")
        #expect(try MerkleDigest(parsing: Array(empty.text.utf8), name: "d") == empty)
        #expect(empty.text.hasPrefix("warranty-ledger digest 1\nsize 0\nroot e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nhead 0000000000000000000000000000000000000000000000000000000000000000\nrecorded none\n"))
    }

    /// Recorded times span every Int64, so years before 0000 and after 9999 print as `-0005-…` and `294247-…`:
    /// our own readers take back what `digest` and `export` print for them.
    @Test func digestsAndImportsTakeEveryRecordedTime() throws {
        let early = Timestamp.iso8601(microseconds: -62_324_985_600_000_000)
        let late = Timestamp.iso8601(microseconds: .max)
        #expect(early == "-0005-01-01T00:00:00.000000Z" && late == "294247-01-10T04:00:54.775807Z")
        for recorded in [early, late, "12026-11-26T08:00:00.123456Z"] {
            let digest = MerkleDigest(size: 1, root: SHA256.hash([1]), head: SHA256.hash([2]), recorded: recorded, taken: recorded)
            #expect(try MerkleDigest(parsing: Array(digest.text.utf8), name: "d") == digest, "\(recorded)")
        }
        for bad in ["02026-11-26T08:00:00.123456Z", "-005-01-01T00:00:00.000000Z", "--0005-01-01T00:00:00.000000Z", "2026-11-26T08:00:00.12345Z",
                    "2026-11-26 08:00:00.123456Z", "+2026-11-26T08:00:00.123456Z", "-11-26T08:00:00.123456Z"] {
            let digest = MerkleDigest(size: 1, root: SHA256.hash([1]), head: SHA256.hash([2]), recorded: bad, taken: early)
            #expect(throws: LedgerError.self, "\(bad)") { try MerkleDigest(parsing: Array(digest.text.utf8), name: "d") }
        }
        // A line exported from a ledger whose record was written at the end of time appends into a new ledger.
        let scratch = temporaryFolder()
        defer { removeFolder(scratch + "/ledger"); removeFolder(scratch) }
        let ledger = try Ledger.create(folder: scratch + "/ledger", timeZone: TimeZoneOffset("+08:00")!)
        let line = #"{"seq":1,"stream":"dealer:D1","version":1,"recorded":"\#(late)","hash":"\#(SHA256.hash([3]).hex)","type":"dealer.enrolled","at":"2025-01-01","data":{"dealer":"D1","name":"x"}}"#
        #expect(try append([line], to: ledger, scratch: scratch).appended == 1)
    }

    /// A proof or digest file larger than any proof is refused as too large (exit 65), not as unreadable.
    @Test func anOversizedProofFileIsTooLarge() throws {
        let scratch = temporaryFolder()
        defer { removeFolder(scratch) }
        let path = scratch + "/big.json"
        try DurableFiles.create(path: path, bytes: [UInt8](repeating: 0x20, count: Ledger.largestProofFile + 1))
        defer { unlink(path) }
        #expect(throws: LedgerError(.refused, "proof file \(path) is too large (\(Ledger.largestProofFile + 1) bytes; at most \(Ledger.largestProofFile))")) {
            try Ledger.readFile(path, what: "proof")
        }
        #expect(Ledger.largestProofFile == 4 << 20)
    }
}
