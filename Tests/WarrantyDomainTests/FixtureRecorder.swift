import Foundation
import Testing
import WarrantyDomain

/// Prints the fixture table of `CodecFixtureTests` when `RECORD_FIXTURES` is set; a new fixture is added by hand,
/// an existing one is never re-recorded (that would hide a format change).
@Test(.enabled(if: ProcessInfo.processInfo.environment["RECORD_FIXTURES"] != nil))
func recordFixtures() {
    for sample in Samples.all {
        let hex = EventCodec.encode(sample.event).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        print("        \"\(sample.name)\": \"\(hex)\",")
    }
}
