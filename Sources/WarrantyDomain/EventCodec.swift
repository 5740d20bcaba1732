/// # Stored event encoding, version 1
///
/// How one `Event` is stored in the log. This format is read forever: never change what a byte means;
/// a new event type takes the next tag, and a change to an existing layout takes a new codec version.
///
/// ## Primitives
///
/// All integers are fixed width, little-endian; signed ones are two's complement.
///
/// | name | bytes | meaning |
/// |---|---|---|
/// | `u8`, `u16` | 1, 2 | unsigned integer |
/// | `i32`, `i64` | 4, 8 | signed integer |
/// | `bool` | 1 | `0` false, `1` true; any other value is refused |
/// | `day` | 4 | `i32`: days since 1970-01-01 (1970-01-01 is 0, 1969-12-31 is −1) |
/// | `money` | 8 | `i64`: fen, 0...1,000,000,000,000 |
/// | `str` | 2 + n | `u16` n = byte length, then n bytes of UTF-8 (no BOM, no terminator) |
/// | `list<T>` | 2 + … | `u16` count, then that many `T` one after another |
/// | `monthDay` | 2 | `u8` month 1–12, then `u8` day of month (valid in a leap year: `02-29` allowed) |
///
/// Every `str` must be valid UTF-8 (shortest forms, no surrogates), contain no control character
/// (bytes 0x00–0x1F, 0x7F), and hold 1...max Unicode scalars, where max is 64 for identifiers and names
/// of models and parts, 128 for `id`, 256 for free text and 64 for `at` (see `Limits`).
/// Every number must lie in the range `Limits` gives its field.
///
/// ## Record
///
/// | bytes | field |
/// |---|---|
/// | `u8` | codec version, `1` |
/// | `u8` | type tag, see the table below |
/// | `u8` | envelope presence bits: bit 0 (value 1) `id`, bit 1 (value 2) `by`; bits 2–7 are zero |
/// | `day` | business day of `at` in the ledger's time zone (see `day` below) |
/// | `str` | `at`, exactly as written: `YYYY-MM-DD` or an RFC 3339 date-time with offset |
/// | `str` | `id`, only when bit 0 is set |
/// | `str` | `by`, only when bit 1 is set |
/// | `u16` | body presence bits: bit *k* (value 2^k) set when the body's *k*-th optional field is present; bits the type does not define are zero |
/// | … | the body's fields in the order of its table; an optional field (marked `bit k`) is there only when its bit is set |
///
/// The record ends with its last body field and carries no length of its own: the log's framing gives it,
/// and a reader refuses bytes left over.
///
/// ## `at`
///
/// `at` is 10 to 64 bytes of ASCII, in exactly one of two forms; any other text is refused:
///
/// | form | shape | bytes |
/// |---|---|---|
/// | date | `YYYY-MM-DD` | exactly 10 |
/// | date-time | `YYYY-MM-DD` `T` `HH:MM:SS`, optionally `.` and a fraction, then an offset | 20 to 64 |
///
/// - `YYYY-MM-DD`: year `0001`–`9999`, month `01`–`12`, and a day of that month in the proleptic Gregorian
///   calendar (`02-29` only in leap years: divisible by 4 and not by 100, or by 400). Always 4, 2 and 2 digits.
/// - The separator is `T` or `t`.
/// - `HH` is `00`–`23`, `MM` `00`–`59`, `SS` `00`–`60` (`60` is accepted with any hour and minute).
/// - The fraction, if any, is `.` followed by one or more digits (as many as the 64 bytes leave room for).
/// - The offset is `Z`, `z`, `+HH:MM` or `-HH:MM`, with hours `00`–`23` and minutes `00`–`59`; `+00:00` and
///   `-00:00` are UTC, like `Z`.
/// - Digits are ASCII `0`–`9`; there are no spaces, and nothing follows the offset.
///
/// ## `day`
///
/// `day` is the business day of `at` in the ledger's time zone: the manifest's `time-zone`, `zone` minutes east
/// of UTC (−1439…1439; `+08:00` is 480).
///
/// - For a date, `day` is that date.
/// - For a date-time with date D, hour h, minute m and offset `offset` minutes east of UTC (`Z` is 0, `-05:30`
///   is −330), `day` = D + ⌊(60·h + m − offset + zone) / 1440⌋ days, the division rounding down (toward −∞),
///   so D − 2 … D + 2. `2025-04-09T20:00:00-08:00` in `+08:00` is 2025-04-10 (1200 + 480 + 480 = 2160 minutes).
///   Only hours and minutes count: seconds and the fraction never move the day (`23:59:60` stays on its date).
///   Shifted by up to two days, `day` may lie just outside the years 0001–9999.
///
/// `append` stores exactly this day, and `day` must equal it. The codec alone knows no time zone, so it checks
/// only what holds in every zone: for a date, `day` equals the date; for a date-time, `day` lies within two
/// days of the written date. `ledger verify` checks that `day` equals the business day in the ledger's zone.
///
/// ## String equality
///
/// Wherever this format says "no duplicates" or compares two `str`, it means Swift's `String` equality:
/// Unicode canonical equivalence. Two strings are equal when their canonical decompositions (NFD) are the
/// same sequence of scalars, whatever their bytes: `é` as U+00E9 equals `e` followed by U+0301, and `Å`
/// U+212B ANGSTROM SIGN equals U+00C5. It applies to duplicates within `models`, `excluded` and `lines`; to
/// two `components` with the same `part`; and to an `excluded` name that is also a component's `part`.
/// (`partReturnDeadlines` duplicates compare month and day.) Strings are stored and printed with their bytes
/// exactly as written, never normalized.
///
/// ## Type tags and bodies
///
/// Enumerations are `u8` codes given with each field.
///
/// **0 `policy.published`**
/// 1. `str` policy
/// 2. `list<str>` models (1–1000 names, no duplicates)
/// 3. `day` effective (a day of the years 0001–9999)
/// 4. `u8` clockStart: 0 `sale`, 1 `install`
/// 5. `i32` returnDays (0–36500)
/// 6. `i32` exchangeDays (returnDays–36500)
/// 7. `i32` warrantyMonths (1–1200)
/// 8. bit 0: `list<component>` components (0–1000, no two with the same part); component = `str` part, `i32` months (1–1200)
/// 9. bit 1: `list<str>` excluded (0–1000 part names, no duplicates, none of them a component's part)
/// 10. bit 2: `i32` escalateAfter (0–1000)
/// 11. bit 3: `i32` maxRepairDays (0–36500)
/// 12. bit 4: `i32` registrationDays (0–36500)
/// 13. bit 5: `list<monthDay>` partReturnDeadlines (0–1000, no duplicates)
/// 14. bit 6: `i32` retentionYears (1–100)
/// 15. `money` laborRate (fen per hour)
/// 16. bit 7: sla = `i32` onsiteHours, `i32` resolveHours (each 0–100000)
///
/// **1 `dealer.enrolled`**: `str` dealer, `str` name, bit 0: `str` region.
///
/// **2 `unit.sold`**: `str` serial, `str` model, `str` dealer, bit 0: `str` customer, bit 1: `str` invoice,
/// `money` price.
///
/// **3 `card.registered`**: `str` serial.
///
/// **4 `unit.installed`**: `str` serial, bit 0: `str` site.
///
/// **5 `complaint.lodged`**: `str` complaint, `str` serial, bit 0: `str` part, `str` fault.
///
/// **6 `visit.recorded`**: `str` visit, `str` serial, `str` dealer, bit 0: `str` complaint,
/// `u8` kind (0 `repair`, 1 `return`, 2 `inspection`),
/// `u8` finding (0 `defect`, 1 `misuse`, 2 `supplier`, 3 `none`),
/// `i32` laborMinutes (0–100000), `money` travel, `bool` resolved.
///
/// **7 `part.swapped`**: `str` swap, `str` visit, `str` serial, `str` part, bit 0: `str` removed,
/// bit 1: `str` installed, `money` cost.
///
/// **8 `part.returned`**: `str` swap.
///
/// **9 `part.appraised`**: `str` swap, `u8` verdict (0 `defect`, 1 `premature`, 2 `misuse`, 3 `no-fault`),
/// `u8` disposition (0 `reusable`, 1 `scrap`).
///
/// **10 `cost.written-off`**: `str` notice, `str` dealer, `list<str>` lines (1–1000 line ids, no duplicates),
/// `money` amount.
///
/// **11 `writeoff.confirmed`**: `str` notice.
///
/// **12 `dealer.invoiced`**: `str` dealer, `str` invoice, `money` amount.
///
/// **13 `payment.received`**: `str` dealer, `money` amount, bit 0: `str` ref.
///
/// **14 `unit.returned`**: `str` serial, `money` refund.
///
/// **15 `unit.exchanged`**: `str` serial, `str` replacement.
///
/// **16 `event.voided`**: `i64` seq (≥ 1), `str` reason.
///
/// Free text fields (256 scalars): name, region, customer, site, fault, reason, `by`. Every other `str` of a
/// body is an identifier or a name (64 scalars).
///
/// ## Example
///
/// `{"type":"card.registered","at":"2025-04-10","data":{"serial":"H9-001"}}` in any zone:
///
/// ```text
/// 01 03 00 dc 4e 00 00           version 1, tag 3, no id/by, day 20188 (2025-04-10)
/// 0a 00 32 30 32 35 2d 30 34 2d 31 30       at "2025-04-10"
/// 00 00                          no optional body fields
/// 06 00 48 39 2d 30 30 31        serial "H9-001"
/// ```
public enum EventCodec {
    /// The version byte this code writes and the only one it reads.
    public static let version: UInt8 = 1

    /// The tag of each type: its position in `EventType.allCases`.
    public static func tag(of type: EventType) -> UInt8 {
        switch type {
        case .policyPublished: 0
        case .dealerEnrolled: 1
        case .unitSold: 2
        case .cardRegistered: 3
        case .unitInstalled: 4
        case .complaintLodged: 5
        case .visitRecorded: 6
        case .partSwapped: 7
        case .partReturned: 8
        case .partAppraised: 9
        case .costWrittenOff: 10
        case .writeoffConfirmed: 11
        case .dealerInvoiced: 12
        case .paymentReceived: 13
        case .unitReturned: 14
        case .unitExchanged: 15
        case .eventVoided: 16
        }
    }
}

/// Why stored bytes are not an event of this codec.
public struct EventCodecError: Error, Hashable, Sendable {
    /// Byte offset within the record where the problem was found.
    public var offset: Int
    /// What is wrong, naming the field.
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
}

extension EventCodecError: CustomStringConvertible {
    public var description: String { "stored event refused at byte \(offset): \(reason)" }
}
