#if canImport(Glibc)
import Glibc
#endif
extension EventCodec {
    /// Decodes one stored record (see `EventCodec`), checking every field against `Limits`.
    ///
    /// Total on any bytes: a record that is truncated, extended or otherwise not exactly what `encode` writes
    /// for an event within `Limits` throws; it never traps.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(EventCodecError) -> Event {
        // The event is decoded field by field into a copy of a blank event rather than built from its fields
        // with `Event.init`: the Swift 6.3 optimiser leaves a retain and a release of the whole value inside
        // that initialiser (for structs with several optional strings; a blank built from literals keeps
        // them too), ~530 instructions per event here. Copying the shared blank costs ~230.
        var event = EventCodec.blank
        try decode(bytes, into: &event)
        return event
    }

    /// The event `decode(_:into:)` starts from: no `id`, no `by`, every other field overwritten.
    private static let blank = Event(at: "", day: Day(ordinal: 0), body: .partReturned(PartReturned(swap: "")))

    /// Decodes one stored record into `event`, which must have no `id` and no `by` (fields absent from the
    /// record are left as they are). On a refusal `event` holds some fields of the record.
    private static func decode(_ bytes: UnsafeRawBufferPointer, into event: inout Event) throws(EventCodecError) {
        guard let base = bytes.baseAddress, bytes.count >= 2 else {
            throw EventCodecError(offset: 0, reason: "record of \(bytes.count) bytes is too short")
        }
        var reader = EventByteReader(base: base, count: bytes.count)
        let version = try reader.u8("version")
        guard version == EventCodec.version else {
            throw EventCodecError(offset: 0, reason: "codec version \(version) is not \(EventCodec.version)")
        }
        let tag = try reader.u8("type tag")
        guard let type = EventCodec.type(ofTag: tag) else {
            throw EventCodecError(offset: 1, reason: "type tag \(tag) is not a known event type")
        }
        let envelope = try reader.u8("envelope presence bits")
        guard envelope & ~3 == 0 else {
            throw EventCodecError(offset: 2, reason: "envelope presence bits \(envelope) set undefined bits")
        }
        let day = Day(ordinal: try reader.i32("day"))
        event.day = day
        event.at = try reader.businessTime(day: day)
        if envelope & 1 != 0 { event.id = try reader.string(.id, "id") }
        if envelope & 2 != 0 { event.by = try reader.string(.freeText, "by") }
        event.body = try reader.bodyToEnd(type)
    }

    /// Decodes one stored record held in an array (see `decode(_: UnsafeRawBufferPointer)`).
    public static func decode(_ bytes: [UInt8]) throws(EventCodecError) -> Event {
        let result: Result<Event, EventCodecError> = bytes.withUnsafeBytes { buffer in
            do throws(EventCodecError) { return .success(try decode(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The event type stored under `tag`, or nil for an unknown tag.
    public static func type(ofTag tag: UInt8) -> EventType? {
        switch tag {
        case 0: .policyPublished
        case 1: .dealerEnrolled
        case 2: .unitSold
        case 3: .cardRegistered
        case 4: .unitInstalled
        case 5: .complaintLodged
        case 6: .visitRecorded
        case 7: .partSwapped
        case 8: .partReturned
        case 9: .partAppraised
        case 10: .costWrittenOff
        case 11: .writeoffConfirmed
        case 12: .dealerInvoiced
        case 13: .paymentReceived
        case 14: .unitReturned
        case 15: .unitExchanged
        case 16: .eventVoided
        default: nil
        }
    }
}

/// Bounds-checked little-endian reads from one stored record.
struct EventByteReader {
    let base: UnsafeRawPointer
    let count: Int
    var offset = 0

    init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    // MARK: Fixed-width fields

    @inline(__always)
    mutating func load<Value: FixedWidthInteger>(_: Value.Type, _ field: StaticString) throws(EventCodecError) -> Value {
        let size = MemoryLayout<Value>.size
        guard count - offset >= size else {
            throw EventCodecError(offset: offset, reason: "\(field): record ends inside a \(size)-byte field")
        }
        let value = Value(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: Value.self))
        offset += size
        return value
    }

    @inline(__always)
    mutating func u8(_ field: StaticString) throws(EventCodecError) -> UInt8 { try load(UInt8.self, field) }

    @inline(__always)
    mutating func u16(_ field: StaticString) throws(EventCodecError) -> UInt16 { try load(UInt16.self, field) }

    @inline(__always)
    mutating func i32(_ field: StaticString) throws(EventCodecError) -> Int32 { try load(Int32.self, field) }

    /// An `i32` within `range`.
    @inline(__always)
    mutating func i32(_ field: StaticString, _ range: ClosedRange<Int32>) throws(EventCodecError) -> Int32 {
        let start = offset
        let value = try load(Int32.self, field)
        guard range.contains(value) else {
            throw EventCodecError(offset: start,
                                  reason: "\(field): \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// An `i64` within `range`.
    @inline(__always)
    mutating func i64(_ field: StaticString, _ range: ClosedRange<Int64>) throws(EventCodecError) -> Int64 {
        let start = offset
        let value = try load(Int64.self, field)
        guard range.contains(value) else {
            throw EventCodecError(offset: start,
                                  reason: "\(field): \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    @inline(__always)
    mutating func money(_ field: StaticString) throws(EventCodecError) -> Fen {
        try i64(field, 0...Limits.moneyFenMax)
    }

    @inline(__always)
    mutating func bool(_ field: StaticString) throws(EventCodecError) -> Bool {
        let start = offset
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw EventCodecError(offset: start, reason: "\(field): \(other) is not a bool (0 or 1)")
        }
    }

    /// A `u8` code below `limit`.
    @inline(__always)
    mutating func code(_ field: StaticString, below limit: UInt8) throws(EventCodecError) -> UInt8 {
        let start = offset
        let value = try u8(field)
        guard value < limit else {
            throw EventCodecError(offset: start, reason: "\(field): code \(value) is not below \(limit)")
        }
        return value
    }

    /// The body's presence bits, refusing bits the type does not define.
    @inline(__always)
    mutating func presence(defined: UInt16) throws(EventCodecError) -> UInt16 {
        let start = offset
        let bits = try u16("body presence bits")
        guard bits & ~defined == 0 else {
            throw EventCodecError(offset: start, reason: "body presence bits \(bits) set bits outside \(defined)")
        }
        return bits
    }

    // MARK: Strings

    /// A `str` of `kind`: valid UTF-8, no control character, 1...`kind.lengthMax` scalars.
    ///
    /// Only the common case is here, small enough to be inlined where each field is read (~6 strings per
    /// event): a string that fits the record, has 1...`lengthMax` bytes (so its scalars cannot exceed the
    /// limit), no control byte, and is printable ASCII (valid by itself) or decodes to exactly its bytes.
    /// Everything else, including every refusal, is read again from the start by `slowString`.
    @inline(__always)
    mutating func string(_ kind: Limits.Text, _ field: StaticString) throws(EventCodecError) -> String {
        if count &- offset >= 2 {
            let length = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
            let start = offset &+ 2
            if length >= 1 && length <= kind.lengthMax && length <= count &- start {
                let pointer = base + start
                switch TextBytes.shape(pointer, length, readableBefore: start) {
                case .printableASCII:
                    offset = start &+ length
                    return TextBytes.asciiString(pointer, length, readableBefore: start)
                case .mixed:
                    if let text = TextBytes.utf8String(pointer, length) {
                        offset = start &+ length
                        return text
                    }
                case .control:
                    break
                }
            }
        }
        return try slowString(kind, field)
    }

    /// `string` for what its fast path leaves: finds the first problem of the string at `offset` and
    /// throws it, or, for a valid string with more bytes than its kind allows scalars, counts the scalars.
    @inline(never)
    mutating func slowString(_ kind: Limits.Text, _ field: StaticString) throws(EventCodecError) -> String {
        let start = offset
        let length = Int(try u16(field))
        guard count - offset >= length else {
            throw EventCodecError(offset: start, reason: "\(field): string of \(length) bytes runs past the record's end")
        }
        let pointer = base + offset
        let scalars = try EventByteReader.scalarCount(pointer, length, at: offset, field)
        guard scalars >= 1 else { throw EventCodecError(offset: start, reason: "\(field): empty string") }
        guard scalars <= kind.lengthMax else {
            throw EventCodecError(offset: start, reason: "\(field): \(scalars) characters, more than \(kind.lengthMax)")
        }
        offset += length
        return String(decoding: UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: length),
                      as: UTF8.self)
    }

    /// The number of Unicode scalars in `length` bytes of UTF-8 at `pointer`, refusing ill-formed UTF-8
    /// and control characters.
    @inline(__always)
    static func scalarCount(_ pointer: UnsafeRawPointer, _ length: Int, at fieldOffset: Int,
                            _ field: StaticString) throws(EventCodecError) -> Int {
        var index = 0
        var scalars = 0
        while index < length {
            let lead = pointer.load(fromByteOffset: index, as: UInt8.self)
            if lead < 0x80 {
                guard lead >= 0x20, lead != 0x7F else {
                    throw EventCodecError(offset: fieldOffset + index,
                                          reason: "\(field): control character \(Limits.scalarName(UInt32(lead)))")
                }
                index += 1
                scalars += 1
                continue
            }
            // RFC 3629 table 4: the second byte's range depends on the lead byte; later ones are 80...BF.
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            let trailing: Int
            switch lead {
            case 0xC2...0xDF: trailing = 1
            case 0xE0: trailing = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: trailing = 2
            case 0xED: trailing = 2; high = 0x9F
            case 0xF0: trailing = 3; low = 0x90
            case 0xF1...0xF3: trailing = 3
            case 0xF4: trailing = 3; high = 0x8F
            default:
                throw EventCodecError(offset: fieldOffset + index, reason: "\(field): invalid UTF-8")
            }
            guard length - index > trailing else {
                throw EventCodecError(offset: fieldOffset + index, reason: "\(field): invalid UTF-8")
            }
            let second = pointer.load(fromByteOffset: index + 1, as: UInt8.self)
            var valid = second >= low && second <= high
            var next = 2
            while next <= trailing {
                valid = valid && pointer.load(fromByteOffset: index + next, as: UInt8.self) & 0xC0 == 0x80
                next += 1
            }
            guard valid else {
                throw EventCodecError(offset: fieldOffset + index, reason: "\(field): invalid UTF-8")
            }
            index += trailing + 1
            scalars += 1
        }
        return scalars
    }

    /// `at`: a business time whose date agrees with the stored business `day`.
    mutating func businessTime(day: Day) throws(EventCodecError) -> String {
        let start = offset
        let length = Int(try u16("at"))
        guard count - offset >= length else {
            throw EventCodecError(offset: start, reason: "at: string of \(length) bytes runs past the record's end")
        }
        guard length <= Limits.businessTimeLengthMax else {
            throw EventCodecError(offset: start, reason: "at: \(length) bytes, more than \(Limits.businessTimeLengthMax)")
        }
        // Every byte of a business time is checked ASCII, so a parsed one is valid text.
        let pointer = base + offset
        let date: Day
        let hasTime: Bool
        if let common = CommonBusinessTime.parse(pointer, length) {
            (date, hasTime) = common
        } else {
            let bytes = UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: length)
            guard let time = BusinessTime.parse(bytes) else {
                throw EventCodecError(offset: start, reason: "at: not a business time")
            }
            (date, hasTime) = (time.date, time.minuteOfDay != nil)
        }
        let distance = date.days(to: day)
        guard hasTime ? abs(distance) <= 2 : distance == 0 else {
            throw EventCodecError(offset: start, reason: "at: day \(day) does not agree with \(date)")
        }
        offset += length
        return TextBytes.asciiString(pointer, length, readableBefore: offset - length)
    }

    // MARK: Lists

    /// A list's count: at most `Limits.arrayCountMax`, and at least 1 when `nonEmpty`.
    @inline(__always)
    mutating func listCount(_ field: StaticString, nonEmpty: Bool) throws(EventCodecError) -> Int {
        let start = offset
        let items = Int(try u16(field))
        guard items <= Limits.arrayCountMax, !nonEmpty || items > 0 else {
            throw EventCodecError(offset: start,
                                  reason: "\(field): \(items) items, outside \(nonEmpty ? 1 : 0)...\(Limits.arrayCountMax)")
        }
        return items
    }

    /// A `list<str>` of identifiers or names with no duplicates.
    mutating func identifiers(_ field: StaticString, nonEmpty: Bool) throws(EventCodecError) -> [String] {
        let start = offset
        let items = try listCount(field, nonEmpty: nonEmpty)
        var strings: [String] = []
        strings.reserveCapacity(items)
        for _ in 0..<items { strings.append(try string(.identifier, field)) }
        if items > 1, Set(strings).count != items {
            throw EventCodecError(offset: start, reason: "\(field): duplicate items")
        }
        return strings
    }

    // MARK: Bodies

    /// The body of a `type` event, which must end the record.
    mutating func bodyToEnd(_ type: EventType) throws(EventCodecError) -> EventBody {
        let body = try body(type)
        guard offset == count else {
            throw EventCodecError(offset: offset, reason: "\(count - offset) bytes after the end of the \(type.rawValue) event")
        }
        return body
    }

    mutating func body(_ type: EventType) throws(EventCodecError) -> EventBody {
        switch type {
        case .policyPublished:
            return .policyPublished(try policyPublished())
        case .dealerEnrolled:
            let bits = try presence(defined: 0b1)
            return .dealerEnrolled(DealerEnrolled(
                dealer: try string(.identifier, "dealer"),
                name: try string(.freeText, "name"),
                region: bits & 1 == 0 ? nil : try string(.freeText, "region")))
        case .unitSold:
            let bits = try presence(defined: 0b11)
            return .unitSold(UnitSold(
                serial: try string(.identifier, "serial"),
                model: try string(.identifier, "model"),
                dealer: try string(.identifier, "dealer"),
                customer: bits & 1 == 0 ? nil : try string(.freeText, "customer"),
                invoice: bits & 2 == 0 ? nil : try string(.identifier, "invoice"),
                price: try money("price")))
        case .cardRegistered:
            _ = try presence(defined: 0)
            return .cardRegistered(CardRegistered(serial: try string(.identifier, "serial")))
        case .unitInstalled:
            let bits = try presence(defined: 0b1)
            return .unitInstalled(UnitInstalled(
                serial: try string(.identifier, "serial"),
                site: bits & 1 == 0 ? nil : try string(.freeText, "site")))
        case .complaintLodged:
            let bits = try presence(defined: 0b1)
            return .complaintLodged(ComplaintLodged(
                complaint: try string(.identifier, "complaint"),
                serial: try string(.identifier, "serial"),
                part: bits & 1 == 0 ? nil : try string(.identifier, "part"),
                fault: try string(.freeText, "fault")))
        case .visitRecorded:
            let bits = try presence(defined: 0b1)
            let visit = try string(.identifier, "visit")
            let serial = try string(.identifier, "serial")
            let dealer = try string(.identifier, "dealer")
            let complaint = bits & 1 == 0 ? nil : try string(.identifier, "complaint")
            let kind: VisitRecorded.Kind = switch try code("kind", below: 3) {
            case 0: .repair
            case 1: .return
            default: .inspection
            }
            let finding: VisitRecorded.Finding = switch try code("finding", below: 4) {
            case 0: .defect
            case 1: .misuse
            case 2: .supplier
            default: .none
            }
            return .visitRecorded(VisitRecorded(
                visit: visit, serial: serial, dealer: dealer, complaint: complaint, kind: kind, finding: finding,
                laborMinutes: try i32("laborMinutes", 0...Limits.laborMinutesMax),
                travel: try money("travel"),
                resolved: try bool("resolved")))
        case .partSwapped:
            let bits = try presence(defined: 0b11)
            return .partSwapped(PartSwapped(
                swap: try string(.identifier, "swap"),
                visit: try string(.identifier, "visit"),
                serial: try string(.identifier, "serial"),
                part: try string(.identifier, "part"),
                removed: bits & 1 == 0 ? nil : try string(.identifier, "removed"),
                installed: bits & 2 == 0 ? nil : try string(.identifier, "installed"),
                cost: try money("cost")))
        case .partReturned:
            _ = try presence(defined: 0)
            return .partReturned(PartReturned(swap: try string(.identifier, "swap")))
        case .partAppraised:
            _ = try presence(defined: 0)
            let swap = try string(.identifier, "swap")
            let verdict: PartAppraised.Verdict = switch try code("verdict", below: 4) {
            case 0: .defect
            case 1: .premature
            case 2: .misuse
            default: .noFault
            }
            let disposition: PartAppraised.Disposition = try code("disposition", below: 2) == 0 ? .reusable : .scrap
            return .partAppraised(PartAppraised(swap: swap, verdict: verdict, disposition: disposition))
        case .costWrittenOff:
            _ = try presence(defined: 0)
            return .costWrittenOff(CostWrittenOff(
                notice: try string(.identifier, "notice"),
                dealer: try string(.identifier, "dealer"),
                lines: try identifiers("lines", nonEmpty: true),
                amount: try money("amount")))
        case .writeoffConfirmed:
            _ = try presence(defined: 0)
            return .writeoffConfirmed(WriteoffConfirmed(notice: try string(.identifier, "notice")))
        case .dealerInvoiced:
            _ = try presence(defined: 0)
            return .dealerInvoiced(DealerInvoiced(
                dealer: try string(.identifier, "dealer"),
                invoice: try string(.identifier, "invoice"),
                amount: try money("amount")))
        case .paymentReceived:
            let bits = try presence(defined: 0b1)
            return .paymentReceived(PaymentReceived(
                dealer: try string(.identifier, "dealer"),
                amount: try money("amount"),
                ref: bits & 1 == 0 ? nil : try string(.identifier, "ref")))
        case .unitReturned:
            _ = try presence(defined: 0)
            return .unitReturned(UnitReturned(
                serial: try string(.identifier, "serial"),
                refund: try money("refund")))
        case .unitExchanged:
            _ = try presence(defined: 0)
            return .unitExchanged(UnitExchanged(
                serial: try string(.identifier, "serial"),
                replacement: try string(.identifier, "replacement")))
        case .eventVoided:
            _ = try presence(defined: 0)
            return .eventVoided(EventVoided(
                seq: try i64("seq", Limits.sequenceMin...Int64.max),
                reason: try string(.freeText, "reason")))
        }
    }

    mutating func policyPublished() throws(EventCodecError) -> PolicyPublished {
        let bits = try presence(defined: 0xFF)
        let policy = try string(.identifier, "policy")
        let models = try identifiers("models", nonEmpty: true)
        let effectiveOffset = offset
        let effective = Day(ordinal: try i32("effective"))
        guard Day(year: 1, month: 1, day: 1)! <= effective, effective <= Day(year: 9999, month: 12, day: 31)! else {
            throw EventCodecError(offset: effectiveOffset,
                                  reason: "effective: day \(effective.ordinal) is outside years 1–9999")
        }
        let clockStart: PolicyPublished.ClockStart = try code("clockStart", below: 2) == 0 ? .sale : .install
        let returnDays = try i32("returnDays", 0...Limits.dayCountMax)
        let exchangeDays = try i32("exchangeDays", returnDays...Limits.dayCountMax)
        let warrantyMonths = try i32("warrantyMonths", Limits.monthsMin...Limits.monthsMax)
        var components: [PolicyPublished.Component]?
        if bits & 1 != 0 {
            let start = offset
            let items = try listCount("components", nonEmpty: false)
            var list: [PolicyPublished.Component] = []
            list.reserveCapacity(items)
            for _ in 0..<items {
                list.append(PolicyPublished.Component(
                    part: try string(.identifier, "components.part"),
                    months: try i32("components.months", Limits.monthsMin...Limits.monthsMax)))
            }
            if items > 1, Set(list.map(\.part)).count != items {
                throw EventCodecError(offset: start, reason: "components: two with the same part")
            }
            components = list
        }
        var excluded: [String]?
        if bits & 2 != 0 {
            let start = offset
            let list = try identifiers("excluded", nonEmpty: false)
            if let components, list.contains(where: { part in components.contains { $0.part == part } }) {
                throw EventCodecError(offset: start, reason: "excluded: a part is also a component")
            }
            excluded = list
        }
        let escalateAfter = bits & 4 == 0 ? nil : try i32("escalateAfter", 0...Limits.escalateAfterMax)
        let maxRepairDays = bits & 8 == 0 ? nil : try i32("maxRepairDays", 0...Limits.dayCountMax)
        let registrationDays = bits & 16 == 0 ? nil : try i32("registrationDays", 0...Limits.dayCountMax)
        var deadlines: [PolicyPublished.MonthDay]?
        if bits & 32 != 0 {
            let start = offset
            let items = try listCount("partReturnDeadlines", nonEmpty: false)
            var list: [PolicyPublished.MonthDay] = []
            list.reserveCapacity(items)
            for _ in 0..<items {
                let itemOffset = offset
                let month = try u8("partReturnDeadlines.month")
                let day = try u8("partReturnDeadlines.day")
                guard PolicyPublished.MonthDay.isValid(month: Int(month), day: Int(day)) else {
                    throw EventCodecError(offset: itemOffset,
                                          reason: "partReturnDeadlines: \(month)-\(day) is not a day of the year")
                }
                list.append(PolicyPublished.MonthDay(month: Int8(month), day: Int8(day)))
            }
            if items > 1, Set(list).count != items {
                throw EventCodecError(offset: start, reason: "partReturnDeadlines: duplicate items")
            }
            deadlines = list
        }
        let retentionYears = bits & 64 == 0 ? nil
            : try i32("retentionYears", Limits.retentionYearsMin...Limits.retentionYearsMax)
        let laborRate = try money("laborRate")
        let sla: PolicyPublished.ServiceLevel? = bits & 128 == 0 ? nil : PolicyPublished.ServiceLevel(
            onsiteHours: try i32("sla.onsiteHours", 0...Limits.serviceLevelHoursMax),
            resolveHours: try i32("sla.resolveHours", 0...Limits.serviceLevelHoursMax))
        return PolicyPublished(
            policy: policy, models: models, effective: effective, clockStart: clockStart,
            returnDays: returnDays, exchangeDays: exchangeDays, warrantyMonths: warrantyMonths,
            components: components, excluded: excluded, escalateAfter: escalateAfter, maxRepairDays: maxRepairDays,
            registrationDays: registrationDays, partReturnDeadlines: deadlines, retentionYears: retentionYears,
            laborRate: laborRate, sla: sla)
    }
}
