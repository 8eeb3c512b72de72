import Logging
import Synchronization
import WAL

/// One stock per SKU that every way of selling draws from: admin stock-in and
/// stock-out, flash-sale items drawing units out of it and giving the unsold
/// ones back, low-stock alerts. Each change is one record, which the archive
/// turns into the stock log.
public struct LowStockEntry: Sendable, Equatable {
    public var productID: UInt64
    public var skuID: UInt64
    public var stock: Int64
    public var threshold: Int64
}

extension MallEngine {
    public static let stockRemarkMax = 200

    /// Stock-in (`delta` > 0) or stock-out (`delta` < 0) on one SKU. A stock-out takes its units at
    /// once, as a hold, and is refused when the SKU has fewer; a stock-in shows once durable.
    /// - Returns: the SKU's stock after the change.
    public func adjustStock(skuID: UInt64, delta: Int64, remark: String, operatorID: UInt64) async throws(EngineError) -> Int64 {
        guard delta != 0, (-MallLimits.stockMax...MallLimits.stockMax).contains(delta) else {
            throw .invalid(field: "quantity", reason: "must be 1 to \(MallLimits.stockMax) units")
        }
        guard remark.count <= Self.stockRemarkMax else { throw .invalid(field: "remark", reason: "must be at most \(Self.stockRemarkMax) characters") }
        guard catalog.sku(skuID) != nil else { throw .notFound("SKU") }
        let nowMs = clock.nowMs()
        let event = MallEvent.stockAdjusted(StockAdjusted(skuID: skuID, delta: delta, remark: remark, operatorID: operatorID, atMs: nowMs))
        try await commitHeld(event, atMs: nowMs) { decided throws(EngineError) in
            guard decided.catalog.sku(skuID) != nil else { throw .notFound("SKU") }
        }
        let stock = await stock(skuID: skuID) ?? 0
        await alertIfLow([skuID])
        return stock
    }

    /// Moves units between a SKU's stock and one of its flash-sale items: `delta` > 0 grows the item
    /// out of stock (refused when stock is short), `delta` < 0 gives unsold units back. `removesItem`
    /// gives every unsold unit back and takes the item off the sale (`delta` is then ignored).
    /// - Returns: the units moved (negative: back to stock).
    @discardableResult
    public func moveSeckillStock(activityID: UInt64, skuID: UInt64, delta: Int64, removesItem: Bool = false,
                                 remark: String = "", operatorID: UInt64) async throws(EngineError) -> Int64 {
        guard let activity = catalog.activities[activityID] else { throw .notFound("flash-sale activity") }
        guard activity.item(skuID: skuID) != nil else { throw .notFound("SKU in this activity") }
        guard activity.drawsFromStock else {
            throw .conflict("this flash sale was created before sales drew from SKU stock; its units cannot move")
        }
        guard removesItem || (delta != 0 && (-MallLimits.stockMax...MallLimits.stockMax).contains(delta)) else {
            throw .invalid(field: "quantity", reason: "must be 1 to \(MallLimits.stockMax) units either way")
        }
        let nowMs = clock.nowMs()
        let shard = inventoryShard(forSKU: skuID)
        let key = SeckillKey(activityID: activityID, skuID: skuID)
        // Units back to stock are decided by the shard (at most what is unsold now) and taken there as a hold.
        let moved: Int64
        if removesItem || delta < 0 {
            guard let remaining = await shard.seckillStock(key)?.remaining else { throw .notFound("flash-sale stock") }
            moved = removesItem ? -remaining : -min(-delta, remaining)
            if moved == 0 && !removesItem { throw .conflict("the item has no unsold units to give back") }
        } else {
            moved = delta
        }
        let event = MallEvent.seckillStockMoved(SeckillStockMoved(
            activityID: activityID, skuID: skuID, delta: moved, removesItem: removesItem,
            remark: remark.isEmpty ? (removesItem ? "item removed" : moved > 0 ? "item grown" : "item shrunk") : remark,
            operatorID: operatorID, atMs: nowMs))
        try await commitHeld(event, atMs: nowMs) { decided throws(EngineError) in
            guard let activity = decided.catalog.activities[activityID], activity.item(skuID: skuID) != nil else {
                throw .notFound("SKU in this activity")
            }
        }
        await alertIfLow([skuID])
        return moved
    }

