import WarrantyDomain

/// Why snapshot bytes could not be read back as a state: truncated, corrupted, or inconsistent.
public struct SnapshotError: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// Appends fixed-width little-endian integers, presence bytes and length-prefixed UTF-8 to one growing buffer.
///
/// The buffer is raw memory owned by the writer, so a write is a capacity check and a store;
/// `finish` copies what was written into an array once.
struct SnapshotWriter: ~Copyable {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 64)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit {
        base.deallocate()
    }

    /// The bytes written.
    consuming func finish() -> [UInt8] {
        let source = base.assumingMemoryBound(to: UInt8.self)
        let written = count
        return [UInt8](unsafeUninitializedCapacity: written) { buffer, initialized in
            if written > 0 { buffer.baseAddress!.initialize(from: source, count: written) }
            initialized = written
        }
    }

    /// Calls `body` with the bytes written so far.
    func withBytes<R, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> R) throws(Failure) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Forgets the bytes written, keeping the memory for the next ones.
    mutating func removeAll() {
        count = 0
    }

    /// Makes room for `needed` more bytes.
    @inline(__always)
    private mutating func reserve(_ needed: Int) {
        if capacity - count < needed { grow(needed) }
    }

    @inline(never)
    private mutating func grow(_ needed: Int) {
        let target = max(capacity * 2, count + needed)
        let larger = UnsafeMutableRawPointer.allocate(byteCount: target, alignment: 16)
        larger.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = larger
        capacity = target
    }

    @inline(__always)
    mutating func write<T: FixedWidthInteger>(_ value: T) {
        let size = MemoryLayout<T>.size
        reserve(size)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: T.self)
        count += size
    }

    @inline(__always)
    mutating func write(_ value: Bool) {
        write(UInt8(value ? 1 : 0))
    }

    /// A `u32` element count; every count in a snapshot fits, as the ledger's limits keep them far below 2³².
    @inline(__always)
    mutating func writeCount(_ value: Int) {
        precondition(value >= 0 && value <= Int(UInt32.max), "count \(value) does not fit in u32")
        write(UInt32(truncatingIfNeeded: value))
    }

    /// `u32` byte length, then the UTF-8 bytes.
    mutating func write(_ text: String) {
        let written: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            writeBytes(UnsafeRawBufferPointer(bytes))
        }
        if written == nil {
            var copy = text
            copy.withUTF8 { writeBytes(UnsafeRawBufferPointer($0)) }
        }
    }

    @inline(__always)
    private mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        let length = bytes.count
        writeCount(length)
        reserve(length)
        guard let source = bytes.baseAddress else { return }
        let target = base + count
        if length <= 16 {
            // Short strings are most of a snapshot; a loop beats a call to memmove for them.
            for index in 0..<length {
                target.storeBytes(of: source.load(fromByteOffset: index, as: UInt8.self), toByteOffset: index, as: UInt8.self)
            }
        } else {
            target.copyMemory(from: source, byteCount: length)
        }
        count += length
    }

    /// The bytes as they are, with no length: an entry encoded elsewhere.
    mutating func write(raw bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        if let source = bytes.baseAddress { (base + count).copyMemory(from: source, byteCount: bytes.count) }
        count += bytes.count
    }

    /// A presence byte, 0 or 1, then the value when present.
    @inline(__always)
    mutating func write(_ text: String?) {
        write(text != nil)
        if let text { write(text) }
    }

    @inline(__always)
    mutating func write<T: FixedWidthInteger>(_ value: T?) {
        write(value != nil)
        if let value { write(value) }
    }

    @inline(__always)
    mutating func write(_ day: Day) {
        write(day.ordinal)
    }

    @inline(__always)
    mutating func write(_ day: Day?) {
        write(day?.ordinal)
    }

    /// `i32` day ordinal, then `i64` log position.
    @inline(__always)
    mutating func write(_ dated: Dated) {
        write(dated.day.ordinal)
        write(dated.seq)
    }

    @inline(__always)
    mutating func write(_ dated: Dated?) {
        write(dated != nil)
        if let dated { write(dated) }
    }
}

