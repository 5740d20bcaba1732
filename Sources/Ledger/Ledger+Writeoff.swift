import JSONText
import WarrantyDomain
import WarrantyProjections

/// What `writeoff-draft` drafted, and the approved lines it left out.
public struct WriteoffDraft: Sendable {
    /// An approved line on no notice that no draft can hold, and why.
    public struct Skipped: Hashable, Sendable {
        public var line: String
        public var kind: LineKind
        public var amount: Fen
        public var reason: String
    }

    /// The `cost.written-off` events, each checked as `append` will check it and read back from its JSON line.
    public var notices: [Event]
    /// In the order of the dealer's lines.
    public var skipped: [Skipped]
}

extension Ledger {
    /// The `cost.written-off` events that write off every approved line of `dealer` on `day` that is on no live notice.
    ///
    /// One notice holds at most 1,000 lines and 1,000,000,000,000 fen (the input limits); more lines make
    /// several notices, numbered `ID`, `ID-2`, `ID-3`… The default `ID` is `WO-DEALER-DAY`, with the first free suffix
    /// `-2`, `-3`… when a live notice already has it. Each draft is checked exactly as `append` will check it,
    /// over every event in the ledger, and read back from the JSON line it prints as the same event, so a draft
    /// appended as is is accepted unless the ledger changes first. A line no notice can name (a repair visit and a
    /// swap share its id) or hold (its amount alone is over the money limit) is left out and listed in `skipped`.
    /// No notices means there is nothing to write off.
    ///
    /// With a usable snapshot the draft is made from a scoped fold (`SnapshotScope`): the dealer's units and notices,
    /// and the units and notices its line and notice ids name anywhere in the ledger, which is all the checks read.
    public func writeoffDraft(dealer: String, on day: Day, notice requested: String? = nil) throws(LedgerError) -> WriteoffDraft {
        if Ledger.scopedFolds, let (file, snapshotReader) = usableSnapshot(reader: try logReader()),
           let scope = SnapshotScope(file: file, reader: snapshotReader), var fold = scope.emptyFold() {
            // Anything that stops the scoped fold (a damaged part of the snapshot, or of the log) is left to the
            // whole fold to get past or to report; the draft's own errors are the answer.
            var loaded = true
            do {
                try foldTail(&fold, after: file.lastRecord, knownAt: .max, scope: scope)
                try scope.dealer(dealer, &fold.state)
            } catch {
                Ledger.scopeFallback?("\(error)")
                loaded = false
            }
            if loaded {
                do {
                    return try writeoffDraft(dealer: dealer, on: day, notice: requested, state: fold.state, scope: scope)
                } catch let error as ScopeUnavailable {
                    Ledger.scopeFallback?(error.reason)
                } catch {
                    throw LedgerError.wrap(error)
                }
            }
        }
        let whole = try self.state()
        do { return try writeoffDraft(dealer: dealer, on: day, notice: requested, state: whole, scope: nil) } catch {
            throw LedgerError.wrap(error)
        }
    }

    /// The draft from `state`, the whole state or a scoped one whose `scope` loads what each id needs first.
    private func writeoffDraft(dealer: String, on day: Day, notice requested: String?, state: LedgerState,
                               scope: SnapshotScope?) throws -> WriteoffDraft {
        var state = state
        /// Loads what the whole state would answer about an id: the unit holding it, or the notice.
        func need(_ kind: IdentifierKind, _ id: String) throws {
            do { try scope?.identifier(kind, id, &state) } catch { throw ScopeUnavailable(reason: error.reason) }
        }
        guard state.dealerName(dealer) != nil else {
            throw LedgerError(.notFound, "dealer \"\(dealer)\" is not enrolled in the ledger (see `ledger dealers`)")
        }
        var skipped: [WriteoffDraft.Skipped] = []
        var lines: [ClaimLine] = []
        for line in state.claimLines(on: day, dealer: dealer) {
            // A line on a notice dated after `day` is approved on `day` but cannot go on a second notice.
            guard line.status == .approved, !state.isOnNotice(line.kind, line.line) else { continue }
            // A new notice's line ids are resolved against the ledger as it is now.
            try need(.visit, line.line)
            try need(.swap, line.line)
            let reason: String? = if !state.namesOneLine(line.line) {
                "both a repair visit and a swap have the id \"\(line.line)\", so a notice cannot name one of them"
            } else if line.amount > Limits.moneyFenMax {
                "its amount \(line.amount) fen alone is over the \(Limits.moneyFenMax) fen one notice may hold"
            } else {
                nil
            }
            if let reason {
                skipped.append(WriteoffDraft.Skipped(line: line.line, kind: line.kind, amount: line.amount, reason: reason))
            } else {
                lines.append(line)
            }
        }
        guard !lines.isEmpty else { return WriteoffDraft(notices: [], skipped: skipped) }

        var chunks: [[ClaimLine]] = [[]]
        var chunkAmount: Fen = 0
        for line in lines {
            // Each line fits a notice alone, so only a chunk holding lines is closed.
            if !chunks[chunks.count - 1].isEmpty,
               chunks[chunks.count - 1].count == Limits.arrayCountMax || chunkAmount + line.amount > Limits.moneyFenMax {
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
        func taken(_ notice: String) throws -> Bool {
            try need(.notice, notice)
            return state.hasNotice(notice)
        }
        if requested == nil {
            while try (0..<chunks.count).contains(where: { try taken(name($0, suffix: suffix + 1)) }) { suffix += 1 }
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
            try need(.notice, id)
            do throws(Refusal) {
                try state.check(event) { _ in nil }
            } catch {
                throw LedgerError(.refused, "the draft notice \(id) would be refused: \(error.reason)")
            }
            try Self.readsBack(event, zone: timeZone)
            state.apply(event, seq: state.lastSeq + 1, target: nil)
            drafts.append(event)
        }
        return WriteoffDraft(notices: drafts, skipped: skipped)
    }

    /// A scoped fold could not read what it needed from the snapshot: the whole state answers instead.
    struct ScopeUnavailable: Error {
        var reason: String
    }

    /// Checks that `event`'s JSON line reads back, through the input path's decoder in `zone`, as `event` itself.
    static func readsBack(_ event: Event, zone: TimeZoneOffset) throws(LedgerError) {
        let text = JSONWriter.string(EventEncoder.encode(event))
        let problem: String
        do {
            let read = try EventDecoder.decode(try JSONParser.parse(text), zone: zone)
            guard read != event else { return }
            problem = "it reads back as a different event"
        } catch let error as EventInputError {
            problem = "append would refuse it: \(error.reason)"
        } catch let error as JSONError {
            problem = "it is not JSON: \(error.reason)"
        } catch {
            problem = "\(error)"
        }
        throw LedgerError(.verificationFailed, "draft not printed: \(text) — \(problem); this is a bug in writeoff-draft, please report it")
    }
}
