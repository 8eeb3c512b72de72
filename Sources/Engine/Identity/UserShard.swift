import WAL

/// Owns the users routed to it and their orders. Status changes are decided
/// here: the order is marked busy, its record enqueued from inside the actor,
/// and the change applied only once the record is durable, so a give-back
/// (cancel) is never visible before it is on disk (DESIGN invariant 5).
actor UserShard {
    private var state: UserState
    private let wal: WALWriter
    /// Orders whose status-change record is in flight; a second change waits its turn.
    private var busyOrders: Set<UInt64> = []
    private var deadlines = DeadlineQueue()
    /// Idempotency keys of purchases in flight, per user: a concurrent retry is told to wait.
    private var keysInFlight: Set<KeyOfUser> = []

    struct KeyOfUser: Hashable {
        var userID: UInt64
        var key: String
    }

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

    init(state: UserState, wal: WALWriter) {
        self.state = state
        self.wal = wal
        for order in state.orders.values where order.status == .pendingPayment {
            deadlines.push(.init(deadlineMs: order.payDeadlineMs, orderID: order.id))
        }
    }

    func applyDurable(_ event: MallEvent) {
        state.apply(event)
        if case .seckillOrderPlaced(let placed) = event {
            deadlines.push(.init(deadlineMs: placed.deadlineMs, orderID: placed.orderID))
        }
    }

    /// Applies a durable purchase and returns the new order, in one hop.
    func applyPlaced(_ placed: SeckillOrderPlaced) -> Order? {
        applyDurable(.seckillOrderPlaced(placed))
        return state.orders[placed.orderID]
    }

    func user(_ id: UInt64) -> User? { state.users[id] }

    func order(_ id: UInt64) -> Order? { state.orders[id] }

    func orders(of userID: UInt64) -> [Order] {
        (state.users[userID]?.orderIDs ?? []).compactMap { state.orders[$0] }
    }

    enum Decision {
        case enqueued(LSN, MallEvent)
        case unchanged(Order)
    }

    func beginPayment(orderID: UInt64, transactionID: String, amountFen: Int64, atMs: Int64) throws(EngineError) -> Decision {
        let order = try orderForChange(orderID)
        var machine = OrderStateMachine(status: order.status, payAmountFen: order.payAmountFen)
        switch machine.paymentConfirmed(amountFen: amountFen) {
        case .recordPayment:
            let event = MallEvent.orderPaid(OrderPaid(orderID: orderID, userID: order.userID,
                                                      transactionID: transactionID, amountFen: amountFen, atMs: atMs))
            return .enqueued(try enqueue(event, orderID: orderID, atMs: atMs), event)
        case .ignoreDuplicate, .cancel:
            return .unchanged(order)
        case .reject(let error):
            throw error
        }
    }

    func beginCancel(orderID: UInt64, reason: CancelReason, atMs: Int64) throws(EngineError) -> Decision {
        let order = try orderForChange(orderID)
        var machine = OrderStateMachine(status: order.status, payAmountFen: order.payAmountFen)
        switch machine.cancelRequested() {
        case .cancel:
            let event = MallEvent.orderCancelled(OrderCancelled(orderID: orderID, userID: order.userID, reason: reason,
                                                                restocks: order.restocks, atMs: atMs))
            return .enqueued(try enqueue(event, orderID: orderID, atMs: atMs), event)
        case .ignoreDuplicate, .recordPayment:
            return .unchanged(order)
        case .reject(let error):
            throw error
        }
    }

    /// Applies a durable status change and frees the order for the next one.
    func finishChange(_ event: MallEvent, orderID: UInt64) -> Order? {
        state.apply(event)
        busyOrders.remove(orderID)
        return state.orders[orderID]
    }

    func abandonChange(orderID: UInt64) {
        busyOrders.remove(orderID)
    }

    /// Pops the pending orders whose payment deadline has passed.
    func dueOrders(nowMs: Int64, limit: Int) -> [UInt64] {
        var due: [UInt64] = []
        while due.count < limit, let first = deadlines.first, first.deadlineMs <= nowMs {
            _ = deadlines.popFirst()
            if state.orders[first.orderID]?.status == .pendingPayment { due.append(first.orderID) }
        }
        return due
    }

    /// Puts a deadline back when its cancellation could not run now (the order was busy).
    func retryDeadline(orderID: UInt64, atMs: Int64) {
        deadlines.push(.init(deadlineMs: atMs, orderID: orderID))
    }

    func currentState() -> UserState { state }

    private func orderForChange(_ orderID: UInt64) throws(EngineError) -> Order {
        guard let order = state.orders[orderID] else { throw .notFound("order") }
        guard !busyOrders.contains(orderID) else { throw .orderBusy(orderID: orderID) }
        return order
    }

    private func enqueue(_ event: MallEvent, orderID: UInt64, atMs: Int64) throws(EngineError) -> LSN {
        do {
            let lsn = try wal.enqueue(typeTag: event.tag.rawValue, version: MallEvent.currentVersion,
                                      timestampMs: atMs, payload: event.encodePayload())
            busyOrders.insert(orderID)
            return lsn
        } catch {
            throw EngineError(error)
        }
    }
}
