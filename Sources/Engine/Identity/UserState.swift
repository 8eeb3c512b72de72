/// A user of one user shard (its orders are the shard's: `UserState.orderChains`).
public struct User: Sendable, Equatable {
    public var id: UInt64
    public var openID: String
    public var unionID: String?
    public var createdAtMs: Int64
    /// Idempotency-Key -> order id of this user's newest keyed orders; a retry
    /// with a key that fell off answers as a new request.
    public var orderIDByIdempotencyKey: [String: UInt64] = [:]
    public static let idempotencyKeysMax = 100

    /// Keeps the newest `idempotencyKeysMax` keys; the oldest (smallest order id) falls off.
    mutating func rememberIdempotencyKey(_ key: String, orderID: UInt64) {
        orderIDByIdempotencyKey[key] = orderID
        if orderIDByIdempotencyKey.count > Self.idempotencyKeysMax,
           let oldest = orderIDByIdempotencyKey.min(by: { $0.value < $1.value }) {
            orderIDByIdempotencyKey[oldest.key] = nil
        }
        assert(orderIDByIdempotencyKey.count <= Self.idempotencyKeysMax)
    }
}

public struct UserState: Sendable, Equatable {
    public let shardIndex: Int
    public let shardCount: Int
    public internal(set) var users: [UInt64: User] = [:]
    public internal(set) var orders = OrderTable()
    /// Each user's orders, newest first (`UserState+Orders.swift`): bounded like the orders,
    /// at most `finishedOrdersKeptMax` finished ones per user.
    public internal(set) var orderChains: [UInt64: OrderChain] = [:]
    var sharedItems = SharedOrderItems()
    /// Profiles, bans, addresses and sessions of the users that have any (`UserState+Identity.swift`).
    public internal(set) var identities: [UInt64: UserIdentity] = [:]
    /// Favorites, browsing and search history of the users that have any (`UserState+Browsing.swift`).
    public internal(set) var browsing: [UInt64: UserBrowsing] = [:]

    public init(shardIndex: Int, shardCount: Int) {
        precondition(shardCount > 0 && (0..<shardCount).contains(shardIndex), "shard \(shardIndex) of \(shardCount)")
        (self.shardIndex, self.shardCount) = (shardIndex, shardCount)
    }

    public func owns(userID: UInt64) -> Bool { ShardRouter.shard(of: userID, count: shardCount) == shardIndex }

    /// Applies an event to the user it belongs to; order events are the Orders
    /// domain's (`UserState+Orders.swift`).
    /// - Returns: the ids of finished orders that left hot state.
    @discardableResult
    public mutating func apply(_ event: MallEvent) throws(ApplyError) -> [UInt64] {
        switch event {
        case .userRegistered(let registered):
            guard users[registered.userID] == nil else { throw ApplyError("user \(registered.userID) registered twice") }
            users[registered.userID] = User(
                id: registered.userID, openID: registered.openID, unionID: registered.unionID, createdAtMs: registered.atMs)
            return []
        case .seckillOrderPlaced, .orderPlaced, .orderPaid, .orderCancelled:
            return try applyOrderEvent(event)
        case .sessionOpened, .sessionRefreshed, .sessionsRevoked, .userProfileChanged, .userStatusChanged,
             .userAddressesChanged:
            try applyIdentityEvent(event)
            return []
        case .searchRecorded, .favoriteChanged, .productViewed, .historyCleared:
            try applyBrowsingEvent(event)
            return []
        case .adminUpserted, .productCreated, .seckillActivityCreated, .paymentExceptionRecorded, .adminChanged,
             .adminLockedOut, .auditRecorded, .categorySaved, .categoryDeleted, .productSaved, .productsShelved,
             .productDeleted, .stockAdjusted, .seckillStockMoved, .stockLow, .searchSettingsChanged:
            return []
        }
    }
}