    /// Gives the unsold units of every ended flash sale back to their SKUs' stock: at the end of the
    /// sale, and again whenever a cancelled order of an ended sale returns units to it. Run by the timer.
    /// - Returns: how many items gave units back.
    @discardableResult
    public func returnUnsoldSeckillStock() async -> Int {
        let nowMs = clock.nowMs()
        var returned = 0
        for activity in catalog.activities.values.sorted(by: { $0.id < $1.id })
        where activity.drawsFromStock && activity.endMs <= nowMs {
            for item in activity.liveItems {
                let key = SeckillKey(activityID: activity.id, skuID: item.skuID)
                guard let remaining = await inventoryShard(forSKU: item.skuID).seckillStock(key)?.remaining, remaining > 0 else { continue }
                let event = MallEvent.seckillStockMoved(SeckillStockMoved(
                    activityID: activity.id, skuID: item.skuID, delta: -remaining, removesItem: false,
                    remark: "sale ended", operatorID: 0, atMs: nowMs))
                do {
                    try await commitHeld(event, atMs: nowMs) { _ throws(EngineError) in }
                    returned += 1
                } catch {
                    logger.warning("unsold flash-sale units stay in the sale until the next pass",
                                   metadata: ["activity": "\(activity.id)", "sku": "\(item.skuID)", "error": "\(error)"])
                }
            }
        }
        return returned
    }

    /// SKUs at or below their low-stock threshold, lowest stock first.
    public func lowStock(limit: Int = 200) async -> [LowStockEntry] {
        var entries: [LowStockEntry] = []
        let catalog = self.catalog
        for product in catalog.products.values where !product.details.deleted {
            for sku in product.skus where sku.enabled && sku.lowStockThreshold > 0 {
                let stock = await stock(skuID: sku.id) ?? 0
                if stock <= sku.lowStockThreshold {
                    entries.append(LowStockEntry(productID: product.id, skuID: sku.id, stock: stock, threshold: sku.lowStockThreshold))
                }
            }
        }
        entries.sort { ($0.stock, $0.skuID) < ($1.stock, $1.skuID) }
        return Array(entries.prefix(max(1, limit)))
    }

    /// Logs a `StockLow` record for each SKU at or below its threshold that has none since it was
    /// last above: the record notifications will read. Best effort: a failure is logged, not thrown.
    func alertIfLow(_ skuIDs: [UInt64]) async {
        for skuID in skuIDs {
            guard let (product, sku) = catalog.sku(skuID), sku.lowStockThreshold > 0,
                  let stock = await stock(skuID: skuID) else { continue }
            guard stock <= sku.lowStockThreshold else {
                lowStockAlerted.withLock { _ = $0.remove(skuID) }
                continue
            }
            guard lowStockAlerted.withLock({ $0.insert(skuID).inserted }) else { continue }
            let nowMs = clock.nowMs()
            do {
                try await commit(atMs: nowMs) { _ throws(EngineError) in
                    .stockLow(StockLow(skuID: skuID, productID: product.id, stock: stock, threshold: sku.lowStockThreshold, atMs: nowMs))
                }
            } catch {
                lowStockAlerted.withLock { _ = $0.remove(skuID) }
                logger.warning("low-stock alert not logged", metadata: ["sku": "\(skuID)", "error": "\(error)"])
            }
        }
    }

    /// Commits a stock move whose take half applies at once: every inventory shard it touches takes
    /// its part as a hold, the coordinator checks and logs it, and once durable each shard applies
    /// the give half before the catalog publishes it. A refusal or a failed write releases the holds.
    func commitHeld(_ event: MallEvent, atMs: Int64,
                    check: @escaping @Sendable (Coordinator.Published) throws(EngineError) -> Void) async throws(EngineError) {
        let shards = EventRouting.inventoryShards(of: event, shardCount: inventoryShards.count).map { inventoryShards[$0] }
        var held: [InventoryShard] = []
        do throws(EngineError) {
            for shard in shards {
                try await shard.holdTake(event)
                held.append(shard)
            }
        } catch {
            for shard in held { await shard.releaseTake(event) }
            throw error
        }
        let lsn: LSN
        do throws(EngineError) {
            guard let (enqueued, _) = try await coordinator.enqueue(atMs: atMs, { decided throws(EngineError) in
                try check(decided)
                return event
            }) else { throw .unavailable("the stock move was not logged") }
            lsn = enqueued
            try await waitDurable(lsn)
        } catch {
            for shard in held { await shard.releaseTake(event) }
            throw error
        }
        for shard in held {
            do {
                try await shard.applyGive(event)
            } catch {
                reportDivergence(error, event: event)
            }
        }
        await coordinator.publish(through: lsn)
    }
}
