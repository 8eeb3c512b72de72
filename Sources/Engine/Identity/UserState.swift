/// The users of one user shard, with their orders.
public struct User: Sendable, Equatable {
    public var id: UInt64
    public var openID: String
    public var unionID: String?
    public var createdAtMs: Int64
    /// This user's orders in id order (oldest first). Kept sorted rather than
    /// in arrival order: live shards apply durable purchases in the order their
    /// waiters resume, replay in LSN order, and both must give the same state.
    /// Bounded by what a user can buy: flash sales cap units per user.
    public var orderIDs: [UInt64] = []
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

    /// - Complexity: O(1) for the newest order, O(n) at worst.
    mutating func insertOrder(_ orderID: UInt64) {
        var index = orderIDs.endIndex
        while index > orderIDs.startIndex, orderIDs[index - 1] > orderID { index -= 1 }
        orderIDs.insert(orderID, at: index)
    }
}

public struct UserState: Sendable, Equatable {
    public let shardIndex: Int
    public let shardCount: Int
    public internal(set) var users: [UInt64: User] = [:]
    public internal(set) var orders: [UInt64: Order] = [:]

    public init(shardIndex: Int, shardCount: Int) {
        precondition(shardCount > 0 && (0..<shardCount).contains(shardIndex), "shard \(shardIndex) of \(shardCount)")
        (self.shardIndex, self.shardCount) = (shardIndex, shardCount)
    }

    public func owns(userID: UInt64) -> Bool { ShardRouter.shard(of: userID, count: shardCount) == shardIndex }

    public mutating func apply(_ event: MallEvent) {
        switch event {
        case .userRegistered(let registered) where owns(userID: registered.userID):
            users[registered.userID] = User(
                id: registered.userID, openID: registered.openID, unionID: registered.unionID, createdAtMs: registered.atMs)
        case .seckillOrderPlaced(let placed) where owns(userID: placed.userID):
            applyPlaced(placed)
        case .orderPaid(let paid) where owns(userID: paid.userID):
            updateOrder(paid.orderID) { order in
                precondition(order.status == .pendingPayment, "OrderPaid for order \(order.id) in \(order.status)")
                order.status = .pendingShipment
                order.paidAtMs = paid.atMs
                order.transactionID = paid.transactionID
            }
        case .orderCancelled(let cancelled) where owns(userID: cancelled.userID):
            updateOrder(cancelled.orderID) { order in
                precondition(order.status == .pendingPayment, "OrderCancelled for order \(order.id) in \(order.status)")
                order.status = .cancelled
                order.cancelledAtMs = cancelled.atMs
                order.cancelReason = cancelled.reason
            }
        case .userRegistered, .seckillOrderPlaced, .orderPaid, .orderCancelled,
             .adminUpserted, .productCreated, .seckillActivityCreated:
            break
        }
    }

    private mutating func applyPlaced(_ placed: SeckillOrderPlaced) {
        let item = OrderItem(productID: placed.productID, skuID: placed.skuID, productName: placed.productName,
                             skuName: placed.skuName, unitPriceFen: placed.unitPriceFen, quantity: placed.quantity)
        let totalFen = placed.unitPriceFen * placed.quantity
        orders[placed.orderID] = Order(
            id: placed.orderID, userID: placed.userID, activityID: placed.activityID, items: [item],
            totalFen: totalFen, payAmountFen: totalFen, status: .pendingPayment, createdAtMs: placed.atMs,
            payDeadlineMs: placed.deadlineMs)
        users[placed.userID]?.insertOrder(placed.orderID)
        if let key = placed.idempotencyKey { users[placed.userID]?.rememberIdempotencyKey(key, orderID: placed.orderID) }
    }

    private mutating func updateOrder(_ orderID: UInt64, _ change: (inout Order) -> Void) {
        guard var order = orders[orderID] else { preconditionFailure("record refers to order \(orderID) not in state") }
        change(&order)
        orders[orderID] = order
    }
}
