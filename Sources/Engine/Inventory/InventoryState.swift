/// The stock held by one inventory shard: ordinary SKU stock and flash-sale
/// stock with per-user purchase counts. Every change is a delta, so records
/// from different shards commute (DESIGN invariant 3).
public struct SeckillKey: Hashable, Sendable, Comparable {
    public var activityID: UInt64
    public var skuID: UInt64

    public init(activityID: UInt64, skuID: UInt64) { (self.activityID, self.skuID) = (activityID, skuID) }

    public static func < (lhs: SeckillKey, rhs: SeckillKey) -> Bool {
        (lhs.activityID, lhs.skuID) < (rhs.activityID, rhs.skuID)
    }
}

public struct SeckillStock: Sendable, Equatable {
    public var remaining: Int64
    public var sold: Int64
    public var limitPerUser: Int64
    /// Units each user holds in live orders (cancelled orders give theirs back).
    public var boughtByUser: [UInt64: Int64]
}

public struct InventoryState: Sendable, Equatable {
    public let shardIndex: Int
    public let shardCount: Int
    public internal(set) var stockBySKU: [UInt64: Int64] = [:]
    public internal(set) var seckill: [SeckillKey: SeckillStock] = [:]

    public init(shardIndex: Int, shardCount: Int) {
        precondition(shardCount > 0 && (0..<shardCount).contains(shardIndex), "shard \(shardIndex) of \(shardCount)")
        (self.shardIndex, self.shardCount) = (shardIndex, shardCount)
    }

    public func owns(skuID: UInt64) -> Bool { ShardRouter.shard(of: skuID, count: shardCount) == shardIndex }

    /// Checks a flash-sale purchase against memory. Refusals leave no trace.
    public func checkSeckillTake(_ placed: SeckillOrderPlaced) throws(EngineError) {
        let key = SeckillKey(activityID: placed.activityID, skuID: placed.skuID)
        guard let stock = seckill[key] else { throw .notFound("flash-sale item") }
        guard stock.remaining >= placed.quantity else { throw .soldOut(skuID: placed.skuID) }
        let bought = stock.boughtByUser[placed.userID] ?? 0
        guard bought + placed.quantity <= stock.limitPerUser else { throw .limitReached(limitPerUser: stock.limitPerUser) }
    }

    public mutating func apply(_ event: MallEvent) {
        switch event {
        case .productCreated(let created):
            for sku in created.skus where owns(skuID: sku.skuID) { stockBySKU[sku.skuID] = sku.stock }
        case .seckillActivityCreated(let created):
            for item in created.items where owns(skuID: item.skuID) {
                seckill[SeckillKey(activityID: created.activityID, skuID: item.skuID)] =
                    SeckillStock(remaining: item.stock, sold: 0, limitPerUser: item.limitPerUser, boughtByUser: [:])
            }
        case .seckillOrderPlaced(let placed) where owns(skuID: placed.skuID):
            adjustSeckill(SeckillKey(activityID: placed.activityID, skuID: placed.skuID),
                          userID: placed.userID, taken: placed.quantity)
        case .orderCancelled(let cancelled):
            for restock in cancelled.restocks where owns(skuID: restock.skuID) {
                giveBack(restock, userID: cancelled.userID)
            }
        case .seckillOrderPlaced, .adminUpserted, .userRegistered, .orderPaid:
            break
        }
    }

    /// Reverses a take whose record never became durable (a tentative hold).
    public mutating func releaseHold(_ placed: SeckillOrderPlaced) {
        adjustSeckill(SeckillKey(activityID: placed.activityID, skuID: placed.skuID),
                      userID: placed.userID, taken: -placed.quantity)
    }

    private mutating func giveBack(_ restock: Restock, userID: UInt64) {
        if restock.activityID == 0 {
            stockBySKU[restock.skuID, default: 0] += restock.quantity
        } else {
            adjustSeckill(SeckillKey(activityID: restock.activityID, skuID: restock.skuID),
                          userID: userID, taken: -restock.quantity)
        }
    }

    private mutating func adjustSeckill(_ key: SeckillKey, userID: UInt64, taken: Int64) {
        // Mutated in place through the optional chain: copying the entry out would copy
        // its per-user dictionary on every purchase.
        guard seckill[key]?.adjust(userID: userID, taken: taken) != nil else {
            preconditionFailure("flash-sale stock \(key) missing: a record refers to an activity not in state")
        }
    }
}

extension SeckillStock {
    mutating func adjust(userID: UInt64, taken: Int64) {
        remaining -= taken
        sold += taken
        boughtByUser[userID, default: 0] += taken
        let bought = boughtByUser[userID] ?? 0
        if bought == 0 { boughtByUser[userID] = nil }
        precondition(remaining >= 0 && sold >= 0 && bought >= 0,
                     "stock below zero: remaining \(remaining), sold \(sold), user \(userID) holds \(bought)")
    }
}

/// Spreads time-ordered ids evenly over shards (the low bits of an id are a
/// per-millisecond counter, so a plain modulo would favour shard 0).
public enum ShardRouter {
    public static func shard(of id: UInt64, count: Int) -> Int {
        var mixed = id &* 0x9E37_79B9_7F4A_7C15
        mixed ^= mixed >> 29
        return Int(mixed % UInt64(count))
    }
}
