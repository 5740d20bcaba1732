/// An event as the ledger accepts it: the envelope fields of SPEC §2 and a typed body.
///
/// `at` is kept exactly as written so that `log` and export give back what came in;
/// `day` is its business day in the ledger's time zone, computed once at append.
public struct Event: Hashable, Sendable {
    /// Business time as written: `YYYY-MM-DD` or an RFC 3339 date-time with offset.
    public var at: String
    /// The business day of `at` in the ledger's time zone.
    public var day: Day
    /// Optional idempotency key (at most 128 characters).
    public var id: String?
    /// Optional actor, free text.
    public var by: String?
    public var body: EventBody

    public init(at: String, day: Day, id: String? = nil, by: String? = nil, body: EventBody) {
        self.at = at
        self.day = day
        self.id = id
        self.by = by
        self.body = body
    }

    /// The event's type name, e.g. `unit.sold`.
    public var type: EventType { body.type }
}

/// The 17 event types of the v1 catalogue; the raw value is the wire name.
/// The order of cases is part of the stored format (see `EventType.tag`): append new types at the end.
public enum EventType: String, CaseIterable, Hashable, Sendable {
    case policyPublished = "policy.published"
    case dealerEnrolled = "dealer.enrolled"
    case unitSold = "unit.sold"
    case cardRegistered = "card.registered"
    case unitInstalled = "unit.installed"
    case complaintLodged = "complaint.lodged"
    case visitRecorded = "visit.recorded"
    case partSwapped = "part.swapped"
    case partReturned = "part.returned"
    case partAppraised = "part.appraised"
    case costWrittenOff = "cost.written-off"
    case writeoffConfirmed = "writeoff.confirmed"
    case dealerInvoiced = "dealer.invoiced"
    case paymentReceived = "payment.received"
    case unitReturned = "unit.returned"
    case unitExchanged = "unit.exchanged"
    case eventVoided = "event.voided"
}

/// What happened, one case per event type, each carrying the `data` object's fields.
public enum EventBody: Hashable, Sendable {
    case policyPublished(PolicyPublished)
    case dealerEnrolled(DealerEnrolled)
    case unitSold(UnitSold)
    case cardRegistered(CardRegistered)
    case unitInstalled(UnitInstalled)
    case complaintLodged(ComplaintLodged)
    case visitRecorded(VisitRecorded)
    case partSwapped(PartSwapped)
    case partReturned(PartReturned)
    case partAppraised(PartAppraised)
    case costWrittenOff(CostWrittenOff)
    case writeoffConfirmed(WriteoffConfirmed)
    case dealerInvoiced(DealerInvoiced)
    case paymentReceived(PaymentReceived)
    case unitReturned(UnitReturned)
    case unitExchanged(UnitExchanged)
    case eventVoided(EventVoided)

    public var type: EventType {
        switch self {
        case .policyPublished: .policyPublished
        case .dealerEnrolled: .dealerEnrolled
        case .unitSold: .unitSold
        case .cardRegistered: .cardRegistered
        case .unitInstalled: .unitInstalled
        case .complaintLodged: .complaintLodged
        case .visitRecorded: .visitRecorded
        case .partSwapped: .partSwapped
        case .partReturned: .partReturned
        case .partAppraised: .partAppraised
        case .costWrittenOff: .costWrittenOff
        case .writeoffConfirmed: .writeoffConfirmed
        case .dealerInvoiced: .dealerInvoiced
        case .paymentReceived: .paymentReceived
        case .unitReturned: .unitReturned
        case .unitExchanged: .unitExchanged
        case .eventVoided: .eventVoided
        }
    }
}

/// Money: a non-negative whole number of fen (0.01 CNY).
public typealias Fen = Int64

/// `policy.published`: warranty terms for some models from an effective day.
public struct PolicyPublished: Hashable, Sendable {
    public enum ClockStart: String, Hashable, Sendable, CaseIterable { case sale, install }

