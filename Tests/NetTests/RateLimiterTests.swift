import Engine
import MallTestSupport
@testable import Net
import Testing

@Suite("RateLimiter")
struct RateLimiterTests {
    /// The start of a minute, so window boundaries fall on round numbers.
    static let startMs: Int64 = 1_732_400_040_000

    static func limiter(_ policy: RateLimitPolicy = RateLimitPolicy(), clock: ManualClock) -> RateLimiter {
        RateLimiter(policy: policy, nowMs: { clock.nowMs() })
    }

    static func admitted(_ limiter: RateLimiter, _ routeClass: RouteClass, _ key: RateLimitKey, times: Int) -> Int {
        (0..<times).filter { _ in limiter.check(routeClass, key: key) == .allowed }.count
    }

    @Test("each route class admits exactly its own limit at once, and the classes do not share counts")
    func perClassLimits() {
        let clock = ManualClock(nowMs: Self.startMs)
        let limiter = Self.limiter(clock: clock)
        let key = RateLimitKey.address("203.0.113.7")
        #expect(Self.admitted(limiter, .login, key, times: 50) == 10)
        #expect(Self.admitted(limiter, .seckill, key, times: 50) == 20)
        #expect(Self.admitted(limiter, .write, key, times: 100) == 60)
        #expect(Self.admitted(limiter, .read, key, times: 1_000) == 600)
        #expect(Self.admitted(limiter, .login, .address("203.0.113.8"), times: 50) == 10, "another address has its own count")
    }

    @Test("a policy's rules and bounds are configurable, and nonsense values are clamped instead of trapping")
    func configurable() {
        var policy = RateLimitPolicy()
        policy.login = .perMinute(3)
        policy[.read] = RateLimitRule(limit: 0, windowMs: -5)
        policy.keysPerClassMax = -1
        policy.shardCount = 0
        #expect(policy.read == RateLimitRule(limit: 1, windowMs: 1))
        #expect(RateLimitRule(limit: .max, windowMs: .max) == RateLimitRule(limit: 1_000_000, windowMs: 86_400_000))
        let clock = ManualClock(nowMs: Self.startMs)
        let limiter = Self.limiter(policy, clock: clock)
        #expect(Self.admitted(limiter, .login, .user(1), times: 10) == 3)
        #expect(Self.admitted(limiter, .write, .user(2), times: 1) == 1, "one key fits in a table clamped to one key")
        #expect(limiter.trackedKeyCount(.write) == 1)
    }

    @Test("a burst at the end of a window does not buy a second burst at the start of the next")
    func slidingAcrossBoundary() {
        var policy = RateLimitPolicy()
        policy.seckill = .perSecond(10)
        let clock = ManualClock(nowMs: Self.startMs + 900)
        let limiter = Self.limiter(policy, clock: clock)
        #expect(Self.admitted(limiter, .seckill, .user(7), times: 10) == 10)
        clock.set(nowMs: Self.startMs + 1_000)   // a fixed window would reset here
        #expect(limiter.check(.seckill, key: .user(7)) != .allowed)
        clock.set(nowMs: Self.startMs + 1_900)   // 10% of the burst's window still overlaps: 10 × 0.1 = 1 counts
        #expect(Self.admitted(limiter, .seckill, .user(7), times: 20) == 9)
        clock.set(nowMs: Self.startMs + 3_000)   // two quiet windows later: a clean slate
        #expect(Self.admitted(limiter, .seckill, .user(7), times: 20) == 10)
    }

    @Test("Retry-After is the wait rounded up to whole seconds, and at least one")
    func retryAfterSeconds() {
        let clock = ManualClock(nowMs: Self.startMs)
        let limiter = Self.limiter(clock: clock)
        _ = Self.admitted(limiter, .login, .address("198.51.100.1"), times: 10)
        // Full at the window's start: wait for the next window, until 10 × (1 − e) + 1 ≤ 10, e = 0.1 → 66 s.
        #expect(limiter.check(.login, key: .address("198.51.100.1")) == .limited(retryAfterSeconds: 66))
        _ = Self.admitted(limiter, .seckill, .user(1), times: 20)
        // 1000 ms to the next window, then 50 ms more: 1050 ms → 2 s, not 1.
        #expect(limiter.check(.seckill, key: .user(1)) == .limited(retryAfterSeconds: 2))
        clock.set(nowMs: Self.startMs + 10_500)
        _ = Self.admitted(limiter, .seckill, .user(2), times: 20)
        // 500 ms to the next window and 50 ms into it: 550 ms → 1 s.
        #expect(limiter.check(.seckill, key: .user(2)) == .limited(retryAfterSeconds: 1))
        clock.advance(byMs: 549)
        #expect(limiter.check(.seckill, key: .user(2)) != .allowed)
        clock.advance(byMs: 1)
        #expect(limiter.check(.seckill, key: .user(2)) == .allowed)
    }

