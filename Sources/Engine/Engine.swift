// Engine: the mall's domain in memory. State, commands, events, shard actors,
// replay, snapshots and timers; one folder per domain.
// Must not import Net, Archive, WeChat, Hummingbird, PostgresNIO or an HTTP client.
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
    let catalogState: PublishedState<CatalogState>
    let settingsState: PublishedState<SettingsState>
    let inventoryShards: [InventoryShard]
    let userShards: [UserShard]
    let identity: IdentityRegistry
    let orderDirectory: OrderDirectory
    let maintenanceRunning = Atomic(false)

    /// Opens the WAL (truncating a torn tail), rebuilds state from the newest
    /// valid snapshot plus the WAL, and cuts the shards from it.
    public static func open(
        _ configuration: EngineConfiguration, clock: any EngineClock = SystemClock(), logger: Logger
    ) throws -> MallEngine {
        let (wal, walRecovery) = try WALWriter.open(configuration.walConfiguration)
        do {
            let (state, report) = try Recovery.rebuild(configuration: configuration, clock: clock)
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
        self.catalogState = PublishedState(state.catalog)
        self.settingsState = PublishedState(state.settings)
        self.inventoryShards = state.inventory.map { InventoryShard(state: $0, wal: wal) }
        self.userShards = state.users.map { UserShard(state: $0, wal: wal) }
        self.identity = IdentityRegistry(users: state.users)
        let directory = OrderDirectory()
        for shard in state.users { for order in shard.orders.values { directory.insert(orderID: order.id, userID: order.userID) } }
        self.orderDirectory = directory
    }

    public var catalog: CatalogState { catalogState.current }
    public var settings: SettingsState { settingsState.current }
    public var durableLSN: UInt64 { wal.durableLSN }
    public var walStatistics: WALStatistics { wal.statistics }
    public var nowMs: Int64 { clock.nowMs() }

    func inventoryShard(forSKU skuID: UInt64) -> InventoryShard {
        inventoryShards[ShardRouter.shard(of: skuID, count: inventoryShards.count)]
    }

    func userShard(forUser userID: UInt64) -> UserShard {
        userShards[ShardRouter.shard(of: userID, count: userShards.count)]
    }

    /// Logs one event that only the coordinator decides (creations), waits
    /// until it is durable, then applies it everywhere it belongs.
    func commit(_ event: MallEvent, atMs: Int64) async throws(EngineError) {
        let lsn: LSN
        do {
            lsn = try wal.enqueue(typeTag: event.tag.rawValue, version: MallEvent.currentVersion,
                                  timestampMs: atMs, payload: event.encodePayload())
        } catch {
            throw EngineError(error)
        }
        try await waitDurable(lsn)
        await applyDurable(event)
    }

    func waitDurable(_ lsn: LSN) async throws(EngineError) {
        do {
            try await wal.waitDurable(lsn)
        } catch {
            logger.critical("write-ahead log failed; no further operation is acknowledged", metadata: ["error": "\(error)"])
            throw EngineError(error)
        }
    }

    /// Applies a durable event to the catalog and to the shards it touches.
    func applyDurable(_ event: MallEvent) async {
        catalogState.update { $0.apply(event) }
        settingsState.update { $0.apply(event) }
        await applyToInventory(event)
        if let userID = EngineState.userID(touchedBy: event) {
            await userShard(forUser: userID).applyDurable(event)
        }
    }

    /// Applies a durable event to each inventory shard it touches, once per shard.
    func applyToInventory(_ event: MallEvent) async {
        let indexes = Set(EngineState.skuIDs(touchedBy: event).map { ShardRouter.shard(of: $0, count: inventoryShards.count) })
        for index in indexes.sorted() { await inventoryShards[index].applyDurable(event) }
    }

    /// Completes a status change a user shard decided: waits for its record to be
    /// durable, then applies it. Returns the order and the event when one was logged.
    func settle(_ decision: UserShard.Decision, on shard: UserShard, orderID: UInt64) async throws(EngineError) -> (Order, MallEvent?) {
        switch decision {
        case .unchanged(let order):
            return (order, nil)
        case .enqueued(let lsn, let event):
            do {
                try await waitDurable(lsn)
            } catch {
                await shard.abandonChange(orderID: orderID)
                throw error
            }
            guard let order = await shard.finishChange(event, orderID: orderID) else { preconditionFailure("order \(orderID) vanished") }
            return (order, event)
        }
    }

    /// The live state gathered from every shard. Compare digests only when no
    /// command is in flight: holds of in-flight purchases are part of live stock.
    public func liveState() async -> EngineState {
        var state = EngineState(shardCount: inventoryShards.count)
        state.catalog = catalogState.current
        state.settings = settingsState.current
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
