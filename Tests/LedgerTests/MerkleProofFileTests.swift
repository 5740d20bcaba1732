import Integrity
import Ledger
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
}
