import WarrantyDomain

extension LedgerState {
    /// Whether `id` names exactly one live claim line (a repair visit's labor or a swap's part), as a notice resolves it.
    ///
    /// Finance's reconciliation asks this before folding a notice the append path refused, so that it
    /// never applies a notice whose lines `apply` could not resolve.
    public func namesOneLine(_ id: String) -> Bool {
        if case .found = lookUpLine(id) { return true }
        return false
    }

    /// Whether a claim line is on a live write-off notice, whatever that notice's day.
    public func isOnNotice(_ kind: LineKind, _ id: String) -> Bool {
        noticeOfLine[LineKey(kind: kind, id: id)] != nil
    }

    /// Whether a live write-off notice has this id.
    public func hasNotice(_ id: String) -> Bool {
        notices[id] != nil
    }
}

extension LedgerState {
    /// The last day on which the registration card of `serial` is on time: the sale day of the first unit of its
    /// exchange chain plus that unit's `registrationDays`. From the next day on, a unit without a card is `missing`.
    ///
    /// A statement needs it to find the day a line turns `rejected` (`not-registered`) without any event.
    public func registrationDue(serial: String) -> Day? {
        guard let unit = units[serial], let holder = units[unit.registrationSerial] else { return nil }
        return holder.introduced.day.adding(days: holder.policy.registrationDays)
    }

    /// The serial whose registration card counts for `serial`: the first unit of its exchange chain (itself if not a
    /// replacement), or nil for an unknown serial.
    public func registrationSerial(of serial: String) -> String? {
        units[serial]?.registrationSerial
    }
}

extension LedgerState {
    /// The claim line `id` of `kind` on `day`, or nil if no such line is dated on or before that day.
    ///
    /// A statement follows each line through the few days its status can change, rather than every line through every day.
    /// - Complexity: proportional to the facts of the line's unit.
    public func claimLine(kind: LineKind, id: String, on day: Day) -> ClaimLine? {
        var views = UnitViews(state: self, day: day)
        return claimLine(LineKey(kind: kind, id: id), views: &views)
    }
}
