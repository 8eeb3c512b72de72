/// The Orders domain's part of a user shard's state: orders are created,
/// paid and cancelled here, with the transition decided by `OrderStateMachine`
/// and every amount taken from the record, never recomputed.
extension UserState {
    /// Finished orders (cancelled or completed) kept in memory per user; older
    /// ones leave hot state (the archive keeps them).
    public static let finishedOrdersKeptMax = 100

    mutating func applyOrderEvent(_ event: MallEvent) throws(ApplyError) -> [UInt64] {
        switch event {
        case .seckillOrderPlaced(let placed):
            _ = try insertOrder(placed)
            return []
        case .orderPlaced(let placed):
            let items = placed.lines.map {
                OrderItem(productID: $0.productID, skuID: $0.skuID, productName: $0.productName, skuName: $0.skuName,
                          unitPriceFen: $0.unitPriceFen, quantity: $0.quantity)
            }
            try insert(Order(
                id: placed.orderID, userID: placed.userID, activityID: 0, items: items, totalFen: placed.totalFen,
                payAmountFen: placed.payAmountFen, status: .pendingPayment, createdAtMs: placed.atMs,
                payDeadlineMs: placed.deadlineMs), idempotencyKey: placed.idempotencyKey)
            return []
        case .orderPaid(let paid):
            try change(paid.orderID, .paid) { order in
                order.paidAtMs = paid.atMs
                order.transactionID = paid.transactionID
            }
            return []
        case .orderCancelled(let cancelled):
            try change(cancelled.orderID, .cancelled) { order in
                order.cancelledAtMs = cancelled.atMs
                order.cancelReason = cancelled.reason
            }
            return evictFinishedOrders(of: cancelled.userID)
        default:
            // Not an order event: `UserState.apply` routes only the four above here.
            return []
        }
    }

    /// Creates the order of a flash-sale purchase (a `seckillOrderPlaced` event) and returns it.
    mutating func insertOrder(_ placed: SeckillOrderPlaced) throws(ApplyError) -> Order {
        let item = OrderItem(productID: placed.productID, skuID: placed.skuID, productName: placed.productName,
                             skuName: placed.skuName, unitPriceFen: placed.unitPriceFen, quantity: placed.quantity)
        let order = Order(
            id: placed.orderID, userID: placed.userID, activityID: placed.activityID, items: sharedItems.items(item),
            totalFen: placed.totalFen, payAmountFen: placed.totalFen, status: .pendingPayment,
            createdAtMs: placed.atMs, payDeadlineMs: placed.deadlineMs)
        try insert(order, idempotencyKey: placed.idempotencyKey)
        return order
    }

    /// One lookup of the order id on the way that succeeds.
    private mutating func insert(_ order: Order, idempotencyKey: String?) throws(ApplyError) {
        if let existing = orders.updateValue(order, forKey: order.id) {
            orders[order.id] = existing
            throw ApplyError("order \(order.id) placed twice")
        }
        // Changed in place at its index: one hash lookup, where `users[id]?.` allocates a
        // coroutine frame per call and taking the user out and back in costs three lookups.
        guard let index = users.index(forKey: order.userID) else { return }
        users.values[index].insertOrder(order.id)
        if let idempotencyKey { users.values[index].rememberIdempotencyKey(idempotencyKey, orderID: order.id) }
    }

    private mutating func change(_ orderID: UInt64, _ change: OrderStateMachine.Change,
                                 _ update: (inout Order) -> Void) throws(ApplyError) {
        guard var order = orders[orderID] else { throw ApplyError("order \(orderID) is not in state") }
        var machine = OrderStateMachine(order)
        switch machine.recorded(change) {
        case .moved(_, let to):
            order.status = to
            update(&order)
            orders[orderID] = order
        case .refused(let reason):
            throw ApplyError("order \(orderID): \(reason)")
        }
    }