    /// A part with its own warranty length.
    public struct Component: Hashable, Sendable {
        public var part: String
        public var months: Int32
        public init(part: String, months: Int32) { self.part = part; self.months = months }
    }

    /// Service-level targets; informational in v1.
    public struct ServiceLevel: Hashable, Sendable {
        public var onsiteHours: Int32
        public var resolveHours: Int32
        public init(onsiteHours: Int32, resolveHours: Int32) {
            self.onsiteHours = onsiteHours
            self.resolveHours = resolveHours
        }
    }

    /// A yearly deadline `MM-DD` for sending old parts back.
    public struct MonthDay: Hashable, Sendable {
        public var month: Int8
        public var day: Int8
        public init(month: Int8, day: Int8) { self.month = month; self.day = day }
    }

    public var policy: String
    public var models: [String]
    public var effective: Day
    public var clockStart: ClockStart
    public var returnDays: Int32
    public var exchangeDays: Int32
    public var warrantyMonths: Int32
    public var components: [Component]?
    public var excluded: [String]?
    public var escalateAfter: Int32?
    public var maxRepairDays: Int32?
    public var registrationDays: Int32?
    public var partReturnDeadlines: [MonthDay]?
    public var retentionYears: Int32?
    public var laborRate: Fen
    public var sla: ServiceLevel?

    public init(policy: String, models: [String], effective: Day, clockStart: ClockStart,
                returnDays: Int32, exchangeDays: Int32, warrantyMonths: Int32,
                components: [Component]? = nil, excluded: [String]? = nil, escalateAfter: Int32? = nil,
                maxRepairDays: Int32? = nil, registrationDays: Int32? = nil,
                partReturnDeadlines: [MonthDay]? = nil, retentionYears: Int32? = nil,
                laborRate: Fen, sla: ServiceLevel? = nil) {
        self.policy = policy
        self.models = models
        self.effective = effective
        self.clockStart = clockStart
        self.returnDays = returnDays
        self.exchangeDays = exchangeDays
        self.warrantyMonths = warrantyMonths
        self.components = components
        self.excluded = excluded
        self.escalateAfter = escalateAfter
        self.maxRepairDays = maxRepairDays
        self.registrationDays = registrationDays
        self.partReturnDeadlines = partReturnDeadlines
        self.retentionYears = retentionYears
        self.laborRate = laborRate
        self.sla = sla
    }
}

/// `dealer.enrolled`
public struct DealerEnrolled: Hashable, Sendable {
    public var dealer: String
    public var name: String
    public var region: String?
    public init(dealer: String, name: String, region: String? = nil) {
        self.dealer = dealer; self.name = name; self.region = region
    }
}

/// `unit.sold`
public struct UnitSold: Hashable, Sendable {
    public var serial: String
    public var model: String
    public var dealer: String
    public var customer: String?
    public var invoice: String?
    public var price: Fen
    public init(serial: String, model: String, dealer: String, customer: String? = nil,
                invoice: String? = nil, price: Fen) {
        self.serial = serial; self.model = model; self.dealer = dealer
        self.customer = customer; self.invoice = invoice; self.price = price
    }
}

/// `card.registered`: the 三包 registration card reached the factory.
public struct CardRegistered: Hashable, Sendable {
    public var serial: String
    public init(serial: String) { self.serial = serial }
}

/// `unit.installed`
public struct UnitInstalled: Hashable, Sendable {
    public var serial: String
    public var site: String?
    public init(serial: String, site: String? = nil) { self.serial = serial; self.site = site }
}

/// `complaint.lodged`
public struct ComplaintLodged: Hashable, Sendable {
    public var complaint: String
    public var serial: String
    public var part: String?
    public var fault: String
    public init(complaint: String, serial: String, part: String? = nil, fault: String) {
        self.complaint = complaint; self.serial = serial; self.part = part; self.fault = fault
    }
}

