import WAL

/// Identity changes of the users of one shard (sessions, profile, ban,
/// addresses). One change per user at a time: the decision marks the user
/// busy, its record is enqueued from inside the actor, and it is applied once
/// durable, so no one reads a change that a crash could still take back and the
/// next decision sees the last one applied. A change that finds the user busy
/// waits its turn (a mini-program's parallel requests all refresh at once);
/// beyond `identityWaitersMax` waiting it is refused.
extension UserShard {
    static let identityWaitersMax = 16

    func beginIdentityChange(
        userID: UInt64, atMs: Int64, _ decide: (User, UserIdentity) throws(EngineError) -> MallEvent?
    ) async throws(EngineError) -> (LSN, MallEvent)? {
        try await beginUserChange(userID: userID, atMs: atMs) { user throws(EngineError) in
            try decide(user, state.identity(of: userID))
        }
    }

    /// Favorites and histories change one at a time per user, like identity (the same turn-taking).
    func beginBrowsingChange(
        userID: UInt64, atMs: Int64, _ decide: (UserBrowsing) throws(EngineError) -> MallEvent?
    ) async throws(EngineError) -> (LSN, MallEvent)? {
        try await beginUserChange(userID: userID, atMs: atMs) { _ throws(EngineError) in
            try decide(state.browsing[userID] ?? UserBrowsing())
        }
    }

    func finishBrowsingChange(_ event: MallEvent, userID: UInt64) throws(ApplyError) -> UserBrowsing {
        identityBusy.remove(userID)
        defer { wakeNextIdentityChange(of: userID) }
        try state.applyBrowsingEvent(event)
        return state.browsing[userID] ?? UserBrowsing()
    }

    func browsing(of userID: UInt64) -> UserBrowsing? {
        guard state.users[userID] != nil else { return nil }
        return state.browsing[userID] ?? UserBrowsing()
    }

    private func beginUserChange(
        userID: UInt64, atMs: Int64, _ decide: (User) throws(EngineError) -> MallEvent?
    ) async throws(EngineError) -> (LSN, MallEvent)? {
        while identityBusy.contains(userID) {
            guard identityWaiters[userID, default: []].count < Self.identityWaitersMax else {
                throw .conflict("too many changes to user \(userID) at once; retry")
            }
            await withCheckedContinuation { identityWaiters[userID, default: []].append($0) }
        }
        guard let user = state.users[userID] else {
            wakeNextIdentityChange(of: userID)
            throw .notFound("user \(userID)")
        }
        let event: MallEvent
        do {
            guard let decided = try decide(user) else {
                wakeNextIdentityChange(of: userID)
                return nil
            }
            event = decided
        } catch {
            wakeNextIdentityChange(of: userID)
            throw error
        }
        let lsn: LSN
        do {
            lsn = try wal.enqueue(typeTag: event.tag.rawValue, version: event.version, timestampMs: atMs,
                                  payload: event.encodePayload())
        } catch {
            wakeNextIdentityChange(of: userID)
            throw EngineError(error)
        }
        identityBusy.insert(userID)
        return (lsn, event)
    }

    /// Lets the next change waiting for this user decide.
    private func wakeNextIdentityChange(of userID: UInt64) {
        guard var waiting = identityWaiters.removeValue(forKey: userID), !waiting.isEmpty else { return }
        let next = waiting.removeFirst()
        if !waiting.isEmpty { identityWaiters[userID] = waiting }
        next.resume()
    }

    /// Applies a durable identity change and frees the user for the next one.
    /// - Returns: the user's identity now, and the session families that ended.
    func finishIdentityChange(_ event: MallEvent, userID: UInt64) throws(ApplyError) -> (UserIdentity, ended: [UInt64]) {
        identityBusy.remove(userID)
        defer { wakeNextIdentityChange(of: userID) }
        let ended = try state.applyIdentityEvent(event)
        return (state.identity(of: userID), ended)
    }

    func abandonUserChange(userID: UInt64) {
        identityBusy.remove(userID)
        wakeNextIdentityChange(of: userID)
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
