/// Users (by WeChat openid) and back-office admins.
extension MallEngine {
    public static let adminRoles: Set<String> = ["super_admin", "admin", "operator"]

    /// Finds or registers the user of a WeChat openid.
    /// - Returns: the user and whether this login created it.
    public func registerUser(openID: String, unionID: String?) async throws(EngineError) -> (User, isNew: Bool) {
        guard !openID.isEmpty, openID.utf8.count <= 128 else { throw .invalid(field: "openid", reason: "must be 1 to 128 bytes") }
        let result: (UInt64, Bool)
        do {
            result = try await identity.register(openID: openID) { [self] () async throws -> UInt64 in
                let nowMs = clock.nowMs()
                let userID = ids.next()
                try await commit(.userRegistered(UserRegistered(userID: userID, openID: openID, unionID: unionID, atMs: nowMs)), atMs: nowMs)
                return userID
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
        guard let user = await userShard(forUser: result.0).user(result.0) else { preconditionFailure("user \(result.0) not applied") }
        return (user, result.1)
    }

    public func user(id: UInt64) async -> User? {
        await userShard(forUser: id).user(id)
    }

    /// Creates an admin or replaces its password hash and role.
    public func upsertAdmin(username: String, passwordHash: String, role: String) async throws(EngineError) -> Admin {
        guard !username.isEmpty, username.utf8.count <= 64 else { throw .invalid(field: "username", reason: "must be 1 to 64 bytes") }
        guard Self.adminRoles.contains(role) else { throw .invalid(field: "role", reason: "must be one of \(Self.adminRoles.sorted())") }
        let nowMs = clock.nowMs()
        let adminID = settings.admins[username]?.id ?? ids.next()
        try await commit(.adminUpserted(AdminUpserted(adminID: adminID, username: username, passwordHash: passwordHash,
                                                      role: role, atMs: nowMs)), atMs: nowMs)
        guard let admin = settings.admins[username] else { preconditionFailure("admin \(username) not applied") }
        return admin
    }
}
