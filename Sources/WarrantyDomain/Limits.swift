/// The bounds every event field must respect; they are part of the contract, checked on input and on every read.
///
/// Text lengths count Unicode scalars. No string anywhere may contain a control character
/// (U+0000–U+001F or U+007F).
public enum Limits {
    /// Longest identifier (serial, dealer, complaint, visit, swap, notice, policy, invoice, ref, line id)
    /// or name of a model or part, in Unicode scalars; identifiers and names are never empty.
    public static let identifierLengthMax = 64
    /// Longest idempotency key `id`, in Unicode scalars; never empty.
    public static let idLengthMax = 128
    /// Longest free text (dealer `name`, `region`, `customer`, `site`, `fault`, `reason`, `by`),
    /// in Unicode scalars; never empty.
    public static let textLengthMax = 256
    /// Longest business time `at`, in Unicode scalars (room for a nanosecond fraction and more).
    public static let businessTimeLengthMax = 64

    /// Largest amount of money, in fen (10 billion CNY); amounts are never negative.
    public static let moneyFenMax: Int64 = 1_000_000_000_000
    /// Largest `laborMinutes` of one visit; never negative.
    public static let laborMinutesMax: Int32 = 100_000
    /// Largest day count (`returnDays`, `exchangeDays`, `registrationDays`, `maxRepairDays`); never negative.
    public static let dayCountMax: Int32 = 36_500
    /// Smallest warranty length (`warrantyMonths`, `components[].months`), in months.
    public static let monthsMin: Int32 = 1
    /// Largest warranty length (`warrantyMonths`, `components[].months`), in months.
    public static let monthsMax: Int32 = 1_200
    /// Largest `escalateAfter`; never negative.
    public static let escalateAfterMax: Int32 = 1_000
    /// Smallest `retentionYears`.
    public static let retentionYearsMin: Int32 = 1
    /// Largest `retentionYears`.
    public static let retentionYearsMax: Int32 = 100
    /// Largest `sla.onsiteHours` or `sla.resolveHours`; never negative.
    public static let serviceLevelHoursMax: Int32 = 100_000
    /// Smallest `event.voided` `seq` (log positions count from 1).
    public static let sequenceMin: Int64 = 1

    /// Most items in one array (`models`, `components`, `excluded`, `lines`, `partReturnDeadlines`);
    /// `models` and `lines` are never empty and no array holds the same item twice.
    public static let arrayCountMax = 1_000
}

extension Limits {
    /// The kinds of string field, each with its own length bound.
    enum Text {
        case identifier, id, freeText, businessTime

        var lengthMax: Int {
            switch self {
            case .identifier: Limits.identifierLengthMax
            case .id: Limits.idLengthMax
            case .freeText: Limits.textLengthMax
            case .businessTime: Limits.businessTimeLengthMax
            }
        }
    }

    /// Why `text` is not acceptable as a field of this kind, or nil when it is.
    static func problem(with text: String, _ kind: Text) -> String? {
        var count = 0
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                return "must not contain control character \(scalarName(scalar.value))"
            }
            count += 1
        }
        if count == 0 { return "must not be empty" }
        if count > kind.lengthMax { return "must be at most \(kind.lengthMax) characters (has \(count))" }
        return nil
    }

    /// `U+000A` style name of a scalar.
    static func scalarName(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
