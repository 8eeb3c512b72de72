import Foundation
import PostgresNIO

/// Where the archive lives and how hard the archiver works.
///
/// `databaseURL` is `postgres://user:password@host:port/database?sslmode=...`. `sslmode`:
/// `disable`, `allow` and `prefer` (or no sslmode) connect without TLS; `require` encrypts without
/// checking the certificate (as libpq does); `verify-ca` checks the chain; `verify-full` checks the
/// chain and the host name. `sslrootcert=/path.pem` names the CA bundle, `connect_timeout` is seconds.
public struct ArchiveConfiguration: Sendable {
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Set once by `init(databaseURL:)`, which parses and validates it.
    public private(set) var databaseURL: String
    /// Connections of the shared pool (admin queries, migrations); the archiver holds one more of its own.
    public var poolSize: Int = 4
    /// Records per archive transaction; bounds the memory of a batch and the length of a transaction.
    public var batchRecordsMax: Int = 10_000
    /// How often an idle archiver looks for new durable records.
    public var batchIntervalMs: Int = 200
    /// First and longest wait between reconnection attempts (doubling in between).
    public var reconnectBackoffMsMin: Int = 100
    public var reconnectBackoffMsMax: Int = 5_000
    /// A batch (read, write, commit) that takes longer is abandoned: its connection is closed, so the
    /// transaction rolls back, and the archiver reconnects. Guards against a peer that vanished silently.
    public var batchTimeoutMs: Int = 120_000
    /// Yielding to the request path (see `ArchivePacing`): from this WAL append rate (records/s) the
    /// background archiver defers; 0 never defers.
    public var busyRecordsPerSecond: Int = 2_000
    /// While deferring, the archive is never more than this many records behind (plus one batch in flight).
    public var lagRecordsMax: Int = 100_000
    /// While deferring, the archiver still writes when its last write is this old.
    public var deferMsMax: Int = 10_000
    /// Records per batch written while the engine is busy.
    public var busyBatchRecordsMax: Int = 50_000

    public let host: String
    public let port: Int
    public let username: String
    let password: String?
    public let database: String
    public let tlsMode: TLSMode
    public let rootCertificatePath: String?
    public let connectTimeoutMs: Int
    let clientTLS: PostgresClient.Configuration.TLS
    let connectionTLS: PostgresConnection.Configuration.TLS

    public static let defaultPort = 5432
    static let supportedParameters: Set<String> = ["sslmode", "sslrootcert", "connect_timeout"]

    /// Parses and validates `databaseURL`.
    /// - Throws: `ArchiveError.invalidDatabaseURL` naming what is wrong (never the password).
    public init(databaseURL: String) throws(ArchiveError) {
        let url = try Self.parse(databaseURL)
        self.databaseURL = databaseURL
        (host, port, username, password, database) = (url.host, url.port, url.username, url.password, url.database)
        (tlsMode, rootCertificatePath, connectTimeoutMs) = (url.tlsMode, url.rootCertificatePath, url.connectTimeoutMs)
        (clientTLS, connectionTLS) = try Self.makeTLS(mode: url.tlsMode, rootCertificatePath: url.rootCertificatePath)
    }

    /// The URL with the password masked, for logs and status output.
    public var redactedURL: String {
        let credentials = password == nil ? username : "\(username):***"
        return "postgres://\(credentials)@\(host):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
    }

    var pacingSettings: ArchivePacing.Settings {
        // ArchivePacing raises anything out of range itself.
        ArchivePacing.Settings(busyRecordsPerSecond: busyRecordsPerSecond, lagRecordsMax: lagRecordsMax,
                               deferMsMax: deferMsMax, batchRecordsMax: batchRecordsMax,
                               busyBatchRecordsMax: busyBatchRecordsMax, idleIntervalMs: batchIntervalMs,
                               busyIntervalMs: min(ArchivePacing.Settings().busyIntervalMs, deferMsMax))
    }

