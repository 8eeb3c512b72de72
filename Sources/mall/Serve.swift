import ArgumentParser
import Archive
import Engine
import Foundation
import Hummingbird
import Logging
import Net
import AsyncHTTPClient
import ServiceLifecycle
import UnixSignals
import WAL
import WeChat

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recover state from the data directory, then serve the REST API.",
        discussion: """
            While recovery runs, the port answers 503 ("recovering") to everything but /healthz; the API \
            listens once recovery has finished. SIGTERM or SIGINT stops accepting connections, \
            drains in-flight requests and syncs the write-ahead log before exiting.
            Environment: MALL_DATA_DIR, MALL_HOST, MALL_PORT, MALL_FSYNC, MALL_SHARDS, \
            MALL_PAYMENT_TIMEOUT_SECONDS, MALL_JWT_SECRET, MALL_ADMIN_USERNAME, MALL_ADMIN_PASSWORD, \
            MALL_WECHAT_APP_ID, MALL_WECHAT_APP_SECRET, MALL_WECHAT_API_BASE_URL, MALL_LOG_LEVEL, \
            MALL_DATABASE_URL, MALL_ARCHIVE_POOL_SIZE, MALL_ARCHIVE_BATCH_RECORDS, MALL_ARCHIVE_INTERVAL_MS, \
            MALL_ARCHIVE_BUSY_RECORDS_PER_SECOND (WAL records/s from which the archiver defers; 0: never), \
            MALL_ARCHIVE_LAG_RECORDS_MAX, MALL_ARCHIVE_DEFER_MS_MAX (how far behind it may fall while deferring), \
            MALL_ARCHIVE_BUSY_BATCH_RECORDS, MALL_SANDBOX, MALL_UPLOAD_STORAGE, MALL_UPLOAD_DIR, \
            MALL_UPLOAD_PRODUCT_BYTES_MAX, MALL_UPLOAD_AVATAR_BYTES_MAX, MALL_UPLOAD_REVIEW_BYTES_MAX, MALL_S3_ENDPOINT, \
            MALL_S3_REGION, MALL_S3_BUCKET, MALL_S3_ACCESS_KEY_ID, MALL_S3_SECRET_ACCESS_KEY, MALL_S3_PUBLIC_BASE_URL, \
            MALL_S3_PATH_STYLE.
            Uploads are local files by default; MALL_UPLOAD_STORAGE=s3 needs every MALL_S3_* setting but \
            MALL_S3_PATH_STYLE, or the server refuses to start naming the missing ones.
            Without MALL_DATABASE_URL the engine serves without the PostgreSQL archive and says so in \
            its log and in /readyz.
            WeChat login needs MALL_WECHAT_APP_ID and MALL_WECHAT_APP_SECRET, and payments a merchant, unless \
            --sandbox (MALL_SANDBOX=1) fakes both for local runs; without either, those routes answer 503 \
            naming what is missing. A sandbox server says so in its log, /readyz, /metrics (mall_sandbox) and \
            an X-Mall-Sandbox: 1 header on every reply.
            """)

    @OptionGroup var data: DataOptions

    @OptionGroup var uploads: UploadOptions

    @Option(help: "Address to listen on (env MALL_HOST). Default: 127.0.0.1")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env MALL_PORT). Default: 8080")
    var port: Int?

    @Option(help: "WAL fsync policy: always (default) or none (benchmarks only: NOT DURABLE) (env MALL_FSYNC)")
    var fsync: FsyncPolicy?

    @Option(help: "Seconds before an unpaid order is cancelled (env MALL_PAYMENT_TIMEOUT_SECONDS). Default: 900")
    var paymentTimeoutSeconds: Int?

    @Flag(help: "Fake WeChat login and WeChat Pay, for local runs and tests only (env MALL_SANDBOX=1). Off by default.")
    var sandbox = false

    func run() async throws {
        LoggingSystem.bootstrap { LazyStreamLogHandler(label: $0, metadataProvider: nil) }
        // Read even when the flag is given: a malformed value is refused, never ignored.
        let isSandboxInEnvironment = try Environment.isOn("MALL_SANDBOX")
        let settings = try ServerSettings(
            data: data, host: host ?? Environment.string("MALL_HOST") ?? "127.0.0.1",
            port: port ?? Environment.int("MALL_PORT") ?? 8080,
            fsync: fsync ?? Environment.string("MALL_FSYNC").flatMap(FsyncPolicy.init(rawValue:)) ?? .always,
            paymentTimeoutSeconds: paymentTimeoutSeconds ?? Environment.int("MALL_PAYMENT_TIMEOUT_SECONDS") ?? 900,
            sandbox: sandbox || isSandboxInEnvironment)
        // Checked before recovery: a bad storage setting stops the server at once, naming it.
        let uploadServices = try UploadWiring.make(uploads, dataDirectory: settings.engine.dataDirectory,
                                                   logger: MallServer.makeLogger("mall"))
        try await MallServer.run(settings, uploads: uploadServices)
    }
}

