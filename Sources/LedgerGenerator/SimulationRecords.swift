import WarrantyDomain

/// Work scheduled for a day.
enum ScheduledWork {
    case card(Int32)
    case install(Int32)
    case complaint(Int32)
    case visit(VisitPlan)
    case partReturn(SwapFate)
    case appraisal(SwapFate)
    case confirmation(notice: String, dealer: Int)
    case invoice(dealer: Int, invoice: String, amount: Fen)
    case payment(dealer: Int, amount: Fen)
    /// Voids the event at `seq`, entered by `actor`.
    case void(seq: Int64, reason: String, actor: String)
}

/// How a complaint ends: a repair, a refund within `returnDays`, or an exchange within `exchangeDays`.
enum Flow {
    case repair, refund, exchange
}

/// A complaint's planned visits; `index` is the visit about to happen.
struct VisitPlan {
    var unit: Int32
    var complaint: String
    var lodged: Day
    /// Index into the family's parts; -1 when the complaint names no part.
    var part: Int
    var finding: VisitRecorded.Finding
    var flow: Flow
    var index: Int
    var count: Int
    /// Exchange the unit after the resolving visit: its weak part failed more often than the policy allows.
    var escalates: Bool
    /// The day of the resolving visit when spare parts keep the unit waiting longer than `maxRepairDays`.
    var lateResolution: Day?
}

/// What happens to a swapped old part: when it reaches the factory, if ever, and how it is judged.
struct SwapFate {
    var swap: String
    var returned: Day?
    var appraised: Day
    var verdict: PartAppraised.Verdict
    var disposition: PartAppraised.Disposition
}

/// A unit in service, as the simulation needs it.
struct UnitRecord {
    var serial: String
    var family: Int
    var model: Int
    var terms: Int
    var dealer: Int
    var price: Fen
    var sold: Day
    /// The warranty start: the sale day, the install day for install-clock units, the exchange day for replacements.
    var start: Day
    /// Complaints stop after this day: the warranty and `Simulation.serviceMonthsAfterWarranty` more.
    var serviceUntil: Day
    /// The day the registration card reaches the factory (for a replacement, the first unit's card).
    var cardDay: Day?
    /// Whether that card is within `registrationDays`, so that the dealer's claims can be recognised.
    var cardOnTime: Bool
    /// A part that keeps failing (a lemon), or -1.
    var weakPart: Int
    /// Covered defect complaints about the weak part.
    var weakDefects: Int = 0
    /// Returned or exchanged: no more complaints.
    var ended = false
    /// Scheduled work that still needs this record; the slot is freed at zero.
    var holds = 1
}

/// A claim line that will be approved from `ready` on, waiting for a write-off notice.
struct PendingLine {
    var id: String
    var amount: Fen
    var ready: Day
}

/// A dealer of the network.
struct DealerRecord {
    let id: String
    let name: String
    let region: String?
    let city: Names.City
    let specialty: Specialty
    /// Relative share of its specialty's sales.
    let weight: Int
    /// Day of the month its write-off notices are issued.
    let noticeDay: Int
    let enrolment: Day
    /// Dealer price of the units sold since the last invoice.
    var unbilled: Fen = 0
    /// Lines of its visits that will be approved, not yet on a notice.
    var lines: [PendingLine] = []
}
