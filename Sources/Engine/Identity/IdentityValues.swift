/// Values the identity domain keeps in state: profiles, addresses, sessions,
/// admin accounts and audit entries. Each bounded by `IdentityLimits`.

public enum IdentityLimits {
    /// Addresses per user; the 21st is refused.
    public static let addressesMax = 20
    /// Live refresh-token families per user or admin (devices); a login beyond it ends the oldest.
    public static let sessionsMax = 10
    /// Audit entries kept in hot state (newest); older ones are in the WAL and the archive.
    public static let auditEntriesMax = 10_000
    /// Refresh tokens live this long after each rotation (CONVENTIONS.md: 7 days).
    public static let refreshLifetimeMs: Int64 = 7 * 24 * 3_600_000
    /// The refresh token spent by the latest rotation still gets the current generation (it
    /// is not reuse) this long after it: parallel requests of one client that all found the
    /// access token expired each refresh with the same token. Older generations are reuse.
    public static let refreshLeewayMs: Int64 = 30_000
    /// Failed admin logins in a row before the account is locked, and for how long.
    public static let adminFailedLoginsMax = 5
    public static let adminLockoutMs: Int64 = 15 * 60_000
}

public enum Gender: UInt8, Sendable, CaseIterable {
    case unknown = 0
    case male = 1
    case female = 2
}

/// What a user shows and what the shop knows about them. The real name and the
/// ID number are stored masked only (the full values are checked, never kept).
public struct UserProfile: Sendable, Equatable {
    public var nickname: String = ""
    public var avatarURL: String = ""
    public var gender: Gender = .unknown
    /// Mainland mobile number, 11 digits, when bound; answers show it masked.
    public var phone: String = ""
    public var maskedRealName: String = ""
    public var maskedIDNumber: String = ""

    public init() {}

    public init(nickname: String, avatarURL: String, gender: Gender, phone: String,
                maskedRealName: String, maskedIDNumber: String) {
        (self.nickname, self.avatarURL, self.gender, self.phone) = (nickname, avatarURL, gender, phone)
        (self.maskedRealName, self.maskedIDNumber) = (maskedRealName, maskedIDNumber)
    }

    public var isEmpty: Bool { self == UserProfile() }

    func encode(to writer: inout ByteWriter) {
        writer.write(nickname); writer.write(avatarURL); writer.write(gender.rawValue); writer.write(phone)
        writer.write(maskedRealName); writer.write(maskedIDNumber)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        nickname = try reader.readString(); avatarURL = try reader.readString()
        let rawGender: UInt8 = try reader.read()
        guard let gender = Gender(rawValue: rawGender) else { throw .invalid("unknown gender \(rawGender)") }
        self.gender = gender
        phone = try reader.readString(); maskedRealName = try reader.readString(); maskedIDNumber = try reader.readString()
    }
}

/// A delivery address. Region codes are the 6-digit administrative-division codes.
public struct Address: Sendable, Equatable {
    public var id: UInt64
    public var name: String
    public var phone: String
    public var provinceCode: String
    public var province: String
    public var cityCode: String
    public var city: String
    public var districtCode: String
    public var district: String
    public var detail: String
    public var isDefault: Bool
    public var createdAtMs: Int64
    public var updatedAtMs: Int64

