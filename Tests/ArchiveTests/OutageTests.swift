@testable import Archive
import Engine
import PostgresNIO
import Testing

@Suite("Archiver when PostgreSQL is away")
struct OutageTests {
    @Test("while PostgreSQL cannot be reached the loop retries, reports the error and the lag, and catches up when it returns")
    func outageAndRecovery() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        let sale = try await runWorkload(engine, clock: clock, users: 4)
        try await TestDatabase.with { real in
            let proxy = TCPProxy(targetHost: real.host, targetPort: real.port)
            let port = try await proxy.start()
            await proxy.stop() // nothing listens there now: connections are refused
            var configuration = try ArchiveConfiguration(
                databaseURL: "postgres://\(real.username):\(real.password ?? "")@127.0.0.1:\(port)/\(real.database)?sslmode=disable&connect_timeout=2")
            configuration.reconnectBackoffMsMax = 400
            let capture = LogCapture()
            let database = ArchiveDatabase(configuration: configuration, logger: capture.logger)
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                    durableLSN: { engine.durableLSN }, configuration: configuration,
                                    logger: capture.logger, clock: clock)
            let loop = Task { try await archiver.run() }

            // Never reached: no checkpoint, so the engine keeps every WAL segment.
            try await eventually("the refusal is reported") { await archiver.status().lastError != nil }
            try await Task.sleep(for: .seconds(1))
            var lag = await archiver.status()
            #expect(lag.checkpointLSN == nil && !lag.isConnected && lag.lagRecords == engine.durableLSN)
            #expect(await archiver.archivedThroughLSN() == nil)
            #expect(capture.all.contains { $0.contains("archive batch failed") })

            _ = try await proxy.start(port: port)
            try await eventually("the archive catches up") {
                let lag = await archiver.status()
                return lag.lagRecords == 0 && lag.isConnected && lag.lastError == nil
            }

            // Taken away in the middle of a sale: the engine keeps selling.
            await proxy.stop()
            try await buyMore(engine, clock: clock, sale: sale, count: 8, tag: "outage")
            clock.advance(byMs: 5_000)
            try await eventually("the outage shows in the lag") {
                let lag = await archiver.status()
                return lag.lastError != nil && lag.lagRecords > 0 && lag.lagSeconds >= 5
            }
            lag = await archiver.status()
            #expect(!lag.isConnected && lag.checkpointLSN.map { $0 < engine.durableLSN } == true)

            _ = try await proxy.start(port: port)
            try await eventually("the lag returns to zero") {
                let lag = await archiver.status()
                return lag.lagRecords == 0 && lag.lagSeconds == 0 && lag.lastError == nil
            }
            loop.cancel()
            try await loop.value // run() never throws for database errors
            await proxy.stop()

            let direct = ArchiveDatabase(configuration: real, logger: quietLogger)
            let (image, verify) = try await direct.withRunning {
                (try await ArchiveImage.load(direct), try await ArchiveMaintenance.verify(database: direct, engine: data.configuration()))
            }
            #expect(image.sorted() == ArchiveImage.expected(from: await engine.liveState()).sorted())
            #expect(verify.isClean, "\(verify)")
        }
        await engine.close()
    }
}

@Suite("Archive TLS")
struct ArchiveTLSTests {
    @Test("sslmode=require refuses a server without TLS instead of falling back to plain text")
    func requireRefusesPlainText() async throws {
        let base = try TestDatabase.baseConfiguration()
        let configuration = try ArchiveConfiguration(databaseURL:
            "postgres://\(base.username):\(base.password ?? "")@\(base.host):\(base.port)/\(base.database)?sslmode=require")
        let database = ArchiveDatabase(configuration: configuration, logger: quietLogger)
        let archiver = Archiver(database: database, walDirectory: TestDataDirectory().configuration().walDirectory,
                                durableLSN: { 0 }, configuration: configuration, logger: quietLogger)
        await #expect(throws: PSQLError.self) { try await archiver.catchUp() }
        let lag = await archiver.status()
        #expect(lag.lastError?.contains("sslUnsupported") == true, "\(lag)")
        #expect(!lag.isConnected)
    }
}