/// `visit.recorded`
public struct VisitRecorded: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable { case repair, `return`, inspection }
    public enum Finding: String, Hashable, Sendable, CaseIterable { case defect, misuse, supplier, none }

    public var visit: String
    public var serial: String
    public var dealer: String
    public var complaint: String?
    public var kind: Kind
    public var finding: Finding
    public var laborMinutes: Int32
    public var travel: Fen
    public var resolved: Bool
    public init(visit: String, serial: String, dealer: String, complaint: String? = nil, kind: Kind,
                finding: Finding, laborMinutes: Int32, travel: Fen, resolved: Bool) {
        self.visit = visit; self.serial = serial; self.dealer = dealer; self.complaint = complaint
        self.kind = kind; self.finding = finding; self.laborMinutes = laborMinutes
        self.travel = travel; self.resolved = resolved
    }
}

/// `part.swapped`
public struct PartSwapped: Hashable, Sendable {
    public var swap: String
    public var visit: String
    public var serial: String
    public var part: String
    public var removed: String?
    public var installed: String?
    public var cost: Fen
    public init(swap: String, visit: String, serial: String, part: String, removed: String? = nil,
                installed: String? = nil, cost: Fen) {
        self.swap = swap; self.visit = visit; self.serial = serial; self.part = part
        self.removed = removed; self.installed = installed; self.cost = cost
    }
}

/// `part.returned`: the old part reached the factory.
public struct PartReturned: Hashable, Sendable {
    public var swap: String
    public init(swap: String) { self.swap = swap }
}

/// `part.appraised`: the factory's technical department judged the old part.
public struct PartAppraised: Hashable, Sendable {
    public enum Verdict: String, Hashable, Sendable, CaseIterable {
        case defect, premature, misuse, noFault = "no-fault"
    }
    public enum Disposition: String, Hashable, Sendable, CaseIterable { case reusable, scrap }

    public var swap: String
    public var verdict: Verdict
    public var disposition: Disposition
    public init(swap: String, verdict: Verdict, disposition: Disposition) {
        self.swap = swap; self.verdict = verdict; self.disposition = disposition
    }
}

/// `cost.written-off`: a write-off notice (三包费用核销通知) over approved claim lines.
public struct CostWrittenOff: Hashable, Sendable {
    public var notice: String
    public var dealer: String
    public var lines: [String]
    public var amount: Fen
    public init(notice: String, dealer: String, lines: [String], amount: Fen) {
        self.notice = notice; self.dealer = dealer; self.lines = lines; self.amount = amount
    }
}

/// `writeoff.confirmed`: the dealer signed the notice.
public struct WriteoffConfirmed: Hashable, Sendable {
    public var notice: String
    public init(notice: String) { self.notice = notice }
}

/// `dealer.invoiced`
public struct DealerInvoiced: Hashable, Sendable {
    public var dealer: String
    public var invoice: String
    public var amount: Fen
    public init(dealer: String, invoice: String, amount: Fen) {
        self.dealer = dealer; self.invoice = invoice; self.amount = amount
    }
}

/// `payment.received`
public struct PaymentReceived: Hashable, Sendable {
    public var dealer: String
    public var amount: Fen
    public var ref: String?
    public init(dealer: String, amount: Fen, ref: String? = nil) {
        self.dealer = dealer; self.amount = amount; self.ref = ref
    }
}

/// `unit.returned`: the customer returned the unit for a refund.
public struct UnitReturned: Hashable, Sendable {
    public var serial: String
    public var refund: Fen
    public init(serial: String, refund: Fen) { self.serial = serial; self.refund = refund }
}

/// `unit.exchanged`: the unit was replaced by a new one.
public struct UnitExchanged: Hashable, Sendable {
    public var serial: String
    public var replacement: String
    public init(serial: String, replacement: String) { self.serial = serial; self.replacement = replacement }
}

/// `event.voided`: cancels an earlier event, which then counts as never having happened.
public struct EventVoided: Hashable, Sendable {
    public var seq: Int64
    public var reason: String
    public init(seq: Int64, reason: String) { self.seq = seq; self.reason = reason }
}
