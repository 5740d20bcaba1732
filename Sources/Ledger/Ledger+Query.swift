#if canImport(Glibc)
import Glibc
#endif
import WarrantyDomain
import WarrantyProjections

extension Ledger {
    /// Today's business day in the ledger's time zone: the default of `--as-of`.
    public func today(now: Int64 = Ledger.currentMicroseconds()) -> Day {
        let minutes = now / 60_000_000 + Int64(timeZone.minutes)
        let days = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440
        return Day(ordinal: Int32(clamping: days))
    }

    /// The warranty state the ledger knew after its first `knownAt` events (all of them by default).
    public func state(knownAt: Int64 = .max) throws(LedgerError) -> LedgerState {
        try fold(knownAt: knownAt, keys: false).state
    }
}
