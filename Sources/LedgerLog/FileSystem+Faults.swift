#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A kind of file-system failure a test can inject.
@_spi(Testing) public enum Fault: String, Sendable, CaseIterable {
    /// A write stores only half its bytes, and the write of the rest finds the disk full.
    case shortWrite
    /// The call fails with `EIO`.
    case ioError
    /// The call fails with `ENOSPC`.
    case noSpace
    /// `fdatasync` or `fsync` fails with `EIO`, having synced nothing.
    case failedSync

    /// Whether this fault can strike `call`: a full disk fails calls that allocate, not reads or removals.
    public func strikes(_ call: FileCall) -> Bool {
        switch self {
        case .shortWrite: call == .write
        case .ioError: true
        case .noSpace: [.create, .write, .datasync, .fsync, .rename].contains(call)
        case .failedSync: call == .datasync || call == .fsync
        }
    }
}

/// A call made through the `FileSystem` seam.
@_spi(Testing) public enum FileCall: String, Sendable {
    case open, create, write, datasync, fsync, truncate, rename, unlink
}

/// A `FileSystem` that performs every call for real, except that it fails the `k`-th call (from 1)
/// that `fault` can strike, and records every call it sees.
@_spi(Testing) public final class FaultInjector: Sendable {
    public let fault: Fault?
    public let k: Int
    private struct State {
        var calls: [FileCall] = []
        var eligible = 0
        var struck: FileCall?
        var diskFull = false
    }
    private let state = Mutex(State())

    /// With no fault the injector only counts: run a clean operation through it first to learn how many `k` there are.
    public init(_ fault: Fault? = nil, at k: Int = 0) {
        self.fault = fault
        self.k = k
    }

    /// Every call made so far, in order.
    public var calls: [FileCall] { state.withLock { $0.calls } }
    /// Whether the fault has struck.
    public var struck: Bool { struckCall != nil }
    /// The call the fault struck, if it has.
    public var struckCall: FileCall? { state.withLock { $0.struck } }

    /// How many of the calls so far `fault` could strike: the range of `k` to try.
    public func count(_ fault: Fault) -> Int {
        calls.filter(fault.strikes).count
    }

    /// Records the call and says whether it fails now (and whether the disk has just been found full).
    private func decide(_ call: FileCall) -> (fail: Bool, full: Bool) {
        state.withLock { state in
            state.calls.append(call)
            if call == .write && state.diskFull {
                state.diskFull = false
                return (true, true)
            }
            guard let fault, fault.strikes(call), state.struck == nil else { return (false, false) }
            state.eligible += 1
            guard state.eligible == k else { return (false, false) }
            state.struck = call
            if fault == .shortWrite { state.diskFull = true }
            return (true, false)
        }
    }

    private var code: Int32 { fault == .noSpace ? ENOSPC : EIO }

    public var fileSystem: FileSystem {
        let real = FileSystem.posix
        return FileSystem(
            open: { path, flags, mode in
                let (fail, _) = self.decide(flags & O_CREAT != 0 ? .create : .open)
                if fail { errno = self.code; return -1 }
                return real.open(path, flags, mode)
            },
            pwrite: { descriptor, bytes, offset in
                let (fail, full) = self.decide(.write)
                if full { errno = ENOSPC; return -1 }
                guard fail else { return real.pwrite(descriptor, bytes, offset) }
                if self.fault == .shortWrite {
                    return real.pwrite(descriptor, UnsafeRawBufferPointer(rebasing: bytes.prefix(bytes.count / 2)), offset)
                }
                errno = self.code
                return -1
            },
            fdatasync: { descriptor in
                if self.decide(.datasync).fail { errno = self.code; return -1 }
                return real.fdatasync(descriptor)
            },
            fsync: { descriptor in
                if self.decide(.fsync).fail { errno = self.code; return -1 }
                return real.fsync(descriptor)
            },
            ftruncate: { descriptor, length in
                if self.decide(.truncate).fail { errno = self.code; return -1 }
                return real.ftruncate(descriptor, length)
            },
            rename: { from, to in
                if self.decide(.rename).fail { errno = self.code; return -1 }
                return real.rename(from, to)
            },
            unlink: { path in
                if self.decide(.unlink).fail { errno = self.code; return -1 }
                return real.unlink(path)
            })
    }
}
