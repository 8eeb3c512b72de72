/// What a request is limited as. Each class has its own rule and its own
/// table of keys, so a flood of reads cannot push a login key out of memory.
public enum RouteClass: String, CaseIterable, Sendable {
    /// Logins and token refreshes, keyed by client address: slows password and code guessing.
    case login
    /// Changes (orders, payments, admin edits), keyed by account.
    case write
    /// Reads (catalog, activity pages, order lists), keyed by client address on public routes.
    case read
    /// Flash-sale purchases, keyed by account: the hottest path, the tightest window.
    case seckill
    /// Image uploads and upload presigns, keyed by account: each may carry megabytes to disk.
    case upload

    /// Position in `RouteClass.allCases`, for tables held in an array.
    var index: Int {
        switch self {
        case .login: 0
        case .write: 1
        case .read: 2
        case .seckill: 3
        case .upload: 4
        }
    }
}

/// At most `limit` requests per key in any window of `windowMs` (as the
/// sliding-window counter estimates it; see `SlidingWindowCounter`).
public struct RateLimitRule: Sendable, Equatable {
    /// Bounds a rule from configuration is clamped to. With both at their
    /// maximum, `limit × windowMs` is below 10^14, so the counter's
    /// arithmetic cannot overflow `Int64`.
    public static let limitMax = 1_000_000
    public static let windowMsMax: Int64 = 86_400_000

    public let limit: Int
    public let windowMs: Int64

    /// Clamps `limit` to 1...`limitMax` and `windowMs` to 1...`windowMsMax`: a
    /// configuration typo makes a tight or loose limit, never a trap.
    public init(limit: Int, windowMs: Int64) {
        self.limit = min(max(limit, 1), Self.limitMax)
        self.windowMs = min(max(windowMs, 1), Self.windowMsMax)
    }

    public static func perSecond(_ limit: Int) -> RateLimitRule { RateLimitRule(limit: limit, windowMs: 1_000) }
    public static func perMinute(_ limit: Int) -> RateLimitRule { RateLimitRule(limit: limit, windowMs: 60_000) }
}

/// The rules of every route class and the memory bound of the limiter.
public struct RateLimitPolicy: Sendable, Equatable {
    /// 10 a minute per address: a person logs in a few times a day; a script guessing codes stalls.
    public var login = RateLimitRule.perMinute(10)
    /// 60 a minute per account: a busy shopper taps a few times a minute.
    public var write = RateLimitRule.perMinute(60)
    /// 600 a minute per address: a page load fans out into a handful of reads,
    /// and several shoppers can share one carrier-NAT address.
    public var read = RateLimitRule.perMinute(600)
    /// 20 a second per account: enough for retries at the opening second, not for a bot's loop.
    public var seckill = RateLimitRule.perSecond(20)
    /// 30 a minute per account: a review's nine pictures at once, three times over; not a disk-filling loop.
    public var upload = RateLimitRule.perMinute(30)

    /// Keys tracked per route class at most. At about 100 bytes a key this
    /// bounds the limiter near 50 MB across the five classes.
    public var keysPerClassMax = 100_000
    /// Mutexes per route class; a key always maps to the same one.
    public var shardCount = 16

    public static let keysPerClassMaxLimit = 10_000_000
    public static let shardCountMax = 256

    public init() {}

    public subscript(routeClass: RouteClass) -> RateLimitRule {
        get {
            switch routeClass {
            case .login: login
            case .write: write
            case .read: read
            case .seckill: seckill
            case .upload: upload
            }
        }
        set {
            switch routeClass {
            case .login: login = newValue
            case .write: write = newValue
            case .read: read = newValue
            case .seckill: seckill = newValue
            case .upload: upload = newValue
            }
        }
    }

    /// `shardCount` clamped to 1...`shardCountMax` and to at most `keysPerClassMax`.
    var effectiveShardCount: Int {
        min(max(shardCount, 1), Self.shardCountMax, effectiveKeysPerClassMax)
    }

    var effectiveKeysPerClassMax: Int { min(max(keysPerClassMax, 1), Self.keysPerClassMaxLimit) }

    /// Keys one shard holds at most. The floor keeps the class total at or
    /// under `keysPerClassMax`, never over it.
    var keysPerShardMax: Int { effectiveKeysPerClassMax / effectiveShardCount }
}

extension RateLimitRule {
    /// `<requests>/<seconds>`, e.g. `30/60`: the form of the `MALL_RATE_LIMIT_*` settings.
    public init?(setting: String) {
        let parts = setting.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let limit = Int(parts[0]), let seconds = Int64(parts[1]),
              (1...Self.limitMax).contains(limit), (1...(Self.windowMsMax / 1_000)).contains(seconds) else { return nil }
        self.init(limit: limit, windowMs: seconds * 1_000)
    }
}

