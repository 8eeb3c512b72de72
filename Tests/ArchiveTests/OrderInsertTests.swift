@testable import Archive
import Engine
import PostgresNIO
import Synchronization
import Testing

/// Order rows go in with plain inserts (no ON CONFLICT): a failure in the middle of a batch leaves
/// nothing of it, and a batch never sends a row twice.
@Suite("Archiver order inserts")
struct OrderInsertTests {
    @Test("a batch whose insert fails on a duplicate leaves nothing, not even its other tables; once the fault is gone it is written once")
    func failedCopyLeavesNothing() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        let state = await engine.liveState()
        let walDirectory = data.configuration().walDirectory
        // The stock log of a purchase late in the log: its batch copies orders, items and status
        // history first, then fails on stock_logs.
        let records = try await WALTail(directory: walDirectory).read(after: 0, through: engine.durableLSN, limit: 100_000)
        var folded = ArchiveBatch(afterLSN: 0)
        for record in records { try folded.add(record.event, lsn: record.lsn, timestampMs: record.timestampMs) }
        let victim = try #require(folded.stockLogs.last { $0.change < 0 })
        try await withArchiveDatabase { database in
            _ = try await database.migrate()
            try await database.client.query("""
                INSERT INTO stock_logs (lsn, sku_id, activity_id, order_id, change, type, created_at)
                VALUES (\(victim.lsn.bigint), \(victim.skuID.bigint), \(victim.activityID.bigint), 0, 0, 'planted', now())
                """)
            var configuration = database.configuration
            configuration.batchRecordsMax = 8
            let archiver = Archiver(database: database, walDirectory: walDirectory, durableLSN: { engine.durableLSN },
                                    configuration: configuration, logger: quietLogger)
            await #expect(throws: (any Error).self) { try await archiver.catchUp() }
            let checkpoint = try await database.checkpoint()
            #expect(checkpoint < victim.lsn && checkpoint % 8 == 0)
            #expect(try await database.int("SELECT count(*) FROM order_status_history WHERE lsn > \(checkpoint.bigint)") == 0)
            #expect(try await database.int("SELECT count(*) FROM stock_logs WHERE lsn > \(checkpoint.bigint)") == 1)
            #expect(try await database.int("SELECT count(*) FROM orders WHERE id = \(victim.orderID.bigint)") == 0)
            #expect(await archiver.status().lastError?.contains("23505") == true)

            try await database.client.query("DELETE FROM stock_logs WHERE type = 'planted'")
            let report = try await archiver.catchUp()
            #expect(report.fromLSN == checkpoint && report.throughLSN == engine.durableLSN)
            #expect(try await ArchiveImage.load(database).sorted() == ArchiveImage.expected(from: state).sorted())
            #expect(try await ArchiveMaintenance.verify(database: database, engine: data.configuration()).isClean)
            await archiver.close()
        }
        await engine.close()
    }

    @Test("every order row of a whole sale in one batch is sent once: orders created and changed in it are folded")
    func oneBatchSendsEachRowOnce() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        let records = try await WALTail(directory: data.configuration().walDirectory)
            .read(after: 0, through: engine.durableLSN, limit: 100_000)
        var batch = ArchiveBatch(afterLSN: 0)
        for record in records { try batch.add(record.event, lsn: record.lsn, timestampMs: record.timestampMs) }
        #expect(batch.orderUpdates.isEmpty)
        #expect(Set(batch.orderItems.map { "\($0.orderID)/\($0.lineNo)" }).count == batch.orderItems.count)
        #expect(Set(batch.statusHistory.map { "\($0.orderID)/\($0.lsn)" }).count == batch.statusHistory.count)
        #expect(Set(batch.stockLogs.map { "\($0.lsn)/\($0.skuID)/\($0.activityID)" }).count == batch.stockLogs.count)
        #expect(Set(batch.payments.compactMap(\.lsn)).count == batch.payments.count)
        // Paid, cancelled and re-bought orders all exist: the fold had something to fold.
        #expect(batch.newOrders.values.contains { $0.status == .cancelled } && batch.newOrders.values.contains { $0.paidAtMs != nil })
        #expect(batch.statusHistory.count > batch.newOrders.count)
        await engine.close()
    }
}
