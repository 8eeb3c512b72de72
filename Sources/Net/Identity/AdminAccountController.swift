import Engine
import Hummingbird

/// Back-office accounts (`admin:*`), buyers (`user:*`) and the audit log
/// (`audit:read`). Permissions are checked by `PermissionMiddleware` from
/// `AdminPermissions`; the rules about what may change live in the engine.
struct AdminAccountController {
    let engine: MallEngine
    let tokens: TokenService
    static let listLimitRule = IntegerRule(1...100)
    static let listLimitDefault = 20

    func addRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("admins", use: listAdmins)
        group.post("admins", use: createAdmin)
        group.get("admins/:id", use: showAdmin)
        group.patch("admins/:id", use: updateAdmin)
        group.delete("admins/:id", use: deleteAdmin)
        group.get("audit-logs", use: auditLogs)
        group.get("users", use: listUsers)
        group.get("users/:id", use: showUser)
        group.post("users/:id/ban", use: ban)
        group.post("users/:id/unban", use: unban)
    }

    @Sendable func listAdmins(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminListResponse> {
        Envelope(AdminListResponse(items: engine.settings.admins.values.sorted { $0.id < $1.id }.map(AdminResponse.init)))
    }

    @Sendable func showAdmin(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminResponse> {
        Envelope(AdminResponse(try admin(context)))
    }

    @Sendable func createAdmin(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminResponse> {
        let actor = try actorID(context)
        let input = try await RequestJSON.decode(CreateAdminRequest.self, from: request, context: context).validated()
        let hash = try await AdminPasswords.hash(input.password)
        let admin = try await engine.changeAdmin(username: input.username, byAdminID: actor) { current, newID, nowMs throws(EngineError) in
            guard current == nil else { throw .conflict("the username \(input.username) is taken (also by a deleted account)") }
            return (AdminAccount(id: newID, username: input.username, passwordHash: hash, role: input.role,
                                 permissions: input.permissions, enabled: true, deleted: false, createdAtMs: nowMs), false)
        }
        return Envelope(AdminResponse(admin), status: .created)
    }

    @Sendable func updateAdmin(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminResponse> {
        let actor = try actorID(context)
        let target = try admin(context)
        let input = try await RequestJSON.decode(UpdateAdminRequest.self, from: request, context: context).validated()
        if target.id == actor, input.enabled == false || (input.role.map { $0 != AdminRole.superAdmin.rawValue } ?? false) {
            throw APIError(.conflict, "an admin cannot disable or demote itself; ask another super admin")
        }
        let hash: String? = if let password = input.password { try await AdminPasswords.hash(password) } else { nil }
        let updated = try await engine.changeAdmin(username: target.username, byAdminID: actor) { current, _, _ throws(EngineError) in
            guard var account = current, !account.deleted else { throw .notFound("admin \(target.id)") }
            let before = account
            if let role = input.role { account.role = role }
            if let permissions = input.permissions { account.permissions = Array(Set(permissions)).sorted() }
            if let enabled = input.enabled { account.enabled = enabled }
            if let hash { account.passwordHash = hash }
            guard account != before else { return nil }
            return (account, hash != nil || (before.enabled && !account.enabled))
        }
        return Envelope(AdminResponse(updated))
    }

    /// Marks the account deleted: it cannot log in, its sessions end, its id stays in the audit log.
    @Sendable func deleteAdmin(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminResponse> {
        let actor = try actorID(context)
        let target = try admin(context)
        guard target.id != actor else { throw APIError(.conflict, "an admin cannot delete itself; ask another super admin") }
        let deleted = try await engine.changeAdmin(username: target.username, byAdminID: actor) { current, _, _ throws(EngineError) in
            guard var account = current, !account.deleted else { throw .notFound("admin \(target.id)") }
            account.deleted = true
            account.enabled = false
            return (account, true)
        }
        return Envelope(AdminResponse(deleted))
    }

    /// Newest first; `cursor` is the `nextCursor` of the previous page.
    @Sendable func auditLogs(_ request: Request, context: MallRequestContext) async throws -> Envelope<AuditListResponse> {
        let query = request.uri.queryParameters
        var validation = Validation()
        let limit = Self.limit(query.get("limit"), &validation)
        let cursor = Self.id(query.get("cursor"), "cursor", &validation) ?? 0
        let adminID = Self.id(query.get("adminId"), "adminId", &validation)
        try validation.check()
        let page = engine.auditEntries(beforeID: cursor, adminID: adminID, limit: limit)
        return Envelope(AuditListResponse(items: page.entries.map(AuditEntryResponse.init),
                                          nextCursor: page.nextCursor.map { String($0) }))
    }

    /// Ascending by id; filters: `banned`, `nickname` and `phone` (substrings).
    @Sendable func listUsers(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminUserListResponse> {
        let query = request.uri.queryParameters
        var validation = Validation()
        let limit = Self.limit(query.get("limit"), &validation)
        let cursor = Self.id(query.get("cursor"), "cursor", &validation) ?? 0
        var filter = UserFilter()
        if let banned = query.get("banned") {
            validation.require(banned == "true" || banned == "false", "banned", "must be true or false")
            filter.banned = banned == "true"
        }
        if let nickname = query.get("nickname") {
            validation.text(nickname, "nickname", Self.searchRule)
            filter.nickname = nickname
        }
        if let phone = query.get("phone") {
            validation.text(phone, "phone", Self.phoneSearchRule)
            filter.phone = phone
        }
        try validation.check()
        let page = await engine.users(matching: filter, afterUserID: cursor, limit: limit)
        var items: [AdminUserResponse] = []
        for (user, identity) in page.users {
            items.append(AdminUserResponse(user, identity, orders: await engine.orderCount(ofUser: user.id)))
        }
        return Envelope(AdminUserListResponse(items: items, nextCursor: page.nextCursor.map { String($0) }))
    }

    @Sendable func showUser(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminUserResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        guard let (user, identity) = await engine.userIdentity(id: id) else { throw APIError(.notFound, "user not found") }
        return Envelope(AdminUserResponse(user, identity, orders: await engine.orderCount(ofUser: id)))
    }

    /// Bans a buyer: every session ends at once, logins are refused until unbanned.
    @Sendable func ban(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminUserResponse> {
        let actor = try actorID(context)
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        let reason = try await RequestJSON.decode(BanRequest.self, from: request, context: context).validated()
        let families = await engine.userIdentity(id: id).map { Array($0.1.sessions.byFamily.keys) } ?? []
        let identity = try await engine.setUserBanned(userID: id, banned: true, reason: reason, adminID: actor)
        tokens.evict(familyIDs: families)
        return try await userResponse(id, identity)
    }

    @Sendable func unban(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminUserResponse> {
        let actor = try actorID(context)
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        let identity = try await engine.setUserBanned(userID: id, banned: false, reason: "", adminID: actor)
        return try await userResponse(id, identity)
    }

    private func userResponse(_ id: UInt64, _ identity: UserIdentity) async throws -> Envelope<AdminUserResponse> {
        guard let user = await engine.user(id: id) else { throw APIError(.notFound, "user not found") }
        return Envelope(AdminUserResponse(user, identity, orders: await engine.orderCount(ofUser: id)))
    }

    private func actorID(_ context: MallRequestContext) throws -> UInt64 {
        guard case .admin(let id, _, _) = context.principal else { throw APIError(.unauthorized) }
        return id
    }

    private func admin(_ context: MallRequestContext) throws -> Admin {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        guard let admin = engine.settings.admin(id: id) else { throw APIError(.notFound, "admin not found") }
        return admin
    }

    static let searchRule = TextRule(.text, 1...32)
    static let phoneSearchRule = TextRule(.digits, 1...11)

    static func limit(_ text: String?, _ validation: inout Validation) -> Int {
        guard let text else { return listLimitDefault }
        let value = listLimitRule.parse(text)
        validation.require(value != nil, "limit", listLimitRule.rule)
        return Int(value ?? 1)
    }

    static func id(_ text: String?, _ field: String, _ validation: inout Validation) -> UInt64? {
        guard let text else { return nil }
        let value = EntityID.value(text)
        validation.require(value != nil, field, EntityID.rule.rule)
        return value
    }
}
