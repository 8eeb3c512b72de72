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

    /// A new order: refused, with nothing changed, when its id is already held.
    private mutating func insert(_ order: Order, idempotencyKey: String?) throws(ApplyError) {
        let userID = order.userID, orderID = order.id
        if store(order, replacing: false) != nil { throw ApplyError("order \(orderID) placed twice") }
        guard let idempotencyKey, let index = users.index(forKey: userID) else { return }
        users.values[index].rememberIdempotencyKey(idempotencyKey, orderID: orderID)
    }

    /// Stores `order` and links it into its user's chain (`orderChains`), which stays in id
    /// order whatever order the orders arrive in. An order with id 0 is stored outside any chain.
    ///
    /// The usual order is its user's newest: it takes the chain's head, at the cost of one
    /// lookup of the chain and one of the order id.
    /// - Parameter replacing: what happens when the id is already held. False: the held
    ///   order stays and nothing changes. True (a snapshot's list, where an id met again
    ///   keeps the later order): `order` takes the held order's place, link included.
    /// - Returns: the order that held the id, if any.
    @discardableResult
    mutating func store(_ order: consuming Order, replacing: Bool) -> Order? {
        let id = order.id, userID = order.userID
        let chain = id == 0 ? nil : orderChains.index(forKey: userID)
        var previous: UInt64 = 0
        if let chain {
            // Changed in place at its index: `orderChains[id]?.` allocates a coroutine frame per call.
            guard let head = orderChains.values[chain].takeHead(id) else {
                return storeBehindNewest(order, chain: chain, replacing: replacing)
            }
            previous = head
        }
        order.previousOrderID = previous
        if let held = orders.updateValue(order, forKey: id) {
            // Held by an order outside this chain (the chain holds nothing above its head).
            if let chain { orderChains.values[chain].giveBackHead(previous) }
            if replacing { orders[id]?.previousOrderID = held.previousOrderID } else { orders[id] = held }
            return held
        }
        if chain == nil, id != 0 { orderChains[userID] = OrderChain(newestOrderID: id, count: 1) }
        return nil
    }

    /// `store` of an order that is not its user's newest: finds its place down the chain.
    private mutating func storeBehindNewest(_ order: consuming Order, chain: Dictionary<UInt64, OrderChain>.Index,
                                            replacing: Bool) -> Order? {
        let id = order.id
        if let held = orders[id] {
            guard replacing else { return held }
            order.previousOrderID = held.previousOrderID
            orders[id] = order
            return held
        }
        // The oldest order above `id` (the head, at least): `order` goes just below it.
        var successor = orderChains[chain].value.newestOrderID
        walkOrders(of: order.userID) { above in
            guard above.id > id else { return false }
            successor = above.id
            return true
        }
        let below = orders[successor]?.previousOrderID ?? 0
        order.previousOrderID = below < id ? below : 0
        orders[successor]?.previousOrderID = id
        orders[id] = order
        orderChains.values[chain].count += 1
        return nil
    }

    /// Calls `body` with each of a user's orders, newest first, until it returns false. Follows
    /// the chain only while the ids fall, so the walk always ends.
    func walkOrders(of userID: UInt64, _ body: (Order) -> Bool) {
        var (next, above) = (orderChains[userID]?.newestOrderID ?? 0, UInt64.max)
        while next != 0, next < above, let order = orders[next] {
            (above, next) = (next, order.previousOrderID)
            guard body(order) else { return }
        }
    }

    /// The ids of a user's orders, newest first.
    func orderIDs(of userID: UInt64) -> [UInt64] {
        var ids: [UInt64] = []
        ids.reserveCapacity(orderCount(of: userID))
        walkOrders(of: userID) { order in
            ids.append(order.id)
            return true
        }
        return ids
    }

    /// How many orders of the user are in hot state.
    public func orderCount(of userID: UInt64) -> Int { orderChains[userID]?.count ?? 0 }

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
        guard let chain = orderChains.index(forKey: userID),
              orderChains.values[chain].count > Self.finishedOrdersKeptMax else { return [] }
        var newestFirst: [(id: UInt64, isFinal: Bool)] = []
        walkOrders(of: userID) { order in
            newestFirst.append((order.id, order.status.isFinal))
            return true
        }
        let finished = newestFirst.filter(\.isFinal).map(\.id)
        guard finished.count > Self.finishedOrdersKeptMax else { return [] }
        let evicted = Array(finished[Self.finishedOrdersKeptMax...].reversed())
        let gone = Set(evicted)
        let kept = newestFirst.map(\.id).filter { !gone.contains($0) }
        for (position, id) in kept.enumerated() {
            let previous = position + 1 < kept.count ? kept[position + 1] : 0
            if orders[id]?.previousOrderID != previous { orders[id]?.previousOrderID = previous }
        }
        // `kept` holds the finished orders it keeps, so it is never empty here.
        orderChains.values[chain].newestOrderID = kept.first ?? 0
        orderChains.values[chain].count = kept.count
        for id in evicted { orders[id] = nil }
        return evicted
    }

    /// One page of a user's orders, newest first: those with an id below
    /// `beforeOrderID`, in `status` when given. `nextCursor` is the last id of
    /// the page when older orders may follow.
    /// - Complexity: one order lookup per order newer than the page's last, which
    ///   `finishedOrdersKeptMax` and what a user can buy bound.
    public func orders(of userID: UInt64, beforeOrderID: UInt64?, status: OrderStatus? = nil,
                       limit: Int) -> (orders: [Order], nextCursor: UInt64?) {
        guard limit > 0 else { return ([], nil) }
        var page: [Order] = []
        page.reserveCapacity(min(limit, orderCount(of: userID)))
        var nextCursor: UInt64?
        walkOrders(of: userID) { order in
            if let beforeOrderID, order.id >= beforeOrderID { return true }
            // A full page with an older order after it: the next page starts there.
            guard page.count < limit else {
                nextCursor = page.last?.id
                return false
            }
            if status == nil || order.status == status { page.append(order) }
            return true
        }
        return (page, nextCursor)
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

/// A user's orders in hot state, in id order: a chain from the newest through
/// `Order.previousOrderID`. A chain rather than an array of ids held by the user: a purchase
/// then writes this entry and its own order, where appending to an array touched the array's
/// header and its tail, two cache misses on a heap block of its own. Kept in id order rather
/// than arrival order: live shards apply durable purchases in the order their waiters resume,
/// replay in LSN order, and both must give the same state. Every user id with an order in the
/// shard has one, registered or not, so the chains follow from the orders alone.
public struct OrderChain: Sendable, Equatable {
    /// The newest order's id.
    public internal(set) var newestOrderID: UInt64
    /// How many orders the chain holds.
    public internal(set) var count: Int

    /// Makes `orderID` the head when it is newer than every order in the chain.
    /// - Returns: the head it follows, or nil, with nothing changed, when it is not newer.
    mutating func takeHead(_ orderID: UInt64) -> UInt64? {
        guard newestOrderID < orderID else { return nil }
        defer { (newestOrderID, count) = (orderID, count + 1) }
        return newestOrderID
    }

    /// Undoes `takeHead`, which returned `previous`.
    mutating func giveBackHead(_ previous: UInt64) {
        (newestOrderID, count) = (previous, count - 1)
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
