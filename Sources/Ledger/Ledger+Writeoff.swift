import WarrantyDomain
import WarrantyProjections

extension Ledger {
    /// The `cost.written-off` events that write off every approved line of `dealer` on `day` that is on no live notice.
    ///
    /// One notice holds at most 1,000 lines and 1,000,000,000,000 fen (the input limits); more lines make
    /// several notices, numbered `ID`, `ID-2`, `ID-3`… The default `ID` is `WO-DEALER-DAY`, with the first free suffix
    /// `-2`, `-3`… when a live notice already has it. Each draft is checked exactly as `append` will check it,
    /// over every event in the ledger, so a draft appended as is is accepted unless the ledger changes first.
    /// An empty array means there is nothing to write off.
    public func writeoffDraft(dealer: String, on day: Day, notice requested: String? = nil) throws(LedgerError) -> [Event] {
        var state = try self.state()
        guard state.dealerName(dealer) != nil else {
            throw LedgerError(.notFound, "dealer \"\(dealer)\" is not enrolled in the ledger (see `ledger dealers`)")
        }
        let records = try financeRecords(knownAt: .max) { !state.isVoided($0) }
        let lines = state.claimLines(on: day, dealer: dealer).filter { line in
            // A line on a notice dated after `day` is approved on `day` but cannot go on a second notice.
            line.status == .approved && records.noticesOfLine[line.line] == nil
                && records.resolve(line.line) == LineRef(kind: line.kind, id: line.line)
        }
        guard !lines.isEmpty else { return [] }

        var chunks: [[ClaimLine]] = [[]]
        var chunkAmount: Fen = 0
        for line in lines {
            if chunks[chunks.count - 1].count == Limits.arrayCountMax || chunkAmount + line.amount > Limits.moneyFenMax {
                chunks.append([])
                chunkAmount = 0
            }
            chunks[chunks.count - 1].append(line)
            chunkAmount += line.amount
        }

        let base = requested ?? "WO-\(dealer)-\(day)"
        func name(_ index: Int, suffix: Int) -> String {
            let number = index + suffix
            return number == 1 ? base : base + "-\(number)"
        }
        var suffix = 0
        if requested == nil {
            while (0..<chunks.count).contains(where: { state.hasNotice(name($0, suffix: suffix + 1)) }) { suffix += 1 }
        }
        var drafts: [Event] = []
        for (index, chunk) in chunks.enumerated() {
            let id = name(index, suffix: suffix + 1)
            guard id.unicodeScalars.count <= Limits.identifierLengthMax else {
                throw LedgerError(.usage, "the notice id \"\(id)\" is longer than \(Limits.identifierLengthMax) characters; choose one with --notice ID")
            }
            let notice = CostWrittenOff(notice: id, dealer: dealer, lines: chunk.map(\.line),
                                        amount: chunk.reduce(0) { $0 + $1.amount })
            let event = Event(at: day.description, day: day, body: .costWrittenOff(notice))
            do throws(Refusal) {
                try state.check(event) { _ in nil }
            } catch {
                throw LedgerError(.refused, "the draft notice \(id) would be refused: \(error.reason)")
            }
            state.apply(event, seq: state.lastSeq + 1, target: nil)
            drafts.append(event)
        }
        return drafts
    }
}
