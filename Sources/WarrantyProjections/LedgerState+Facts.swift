import WarrantyDomain

/// A fact's business day and the log position of the event that stated it.
struct Dated: Hashable, Sendable {
    var day: Day
    var seq: Int64
}

/// A claim line's identity: ids of visits and swaps are separate kinds and may coincide.
struct LineKey: Hashable, Sendable {
    var kind: LineKind
    var id: String
}

/// A sold unit or a replacement, with the ids of everything recorded against its serial in log order.
struct UnitFacts: Hashable, Sendable {
    var serial: String
    var model: String
    var dealer: String
    var customer: String?
    /// Bound when the sale was appended and never changed; a replacement keeps the old unit's.
    var policy: PolicyTerms
    /// The sale, or for a replacement the exchange; its day is the unit's sale day.
    var introduced: Dated
    /// The serial this unit replaced.
    var replacementOf: String?
    /// The serial whose registration card counts for this unit: its own, or the first unit's of an exchange chain.
    var registrationSerial: String
    var card: Dated?
    var installed: Dated?
    var returned: Dated?
    var exchanged: Exchange?
    var complaints: [String] = []
    var visits: [String] = []
    var swaps: [String] = []

    struct Exchange: Hashable, Sendable {
        var at: Dated
        var replacement: String
    }

    /// Words for the event that introduced the serial, as a refusal names it.
    var introductionDescription: String {
        replacementOf == nil ? "the sale of serial \(quoted(serial))" : "the exchange that introduced serial \(quoted(serial))"
    }
}

/// A lodged complaint. Its visits are those of its unit's that name it (`LedgerState.visitIDs(of:)`).
struct ComplaintFacts: Hashable, Sendable {
    var id: String
    var serial: String
    /// The part named by the complaint; nil counts as `unit`.
    var part: String?
    var lodged: Dated

    /// The part name the rules use: the complaint's part, or `unit`.
    var partName: String { part ?? unitPartName }
}

/// The part name for complaints and labor lines that name no part.
let unitPartName = "unit"

/// A recorded visit and its labor line amount when it is a repair. Its swaps are those of its unit's that name it
/// (`LedgerState.swapIDs(of:)`).
struct VisitFacts: Hashable, Sendable {
    var record: VisitRecorded
    var at: Dated
    /// `round_half_up(laborMinutes × laborRate / 60) + travel` for a repair visit; nil for other kinds.
    var laborAmount: Fen?
}

/// A part swap with the fate of the old part.
struct SwapFacts: Hashable, Sendable {
    var record: PartSwapped
    var at: Dated
    /// The dealer of the swap's visit, who owns the part line.
    var dealer: String
    /// The first `partReturnDeadlines` day on or after the swap day; nil when the policy sets none.
    var returnDeadline: Day?
    var returned: Dated?
    var appraisal: Appraisal?

    struct Appraisal: Hashable, Sendable {
        var at: Dated
        var verdict: PartAppraised.Verdict
    }
}

/// A write-off notice over claim lines, resolved to their kinds when it was appended.
struct NoticeFacts: Hashable, Sendable {
    var id: String
    var dealer: String
    var lines: [LineKey]
    var amount: Fen
    var at: Dated
    var confirmed: Dated?
}

/// An enrolled dealer with its invoices and payments. Its claim lines are those of the visits it recorded
/// (`VisitRecorded.dealer`), found from the units (`LedgerState.forEachLine`).
struct DealerFacts: Hashable, Sendable {
    var id: String
    var name: String
    var enrolled: Dated
    /// Invoice amounts by log position.
    var invoices: [Int64: DatedAmount] = [:]
    /// Payment amounts by log position.
    var payments: [Int64: DatedAmount] = [:]
}

/// An amount of money on a business day.
struct DatedAmount: Hashable, Sendable {
    var day: Day
    var amount: Fen
}

extension UnitFacts: KeyedFacts { var key: String { serial } }
extension ComplaintFacts: KeyedFacts { var key: String { id } }
extension VisitFacts: KeyedFacts { var key: String { record.visit } }
extension SwapFacts: KeyedFacts { var key: String { record.swap } }

extension LedgerState {
    /// The visits recorded against `complaint`, in log order: those of its unit's visits that name it. Found rather
    /// than kept, so that a unit held in memory carries one list of its visits, not two.
    func visitIDs(of complaint: ComplaintFacts) -> LazyFilterSequence<[String]> {
        (units[complaint.serial]?.visits ?? []).lazy.filter { visits[$0]?.record.complaint == complaint.id }
    }

    /// The swaps of `visit`, in log order: those of its unit's swaps that name it.
    func swapIDs(of visit: VisitFacts) -> LazyFilterSequence<[String]> {
        (units[visit.record.serial]?.swaps ?? []).lazy.filter { swaps[$0]?.record.visit == visit.record.visit }
    }
}
