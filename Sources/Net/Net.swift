// Net: the HTTP API on Hummingbird 2. One controller per domain, the envelope,
// error codes, auth, health and metrics. Handlers decode, validate, call the
// engine and encode; business rules stay in Engine.
// Must not import Archive or PostgresNIO: the back-office reports come in
// through `ReportService`, which Net declares with its own types and `mall`
// implements over the PostgreSQL archive.
import Engine
import Hummingbird
import Logging
import WeChat

/// Everything the routes need, built once by `mall serve` (or a test).
public struct MallServices: Sendable {
    public var engine: MallEngine
    public var tokens: TokenService
    public var login: any WeChatLoginClient
    public var payments: PaymentService
    public var metrics: MallMetrics
    public var archiveStatus: @Sendable () async -> ArchiveStatus
    /// Back-office reports from the PostgreSQL archive; nil when the archive is off (their routes answer 503).
    public var reports: (any ReportService)?
    /// `--sandbox`: login and payments are faked; every reply says so in `X-Mall-Sandbox`, as do /readyz and /metrics.
    public var sandbox: Bool

    public init(engine: MallEngine, tokens: TokenService, login: any WeChatLoginClient, payments: PaymentService,
                metrics: MallMetrics = MallMetrics(), archiveStatus: @escaping @Sendable () async -> ArchiveStatus = { .off },
                reports: (any ReportService)? = nil, sandbox: Bool = false) {
        (self.engine, self.tokens, self.login, self.payments) = (engine, tokens, login, payments)
        (self.metrics, self.archiveStatus, self.reports, self.sandbox) = (metrics, archiveStatus, reports, sandbox)
    }
}

public func buildRouter(_ services: MallServices) -> Router<MallRequestContext> {
    let router = Router(context: MallRequestContext.self)
    let routeMethods = RouteMethods()
    if services.sandbox { router.middlewares.add(SandboxHeaderMiddleware()) }
    router.middlewares.add(ErrorEnvelopeMiddleware())
    router.middlewares.add(MethodNotAllowedMiddleware(routes: routeMethods))
    HealthController(engine: services.engine, metrics: services.metrics, archiveStatus: services.archiveStatus,
                     sandbox: services.sandbox).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)

    let auth = AuthController(engine: services.engine, tokens: services.tokens, login: services.login)
    let products = ProductController(engine: services.engine)
    let seckill = SeckillController(engine: services.engine)
    let orders = OrderController(engine: services.engine)
    let payments = PaymentController(engine: services.engine, payments: services.payments)

    let api = router.group("api/v1")
    auth.addAPIRoutes(to: api)
    products.addAPIRoutes(to: api)
    seckill.addPublicRoutes(to: api)
    payments.addNotificationRoutes(to: api)
    let buyer = api.group().add(middleware: AuthMiddleware(tokens: services.tokens, kind: .user))
    seckill.addUserRoutes(to: buyer)
    orders.addUserRoutes(to: buyer)
    payments.addUserRoutes(to: buyer)

    let admin = router.group("admin/v1")
    auth.addAdminRoutes(to: admin)
    let backOffice = admin.group().add(middleware: AuthMiddleware(tokens: services.tokens, kind: .admin))
    products.addAdminRoutes(to: backOffice)
    seckill.addAdminRoutes(to: backOffice)
    payments.addAdminRoutes(to: backOffice)
    let engine = services.engine
    AdminOrderController(reports: services.reports, nowMs: { engine.nowMs }).addRoutes(to: backOffice)
    AdminStatsController(reports: services.reports, nowMs: { engine.nowMs }).addRoutes(to: backOffice)
    routeMethods.record(router.routes.map { (path: $0.path.description, method: $0.method) })
    return router
}

public func buildApplication(
    _ services: MallServices, host: String, port: Int, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(services),
        configuration: .init(address: .hostname(host, port: port), serverName: nil),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}
