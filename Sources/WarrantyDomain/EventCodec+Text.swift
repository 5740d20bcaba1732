#if canImport(Glibc)
import Glibc
#endif

/// Turning stored UTF-8 into `String`s cheaply: the decoder's hottest work, since a typical event holds
/// seven strings and replay decodes millions of events.
///
/// Two costs dominate when every string goes through `String(decoding:as:)` and a byte-by-byte check:
/// the per-byte control-character test, and the standard library's general path for short strings
/// (~190 instructions for a 10-byte identifier). `TextBytes` classifies the bytes eight at a time
/// (SWAR), and `asciiString` builds short ASCII strings through
/// `String(unsafeUninitializedCapacity:initializingUTF8With:)`, whose small-string path skips UTF-8
/// validation for ASCII (~60 instructions). ASCII text cannot be repaired by decoding, so only
/// non-ASCII text still needs the "decoded bytes equal the stored bytes" comparison.
enum TextBytes {
    /// What one pass over a string's bytes found.
    enum Shape {
        /// Every byte is printable ASCII (0x20...0x7E): the bytes are valid UTF-8, one scalar each.
        case printableASCII
        /// No ASCII control byte, but at least one byte ≥ 0x80: UTF-8 validity is still to be checked.
        case mixed
        /// An ASCII control byte (0x00...0x1F or 0x7F) somewhere: refused, the slow path says where.
        case control
    }

    /// Bit 7 of each byte of the result is set where that byte of `word` is an ASCII control
    /// character (0x00...0x1F or 0x7F); bytes ≥ 0x80 are never marked (they are UTF-8 lead or
    /// continuation bytes, and a control character never hides inside a multi-byte sequence).
    ///
    /// With the top bit cleared a byte is at most 0x7F, so adding 0x60 or 0x01 cannot carry into
    /// the next byte: `+ 0x60` reaches 0x80 exactly when the byte is ≥ 0x20, `+ 0x01` exactly when
    /// it is 0x7F.
    @inline(__always)
    static func controlBytes(_ word: UInt64) -> UInt64 {
        let low7 = word & 0x7F7F_7F7F_7F7F_7F7F
        let atLeastSpace = low7 &+ 0x6060_6060_6060_6060
        let isDelete = low7 &+ 0x0101_0101_0101_0101
        return ~word & (~atLeastSpace | isDelete) & 0x8080_8080_8080_8080
    }

    /// Classifies `length` (≥ 1) bytes at `pointer`, eight at a time.
    ///
    /// `readableBefore` is how many bytes before `pointer` may also be read (they belong to the same
    /// record). A string shorter than 8 bytes is then read as the 8-byte word that ends where it ends,
    /// with the bytes before it masked off, instead of byte by byte; strings of 8 bytes or more end
    /// with an overlapping word. Nothing outside `pointer - readableBefore ..< pointer + length` is read.
    @inline(__always)
    static func shape(_ pointer: UnsafeRawPointer, _ length: Int, readableBefore: Int) -> Shape {
        var highBits: UInt64 = 0
        var control: UInt64 = 0
        if length >= 8 {
            var index = 0
            while index < length - 8 {
                let word = pointer.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                highBits |= word
                control |= controlBytes(word)
                index += 8
            }
            let last = pointer.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
            highBits |= last
            control |= controlBytes(last)
        } else if readableBefore + length >= 8 {
            // Little-endian: the string's bytes are the high `length` bytes of the word ending at its end.
            let word = UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self))
            let ours: UInt64 = ~0 &<< UInt64(8 * (8 - length))
            highBits = word & ours
            control = controlBytes(word) & ours
        } else {
            for index in 0..<length {
                let byte = pointer.load(fromByteOffset: index, as: UInt8.self)
                highBits |= UInt64(byte)
                if byte < 0x20 || byte == 0x7F { control = 0x80 }
            }
        }
        if control != 0 { return .control }
        return highBits & 0x8080_8080_8080_8080 == 0 ? .printableASCII : .mixed
    }

    /// A `String` of `length` (≥ 1) bytes of ASCII at `pointer` (the caller has checked they are ASCII);
    /// `readableBefore` bytes before `pointer` may also be read, as for `shape`.
    @inline(__always)
    static func asciiString(_ pointer: UnsafeRawPointer, _ length: Int, readableBefore: Int) -> String {
        // Up to 15 bytes fit in a small string, written in place: no allocation and, for ASCII, no
        // validation. The buffer asked for is always the full 15 bytes so that the copy can be two 8-byte
        // words instead of a call to memcpy; the standard library zeroes what lies past `length`.
        if length <= 15 && (length >= 8 || readableBefore + length >= 8) {
            return String(unsafeUninitializedCapacity: 15) { buffer in
                let target = UnsafeMutableRawPointer(buffer.baseAddress!)
                let last = pointer.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
                if length >= 8 {
                    target.storeBytes(of: pointer.loadUnaligned(as: UInt64.self), as: UInt64.self)
                    target.storeBytes(of: last, toByteOffset: length - 8, as: UInt64.self)
                } else {
                    // The string is the high `length` bytes of the word that ends where it ends.
                    let word = UInt64(littleEndian: last) &>> UInt64(8 * (8 - length))
                    target.storeBytes(of: word.littleEndian, as: UInt64.self)
                }
                return length
            }
        }
        // Longer ones need storage; here `String(decoding:)` is the cheaper way in (an ASCII scan and one copy).
        return String(decoding: UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: length),
                      as: UTF8.self)
    }

    /// A `String` of `length` bytes at `pointer` when they are valid UTF-8, else nil.
    ///
    /// Decoding repairs ill-formed UTF-8, so the bytes are valid exactly when they come back unchanged.
    /// (`String(validating:)` costs ~1,000 instructions here: it takes an unspecialised generic path.)
    @inline(__always)
    static func utf8String(_ pointer: UnsafeRawPointer, _ length: Int) -> String? {
        var text = String(decoding: UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: length),
                          as: UTF8.self)
        let unchanged = text.withUTF8 { $0.count == length && memcmp($0.baseAddress!, pointer, length) == 0 }
        return unchanged ? text : nil
    }
}

extension EventCodec {
    /// The text of `bytes` when they are valid UTF-8 (shortest forms, no surrogates), else nil.
    ///
    /// For readers of stored payloads around the event record (such as the stream name), so that they
    /// share the decoder's fast paths; no other check (control characters, length) is made.
    public static func string(validatingUTF8 bytes: UnsafeRawBufferPointer) -> String? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return "" }
        // Is it ASCII? Eight bytes at a time, the last word overlapping; byte by byte only below 8 bytes.
        var highBits: UInt64 = 0
        if bytes.count >= 8 {
            var index = 0
            while index < bytes.count - 8 {
                highBits |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                index += 8
            }
            highBits |= base.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
        } else {
            for index in 0..<bytes.count { highBits |= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) }
        }
        if highBits & 0x8080_8080_8080_8080 == 0 { return TextBytes.asciiString(base, bytes.count, readableBefore: 0) }
        return TextBytes.utf8String(base, bytes.count)
    }
}
