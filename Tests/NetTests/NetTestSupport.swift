import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Net
import NIOCore
import NIOFoundationEssentialsCompat
import Testing
import WAL
import WeChat

/// A router over a real engine in a temporary directory, with sandbox WeChat
/// (as `mall serve --sandbox`) unless a test asks for a server without it.
struct TestApp {
    let directory: String
    let engine: MallEngine
    let clock: ManualClock
    let services: MallServices

    static let adminPassword = "s3cret-passw0rd"

    /// Router tests have no peer address, so every request shares one IP key: limits far
    /// above any test's traffic, except in the tests of the limits themselves.
    static var generousLimits: RateLimitPolicy {
        var policy = RateLimitPolicy()
        for routeClass in RouteClass.allCases { policy[routeClass] = .perSecond(RateLimitRule.limitMax) }
        return policy
    }
    static let loginRemedy = "set MALL_WECHAT_APP_ID and MALL_WECHAT_APP_SECRET, or start it with --sandbox"

    /// - Parameters:
    ///   - reports: the back-office report service; nil answers 503 as with no archive.
    ///   - isDurable: false skips fdatasync, for tests that write thousands of records.
    ///   - segmentIO: the WAL's file access; tests inject a failing fdatasync through it.
    ///   - sandbox: false builds what `mall serve` builds with no WeChat credentials and no `--sandbox`.
    static func make(name: String = #function, reports: (any ReportService)? = nil, isDurable: Bool = true,
                     segmentIO: any SegmentIO = PosixSegmentIO(), sandbox: Bool = true,
                     rateLimits: RateLimitPolicy = TestApp.generousLimits) async throws -> TestApp {
        let directory = NSTemporaryDirectory() + "mall-net-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
        var configuration = EngineConfiguration(dataDirectory: directory)
        configuration.shardCount = 4
        configuration.segmentSizeBytes = 1 << 20
        configuration.segmentIO = segmentIO
        if !isDurable { configuration.fsyncPolicy = .none }
        let clock = ManualClock(nowMs: Int64(Date().timeIntervalSince1970 * 1000))
        let engine = try MallEngine.open(configuration, clock: clock, logger: Logger(label: "net-test"))
        _ = try await engine.upsertAdmin(username: "admin", passwordHash: try await AdminPasswords.hash(adminPassword), role: "super_admin")
        let login: any WeChatLoginClient = sandbox ? SandboxLoginClient() : UnconfiguredLoginClient(remedy: Self.loginRemedy)
        let services = MallServices(
            engine: engine, tokens: try await TokenService(secret: Array(repeating: 7, count: 32)), login: login,
            payments: sandbox ? PaymentService(sandbox: try SandboxPayGateway.generate()) : .unconfigured, reports: reports,
            phoneNumbers: sandbox ? SandboxPhoneNumberClient() : nil, protection: MallServices.Protection(rateLimits: rateLimits), sandbox: sandbox)
        return TestApp(directory: directory, engine: engine, clock: clock, services: services)
    }

    /// The engine's clock as a Date: activity windows must be set against it, not the wall
    /// clock, or a slow test (a loaded machine) finds its sale already over or not begun.
    var now: Date { Date(timeIntervalSince1970: Double(engine.nowMs) / 1000) }

    func close() async {
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Where the WAL and the audit log stand, to check later that a refused request wrote
    /// nothing but its audit entry (every back-office write is audited, refused ones too).
    var writeMark: (lsn: UInt64, audited: Int) { (engine.durableLSN, engine.settings.audit.count) }

    /// Whether only audit entries were logged since `mark`.
    func wroteOnlyAudit(since mark: (lsn: UInt64, audited: Int)) -> Bool {
        engine.durableLSN - mark.lsn == UInt64(engine.settings.audit.count - mark.audited)
    }

    var application: some ApplicationProtocol {
        Application(responder: buildResponder(services))
    }
}

/// Decodes the envelope and returns (HTTP status, code, data as JSON object).
struct Reply {
    var status: Int
    var code: Int
    var message: String
    var data: [String: Any]
    var raw: [String: Any]

    init(_ response: TestResponse) throws {
        status = Int(response.status.code)
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
        raw = object
        code = object["code"] as? Int ?? -1
        message = object["message"] as? String ?? ""
        data = object["data"] as? [String: Any] ?? [:]
    }
}

extension TestClientProtocol {
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil,
              rawBody: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json { body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)) }
        if let rawBody { body = ByteBuffer(string: rawBody) }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { try Reply($0) }
    }

    func adminToken() async throws -> String {
        let reply = try await call(.post, "/admin/v1/auth/login", json: ["username": "admin", "password": TestApp.adminPassword])
        return try #require(reply.data["accessToken"] as? String)
    }

    func userToken(code: String) async throws -> String {
        try await userLogin(code: code).token
    }

    /// A sandbox WeChat login: the access token and the user's id.
    func userLogin(code: String) async throws -> (token: String, userID: String) {
        let reply = try await call(.post, "/api/v1/auth/wechat/login", json: ["code": code])
        return (try #require(reply.data["accessToken"] as? String),
                try #require((reply.data["user"] as? [String: Any])?["id"] as? String))
    }

    /// A product with one SKU and a flash sale open at `now` (the engine's clock, `TestApp.now`).
    func makeSale(admin: String, stock: Int, limitPerUser: Int, now: Date) async throws -> (activityID: String, skuID: String) {
        let product = try await call(.post, "/admin/v1/products", token: admin, json: [
            "name": "纯棉T恤", "skus": [["name": "白色 M", "spec": ["颜色": "白色"], "priceFen": 7900, "stock": 100 + stock]],
        ])
        let skuID = try #require((product.data["skus"] as? [[String: Any]])?.first?["id"] as? String)
        let sale = try await call(.post, "/admin/v1/seckill/activities", token: admin, json: [
            "name": "秒杀", "startTime": now.addingTimeInterval(-60).ISO8601Format(),
            "endTime": now.addingTimeInterval(3600).ISO8601Format(),
            "items": [["skuId": skuID, "seckillPriceFen": 3900, "stock": stock, "limitPerUser": limitPerUser]],
        ])
        return (try #require(sale.data["id"] as? String), skuID)
    }
}
