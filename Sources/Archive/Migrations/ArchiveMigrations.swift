import Logging
import PostgresNIO

/// One schema version: statements run in order inside one transaction.
public struct ArchiveMigration: Sendable {
    public let version: Int
    public let name: String
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        precondition(version > 0, "migration versions start at 1")
        precondition(!statements.isEmpty, "migration \(version) has no statements")
        (self.version, self.name, self.statements) = (version, name, statements)
    }
}

public struct MigrationReport: Sendable, Equatable, CustomStringConvertible {
    /// The version the database had before.
    public var previousVersion: Int
    /// Versions applied now, oldest first (empty when the database was up to date).
    public var appliedVersions: [Int]
    /// The version the database has now.
    public var currentVersion: Int

    public var description: String {
        appliedVersions.isEmpty
            ? "archive schema at version \(currentVersion), nothing to apply"
            : "archive schema \(previousVersion) -> \(currentVersion) (applied \(appliedVersions.map(String.init).joined(separator: ", ")))"
    }
}

/// Every schema version this build knows, oldest first. A released version is never edited: a
/// change is a new version.
public enum ArchiveMigrations {
    public static let all: [ArchiveMigration] = [v1, v2]
    public static var latestVersion: Int { all.last?.version ?? 0 }

    /// Archive tables emptied by `ArchiveMaintenance.rebuild`, children before parents.
    /// A migration that adds an archive table adds it here.
    static let dataTables = [
        "stock_logs", "payments", "order_status_history", "order_items", "orders",
        "seckill_items", "seckill_activities", "product_skus", "products", "categories", "users", "admins",
    ]

    /// Serialises concurrent migrators (two servers starting at once); "mallarch" in ASCII.
    static let advisoryLockKey: Int64 = 0x6D61_6C6C_6172_6368

    static func migrate(on connection: PostgresConnection, logger: Logger) async throws -> MigrationReport {
        precondition(all.map(\.version) == Array(1...all.count), "migration versions must be 1, 2, 3... in order")
        let previous = try await ArchiveError.unwrapping { try await connection.withTransaction(logger: logger) { connection in
            try await lock(connection, logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            return try await currentVersion(connection, logger: logger)
        } }
        guard previous <= latestVersion else { throw ArchiveError.schemaNewerThanBinary(found: previous, known: latestVersion) }
        var report = MigrationReport(previousVersion: previous, appliedVersions: [], currentVersion: previous)
        for migration in all where migration.version > previous {
            let isApplied = try await apply(migration, on: connection, logger: logger)
            if isApplied { report.appliedVersions.append(migration.version) }
            report.currentVersion = migration.version
        }
        if !report.appliedVersions.isEmpty { logger.info("archive migrated", metadata: ["report": "\(report)"]) }
        return report
    }

    /// Applies one migration unless another migrator got there first. Returns whether it ran here.
    private static func apply(_ migration: ArchiveMigration, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await ArchiveError.unwrapping { try await connection.withTransaction(logger: logger) { connection in
            try await lock(connection, logger: logger)
            let version = try await currentVersion(connection, logger: logger)
            guard version <= latestVersion else { throw ArchiveError.schemaNewerThanBinary(found: version, known: latestVersion) }
            guard version < migration.version else { return false }
            for statement in migration.statements {
                // Constant DDL written in this target; it carries no values.
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
            return true
        } }
    }

    private static func lock(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(advisoryLockKey))", logger: logger)
    }

    static func currentVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
        for try await version in rows.decode(Int32.self) { return Int(version) }
        return 0
    }
}