extension FsyncPolicy: ExpressibleByArgument {}

struct ServerSettings: Sendable {
    var engine: EngineConfiguration
    var host: String
    var port: Int
    /// `--sandbox`: fake login and payments, labelled everywhere; never chosen for a missing credential.
    var sandbox: Bool

    /// A week: longer than any payment window WeChat Pay allows, and far from overflowing as milliseconds.
    static let paymentTimeoutSecondsMax = 7 * 24 * 3600

    init(data: DataOptions, host: String, port: Int, fsync: FsyncPolicy, paymentTimeoutSeconds: Int, sandbox: Bool) throws {
        guard (1...Self.paymentTimeoutSecondsMax).contains(paymentTimeoutSeconds) else {
            throw ValidationError("--payment-timeout-seconds must be 1 to \(Self.paymentTimeoutSecondsMax)")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (1...256).contains(data.resolvedShards) else { throw ValidationError("--shards must be 1 to 256") }
        var engine = EngineConfiguration(dataDirectory: data.resolvedDataDir)
        engine.shardCount = data.resolvedShards
        engine.fsyncPolicy = fsync
        engine.paymentTimeoutMs = Int64(paymentTimeoutSeconds) * 1000
        self.engine = engine
        self.host = host
        self.port = port
        self.sandbox = sandbox
    }
}

enum MallServer {
    static func makeLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Environment.string("MALL_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }

    static func run(_ settings: ServerSettings, uploads: MallServices.Uploads) async throws {
        let logger = makeLogger("mall")
        try FileManager.default.createDirectory(atPath: settings.engine.dataDirectory, withIntermediateDirectories: true)
        if settings.engine.fsyncPolicy == .none {
            logger.warning("fsync=none (NOT DURABLE): acknowledged orders can be lost on a crash; benchmarks only")
        }
        if settings.sandbox {
            logger.warning("""
                sandbox mode (--sandbox): WeChat login and WeChat Pay are FAKE, for local runs and tests only. \
                Any login code signs in a sandbox user without asking WeChat, and POST /api/v1/orders/{id}/pay marks \
                an order paid with a notification signed by local keys (no money moves). Every reply carries \
                X-Mall-Sandbox: 1
                """)
        }
        let configuration = settings.engine
        // Recovery blocks for seconds: off the threads that answer "recovering" meanwhile.
        let open: @Sendable () async throws -> MallEngine = {
            try await BlockingWork.run { try MallEngine.open(configuration, logger: logger) }
        }
        // Port 0 asks for any free port: the API's would differ from the listener's, so there is none then.
        let engine = settings.port == 0
            ? try await open()
            : try await RecoveringListener(host: settings.host, port: settings.port, sandbox: settings.sandbox, logger: logger)
                .whileRecovering(open)
        logger.info("recovered", metadata: ["recovery": "\(engine.recoveryReport)", "wal": "\(engine.walRecovery)"])
        var services = try await makeServices(engine: engine, dataDirectory: settings.engine.dataDirectory,
                                              sandbox: settings.sandbox, logger: logger)
        services.uploads = uploads
        try await bootstrapAdmin(engine: engine, logger: logger)
        let archive = try ArchiveWiring.make(engine: engine, logger: logger)
        if let archive {
            services.archiveStatus = { await archive.status() }
            services.reports = ArchiveReportService(reports: try ArchiveReports(client: archive.database.client))
        } else {
            logger.warning("archive off: MALL_DATABASE_URL is not set; back-office reports answer 503")
        }
        let app = buildApplication(services, host: settings.host, port: settings.port, logger: logger) { port in
            logger.info("listening", metadata: ["host": "\(settings.host)", "port": "\(port)"])
        }
        let upkeep = EngineUpkeepService(engine: engine, archive: archive?.archiver, logger: logger)
        // Started in this order, stopped in reverse: HTTP stops first, the archive and the WAL last.
        var lifecycle: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let archive { lifecycle += [.init(service: archive.database), .init(service: archive.archiver)] }
        lifecycle += [.init(service: upkeep), .init(service: app)]
        let group = ServiceGroup(
            configuration: .init(services: lifecycle, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("server stopped with an error", metadata: ["error": "\(error)"])
        }
        await engine.close()
        logger.info("stopped; write-ahead log synced", metadata: ["durableLsn": "\(engine.durableLSN)"])
    }

    static func makeServices(engine: MallEngine, dataDirectory: String, sandbox: Bool, logger: Logger) async throws -> MallServices {
        let secrets = SecretStore(directory: dataDirectory + "/secrets")
        let jwtSecret = try Environment.string("MALL_JWT_SECRET").map { Array($0.utf8) } ?? secrets.jwtSecret()
        // TokenService traps on a short secret; a setting or a file must be refused with a reason instead.
        let tokens = try await TokenService(secret: jwtSecret)
        let login = makeLogin(sandbox: sandbox, logger: logger)
        let payments: PaymentService
        if sandbox {
            payments = PaymentService(sandbox: try secrets.sandboxPayGateway())
        } else {
            // No merchant configuration exists yet: without the sandbox nothing can be paid, and it says so.
            payments = .unconfigured
            logger.warning("WeChat Pay off: no merchant is configured and --sandbox is off; paying an order and the payment notification answer 503")
        }
        return MallServices(engine: engine, tokens: tokens, login: login, payments: payments,
                            phoneNumbers: makePhoneNumbers(sandbox: sandbox, logger: logger),
                            protection: try makeProtection(engine: engine, logger: logger), sandbox: sandbox)
    }

    /// WeChat's phone-number API (with its access token kept fresh), the sandbox one under
    /// --sandbox, or nil: binding then answers 503 naming the settings.
    static func makePhoneNumbers(sandbox: Bool, logger: Logger) -> (any WeChatPhoneNumberClient)? {
        if sandbox { return SandboxPhoneNumberClient() }
        guard let appID = Environment.string("MALL_WECHAT_APP_ID"), let appSecret = Environment.string("MALL_WECHAT_APP_SECRET") else {
            return nil
        }
        let baseURL = Environment.string("MALL_WECHAT_API_BASE_URL") ?? "https://api.weixin.qq.com"
        let tokens = WeChatAccessTokenProvider(baseURL: baseURL, appID: appID, appSecret: appSecret, httpClient: .shared)
        return HTTPPhoneNumberClient(baseURL: baseURL, appID: appID, accessTokens: tokens, httpClient: .shared)
    }

    /// Rate limits (defaults in `RateLimitPolicy`), trusted proxies (MALL_TRUSTED_PROXIES, exact
    /// addresses, comma-separated), request signing (on when MALL_REQUEST_SIGNING_KEY is set, at
    /// least 32 bytes) and HSTS (MALL_BEHIND_HTTPS=1). A bad value stops the server, naming it.
    static func makeProtection(engine: MallEngine, logger: Logger) throws -> MallServices.Protection {
        let proxies = (Environment.string("MALL_TRUSTED_PROXIES") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let clientAddress: ClientAddressResolver
        do {
            clientAddress = try ClientAddressResolver(trustedProxies: proxies)
        } catch {
            throw ValidationError("MALL_TRUSTED_PROXIES: \(error)")
        }
        var signing: RequestSignatureVerifier?
        if let key = Environment.string("MALL_REQUEST_SIGNING_KEY") {
            var configuration = RequestSignatureConfiguration()
            configuration.isEnabled = true
            configuration.keyBytes = Array(key.utf8)
            do {
                signing = try RequestSignatureVerifier(configuration: configuration, nowMs: { engine.nowMs })
            } catch {
                throw ValidationError("MALL_REQUEST_SIGNING_KEY: \(error)")
            }
            logger.info("request signing: on for /api/v1 (X-Mall-Timestamp, X-Mall-Nonce, X-Mall-Signature)")
        }
        var rateLimits = RateLimitPolicy()
        for routeClass in RouteClass.allCases {
            let name = "MALL_RATE_LIMIT_" + routeClass.rawValue.uppercased()
            guard let value = Environment.string(name) else { continue }
            guard let rule = RateLimitRule(setting: value) else {
                throw ValidationError("\(name) must be <requests>/<seconds>, e.g. 30/60, with 1 to \(RateLimitRule.limitMax) requests and 1 to 86400 seconds")
            }
            rateLimits[routeClass] = rule
        }
        var headers = SecurityHeadersConfiguration()
        headers.isBehindHTTPS = try Environment.isOn("MALL_BEHIND_HTTPS")
        return MallServices.Protection(rateLimits: rateLimits, clientAddress: clientAddress, signing: signing, headers: headers)
    }

    /// The sandbox only when asked for; real credentials otherwise; and with neither, a client that
    /// answers 503 naming what is missing, never a silent sandbox (DESIGN "External services").
    static func makeLogin(sandbox: Bool, logger: Logger) -> any WeChatLoginClient {
        let appID = Environment.string("MALL_WECHAT_APP_ID")
        let appSecret = Environment.string("MALL_WECHAT_APP_SECRET")
        if sandbox {
            if appID != nil || appSecret != nil {
                logger.warning("WeChat login: sandbox (--sandbox wins); MALL_WECHAT_APP_ID and MALL_WECHAT_APP_SECRET are ignored")
            }
            return SandboxLoginClient()
        }
        if let appID, let appSecret {
            logger.info("WeChat login: live", metadata: ["appId": "\(appID)"])
            return HTTPLoginClient(
                baseURL: Environment.string("MALL_WECHAT_API_BASE_URL") ?? "https://api.weixin.qq.com",
                appID: appID, appSecret: appSecret, httpClient: .shared)
        }
        let missing = [("MALL_WECHAT_APP_ID", appID), ("MALL_WECHAT_APP_SECRET", appSecret)].filter { $0.1 == nil }.map(\.0)
        let remedy = "set \(missing.joined(separator: " and ")), or start it with --sandbox (MALL_SANDBOX=1) for local runs"
        logger.warning("WeChat login off: \(missing.joined(separator: " and ")) not set and --sandbox is off; logins answer 503")
        return UnconfiguredLoginClient(remedy: remedy)
    }

    /// MALL_ADMIN_USERNAME / MALL_ADMIN_PASSWORD create the first admin, or reset its password when it changed.
    static func bootstrapAdmin(engine: MallEngine, logger: Logger) async throws {
        guard let username = Environment.string("MALL_ADMIN_USERNAME"),
              let password = Environment.string("MALL_ADMIN_PASSWORD") else {
            if engine.settings.admins.isEmpty {
                logger.warning("no admin exists: set MALL_ADMIN_USERNAME and MALL_ADMIN_PASSWORD to create one")
            }
            return
        }
        guard password.utf8.count >= 8, password.utf8.count <= 72 else {
            throw ValidationError("MALL_ADMIN_PASSWORD must be 8 to 72 bytes")
        }
        if let existing = engine.settings.admins[username],
           try await AdminPasswords.verify(password, hash: existing.passwordHash) {
            return
        }
        let hash = try await AdminPasswords.hash(password)
        _ = try await engine.upsertAdmin(username: username, passwordHash: hash, role: "super_admin")
        logger.info("admin bootstrapped from MALL_ADMIN_USERNAME", metadata: ["username": "\(username)"])
    }
}

/// Fires payment deadlines and takes background snapshots; WAL segments the
/// archive has not read yet are kept. Two independent loops, so a long
/// snapshot (seconds for a million orders) never delays a payment deadline.
struct EngineUpkeepService: Service {
    let engine: MallEngine
    let archive: Archiver?
    let logger: Logger
    static let timerInterval = Duration.milliseconds(200)
    static let maintenanceInterval = Duration.seconds(10)

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.every(Self.timerInterval) { await engine.cancelExpiredOrders() } }
            // Unsold flash-sale units go back to their SKUs' stock once the sale ends.
            group.addTask { await self.every(Self.timerInterval) { await engine.returnUnsoldSeckillStock() } }
            group.addTask {
                await self.every(Self.maintenanceInterval) {
                    do {
                        _ = try await engine.maintain(archive: archive)
                    } catch {
                        logger.error("background snapshot failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }

    private func every(_ interval: Duration, _ work: () async -> Void) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await work()
            // A shutdown interrupts the sleep; the loop condition then ends the loop.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
