// Engine: the mall's domain in memory. State, commands, events, shard actors,
// replay, snapshots and timers; one folder per domain.
// Must not import Net, Archive, WeChat, Hummingbird, PostgresNIO or an HTTP client.
import Dispatch
import Logging
import Snapshot
import Synchronization
import WAL

/// The live engine: shard actors cut from the recovered state, the WAL writer
/// they append to, and the read-mostly published catalog. Commands live in
/// extensions, one file per domain (`MallEngine+Seckill.swift`, ...).
public final class MallEngine: Sendable {
    public let configuration: EngineConfiguration
    public let recoveryReport: Recovery.Report
    public let walRecovery: WALRecoveryReport
    let clock: any EngineClock
    let ids: IDGenerator
    let wal: WALWriter
    let logger: Logger
    let publishedState: PublishedState<Coordinator.Published>
    let coordinator: Coordinator
    let inventoryShards: [InventoryShard]
    /// Flash-sale purchases waiting for each inventory shard's next turn (`drainSeckill`).
    let seckillInboxes: [ShardInbox<SeckillPurchase>]
    let userShards: [UserShard]
    let identity: IdentityRegistry
    let orderDirectory: OrderDirectory
    let sessions: SessionDirectory
    let maintenanceRunning = Atomic(false)
    /// SKUs with a `StockLow` record since they were last above their threshold (this run only:
    /// after a restart a SKU still low is reported again on its next change).
    let lowStockAlerted = Mutex<Set<UInt64>>([])
    /// Users whose previous search is still being logged (`recordSearch`).
    let searchesInFlight = Mutex<Set<UInt64>>([])
    let stockLevels: StockLevels

    /// Rebuilds state from the newest valid snapshot plus the WAL, opens the WAL
    /// for appending (truncating a torn tail), and cuts the shards from the state.
    public static func open(
        _ configuration: EngineConfiguration, clock: any EngineClock = SystemClock(), logger: Logger
    ) throws -> MallEngine {
        // Rebuild first: it reads and checks every record after the snapshot, so
        // the WAL's own scan (LSN continuity, the torn tail, holes) need not
        // read their payloads again. The WAL is locked only after the rebuild;
        // a second process holding it makes the open fail below, before any write.
        let rebuilt = Result { try Recovery.rebuild(configuration: configuration, clock: clock) }
        var walConfiguration = configuration.walConfiguration
        if case .success(let (state, _)) = rebuilt, state.lastLSN < WALLimits.lsnMax {
            walConfiguration.checksumsFromLSN = state.lastLSN + 1
        }
        let (wal, walRecovery) = try WALWriter.open(walConfiguration)
        do {
            let (state, report) = try rebuilt.get()
            guard state.lastLSN <= walRecovery.lastLSN else {
                // New records would reuse LSNs the snapshot already holds: refuse rather than fork history.
                throw EngineError.unavailable(
                    "the newest snapshot is at lsn \(state.lastLSN) but the WAL ends at \(walRecovery.lastLSN); WAL segments are missing")
            }
            return MallEngine(configuration: configuration, state: state, report: report, wal: wal,
                              walRecovery: walRecovery, clock: clock, logger: logger)
        } catch {
            Task { await wal.close() }
            throw error
        }
    }

    init(configuration: EngineConfiguration, state: EngineState, report: Recovery.Report, wal: WALWriter,
         walRecovery: WALRecoveryReport, clock: any EngineClock, logger: Logger) {
        self.configuration = configuration
        self.recoveryReport = report
        self.walRecovery = walRecovery
        self.clock = clock
        self.ids = IDGenerator(clock: clock, floor: state.largestID)
        self.wal = wal
        self.logger = logger
        let published = PublishedState(Coordinator.Published(catalog: state.catalog, settings: state.settings,
                                                             payments: state.payments, search: CatalogSearch(catalog: state.catalog)))
        self.publishedState = published
        self.coordinator = Coordinator(wal: wal, published: published)
        let stockLevels = StockLevels(inventory: state.inventory)
        self.stockLevels = stockLevels
        self.inventoryShards = state.inventory.map { InventoryShard(state: $0, wal: wal, levels: stockLevels) }
        self.seckillInboxes = state.inventory.map { _ in ShardInbox() }
        let deadlines = ParallelSlots<DeadlineQueue>(count: state.users.count)
        DispatchQueue.concurrentPerform(iterations: state.users.count) { shard in
            deadlines[shard] = UserShard.deadlines(of: state.users[shard])
        }
        self.userShards = zip(state.users, deadlines.takeAll()).map { UserShard(state: $0, wal: wal, deadlines: $1) }
        self.identity = IdentityRegistry(users: state.users)
        self.orderDirectory = OrderDirectory(users: state.users, route: OrderRoute(shardCount: state.users.count))
        self.sessions = SessionDirectory(users: state.users)
    }

