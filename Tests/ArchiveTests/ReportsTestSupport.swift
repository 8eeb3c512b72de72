import Archive
import Engine
import Foundation
import Logging
import PostgresNIO
import Testing

/// A throwaway database per test: `reports_test_<random>` on the server of
/// MALL_DATABASE_URL, migrated to the latest archive schema, dropped afterwards.
enum ReportsDatabase {
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Errors only: postgres-nio warns when a query is queued before `run()` has started,
    /// which `withClient` allows on purpose (the lease waits for it).
    static let logger: Logger = {
        var logger = Logger(label: "reports-test")
        logger.logLevel = .error
        return logger
    }()

    static func serverURL() throws -> URLComponents {
        guard let text = ProcessInfo.processInfo.environment["MALL_DATABASE_URL"], !text.isEmpty else {
            throw SetupError(description: "MALL_DATABASE_URL is not set. These tests need a real PostgreSQL: run scripts/test "
                + "(it starts one under .data/pg), or `scripts/lib.sh pg_start` and export the URL it prints.")
        }
        guard let url = URLComponents(string: text), url.host != nil else {
            throw SetupError(description: "MALL_DATABASE_URL is not a postgres://user:pass@host:port/db URL")
        }
        return url
    }

    static func configuration(_ url: URLComponents, database: String) -> PostgresClient.Configuration {
        let sslMode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS = sslMode == "disable" ? .disable : .prefer(.makeClientConfiguration())
        var configuration = PostgresClient.Configuration(
            host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: url.user ?? "postgres",
            password: url.password, database: database, tls: tls)
        configuration.options.maximumConnections = 4
        return configuration
    }

    /// Runs `body` against a new, migrated, empty archive database.
    static func with<Result: Sendable>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
        let url = try serverURL()
        let name = "reports_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let serverDatabase = String(url.path.drop { $0 == "/" })
        try await withClient(configuration(url, database: serverDatabase.isEmpty ? "postgres" : serverDatabase)) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        do {
            let result = try await withClient(configuration(url, database: name)) { client in
                for statement in ArchiveMigrations.all.flatMap(\.statements) {
                    try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                return try await body(client)
            }
            try await drop(name, url: url, serverDatabase: serverDatabase)
            return result
        } catch {
            // The test's own failure is the one to report; a failed clean-up leaves only a stray database.
            try? await drop(name, url: url, serverDatabase: serverDatabase)
            throw error
        }
    }

    private static func drop(_ name: String, url: URLComponents, serverDatabase: String) async throws {
        try await withClient(configuration(url, database: serverDatabase.isEmpty ? "postgres" : serverDatabase)) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    @discardableResult
    static func withClient<Result: Sendable>(
        _ configuration: PostgresClient.Configuration, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func count(_ client: PostgresClient, _ query: PostgresQuery) async throws -> Int64 {
        var value: Int64 = -1
        for try await count in try await client.query(query, logger: logger).decode(Int64.self) { value = count }
        return value
    }
}

/// Epoch milliseconds of a UTC calendar time.
func reportsMs(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0, _ second: Int = 0, _ millisecond: Int = 0) -> Int64 {
    let civil = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millisecond)
    guard let ms = civil.epochMs else { preconditionFailure("bad fixture time \(civil)") }
    return ms
}

/// Parses CSV (RFC 4180) into rows of fields, to check what a spreadsheet would read.
func reportsParseCSV(_ text: Substring) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var isQuoted = false
    var scalars = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = scalars.next()
    while let scalar = pending {
        pending = scalars.next()
        if isQuoted {
            if scalar == "\"" {
                if pending == "\"" { field.unicodeScalars.append("\""); pending = scalars.next() } else { isQuoted = false }
            } else {
                field.unicodeScalars.append(scalar)
            }
            continue
        }
        switch scalar {
        case "\"": isQuoted = true
        case ",": row.append(field); field = ""
        case "\r": if pending == "\n" { pending = scalars.next() }; row.append(field); rows.append(row); row = []; field = ""
        case "\n": row.append(field); rows.append(row); row = []; field = ""
        default: field.unicodeScalars.append(scalar)
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}
