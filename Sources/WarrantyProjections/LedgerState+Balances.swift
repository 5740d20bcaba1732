import WarrantyDomain

extension LedgerState {
    /// One row per dealer enrolled on or before `day`, zeros included, sorted by dealer id.
    ///
    /// Sums use plain arithmetic: `check` keeps the total of every invoice, payment and line within
    /// `Int64`, so no sum or difference of them can overflow.
    /// - Complexity: proportional to the dealers' invoices, payments and lines and the facts of their units.
    public func dealerBalances(on day: Day) -> [DealerBalance] {
        var views = UnitViews(state: self, day: day)
        var rows: [DealerBalance] = []
        for facts in dealers.values where facts.enrolled.day <= day {
            var row = DealerBalance(dealer: facts.id)
            for key in facts.lines {
                guard let line = claimLine(key, views: &views) else { continue }
                row.claimed += line.amount
                switch line.status {
                case .pending: row.pending += line.amount
                case .approved: row.approved += line.amount
                case .rejected: row.rejected += line.amount
                case .writtenOff: row.writtenOff += line.amount
                case .deducted: row.deducted += line.amount
                }
            }
            var invoiced: Fen = 0
            for invoice in facts.invoices.values where invoice.day <= day {
                invoiced += invoice.amount
            }
            var paid: Fen = 0
            for payment in facts.payments.values where payment.day <= day {
                paid += payment.amount
            }
            row.receivable = invoiced - paid - row.deducted
            rows.append(row)
        }
        return rows.sorted { $0.dealer.bytePrecedes($1.dealer) }
    }
}
