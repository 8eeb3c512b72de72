import Engine
import Foundation
import HummingbirdBcrypt
import Hummingbird
import NIOPosix
import Synchronization
import WeChat

/// Logins, refresh and logout: WeChat `code` for buyers, username and password
/// for the back office. Each login opens a session (a refresh-token family in
/// the engine); refresh rotates it and a reused refresh token ends it.
struct AuthController {
    let engine: MallEngine
    let tokens: TokenService
    let login: any WeChatLoginClient
    let phoneNumbers: (any WeChatPhoneNumberClient)?
    let failedLogins: FailedAdminLogins

    func addAPIRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("auth/wechat/login", use: wechatLogin)
        group.post("auth/refresh", use: refresh)
    }

    func addUserRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("auth/logout", use: logout)
    }

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("auth/login", use: adminLogin)
        group.post("auth/refresh", use: adminRefresh)
    }

    func addAdminSessionRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("auth/logout", use: logout)
        group.get("auth/me", use: adminMe)
        group.put("auth/password", use: changePassword)
    }

    struct LoginResponse: Encodable, Sendable {
        var accessToken: String
        var refreshToken: String
        var tokenType = "Bearer"
        var expiresIn = Int(TokenService.accessLifetimeSeconds)
        var refreshExpiresIn = Int(TokenService.refreshLifetimeSeconds)
        var user: UserSummary
    }

    struct UserSummary: Encodable, Sendable {
        var id: EntityID
        var isNew: Bool
        var createdAt: String
        /// The bound phone number, masked; nil when none is bound.
        var phone: String?
    }

    /// Logs in with the `wx.login` code; with `phoneCode` (the phone-number button's) it is a
    /// phone-number login: the number WeChat vouches for is bound in the same call.
    @Sendable func wechatLogin(_ request: Request, context: MallRequestContext) async throws -> Envelope<LoginResponse> {
        let input = try await RequestJSON.decode(WeChatLoginRequest.self, from: request, context: context).validatedWithPhone()
        let session: WeChatSession
        do {
            session = try await login.session(forCode: input.code)
        } catch {
            throw APIError(error)
        }
        var phone: MainlandPhone?
        if let phoneCode = input.phoneCode { phone = try await PhoneBinding.number(forCode: phoneCode, client: phoneNumbers) }
        let (user, isNew) = try await engine.registerUser(openID: session.openID, unionID: session.unionID)
        let opened = try await openSession(.user(user.id), context: context)
        if let phone { _ = try await engine.updateProfile(userID: user.id) { $0.phone = phone.digits } }
        return Envelope(try await userTokens(user, isNew: isNew, session: opened))
    }

    @Sendable func refresh(_ request: Request, context: MallRequestContext) async throws -> Envelope<LoginResponse> {
        let token = try await RequestJSON.decode(RefreshRequest.self, from: request, context: context).validated()
        guard let verified = await tokens.verify(token, expecting: .refresh),
              let user = await engine.user(id: verified.subjectID) else { throw APIError(.unauthorized) }
        let session = try await rotate(.user(user.id), verified)
        return Envelope(try await userTokens(user, isNew: false, session: session))
    }

    /// Ends the caller's session: its access and refresh tokens stop working at once.
    @Sendable func logout(_ request: Request, context: MallRequestContext) async throws -> Envelope<LogoutResponse> {
        guard let familyID = context.sessionFamilyID else { throw APIError(.unauthorized) }
        let subject: SessionSubject = switch context.principal {
        case .user(let id): .user(id)
        case .admin(let id, _, _): .admin(id)
        case nil: throw APIError(.unauthorized)
        }
        try await engine.revokeSessions(subject, familyIDs: [familyID], reason: .logout)
        tokens.evict(familyIDs: [familyID])
        return Envelope(LogoutResponse())
    }

    private func userTokens(_ user: User, isNew: Bool, session: Session) async throws -> LoginResponse {
        let phone = await engine.userIdentity(id: user.id).map(\.1.profile.phone) ?? ""
        return LoginResponse(
            accessToken: try await tokens.issue(subjectID: user.id, kind: .user, familyID: session.familyID),
            refreshToken: try await tokens.issue(subjectID: user.id, kind: .refresh, familyID: session.familyID,
                                                 generation: session.generation),
            user: UserSummary(id: EntityID(user.id), isNew: isNew, createdAt: APITime.format(ms: user.createdAtMs),
                              phone: phone.isEmpty ? nil : MainlandPhone.masked(phone)))
    }

    private func openSession(_ subject: SessionSubject, context: MallRequestContext) async throws -> Session {
        do {
            return try await engine.openSession(subject, ip: context.clientAddress ?? "")
        } catch {
            throw Self.apiError(error, familyID: nil, tokens: tokens)
        }
    }

    /// Rotates the family of a verified refresh token; a spent generation ends the family.
    private func rotate(_ subject: SessionSubject, _ verified: TokenService.Verified) async throws -> Session {
        do {
            return try await engine.refreshSession(subject, familyID: verified.familyID, generation: verified.generation)
        } catch {
            throw Self.apiError(error, familyID: verified.familyID, tokens: tokens)
        }
    }

    /// A refused login or refresh: a ban says so (40301); an ended session is 40101.
    private static func apiError(_ error: EngineError, familyID: UInt64?, tokens: TokenService) -> APIError {
        guard case .unauthorized(let reason) = error else { return APIError(error) }
        if reason.hasPrefix(MallEngine.bannedPrefix) { return APIError(.accountBanned, reason) }
        if let familyID { tokens.evict(familyIDs: [familyID]) }
        return APIError(.sessionEnded, reason)
    }

    // MARK: - Back office

    struct AdminLoginResponse: Encodable, Sendable {
        var accessToken: String
        var refreshToken: String
        var tokenType = "Bearer"
        var expiresIn = Int(TokenService.accessLifetimeSeconds)
        var refreshExpiresIn = Int(TokenService.refreshLifetimeSeconds)
        var admin: AdminResponse
    }

    @Sendable func adminLogin(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminLoginResponse> {
        let input = try await RequestJSON.decode(AdminLoginRequest.self, from: request, context: context).validated()
        let nowMs = engine.nowMs
        let admin = engine.settings.admins[input.username]
        if let admin, admin.lockedUntilMs > nowMs {
            throw APIError.locked(untilMs: admin.lockedUntilMs, nowMs: nowMs)
        }
        // Same answer and the same bcrypt work for an unknown user, a wrong password, a
        // disabled or deleted account, and a password bcrypt cannot judge (over 72 bytes).
        let hash = admin?.passwordHash ?? AdminPasswords.unknownUserHash
        let matches = try await AdminPasswords.verify(input.isPasswordCheckable ? input.password : "", hash: hash)
        guard let admin, matches, input.isPasswordCheckable, admin.canLogIn(atMs: nowMs) else {
            if let admin, admin.canLogIn(atMs: nowMs), failedLogins.recordFailure(adminID: admin.id) {
                let untilMs = nowMs + IdentityLimits.adminLockoutMs
                try await engine.lockAdmin(id: admin.id, untilMs: untilMs)
                throw APIError.locked(untilMs: untilMs, nowMs: nowMs)
            }
            throw APIError(.unauthorized, "wrong username or password")
        }
        failedLogins.reset(adminID: admin.id)
        let session: Session
        do {
            session = try await engine.openSession(.admin(admin.id), ip: context.clientAddress ?? "")
        } catch {
            if case .unauthorized = error { throw APIError(.unauthorized, "wrong username or password") }
            throw APIError(error)
        }
        return Envelope(try await adminTokens(admin, session: session))
    }

    @Sendable func adminRefresh(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminLoginResponse> {
        let token = try await RequestJSON.decode(RefreshRequest.self, from: request, context: context).validated()
        guard let verified = await tokens.verify(token, expecting: .adminRefresh),
              let admin = engine.settings.admin(id: verified.subjectID) else { throw APIError(.unauthorized) }
        let session = try await rotate(.admin(admin.id), verified)
        return Envelope(try await adminTokens(admin, session: session))
    }

    @Sendable func adminMe(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminResponse> {
        guard case .admin(let id, _, _) = context.principal, let admin = engine.settings.admin(id: id) else {
            throw APIError(.unauthorized)
        }
        return Envelope(AdminResponse(admin))
    }

    /// Changes the caller's own password; every session of the account ends, this one too.
    @Sendable func changePassword(_ request: Request, context: MallRequestContext) async throws -> Envelope<LogoutResponse> {
        guard case .admin(let id, _, _) = context.principal, let admin = engine.settings.admin(id: id) else {
            throw APIError(.unauthorized)
        }
        let input = try await RequestJSON.decode(PasswordChangeRequest.self, from: request, context: context).validated()
        guard input.isOldPasswordCheckable, try await AdminPasswords.verify(input.oldPassword, hash: admin.passwordHash) else {
            throw APIError.invalid("oldPassword", "does not match the current password")
        }
        let hash = try await AdminPasswords.hash(input.newPassword)
        _ = try await engine.changeAdmin(username: admin.username, byAdminID: id) { current, _, _ throws(EngineError) in
            guard var account = current else { throw .notFound("admin \(id)") }
            account.passwordHash = hash
            return (account, true)
        }
        return Envelope(LogoutResponse())
    }

    private func adminTokens(_ admin: Admin, session: Session) async throws -> AdminLoginResponse {
        AdminLoginResponse(
            accessToken: try await tokens.issue(subjectID: admin.id, kind: .admin, familyID: session.familyID,
                                                role: admin.role, name: admin.username),
            refreshToken: try await tokens.issue(subjectID: admin.id, kind: .adminRefresh, familyID: session.familyID,
                                                 generation: session.generation),
            admin: AdminResponse(admin))
    }
}

struct LogoutResponse: Encodable, Sendable {
    var loggedOut = true
}

/// Failed admin logins in a row, per account, in memory: at
/// `IdentityLimits.adminFailedLoginsMax` the account is locked in the engine
/// (durably) and the count starts again. Bounded: it holds at most one entry
/// per admin account, and accounts are few.
final class FailedAdminLogins: Sendable {
    private let counts = Mutex<[UInt64: Int]>([:])

    init() {}

    /// - Returns: true when this failure reaches the limit (the caller locks the account).
    func recordFailure(adminID: UInt64) -> Bool {
        counts.withLock { counts in
            let count = (counts[adminID] ?? 0) + 1
            guard count >= IdentityLimits.adminFailedLoginsMax else {
                counts[adminID] = count
                return false
            }
            counts[adminID] = nil
            return true
        }
    }

    func reset(adminID: UInt64) {
        _ = counts.withLock { $0.removeValue(forKey: adminID) }
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
        case .invalidCode: self.init(.unauthorized, "the WeChat code is invalid or used; ask the mini-program for a new one")
        case .rateLimited: self.init(.rateLimited, "WeChat rate-limited the call; retry shortly")
        case .loginRefused: self.init(.forbidden, "WeChat refused this login (a high-risk account)")
        case .watermarkMismatch: self.init(.unauthorized, "the phone-number code belongs to another mini-program")
        // Retrying cannot help: the operator must configure the server, so the message names the settings.
        case .unconfigured: self.init(.unavailable, error.description)
        case .misconfigured, .accessTokenRejected:
            self.init(.unavailable, "WeChat refused this server's credentials; the operator must check them")
        case .systemBusy, .upstream, .transport, .badResponse: self.init(.unavailable, "WeChat is unavailable; retry shortly")
        }
    }

    /// 42901 with `Retry-After` in whole seconds.
    static func locked(untilMs: Int64, nowMs: Int64) -> APIError {
        let seconds = max(1, (untilMs - nowMs + 999) / 1000)
        return APIError(.loginLocked, "too many failed logins: try again after \(APITime.format(ms: untilMs))",
                        headers: [.retryAfter: String(seconds)])
    }
}
