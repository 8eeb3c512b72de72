import WAL

/// Order commands on the shard that owns the buyer: idempotency keys, status
/// changes decided by `OrderStateMachine`, payment deadlines, pages.
extension UserShard {
    enum KeyReservation {
        case reserved
        case existing(Order)
        case inFlight
    }

    /// Reserves an Idempotency-Key for a purchase, or returns the order it already made.
    func reserve(idempotencyKey key: String, userID: UInt64) -> KeyReservation {
        if let orderID = state.users[userID]?.orderIDByIdempotencyKey[key], let order = state.orders[orderID] {
            return .existing(order)
        }
        return keysInFlight.insert(KeyOfUser(userID: userID, key: key)).inserted ? .reserved : .inFlight
    }

    func release(idempotencyKey key: String, userID: UInt64) {
        keysInFlight.remove(KeyOfUser(userID: userID, key: key))
    }

    /// Applies a durable purchase and returns the new order, in one hop.
    func applyPlaced(_ event: MallEvent, orderID: UInt64) throws(ApplyError) -> Order? {
        try applyDurable(event)
        return state.orders[orderID]
    }

    /// Applies durable flash-sale purchases `indexes` of `purchases` in one hop.
    /// - Returns: per purchase, the new order, or why the live state refused it (a bug: see `applyDurable`).
    func applyPlaced(_ purchases: [SeckillPurchase], _ indexes: [Int]) -> [Result<Order, ApplyError>] {
        // Each purchase is read in place: a copy of it retained and released its names for nothing.
        indexes.map { index in
            Result { () throws(ApplyError) -> Order in
                let order = try state.insertOrder(purchases[index].placed)
                deadlines.push(.init(deadlineMs: order.payDeadlineMs, orderID: order.id))
                return order
            }
        }
    }

    func order(_ id: UInt64) -> Order? { state.orders[id] }

    func orderCount(of userID: UInt64) -> Int { state.orderCount(of: userID) }

    func orders(of userID: UInt64, beforeOrderID: UInt64?, status: OrderStatus?, limit: Int) -> (orders: [Order], nextCursor: UInt64?) {
        state.orders(of: userID, beforeOrderID: beforeOrderID, status: status, limit: limit)
    }

    enum Decision {
        case enqueued(LSN, MallEvent)
        case unchanged(Order)
        /// The payment cannot be kept by this order: record it as a refund due.
        case paymentException(PaymentExceptionRecorded.Reason, Order)
    }

    /// nil when the shard holds no such order: no order can keep the payment.
    func beginPayment(orderID: UInt64, transactionID: String, amountFen: Int64, atMs: Int64) throws(EngineError) -> Decision? {
        guard state.orders[orderID] != nil else { return nil }
        let order = try orderForChange(orderID)
        var machine = OrderStateMachine(order)
        switch machine.paymentConfirmed(amountFen: amountFen, transactionID: transactionID) {
        case .recordPayment:
            let event = MallEvent.orderPaid(OrderPaid(orderID: orderID, userID: order.userID,
                                                      transactionID: transactionID, amountFen: amountFen, atMs: atMs))
            return .enqueued(try enqueue(event, orderID: orderID, atMs: atMs), event)
        case .ignoreDuplicate:
            return .unchanged(order)
        case .recordPaymentException(let reason):
            return .paymentException(reason, order)
        case .cancel:
            return .unchanged(order)
        case .reject(let error):
            throw error
        }
    }

    /// With `ownedBy`, an order of another user is not found.
    func beginCancel(orderID: UInt64, ownedBy userID: UInt64? = nil, reason: CancelReason,
                     atMs: Int64) throws(EngineError) -> Decision {
        let order = try orderForChange(orderID, ownedBy: userID)
        guard let event = try cancellation(of: order, reason: reason, atMs: atMs) else { return .unchanged(order) }
        return .enqueued(try enqueue(event, orderID: orderID, atMs: atMs), event)
    }

    /// The record that cancels `order` now, as `OrderStateMachine` decides; nil when the
    /// request leaves it as it is (already cancelled, or paid).
    private func cancellation(of order: Order, reason: CancelReason, atMs: Int64) throws(EngineError) -> MallEvent? {
        var machine = OrderStateMachine(order)
        switch machine.cancelRequested() {
        case .cancel:
            return .orderCancelled(OrderCancelled(orderID: order.id, userID: order.userID, reason: reason,
                                                  restocks: order.restocks, atMs: atMs))
        case .ignoreDuplicate, .recordPayment, .recordPaymentException:
            return nil
        case .reject(let error):
            throw error
        }
    }

    /// Applies a durable status change and frees the order for the next one.
    /// - Returns: the order as it is now, and finished orders that left hot state.
    func finishChange(_ event: MallEvent, orderID: UInt64) throws(ApplyError) -> (Order?, evicted: [UInt64]) {
        busyOrders.remove(orderID)
        let evicted = try state.apply(event)
        return (state.orders[orderID], evicted)
    }

