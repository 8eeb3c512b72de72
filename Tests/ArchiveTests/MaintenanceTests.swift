@testable import Archive
import Engine
import PostgresNIO
import Testing
import WAL

@Suite("Archive rebuild and verify")
struct MaintenanceTests {
    @Test("rebuild from a snapshot and the WAL after it verifies clean and says which history it lost")
    func rebuildFromSnapshot() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        // Small segments, so the snapshot lets the engine delete the WAL before it.
        let engine = try openEngine(data, clock: clock, segmentSizeBytes: 4_096)
        let sale = try await runWorkload(engine, clock: clock)
        try await buyMore(engine, clock: clock, sale: sale, count: 40, tag: "before-snapshot")
        let snapshot = try #require(try await engine.maintain(force: true))
        #expect(throws: WALError.self, "the snapshot let the engine delete the oldest WAL segments") {
            try WALReader(directory: data.configuration().walDirectory).forEach(from: 1, through: 1) { _ in }
        }
        try await buyMore(engine, clock: clock, sale: sale, count: 6, tag: "after-snapshot")
        let state = await engine.liveState()
        await engine.close()
        try await withArchiveDatabase { database in
            let report = try await ArchiveMaintenance.rebuild(database: database, engine: data.configuration(), logger: quietLogger)
            #expect(report.baseLSN == snapshot.report.lastLSN, "\(report)")
            #expect(report.baseSource.contains("snapshot"))
            #expect(report.tail.throughLSN == state.lastLSN && report.tail.fromLSN == snapshot.report.lastLSN)
            #expect(report.historyLost.contains { $0.contains("stock_logs") } && report.description.contains("no longer held"))
            let verify = try await ArchiveMaintenance.verify(database: database, engine: data.configuration())
            #expect(verify.isClean, "\(verify)")

            // Everything but the stock movements before the snapshot is as if archived from events.
            var expected = ArchiveImage.expected(from: state).sorted()
            var archived = try await ArchiveImage.load(database).sorted()
            #expect(archived.stockLogTotals != expected.stockLogTotals)
            (expected.stockLogTotals, archived.stockLogTotals) = ([], [])
            #expect(archived == expected)
            let reconstructed = try await database.int("SELECT count(*) FROM order_status_history WHERE lsn < 0")
            #expect(reconstructed > 0)
            #expect(try await database.int("SELECT count(*) FROM payments WHERE lsn IS NULL") > 0)
            #expect(try await database.checkpoint() == state.lastLSN)
        }
    }

    @Test("rebuild with the whole WAL still on disk rebuilds everything from events and loses nothing")
    func rebuildFromWholeWAL() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        let state = await engine.liveState()
        await engine.close()
        try await withArchiveDatabase { database in
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                    durableLSN: { state.lastLSN }, configuration: database.configuration, logger: quietLogger)
            _ = try await archiver.catchUp()
            await archiver.close()
            let archived = try await ArchiveImage.load(database)
            let report = try await ArchiveMaintenance.rebuild(database: database, engine: data.configuration(), logger: quietLogger)
            #expect(report.baseLSN == 0 && report.historyLost.isEmpty && report.description.contains("no history lost"))
            #expect(try await ArchiveImage.load(database) == archived)
            #expect(try await ArchiveMaintenance.verify(database: database, engine: data.configuration()).isClean)
        }
    }

    @Test("verify names each drift: an order's status, the totals per status, flash-sale figures and sales")
    func verifyReportsDrift() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        let sale = try await runWorkload(engine, clock: clock)
        let state = await engine.liveState()
        await engine.close()
        try await withArchiveDatabase { database in
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                    durableLSN: { state.lastLSN }, configuration: database.configuration, logger: quietLogger)
            _ = try await archiver.catchUp()
            await archiver.close()
            let order = try #require(state.users.flatMap { $0.orders.values }.first { $0.status == .pendingShipment })
            try await database.client.query("UPDATE orders SET status = 'completed' WHERE id = \(order.id.bigint)")
            try await database.client.query("""
                UPDATE seckill_items SET sold = sold + 1 WHERE activity_id = \(sale.activityID.bigint) AND sku_id = \(sale.skuIDs[0].bigint)
                """)
            try await database.client.query("UPDATE products SET sales = sales + 5 WHERE id = \(sale.productID.bigint)")
            let report = try await ArchiveMaintenance.verify(database: database, engine: data.configuration())
            #expect(!report.isClean)
            let whats = report.drifts.map(\.what)
            #expect(whats.contains("order \(order.id)"))
            #expect(whats.contains("orders completed count") && whats.contains("orders pending_shipment count"))
            #expect(whats.contains("orders pending_shipment pay_amount_fen sum"))
            #expect(whats.contains("flash-sale item activity \(sale.activityID) sku \(sale.skuIDs[0])"))
            #expect(whats.contains("product sales \(sale.productID)"))
            let statusDrift = try #require(report.drifts.first { $0.what == "order \(order.id)" })
            #expect(statusDrift.engineValue == "pending_shipment" && statusDrift.archiveValue == "completed")
        }
    }

    @Test("verify compares at the archive's checkpoint, so an archive that lags behind is still clean")
    func verifyWhileLagging() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        let halfway = engine.durableLSN / 2
        await engine.close()
        try await withArchiveDatabase { database in
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                    durableLSN: { halfway }, configuration: database.configuration, logger: quietLogger)
            _ = try await archiver.catchUp()
            await archiver.close()
            let report = try await ArchiveMaintenance.verify(database: database, engine: data.configuration())
            #expect(report.checkpointLSN == halfway)
            #expect(report.isClean, "\(report)")
        }
    }
}