    /// Drops the oldest finished orders of a user beyond `finishedOrdersKeptMax`.
    /// Deterministic (a function of the user's orders), so live and replayed state agree.
    private mutating func evictFinishedOrders(of userID: UInt64) -> [UInt64] {
        guard let orderIDs = users[userID]?.orderIDs, orderIDs.count > Self.finishedOrdersKeptMax else { return [] }
        let finished = orderIDs.filter { orders[$0]?.status.isFinal ?? false }
        guard finished.count > Self.finishedOrdersKeptMax else { return [] }
        let evicted = Array(finished.prefix(finished.count - Self.finishedOrdersKeptMax))
        let gone = Set(evicted)
        users[userID]?.orderIDs.removeAll { gone.contains($0) }
        for id in evicted { orders[id] = nil }
        return evicted
    }

    /// One page of a user's orders, newest first: those with an id below
    /// `beforeOrderID`, in `status` when given. `nextCursor` is the last id of
    /// the page when older orders may follow.
    /// - Complexity: O(log n + limit) without a status; a status walks back
    ///   over the user's orders, which `finishedOrdersKeptMax` bounds.
    public func orders(of userID: UInt64, beforeOrderID: UInt64?, status: OrderStatus? = nil,
                       limit: Int) -> (orders: [Order], nextCursor: UInt64?) {
        guard let orderIDs = users[userID]?.orderIDs, limit > 0 else { return ([], nil) }
        var index = orderIDs.endIndex
        if let beforeOrderID {
            // First index whose id is >= the cursor: the page starts just before it.
            var low = orderIDs.startIndex, high = orderIDs.endIndex
            while low < high {
                let mid = low + (high - low) / 2
                if orderIDs[mid] < beforeOrderID { low = mid + 1 } else { high = mid }
            }
            index = low
        }
        var page: [Order] = []
        page.reserveCapacity(min(limit, index))
        while index > orderIDs.startIndex, page.count < limit {
            index -= 1
            guard let order = orders[orderIDs[index]], status == nil || order.status == status else { continue }
            page.append(order)
        }
        return (page, index > orderIDs.startIndex ? page.last?.id : nil)
    }
}

extension OrderStatus {
    /// No further change can happen to the order.
    public var isFinal: Bool {
        switch self {
        case .cancelled, .completed: true
        case .pendingPayment, .pendingShipment, .pendingReceipt: false
        }
    }
}

/// The items of the last flash-sale order a shard created, handed to the next
/// order whose items are equal: in a flash sale every order on a shard then
/// shares one array and its name strings (replayed records bring their own
/// copies) instead of a heap block of 112 bytes and a `malloc` each.
///
/// Only the thread applying a shard's records touches its cache. Orders decoded
/// from a snapshot do not share: parts decoded on every core and moved to their
/// shards on others would retain and release one array from several cores,
/// which made start-up a third slower.
///
/// A cache, not state: two states are equal whatever it holds.
struct SharedOrderItems: Sendable, Equatable {
    private var shared: [OrderItem] = []

    mutating func items(_ item: OrderItem) -> [OrderItem] {
        if !(shared.count == 1 && shared[0].hasSameBytes(as: item)) { shared = [item] }
        return shared
    }

    static func == (_: Self, _: Self) -> Bool { true }
}

extension OrderItem {
    /// Equal numbers and names equal byte for byte (`==` on strings compares
    /// canonical equivalence, which is slower and would share a differently spelled name).
    func hasSameBytes(as other: OrderItem) -> Bool {
        productID == other.productID && skuID == other.skuID && unitPriceFen == other.unitPriceFen
            && quantity == other.quantity && Self.sameBytes(productName, other.productName)
            && Self.sameBytes(skuName, other.skuName)
    }

    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        var (a, b) = (a, b)
        return a.utf8.count == b.utf8.count && a.withUTF8 { a in b.withUTF8 { b in a.elementsEqual(b) } }
    }
}
