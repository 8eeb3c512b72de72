import WAL

/// Identity changes of the users of one shard (sessions, profile, ban,
/// addresses). One change per user at a time: the decision marks the user
/// busy, its record is enqueued from inside the actor, and it is applied once
/// durable, so no one reads a change that a crash could still take back and the
/// next decision sees the last one applied.
extension UserShard {
    func beginIdentityChange(
        userID: UInt64, atMs: Int64, _ decide: (User, UserIdentity) throws(EngineError) -> MallEvent?
    ) throws(EngineError) -> (LSN, MallEvent)? {
        guard let user = state.users[userID] else { throw .notFound("user \(userID)") }
        guard !identityBusy.contains(userID) else {
            throw .conflict("another change to user \(userID) is being saved; retry")
        }
        guard let event = try decide(user, state.identity(of: userID)) else { return nil }
        let lsn: LSN
        do {
            lsn = try wal.enqueue(typeTag: event.tag.rawValue, version: event.version, timestampMs: atMs,
                                  payload: event.encodePayload())
        } catch {
            throw EngineError(error)
        }
        identityBusy.insert(userID)
        return (lsn, event)
    }

    /// Applies a durable identity change and frees the user for the next one.
    /// - Returns: the user's identity now, and the session families that ended.
    func finishIdentityChange(_ event: MallEvent, userID: UInt64) throws(ApplyError) -> (UserIdentity, ended: [UInt64]) {
        identityBusy.remove(userID)
        let ended = try state.applyIdentityEvent(event)
        return (state.identity(of: userID), ended)
    }

    func abandonIdentityChange(userID: UInt64) {
        identityBusy.remove(userID)
    }

    func identity(of userID: UInt64) -> (User, UserIdentity)? {
        guard let user = state.users[userID] else { return nil }
        return (user, state.identity(of: userID))
    }

    /// Users of this shard matching `filter`, ascending by id after `afterUserID`, at most `limit`.
    func users(matching filter: UserFilter, afterUserID: UInt64, limit: Int) -> [(User, UserIdentity)] {
        var found: [(User, UserIdentity)] = []
        for user in state.users.values where user.id > afterUserID {
            let identity = state.identity(of: user.id)
            if filter.matches(user, identity) { found.append((user, identity)) }
        }
        found.sort { $0.0.id < $1.0.id }
        return Array(found.prefix(limit))
    }
}

/// What an admin's user list asks for; empty fields match everything.
public struct UserFilter: Sendable, Equatable {
    public var banned: Bool?
    /// A substring of the nickname.
    public var nickname: String?
    /// A substring of the bound phone number.
    public var phone: String?
    public var createdFromMs: Int64?
    public var createdToMs: Int64?

    public init(banned: Bool? = nil, nickname: String? = nil, phone: String? = nil,
                createdFromMs: Int64? = nil, createdToMs: Int64? = nil) {
        (self.banned, self.nickname, self.phone, self.createdFromMs, self.createdToMs) =
            (banned, nickname, phone, createdFromMs, createdToMs)
    }

    func matches(_ user: User, _ identity: UserIdentity) -> Bool {
        if let banned, identity.banned != banned { return false }
        if let nickname, !nickname.isEmpty, !identity.profile.nickname.contains(nickname) { return false }
        if let phone, !phone.isEmpty, !identity.profile.phone.contains(phone) { return false }
        if let createdFromMs, user.createdAtMs < createdFromMs { return false }
        if let createdToMs, user.createdAtMs >= createdToMs { return false }
        return true
    }
}
