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
    /// WeChat's phone-number API; nil when not configured (binding answers 503 naming the settings).
    public var phoneNumbers: (any WeChatPhoneNumberClient)?
    public var protection: Protection
    /// `--sandbox`: login and payments are faked; every reply says so in `X-Mall-Sandbox`, as do /readyz and /metrics.
    public var sandbox: Bool
    /// Image uploads: where they are stored and how large each kind may be (`Sources/Net/Uploads`).
    public var uploads: Uploads

    public struct Uploads: Sendable {
        public var storage: any UploadStorage
        public var limits: UploadLimits

        public init(storage: any UploadStorage, limits: UploadLimits = UploadLimits()) {
            (self.storage, self.limits) = (storage, limits)
        }
    }

    /// Rate limits, optional request signing and security headers (`Sources/Net/Protection`).
    public struct Protection: Sendable {
        public var rateLimits: RateLimitPolicy
        public var clientAddress: ClientAddressResolver
        /// Nil: request signing off (the default).
        public var signing: RequestSignatureVerifier?
        public var headers: SecurityHeadersConfiguration

        public init(rateLimits: RateLimitPolicy = RateLimitPolicy(), clientAddress: ClientAddressResolver = ClientAddressResolver(),
                    signing: RequestSignatureVerifier? = nil, headers: SecurityHeadersConfiguration = SecurityHeadersConfiguration()) {
            (self.rateLimits, self.clientAddress, self.signing, self.headers) = (rateLimits, clientAddress, signing, headers)
        }
    }

    public init(engine: MallEngine, tokens: TokenService, login: any WeChatLoginClient, payments: PaymentService,
                metrics: MallMetrics = MallMetrics(), archiveStatus: @escaping @Sendable () async -> ArchiveStatus = { .off },
                reports: (any ReportService)? = nil, phoneNumbers: (any WeChatPhoneNumberClient)? = nil,
                protection: Protection = Protection(), sandbox: Bool = false, uploads: Uploads? = nil) {
        (self.engine, self.tokens, self.login, self.payments) = (engine, tokens, login, payments)
        (self.metrics, self.archiveStatus, self.reports) = (metrics, archiveStatus, reports)
        (self.phoneNumbers, self.protection, self.sandbox) = (phoneNumbers, protection, sandbox)
        // Local files under the data directory unless told otherwise, as `mall serve` defaults.
        self.uploads = uploads ?? Uploads(storage: LocalUploadStorage(directory: engine.configuration.dataDirectory + "/uploads"))
    }
}

/// Every route of the API. `buildResponder` serves it, with the flash-sale purchase taken first.
public func buildRouter(_ services: MallServices) -> Router<MallRequestContext> {
    makeRoutes(services).router
}

/// What `buildApplication` serves: the router, with a flash-sale purchase
/// dispatched without it (see `MallResponder`).
public func buildResponder(_ services: MallServices) -> MallResponder {
    let routes = makeRoutes(services)
    return MallResponder(router: routes.router.buildResponder(), purchase: routes.purchase)
}

