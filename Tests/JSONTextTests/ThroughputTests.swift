import Glibc
import Testing
@testable import JSONText

/// Prints parse and write rates; timings never fail a test. Meaningful only with `-c release`.
///
/// Each rate is given by wall clock and by this thread's CPU time; the second stays honest when other
/// processes share the machine, since a synchronous test body runs on one thread.
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
            try measure {
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
            try measure {
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
        let elapsed = measure {
            for _ in 0..<Self.lines { total &+= JSONWriter.bytes(value).count }
        }
        report("write sample line", bytes: total, lines: Self.lines, elapsed)
    }

    /// Wall-clock and thread-CPU seconds spent in `body`.
    func measure(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        func now(_ clock: clockid_t) -> Double {
            var t = timespec()
            clock_gettime(clock, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
        let wall = now(CLOCK_MONOTONIC), cpu = now(CLOCK_THREAD_CPUTIME_ID)
        try body()
        return (now(CLOCK_MONOTONIC) - wall, now(CLOCK_THREAD_CPUTIME_ID) - cpu)
    }

    func report(_ what: String, bytes: Int, lines: Int, _ elapsed: (wall: Double, cpu: Double)) {
        func rate(_ seconds: Double) -> String {
            "\(Int(Double(bytes) / seconds / 1e6)) MB/s, \(Int(Double(lines) / seconds)) lines/s"
        }
        print("JSONText throughput: \(what), \(lines) lines: wall \(rate(elapsed.wall)); thread CPU \(rate(elapsed.cpu))")
    }
}
