import Synchronization

/// Who a request counts against.
public enum RateLimitKey: Hashable, Sendable {
    /// A client address as `ClientAddressResolver` reduces it: an IPv4
    /// address, or the /64 prefix of an IPv6 one.
    case address(String)
    /// No address is known (a Unix socket, a test channel): all such requests share one key.
    case unknownAddress
    /// A signed-in buyer.
    case user(UInt64)
    /// A signed-in back-office account.
    case admin(UInt64)
}

/// What the limiter decided for one request.
public enum RateLimitDecision: Sendable, Equatable {
    case allowed
    /// Refused; the same request is admitted after this many seconds (rounded up, at least 1).
    case limited(retryAfterSeconds: Int)
}

/// Sliding-window rate limits per (route class, key), in memory and bounded.
///
/// Each route class has its own rule and its own tables, split into
/// `policy.shardCount` shards each behind its own `Mutex`, so requests of
/// different keys rarely wait for each other. The lock is held for one
/// dictionary lookup and a few array writes; nothing under it suspends or
/// does I/O.
///
/// Memory: at most `policy.keysPerClassMax` keys per class. At that limit the
/// least recently seen key is forgotten (see `RateLimitTable`): that key
/// starts afresh, the limiter fails open for it, and memory stays bounded.
///
/// Keys are hashed with the standard library's per-process random seed, so
/// a client cannot aim its keys at one shard or at one dictionary bucket.
public final class RateLimiter: Sendable {
    public let policy: RateLimitPolicy
    private let nowMs: @Sendable () -> Int64
    /// `shardsByClass[routeClass.index][shard]`.
    private let shardsByClass: [[Shard]]

    private final class Shard: Sendable {
        let table: Mutex<RateLimitTable>
        init(keysMax: Int) { table = Mutex(RateLimitTable(keysMax: keysMax)) }
    }

    /// - Parameters:
    ///   - policy: rules and bounds; out-of-range values are clamped (see `RateLimitPolicy`).
    ///   - nowMs: the clock, in milliseconds. Tests pass a manual clock; the
    ///     server passes the engine's. A clock that moves back forgives nothing.
    public init(policy: RateLimitPolicy = RateLimitPolicy(), nowMs: @escaping @Sendable () -> Int64) {
        self.policy = policy
        self.nowMs = nowMs
        let shardCount = policy.effectiveShardCount, keysPerShard = policy.keysPerShardMax
        shardsByClass = RouteClass.allCases.map { _ in (0..<shardCount).map { _ in Shard(keysMax: keysPerShard) } }
    }

    /// Counts one request of `key` in `routeClass`, or refuses it.
    ///
    /// - Complexity: O(1) amortised.
    public func check(_ routeClass: RouteClass, key: RateLimitKey) -> RateLimitDecision {
        let rule = policy[routeClass]
        let now = nowMs()
        let decision = shard(routeClass, key).table.withLock { $0.admit(key, nowMs: now, rule: rule) }
        switch decision {
        case .allowed:
            return .allowed
        case .limited(let retryAfterMs):
            // Round up: a client that waits the seconds it was told is admitted.
            let seconds = retryAfterMs / 1000 + (retryAfterMs % 1000 == 0 ? 0 : 1)
            return .limited(retryAfterSeconds: Int(max(seconds, 1)))
        }
    }

    /// How many keys `routeClass` tracks now, never above `policy.keysPerClassMax`.
    ///
    /// - Complexity: O(shards); takes each of the class's locks in turn.
    public func trackedKeyCount(_ routeClass: RouteClass) -> Int {
        shardsByClass[routeClass.index].reduce(0) { total, shard in total + shard.table.withLock { $0.count } }
    }

    /// What is broken in any table's list against its index; empty when all are sound.
    ///
    /// - Complexity: O(keys tracked); for tests.
    func invariantViolations() -> [String] {
        shardsByClass.flatMap { shards in shards.flatMap { shard in shard.table.withLock { $0.invariantViolations() } } }
    }

    private func shard(_ routeClass: RouteClass, _ key: RateLimitKey) -> Shard {
        let shards = shardsByClass[routeClass.index]
        return shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }
}