    public init(id: UInt64, name: String, phone: String, provinceCode: String, province: String, cityCode: String,
                city: String, districtCode: String, district: String, detail: String, isDefault: Bool,
                createdAtMs: Int64, updatedAtMs: Int64) {
        (self.id, self.name, self.phone) = (id, name, phone)
        (self.provinceCode, self.province, self.cityCode, self.city) = (provinceCode, province, cityCode, city)
        (self.districtCode, self.district, self.detail, self.isDefault) = (districtCode, district, detail, isDefault)
        (self.createdAtMs, self.updatedAtMs) = (createdAtMs, updatedAtMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(id); writer.write(name); writer.write(phone)
        writer.write(provinceCode); writer.write(province); writer.write(cityCode); writer.write(city)
        writer.write(districtCode); writer.write(district); writer.write(detail); writer.write(isDefault)
        writer.write(createdAtMs); writer.write(updatedAtMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        id = try reader.read(); name = try reader.readString(); phone = try reader.readString()
        provinceCode = try reader.readString(); province = try reader.readString()
        cityCode = try reader.readString(); city = try reader.readString()
        districtCode = try reader.readString(); district = try reader.readString(); detail = try reader.readString()
        isDefault = try reader.readBool(); createdAtMs = try reader.read(); updatedAtMs = try reader.read()
    }
}

/// A refresh-token family: one login on one device. Refreshing moves it to the
/// next generation; a token of an older generation presented again is reuse,
/// except the one just spent, within `IdentityLimits.refreshLeewayMs` of its
/// rotation (a mini-program whose requests all refresh at once): that one gets
/// the current generation again.
public struct Session: Sendable, Equatable {
    public var familyID: UInt64
    public var generation: UInt32
    public var openedAtMs: Int64
    public var expiresAtMs: Int64
    /// When the family last moved to a new generation (its opening for generation 0).
    public var rotatedAtMs: Int64

    public init(familyID: UInt64, generation: UInt32, openedAtMs: Int64, expiresAtMs: Int64, rotatedAtMs: Int64? = nil) {
        (self.familyID, self.generation, self.openedAtMs, self.expiresAtMs) = (familyID, generation, openedAtMs, expiresAtMs)
        self.rotatedAtMs = rotatedAtMs ?? openedAtMs
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(familyID); writer.write(generation); writer.write(openedAtMs); writer.write(expiresAtMs); writer.write(rotatedAtMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        familyID = try reader.read(); generation = try reader.read(); openedAtMs = try reader.read(); expiresAtMs = try reader.read()
        rotatedAtMs = try reader.read()
    }
}

/// The live families of one subject, bounded by `IdentityLimits.sessionsMax`.
/// Changes are functions of the event alone (its time, never the clock), so
/// live state and replay agree.
public struct SessionSet: Sendable, Equatable {
    public private(set) var byFamily: [UInt64: Session] = [:]

    public init() {}

    init(_ sessions: [Session]) { byFamily = Dictionary(sessions.map { ($0.familyID, $0) }, uniquingKeysWith: { $1 }) }

    public var isEmpty: Bool { byFamily.isEmpty }
    public var sorted: [Session] { byFamily.values.sorted { $0.familyID < $1.familyID } }

    /// - Returns: the families that ended (expired, or the oldest beyond the bound).
    @discardableResult
    mutating func open(_ opened: SessionOpened) -> [UInt64] {
        var ended = dropExpired(atMs: opened.atMs)
        byFamily[opened.familyID] = Session(familyID: opened.familyID, generation: 0, openedAtMs: opened.atMs,
                                            expiresAtMs: opened.expiresAtMs)
        while byFamily.count > IdentityLimits.sessionsMax,
              let oldest = byFamily.values.min(by: { ($0.openedAtMs, $0.familyID) < ($1.openedAtMs, $1.familyID) }) {
            byFamily[oldest.familyID] = nil
            ended.append(oldest.familyID)
        }
        return ended
    }

    /// - Returns: false when the family is not live (the decision checked it: a broken log).
    mutating func refresh(_ refreshed: SessionRefreshed) -> Bool {
        guard var session = byFamily[refreshed.familyID] else { return false }
        session.generation = refreshed.generation
        session.expiresAtMs = refreshed.expiresAtMs
        session.rotatedAtMs = refreshed.atMs
        byFamily[refreshed.familyID] = session
        return true
    }

    /// Ends `familyIDs`, or every family when it is empty. - Returns: the families that ended.
    @discardableResult
    mutating func revoke(_ familyIDs: [UInt64]) -> [UInt64] {
        if familyIDs.isEmpty {
            defer { byFamily.removeAll() }
            return byFamily.keys.sorted()
        }
        return familyIDs.filter { byFamily.removeValue(forKey: $0) != nil }
    }

    mutating func dropExpired(atMs: Int64) -> [UInt64] {
        let expired = byFamily.values.filter { $0.expiresAtMs <= atMs }.map(\.familyID).sorted()
        for familyID in expired { byFamily[familyID] = nil }
        return expired
    }

    func encode(to writer: inout ByteWriter) { writer.write(sorted) { $1.encode(to: &$0) } }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        self.init(try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try Session(from: &r) })
    }
}

/// Admin roles. `superAdmin` may do everything, including managing admins;
/// the others hold their role's default permissions plus any granted ones.
public enum AdminRole: String, Sendable, CaseIterable {
    case superAdmin = "super_admin"
    case admin
    case `operator`

