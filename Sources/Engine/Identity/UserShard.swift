import WAL

/// Owns the users routed to it and their orders. The order code (status
/// changes, deadlines, pages) is the Orders domain's: `UserShard+Orders.swift`.
/// Status changes are decided here: the order is marked busy, its record
/// enqueued from inside the actor, and the change applied only once the record
/// is durable, so a give-back (cancel) is never visible before it is on disk
/// (DESIGN invariant 5).
actor UserShard {
    var state: UserState
    let wal: WALWriter
    /// Orders whose status-change record is in flight; a second change waits its turn.
    var busyOrders: Set<UInt64> = []
    var deadlines = DeadlineQueue()
    /// Users whose identity change (session, profile, ban, addresses) is being saved.
    var identityBusy: Set<UInt64> = []
    /// Changes waiting for a busy user, oldest first (at most `identityWaitersMax` per user).
    var identityWaiters: [UInt64: [CheckedContinuation<Void, Never>]] = [:]
    /// Idempotency keys of purchases in flight, per user: a concurrent retry is told to wait.
    var keysInFlight: Set<KeyOfUser> = []

    struct KeyOfUser: Hashable {
        var userID: UInt64
        var key: String
    }

    init(state: UserState, wal: WALWriter, deadlines: DeadlineQueue? = nil) {
        self.state = state
        self.wal = wal
        self.deadlines = deadlines ?? Self.deadlines(of: state)
    }

    /// The payment deadlines of the shard's unpaid orders.
    static func deadlines(of state: UserState) -> DeadlineQueue {
        var entries: [DeadlineQueue.Entry] = []
        entries.reserveCapacity(state.orders.count)
        for table in state.orders.tables {
            for order in table.values where order.status == .pendingPayment {
                entries.append(.init(deadlineMs: order.payDeadlineMs, orderID: order.id))
            }
        }
        return DeadlineQueue(entries)
    }

    /// Applies a durable event. A failure here means the live state and the log
    /// disagree (a bug): it is reported, and replay of the same record will stop.
    /// - Returns: the ids of finished orders that left hot state.
    @discardableResult
    func applyDurable(_ event: MallEvent) throws(ApplyError) -> [UInt64] {
        let evicted = try state.apply(event)
        switch event {
        case .seckillOrderPlaced(let placed): deadlines.push(.init(deadlineMs: placed.deadlineMs, orderID: placed.orderID))
        case .orderPlaced(let placed): deadlines.push(.init(deadlineMs: placed.deadlineMs, orderID: placed.orderID))
        default:
            break
        }
        return evicted
    }

    func user(_ id: UInt64) -> User? { state.users[id] }

    func currentState() -> UserState { state }
}
