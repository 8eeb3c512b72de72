@testable import Archive
import Engine
import PostgresNIO
import Testing

@Suite("Archiver")
struct ArchiverTests {
    @Test("catch-up archives a flash sale so that every row matches the engine; a second catch-up changes nothing")
    func catchUpMatchesEngine() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        let state = await engine.liveState()
        try await withArchiveDatabase { database in
            var configuration = database.configuration
            configuration.batchRecordsMax = 7 // batches end mid-sale: orders are created in one and paid in another
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                    durableLSN: { engine.durableLSN }, configuration: configuration, logger: quietLogger)
            #expect(await archiver.archivedThroughLSN() == nil)
            let report = try await archiver.catchUp()
            #expect(report.fromLSN == 0 && report.throughLSN == engine.durableLSN)
            #expect(report.records == Int(engine.durableLSN) && report.batches == (report.records + 6) / 7 && report.rows > report.records)
            #expect(try await ArchiveImage.load(database).sorted() == ArchiveImage.expected(from: state).sorted())
            #expect(try await database.checkpoint() == engine.durableLSN)
            #expect(await archiver.archivedThroughLSN() == engine.durableLSN)
            let lag = await archiver.status()
            #expect(lag.lagRecords == 0 && lag.lagSeconds == 0 && lag.lastError == nil && lag.isConnected)

            let verify = try await ArchiveMaintenance.verify(database: database, engine: data.configuration())
            #expect(verify.isClean, "\(verify)")
            #expect(verify.orders == state.summary.orders)

            let before = try await ArchiveImage.load(database)
            let again = try await archiver.catchUp()
            #expect(again.records == 0 && again.rows == 0 && again.batches == 0)
            #expect(try await ArchiveImage.load(database) == before)
            await archiver.close()
        }
        await engine.close()
    }

    @Test("one record per batch and one batch for everything give the same archive")
    func batchSizeDoesNotMatter() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        _ = try await runWorkload(engine, clock: clock, users: 5)
        var images: [ArchiveImage] = []
        for batchRecordsMax in [1, 10_000] {
            images.append(try await withArchiveDatabase { database in
                var configuration = database.configuration
                configuration.batchRecordsMax = batchRecordsMax
                let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                        durableLSN: { engine.durableLSN }, configuration: configuration, logger: quietLogger)
                let report = try await archiver.catchUp()
                #expect(report.batches == (batchRecordsMax == 1 ? report.records : 1))
                await archiver.close()
                return try await ArchiveImage.load(database)
            })
        }
        #expect(images[0] == images[1])
        #expect(images[0].sorted() == ArchiveImage.expected(from: await engine.liveState()).sorted())
        await engine.close()
    }

    @Test("the background loop archives new orders as they become durable and its lag returns to zero")
    func backgroundLoop() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        let sale = try await runWorkload(engine, clock: clock, users: 4)
        try await withArchiveDatabase { database in
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                    durableLSN: { engine.durableLSN }, configuration: database.configuration,
                                    logger: quietLogger, clock: clock)
            let loop = Task { try await archiver.run() }
            try await eventually("the workload is archived") { await archiver.status().lagRecords == 0 }
            await #expect(throws: ArchiveError.busy) { try await archiver.catchUp() }
            try await buyMore(engine, clock: clock, sale: sale, count: 12, tag: "live")
            try await eventually("the new orders are archived") {
                let lag = await archiver.status()
                return lag.lagRecords == 0 && lag.checkpointLSN == engine.durableLSN
            }
            #expect(try await ArchiveImage.load(database).sorted() == ArchiveImage.expected(from: await engine.liveState()).sorted())
            loop.cancel()
            try await loop.value
            #expect(await archiver.status().isConnected == false)
        }
        await engine.close()
    }
}
