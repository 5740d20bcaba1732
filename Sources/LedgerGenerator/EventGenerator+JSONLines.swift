import JSONText
import WarrantyDomain

extension EventGenerator {
    /// Writes the events as JSON Lines, handing `sink` chunks of about `chunkBytes` bytes; returns the event count.
    /// `progress` is told the count of events written after each chunk.
    @discardableResult
    public func writeJSONLines<Failure: Error>(chunkBytes: Int = 1 << 20, progress: ((Int) -> Void)? = nil,
                                               to sink: ([UInt8]) throws(Failure) -> Void) throws(Failure) -> Int {
        var writer = JSONWriter()
        writer.bytes.reserveCapacity(chunkBytes + 4_096)
        var count = 0
        for event in self {
            writer.write(EventEncoder.encode(event))
            writer.newline()
            count += 1
            if writer.bytes.count >= chunkBytes {
                try sink(writer.bytes)
                writer.bytes.removeAll(keepingCapacity: true)
                progress?(count)
            }
        }
        if !writer.bytes.isEmpty { try sink(writer.bytes) }
        return count
    }
}
