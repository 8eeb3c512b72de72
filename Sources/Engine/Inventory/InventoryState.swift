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
    /// Units of each SKU in live ordinary orders (placed, not cancelled): with the flash-sale
    /// `sold` counts, the sales the storefront shows.
    public internal(set) var soldBySKU: [UInt64: Int64] = [:]

    /// The two halves of a stock move: taking applies at once, as a hold; giving becomes
    /// visible only once the record is durable (DESIGN invariant 5). Replay applies both.
    public enum Phase: Sendable { case take, give, both }

    public init(shardIndex: Int, shardCount: Int) {
        precondition(shardCount > 0 && (0..<shardCount).contains(shardIndex), "shard \(shardIndex) of \(shardCount)")
        (self.shardIndex, self.shardCount) = (shardIndex, shardCount)
    }

    public func owns(skuID: UInt64) -> Bool { ShardRouter.shard(of: skuID, count: shardCount) == shardIndex }

    /// Takes a flash-sale purchase as a hold: checked and applied in one step, on the entry
    /// in place. A refusal (not found, sold out, limit reached) leaves no trace.
    public mutating func takeSeckill(_ placed: SeckillOrderPlaced) throws(EngineError) {
        guard placed.quantity > 0 else { throw .invalid(field: "quantity", reason: "must be positive") }
        let key = SeckillKey(activityID: placed.activityID, skuID: placed.skuID)
        // Taken out, changed and put back rather than changed through `seckill[key]?.`: that
        // accessor allocates a coroutine frame per call, and this runs for every purchase.
        // Out of the dictionary the entry is uniquely referenced, so its buyer map is not copied.
        guard var stock = seckill.removeValue(forKey: key) else { throw .notFound("flash-sale item") }
        defer { seckill[key] = stock }
        try stock.take(userID: placed.userID, quantity: placed.quantity, skuID: placed.skuID)
    }

    /// Checks an ordinary order's lines owned here against memory. Refusals leave no trace.
    public func checkTake(_ lines: [OrderLine]) throws(EngineError) {
        var next = stockBySKU
        for line in lines where owns(skuID: line.skuID) {
            guard let units = next[line.skuID] else { throw .notFound("SKU \(line.skuID)") }
            guard units >= line.quantity else { throw .soldOut(skuID: line.skuID) }
            next[line.skuID] = units - line.quantity
        }
    }

    /// Applies the part of an event that this shard owns. Everything is
    /// checked before anything changes, with checked arithmetic: a record that
    /// does not fit throws and changes nothing (DESIGN invariant 9).
    public mutating func apply(_ event: MallEvent) throws(ApplyError) {
        switch event {
        case .productCreated(let created):
            for sku in created.skus where owns(skuID: sku.skuID) {
                guard sku.stock >= 0 else { throw ApplyError("SKU \(sku.skuID) created with stock \(sku.stock)") }
            }
            for sku in created.skus where owns(skuID: sku.skuID) { stockBySKU[sku.skuID] = sku.stock }
        case .seckillActivityCreated, .productSaved, .stockAdjusted, .seckillStockMoved:
            try apply(event, phase: .both)
        case .seckillOrderPlaced(let placed) where owns(skuID: placed.skuID):
            guard placed.quantity > 0 else { throw ApplyError("order \(placed.orderID) takes \(placed.quantity) units") }
            try adjustSeckill(SeckillKey(activityID: placed.activityID, skuID: placed.skuID),
                              userID: placed.userID, taken: placed.quantity)
        case .orderPlaced(let placed):
            let (shardIndex, shardCount) = (self.shardIndex, self.shardCount)
            let owned = placed.lines.filter { ShardRouter.shard(of: $0.skuID, count: shardCount) == shardIndex }
            try adjustStock(owned.map { ($0.skuID, -$0.quantity) }, context: "order \(placed.orderID)")
            addSold(owned.map { ($0.skuID, $0.quantity) })
        case .orderCancelled(let cancelled):
            let owned = cancelled.restocks.filter { owns(skuID: $0.skuID) }
            for restock in owned {
                guard restock.quantity > 0 else { throw ApplyError("order \(cancelled.orderID) restocks \(restock.quantity) units") }
            }
            let ordinary = owned.filter { $0.activityID == 0 }
            try adjustStock(ordinary.map { ($0.skuID, $0.quantity) }, context: "cancellation of order \(cancelled.orderID)")
            addSold(ordinary.map { ($0.skuID, -$0.quantity) })
            // Several lines may return to one flash-sale item: validate their sum, then apply it.
            var seckillReturns: [SeckillKey: Int64] = [:]
            for restock in owned where restock.activityID != 0 {
                let key = SeckillKey(activityID: restock.activityID, skuID: restock.skuID)
                let (sum, overflow) = seckillReturns[key, default: 0].addingReportingOverflow(restock.quantity)
                guard !overflow else { throw ApplyError("cancellation of order \(cancelled.orderID) overflows") }
                seckillReturns[key] = sum
            }
            var adjusted: [(SeckillKey, SeckillStock)] = []
            for (key, quantity) in seckillReturns {
                guard var stock = seckill[key] else { throw ApplyError("flash-sale stock \(key) missing") }
                try stock.adjust(userID: cancelled.userID, taken: -quantity)
                adjusted.append((key, stock))
            }
            for (key, stock) in adjusted { seckill[key] = stock }
        case .seckillOrderPlaced, .adminUpserted, .userRegistered, .orderPaid, .paymentExceptionRecorded,
             .sessionOpened, .sessionRefreshed, .sessionsRevoked, .userProfileChanged, .userStatusChanged,
             .userAddressesChanged, .adminChanged, .adminLockedOut, .auditRecorded, .categorySaved, .categoryDeleted,
             .productsShelved, .productDeleted, .stockLow, .searchSettingsChanged, .searchRecorded, .favoriteChanged,
             .productViewed, .historyCleared:
            break
        }
    }

    /// Applies one phase of a stock move (a flash sale drawing units, a product's opening
    /// stock, an admin's stock-in or stock-out, units moved to or from a flash-sale item),
    /// all or nothing. Other events have no phases and change nothing here.
    public mutating func apply(_ event: MallEvent, phase: Phase) throws(ApplyError) {
        let takes = phase != .give
        let gives = phase != .take
        switch event {
        case .seckillActivityCreated(let created):
            let owned = created.items.filter { owns(skuID: $0.skuID) }
            for item in owned {
                guard item.stock >= 0 else { throw ApplyError("flash-sale item \(item.skuID) created with stock \(item.stock)") }
                let key = SeckillKey(activityID: created.activityID, skuID: item.skuID)
                guard !gives || seckill[key] == nil else { throw ApplyError("flash-sale item \(key) created twice") }
            }
            if takes && created.drawsFromStock {
                try adjustStock(owned.map { ($0.skuID, -$0.stock) }, context: "flash sale \(created.activityID)")
            }
            if gives {
                for item in owned {
                    seckill[SeckillKey(activityID: created.activityID, skuID: item.skuID)] =
                        SeckillStock(remaining: item.stock, sold: 0, limitPerUser: item.limitPerUser, boughtByUser: [:])
                }
            }
        case .productSaved(let saved):
            let owned = saved.openingStock.filter { owns(skuID: $0.skuID) }
            for opening in owned {
                guard opening.quantity >= 0, stockBySKU[opening.skuID] == nil else {
                    throw ApplyError("SKU \(opening.skuID) opens with \(opening.quantity) units over \(stockBySKU[opening.skuID] ?? -1)")
                }
            }
            if gives { for opening in owned { stockBySKU[opening.skuID] = opening.quantity } }
        case .stockAdjusted(let adjusted) where owns(skuID: adjusted.skuID):
            if (adjusted.delta < 0 && takes) || (adjusted.delta >= 0 && gives) {
                try adjustStock([(adjusted.skuID, adjusted.delta)], context: "stock adjustment")
            }
        case .seckillStockMoved(let moved) where owns(skuID: moved.skuID):
            guard let current = seckill[moved.key] else { throw ApplyError("flash-sale stock \(moved.key) missing") }
            let (magnitude, overflow) = Int64(0).subtractingReportingOverflow(moved.delta)
            guard !overflow else { throw ApplyError("flash-sale move of \(moved.delta) units") }
            // Into the sale: stock is taken, the item gets the units. Out of it: the reverse.
            let stockDelta = magnitude
            let remainingDelta = moved.delta
            let stockIsTaken = moved.delta > 0
            var next = current
            let (remaining, remainingOverflow) = current.remaining.addingReportingOverflow(remainingDelta)
            if stockIsTaken ? gives : takes {
                guard !remainingOverflow, remaining >= 0 else {
                    throw ApplyError("flash-sale stock \(moved.key) would be \(current.remaining) + \(remainingDelta)")
                }
                next.remaining = remaining
            }
            if stockIsTaken ? takes : gives {
                try adjustStock([(moved.skuID, stockDelta)], context: "flash-sale move \(moved.key)")
            }
            seckill[moved.key] = next
        default:
            break
        }
    }

    /// Undoes the take half of a stock move whose record never became durable.
    public mutating func releaseTake(_ event: MallEvent) {
        do {
            switch event {
            case .seckillActivityCreated(let created) where created.drawsFromStock:
                try adjustStock(created.items.filter { owns(skuID: $0.skuID) }.map { ($0.skuID, $0.stock) }, context: "hold")
            case .stockAdjusted(let adjusted) where adjusted.delta < 0 && owns(skuID: adjusted.skuID):
                try adjustStock([(adjusted.skuID, -adjusted.delta)], context: "hold")
            case .seckillStockMoved(let moved) where owns(skuID: moved.skuID):
                if moved.delta > 0 {
                    try adjustStock([(moved.skuID, moved.delta)], context: "hold")
                } else if var stock = seckill[moved.key] {
                    stock.remaining -= moved.delta
                    seckill[moved.key] = stock
                }
            default:
                break
            }
        } catch {
            assertionFailure("releasing a hold failed: \(error)")
        }
    }

    /// Units sold of a SKU: ordinary orders plus every flash sale of it.
    public func sold(skuID: UInt64) -> Int64 {
        var total = soldBySKU[skuID] ?? 0
        for (key, stock) in seckill where key.skuID == skuID {
            total = total.addingReportingOverflow(stock.sold).overflow ? total : total + stock.sold
        }
        return total
    }

    /// Sales only ever count units an order holds, so the sum stays within stock bounds;
    /// it saturates rather than trap should a log ever say otherwise.
    private mutating func addSold(_ deltas: [(UInt64, Int64)]) {
        for (skuID, delta) in deltas {
            let (sum, overflow) = (soldBySKU[skuID] ?? 0).addingReportingOverflow(delta)
            let next = overflow ? (delta > 0 ? Int64.max : 0) : max(0, sum)
            soldBySKU[skuID] = next == 0 ? nil : next
        }
    }

    /// Reverses a take whose record never became durable (a tentative hold).
    /// The take was applied a moment ago, so reversing it cannot fail.
    public mutating func releaseHold(_ placed: SeckillOrderPlaced) {
        do {
            try adjustSeckill(SeckillKey(activityID: placed.activityID, skuID: placed.skuID),
                              userID: placed.userID, taken: -placed.quantity)
        } catch {
            assertionFailure("releasing a hold failed: \(error)")
        }
    }

    /// Reverses the holds an ordinary order took here (its record never became durable).
    public mutating func releaseHold(_ lines: [OrderLine]) {
        do {
            let owned = lines.filter { owns(skuID: $0.skuID) }
            try adjustStock(owned.map { ($0.skuID, $0.quantity) }, context: "hold")
        } catch {
            assertionFailure("releasing a hold failed: \(error)")
        }
    }

    /// Adds each delta to ordinary stock, all or nothing: stock must exist, never go below zero, never overflow.
    private mutating func adjustStock(_ deltas: [(UInt64, Int64)], context: @autoclosure () -> String) throws(ApplyError) {
        var next: [(UInt64, Int64)] = []
        var seen: [UInt64: Int64] = [:]
        for (skuID, delta) in deltas {
            guard let units = seen[skuID] ?? stockBySKU[skuID] else { throw ApplyError("\(context()): SKU \(skuID) has no stock entry") }
            let (sum, overflow) = units.addingReportingOverflow(delta)
            guard !overflow, sum >= 0 else { throw ApplyError("\(context()): stock of SKU \(skuID) would be \(units) + \(delta)") }
            seen[skuID] = sum
            next.append((skuID, sum))
        }
        for (skuID, units) in next { stockBySKU[skuID] = units }
    }

    private mutating func adjustSeckill(_ key: SeckillKey, userID: UInt64, taken: Int64) throws(ApplyError) {
        guard let index = seckill.index(forKey: key) else {
            throw ApplyError("flash-sale stock \(key) missing: a record refers to an activity not in state")
        }
        // Mutated in place at its index (one lookup): copying the entry out would copy its
        // per-user dictionary on every purchase.
        try seckill.values[index].adjust(userID: userID, taken: taken)
    }
}

