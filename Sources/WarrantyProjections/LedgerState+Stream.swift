import WarrantyDomain

extension LedgerState {
    /// The aggregate an event belongs to: `unit:SERIAL`, `dealer:ID` or `policy:ID`.
    ///
    /// Ask before applying the event, with the state that accepted it: a swap's or a notice's owner
    /// is looked up here. A void belongs to its target's stream, so pass the target for `event.voided`.
    /// An event naming an identifier this state does not know (one `check` would refuse) falls back
    /// to `swap:ID`, `notice:ID` or `seq:N`.
    public func stream(of event: Event, target: Event? = nil) -> String {
        switch event.body {
        case .policyPublished(let policy): return "policy:" + policy.policy
        case .dealerEnrolled(let enrolment): return "dealer:" + enrolment.dealer
        case .dealerInvoiced(let invoice): return "dealer:" + invoice.dealer
        case .paymentReceived(let payment): return "dealer:" + payment.dealer
        case .costWrittenOff(let notice): return "dealer:" + notice.dealer
        case .writeoffConfirmed(let confirmation):
            return notices[confirmation.notice].map { "dealer:" + $0.dealer } ?? "notice:" + confirmation.notice
        case .unitSold(let sale): return "unit:" + sale.serial
        case .cardRegistered(let card): return "unit:" + card.serial
        case .unitInstalled(let installation): return "unit:" + installation.serial
        case .complaintLodged(let lodged): return "unit:" + lodged.serial
        case .visitRecorded(let visit): return "unit:" + visit.serial
        case .partSwapped(let swap): return "unit:" + swap.serial
        case .unitReturned(let returned): return "unit:" + returned.serial
        case .unitExchanged(let exchange): return "unit:" + exchange.serial
        case .partReturned(let returned):
            return swaps[returned.swap].map { "unit:" + $0.record.serial } ?? "swap:" + returned.swap
        case .partAppraised(let appraisal):
            return swaps[appraisal.swap].map { "unit:" + $0.record.serial } ?? "swap:" + appraisal.swap
        case .eventVoided(let void):
            guard let target, target.type != .eventVoided else { return "seq:\(void.seq)" }
            return stream(of: target)
        }
    }
}
