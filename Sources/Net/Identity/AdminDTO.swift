import Engine

/// An admin account as the back office sees it (never the password hash).
struct AdminResponse: Encodable, Sendable {
    var id: EntityID
    var username: String
    var role: String
    /// Granted on top of the role's defaults.
    var permissions: [String]
    /// Everything the account may do now.
    var effectivePermissions: [String]
    var enabled: Bool
    var deleted: Bool
    var createdAt: String?
    var lastLoginAt: String?
    var lastLoginIp: String?
    var lockedUntil: String?
    var activeSessions: Int

    init(_ admin: Admin) {
        id = EntityID(admin.id)
        username = admin.username
        role = admin.role
        permissions = admin.permissions
        effectivePermissions = admin.effectivePermissions.sorted()
        enabled = admin.enabled
        deleted = admin.deleted
        createdAt = admin.createdAtMs == 0 ? nil : APITime.format(ms: admin.createdAtMs)
        lastLoginAt = admin.lastLoginAtMs == 0 ? nil : APITime.format(ms: admin.lastLoginAtMs)
        lastLoginIp = admin.lastLoginIP.isEmpty ? nil : admin.lastLoginIP
        lockedUntil = admin.lockedUntilMs == 0 ? nil : APITime.format(ms: admin.lockedUntilMs)
        activeSessions = admin.sessions.byFamily.count
    }
}

struct AdminListResponse: Encodable, Sendable {
    var items: [AdminResponse]
    var nextCursor: String?
}

enum AdminRules {
    static let usernameRule = TextRule(.visibleASCII, 3...64)
    /// bcrypt reads at most 72 bytes; at least 8 characters.
    static let passwordRule = TextRule(.anyButNUL, 8...72)
    static let passwordBytesMax = 72
    static let permissionsMax = Permission.all.count

    static func checkPassword(_ password: String, _ field: String, _ validation: inout Validation) {
        validation.text(password, field, passwordRule)
        validation.require(password.utf8.count <= passwordBytesMax, field, "must be at most \(passwordBytesMax) bytes in UTF-8")
    }

    static func checkPermissions(_ permissions: [String], _ validation: inout Validation) {
        validation.require(permissions.count <= permissionsMax, "permissions", "must hold at most \(permissionsMax) entries")
        for (index, permission) in permissions.enumerated() where !Permission.known.contains(permission) {
            validation.require(false, "permissions[\(index)]", "must be one of \(Permission.all.joined(separator: ", "))")
        }
    }

    static func checkRole(_ role: String, _ validation: inout Validation) {
        validation.require(AdminRole(rawValue: role) != nil, "role",
                           "must be one of \(AdminRole.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}

/// `POST /admin/v1/admins`.
struct CreateAdminRequest: Decodable, Sendable {
    var username: String
    var password: String
    var role: String
    var permissions: [String]

    enum CodingKeys: String, CodingKey, CaseIterable { case username, password, role, permissions }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        username = try container.required(String.self, .username)
        password = try container.required(String.self, .password)
        role = try container.required(String.self, .role)
        permissions = try container.optional([String].self, .permissions) ?? []
    }

    func validated() throws(APIError) -> CreateAdminRequest {
        var validation = Validation()
        validation.text(username, "username", AdminRules.usernameRule)
        AdminRules.checkPassword(password, "password", &validation)
        AdminRules.checkRole(role, &validation)
        AdminRules.checkPermissions(permissions, &validation)
        try validation.check()
        return self
    }
}

/// `PATCH /admin/v1/admins/{id}`: only the fields given change.
struct UpdateAdminRequest: Decodable, Sendable {
    var role: String?
    var permissions: [String]?
    var enabled: Bool?
    /// A new password set by a super admin (a reset); ends the account's sessions.
    var password: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case role, permissions, enabled, password }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        role = try container.optional(String.self, .role)
        permissions = try container.optional([String].self, .permissions)
        enabled = try container.optional(Bool.self, .enabled)
        password = try container.optional(String.self, .password)
    }

