import ArgumentParser
import Archive
import Engine
import Foundation
import Logging
import Net
import PostgresNIO
import WAL

/// The archive as `mall serve` runs it: configuration from MALL_DATABASE_URL and MALL_ARCHIVE_*.
struct ArchiveWiring: Sendable {
    let database: ArchiveDatabase
    let archiver: Archiver

    static func configuration() throws -> ArchiveConfiguration? {
        guard let url = Environment.string("MALL_DATABASE_URL") else { return nil }
        var configuration = try ArchiveConfiguration(databaseURL: url)
        configuration.poolSize = try bounded("MALL_ARCHIVE_POOL_SIZE", 1...256) ?? configuration.poolSize
        configuration.batchRecordsMax = try bounded("MALL_ARCHIVE_BATCH_RECORDS", 1...1_000_000) ?? configuration.batchRecordsMax
        configuration.batchIntervalMs = try bounded("MALL_ARCHIVE_INTERVAL_MS", 1...3_600_000) ?? configuration.batchIntervalMs
        configuration.busyRecordsPerSecond = try bounded("MALL_ARCHIVE_BUSY_RECORDS_PER_SECOND", 0...10_000_000)
            ?? configuration.busyRecordsPerSecond
        configuration.lagRecordsMax = try bounded("MALL_ARCHIVE_LAG_RECORDS_MAX", 1...100_000_000) ?? configuration.lagRecordsMax
        configuration.deferMsMax = try bounded("MALL_ARCHIVE_DEFER_MS_MAX", 1...3_600_000) ?? configuration.deferMsMax
        configuration.busyBatchRecordsMax = try bounded("MALL_ARCHIVE_BUSY_BATCH_RECORDS", 1...1_000_000)
            ?? configuration.busyBatchRecordsMax
        return configuration
    }

    /// An integer setting within `range`, nil when unset; anything else is refused with the setting named.
    static func bounded(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let text = Environment.string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ValidationError("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got \(text)")
        }
        return value
    }

    static func make(engine: MallEngine, logger: Logger) throws -> ArchiveWiring? {
        guard let configuration = try configuration() else { return nil }
        logger.info("archive on", metadata: ["database": "\(configuration.redactedURL)"])
        let database = ArchiveDatabase(configuration: configuration, logger: logger)
        let archiver = Archiver(database: database, walDirectory: engine.configuration.walDirectory,
                                durableLSN: { engine.durableLSN }, configuration: configuration, logger: logger)
        return ArchiveWiring(database: database, archiver: archiver)
    }

    func status() async -> ArchiveStatus {
        let lag = await archiver.status()
        let detail = lag.isConnected ? "archiving" : "archive disconnected: \(lag.lastError ?? "connecting")"
        return ArchiveStatus(enabled: true, detail: detail, checkpointLsn: lag.checkpointLSN, lagRecords: lag.lagRecords,
                             lagSeconds: lag.lagSeconds)
    }
}

struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "The PostgreSQL archive (MALL_DATABASE_URL): status, offline catch-up, rebuild, verify.",
        subcommands: [Status.self, CatchUp.self, Rebuild.self, Verify.self])

    static func withDatabase<T: Sendable>(_ body: (ArchiveDatabase, ArchiveConfiguration) async throws -> T) async throws -> T {
        guard let configuration = try ArchiveWiring.configuration() else {
            throw ValidationError("set MALL_DATABASE_URL, e.g. postgres://mall:mall@127.0.0.1:5432/mall?sslmode=disable")
        }
        let database = ArchiveDatabase(configuration: configuration, logger: MallServer.makeLogger("mall.archive"))
        return try await database.withRunning {
            _ = try await database.migrate()
            return try await body(database, configuration)
        }
    }

    static func engineConfiguration(_ data: DataOptions) -> EngineConfiguration {
        var configuration = EngineConfiguration(dataDirectory: data.resolvedDataDir)
        configuration.shardCount = data.resolvedShards
        return configuration
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Checkpoint LSN and lag against the data directory's WAL.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let walDirectory = ArchiveCommand.engineConfiguration(data).walDirectory
            let lastLSN = try WALReader(directory: walDirectory).verify().lastLSN
            try await ArchiveCommand.withDatabase { database, _ in
                let rows = try await database.client.query("SELECT lsn, record_time FROM archive_checkpoint WHERE id = 1")
                for try await (checkpoint, recordTime) in rows.decode((Int64, Date?).self) {
                    // The checkpoint comes from the database: a negative one (never written by us) counts as 0.
                    let archived = UInt64(clamping: checkpoint)
                    let lag = lastLSN > archived ? lastLSN - archived : 0
                    let age = recordTime.map { " (last archived record at \($0.ISO8601Format()))" } ?? ""
                    print("checkpoint lsn \(checkpoint)\(age); WAL ends at lsn \(lastLSN); lag \(lag) records")
                }
            }
        }
    }

    struct CatchUp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "catch-up",
            abstract: "Archive everything in the data directory's WAL that the archive lacks (offline; stop the server first).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let walDirectory = ArchiveCommand.engineConfiguration(data).walDirectory
            let lastLSN = try WALReader(directory: walDirectory).verify().lastLSN
            try await ArchiveCommand.withDatabase { database, configuration in
                let archiver = Archiver(database: database, walDirectory: walDirectory, durableLSN: { lastLSN },
                                        configuration: configuration, logger: MallServer.makeLogger("mall.archive"))
                print(try await archiver.catchUp())
            }
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Truncate the archive tables and rebuild them from the newest snapshot and the WAL (server stopped).",
            discussion: "History that only the deleted WAL held (status changes, stock logs before the snapshot) is reconstructed from state; the report lists it.")
        @OptionGroup var data: DataOptions
        @Flag(help: "Confirm that the archive tables are to be truncated.") var yes = false

        func run() async throws {
            guard yes else { throw ValidationError("add --yes: the archive tables are truncated and rebuilt") }
            try await ArchiveCommand.withDatabase { database, _ in
                print(try await ArchiveMaintenance.rebuild(database: database, engine: ArchiveCommand.engineConfiguration(data),
                                                           logger: MallServer.makeLogger("mall.archive")))
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the archive with engine state at the archive's checkpoint; exit 1 on any drift.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let report = try await ArchiveCommand.withDatabase { database, _ in
                try await ArchiveMaintenance.verify(database: database, engine: ArchiveCommand.engineConfiguration(data))
            }
            print(report)
            if !report.isClean { throw ExitCode(1) }
        }
    }
}
