import WAL

/// Owns the stock of the SKUs routed to it. A take (a purchase) is checked and
/// applied here before the first suspension, then its record is enqueued from
/// inside the actor, so records are queued in the order this shard decided
/// them (DESIGN invariant 5). Give-backs arrive only after they are durable.
actor InventoryShard {
    private var state: InventoryState
    private let wal: WALWriter

    init(state: InventoryState, wal: WALWriter) {
        self.state = state
        self.wal = wal
    }

    /// Takes flash-sale stock as a hold and enqueues the purchase record.
    /// - Returns: the record's LSN; the caller awaits its durability.
    func takeSeckill(_ placed: SeckillOrderPlaced, payload: [UInt8]) throws(EngineError) -> LSN {
        try state.checkSeckillTake(placed)
        do {
            try state.apply(.seckillOrderPlaced(placed))
        } catch {
            throw .unavailable("flash-sale stock refused a checked take: \(error)")
        }
        do {
            return try wal.enqueue(typeTag: MallEvent.Tag.seckillOrderPlaced.rawValue,
                                   version: MallEvent.Tag.seckillOrderPlaced.currentVersion,
                                   timestampMs: placed.atMs, payload: payload)
        } catch {
            state.releaseHold(placed)
            throw EngineError(error)
        }
    }

    /// Takes the lines of an ordinary order that this shard owns, as holds.
    /// The record is enqueued by the caller once every shard has taken its part.
    func takeStock(_ placed: OrderPlaced) throws(EngineError) {
        try state.checkTake(placed.lines)
        do {
            try state.apply(.orderPlaced(placed))
        } catch {
            throw .unavailable("stock refused a checked take: \(error)")
        }
    }

    func releaseHold(_ lines: [OrderLine]) {
        state.releaseHold(lines)
    }

    /// A hold whose record never became durable is given back at once: it was never logged.
    func releaseHold(_ placed: SeckillOrderPlaced) {
        state.releaseHold(placed)
    }

    func applyDurable(_ event: MallEvent) throws(ApplyError) {
        try state.apply(event)
    }

    /// Applies durable events in order, in one hop (a batch of expired orders' give-backs).
    func applyDurable(_ events: [MallEvent]) -> [ApplyError] {
        var errors: [ApplyError] = []
        for event in events {
            do { try state.apply(event) } catch { errors.append(error) }
        }
        return errors
    }

    func seckillStock(_ key: SeckillKey) -> SeckillStock? { state.seckill[key] }

    func stock(skuID: UInt64) -> Int64? { state.stockBySKU[skuID] }

    func currentState() -> InventoryState { state }
}

extension EngineError {
    init(_ error: WALError) {
        switch error {
        case .overloaded: self = .overloaded
        default: self = .unavailable("write-ahead log: \(error)")
        }
    }
}