/// Reads what `SnapshotWriter` writes from raw bytes, checking every length against the bytes left.
///
/// Every read is bounds-checked and every failure is a `SnapshotError` naming the section and the
/// byte offset, so any input, however corrupted, ends in a value or an error and never a trap.
struct SnapshotReader {
    let bytes: UnsafeRawBufferPointer
    /// The section's name, for error messages.
    let section: StaticString
    /// Where `bytes` start within the section, for error messages.
    let origin: Int
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer, section: StaticString, origin: Int = 0) {
        self.bytes = bytes
        self.section = section
        self.origin = origin
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    func error(_ reason: String) -> SnapshotError {
        SnapshotError(reason: "snapshot section \(section), byte \(origin + offset): \(reason)")
    }

    /// Throws unless every byte has been read.
    func expectEnd() throws(SnapshotError) {
        guard isAtEnd else { throw error("\(remaining) bytes left over after the last field") }
    }

    @inline(__always)
    mutating func read<T: FixedWidthInteger>(_: T.Type) throws(SnapshotError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw error("needs \(size) bytes for \(T.self), has \(remaining)") }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    /// A presence or boolean byte: 0 or 1, anything else is corruption.
    @inline(__always)
    mutating func readBool() throws(SnapshotError) -> Bool {
        switch try read(UInt8.self) {
        case 0: return false
        case 1: return true
        case let other:
            offset -= 1
            throw error("byte \(other) is neither 0 nor 1")
        }
    }

    /// A `u32` count of elements each at least `minimumSize` bytes long, refused if the bytes left cannot hold them.
    @inline(__always)
    mutating func readCount(minimumSize: Int) throws(SnapshotError) -> Int {
        let count = Int(try read(UInt32.self))
        guard count <= remaining / max(minimumSize, 1) else {
            offset -= 4
            throw error("count \(count) of \(minimumSize)-byte items exceeds the \(remaining - 4) bytes left")
        }
        return count
    }

    /// The raw bytes of a length-prefixed string, without decoding them.
    @inline(__always)
    mutating func readStringBytes() throws(SnapshotError) -> UnsafeRawBufferPointer {
        let length = Int(try read(UInt32.self))
        guard length <= remaining else {
            offset -= 4
            throw error("string of \(length) bytes exceeds the \(remaining - 4) bytes left")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        offset += length
        return slice
    }

    /// A length-prefixed string, refused unless it is valid UTF-8.
    @inline(__always)
    mutating func readString() throws(SnapshotError) -> String {
        let start = offset
        let raw = try readStringBytes()
        guard let text = Self.string(raw) else {
            offset = start
            throw error("string is not valid UTF-8")
        }
        return text
    }

    @inline(__always)
    mutating func readOptionalString() throws(SnapshotError) -> String? {
        try readBool() ? try readString() : nil
    }

    @inline(__always)
    mutating func readOptional<T: FixedWidthInteger>(_: T.Type) throws(SnapshotError) -> T? {
        try readBool() ? try read(T.self) : nil
    }

    @inline(__always)
    mutating func readDay() throws(SnapshotError) -> Day {
        Day(ordinal: try read(Int32.self))
    }

    @inline(__always)
    mutating func readOptionalDay() throws(SnapshotError) -> Day? {
        try readBool() ? try readDay() : nil
    }

    @inline(__always)
    mutating func readDated() throws(SnapshotError) -> Dated {
        let day = try readDay()
        return Dated(day: day, seq: try read(Int64.self))
    }

    @inline(__always)
    mutating func readOptionalDated() throws(SnapshotError) -> Dated? {
        try readBool() ? try readDated() : nil
    }

    /// A one-byte enumeration tag, refused unless it is below `count`.
    @inline(__always)
    mutating func readTag(count: UInt8, _ what: String) throws(SnapshotError) -> UInt8 {
        let tag = try read(UInt8.self)
        guard tag < count else {
            offset -= 1
            throw error("\(what) tag \(tag) is not one of the \(count) known")
        }
        return tag
    }

    /// `raw` as a String if it is valid UTF-8.
    @inline(__always)
    static func string(_ raw: UnsafeRawBufferPointer) -> String? {
        guard let base = raw.baseAddress, raw.count > 0 else { return "" }
        let utf8 = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count)
        guard isValidUTF8(utf8) else { return nil }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Whether `bytes` are well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
    ///
    /// Written out rather than `String(validating:as:)`, which is generic and not specialised here.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        var index = 0
        // ASCII, eight bytes at a time.
        while index + 8 <= count {
            let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        @inline(__always) func isContinuation(_ offset: Int) -> Bool {
            bytes[offset] & 0xC0 == 0x80
        }
        while index < count {
            let lead = bytes[index]
            switch lead {
            case 0x00..<0x80:
                index += 1
            case 0xC2..<0xE0:
                guard index + 1 < count, isContinuation(index + 1) else { return false }
                index += 2
            case 0xE0..<0xF0:
                guard index + 2 < count, isContinuation(index + 1), isContinuation(index + 2) else { return false }
                let second = bytes[index + 1]
                if lead == 0xE0 && second < 0xA0 { return false }   // overlong
                if lead == 0xED && second >= 0xA0 { return false }  // surrogate
                index += 3
            case 0xF0..<0xF5:
                guard index + 3 < count, isContinuation(index + 1), isContinuation(index + 2), isContinuation(index + 3)
                else { return false }
                let second = bytes[index + 1]
                if lead == 0xF0 && second < 0x90 { return false }   // overlong
                if lead == 0xF4 && second >= 0x90 { return false }  // above U+10FFFF
                index += 4
            default:
                return false
            }
        }
        return true
    }

    /// Whether `lhs` sorts strictly before `rhs` byte by byte (UTF-8 code unit order).
    static func precedes(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        let common = min(lhs.count, rhs.count)
        var index = 0
        while index < common {
            let left = lhs[index], right = rhs[index]
            if left != right { return left < right }
            index += 1
        }
        return lhs.count < rhs.count
    }
}
