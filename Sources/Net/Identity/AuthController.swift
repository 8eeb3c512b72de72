import Engine
import HummingbirdBcrypt
import Hummingbird
import NIOPosix
import WeChat

/// Logins: WeChat `code` for buyers, username and password for the back office.
struct AuthController {
    let engine: MallEngine
    let tokens: TokenService
    let login: any WeChatLoginClient

    func addAPIRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("auth/wechat/login", use: wechatLogin)
        group.post("auth/refresh", use: refresh)
    }

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("auth/login", use: adminLogin)
    }

    struct LoginResponse: Encodable, Sendable {
        var accessToken: String
        var refreshToken: String
        var tokenType = "Bearer"
        var expiresIn = Int(TokenService.accessLifetimeSeconds)
        var user: UserSummary
    }

    struct UserSummary: Encodable, Sendable {
        var id: EntityID
        var isNew: Bool
        var createdAt: String
    }

    @Sendable func wechatLogin(_ request: Request, context: MallRequestContext) async throws -> Envelope<LoginResponse> {
        let code = try await RequestJSON.decode(WeChatLoginRequest.self, from: request, context: context).validated()
        let session: WeChatSession
        do {
            session = try await login.session(forCode: code)
        } catch {
            throw APIError(error)
        }
        let (user, isNew) = try await engine.registerUser(openID: session.openID, unionID: session.unionID)
        return Envelope(LoginResponse(
            accessToken: try await tokens.issue(subjectID: user.id, kind: .user),
            refreshToken: try await tokens.issue(subjectID: user.id, kind: .refresh),
            user: UserSummary(id: EntityID(user.id), isNew: isNew, createdAt: APITime.format(ms: user.createdAtMs))))
    }

    @Sendable func refresh(_ request: Request, context: MallRequestContext) async throws -> Envelope<LoginResponse> {
        let token = try await RequestJSON.decode(RefreshRequest.self, from: request, context: context).validated()
        guard let verified = await tokens.verify(token, expecting: .refresh),
              let user = await engine.user(id: verified.subjectID) else { throw APIError(.unauthorized) }
        return Envelope(LoginResponse(
            accessToken: try await tokens.issue(subjectID: user.id, kind: .user),
            refreshToken: try await tokens.issue(subjectID: user.id, kind: .refresh),
            user: UserSummary(id: EntityID(user.id), isNew: false, createdAt: APITime.format(ms: user.createdAtMs))))
    }

    struct AdminLoginResponse: Encodable, Sendable {
        var accessToken: String
        var tokenType = "Bearer"
        var expiresIn = Int(TokenService.accessLifetimeSeconds)
        var admin: AdminSummary
    }

    struct AdminSummary: Encodable, Sendable {
        var id: EntityID
        var username: String
        var role: String
    }

    @Sendable func adminLogin(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminLoginResponse> {
        let input = try await RequestJSON.decode(AdminLoginRequest.self, from: request, context: context).validated()
        // Same answer and the same bcrypt work for an unknown user, a wrong password and
        // a password bcrypt cannot judge (over 72 bytes) as for any other failure.
        let admin = engine.settings.admins[input.username]
        let hash = admin?.passwordHash ?? AdminPasswords.unknownUserHash
        let matches = try await AdminPasswords.verify(input.isPasswordCheckable ? input.password : "", hash: hash)
        guard let admin, matches, input.isPasswordCheckable else { throw APIError(.unauthorized, "wrong username or password") }
        let token = try await tokens.issue(subjectID: admin.id, kind: .admin, role: admin.role, name: admin.username)
        return Envelope(AdminLoginResponse(accessToken: token,
                                           admin: AdminSummary(id: EntityID(admin.id), username: admin.username, role: admin.role)))
    }
}

/// bcrypt runs on NIO's blocking pool: it costs tens of milliseconds by design.
public enum AdminPasswords {
    public static let cost: UInt8 = 10
    static let unknownUserHash = Bcrypt.hash("no such admin", cost: cost)

    public static func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

extension APIError {
    init(_ error: WeChatError) {
        switch error {
        case .invalidCode: self.init(.unauthorized, "the WeChat login code is invalid or used; call wx.login again")
        case .rateLimited: self.init(.rateLimited, "WeChat rate-limited the login; retry shortly")
        // Retrying cannot help: the operator must configure the server, so the message names the settings.
        case .unconfigured: self.init(.unavailable, error.description)
        case .upstream, .transport, .badResponse: self.init(.unavailable, "WeChat login is unavailable; retry shortly")
        }
    }
}
