import WarrantyDomain

extension Simulation {
    /// Most lines on one write-off notice; a busy dealer's month is split over several notices.
    static let noticeLinesMax = 400

    // MARK: Invoices and payments

    /// On the first of the month, invoices each dealer for the units it bought last month.
    func invoiceDealers() {
        let month = Simulation.monthText(today.adding(days: -1))
        for index in dealers.indices where dealers[index].unbilled > 0 {
            let amount = dealers[index].unbilled
            dealers[index].unbilled = 0
            let invoice = "XS-" + month + "-" + dealers[index].id
            if random.chance(0.01) {
                // Keyed with an extra digit: voided and issued again a few days later.
                let seq = emit(.dealerInvoiced(DealerInvoiced(dealer: dealers[index].id, invoice: invoice, amount: amount * 10)),
                               at: stamp(8...12), key: key("erp"), by: "finance:billing")
                let fix = today.adding(days: random.int(in: 1...5))
                schedule(.void(seq: seq, reason: "invoice \(invoice) keyed with an extra digit; reissued as \(invoice)-R", actor: "finance:billing"), on: fix)
                schedule(.invoice(dealer: index, invoice: invoice + "-R", amount: amount), on: fix)
            } else {
                issueInvoice(index, invoice, amount)
            }
        }
    }

    /// Invoices a dealer and plans its payments: mostly in full, some in two instalments, a few partly.
    func issueInvoice(_ dealer: Int, _ invoice: String, _ amount: Fen) {
        emit(.dealerInvoiced(DealerInvoiced(dealer: dealers[dealer].id, invoice: invoice, amount: amount)),
             at: stamp(8...12), key: key("erp"), by: random.chance(0.5) ? "finance:billing" : nil)
        let draw = random.below(100)
        if draw < 80 {
            schedule(.payment(dealer: dealer, amount: amount), on: today.adding(days: random.int(in: 15...60)))
        } else if draw < 95 {
            let first = amount / 2
            schedule(.payment(dealer: dealer, amount: first), on: today.adding(days: random.int(in: 15...40)))
            schedule(.payment(dealer: dealer, amount: amount - first), on: today.adding(days: random.int(in: 45...90)))
        } else {
            schedule(.payment(dealer: dealer, amount: amount / 10 * 7), on: today.adding(days: random.int(in: 30...90)))
        }
    }

    /// A bank transfer from a dealer; now and then entered twice and the copy voided later.
    func receivePayment(_ dealer: Int, _ amount: Fen) {
        paymentCount += 1
        let reference = "HD" + Simulation.padded(paymentCount, 8)
        let ref = random.chance(0.85) ? reference : nil
        emit(.paymentReceived(PaymentReceived(dealer: dealers[dealer].id, amount: amount, ref: ref)),
             at: stamp(9...16), key: key("bank"), by: random.chance(0.4) ? "finance:cashier" : nil)
        if random.chance(0.01) {
            let seq = emit(.paymentReceived(PaymentReceived(dealer: dealers[dealer].id, amount: amount, ref: ref)),
                           at: stamp(9...16), key: key("erp"), by: "finance:cashier")
            schedule(.void(seq: seq, reason: "payment \(reference) entered twice (bank import and manual entry)", actor: "finance:ledger-clerk"),
                     on: today.adding(days: random.int(in: 1...10)))
        }
    }

    // MARK: Write-offs

    /// On each dealer's notice day, writes off every line that became approved by today.
    func writeOff(dayOfMonth: Int) {
        for index in dealers.indices where dealers[index].noticeDay == dayOfMonth && !dealers[index].lines.isEmpty {
            var due: [PendingLine] = []
            var waiting: [PendingLine] = []
            for line in dealers[index].lines {
                if line.ready <= today { due.append(line) } else { waiting.append(line) }
            }
            dealers[index].lines = waiting
            guard !due.isEmpty else { continue }
            let parts = (due.count + Simulation.noticeLinesMax - 1) / Simulation.noticeLinesMax
            let base = "HX-" + Simulation.monthText(today) + "-" + dealers[index].id
            for part in 0..<parts {
                let lines = due[(part * Simulation.noticeLinesMax)..<min(due.count, (part + 1) * Simulation.noticeLinesMax)]
                let notice = parts == 1 ? base : base + "-" + String(part + 1)
                var amount: Fen = 0
                for line in lines { amount += line.amount }
                emit(.costWrittenOff(CostWrittenOff(notice: notice, dealer: dealers[index].id, lines: lines.map(\.id),
                                                    amount: amount)),
                     at: stamp(9...17), key: key("erp"), by: random.chance(0.6) ? "finance:warranty-settlement" : nil)
                if random.chance(0.88) {
                    schedule(.confirmation(notice: notice, dealer: index), on: today.adding(days: random.int(in: 5...25)))
                }
            }
        }
    }

    /// The dealer signs a write-off notice.
    func confirm(_ notice: String, dealer: Int) {
        emit(.writeoffConfirmed(WriteoffConfirmed(notice: notice)), at: stamp(9...17), key: key("portal"),
             by: dealerActor(dealer, 0.7))
    }
}
