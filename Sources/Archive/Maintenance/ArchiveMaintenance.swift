import Engine
import Logging
import PostgresNIO
import Snapshot
import WAL

/// Operator commands on the archive: `mall archive rebuild` and `mall archive verify`.
/// Both read the data directory directly; run rebuild with the server stopped.
public enum ArchiveMaintenance {
    /// Empties the archive tables and refills them: the engine state at a base LSN in bulk, then
    /// the WAL after it through the last LSN on disk, through the archiver.
    ///
    /// The base is LSN 0 when the WAL still holds every record (nothing is lost: all rows come from
    /// events); otherwise the oldest snapshot the kept WAL continues from, so that as much history
    /// as possible still comes from events. What state cannot tell is listed in `historyLost`.
    /// - Complexity: O(state + WAL tail); the whole state is held in memory, as recovery holds it.
    public static func rebuild(database: ArchiveDatabase, engine configuration: EngineConfiguration,
                               logger: Logger) async throws -> RebuildReport {
        let started = ContinuousClock.now
        let base = try await BlockingIO.run { try RebuildBase.choose(configuration) }
        let state = try await engineState(configuration, throughLSN: base.lsn)
        guard state.lastLSN == base.lsn else {
            throw ArchiveError.engineState("rebuilding to lsn \(base.lsn) stopped at \(state.lastLSN)")
        }
        let batch = ArchiveBatch(state: state)
        let writer = BatchWriter(logger: logger)
        let rowsLoaded = try await database.client.withConnection { connection in
            _ = try await ArchiveMigrations.migrate(on: connection, logger: logger)
            return try await ArchiveError.unwrapping {
                try await connection.withTransaction(logger: logger) { connection in
                    // Constant table names from ArchiveMigrations; no values.
                    let tables = ArchiveMigrations.dataTables.joined(separator: ", ")
                    try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(tables) RESTART IDENTITY"), logger: logger)
                    return try await writer.write(batch, on: connection)
                }
            }
        }
        logger.info("archive reloaded from state", metadata: ["lsn": "\(base.lsn)", "rows": "\(rowsLoaded)"])
        let lastOnDisk = try await BlockingIO.run { try WALReader(directory: configuration.walDirectory).verify().lastLSN }
        let archiver = Archiver(database: database, walDirectory: configuration.walDirectory, durableLSN: { lastOnDisk },
                                configuration: database.configuration, logger: logger)
        let tail = try await archiver.catchUp()
        await archiver.close()
        return RebuildReport(baseLSN: base.lsn, baseSource: base.source, rowsLoaded: rowsLoaded,
                             ordersLoaded: batch.newOrders.count, tail: tail,
                             historyLost: base.lsn == 0 ? [] : lostHistory(beforeLSN: base.lsn),
                             elapsed: ContinuousClock.now - started)
    }

    /// Compares the archive with the engine state rebuilt through the archive's checkpoint, so a
    /// lagging archive compares like with like.
    /// - Complexity: O(state + archive rows); per-order statuses of both sides are held in memory.
    public static func verify(database: ArchiveDatabase, engine configuration: EngineConfiguration) async throws -> VerifyReport {
        let logger = database.logger
        let checkpoint = try await database.client.withConnection { connection in
            try await BatchWriter(logger: logger).readCheckpoint(connection)
        }
        let state = try await engineState(configuration, throughLSN: checkpoint)
        let engine = VerifyFigures(state: state)
        let archive = try await database.client.withConnection { connection in
            try await VerifyFigures.load(from: connection, logger: logger)
        }
        var drifts = VerifyFigures.compare(engine: engine, archive: archive)
        if state.lastLSN != checkpoint {
            drifts.insert(Drift(what: "last LSN (the WAL lacks records the archive holds)",
                                engineValue: "\(state.lastLSN)", archiveValue: "\(checkpoint)"), at: 0)
        }
        return VerifyReport(checkpointLSN: checkpoint, orders: engine.orderStatus.count, drifts: drifts)
    }

    static func engineState(_ configuration: EngineConfiguration, throughLSN lsn: UInt64) async throws -> EngineState {
        do {
            return try await BlockingIO.run {
                try Recovery.rebuild(configuration: configuration, limit: .init(throughLSN: lsn)).0
            }
        } catch {
            throw ArchiveError.engineState("through lsn \(lsn): \(error)")
        }
    }

    static func lostHistory(beforeLSN lsn: UInt64) -> [String] {
        [
            "order_status_history before lsn \(lsn): each order keeps only its creation (lsn -2) and its status at the "
                + "snapshot (lsn -1, timed by paid_at or cancelled_at); intermediate changes are gone",
            "stock_logs before lsn \(lsn): none; stock and flash-sale remaining/sold are the snapshot's net figures",
            "payments before lsn \(lsn): one row per paid order, rebuilt from the order (lsn NULL, amount = pay_amount_fen)",
            "admins: created_at is the last change before lsn \(lsn), not the creation",
            "orders and users: updated_at is the last change the snapshot holds",
        ]
    }
}

/// Where a rebuild starts: LSN 0 with the whole WAL, or a snapshot the kept WAL continues from.
struct RebuildBase {
    var lsn: UInt64
    var source: String

    static func choose(_ configuration: EngineConfiguration) throws -> RebuildBase {
        let firstAvailable: UInt64
        do {
            try WALReader(directory: configuration.walDirectory).forEach(from: 1, through: 1) { _ in }
            return RebuildBase(lsn: 0, source: "the complete WAL (every row comes from events)")
        } catch WALError.missingRecords(_, let first) {
            firstAvailable = first
        }
        let store = SnapshotStore(directory: configuration.snapshotDirectory, retainCount: configuration.snapshotRetainCount)
        // Oldest first: the earliest snapshot the WAL continues from keeps the most history from events.
        guard let snapshot = try store.list().sorted(by: { $0.lsn < $1.lsn }).first(where: { $0.lsn + 1 >= firstAvailable }) else {
            throw ArchiveError.engineState("the WAL starts at lsn \(firstAvailable) and no snapshot reaches it")
        }
        return RebuildBase(lsn: snapshot.lsn, source: "snapshot \(snapshot.file)")
    }
}

public struct RebuildReport: Sendable, CustomStringConvertible {
    public var baseLSN: UInt64
    /// "snapshot <file>" or "the complete WAL".
    public var baseSource: String
    public var rowsLoaded: Int
    public var ordersLoaded: Int
    /// The WAL after the base, archived by a catch-up.
    public var tail: CatchUpReport
    /// What the archive no longer holds because it came from state, not events; empty when nothing is lost.
    public var historyLost: [String]
    public var elapsed: Duration

    public var description: String {
        var lines = ["archive rebuilt in \(elapsed): base lsn \(baseLSN) from \(baseSource), "
            + "\(rowsLoaded) rows loaded (\(ordersLoaded) orders); then \(tail)"]
        if historyLost.isEmpty {
            lines.append("no history lost")
        } else {
            lines.append("history no longer held (rebuilt from state, not events):")
            lines += historyLost.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
