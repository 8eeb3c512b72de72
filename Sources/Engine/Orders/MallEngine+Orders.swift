import Logging
import WAL

/// An ordinary order as the buyer asks for it: SKUs and quantities.
public struct NewOrder: Sendable {
    public struct Line: Sendable {
        public var skuID: UInt64
        public var quantity: Int64
        public init(skuID: UInt64, quantity: Int64) { (self.skuID, self.quantity) = (skuID, quantity) }
    }

    public var lines: [Line]
    public init(lines: [Line]) { self.lines = lines }
}

/// Orders: ordinary orders from SKU stock, reads and pages, cancellation by
/// the buyer and by the payment deadline.
extension MallEngine {
    public static let orderLinesMax = 50
    public static let orderPageLimitMax = 100

    /// unitPriceFen × quantity with checked arithmetic: a refusal, never a trap.
    static func amount(unitPriceFen: Int64, quantity: Int64, field: String) throws(EngineError) -> Int64 {
        let (amount, overflow) = unitPriceFen.multipliedReportingOverflow(by: quantity)
        guard !overflow, amount >= 0 else { throw .invalid(field: field, reason: "the amount of \(quantity) × \(unitPriceFen) fen is out of range") }
        return amount
    }

    func deadline(after nowMs: Int64) throws(EngineError) -> Int64 {
        let (deadlineMs, overflow) = nowMs.addingReportingOverflow(configuration.paymentTimeoutMs)
        guard !overflow else { throw .unavailable("the payment deadline is out of range") }
        return deadlineMs
    }

    /// Places an ordinary order of one or more lines drawn from SKU stock.
    /// Every inventory shard the lines touch takes its part as a hold, then one
    /// record holds all the takes and the new order (DESIGN invariant 3); the
    /// holds are released if the record never becomes durable.
    public func placeOrder(userID: UInt64, _ input: NewOrder, idempotencyKey: String? = nil) async throws(EngineError) -> Order {
        guard (1...Self.orderLinesMax).contains(input.lines.count) else {
            throw .invalid(field: "items", reason: "must hold 1 to \(Self.orderLinesMax) lines")
        }
        let catalog = self.catalog
        var lines: [OrderLine] = []
        var seen = Set<UInt64>()
        var totalFen: Int64 = 0
        for (index, line) in input.lines.enumerated() {
            guard MallLimits.quantityRange.contains(line.quantity) else {
                throw .invalid(field: "items[\(index)].quantity", reason: "must be 1 to \(MallLimits.quantityMax)")
            }
            guard seen.insert(line.skuID).inserted else { throw .invalid(field: "items[\(index)].skuId", reason: "listed twice") }
            guard let (product, sku) = catalog.sku(line.skuID) else { throw .invalid(field: "items[\(index)].skuId", reason: "no such SKU") }
            guard catalog.isOnStorefront(product), sku.enabled else {
                throw .conflict("items[\(index)]: this product is not on sale (off the shelf)")
            }
            let amountFen = try Self.amount(unitPriceFen: sku.priceFen, quantity: line.quantity, field: "items[\(index)].quantity")
            let (sum, overflow) = totalFen.addingReportingOverflow(amountFen)
            guard !overflow else { throw .invalid(field: "items", reason: "the order total is out of range") }
            totalFen = sum
            lines.append(OrderLine(productID: product.id, skuID: sku.id, productName: product.name, skuName: sku.name,
                                   unitPriceFen: sku.priceFen, quantity: line.quantity, amountFen: amountFen))
        }
        let nowMs = clock.nowMs()
        let placed = OrderPlaced(orderID: try nextOrderID(userID: userID, atMs: nowMs), userID: userID, lines: lines,
                                 totalFen: totalFen, payAmountFen: totalFen, deadlineMs: try deadline(after: nowMs), atMs: nowMs,
                                 idempotencyKey: idempotencyKey)
        return try await withIdempotencyKey(idempotencyKey, userID: userID) { () async throws(EngineError) -> Order in
            let event = MallEvent.orderPlaced(placed)
            let shards = EventRouting.inventoryShards(of: event, shardCount: inventoryShards.count).map { inventoryShards[$0] }
            // Holds first, on every shard; a refusal releases what was taken.
            var held: [InventoryShard] = []
            do throws(EngineError) {
                for shard in shards {
                    try await shard.takeStock(placed)
                    held.append(shard)
                }
            } catch {
                for shard in held { await shard.releaseHold(placed.lines) }
                throw error
            }
            do throws(EngineError) {
                let lsn: LSN
                do throws(WALError) {
                    lsn = try wal.enqueue(typeTag: event.tag.rawValue, version: event.version, timestampMs: nowMs,
                                          payload: event.encodePayload())
                } catch {
                    throw EngineError(error)
                }
                try await waitDurable(lsn)
            } catch {
                for shard in held { await shard.releaseHold(placed.lines) }
                throw error
            }
            return try await applyPlacedOrder(event, orderID: placed.orderID, userID: userID)
        }
    }

    /// Runs a purchase under an Idempotency-Key: a retry returns the order the first request made.
    func withIdempotencyKey(_ key: String?, userID: UInt64,
                            _ place: () async throws(EngineError) -> Order) async throws(EngineError) -> Order {
        guard let key else { return try await place() }
        let users = userShard(forUser: userID)
        switch await users.reserve(idempotencyKey: key, userID: userID) {
        case .existing(let order):
            return order
        case .inFlight:
            throw .conflict("a request with this Idempotency-Key is still in progress; retry")
        case .reserved:
            do {
                let order = try await place()
                await users.release(idempotencyKey: key, userID: userID)
                return order
            } catch {
                await users.release(idempotencyKey: key, userID: userID)
                throw error
            }
        }
    }