    public var catalog: CatalogState { publishedState.read { $0.catalog } }
    public var settings: SettingsState { publishedState.read { $0.settings } }
    public var payments: PaymentsState { publishedState.read { $0.payments } }
    /// Why the WAL writer stopped, once a write or sync failed: no operation is acknowledged after it.
    public var writeFailure: String? { wal.failure }
    public var durableLSN: UInt64 { wal.durableLSN }
    public var walStatistics: WALStatistics { wal.statistics }
    public var nowMs: Int64 { clock.nowMs() }

    func inventoryShard(forSKU skuID: UInt64) -> InventoryShard {
        inventoryShards[ShardRouter.shard(of: skuID, count: inventoryShards.count)]
    }

    func userShard(forUser userID: UInt64) -> UserShard {
        userShards[userShardIndex(forUser: userID)]
    }

    func userShardIndex(forUser userID: UInt64) -> Int {
        ShardRouter.shard(of: userID, count: userShards.count)
    }

    /// A new id of any kind but an order's.
    func nextID() throws(EngineError) -> UInt64 {
        guard let id = ids.next() else { throw Self.idsExhausted }
        return id
    }

    /// A new order's id, naming its buyer's user shard (`OrderRoute`).
    func nextOrderID(userID: UInt64, atMs nowMs: Int64) throws(EngineError) -> UInt64 {
        guard let id = ids.next(routedTo: userShardIndex(forUser: userID), by: orderDirectory.route, atMs: nowMs) else {
            throw Self.idsExhausted
        }
        return id
    }

    /// Refused rather than trapped: ids rise from the largest in state, and a log may hold the largest of all.
    static let idsExhausted = EngineError.unavailable("no id is left: the log holds the largest id")

    /// Decides one change in the coordinator (`decide` sees every earlier
    /// decision), waits until its record is durable, publishes it and applies
    /// it to the shards it touches.
    /// - Returns: the logged event, or nil when `decide` found nothing to log.
    @discardableResult
    func commit(atMs: Int64, _ decide: @Sendable (Coordinator.Published) throws(EngineError) -> MallEvent?) async throws(EngineError) -> MallEvent? {
        guard let (lsn, event) = try await coordinator.enqueue(atMs: atMs, decide) else { return nil }
        try await waitDurable(lsn)
        await coordinator.publish(through: lsn)
        await applyToInventory(event)
        if let userID = EventRouting.userID(of: event) {
            let shard = userShard(forUser: userID)
            do {
                try await shard.applyDurable(event)
            } catch {
                reportDivergence(error, event: event)
            }
        }
        return event
    }

    func waitDurable(_ lsn: LSN) async throws(EngineError) {
        do {
            try await wal.waitDurable(lsn)
        } catch {
            logger.critical("write-ahead log failed; no further operation is acknowledged", metadata: ["error": "\(error)"])
            throw EngineError(error)
        }
    }

    /// Applies a durable event to each inventory shard it touches, once per shard (`EventRouting`).
    func applyToInventory(_ event: MallEvent) async {
        for index in EventRouting.inventoryShards(of: event, shardCount: inventoryShards.count) {
            do {
                try await inventoryShards[index].applyDurable(event)
            } catch {
                reportDivergence(error, event: event)
            }
        }
    }

    /// A durable record the live state refused: a bug, since the decision
    /// checked it. Replay of the same record will stop with its LSN named.
    func reportDivergence(_ error: ApplyError, event: MallEvent) {
        logger.critical("a durable record does not apply to live state", metadata: [
            "event": "\(event.tag.name)", "error": "\(error)"])
    }

    /// Completes a status change a user shard decided: waits for its record to be
    /// durable, then applies it. Returns the order and the event when one was logged.
    func settle(_ lsn: LSN, _ event: MallEvent, on shardIndex: Int, orderID: UInt64) async throws(EngineError) -> Order {
        let shard = userShards[shardIndex]
        do {
            try await waitDurable(lsn)
        } catch {
            await shard.abandonChange(orderID: orderID)
            throw error
        }
        do {
            let (order, evicted) = try await shard.finishChange(event, orderID: orderID)
            orderDirectory.remove(orderIDs: evicted, shard: shardIndex)
            guard let order else { throw EngineError.notFound("order") }
            return order
        } catch let error as ApplyError {
            reportDivergence(error, event: event)
            throw EngineError.unavailable("order \(orderID) could not be updated: \(error)")
        } catch {
            throw error as? EngineError ?? .unavailable("\(error)")
        }
    }

    /// The live state gathered from every shard. Compare digests only when no
    /// command is in flight: holds of in-flight purchases are part of live stock.
    public func liveState() async -> EngineState {
        var state = EngineState(shardCount: inventoryShards.count)
        let published = publishedState.current
        state.catalog = published.catalog
        state.settings = published.settings
        state.payments = published.payments
        for (index, shard) in inventoryShards.enumerated() { state.inventory[index] = await shard.currentState() }
        for (index, shard) in userShards.enumerated() { state.users[index] = await shard.currentState() }
        state.lastLSN = wal.durableLSN
        return state
    }

    /// Stops accepting writes, drains the WAL queue and syncs it.
    public func close() async {
        await wal.close()
    }
}
