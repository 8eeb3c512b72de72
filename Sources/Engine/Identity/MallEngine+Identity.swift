/// Users (by WeChat openid), their sessions, profiles, bans and addresses, and
/// back-office admins: accounts, permissions, lockouts and the audit log.
extension MallEngine {
    public static let adminRoles: Set<String> = Set(AdminRole.allCases.map(\.rawValue))
    /// How the refusal of a banned user's login or refresh begins.
    public static let bannedPrefix = "this account is banned"

    /// Finds or registers the user of a WeChat openid.
    /// - Returns: the user and whether this login created it.
    public func registerUser(openID: String, unionID: String?) async throws(EngineError) -> (User, isNew: Bool) {
        guard !openID.isEmpty, openID.utf8.count <= 128 else { throw .invalid(field: "openid", reason: "must be 1 to 128 bytes") }
        if let unionID, unionID.utf8.count > 128 { throw .invalid(field: "unionid", reason: "must be at most 128 bytes") }
        let result: (UInt64, Bool)
        do {
            result = try await identity.register(openID: openID) { [self] () async throws -> UInt64 in
                let nowMs = clock.nowMs()
                let userID = try nextID()
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

    /// A user with its profile, ban, addresses and sessions.
    public func userIdentity(id: UInt64) async -> (User, UserIdentity)? {
        await userShard(forUser: id).identity(of: id)
    }

    // MARK: - Sessions

    /// Starts a refresh-token family for a login. For an admin, also records the last login.
    public func openSession(_ subject: SessionSubject, ip: String) async throws(EngineError) -> Session {
        let nowMs = clock.nowMs()
        let opened = SessionOpened(subject: subject, familyID: try nextID(), ip: String(ip.prefix(64)), atMs: nowMs,
                                   expiresAtMs: nowMs + IdentityLimits.refreshLifetimeMs)
        switch subject {
        case .user(let userID):
            _ = try await changeUser(userID, atMs: nowMs) { _, identity throws(EngineError) in
                guard !identity.banned else { throw .unauthorized("\(Self.bannedPrefix): \(identity.banReason)") }
                return .sessionOpened(opened)
            }
        case .admin(let adminID):
            try await commit(atMs: nowMs) { decided throws(EngineError) in
                guard let admin = decided.settings.admin(id: adminID), admin.canLogIn(atMs: nowMs) else {
                    throw .unauthorized("admin \(adminID) cannot log in")
                }
                return .sessionOpened(opened)
            }
        }
        return Session(familyID: opened.familyID, generation: 0, openedAtMs: nowMs, expiresAtMs: opened.expiresAtMs)
    }

    /// Rotates a refresh token: `generation` must be the family's current one. The one
    /// spent by the latest rotation, within `IdentityLimits.refreshLeewayMs` of it, gets the
    /// current generation again without a new rotation (parallel requests of one client all
    /// refresh with the same token). Any other generation is a reused (stolen or replayed)
    /// token: the whole family ends.
    /// - Throws: `.unauthorized` for a family that is not live, and after ending a reused one.
    public func refreshSession(_ subject: SessionSubject, familyID: UInt64, generation: UInt32) async throws(EngineError) -> Session {
        let nowMs = clock.nowMs()
        let expiresAtMs = nowMs + IdentityLimits.refreshLifetimeMs
        /// nil: within the leeway, nothing to log; the caller answers with the current generation.
        @Sendable func decide(_ sessions: SessionSet) throws(EngineError) -> MallEvent? {
            guard let session = sessions.byFamily[familyID], session.expiresAtMs > nowMs else {
                throw .unauthorized("the session has ended; log in again")
            }
            if generation &+ 1 == session.generation, nowMs - session.rotatedAtMs <= IdentityLimits.refreshLeewayMs {
                return nil
            }
            guard generation == session.generation else {
                return .sessionsRevoked(SessionsRevoked(subject: subject, familyIDs: [familyID], reason: .refreshReuse, atMs: nowMs))
            }
            guard session.generation < UInt32.max else { throw .unauthorized("the session has ended; log in again") }
            return .sessionRefreshed(SessionRefreshed(subject: subject, familyID: familyID, generation: session.generation + 1,
                                                      atMs: nowMs, expiresAtMs: expiresAtMs))
        }
        let event: MallEvent?
        let current: Session?
        switch subject {
        case .user(let userID):
            event = try await changeUser(userID, atMs: nowMs) { _, identity throws(EngineError) in
                guard !identity.banned else { throw .unauthorized("\(Self.bannedPrefix): \(identity.banReason)") }
                return try decide(identity.sessions)
            }?.0
            current = await userShard(forUser: userID).identity(of: userID)?.1.sessions.byFamily[familyID]
        case .admin(let adminID):
            event = try await commit(atMs: nowMs) { decided throws(EngineError) in
                guard let admin = decided.settings.admin(id: adminID), admin.canLogIn(atMs: nowMs) else {
                    throw .unauthorized("admin \(adminID) cannot log in")
                }
                return try decide(admin.sessions)
            }
            current = settings.admin(id: adminID)?.sessions.byFamily[familyID]
        }
        switch event {
        case .sessionRefreshed(let refreshed):
            return Session(familyID: familyID, generation: refreshed.generation, openedAtMs: nowMs, expiresAtMs: expiresAtMs,
                           rotatedAtMs: nowMs)
        case nil:
            guard let current else { throw .unauthorized("the session has ended; log in again") }
            return current
        default:
            throw .unauthorized("this refresh token was already used; the session has ended, log in again")
        }
    }

    /// Ends families (logout), or every family of the subject when `familyIDs` is empty.
    public func revokeSessions(_ subject: SessionSubject, familyIDs: [UInt64], reason: RevocationReason) async throws(EngineError) {
        let nowMs = clock.nowMs()
        let revoked = SessionsRevoked(subject: subject, familyIDs: familyIDs, reason: reason, atMs: nowMs)
        switch subject {
        case .user(let userID):
            _ = try await changeUser(userID, atMs: nowMs) { _, identity in
                identity.sessions.isEmpty ? nil : .sessionsRevoked(revoked)
            }
        case .admin(let adminID):
            try await commit(atMs: nowMs) { decided in
                guard let admin = decided.settings.admin(id: adminID), !admin.sessions.isEmpty else { return nil }
                return .sessionsRevoked(revoked)
            }
        }
    }

    /// Whether an access token of `familyID` may act for `subject` now: its family is live
    /// and, for an admin, the account may still log in. No actor hop: user families are
    /// in the session directory, admin families in the published settings.
    public func sessionIsLive(_ subject: SessionSubject, familyID: UInt64) -> Bool {
        let nowMs = clock.nowMs()
        switch subject {
        case .user:
            return sessions.entry(familyID: familyID, subject: subject, nowMs: nowMs) != nil
        case .admin(let adminID):
            guard let admin = settings.admin(id: adminID), admin.canLogIn(atMs: nowMs),
                  let session = admin.sessions.byFamily[familyID] else { return false }
            return session.expiresAtMs > nowMs
        }
    }

    // MARK: - Profile, ban, addresses

    /// Replaces the user's profile with what `change` makes of it.
    public func updateProfile(userID: UInt64, _ change: @Sendable (inout UserProfile) throws(EngineError) -> Void) async throws(EngineError) -> UserIdentity {
        let nowMs = clock.nowMs()
        let result = try await changeUser(userID, atMs: nowMs) { _, identity throws(EngineError) in
            var profile = identity.profile
            try change(&profile)
            guard profile != identity.profile else { return nil }
            return .userProfileChanged(UserProfileChanged(userID: userID, profile: profile, atMs: nowMs))
        }
        return try await identityAfter(result, userID: userID)
    }

    /// Bans (ending every session at once) or unbans a user.
    public func setUserBanned(userID: UInt64, banned: Bool, reason: String, adminID: UInt64) async throws(EngineError) -> UserIdentity {
        let nowMs = clock.nowMs()
        let result = try await changeUser(userID, atMs: nowMs) { _, identity in
            guard identity.banned != banned else { return nil }
            return .userStatusChanged(UserStatusChanged(userID: userID, banned: banned, reason: reason, adminID: adminID, atMs: nowMs))
        }
        return try await identityAfter(result, userID: userID)
    }

    /// Adds, edits, deletes an address or makes one the default (`AddressBook` keeps the rules).
    /// - Returns: the user's identity after it, and the address added or changed.
    public func changeAddresses(userID: UInt64, _ change: AddressBook.Change) async throws(EngineError) -> (UserIdentity, Address?) {
        let nowMs = clock.nowMs()
        let newID = try nextID()
        let result = try await changeUser(userID, atMs: nowMs) { _, identity throws(EngineError) in
            var book = AddressBook(addresses: identity.addresses)
            try book.apply(change, newID: newID, nowMs: nowMs)
            guard book.addresses != identity.addresses else { return nil }
            return .userAddressesChanged(UserAddressesChanged(userID: userID, addresses: book.addresses, atMs: nowMs))
        }
        let identity = try await identityAfter(result, userID: userID)
        let changedID: UInt64? = switch change {
        case .add: newID
        case .update(let id, _), .setDefault(let id): id
        case .delete: nil
        }
        return (identity, identity.addresses.first { $0.id == changedID })
    }

    /// Users matching `filter`, ascending by id after `afterUserID`; `nextCursor` is the last id when more may follow.
    public func users(matching filter: UserFilter, afterUserID: UInt64, limit: Int) async -> (users: [(User, UserIdentity)], nextCursor: UInt64?) {
        let limit = max(1, min(limit, 100))
        var found: [(User, UserIdentity)] = []
        for shard in userShards { found += await shard.users(matching: filter, afterUserID: afterUserID, limit: limit + 1) }
        found.sort { $0.0.id < $1.0.id }
        let page = Array(found.prefix(limit))
        return (page, found.count > limit ? page.last?.0.id : nil)
    }

    private func identityAfter(_ result: (MallEvent, UserIdentity)?, userID: UInt64) async throws(EngineError) -> UserIdentity {
        if let result { return result.1 }
        guard let (_, identity) = await userShard(forUser: userID).identity(of: userID) else { throw .notFound("user \(userID)") }
        return identity
    }

    /// Decides a change of one user's identity on its shard, waits until it is durable, applies it.
    /// - Returns: the event and the identity after it, or nil when `decide` found nothing to change.
    func changeUser(
        _ userID: UInt64, atMs: Int64, _ decide: @Sendable (User, UserIdentity) throws(EngineError) -> MallEvent?
    ) async throws(EngineError) -> (MallEvent, UserIdentity)? {
        let shard = userShard(forUser: userID)
        guard let (lsn, event) = try await shard.beginIdentityChange(userID: userID, atMs: atMs, decide) else { return nil }
        do {
            try await waitDurable(lsn)
        } catch {
            await shard.abandonUserChange(userID: userID)
            throw error
        }
        do {
            let (identity, ended) = try await shard.finishIdentityChange(event, userID: userID)
            sessions.apply(event, ended: ended)
            return (event, identity)
        } catch {
            reportDivergence(error, event: event)
            throw .unavailable("the change to user \(userID) did not apply; see the server log")
        }
    }

    // MARK: - Admins

    /// Creates an admin or replaces its password hash and role (the command line's bootstrap).
    public func upsertAdmin(username: String, passwordHash: String, role: String) async throws(EngineError) -> Admin {
        guard !username.isEmpty, username.utf8.count <= 64 else { throw .invalid(field: "username", reason: "must be 1 to 64 bytes") }
        guard Self.adminRoles.contains(role) else { throw .invalid(field: "role", reason: "must be one of \(Self.adminRoles.sorted())") }
        let nowMs = clock.nowMs()
        let newID = try nextID()
        let event = try await commit(atMs: nowMs) { decided in
            // Decided in the coordinator: two concurrent upserts of one username share its id.
            .adminUpserted(AdminUpserted(adminID: decided.settings.admins[username]?.id ?? newID, username: username,
                                         passwordHash: passwordHash, role: role, atMs: nowMs))
        }
        guard case .adminUpserted(let upserted) = event, let admin = settings.admin(id: upserted.adminID) else {
            throw .unavailable("admin \(username) was not recorded")
        }
        return admin
    }

    /// Creates or changes an admin account through `change`, which sees the current
    /// account (nil for a new username) and returns the new one and whether the
    /// change ends its sessions (password change, disable, delete).
    public func changeAdmin(
        username: String, byAdminID: UInt64,
        _ change: @Sendable (AdminAccount?, _ newID: UInt64, _ nowMs: Int64) throws(EngineError) -> (AdminAccount, revokesSessions: Bool)?
    ) async throws(EngineError) -> Admin {
        let nowMs = clock.nowMs()
        let newID = try nextID()
        try await commit(atMs: nowMs) { decided throws(EngineError) in
            let current = decided.settings.admins[username].map(\.account)
            guard let (account, revokes) = try change(current, current?.id ?? newID, nowMs) else { return nil }
            guard account.username == username else { throw .invalid(field: "username", reason: "cannot be changed") }
            return .adminChanged(AdminChanged(account: account, revokesSessions: revokes, byAdminID: byAdminID, atMs: nowMs))
        }
        guard let admin = settings.admins[username] else { throw .notFound("admin \(username)") }
        return admin
    }

    /// Locks an account against logins until `untilMs` (too many failed attempts).
    public func lockAdmin(id adminID: UInt64, untilMs: Int64) async throws(EngineError) {
        let nowMs = clock.nowMs()
        try await commit(atMs: nowMs) { decided in
            guard decided.settings.admin(id: adminID) != nil else { return nil }
            return .adminLockedOut(AdminLockedOut(adminID: adminID, untilMs: untilMs, atMs: nowMs))
        }
    }

    /// Records one back-office write in the audit log.
    public func recordAudit(adminID: UInt64, username: String, action: String, target: String, ip: String,
                            resultCode: Int32) async throws(EngineError) {
        let nowMs = clock.nowMs()
        let entry = AuditEntry(id: try nextID(), adminID: adminID, username: String(username.prefix(64)),
                               action: String(action.prefix(200)), target: String(target.prefix(200)),
                               ip: String(ip.prefix(64)), resultCode: resultCode, atMs: nowMs)
        try await commit(atMs: nowMs) { _ in .auditRecorded(AuditRecorded(entry: entry)) }
    }

    /// Audit entries, newest first, older than `beforeID` (0 = from the newest).
    public func auditEntries(beforeID: UInt64, adminID: UInt64?, limit: Int) -> (entries: [AuditEntry], nextCursor: UInt64?) {
        let limit = max(1, min(limit, 100))
        var page: [AuditEntry] = []
        for entry in settings.audit.reversed() where beforeID == 0 || entry.id < beforeID {
            if let adminID, entry.adminID != adminID { continue }
            page.append(entry)
            if page.count > limit { break }
        }
        let more = page.count > limit
        if more { page.removeLast() }
        return (page, more ? page.last?.id : nil)
    }
}
