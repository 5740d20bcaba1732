extension EventCodec {
    /// Appends the stored encoding of `event` (see `EventCodec`) to `buffer`.
    ///
    /// `event` must respect `Limits`, as every event from `EventDecoder` does; otherwise `decode` refuses
    /// the bytes written, which is why the log checks a record by decoding it before it is written.
    public static func encode(_ event: Event, into buffer: inout [UInt8]) {
        var writer = EventByteWriter(buffer: buffer)
        buffer = []  // Hand the storage to the writer so appending does not copy it.
        writer.u8(version)
        writer.u8(tag(of: event.type))
        writer.u8((event.id == nil ? 0 : 1) | (event.by == nil ? 0 : 2))
        writer.i32(event.day.ordinal)
        writer.string(event.at)
        if let id = event.id { writer.string(id) }
        if let by = event.by { writer.string(by) }
        writer.body(event.body)
        buffer = writer.buffer
    }

    /// The stored encoding of `event`.
    public static func encode(_ event: Event) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(96)
        encode(event, into: &buffer)
        return buffer
    }
}

/// Appends little-endian fields to a byte array.
struct EventByteWriter {
    var buffer: [UInt8]

    @inline(__always) mutating func u8(_ value: UInt8) { buffer.append(value) }

    @inline(__always) mutating func bool(_ value: Bool) { buffer.append(value ? 1 : 0) }

    @inline(__always) mutating func integer<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    @inline(__always) mutating func u16(_ value: UInt16) { integer(value) }
    @inline(__always) mutating func i32(_ value: Int32) { integer(value) }
    @inline(__always) mutating func i64(_ value: Int64) { integer(value) }

    /// A list's count, which `Limits.arrayCountMax` keeps far below `UInt16.max`.
    @inline(__always) mutating func count(_ count: Int) {
        precondition(count <= Int(UInt16.max), "an event array holds more than \(UInt16.max) items")
        u16(UInt16(truncatingIfNeeded: count))
    }

    @inline(__always) mutating func string(_ text: String) {
        let length = text.utf8.count
        precondition(length <= Int(UInt16.max), "an event string is longer than \(UInt16.max) bytes")
        u16(UInt16(truncatingIfNeeded: length))
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { buffer.append(contentsOf: $0) }
        if copied == nil { buffer.append(contentsOf: text.utf8) }
    }

    mutating func body(_ body: EventBody) {
        switch body {
        case .policyPublished(let p):
            u16(bit(0, p.components != nil) | bit(1, p.excluded != nil) | bit(2, p.escalateAfter != nil)
                | bit(3, p.maxRepairDays != nil) | bit(4, p.registrationDays != nil)
                | bit(5, p.partReturnDeadlines != nil) | bit(6, p.retentionYears != nil) | bit(7, p.sla != nil))
            string(p.policy)
            strings(p.models)
            i32(p.effective.ordinal)
            u8(p.clockStart == .sale ? 0 : 1)
            i32(p.returnDays)
            i32(p.exchangeDays)
            i32(p.warrantyMonths)
            if let components = p.components {
                count(components.count)
                for component in components {
                    string(component.part)
                    i32(component.months)
                }
            }
            if let excluded = p.excluded { strings(excluded) }
            if let value = p.escalateAfter { i32(value) }
            if let value = p.maxRepairDays { i32(value) }
            if let value = p.registrationDays { i32(value) }
            if let deadlines = p.partReturnDeadlines {
                count(deadlines.count)
                for deadline in deadlines {
                    u8(UInt8(truncatingIfNeeded: deadline.month))
                    u8(UInt8(truncatingIfNeeded: deadline.day))
                }
            }
            if let value = p.retentionYears { i32(value) }
            i64(p.laborRate)
            if let sla = p.sla {
                i32(sla.onsiteHours)
                i32(sla.resolveHours)
            }
        case .dealerEnrolled(let d):
            u16(bit(0, d.region != nil))
            string(d.dealer)
            string(d.name)
            if let region = d.region { string(region) }
        case .unitSold(let s):
            u16(bit(0, s.customer != nil) | bit(1, s.invoice != nil))
            string(s.serial)
            string(s.model)
            string(s.dealer)
            if let customer = s.customer { string(customer) }
            if let invoice = s.invoice { string(invoice) }
            i64(s.price)
        case .cardRegistered(let c):
            u16(0)
            string(c.serial)
        case .unitInstalled(let i):
            u16(bit(0, i.site != nil))
            string(i.serial)
            if let site = i.site { string(site) }
        case .complaintLodged(let c):
            u16(bit(0, c.part != nil))
            string(c.complaint)
            string(c.serial)
            if let part = c.part { string(part) }
            string(c.fault)
        case .visitRecorded(let v):
            u16(bit(0, v.complaint != nil))
            string(v.visit)
            string(v.serial)
            string(v.dealer)
            if let complaint = v.complaint { string(complaint) }
            u8(EventByteWriter.code(v.kind))
            u8(EventByteWriter.code(v.finding))
            i32(v.laborMinutes)
            i64(v.travel)
            bool(v.resolved)
        case .partSwapped(let s):
            u16(bit(0, s.removed != nil) | bit(1, s.installed != nil))
            string(s.swap)
            string(s.visit)
            string(s.serial)
            string(s.part)
            if let removed = s.removed { string(removed) }
            if let installed = s.installed { string(installed) }
            i64(s.cost)
        case .partReturned(let r):
            u16(0)
            string(r.swap)
        case .partAppraised(let a):
            u16(0)
            string(a.swap)
            u8(EventByteWriter.code(a.verdict))
            u8(a.disposition == .reusable ? 0 : 1)
        case .costWrittenOff(let w):
            u16(0)
            string(w.notice)
            string(w.dealer)
            strings(w.lines)
            i64(w.amount)
        case .writeoffConfirmed(let c):
            u16(0)
            string(c.notice)
        case .dealerInvoiced(let i):
            u16(0)
            string(i.dealer)
            string(i.invoice)
            i64(i.amount)
        case .paymentReceived(let p):
            u16(bit(0, p.ref != nil))
            string(p.dealer)
            i64(p.amount)
            if let ref = p.ref { string(ref) }
        case .unitReturned(let r):
            u16(0)
            string(r.serial)
            i64(r.refund)
        case .unitExchanged(let x):
            u16(0)
            string(x.serial)
            string(x.replacement)
        case .eventVoided(let v):
            u16(0)
            i64(v.seq)
            string(v.reason)
        }
    }

    mutating func strings(_ items: [String]) {
        count(items.count)
        for item in items { string(item) }
    }

    /// Presence bit `index` when `present`, else no bit.
    @inline(__always) func bit(_ index: UInt16, _ present: Bool) -> UInt16 {
        present ? 1 << index : 0
    }

    static func code(_ kind: VisitRecorded.Kind) -> UInt8 {
        switch kind {
        case .repair: 0
        case .return: 1
        case .inspection: 2
        }
    }

    static func code(_ finding: VisitRecorded.Finding) -> UInt8 {
        switch finding {
        case .defect: 0
        case .misuse: 1
        case .supplier: 2
        case .none: 3
        }
    }

    static func code(_ verdict: PartAppraised.Verdict) -> UInt8 {
        switch verdict {
        case .defect: 0
        case .premature: 1
        case .misuse: 2
        case .noFault: 3
        }
    }
}
