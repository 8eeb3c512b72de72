import WAL

/// Owns the stock of the SKUs routed to it. A take (a purchase) is checked and
/// applied here before the first suspension, then its record is enqueued from
/// inside the actor, so records are queued in the order this shard decided
/// them (DESIGN invariant 5). Give-backs arrive only after they are durable.
actor InventoryShard {
    private var state: InventoryState
    private let wal: WALWriter
    /// The records of one turn's purchases, reused from turn to turn.
    private var group = WALRecordGroup()

    init(state: InventoryState, wal: WALWriter) {
        self.state = state
        self.wal = wal
    }

    /// Takes flash-sale stock for a batch of purchases, in their order, as holds, and
    /// enqueues the records of those taken as one WAL group: one actor turn for the batch.
    /// - Returns: per purchase, nil when taken or why it was refused; the LSN of the last
    ///   record enqueued, for the caller to await, when any was taken.
    func takeSeckill(_ batch: [SeckillPurchase]) -> (refusals: [EngineError?], lastLSN: LSN?) {
        var refusals = [EngineError?](repeating: nil, count: batch.count)
        let tag = MallEvent.Tag.seckillOrderPlaced
        for index in batch.indices {
            let placed = batch[index].placed
            do throws(EngineError) {
                try state.takeSeckill(placed)
            } catch {
                refusals[index] = error
                continue
            }
            do {
                try group.append(typeTag: tag.rawValue, version: tag.currentVersion, timestampMs: placed.atMs) { bytes in
                    ByteWriter.appending(to: &bytes) { placed.encode(to: &$0) }
                }
            } catch {
                state.releaseHold(placed)
                refusals[index] = EngineError(error)
            }
        }
        guard !group.isEmpty else { return (refusals, nil) }
        do {
            return (refusals, try wal.enqueue(&group).upperBound)
        } catch {
            group.removeAll()
            for index in batch.indices where refusals[index] == nil {
                state.releaseHold(batch[index].placed)
                refusals[index] = EngineError(error)
            }
            return (refusals, nil)
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

    /// Holds whose records never became durable are given back at once: they were never logged.
    func releaseHolds(_ batch: [SeckillPurchase]) {
        for purchase in batch { state.releaseHold(purchase.placed) }
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
