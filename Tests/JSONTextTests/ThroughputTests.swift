import Testing
@testable import JSONText

/// Prints parse and write rates; timings never fail a test. Meaningful only with `-c release`.
@Suite(.serialized) struct ThroughputTests {
    #if DEBUG
    static let lines = 20_000
    #else
    static let lines = 1_000_000
    #endif

    @Test func sampleLineParseRate() throws {
        let bytes = Array(sampleLine.utf8)
        var checksum = 0
        let elapsed = try bytes.withUnsafeBytes { buffer in
            try ContinuousClock().measure {
                for _ in 0..<Self.lines {
                    if case .object(let members) = try JSONParser.parse(buffer) { checksum &+= members.count }
                }
            }
        }
        #expect(checksum == 5 * Self.lines)
        report("parse sample line (\(bytes.count) B)", bytes: bytes.count * Self.lines, lines: Self.lines, elapsed)
    }

    @Test func jsonLinesBufferParseRate() throws {
        // A mixed JSON Lines buffer, split at line feeds and parsed slice by slice as the ingester would.
        var text = ""
        for n in 0..<1_000 {
            text += #"{"type":"claim.filed","at":"2026-03-\#(n % 28 + 1)","id":"erp-\#(n)","by":"dealer:D0\#(n % 9)","data":{"claim":"C-\#(n)","serial":"SN\#(n)","lines":[{"part":"P-1","qty":\#(n % 5 + 1),"amount":12.50},{"part":"P-\#(n)","qty":1,"amount":\#(n * 100)}],"note":"更换\tpump \"A\" \u00e9"}}"#
            text += "\n"
        }
        let bytes = Array(text.utf8)
        let repeats = max(1, Self.lines / 1_000 / 2)
        var count = 0
        let elapsed = try bytes.withUnsafeBytes { buffer in
            try ContinuousClock().measure {
                for _ in 0..<repeats {
                    var start = 0
                    for k in 0..<buffer.count where buffer[k] == 0x0A {
                        _ = try JSONParser.parse(UnsafeRawBufferPointer(rebasing: buffer[start..<k]))
                        count += 1
                        start = k + 1
                    }
                }
            }
        }
        #expect(count == 1_000 * repeats)
        report("parse mixed JSON Lines (avg \(bytes.count / 1_000) B)", bytes: bytes.count * repeats, lines: count, elapsed)
    }

    @Test func sampleLineWriteRate() throws {
        let value = try JSONParser.parse(sampleLine)
        var total = 0
        let elapsed = ContinuousClock().measure {
            for _ in 0..<Self.lines { total &+= JSONWriter.bytes(value).count }
        }
        report("write sample line", bytes: total, lines: Self.lines, elapsed)
    }

    func report(_ what: String, bytes: Int, lines: Int, _ elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let mbps = Double(bytes) / seconds / 1e6
        let lps = Double(lines) / seconds
        print("JSONText throughput: \(what): \(Int(mbps)) MB/s, \(Int(lps)) lines/s (\(lines) lines in \(Int(seconds * 1000)) ms)")
    }
}
