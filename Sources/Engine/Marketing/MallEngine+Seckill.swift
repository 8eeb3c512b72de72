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
        let activityID = try nextID()
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

    /// Submits the purchase to its inventory shard's inbox. The shard's drainer prices it
    /// from the catalog (`priceSeckill`) and decides it, with the rest of its batch.
    private func placeSeckill(userID: UInt64, activityID: UInt64, skuID: UInt64, quantity: Int64,
                              idempotencyKey: String?) async throws(EngineError) -> Order {
        let nowMs = clock.nowMs()
        let placed = SeckillOrderPlaced(
            orderID: try nextOrderID(userID: userID, atMs: nowMs), userID: userID, activityID: activityID, productID: 0,
            skuID: skuID, productName: "", skuName: "", quantity: quantity, unitPriceFen: 0, totalFen: 0,
            deadlineMs: try deadline(after: nowMs), atMs: nowMs, idempotencyKey: idempotencyKey)
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
    /// For its window, checked per purchase at the purchase's own time.
    var activity: SeckillActivity
}

extension CatalogState {
    fileprivate func seckillOffer(_ key: SeckillKey) throws(EngineError) -> SeckillOffer {
        guard let activity = activities[key.activityID] else { throw .notFound("flash-sale activity") }
        guard let item = activity.item(skuID: key.skuID), let (product, sku) = self.sku(key.skuID) else {
            throw .notFound("SKU in this activity")
        }
        guard isOnStorefront(product), sku.enabled else {
            throw .conflict("this product is not on sale (off the shelf)")
        }
        return SeckillOffer(unitPriceFen: item.seckillPriceFen, productID: product.id, productName: product.name,
                            skuName: sku.name, activity: activity)
    }
}

/// A purchase waiting for its inventory shard's next turn. Its continuation is
/// resumed exactly once: refused in `priceSeckill` or `drainSeckill`, or answered in `completeSeckill`.
struct SeckillPurchase: Sendable {
    var placed: SeckillOrderPlaced
    var continuation: UnsafeContinuation<Result<Order, EngineError>, Never>
}

/// Flash-sale purchases in batches: what arrives for a shard while it is busy is
/// decided in its next turn, enqueued as one WAL group and, once durable, applied
/// to the buyers' shards with one hop per shard. No actor message, task or WAL
/// waiter per purchase: per batch.
extension MallEngine {
    /// Runs while purchases wait for inventory shard `index`: prices and decides each batch and
    /// hands it on to `completeSeckill`, which waits for it to be durable while the
    /// next batch is decided.
    func drainSeckill(_ index: Int) async {
        let (inbox, shard) = (seckillInboxes[index], inventoryShards[index])
        var batch: [SeckillPurchase] = []
        while inbox.take(into: &batch) {
            priceSeckill(&batch)
            guard !batch.isEmpty else { continue }
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

    /// Prices a batch from the published catalog: the sale price, the names, the total. The
    /// catalog is read once per batch and each activity and SKU in it looked up once (a batch
    /// is usually one SKU's buyers), where each purchase took the catalog's lock, looked up
    /// the activity, product and SKU and copied them: a tenth of a purchase's CPU, the lock
    /// contended by both cores. Purchases refused here (no such sale or SKU, off the shelf,
    /// outside the window, a total out of range) are answered and left out of `batch`.
    func priceSeckill(_ batch: inout [SeckillPurchase]) {
        var keys: [SeckillKey] = []
        var slots: [SeckillKey: Int] = [:]
        var slotOf = [Int](repeating: 0, count: batch.count)
        var previous: (key: SeckillKey, slot: Int)?
        for index in batch.indices {
            let key = SeckillKey(activityID: batch[index].placed.activityID, skuID: batch[index].placed.skuID)
            if let previous, previous.key == key {
                slotOf[index] = previous.slot
                continue
            }
            let slot = slots[key] ?? keys.count
            if slot == keys.count {
                keys.append(key)
                slots[key] = slot
            }
            slotOf[index] = slot
            previous = (key, slot)
        }
        let offers = publishedState.read { published in
            keys.map { key in Result { () throws(EngineError) -> SeckillOffer in try published.catalog.seckillOffer(key) } }
        }
        var refused: [(index: Int, error: EngineError)] = []
        for index in batch.indices {
            do throws(EngineError) {
                let offer = try offers[slotOf[index]].get()
                guard offer.activity.isActive(atMs: batch[index].placed.atMs) else {
                    throw .activityNotActive(startMs: offer.activity.startMs, endMs: offer.activity.endMs)
                }
                // Activities logged before prices were bounded may hold any price: the total is checked here, once.
                let totalFen = try Self.amount(unitPriceFen: offer.unitPriceFen, quantity: batch[index].placed.quantity,
                                               field: "quantity")
                batch[index].placed.productID = offer.productID
                batch[index].placed.productName = offer.productName
                batch[index].placed.skuName = offer.skuName
                batch[index].placed.unitPriceFen = offer.unitPriceFen
                batch[index].placed.totalFen = totalFen
            } catch {
                refused.append((index, error))
            }
        }
        guard !refused.isEmpty else { return }
        for (index, error) in refused { batch[index].continuation.resume(returning: .failure(error)) }
        let gone = Set(refused.map(\.index))
        batch = batch.indices.filter { !gone.contains($0) }.map { batch[$0] }
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
