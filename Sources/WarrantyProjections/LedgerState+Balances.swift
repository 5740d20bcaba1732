import WarrantyDomain

extension LedgerState {
    /// One row per dealer enrolled on or before `day`, zeros included, sorted by dealer id.
    ///
    /// Sums use plain arithmetic: `check` keeps the total of every invoice, payment and line within
    /// `Int64`, so no sum or difference of them can overflow.
    /// - Complexity: proportional to the lines, invoices and payments dated on or before `day` and the facts of their units.
    public func dealerBalances(on day: Day) -> [DealerBalance] {
        var rows: [String: DealerBalance] = [:]
        for facts in dealers.values where facts.enrolled.day <= day {
            var invoiced: Fen = 0
            for invoice in facts.invoices.values where invoice.day <= day {
                invoiced += invoice.amount
            }
            var paid: Fen = 0
            for payment in facts.payments.values where payment.day <= day {
                paid += payment.amount
            }
            rows[facts.id] = DealerBalance(dealer: facts.id, receivable: invoiced - paid)
        }
        forEachLine(on: day) { line in
            // A line is never dated before its dealer's enrolment, so its row exists.
            rows[line.dealer]!.add(line)
        }
        return rows.values.sorted { $0.dealer.bytePrecedes($1.dealer) }
    }
}

extension DealerBalance {
    /// Counts `line` in `claimed` and in its status, and takes a deduction off `receivable`.
    public mutating func add(_ line: ClaimLine) {
        add(line.amount, status: line.status)
    }

    /// Counts a line of `amount` in `status`: in `claimed` and in the status's column, and a deduction off `receivable`.
    ///
    /// The one place a line status maps to balance columns; finance documents count lines with it too.
    public mutating func add(_ amount: Fen, status: LineStatus) {
        claimed += amount
        switch status {
        case .pending: pending += amount
        case .approved: approved += amount
        case .rejected: rejected += amount
        case .writtenOff: writtenOff += amount
        case .deducted:
            deducted += amount
            receivable -= amount
        }
    }
}