    /// Applies a durable purchase to the buyer's shard and indexes the order.
    func applyPlacedOrder(_ event: MallEvent, orderID: UInt64, userID: UInt64) async throws(EngineError) -> Order {
        orderDirectory.record(orderID: orderID, shard: userShardIndex(forUser: userID))
        do throws(ApplyError) {
            guard let order = try await userShard(forUser: userID).applyPlaced(event, orderID: orderID) else {
                throw ApplyError("order \(orderID) missing after apply")
            }
            return order
        } catch {
            reportDivergence(error, event: event)
            throw .unavailable("order \(orderID) is durable but could not be shown: \(error)")
        }
    }

    /// An order, visible to its owner only when `userID` is given.
    public func order(id: UInt64, ownedBy userID: UInt64? = nil) async -> Order? {
        guard let shard = orderDirectory.shard(ofOrder: id), let order = await userShards[shard].order(id) else { return nil }
        if let userID, userID != order.userID { return nil }
        return order
    }

    /// How many of a user's orders are in hot state (older finished ones are in the archive).
    public func orderCount(ofUser userID: UInt64) async -> Int {
        await userShard(forUser: userID).orderCount(of: userID)
    }

    /// One page of a user's orders, newest first, read from the shard without
    /// loading every order: `beforeOrderID` is the previous page's `nextCursor`.
    public func orders(ofUser userID: UInt64, beforeOrderID: UInt64? = nil, status: OrderStatus? = nil,
                       limit: Int = 20) async -> (orders: [Order], nextCursor: UInt64?) {
        await userShard(forUser: userID).orders(of: userID, beforeOrderID: beforeOrderID, status: status,
                                                limit: min(max(limit, 1), Self.orderPageLimitMax))
    }

    /// Cancels an unpaid order; its units return to stock once the record is durable.
    public func cancelOrder(id: UInt64, ownedBy userID: UInt64? = nil, reason: CancelReason) async throws(EngineError) -> Order {
        guard let shard = orderDirectory.shard(ofOrder: id) else { throw .notFound("order") }
        switch try await userShards[shard].beginCancel(orderID: id, ownedBy: userID, reason: reason, atMs: clock.nowMs()) {
        case .unchanged(let order), .paymentException(_, let order):
            return order
        case .enqueued(let lsn, let event):
            let order = try await settle(lsn, event, on: shard, orderID: id)
            // The give-back becomes visible only now that its record is durable.
            await applyToInventory(event)
            return order
        }
    }

    /// Cancels every order whose payment deadline has passed. Each user shard
    /// decides a batch of cancellations in one turn; they share WAL frames and
    /// one wait, then their give-backs reach each inventory shard in one hop.
    /// Deadlines that cannot be acted on now are kept and retried, never dropped.
    /// The server calls it on a timer; tests call it after moving a manual clock.
    /// - Returns: how many orders were cancelled.
    @discardableResult
    public func cancelExpiredOrders() async -> Int {
        var cancelled = 0
        while true {
            let nowMs = clock.nowMs()
            var batches: [(Int, UserShard.ExpiryBatch)] = []
            var lastLSN: LSN = 0
            for (shard, users) in userShards.enumerated() {
                let batch = await users.beginExpiry(nowMs: nowMs, limit: configuration.timeoutsPerPassMax,
                                                    retryAfterMs: Self.deadlineRetryMs)
                guard !batch.enqueued.isEmpty else { continue }
                batches.append((shard, batch))
                lastLSN = max(lastLSN, batch.lastLSN)
            }
            guard !batches.isEmpty else { return cancelled }
            var durable = true
            do {
                try await waitDurable(lastLSN)
            } catch {
                durable = false
            }
            var giveBacks: [[MallEvent]] = Array(repeating: [], count: inventoryShards.count)
            for (shard, batch) in batches {
                do {
                    let evicted = try await userShards[shard].finishExpiry(batch, durable: durable,
                                                                           retryAtMs: nowMs + Self.deadlineRetryMs)
                    orderDirectory.remove(orderIDs: evicted, shard: shard)
                } catch {
                    logger.critical("a durable cancellation does not apply to live state", metadata: ["error": "\(error)"])
                }
                guard durable else { continue }
                cancelled += batch.enqueued.count
                for (_, event) in batch.enqueued {
                    for index in EventRouting.inventoryShards(of: event, shardCount: inventoryShards.count) {
                        giveBacks[index].append(event)
                    }
                }
            }
            for (index, events) in giveBacks.enumerated() where !events.isEmpty {
                for error in await inventoryShards[index].applyDurable(events) {
                    logger.critical("a durable give-back does not apply to live state", metadata: ["error": "\(error)"])
                }
            }
            guard durable else {
                logger.error("order timeouts wait for the write-ahead log; deadlines kept", metadata: [
                    "orders": "\(batches.reduce(0) { $0 + $1.1.enqueued.count })"])
                return cancelled
            }
            // A full batch may have left more due orders behind it: go on until none is due.
            guard batches.contains(where: { $0.1.enqueued.count >= configuration.timeoutsPerPassMax }) else { return cancelled }
            await Task.yield()
        }
    }

    /// How long a deadline that could not be acted on waits before it is tried again.
    static let deadlineRetryMs: Int64 = 1000
}