extension SeckillStock {
    /// Takes `quantity` (positive) units for a buyer, or throws why not and changes nothing.
    /// The same bounds as `adjust`.
    mutating func take(userID: UInt64, quantity: Int64, skuID: UInt64) throws(EngineError) {
        guard remaining >= quantity else { throw .soldOut(skuID: skuID) }
        let (newSold, soldOverflow) = sold.addingReportingOverflow(quantity)
        guard !soldOverflow else { throw .unavailable("flash-sale sold count overflows") }
        let (bought, boughtOverflow) = (boughtByUser[userID] ?? 0).addingReportingOverflow(quantity)
        guard !boughtOverflow, bought <= limitPerUser else { throw .limitReached(limitPerUser: limitPerUser) }
        boughtByUser[userID] = bought
        remaining -= quantity
        sold = newSold
    }

    /// Takes (positive) or gives back (negative) units for one user; changes nothing when
    /// the result would overflow or leave remaining, sold or the user's count below zero.
    mutating func adjust(userID: UInt64, taken: Int64) throws(ApplyError) {
        // One hash lookup for a buyer already in the map (replay meets each buyer many times).
        let index = boughtByUser.index(forKey: userID)
        let bought = index.map { boughtByUser.values[$0] } ?? 0
        let (newRemaining, o1) = remaining.subtractingReportingOverflow(taken)
        let (newSold, o2) = sold.addingReportingOverflow(taken)
        let (newBought, o3) = bought.addingReportingOverflow(taken)
        guard !o1, !o2, !o3, newRemaining >= 0, newSold >= 0, newBought >= 0 else {
            throw ApplyError("flash-sale stock would be remaining \(remaining) - \(taken), sold \(sold) + \(taken), "
                + "user \(userID) holding \(bought) + \(taken)")
        }
        remaining = newRemaining
        sold = newSold
        switch (index, newBought) {
        case (let index?, 0): boughtByUser.remove(at: index)
        case (let index?, _): boughtByUser.values[index] = newBought
        case (nil, 0): break
        case (nil, _): boughtByUser[userID] = newBought
        }
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