    @Test("a refused request is admitted exactly when its retry time has passed, not a millisecond earlier")
    func retryTimeIsExact() {
        var generator = SeededGenerator(seed: 0x5EC0)
        for limit in [1, 2, 3, 7, 20] {
            for windowMs: Int64 in [1_000, 60_000] {
                let rule = RateLimitRule(limit: limit, windowMs: windowMs)
                var nowMs = Self.startMs + Int64.random(in: 0..<windowMs, using: &generator)
                var counter = SlidingWindowCounter(nowMs: nowMs, windowMs: windowMs)
                for _ in 0..<400 {
                    nowMs += Int64.random(in: 0...(windowMs / Int64(limit)), using: &generator)
                    guard case .limited(let waitMs) = counter.admit(nowMs: nowMs, rule: rule) else { continue }
                    #expect(waitMs >= 1)
                    var early = counter, onTime = counter
                    if waitMs > 1 {
                        #expect(early.admit(nowMs: nowMs + waitMs - 1, rule: rule) != .allowed, "limit \(limit)/\(windowMs) ms")
                    }
                    #expect(onTime.admit(nowMs: nowMs + waitMs, rule: rule) == .allowed, "limit \(limit)/\(windowMs) ms")
                }
            }
        }
    }

    @Test("a clock that moves back forgives nothing")
    func clockMovesBack() {
        var policy = RateLimitPolicy()
        policy.login = .perMinute(2)
        let clock = ManualClock(nowMs: Self.startMs + 61_000)
        let limiter = Self.limiter(policy, clock: clock)
        #expect(Self.admitted(limiter, .login, .address("192.0.2.1"), times: 2) == 2)
        clock.set(nowMs: Self.startMs - 120_000)
        #expect(limiter.check(.login, key: .address("192.0.2.1")) != .allowed)
        clock.set(nowMs: -1)
        #expect(limiter.check(.login, key: .address("192.0.2.1")) != .allowed)
    }

    @Test("requests racing from many tasks are each counted once: exactly the limit gets through")
    func concurrentRequests() async {
        var policy = RateLimitPolicy()
        policy.write = .perMinute(3_000)
        let clock = ManualClock(nowMs: Self.startMs)
        let limiter = Self.limiter(policy, clock: clock)
        let admitted = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    // Half the tasks race on one key; the others spread over many, so several shards are busy at once.
                    (0..<1_000).filter { index in
                        let key = task % 2 == 0 ? RateLimitKey.user(1) : .user(UInt64(task * 1_000 + index + 2))
                        return limiter.check(.write, key: key) == .allowed
                    }.count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(admitted == 3_000 + 4_000, "4,000 tries on the shared key: its 3,000; 4,000 distinct keys: all")
        #expect(limiter.check(.write, key: .user(1)) != .allowed)
        #expect(limiter.invariantViolations().isEmpty)
    }

    @Test("a million distinct addresses never make the limiter track more than its cap of keys")
    func boundedMemory() {
        let clock = ManualClock(nowMs: Self.startMs)
        let limiter = Self.limiter(clock: clock)
        let cap = limiter.policy.keysPerClassMax
        #expect(cap == 100_000)
        var countMax = 0, refused = 0
        for index in 0..<1_000_000 {
            let address = "10.\(index >> 16 & 0xFF).\(index >> 8 & 0xFF).\(index & 0xFF)"
            if limiter.check(.read, key: .address(address)) != .allowed { refused += 1 }
            countMax = max(countMax, limiter.trackedKeyCount(.read))   // after every request, not just at the end
            if index % 1000 == 0 { clock.advance(byMs: 1) }
        }
        #expect(refused == 0, "every address is new")
        #expect(countMax <= cap)
        #expect(countMax >= cap - cap / 10, "the cap is used, not a small fraction of it")
        #expect(limiter.invariantViolations().isEmpty)
        // Still limiting: a key that arrives after the flood gets its limit and no more.
        #expect(Self.admitted(limiter, .read, .address("10.255.255.255"), times: 700) == 600)
    }

    @Test("at the cap the least recently seen key is forgotten and starts a fresh window (fail open for that key)")
    func evictionAtCap() {
        var policy = RateLimitPolicy()
        policy.login = .perMinute(1)
        policy.keysPerClassMax = 2
        policy.shardCount = 1
        let clock = ManualClock(nowMs: Self.startMs)
        let limiter = Self.limiter(policy, clock: clock)
        #expect(limiter.check(.login, key: .address("192.0.2.1")) == .allowed)
        #expect(limiter.check(.login, key: .address("192.0.2.2")) == .allowed)
        #expect(limiter.check(.login, key: .address("192.0.2.1")) != .allowed, "seen again: now the most recent")
        #expect(limiter.check(.login, key: .address("192.0.2.3")) == .allowed, "evicts .2, the least recently seen")
        #expect(limiter.trackedKeyCount(.login) == 2)
        #expect(limiter.check(.login, key: .address("192.0.2.1")) != .allowed, ".1 was kept")
        #expect(limiter.check(.login, key: .address("192.0.2.2")) == .allowed, ".2 was forgotten: a fresh window")
        #expect(limiter.invariantViolations().isEmpty)
    }

    @Test("keys idle for two windows leave the table as other traffic goes on")
    func expiredKeysLeave() {
        var policy = RateLimitPolicy()
        policy.shardCount = 1   // every request sweeps the one table the old keys are in
        let clock = ManualClock(nowMs: Self.startMs)
        let limiter = Self.limiter(policy, clock: clock)
        for index in 0..<100 { _ = limiter.check(.write, key: .user(UInt64(index))) }
        #expect(limiter.trackedKeyCount(.write) == 100)
        clock.advance(byMs: 120_000)   // both buckets of every key have aged out
        for index in 0..<200 { _ = limiter.check(.write, key: .user(UInt64(1_000 + index % 2))) }
        #expect(limiter.trackedKeyCount(.write) == 2)
        #expect(limiter.invariantViolations().isEmpty)
    }
}
