/// A fast check of `at` in its three common shapes, for the decoder's "stored day agrees with `at`" check.
///
/// Every stored event re-checks its `at` against the stored business day, and `BusinessTime.parse` takes
/// ~200 instructions for it (a call per field, optionals, the offset parsed into a value nobody needs).
/// These shapes are checked here eight bytes at a time instead (SWAR):
///
/// - `YYYY-MM-DD` (10 bytes)
/// - `YYYY-MM-DDTHH:MM:SSZ` (20 bytes, `t` and `z` may be lowercase)
/// - `YYYY-MM-DDTHH:MM:SS±HH:MM` (25 bytes)
///
/// It only ever says "valid, with this date" or "don't know": anything else, including every invalid
/// text, goes to `BusinessTime.parse`, which stays the one definition of a business time (and of the
/// refusal). So this accepts a subset of what the parser accepts and reports the same date for it.
enum CommonBusinessTime {
    /// The written date and whether a time of day follows, or nil when `length` bytes at `pointer` are
    /// not one of the common shapes with valid fields (the caller then asks `BusinessTime.parse`).
    @inline(__always)
    static func parse(_ pointer: UnsafeRawPointer, _ length: Int) -> (date: Day, hasTime: Bool)? {
        guard length == 10 || length == 20 || length == 25 else { return nil }
        // Bytes 0..<8 `YYYY-MM-`.
        let head = load(pointer, 0) ^ pattern("0000-00-")
        guard fits(head, limits: limits("dddd-dd-")) else { return nil }
        let year = digits(head, 0, 4)
        let month = digits(head, 5, 2)
        if length == 10 {
            // Bytes 2..<10 `YY-MM-DD`, overlapping the first word.
            let tail = load(pointer, 2) ^ pattern("00-00-00")
            guard fits(tail, limits: limits("dd-dd-dd")) else { return nil }
            return day(year: year, month: month, day: digits(tail, 6, 2)).map { ($0, false) }
        }
        // Bytes 8..<16 `DDTHH:MM`; `t` is accepted too, by setting bit 5 of that byte before comparing.
        let middle = (load(pointer, 8) | caseBit(at: 2)) ^ pattern("00t00:00")
        guard fits(middle, limits: limits("ddtdd:dd")),
              digits(middle, 3, 2) < 24, digits(middle, 6, 2) < 60 else { return nil }
        let dayOfMonth = digits(middle, 0, 2)
        if length == 20 {
            // Bytes 12..<20 `H:MM:SSZ`, overlapping; `z` is accepted too.
            let end = (load(pointer, 12) | caseBit(at: 7)) ^ pattern("0:00:00z")
            guard fits(end, limits: limits("d:dd:ddz")), digits(end, 5, 2) <= 60 else { return nil }
        } else {
            // Byte 16 `:`, then bytes 17..<25 `SS±HH:MM`; the sign byte is checked on its own (the word
            // check passes any ASCII byte in that position: its pattern and limit there are zero).
            let sign = pointer.load(fromByteOffset: 19, as: UInt8.self)
            let end = load(pointer, 17) ^ pattern("00\u{0}00:00")
            guard pointer.load(fromByteOffset: 16, as: UInt8.self) == UInt8(ascii: ":"),
                  sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                  fits(end, limits: limits("dd\u{0}dd:dd")),
                  digits(end, 0, 2) <= 60, digits(end, 3, 2) < 24, digits(end, 6, 2) < 60 else { return nil }
        }
        return day(year: year, month: month, day: dayOfMonth).map { ($0, true) }
    }

    /// `Day(year:month:day:)` for a year of four digits (0...9999), in wrapping arithmetic: the same days
    /// (years 1...9999, months 1...12, days of the month, 29 February in leap years) and the same ordinals,
    /// for ~25 instructions instead of ~75.
    @inline(__always)
    private static func day(year: Int, month: Int, day: Int) -> Day? {
        guard year >= 1, month >= 1, month <= 12, day >= 1 else { return nil }
        let leap = year & 3 == 0 && (year % 100 != 0 || year % 400 == 0)
        // Days before the month in a common year, and the month's length (February's for a common year).
        let before = daysBeforeMonth(month)
        let length = daysBeforeMonth(month &+ 1) &- before
        guard day <= length || (leap && month == 2 && day == 29) else { return nil }
        // Days from 0001-01-01 to the first of `year`, then to the day; 0001-01-01 is ordinal -719,162.
        let y = year &- 1
        let yearStart = y &* 365 &+ y / 4 &- y / 100 &+ y / 400
        let ordinal = yearStart &+ before &+ (leap && month > 2 ? 1 : 0) &+ day &- 1 &- 719_162
        return Day(ordinal: Int32(truncatingIfNeeded: ordinal))
    }

    /// Days before month `month` (1...13) of a common year.
    @inline(__always)
    private static func daysBeforeMonth(_ month: Int) -> Int {
        // 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365
        (367 &* month &- 362) / 12 &- (month > 2 ? 2 : 0)
    }

    /// Eight bytes at `offset`, byte 0 in the low bits.
    @inline(__always)
    private static func load(_ pointer: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The eight ASCII bytes of `text` as a little-endian word (evaluated at compile time for literals).
    @inline(__always)
    private static func pattern(_ text: StaticString) -> UInt64 {
        var word: UInt64 = 0
        for index in 0..<8 {
            word |= UInt64(text.utf8Start[index]) << (8 * UInt64(index))
        }
        return word
    }

    /// Per byte of `shape`, `0x7F - limit`, where the limit is 9 for `d` (a digit: the byte XOR `0` is at
    /// most 9), 0 for a literal byte (the byte XOR the literal is 0), and 0x7F for a NUL (anything ASCII).
    @inline(__always)
    private static func limits(_ shape: StaticString) -> UInt64 {
        var word: UInt64 = 0
        for index in 0..<8 {
            let byte = shape.utf8Start[index]
            let limit: UInt64 = byte == UInt8(ascii: "d") ? 9 : byte == 0 ? 0x7F : 0
            word |= (0x7F - limit) << (8 * UInt64(index))
        }
        return word
    }

    /// Bit 5 (ASCII lowercase) of byte `index`.
    @inline(__always)
    private static func caseBit(at index: UInt64) -> UInt64 { 0x20 << (8 * index) }

    /// Whether every byte of `x` (text XOR pattern) is at most its limit: with bit 7 cleared a byte plus
    /// `0x7F - limit` reaches 0x80 exactly when it exceeds the limit, and cannot carry into the next byte;
    /// a byte that had bit 7 set (not ASCII) fails through the final OR.
    @inline(__always)
    private static func fits(_ x: UInt64, limits addend: UInt64) -> Bool {
        (((x & 0x7F7F_7F7F_7F7F_7F7F) &+ addend) | x) & 0x8080_8080_8080_8080 == 0
    }

    /// The decimal number in `count` checked digit bytes of `x` from byte `first` on.
    @inline(__always)
    private static func digits(_ x: UInt64, _ first: Int, _ count: Int) -> Int {
        var value = 0
        for index in first..<first + count {
            value = value &* 10 &+ Int(truncatingIfNeeded: (x &>> UInt64(8 * index)) & 0xFF)
        }
        return value
    }
}
