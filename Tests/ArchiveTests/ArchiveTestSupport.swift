@testable import Archive
import Engine
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// Tests run against a real PostgreSQL named by MALL_DATABASE_URL; each test gets its own database.
enum TestDatabase {
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "MALL_DATABASE_URL is not set: run the tests with scripts/test, which starts a local PostgreSQL "
                + "(or `source scripts/lib.sh && pg_start` first)"
        }
    }

    static func baseConfiguration() throws -> ArchiveConfiguration {
        guard let url = ProcessInfo.processInfo.environment["MALL_DATABASE_URL"], !url.isEmpty else { throw NotConfigured() }
        return try ArchiveConfiguration(databaseURL: url)
    }

    /// Creates `test_archive_<random>`, runs `body` with its configuration, and drops it again.
    static func with<Result>(_ body: (ArchiveConfiguration) async throws -> Result) async throws -> Result {
        let base = try baseConfiguration()
        let name = "test_archive_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        // Identifiers cannot be bound; the name is made here from hex digits only.
        try await Reflected.rethrowing { try await admin(base, "CREATE DATABASE \(name)") }
        do {
            let result = try await Reflected.rethrowing { try await body(try base.with(database: name)) }
            try await Reflected.rethrowing { try await admin(base, "DROP DATABASE \(name) WITH (FORCE)") }
            return result
        } catch {
            try? await admin(base, "DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    static func admin(_ base: ArchiveConfiguration, _ sql: String) async throws {
        let connection = try await PostgresConnection.connect(configuration: base.connectionConfiguration(), id: 0, logger: quietLogger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: quietLogger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// A PostgreSQL error as the test report shows it: `PSQLError`'s description hides the server's
/// message and the failing query on purpose, which leaves a failed CI run with nothing to read.
struct Reflected: Error, CustomStringConvertible {
    let description: String

    static func rethrowing<Result>(_ body: () async throws -> Result) async throws -> Result {
        do { return try await body() } catch let error as PSQLError {
            throw Reflected(description: String(reflecting: error))
        }
    }
}

let quietLogger = Logger(label: "archive-tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// Keeps what was logged at warning and above, so a test can check what an operator would read.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "archive-tests", factory: { _ in CapturingLogHandler(capture: self) })
        logger.logLevel = .warning
        return logger
    }

    var all: [String] { lines.withLock { $0 } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
    }
}

/// Runs `body` with a database whose pool is running, opened on a fresh test database.
func withArchiveDatabase<Result: Sendable>(
    logger: Logger = quietLogger, _ body: (ArchiveDatabase) async throws -> Result
) async throws -> Result {
    try await TestDatabase.with { configuration in
        let database = ArchiveDatabase(configuration: configuration, logger: logger)
        return try await database.withRunning { try await body(database) }
    }
}

/// Polls `condition` every 50 ms until it holds or `timeoutMs` passes.
func eventually(timeoutMs: Int = 30_000, _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out after \(timeoutMs) ms waiting until \(what)")
    throw CancellationError()
}

/// Single-value queries for assertions.
extension ArchiveDatabase {
    func int(_ query: PostgresQuery) async throws -> Int64 {
        let rows = try await client.query(query)
        for try await value in rows.decode(Int64.self) { return value }
        Issue.record("query returned no row")
        return -1
    }

    func checkpoint() async throws -> UInt64 {
        UInt64(try await int("SELECT lsn FROM archive_checkpoint WHERE id = 1"))
    }
}