    /// What the role may do without extra grants.
    public var defaultPermissions: Set<String> {
        switch self {
        case .superAdmin: Set(Permission.all)
        case .admin: Set(Permission.all.filter { !$0.hasPrefix("admin:") })
        // Reads the shop, not the back office's own accounts and audit trail.
        case .operator: Set(Permission.all.filter { $0.hasSuffix(":read") && !$0.hasPrefix("admin:") && !$0.hasPrefix("audit:") })
        }
    }
}

/// Fine-grained permissions, `module:action`. Every `/admin/v1` route names one.
public enum Permission {
    public static let all: [String] = [
        "admin:read", "admin:write",
        "audit:read",
        "user:read", "user:write",
        "order:read", "order:write", "order:refund", "order:export",
        "product:read", "product:write",
        "marketing:read", "marketing:write",
        "payment:read", "payment:write",
        "stats:read",
    ]
    public static let known = Set(all)
}

/// A back-office account. Deleted accounts stay (their id is never reused and the
/// audit log keeps naming them) but cannot log in.
public struct AdminAccount: Sendable, Equatable {
    public var id: UInt64
    public var username: String
    public var passwordHash: String
    public var role: String
    /// Granted on top of the role's defaults, sorted.
    public var permissions: [String]
    public var enabled: Bool
    public var deleted: Bool
    public var createdAtMs: Int64

    public init(id: UInt64, username: String, passwordHash: String, role: String, permissions: [String],
                enabled: Bool, deleted: Bool, createdAtMs: Int64) {
        (self.id, self.username, self.passwordHash, self.role) = (id, username, passwordHash, role)
        self.permissions = Array(Set(permissions)).sorted()
        (self.enabled, self.deleted, self.createdAtMs) = (enabled, deleted, createdAtMs)
    }

    /// Everything this account may do.
    public var effectivePermissions: Set<String> {
        guard enabled, !deleted else { return [] }
        let roleDefaults = AdminRole(rawValue: role)?.defaultPermissions ?? []
        return roleDefaults.union(permissions)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(id); writer.write(username); writer.write(passwordHash); writer.write(role)
        writer.write(permissions) { $0.write($1) }
        writer.write(enabled); writer.write(deleted); writer.write(createdAtMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        id = try reader.read(); username = try reader.readString(); passwordHash = try reader.readString()
        role = try reader.readString()
        permissions = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.readString() }
        enabled = try reader.readBool(); deleted = try reader.readBool(); createdAtMs = try reader.read()
    }
}

/// One back-office write: who, what, when, from where, and how it ended.
public struct AuditEntry: Sendable, Equatable {
    public var id: UInt64
    public var adminID: UInt64
    public var username: String
    /// The route, e.g. `POST /admin/v1/users/{id}/ban`.
    public var action: String
    /// What it acted on, e.g. `user 42`; "" when the route names nothing.
    public var target: String
    public var ip: String
    /// The API code the request ended with (200, 40301, ...).
    public var resultCode: Int32
    public var atMs: Int64

    public init(id: UInt64, adminID: UInt64, username: String, action: String, target: String, ip: String,
                resultCode: Int32, atMs: Int64) {
        (self.id, self.adminID, self.username, self.action, self.target) = (id, adminID, username, action, target)
        (self.ip, self.resultCode, self.atMs) = (ip, resultCode, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(id); writer.write(adminID); writer.write(username); writer.write(action); writer.write(target)
        writer.write(ip); writer.write(resultCode); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        id = try reader.read(); adminID = try reader.read(); username = try reader.readString()
        action = try reader.readString(); target = try reader.readString(); ip = try reader.readString()
        resultCode = try reader.read(); atMs = try reader.read()
    }
}
