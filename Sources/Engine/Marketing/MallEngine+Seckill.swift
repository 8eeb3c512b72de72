/// Flash sales (秒杀): an activity with a time window and items; a purchase
/// takes seckill stock on the SKU's inventory shard and creates an order in
/// `pending_payment` on the buyer's shard, in one WAL record.
public struct NewSeckillActivity: Sendable {
    public var name: String
    public var startMs: Int64
    public var endMs: Int64
    public var items: [SeckillItemDefinition]

    public init(name: String, startMs: Int64, endMs: Int64, items: [SeckillItemDefinition]) {
        (self.name, self.startMs, self.endMs, self.items) = (name, startMs, endMs, items)
    }
}

public struct SeckillItemStatus: Sendable, Equatable {
    public var item: SeckillItemDefinition
    public var remaining: Int64
    public var sold: Int64
}

extension MallEngine {
    public static let seckillItemsMax = 100
    public static let seckillQuantityMax: Int64 = MallLimits.quantityMax

    public func createSeckillActivity(_ input: NewSeckillActivity) async throws(EngineError) -> SeckillActivity {
        guard !input.name.isEmpty else { throw .invalid(field: "name", reason: "must not be empty") }
        guard input.endMs > input.startMs else { throw .invalid(field: "endTime", reason: "must be after startTime") }
        guard (1...Self.seckillItemsMax).contains(input.items.count) else {
            throw .invalid(field: "items", reason: "must hold 1 to \(Self.seckillItemsMax) items")
        }
        let catalog = self.catalog
        var seen = Set<UInt64>()
        for (index, item) in input.items.enumerated() {
            guard catalog.sku(item.skuID) != nil else { throw .invalid(field: "items[\(index)].skuId", reason: "no such SKU") }
            guard seen.insert(item.skuID).inserted else { throw .invalid(field: "items[\(index)].skuId", reason: "listed twice") }
            guard item.seckillPriceFen >= 0 else { throw .invalid(field: "items[\(index)].seckillPriceFen", reason: "must be >= 0") }
            guard item.stock >= 0 else { throw .invalid(field: "items[\(index)].stock", reason: "must be >= 0") }
            guard item.limitPerUser >= 1 else { throw .invalid(field: "items[\(index)].limitPerUser", reason: "must be >= 1") }
        }
        let nowMs = clock.nowMs()
        let activityID = ids.next()
        try await commit(.seckillActivityCreated(SeckillActivityCreated(
            activityID: activityID, name: input.name, startMs: input.startMs, endMs: input.endMs,
            items: input.items, atMs: nowMs)), atMs: nowMs)
        guard let activity = self.catalog.activities[activityID] else { preconditionFailure("activity \(activityID) not applied") }
        return activity
    }

    public func seckillActivity(id: UInt64) async -> (SeckillActivity, [SeckillItemStatus])? {
        guard let activity = catalog.activities[id] else { return nil }
        var items: [SeckillItemStatus] = []
        for item in activity.items {
            let stock = await inventoryShard(forSKU: item.skuID).seckillStock(SeckillKey(activityID: id, skuID: item.skuID))
            items.append(SeckillItemStatus(item: item, remaining: stock?.remaining ?? 0, sold: stock?.sold ?? 0))
        }
        return (activity, items)
    }

    /// Buys flash-sale stock. Returns once the purchase is durable.
    /// Refusals (sold out, limit reached, outside the window) leave no trace.
    /// With an `idempotencyKey`, a retry returns the order the first request made.
    public func placeSeckillOrder(userID: UInt64, activityID: UInt64, skuID: UInt64, quantity: Int64,
                                  idempotencyKey: String? = nil) async throws(EngineError) -> Order {
        guard (1...Self.seckillQuantityMax).contains(quantity) else {
            throw .invalid(field: "quantity", reason: "must be 1 to \(Self.seckillQuantityMax)")
        }
        guard let key = idempotencyKey else {
            return try await placeSeckill(userID: userID, activityID: activityID, skuID: skuID, quantity: quantity, idempotencyKey: nil)
        }
        let users = userShard(forUser: userID)
        switch await users.reserve(idempotencyKey: key, userID: userID) {
        case .existing(let order):
            return order
        case .inFlight:
            throw .conflict("a request with this Idempotency-Key is still in progress; retry")
        case .reserved:
            do {
                let order = try await placeSeckill(userID: userID, activityID: activityID, skuID: skuID, quantity: quantity,
                                                   idempotencyKey: key)
                await users.release(idempotencyKey: key, userID: userID)
                return order
            } catch {
                await users.release(idempotencyKey: key, userID: userID)
                throw error
            }
        }
    }

    private func placeSeckill(userID: UInt64, activityID: UInt64, skuID: UInt64, quantity: Int64,
                              idempotencyKey: String?) async throws(EngineError) -> Order {
        let catalog = self.catalog
        guard let activity = catalog.activities[activityID] else { throw .notFound("flash-sale activity") }
        guard let item = activity.item(skuID: skuID), let (product, sku) = catalog.sku(skuID) else {
            throw .notFound("SKU in this activity")
        }
        let nowMs = clock.nowMs()
        guard activity.isActive(atMs: nowMs) else { throw .activityNotActive(startMs: activity.startMs, endMs: activity.endMs) }
        let placed = SeckillOrderPlaced(
            orderID: ids.next(), userID: userID, activityID: activityID, productID: product.id, skuID: skuID,
            productName: product.name, skuName: sku.name, quantity: quantity, unitPriceFen: item.seckillPriceFen,
            deadlineMs: nowMs + configuration.paymentTimeoutMs, atMs: nowMs, idempotencyKey: idempotencyKey)
        let event = MallEvent.seckillOrderPlaced(placed)
        let shard = inventoryShard(forSKU: skuID)
        let lsn = try await shard.takeSeckill(placed, payload: event.encodePayload())
        do {
            try await waitDurable(lsn)
        } catch {
            await shard.releaseHold(placed)
            throw error
        }
        orderDirectory.insert(orderID: placed.orderID, userID: userID)
        guard let order = await userShard(forUser: userID).applyPlaced(placed) else {
            preconditionFailure("order \(placed.orderID) not applied")
        }
        return order
    }
}
