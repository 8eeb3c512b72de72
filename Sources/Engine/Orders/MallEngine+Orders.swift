import Logging
/// Order reads and status changes other than payment: cancellation by the
/// buyer and by the payment deadline.
extension MallEngine {
    /// An order, visible to its owner only when `userID` is given.
    public func order(id: UInt64, ownedBy userID: UInt64? = nil) async -> Order? {
        guard let ownerID = orderDirectory.userID(ofOrder: id) else { return nil }
        if let userID, userID != ownerID { return nil }
        return await userShard(forUser: ownerID).order(id)
    }

    public func orders(ofUser userID: UInt64) async -> [Order] {
        await userShard(forUser: userID).orders(of: userID)
    }

    /// Cancels an unpaid order; its units return to stock once the record is durable.
    public func cancelOrder(id: UInt64, ownedBy userID: UInt64? = nil, reason: CancelReason) async throws(EngineError) -> Order {
        guard let ownerID = orderDirectory.userID(ofOrder: id), userID == nil || userID == ownerID else {
            throw .notFound("order")
        }
        let shard = userShard(forUser: ownerID)
        let decision = try await shard.beginCancel(orderID: id, reason: reason, atMs: clock.nowMs())
        let (order, event) = try await settle(decision, on: shard, orderID: id)
        // The give-back becomes visible only now that its record is durable.
        if let event { await applyToInventory(event) }
        return order
    }

    /// Cancels every order whose payment deadline has passed. The server calls
    /// it on a timer; tests call it after moving a manual clock.
    /// - Returns: how many orders were cancelled.
    @discardableResult
    public func cancelExpiredOrders() async -> Int {
        let nowMs = clock.nowMs()
        var cancelled = 0
        for shard in userShards {
            for orderID in await shard.dueOrders(nowMs: nowMs, limit: configuration.timeoutsPerPassMax) {
                do {
                    _ = try await cancelOrder(id: orderID, reason: .timeout)
                    cancelled += 1
                } catch .orderStateForbids {
                    // Paid or cancelled meanwhile: the deadline no longer applies.
                    continue
                } catch .orderBusy {
                    // A payment is in flight: look again shortly; if it succeeds the order is no longer pending.
                    await shard.retryDeadline(orderID: orderID, atMs: nowMs + 1000)
                } catch {
                    logger.error("order timeout could not cancel", metadata: ["orderId": "\(orderID)", "error": "\(error)"])
                }
            }
        }
        return cancelled
    }
}
