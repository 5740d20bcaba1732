import Testing
import WarrantyDomain
@testable import WarrantyProjections

/// The order of every answer's arrays: by id in UTF-8 byte order (SPEC §4), found by sorting 16-byte prefixes.
@Suite struct AnswerOrderTests {
    /// Ids that share their first 16 bytes or more, that differ only in Unicode normalization, that hold a NUL
    /// (which the zero-padded prefix cannot tell from an end), and plain short ones.
    static let ids = [
        "V-0000000000000001", "V-0000000000000001A", "V-000000000000000", "V-0000000000000002", "V-00000000000000010",
        "\u{E9}", "e\u{301}", "f", "A", "A\u{0}", "A\u{0}\u{0}", "", "线-2", "线-10", "V-1", "V-10", "V-2",
    ]

    static func byBytes(_ lhs: String, _ rhs: String) -> Bool {
        Array(lhs.utf8).lexicographicallyPrecedes(Array(rhs.utf8))
    }

    @Test func idsSortByTheirBytesWhateverTheirPrefixes() {
        // Every rotation of the list, forwards and backwards.
        for start in Self.ids.indices {
            let rotated = Array(Self.ids[start...] + Self.ids[..<start])
            for arrangement in [rotated, rotated.reversed()] {
                #expect(arrangement.sorted(byBytesOf: { $0 }) == Self.ids.sorted(by: Self.byBytes), "from \(start)")
                #expect(arrangement.positionsInByteOrder(of: { $0 }).map { arrangement[$0] } == Self.ids.sorted(by: Self.byBytes))
            }
        }
        // NFC "é" (C3 A9) after NFD "é" (65 CC 81) and after "f" (66): bytes, not canonical equivalence.
        #expect(["\u{E9}", "f", "e\u{301}"].sorted(byBytesOf: { $0 }) == ["e\u{301}", "f", "\u{E9}"])
    }

    @Test func equalKeysGoByTheTieThenStayInTheirOrder() {
        // Claim lines: labor before part for one id; two equal rows keep the order they came in.
        let rows: [(id: String, kind: Int, tag: Int)] = [
            ("V-00000000000000000001", 1, 0), ("V-00000000000000000001", 0, 1), ("V-00000000000000000001", 1, 2),
            ("V-00000000000000000000", 1, 3), ("V-00000000000000000001", 0, 4),
        ]
        let sorted = rows.sorted(byBytesOf: \.id) { $0.kind < $1.kind }
        #expect(sorted.map(\.tag) == [3, 1, 4, 0, 2])
    }

    @Test func claimLinesPutLaborBeforePartAndArchiveRecordsGoBySerial() {
        func line(_ id: String, _ kind: LineKind) -> ClaimLine {
            ClaimLine(line: id, kind: kind, dealer: "D", serial: "S", amount: 1, status: .pending, part: "unit",
                      failureDay: Day("2025-01-01")!)
        }
        let lines = [line("S1", .part), line("S1", .labor), line("e\u{301}", .labor), line("\u{E9}", .part)]
        #expect(ClaimLine.sorted(lines).map { "\($0.line)/\($0.kind)" } == ["S1/labor", "S1/part", "e\u{301}/labor", "\u{E9}/part"])
        func record(_ id: String, _ serial: String, cost: Fen) -> ArchiveRecord {
            ArchiveRecord(record: id, serial: serial, dealer: "D", opened: Day("2025-01-01")!, closed: nil, retainUntil: nil,
                          visits: [], swaps: [], cost: cost, expired: false)
        }
        let records = [record("C-1", "SN-2", cost: 0), record("C-1", "SN-1", cost: 1), record("C-0", "SN-9", cost: 2),
                       record("C-1", "SN-1", cost: 3)]
        #expect(ArchiveRecord.sorted(records).map(\.cost) == [2, 1, 3, 0])
    }
}
