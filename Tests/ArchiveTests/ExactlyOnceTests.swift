@testable import Archive
import Engine
import PostgresNIO
import Synchronization
import Testing

struct InjectedCrash: Error {}

@Suite("Archiver exactly once")
struct ExactlyOnceTests {
    /// Archives the workload with `batchRecordsMax` records per batch; the third batch fails in
    /// `crash` after its statements and before COMMIT. Then a new archiver (a restart) finishes.
    private func crashThenRestart(_ crash: @escaping @Sendable (PostgresConnection, ArchiveDatabase) async throws -> Void) async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        let state = await engine.liveState()
        let batchRecordsMax = 6
        try await withArchiveDatabase { database in
            var configuration = database.configuration
            configuration.batchRecordsMax = batchRecordsMax
            let restartConfiguration = configuration
            // A query on a killed connection can stay unanswered for good (postgres-nio): the archiver's
            // batch timeout abandons it, and that is what this test relies on, so keep it short here.
            configuration.batchTimeoutMs = 3_000
            let first = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                 durableLSN: { engine.durableLSN }, configuration: configuration, logger: quietLogger)
            let batches = Atomic(0)
            await first.setBeforeCommit { connection in
                if batches.add(1, ordering: .relaxed).newValue == 3 { try await crash(connection, database) }
            }
            await #expect(throws: (any Error).self) { try await first.catchUp() }
            // Two batches committed, the third left nothing: not one row beyond the checkpoint.
            let checkpoint = try await database.checkpoint()
            #expect(checkpoint == UInt64(2 * batchRecordsMax))
            #expect(await first.status().lastError != nil)
            let partial = try await ArchiveMaintenance.verify(database: database, engine: data.configuration())
            #expect(partial.isClean && partial.checkpointLSN == checkpoint, "\(partial)")
            await first.close()

            let restarted = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                     durableLSN: { engine.durableLSN }, configuration: restartConfiguration, logger: quietLogger)
            let report = try await restarted.catchUp()
            #expect(report.fromLSN == checkpoint && report.throughLSN == engine.durableLSN)
            #expect(try await ArchiveImage.load(database).sorted() == ArchiveImage.expected(from: state).sorted())
            #expect(try await ArchiveMaintenance.verify(database: database, engine: data.configuration()).isClean)
            await restarted.close()
        }
        await engine.close()
    }

    @Test("a batch that fails after its statements and before COMMIT leaves nothing; after a restart it is written once")
    func failureBeforeCommit() async throws {
        try await crashThenRestart { _, _ in throw InjectedCrash() }
    }

    @Test("a connection killed between a batch's statements and its COMMIT loses the batch whole, never half")
    func connectionKilledBeforeCommit() async throws {
        // Terminated from another session, as an operator or a failover would: a backend asked to
        // terminate itself in-band left postgres-nio waiting for an answer that never came.
        try await crashThenRestart { connection, database in
            let rows = try await connection.query("SELECT pg_backend_pid()", logger: quietLogger)
            var pid: Int32 = 0
            for try await value in rows.decode(Int32.self) { pid = value }
            try await database.client.query("SELECT pg_terminate_backend(\(pid))")
            // pg_terminate_backend only signals: wait until the backend is gone, so the batch's
            // transaction is over before the test reads the archive, however loaded the machine is.
            try await eventually("backend \(pid) has exited") {
                try await database.int("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid)") == 0
            }
            try await connection.query("SELECT 1", logger: quietLogger)
        }
    }

    @Test("two archivers on one database never write a batch twice: the second waits, sees the checkpoint moved, resumes")
    func twoArchivers() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        let state = await engine.liveState()
        try await withArchiveDatabase { database in
            _ = try await database.migrate()
            var configuration = database.configuration
            configuration.batchRecordsMax = 4
            let archivers = (0..<2).map { _ in
                Archiver(database: database, walDirectory: data.configuration().walDirectory,
                         durableLSN: { engine.durableLSN }, configuration: configuration, logger: quietLogger)
            }
            let outcomes = await withTaskGroup(of: (any Error)?.self) { group in
                for archiver in archivers {
                    group.addTask {
                        do { _ = try await archiver.catchUp(); return nil } catch { return error }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for case let error? in outcomes {
                #expect(ArchiveError.summary(of: error).contains("checkpoint moved"), "\(error)")
            }
            for archiver in archivers {
                _ = try await archiver.catchUp()
                await archiver.close()
            }
            #expect(try await ArchiveImage.load(database).sorted() == ArchiveImage.expected(from: state).sorted())
        }
        await engine.close()
    }
}