    func validated() throws(APIError) -> UpdateAdminRequest {
        var validation = Validation()
        if let role { AdminRules.checkRole(role, &validation) }
        if let permissions { AdminRules.checkPermissions(permissions, &validation) }
        if let password { AdminRules.checkPassword(password, "password", &validation) }
        validation.require(role != nil || permissions != nil || enabled != nil || password != nil, "body",
                           "must change at least one of role, permissions, enabled, password")
        try validation.check()
        return self
    }
}

/// `PUT /admin/v1/auth/password`.
struct PasswordChangeRequest: Decodable, Sendable {
    var oldPassword: String
    var newPassword: String

    enum CodingKeys: String, CodingKey, CaseIterable { case oldPassword, newPassword }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        oldPassword = try container.required(String.self, .oldPassword)
        newPassword = try container.required(String.self, .newPassword)
    }

    func validated() throws(APIError) -> PasswordChangeRequest {
        var validation = Validation()
        validation.text(oldPassword, "oldPassword", AdminLoginRequest.passwordRule)
        AdminRules.checkPassword(newPassword, "newPassword", &validation)
        validation.require(newPassword != oldPassword, "newPassword", "must differ from oldPassword")
        try validation.check()
        return self
    }

    var isOldPasswordCheckable: Bool { oldPassword.utf8.count <= AdminRules.passwordBytesMax }
}

/// `POST /admin/v1/users/{id}/ban`.
struct BanRequest: Decodable, Sendable {
    var reason: String

    static let reasonRule = TextRule(.text, 1...200)

    enum CodingKeys: String, CodingKey, CaseIterable { case reason }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        reason = try container.required(String.self, .reason)
    }

    func validated() throws(APIError) -> String {
        var validation = Validation()
        validation.text(reason, "reason", Self.reasonRule)
        try validation.check()
        return reason
    }
}

/// A buyer as the back office sees it: the phone number masked like everywhere else.
struct AdminUserResponse: Encodable, Sendable {
    var id: EntityID
    var nickname: String
    var avatarUrl: String
    var gender: String
    var phone: String?
    var realNameVerified: Bool
    var banned: Bool
    var banReason: String?
    var bannedAt: String?
    var addresses: Int
    var activeSessions: Int
    var orders: Int
    var createdAt: String

    init(_ user: User, _ identity: UserIdentity, orders: Int) {
        id = EntityID(user.id)
        nickname = identity.profile.nickname
        avatarUrl = identity.profile.avatarURL
        gender = GenderName.name(identity.profile.gender)
        phone = identity.profile.phone.isEmpty ? nil : MainlandPhone.masked(identity.profile.phone)
        realNameVerified = !identity.profile.maskedIDNumber.isEmpty
        banned = identity.banned
        banReason = identity.banned ? identity.banReason : nil
        bannedAt = identity.banned ? APITime.format(ms: identity.bannedAtMs) : nil
        addresses = identity.addresses.count
        activeSessions = identity.sessions.byFamily.count
        self.orders = orders
        createdAt = APITime.format(ms: user.createdAtMs)
    }
}

struct AdminUserListResponse: Encodable, Sendable {
    var items: [AdminUserResponse]
    var nextCursor: String?
}

struct AuditEntryResponse: Encodable, Sendable {
    var id: EntityID
    var adminId: EntityID
    var username: String
    var action: String
    var target: String
    var ip: String
    var resultCode: Int
    var at: String

    init(_ entry: AuditEntry) {
        id = EntityID(entry.id)
        adminId = EntityID(entry.adminID)
        username = entry.username
        action = entry.action
        target = entry.target
        ip = entry.ip
        resultCode = Int(entry.resultCode)
        at = APITime.format(ms: entry.atMs)
    }
}

struct AuditListResponse: Encodable, Sendable {
    var items: [AuditEntryResponse]
    var nextCursor: String?
}

enum GenderName {
    static func name(_ gender: Gender) -> String {
        switch gender {
        case .unknown: "unknown"
        case .male: "male"
        case .female: "female"
        }
    }

    static let all = ["unknown", "male", "female"]

    static func gender(_ name: String) -> Gender? {
        switch name {
        case "unknown": .unknown
        case "male": .male
        case "female": .female
        default: nil
        }
    }
}
