import Foundation
import JSONText
import Testing
import WarrantyDomain

#if canImport(Glibc)
import Glibc
#endif

/// Measures stored-event throughput when `DOMAIN_BENCH` is set; meaningful only in release:
/// `DOMAIN_BENCH=1 swift test -c release --no-parallel --filter CodecThroughput`.
///
/// Rates are per second of this thread's CPU time, so that other processes on a shared machine
/// distort them less than wall-clock rates (printed too).
@Suite("Stored codec throughput", .enabled(if: ProcessInfo.processInfo.environment["DOMAIN_BENCH"] != nil))
struct CodecThroughputTests {
    /// The worked example's events: what a real log holds (no policy after the first line, short ASCII ids).
    static func harvester() throws -> [Event] {
        try HarvesterExample.lines().map { try EventDecoder.decode(JSONParser.parse($0), zone: .chinaStandard) }
    }

    /// Nanoseconds of CPU time this thread has used.
    static func threadCPUNanoseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }

    /// Runs `body`, which handles `count` events, and prints events per CPU second and per wall second.
    static func rate(_ label: String, count: Int, _ body: () throws -> Void) rethrows -> Double {
        let wallStart = ContinuousClock.now
        let cpuStart = threadCPUNanoseconds()
        try body()
        let cpu = Double(threadCPUNanoseconds() - cpuStart) / 1e9
        let wall = ContinuousClock.now - wallStart
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
        let perCPUSecond = Double(count) / cpu
        print("  \(label): \(Int(perCPUSecond)) events/CPU-s (\(Int(Double(count) / wallSeconds)) events/wall-s)")
        return perCPUSecond
    }

    @Test(arguments: ["harvester", "samples"])
    func throughput(_ mix: String) throws {
        let events = mix == "harvester" ? try Self.harvester() : Samples.all.map(\.event)
        let copies = 200_000 / events.count + 1
        var log: [UInt8] = []
        var bounds: [Range<Int>] = []
        for _ in 0..<copies {
            for event in events {
                let start = log.count
                EventCodec.encode(event, into: &log)
                bounds.append(start..<log.count)
            }
        }
        print("codec throughput, \(mix) mix (\(bounds.count) events, \(log.count / bounds.count) bytes average):")
        var checksum = 0
        let rounds = 5
        let decodeRate = try log.withUnsafeBytes { raw in
            try Self.rate("decode", count: bounds.count * rounds) {
                for _ in 0..<rounds {
                    for range in bounds {
                        let event = try EventCodec.decode(UnsafeRawBufferPointer(rebasing: raw[range]))
                        checksum &+= Int(event.day.ordinal)
                    }
                }
            }
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        let encodeRate = Self.rate("encode", count: bounds.count * rounds) {
            for _ in 0..<rounds {
                for index in bounds.indices {
                    buffer.removeAll(keepingCapacity: true)
                    EventCodec.encode(events[index % events.count], into: &buffer)
                    checksum &+= buffer.count
                }
            }
        }
        let lines = mix == "harvester" ? try HarvesterExample.lines() : Samples.all.map(\.line)
        let values = try lines.map { try JSONParser.parse($0) }
        let jsonRounds = 50_000 / values.count + 1
        _ = try Self.rate("EventDecoder.decode (parsed JSON → Event)", count: values.count * jsonRounds) {
            for _ in 0..<jsonRounds {
                for value in values { checksum &+= Int(try EventDecoder.decode(value, zone: .chinaStandard).day.ordinal) }
            }
        }
        #expect(checksum != 0)
        #expect(decodeRate > 0 && encodeRate > 0)
    }
}