    func abandonChange(orderID: UInt64) {
        busyOrders.remove(orderID)
    }

    /// A batch of deadline cancellations decided in one actor turn.
    struct ExpiryBatch: Sendable {
        var enqueued: [(orderID: UInt64, event: MallEvent)] = []
        var lastLSN: LSN = 0
    }

    /// Pops up to `limit` orders whose payment deadline has passed and enqueues
    /// their cancellations as one WAL group. The writer takes a group whole, so a
    /// shard's pass takes at most one frame and one fsync (up to
    /// `WALConfiguration.batchRecordsMax` records), however the writer thread's
    /// wake-ups fall. When the queue has no room for the whole group, or the group
    /// cannot be logged, they are enqueued one by one as room allows. A deadline
    /// that cannot be acted on now (order busy, WAL queue full or failing) is
    /// pushed back `retryAfterMs` later, never dropped.
    func beginExpiry(nowMs: Int64, limit: Int, retryAfterMs: Int64) -> ExpiryBatch {
        var decided: [(orderID: UInt64, event: MallEvent)] = []
        var retry: [UInt64] = []
        // An order twice in the queue is cancelled once: a group may not hold two records for it.
        var seen = Set<UInt64>()
        while decided.count < limit, let first = deadlines.first, first.deadlineMs <= nowMs {
            _ = deadlines.popFirst()
            guard let order = state.orders[first.orderID], order.status == .pendingPayment,
                  seen.insert(order.id).inserted else { continue }
            // Busy (a payment in flight) or refused: look again shortly.
            guard !busyOrders.contains(order.id) else {
                retry.append(order.id)
                continue
            }
            do {
                if let event = try cancellation(of: order, reason: .timeout, atMs: nowMs) { decided.append((order.id, event)) }
            } catch {
                retry.append(order.id)
            }
        }
        var batch = ExpiryBatch()
        if !decided.isEmpty {
            do throws(WALError) {
                batch.lastLSN = try enqueueGroup(decided.map(\.event), atMs: nowMs)
                for (orderID, _) in decided { busyOrders.insert(orderID) }
                batch.enqueued = decided
            } catch {
                // No room for the whole group, or a record that cannot be logged: one by one, so
                // each order waits only for itself and the queue's room is used.
                for (index, (orderID, event)) in decided.enumerated() {
                    do throws(EngineError) {
                        batch.lastLSN = try enqueue(event, orderID: orderID, atMs: nowMs)
                        batch.enqueued.append((orderID, event))
                    } catch .overloaded, .unavailable {
                        // The queue is full or the log is failing: the rest waits too.
                        retry += decided[index...].map(\.orderID)
                        break
                    } catch {
                        retry.append(orderID)
                    }
                }
            }
        }
        for orderID in retry { deadlines.push(.init(deadlineMs: nowMs + retryAfterMs, orderID: orderID)) }
        return batch
    }

    /// Enqueues `events` as one WAL group. All or nothing.
    /// - Returns: the LSN of the last record, to wait for.
    private func enqueueGroup(_ events: [MallEvent], atMs: Int64) throws(WALError) -> LSN {
        var group = WALRecordGroup()
        for event in events {
            try group.append(typeTag: event.tag.rawValue, version: event.version, timestampMs: atMs) {
                event.appendPayload(to: &$0)
            }
        }
        return try wal.enqueue(&group).upperBound
    }

    /// Applies a durable batch of cancellations. On a WAL failure the caller
    /// passes `durable: false`: the orders are freed and their deadlines kept.
    func finishExpiry(_ batch: ExpiryBatch, durable: Bool, retryAtMs: Int64) throws(ApplyError) -> [UInt64] {
        var evicted: [UInt64] = []
        for (orderID, event) in batch.enqueued {
            busyOrders.remove(orderID)
            if durable {
                evicted += try state.apply(event)
            } else {
                deadlines.push(.init(deadlineMs: retryAtMs, orderID: orderID))
            }
        }
        return evicted
    }

    private func orderForChange(_ orderID: UInt64, ownedBy userID: UInt64? = nil) throws(EngineError) -> Order {
        guard let order = state.orders[orderID], userID == nil || userID == order.userID else { throw .notFound("order") }
        guard !busyOrders.contains(orderID) else { throw .orderBusy(orderID: orderID) }
        return order
    }

    private func enqueue(_ event: MallEvent, orderID: UInt64, atMs: Int64) throws(EngineError) -> LSN {
        do {
            let lsn = try wal.enqueue(typeTag: event.tag.rawValue, version: event.version,
                                      timestampMs: atMs, payload: event.encodePayload())
            busyOrders.insert(orderID)
            return lsn
        } catch {
            throw EngineError(error)
        }
    }
}
