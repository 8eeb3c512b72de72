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
    private let levels: StockLevels

    init(state: InventoryState, wal: WALWriter, levels: StockLevels) {
        self.state = state
        self.wal = wal
        self.levels = levels
    }

    /// Shows the SKUs' new stock and sales to the storefront (`StockLevels`).
    private func publish(_ skuIDs: some Sequence<UInt64>) {
        levels.publish(shard: state.shardIndex, from: state, skuIDs: skuIDs)
    }

    private func publish(_ event: MallEvent) {
        publish(EventRouting.skuIDs(of: event).filter { state.owns(skuID: $0) })
    }

    /// Takes flash-sale stock for a batch of purchases, in their order, as holds, and
    /// enqueues the records of those taken as one WAL group: one actor turn for the batch.
    /// - Returns: per purchase, nil when taken or why it was refused; the LSN of the last
    ///   record enqueued, for the caller to await, when any was taken.
    func takeSeckill(_ batch: [SeckillPurchase]) -> (refusals: [EngineError?], lastLSN: LSN?) {
        var refusals = [EngineError?](repeating: nil, count: batch.count)
        let tag = MallEvent.Tag.seckillOrderPlaced
        // Each purchase is read in place, not copied out (a copy retains and releases its names).
        for index in batch.indices {
            do throws(EngineError) {
                try state.takeSeckill(batch[index].placed)
            } catch {
                refusals[index] = error
                continue
            }
            do {
                try group.append(typeTag: tag.rawValue, version: tag.currentVersion, timestampMs: batch[index].placed.atMs) { bytes in
                    ByteWriter.appending(to: &bytes) { batch[index].placed.encode(to: &$0) }
                }
            } catch {
                state.releaseHold(batch[index].placed)
                refusals[index] = EngineError(error)
            }
        }
        guard !group.isEmpty else { return (refusals, nil) }
        publish(Set(batch.map(\.placed.skuID)))
        do {
            return (refusals, try wal.enqueue(&group).upperBound)
        } catch {
            group.removeAll()
            for index in batch.indices where refusals[index] == nil {
                state.releaseHold(batch[index].placed)
                refusals[index] = EngineError(error)
            }
            publish(Set(batch.map(\.placed.skuID)))
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
        publish(placed.lines.map(\.skuID).filter { state.owns(skuID: $0) })
    }

    func releaseHold(_ lines: [OrderLine]) {
        state.releaseHold(lines)
        publish(lines.map(\.skuID).filter { state.owns(skuID: $0) })
    }

    /// Holds whose records never became durable are given back at once: they were never logged.
    func releaseHolds(_ batch: [SeckillPurchase]) {
        for purchase in batch { state.releaseHold(purchase.placed) }
        publish(Set(batch.map(\.placed.skuID)))
    }

    func applyDurable(_ event: MallEvent) throws(ApplyError) {
        try state.apply(event)
        publish(event)
    }

    /// Applies durable events in order, in one hop (a batch of expired orders' give-backs).
    func applyDurable(_ events: [MallEvent]) -> [ApplyError] {
        var errors: [ApplyError] = []
        for event in events {
            do { try state.apply(event) } catch { errors.append(error) }
            publish(event)
        }
        return errors
    }

    /// Takes the take half of a stock move as a hold; refuses, changing nothing, when stock is short.
    func holdTake(_ event: MallEvent) throws(EngineError) {
        do {
            try state.apply(event, phase: .take)
        } catch {
            throw .conflict("not enough stock: \(error)")
        }
        publish(event)
    }

    func releaseTake(_ event: MallEvent) {
        state.releaseTake(event)
        publish(event)
    }

    /// Applies the give half of a durable stock move whose take half is held.
    func applyGive(_ event: MallEvent) throws(ApplyError) {
        try state.apply(event, phase: .give)
        publish(event)
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
