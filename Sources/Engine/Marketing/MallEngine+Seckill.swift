import WAL

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
        var seen = Set<UInt64>()
        for (index, item) in input.items.enumerated() {
            guard seen.insert(item.skuID).inserted else { throw .invalid(field: "items[\(index)].skuId", reason: "listed twice") }
            guard MallLimits.priceFenRange.contains(item.seckillPriceFen) else {
                throw .invalid(field: "items[\(index)].seckillPriceFen", reason: "must be 0 to \(MallLimits.priceFenMax)")
            }
            guard MallLimits.stockRange.contains(item.stock) else {
                throw .invalid(field: "items[\(index)].stock", reason: "must be 0 to \(MallLimits.stockMax)")
            }
            guard MallLimits.limitPerUserRange.contains(item.limitPerUser) else {
                throw .invalid(field: "items[\(index)].limitPerUser", reason: "must be 1 to \(MallLimits.limitPerUserMax)")
            }
        }
        let nowMs = clock.nowMs()
        let activityID = ids.next()
        for (index, item) in input.items.enumerated() where catalog.sku(item.skuID) == nil {
            throw .invalid(field: "items[\(index)].skuId", reason: "no such SKU")
        }
        // The items' units come out of their SKUs' stock at once, as holds (refused when short).
        let event = MallEvent.seckillActivityCreated(SeckillActivityCreated(
            activityID: activityID, name: input.name, startMs: input.startMs, endMs: input.endMs,
            items: input.items, atMs: nowMs, drawsFromStock: true))
        try await commitHeld(event, atMs: nowMs) { decided throws(EngineError) in
            for (index, item) in input.items.enumerated() where decided.catalog.sku(item.skuID) == nil {
                throw .invalid(field: "items[\(index)].skuId", reason: "no such SKU")
            }
        }
        await alertIfLow(input.items.map(\.skuID))
        guard let activity = self.catalog.activities[activityID] else { throw .unavailable("activity \(activityID) was not applied") }
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
        return try await withIdempotencyKey(idempotencyKey, userID: userID) { () async throws(EngineError) -> Order in
            try await placeSeckill(userID: userID, activityID: activityID, skuID: skuID, quantity: quantity,
                                   idempotencyKey: idempotencyKey)
        }
    }

    private func placeSeckill(userID: UInt64, activityID: UInt64, skuID: UInt64, quantity: Int64,
                              idempotencyKey: String?) async throws(EngineError) -> Order {
        let nowMs = clock.nowMs()
        // Read in place: copying the published catalog out cost a retain and a release of each of its tables.
        let offer = try publishedState.read { published throws(EngineError) -> SeckillOffer in
            guard let activity = published.catalog.activities[activityID] else { throw .notFound("flash-sale activity") }
            guard let item = activity.item(skuID: skuID), let (product, sku) = published.catalog.sku(skuID) else {
                throw .notFound("SKU in this activity")
            }
            guard published.catalog.isOnStorefront(product), sku.enabled else {
                throw .conflict("this product is not on sale (off the shelf)")
            }
            guard activity.isActive(atMs: nowMs) else { throw .activityNotActive(startMs: activity.startMs, endMs: activity.endMs) }
            return SeckillOffer(unitPriceFen: item.seckillPriceFen, productID: product.id, productName: product.name,
                                skuName: sku.name)
        }
        // Activities logged before prices were bounded may hold any price: the total is checked here, once.
        let totalFen = try Self.amount(unitPriceFen: offer.unitPriceFen, quantity: quantity, field: "quantity")
        let placed = SeckillOrderPlaced(
            orderID: try nextOrderID(userID: userID, atMs: nowMs), userID: userID, activityID: activityID, productID: offer.productID, skuID: skuID,
            productName: offer.productName, skuName: offer.skuName, quantity: quantity, unitPriceFen: offer.unitPriceFen,
            totalFen: totalFen, deadlineMs: try deadline(after: nowMs), atMs: nowMs, idempotencyKey: idempotencyKey)
        let shardIndex = ShardRouter.shard(of: skuID, count: inventoryShards.count)
        let result = await withUnsafeContinuation { continuation in
            switch seckillInboxes[shardIndex].submit(SeckillPurchase(placed: placed, continuation: continuation)) {
            case .startDrainer: Task { await self.drainSeckill(shardIndex) }
            case .queued: break
            case .full: continuation.resume(returning: .failure(.overloaded))
            }
        }
        return try result.get()
    }
}