/// The API's router, and the flash-sale purchase route's responder: the same
/// middleware values, in the same order, as the routed endpoint has.
private func makeRoutes(_ services: MallServices) -> (router: Router<MallRequestContext>, purchase: any HTTPResponder<MallRequestContext>) {
    let router = Router(context: MallRequestContext.self)
    let routeMethods = RouteMethods()
    let engine = services.engine
    let protection = services.protection
    // The one router-wide layer: 405s, error envelopes, security and sandbox headers.
    let edge = EdgeMiddleware<MallRequestContext>(headers: protection.headers, sandbox: services.sandbox, routes: routeMethods)
    router.middlewares.add(edge)
    HealthController(engine: services.engine, metrics: services.metrics, archiveStatus: services.archiveStatus,
                     sandbox: services.sandbox).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)

    let limiter = RateLimiter(policy: protection.rateLimits, nowMs: { engine.nowMs })
    func limit(_ classification: RouteClassification) -> RateLimitMiddleware<MallRequestContext> {
        RateLimitMiddleware(limiter: limiter, classification: classification, clientAddress: protection.clientAddress)
    }
    /// `group` behind request signing when it is on; off, the group has no signing layer at all
    /// (one that only passes requests on still costs every request a middleware call).
    func signed(_ group: RouterGroup<MallRequestContext>, bodyBytesMax: Int? = nil) -> RouterGroup<MallRequestContext> {
        signing(bodyBytesMax: bodyBytesMax).map { group.add(middleware: $0) } ?? group
    }
    func signing(bodyBytesMax: Int? = nil) -> RequestSignatureMiddleware<MallRequestContext>? {
        protection.signing.map { RequestSignatureMiddleware(verifier: $0, bodyBytesMax: bodyBytesMax) }
    }

    let auth = AuthController(engine: services.engine, tokens: services.tokens, login: services.login,
                              phoneNumbers: services.phoneNumbers, failedLogins: FailedAdminLogins())
    let products = ProductController(engine: services.engine)
    let categories = CategoryController(engine: services.engine)
    let search = SearchController(engine: services.engine)
    let seckill = SeckillController(engine: services.engine)
    let orders = OrderController(engine: services.engine)
    let payments = PaymentController(engine: services.engine, payments: services.payments)
    let uploads = UploadController(storage: services.uploads.storage, limits: services.uploads.limits, nowMs: { engine.nowMs })
    uploads.addFileRoutes(to: router.group().add(middleware: limit(.fixed(.read))))

    let api = router.group("api/v1")
    // Logins and refresh: per IP. The WeChat Pay callback is signed by WeChat: no client signature, no limit.
    auth.addAPIRoutes(to: signed(api.group().add(middleware: limit(.fixed(.login)))))
    let publicAPI = signed(api.group().add(middleware: limit(.fixed(.read))))
    // Anonymous or logged in: a buyer's token, when sent, must be valid, and their views and searches are kept.
    let storefront = publicAPI.group()
        .add(middleware: AuthMiddleware(tokens: services.tokens, engine: services.engine, kind: .user, optional: true))
    products.addAPIRoutes(to: storefront)
    search.addAPIRoutes(to: storefront)
    categories.addAPIRoutes(to: publicAPI)
    seckill.addPublicRoutes(to: publicAPI)
    payments.addNotificationRoutes(to: api)
    // Per user: the limiters come after the token check.
    let buyerAuth = AuthMiddleware(tokens: services.tokens, engine: services.engine, kind: .user)
    let buyer = signed(api.group()).add(middleware: buyerAuth)
    let seckillLimit = limit(.fixed(.seckill))
    seckill.addUserRoutes(to: buyer.group().add(middleware: seckillLimit))
    // The purchase as the routed endpoint has it: edge, signing, auth, limit, handler.
    let purchaseMiddlewares: [any RouterMiddleware<MallRequestContext>] =
        [edge] + (signing().map { [$0] } ?? []) + [buyerAuth, seckillLimit]
    let purchase = MiddlewareChain.responder(purchaseMiddlewares, around: CallbackResponder { request, context in
        try await seckill.purchase(request, context: context).response(from: request, context: context)
    })
    let buyerRest = buyer.group().add(middleware: limit(.byMethod))
    auth.addUserRoutes(to: buyerRest)
    ProfileController(engine: services.engine, phoneNumbers: services.phoneNumbers).addUserRoutes(to: buyerRest)
    orders.addUserRoutes(to: buyerRest)
    BrowsingController(engine: services.engine).addUserRoutes(to: buyerRest)
    payments.addUserRoutes(to: buyerRest)
    // Uploads: bodies of megabytes, so signing may read that much here; their own, tighter limit.
    uploads.addUserRoutes(to: signed(api.group(), bodyBytesMax: uploads.bodyBytesMax(UploadKind.buyerKinds))
        .add(middleware: AuthMiddleware(tokens: services.tokens, engine: services.engine, kind: .user))
        .add(middleware: limit(.fixed(.upload))))

    let admin = router.group("admin/v1")
    auth.addAdminRoutes(to: admin.group().add(middleware: limit(.fixed(.login))))
    let backOffice = admin.group()
        .add(middleware: AuthMiddleware(tokens: services.tokens, engine: services.engine, kind: .admin))
        .add(middleware: limit(.byMethod))
        .add(middleware: AuditMiddleware(engine: services.engine))  // before the permission check: refusals are audited too
        .add(middleware: PermissionMiddleware(engine: services.engine))
    auth.addAdminSessionRoutes(to: backOffice)
    AdminAccountController(engine: services.engine, tokens: services.tokens).addRoutes(to: backOffice)
    products.addAdminRoutes(to: backOffice)
    categories.addAdminRoutes(to: backOffice)
    search.addAdminRoutes(to: backOffice)
    StockController(engine: services.engine).addAdminRoutes(to: backOffice)
    seckill.addAdminRoutes(to: backOffice)
    payments.addAdminRoutes(to: backOffice)
    uploads.addAdminRoutes(to: admin.group()
        .add(middleware: AuthMiddleware(tokens: services.tokens, engine: services.engine, kind: .admin))
        .add(middleware: limit(.fixed(.upload)))
        .add(middleware: AuditMiddleware(engine: services.engine))
        .add(middleware: PermissionMiddleware(engine: services.engine)))
    AdminOrderController(reports: services.reports, nowMs: { engine.nowMs }).addRoutes(to: backOffice)
    AdminStockLogController(reports: services.reports).addRoutes(to: backOffice)
    AdminStatsController(reports: services.reports, nowMs: { engine.nowMs }).addRoutes(to: backOffice)
    routeMethods.record(router.routes.map { (path: $0.path.description, method: $0.method) })
    return (router, purchase)
}

public func buildApplication(
    _ services: MallServices, host: String, port: Int, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        responder: buildResponder(services),
        configuration: .init(address: .hostname(host, port: port)),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}
