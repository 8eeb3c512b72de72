import WAL

/// Maps WeChat openids to users and registers new ones exactly once: two
/// first logins of the same openid at the same moment share one registration.
actor IdentityRegistry {
    private var userIDByOpenID: [String: UInt64]
    private var registering: [String: Task<UInt64, any Error>] = [:]

    init(users: [UserState]) {
        var index: [String: UInt64] = [:]
        for shard in users { for user in shard.users.values { index[user.openID] = user.id } }
        userIDByOpenID = index
    }

    func userID(openID: String) -> UInt64? { userIDByOpenID[openID] }

    /// - Returns: the user id and whether this call created it.
    func register(openID: String, create: @escaping @Sendable () async throws -> UInt64) async throws -> (UInt64, Bool) {
        if let existing = userIDByOpenID[openID] { return (existing, false) }
        if let pending = registering[openID] { return (try await pending.value, false) }
        let task = Task { try await create() }
        registering[openID] = task
        defer { registering[openID] = nil }
        let userID = try await task.value
        userIDByOpenID[openID] = userID
        return (userID, true)
    }
}