    func clientConfiguration() -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: clientTLS)
        configuration.options.maximumConnections = max(1, poolSize)
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeoutMs))
        return configuration
    }

    func connectionConfiguration() -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: connectionTLS)
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeoutMs))
        return configuration
    }

    /// The same server and credentials with another database name (tests, `CREATE DATABASE` helpers).
    public func with(database name: String) throws(ArchiveError) -> ArchiveConfiguration {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.host = host
        components.port = port
        components.path = "/" + name
        var items = [URLQueryItem(name: "sslmode", value: tlsMode.rawValue),
                     URLQueryItem(name: "connect_timeout", value: String(max(1, connectTimeoutMs / 1000)))]
        if let rootCertificatePath { items.append(URLQueryItem(name: "sslrootcert", value: rootCertificatePath)) }
        components.queryItems = items
        guard let text = components.string else { throw .invalidDatabaseURL("cannot rebuild the URL for database \(name)") }
        var copy = try ArchiveConfiguration(databaseURL: text)
        (copy.poolSize, copy.batchRecordsMax, copy.batchIntervalMs) = (poolSize, batchRecordsMax, batchIntervalMs)
        (copy.reconnectBackoffMsMin, copy.reconnectBackoffMsMax) = (reconnectBackoffMsMin, reconnectBackoffMsMax)
        copy.batchTimeoutMs = batchTimeoutMs
        (copy.busyRecordsPerSecond, copy.lagRecordsMax) = (busyRecordsPerSecond, lagRecordsMax)
        (copy.deferMsMax, copy.busyBatchRecordsMax) = (deferMsMax, busyBatchRecordsMax)
        return copy
    }
}

extension ArchiveConfiguration {
    struct ParsedURL {
        var host: String
        var port: Int
        var username: String
        var password: String?
        var database: String
        var tlsMode: TLSMode
        var rootCertificatePath: String?
        var connectTimeoutMs: Int
    }

    static func parse(_ text: String) throws(ArchiveError) -> ParsedURL {
        guard let components = URLComponents(string: text) else {
            throw .invalidDatabaseURL("not a URL; expected postgres://user:password@host:port/database")
        }
        guard let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased()) else {
            throw .invalidDatabaseURL("the scheme must be postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidDatabaseURL("the host is missing") }
        guard let username = components.user, !username.isEmpty else { throw .invalidDatabaseURL("the user name is missing") }
        let port = components.port ?? defaultPort
        guard (1...65_535).contains(port) else { throw .invalidDatabaseURL("port \(port) is out of range") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? username : path
        guard !database.contains("/") else { throw .invalidDatabaseURL("the database name must not contain '/'") }
        var parsed = ParsedURL(host: host, port: port, username: username, password: components.password,
                               database: database, tlsMode: .disable, rootCertificatePath: nil, connectTimeoutMs: 10_000)
        for item in components.queryItems ?? [] {
            try applyParameter(item, to: &parsed)
        }
        return parsed
    }

    private static func applyParameter(_ item: URLQueryItem, to parsed: inout ParsedURL) throws(ArchiveError) {
        // Unknown parameters are refused: a typo such as `sslmod=require` must not silently turn TLS off.
        guard supportedParameters.contains(item.name) else {
            throw .invalidDatabaseURL("unsupported parameter '\(item.name)'; supported: \(supportedParameters.sorted().joined(separator: ", "))")
        }
        let value = item.value ?? ""
        switch item.name {
        case "sslmode":
            switch value {
            case "disable", "allow", "prefer": parsed.tlsMode = .disable
            case "require": parsed.tlsMode = .require
            case "verify-ca": parsed.tlsMode = .verifyCA
            case "verify-full": parsed.tlsMode = .verifyFull
            default:
                throw .invalidDatabaseURL("sslmode '\(value)' is not one of disable, allow, prefer, require, verify-ca, verify-full")
            }
        case "sslrootcert":
            guard !value.isEmpty else { throw .invalidDatabaseURL("sslrootcert is empty") }
            parsed.rootCertificatePath = value
        default:
            guard let seconds = Int(value), (1...3_600).contains(seconds) else {
                throw .invalidDatabaseURL("connect_timeout must be 1 to 3600 seconds")
            }
            parsed.connectTimeoutMs = seconds * 1000
        }
    }

    static func makeTLS(mode: TLSMode, rootCertificatePath: String?) throws(ArchiveError)
        -> (PostgresClient.Configuration.TLS, PostgresConnection.Configuration.TLS) {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable:
            return (.disable, .disable)
        case .require:
            tls.certificateVerification = .none
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
        case .verifyFull:
            tls.certificateVerification = .fullVerification
        }
        if let rootCertificatePath { tls.trustRoots = .file(rootCertificatePath) }
        do {
            let context = try NIOSSLContext(configuration: tls)
            return (.require(tls), .require(context))
        } catch {
            throw .invalidDatabaseURL("TLS set-up failed for sslmode=\(mode.rawValue): \(error)")
        }
    }
}
