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
                try await commit(atMs: nowMs) { _ in
                    .userRegistered(UserRegistered(userID: userID, openID: openID, unionID: unionID, atMs: nowMs))
                }
                return userID
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
        guard let user = await userShard(forUser: result.0).user(result.0) else { throw .unavailable("user \(result.0) was not applied") }
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
        let newID = ids.next()
        let event = try await commit(atMs: nowMs) { decided in
            // Decided in the coordinator: two concurrent upserts of one username share its id.
            .adminUpserted(AdminUpserted(adminID: decided.settings.admins[username]?.id ?? newID, username: username,
                                         passwordHash: passwordHash, role: role, atMs: nowMs))
        }
        guard case .adminUpserted(let upserted) = event else { throw .unavailable("admin \(username) was not recorded") }
        return Admin(id: upserted.adminID, username: username, passwordHash: passwordHash, role: role, updatedAtMs: nowMs)
    }
}
