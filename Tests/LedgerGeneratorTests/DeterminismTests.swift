import LedgerGenerator
import Testing
import WarrantyDomain

/// The same configuration gives the same bytes; another seed gives another ledger.
@Suite struct DeterminismTests {
    func bytes(units: Int, seed: UInt64, chunkBytes: Int = 1 << 20) -> [UInt8] {
        var all: [UInt8] = []
        EventGenerator(GeneratorConfiguration(units: units, seed: seed)).writeJSONLines(chunkBytes: chunkBytes) {
            all.append(contentsOf: $0)
        }
        return all
    }

    @Test func sameSeedGivesTheSameBytes() {
        let first = bytes(units: 700, seed: 42)
        #expect(first.count > 100_000)
        #expect(first == bytes(units: 700, seed: 42))
        // Chunking changes nothing but the pieces handed to the sink.
        #expect(first == bytes(units: 700, seed: 42, chunkBytes: 1_000))
    }

    @Test func differentSeedsDiffer() {
        #expect(bytes(units: 700, seed: 42) != bytes(units: 700, seed: 43))
        #expect(bytes(units: 700, seed: 0) != bytes(units: 700, seed: UInt64.max))
    }

    @Test func eachIterationStartsAfresh() {
        let generator = EventGenerator(GeneratorConfiguration(units: 300, seed: 9))
        #expect(Array(generator) == Array(generator))
    }

    @Test func writeJSONLinesCountsLines() {
        var lines = 0
        let count = EventGenerator(GeneratorConfiguration(units: 300, seed: 9)).writeJSONLines(chunkBytes: 4_096) { chunk in
            lines += chunk.filter { $0 == 0x0A }.count
        }
        #expect(count == lines)
        #expect(count == Array(EventGenerator(GeneratorConfiguration(units: 300, seed: 9))).count)
    }

    @Test func nextSeqCountsEventsHandedOut() {
        var iterator = EventGenerator(GeneratorConfiguration(units: 200, seed: 3)).makeIterator()
        var handedOut: Int64 = 0
        while iterator.next() != nil {
            handedOut += 1
            #expect(iterator.nextSeq == handedOut + 1)
            if iterator.nextSeq != handedOut + 1 { return }
        }
    }
}
