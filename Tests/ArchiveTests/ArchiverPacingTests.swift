@testable import Archive
import Engine
import PostgresNIO
import Synchronization
import Testing

/// The background loop yields to a busy engine and still keeps the archive within its bound.
@Suite("Archiver pacing")
struct ArchiverPacingTests {
    @Test("while the WAL grows fast the loop defers until the lag bound, then writes down under it; when the burst ends it catches up")
    func defersWithinBound() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        let total = engine.durableLSN
        try #require(total >= 24, "the workload must be long enough to show a burst")
        // The archiver sees the WAL grow as the test says, by the test's clock.
        let visible = Atomic<UInt64>(0)
        try await withArchiveDatabase { database in
            var configuration = database.configuration
            (configuration.batchRecordsMax, configuration.busyBatchRecordsMax, configuration.batchIntervalMs) = (3, 3, 10)
            (configuration.busyRecordsPerSecond, configuration.lagRecordsMax, configuration.deferMsMax) = (5, 12, 3_600_000)
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                    durableLSN: { visible.load(ordering: .relaxed) }, configuration: configuration,
                                    logger: quietLogger, clock: clock)
            let loop = Task { try await archiver.run() }
            try await eventually("the loop has looked once") { await archiver.pacingDecisions > 0 }

            // A burst: 6 records in a second, under the lag bound of 12. The loop only defers.
            clock.advance(byMs: 1_000)
            visible.store(6, ordering: .relaxed)
            try await eventually("the loop defers") { await archiver.deferrals >= 3 }
            #expect(try await database.checkpoint() == 0)

            // 18 records behind: past the bound. It writes busy batches (3) until it is under the bound again.
            clock.advance(byMs: 1_000)
            visible.store(18, ordering: .relaxed)
            try await eventually("the lag is back under the bound") { try await database.checkpoint() == 9 }
            let deferrals = await archiver.deferrals
            try await eventually("the loop defers again") { await archiver.deferrals > deferrals + 2 }
            #expect(try await database.checkpoint() == 9)

            // The burst is over: the rate falls to 0 and the rest is written at once.
            visible.store(total, ordering: .relaxed)
            try await eventually("the archive has caught up") {
                clock.advance(byMs: 1_000) // the append rate the loop measures falls to 0
                return try await database.checkpoint() == total
            }
            #expect(try await ArchiveImage.load(database).sorted() == ArchiveImage.expected(from: await engine.liveState()).sorted())
            loop.cancel()
            try await loop.value
        }
        await engine.close()
    }
}
