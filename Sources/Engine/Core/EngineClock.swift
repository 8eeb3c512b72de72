#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The engine's only source of time. Commands read it when they are decided;
/// events carry the result, so `apply` never reads a clock (DESIGN invariant 2).
public protocol EngineClock: Sendable {
    func nowMs() -> Int64
}

public struct SystemClock: EngineClock {
    public init() {}
    public func nowMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told: tests use it to fire order timeouts.
public final class ManualClock: EngineClock {
    private let current: Atomic<Int64>

    public init(nowMs: Int64) { current = Atomic(nowMs) }

    public func nowMs() -> Int64 { current.load(ordering: .acquiring) }

    public func advance(byMs deltaMs: Int64) {
        current.add(deltaMs, ordering: .releasing)
    }

    public func set(nowMs: Int64) { current.store(nowMs, ordering: .releasing) }
}
