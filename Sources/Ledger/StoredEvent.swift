import WarrantyDomain

/// The payload of a log record: the event's stream, its version within that stream and the event's binary encoding.
///
/// Layout: payload format u8 (= 1), stream byte length u16, stream (UTF-8), stream version u32,
/// then the event as `EventCodec` encodes it, to the end of the payload. Little-endian.
public struct StoredEvent: Hashable, Sendable {
    public static let format: UInt8 = 1
    /// The aggregate the event belongs to, e.g. `unit:SN1`, `dealer:D01`, `policy:P1`.
    public var stream: String
    /// 1 for the stream's first event, counting every event of the stream in log order.
    public var version: UInt32
    public var event: Event

    public init(stream: String, version: UInt32, event: Event) {
        self.stream = stream
        self.version = version
        self.event = event
    }

    /// Appends the payload bytes to `buffer`.
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(StoredEvent.format)
        let streamBytes = Array(stream.utf8)
        precondition(streamBytes.count <= Int(UInt16.max), "stream name too long")
        buffer.appendLittle(UInt16(streamBytes.count))
        buffer.append(contentsOf: streamBytes)
        buffer.appendLittle(version)
        EventCodec.encode(event, into: &buffer)
    }

    /// Decodes a payload; throws a description of the first problem.
    public init(decoding payload: UnsafeRawBufferPointer) throws(StoredEventError) {
        guard let format = payload.first else { throw StoredEventError(reason: "empty payload") }
        guard format == StoredEvent.format else { throw StoredEventError(reason: "unknown payload format \(format)") }
        guard payload.count >= 7 else { throw StoredEventError(reason: "payload of \(payload.count) bytes, shorter than its 7-byte header") }
        let streamLength = Int(UInt16(littleEndian: payload.loadUnaligned(fromByteOffset: 1, as: UInt16.self)))
        guard payload.count >= 3 + streamLength + 4 else { throw StoredEventError(reason: "payload too short for its stream name") }
        // The codec's text fast path: an ASCII name needs no validation, and one of up to 15 bytes no allocation.
        let streamBytes = UnsafeRawBufferPointer(start: payload.baseAddress! + 3, count: streamLength)
        guard streamLength > 0, let stream = EventCodec.string(validatingUTF8: streamBytes) else {
            throw StoredEventError(reason: streamLength == 0 ? "empty stream name" : "stream name is not valid UTF-8")
        }
        let version = UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 3 + streamLength, as: UInt32.self))
        let event: Event
        do {
            event = try EventCodec.decode(UnsafeRawBufferPointer(rebasing: payload[(7 + streamLength)...]))
        } catch {
            throw StoredEventError(reason: "event: \(error)")
        }
        // One initialisation of self instead of three stored-property assignments avoids a full copy of the value.
        self.init(stream: stream, version: version, event: event)
    }
}

/// A stored payload that cannot be decoded.
public struct StoredEventError: Error, Equatable, Sendable {
    public var reason: String
}

extension StoredEvent {
    /// Whether a payload holds an `event.voided`, read from its type tag without decoding the event.
    static func isVoid(_ payload: UnsafeRawBufferPointer) -> Bool {
        tag(payload) == voidTag
    }

    /// Whether a payload holds a `dealer.enrolled` or a `policy.published` (what any unit's events may
    /// refer to), read from its type tag.
    static func isReference(_ payload: UnsafeRawBufferPointer) -> Bool {
        let tag = tag(payload)
        return tag == enrolmentTag || tag == policyTag
    }

    /// Whether the payload holds an event of one of `types`, read from its type tag without decoding the event;
    /// true when the header cannot be read, so that decoding reports it.
    static func hasType(_ payload: UnsafeRawBufferPointer, _ types: [EventType]) -> Bool {
        guard let tag = tag(payload) else { return true }
        return types.contains { EventCodec.tag(of: $0) == tag }
    }

    /// Whether the payload's stream is one of `streams` (all when nil), read from its header without decoding
    /// the event. Names compare as strings, as identifiers do: a serial written in another Unicode
    /// normalization names the same unit, though its stream's bytes differ.
    static func inStreams(_ streams: Set<String>?, _ payload: UnsafeRawBufferPointer) -> Bool {
        guard let streams, let stream = streamBytes(payload) else { return true }
        return streams.contains(String(decoding: stream, as: UTF8.self))
    }

    /// The stream name's bytes, read from the payload's header without decoding the event.
    static func streamBytes(_ payload: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard payload.count >= 3 else { return nil }
        let length = Int(UInt16(littleEndian: payload.loadUnaligned(fromByteOffset: 1, as: UInt16.self)))
        guard 3 + length <= payload.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: payload[3..<3 + length])
    }

    private static func tag(_ payload: UnsafeRawBufferPointer) -> UInt8? {
        guard payload.count >= 3 else { return nil }
        let tagOffset = 3 + Int(UInt16(littleEndian: payload.loadUnaligned(fromByteOffset: 1, as: UInt16.self))) + 4 + 1
        return tagOffset < payload.count ? payload[tagOffset] : nil
    }

    private static let voidTag = EventCodec.tag(of: .eventVoided)
    private static let enrolmentTag = EventCodec.tag(of: .dealerEnrolled)
    private static let policyTag = EventCodec.tag(of: .policyPublished)
}