/// What a purchase needs of its activity and SKU, read from the published catalog.
private struct SeckillOffer: Sendable {
    var unitPriceFen: Int64
    var productID: UInt64
    var productName: String
    var skuName: String
}

/// A purchase waiting for its inventory shard's next turn. Its continuation is
/// resumed exactly once: refused in `drainSeckill`, or answered in `completeSeckill`.
struct SeckillPurchase: Sendable {
    var placed: SeckillOrderPlaced
    var continuation: UnsafeContinuation<Result<Order, EngineError>, Never>
}

/// Flash-sale purchases in batches: what arrives for a shard while it is busy is
/// decided in its next turn, enqueued as one WAL group and, once durable, applied
/// to the buyers' shards with one hop per shard. No actor message, task or WAL
/// waiter per purchase: per batch.
extension MallEngine {
    /// Runs while purchases wait for inventory shard `index`: decides each batch and
    /// hands it on to `completeSeckill`, which waits for it to be durable while the
    /// next batch is decided.
    func drainSeckill(_ index: Int) async {
        let (inbox, shard) = (seckillInboxes[index], inventoryShards[index])
        var batch: [SeckillPurchase] = []
        while inbox.take(into: &batch) {
            let taken = await shard.takeSeckill(batch)
            let accepted: [SeckillPurchase]
            if !taken.refusals.contains(where: { $0 != nil }) {
                // The usual batch, all taken, is handed on whole: copying each purchase out
                // retained and released its names. A fresh buffer of its size replaces it.
                accepted = batch
                batch = []
                batch.reserveCapacity(accepted.count)
            } else {
                var kept: [SeckillPurchase] = []
                kept.reserveCapacity(batch.count)
                for (purchase, refusal) in zip(batch, taken.refusals) {
                    if let refusal {
                        purchase.continuation.resume(returning: .failure(refusal))
                    } else {
                        kept.append(purchase)
                    }
                }
                accepted = kept
                batch.removeAll(keepingCapacity: true)
            }
            if let lastLSN = taken.lastLSN {
                let purchases = accepted
                Task { await self.completeSeckill(purchases, through: lastLSN, on: shard) }
            }
        }
    }

    /// Waits until a batch is durable, applies it to the buyers' shards and answers each buyer.
    /// A batch that never became durable gives its holds back: it was never logged.
    private func completeSeckill(_ purchases: [SeckillPurchase], through lastLSN: LSN, on shard: InventoryShard) async {
        do throws(EngineError) {
            try await waitDurable(lastLSN)
        } catch {
            await shard.releaseHolds(purchases)
            for purchase in purchases { purchase.continuation.resume(returning: .failure(error)) }
            return
        }
        var byShard = [[Int]](repeating: [], count: userShards.count)
        for (index, purchase) in purchases.enumerated() {
            let shard = userShardIndex(forUser: purchase.placed.userID)
            byShard[shard].append(index)
            orderDirectory.record(orderID: purchase.placed.orderID, shard: shard)
        }
        for (shardIndex, indexes) in byShard.enumerated() where !indexes.isEmpty {
            let results = await userShards[shardIndex].applyPlaced(purchases, indexes)
            for (index, result) in zip(indexes, results) {
                switch result {
                case .success(let order):
                    purchases[index].continuation.resume(returning: .success(order))
                case .failure(let error):
                    let placed = purchases[index].placed
                    reportDivergence(error, event: .seckillOrderPlaced(placed))
                    purchases[index].continuation.resume(returning: .failure(
                        .unavailable("order \(placed.orderID) is durable but could not be shown: \(error)")))
                }
            }
        }
    }
}
