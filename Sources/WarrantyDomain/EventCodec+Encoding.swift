extension EventCodec {
    /// Appends the stored encoding of `event` (see `EventCodec`) to `buffer`.
    ///
    /// `event` must respect `Limits`, as every event from `EventDecoder` does; otherwise `decode` refuses
    /// the bytes written, which is why the log checks a record by decoding it before it is written.
    /// - Complexity: O(n) in the encoded size, with one growth of `buffer` at most.
    public static func encode(_ event: Event, into buffer: inout [UInt8]) {
        // Measure first, then write into the grown buffer in place: appending field by field costs
        // a capacity and uniqueness check per field.
        var counter = EventFieldSink<ByteCounter>(sink: ByteCounter())
        counter.event(event)
        let size = counter.sink.count
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: size))
        buffer.withUnsafeMutableBytes { raw in
            var writer = EventFieldSink<ByteWriter>(sink: ByteWriter(base: raw.baseAddress! + start))
            writer.event(event)
            precondition(writer.sink.offset == size, "EventCodec measured \(size) bytes but wrote \(writer.sink.offset)")
        }
    }

    /// The stored encoding of `event`.
    public static func encode(_ event: Event) -> [UInt8] {
        var buffer: [UInt8] = []
        encode(event, into: &buffer)
        return buffer
    }
}

/// Where encoded fields go: a counter that measures, or a writer that stores.
protocol ByteSink {
    mutating func u8(_ value: UInt8)
    mutating func integer<Value: FixedWidthInteger>(_ value: Value)
    mutating func bytes(_ text: String, count: Int)
}

/// Counts the bytes an event encodes to.
struct ByteCounter: ByteSink {
    var count = 0

    @inline(__always) mutating func u8(_ value: UInt8) { count += 1 }
    @inline(__always) mutating func integer<Value: FixedWidthInteger>(_ value: Value) {
        count += MemoryLayout<Value>.size
    }
    @inline(__always) mutating func bytes(_ text: String, count: Int) { self.count += count }
}

/// Stores little-endian fields into memory measured beforehand by a `ByteCounter`.
struct ByteWriter: ByteSink {
    let base: UnsafeMutableRawPointer
    var offset = 0

    @inline(__always) mutating func u8(_ value: UInt8) {
        base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
        offset += 1
    }

    @inline(__always) mutating func integer<Value: FixedWidthInteger>(_ value: Value) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: Value.self)
        offset += MemoryLayout<Value>.size
    }

    @inline(__always) mutating func bytes(_ text: String, count: Int) {
        guard count > 0 else { return }
        let target = base + offset
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            target.copyMemory(from: utf8.baseAddress!, byteCount: count)
        }
        if copied == nil {
            for (index, byte) in text.utf8.enumerated() { target.storeBytes(of: byte, toByteOffset: index, as: UInt8.self) }
        }
        offset += count
    }
}

/// Walks an event's fields in stored order (see `EventCodec`), handing each to `sink`.
struct EventFieldSink<Sink: ByteSink> {
    var sink: Sink

    @inline(__always) mutating func u8(_ value: UInt8) { sink.u8(value) }
    @inline(__always) mutating func bool(_ value: Bool) { sink.u8(value ? 1 : 0) }
    @inline(__always) mutating func u16(_ value: UInt16) { sink.integer(value) }
    @inline(__always) mutating func i32(_ value: Int32) { sink.integer(value) }
    @inline(__always) mutating func i64(_ value: Int64) { sink.integer(value) }

    /// A list's count, which `Limits.arrayCountMax` keeps far below `UInt16.max`.
    @inline(__always) mutating func count(_ count: Int) {
        precondition(count <= Int(UInt16.max), "an event array holds more than \(UInt16.max) items")
        u16(UInt16(truncatingIfNeeded: count))
    }

    @inline(__always) mutating func string(_ text: String) {
        let length = text.utf8.count
        precondition(length <= Int(UInt16.max), "an event string is longer than \(UInt16.max) bytes")
        u16(UInt16(truncatingIfNeeded: length))
        sink.bytes(text, count: length)
    }

    mutating func event(_ event: Event) {
        u8(EventCodec.version)
        u8(EventCodec.tag(of: event.type))
        u8((event.id == nil ? 0 : 1) | (event.by == nil ? 0 : 2))
        i32(event.day.ordinal)
        string(event.at)
        if let id = event.id { string(id) }
        if let by = event.by { string(by) }
        body(event.body)
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
            u8(EventFieldSink.code(v.kind))
            u8(EventFieldSink.code(v.finding))
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
            u8(EventFieldSink.code(a.verdict))
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
