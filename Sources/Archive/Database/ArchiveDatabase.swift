import Logging
import PostgresNIO
import ServiceLifecycle

/// The archive database: a connection pool for admin queries and migrations.
///
/// The pool works only while `run()` runs: put the database in the `ServiceGroup` before the
/// services that query it, or wrap offline work in `withRunning { }`. The archiver keeps a
/// connection of its own (see `Archiver`), so its reconnect timing never waits on the pool's.
public final class ArchiveDatabase: Sendable, Service {
    public let client: PostgresClient
    public let configuration: ArchiveConfiguration
    let logger: Logger

    public init(configuration: ArchiveConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: logger)
    }

    /// Runs the pool until the task is cancelled (or the service group shuts down).
    public func run() async {
        await client.run()
    }

    /// Runs the pool for the duration of `body`, for command-line tools and tests.
    public func withRunning<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self, returning: Result.self, isolation: isolation) { group in
            group.addTask { await self.client.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Applies the migrations this database lacks, each in its own transaction, and records them
    /// in `schema_migrations`.
    /// - Throws: `ArchiveError.schemaNewerThanBinary` when the database holds a version this build does not know.
    public func migrate() async throws -> MigrationReport {
        try await client.withConnection { connection in
            try await ArchiveMigrations.migrate(on: connection, logger: logger)
        }
    }

    /// Opens a connection outside the pool (the archiver's own).
    func connect(id: Int) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: configuration.connectionConfiguration(), id: id, logger: logger)
    }
}
