import WarrantyDomain

/// The ledger folded from its live events in log order: every fact with its business day and log position.
///
/// One state answers every day: a question "on day D" ignores the facts dated after D, so an
/// `--as-of` view needs no refold; only `--known-at N` needs a fold of the first N events.
/// Voids act by log position, not business day: `apply` of `event.voided` removes exactly the
/// target's effect, so a voided event counts as never having happened at every day.
///
/// The state is a pure value: `check` reads it, `apply` changes it, nothing touches a file.
public struct LedgerState: Equatable, Sendable {
    var policies: [String: PolicyTerms] = [:]
    /// The policies naming each model, in log order (a later publication wins a tie on `effective`).
    var policiesByModel: [String: [PolicyTerms]] = [:]
    var dealers: [String: DealerFacts] = [:]
    /// Live units by serial, replacements included.
    var units = FactTable<UnitFacts>()
    var complaints = FactTable<ComplaintFacts>()
    var visits = FactTable<VisitFacts>()
    var swaps = FactTable<SwapFacts>()
    var notices: [String: NoticeFacts] = [:]
    /// The live notice holding each claim line.
    var noticeOfLine: [LineKey: String] = [:]
    /// Log positions of voided events.
    var voided: Set<Int64> = []
    /// Every invoice, payment and claim line amount added up; kept within `Int64` so that no sum of them overflows.
    var moneyTotal: Fen = 0
    /// The log position of the last applied event.
    public internal(set) var lastSeq: Int64 = 0

    /// An empty ledger.
    public init() {}

    /// Whether the event at log position `seq` has been voided.
    public func isVoided(_ seq: Int64) -> Bool {
        voided.contains(seq)
    }
}
