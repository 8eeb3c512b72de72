/// Admin accounts, their sessions and lockouts, and the audit log: the
/// identity events that `SettingsState` applies (published, read without an
/// actor hop by the login and the permission check).
extension SettingsState {
    public func admin(id: UInt64) -> Admin? {
        adminUsernameByID[id].flatMap { admins[$0] }
    }

    /// - Returns: the admin session families that ended.
    mutating func applyAdminEvent(_ event: MallEvent) -> [UInt64] {
        switch event {
        case .adminChanged(let changed):
            let account = changed.account
            var admin = admins[account.username] ?? Admin(id: account.id, username: account.username,
                                                          passwordHash: account.passwordHash, role: account.role,
                                                          updatedAtMs: changed.atMs)
            admin.id = account.id
            admin.passwordHash = account.passwordHash
            admin.role = account.role
            admin.permissions = account.permissions
            admin.enabled = account.enabled
            admin.deleted = account.deleted
            admin.createdAtMs = account.createdAtMs
            admin.updatedAtMs = changed.atMs
            let ended = changed.revokesSessions ? admin.sessions.revoke([]) : []
            put(admin)
            return ended
        case .adminLockedOut(let locked):
            guard var admin = admin(id: locked.adminID) else { return [] }
            admin.lockedUntilMs = locked.untilMs
            put(admin)
            return []
        case .sessionOpened(let opened):
            guard case .admin(let adminID) = opened.subject, var admin = admin(id: adminID) else { return [] }
            let ended = admin.sessions.open(opened)
            admin.lastLoginAtMs = opened.atMs
            admin.lastLoginIP = opened.ip
            admin.lockedUntilMs = 0
            put(admin)
            return ended
        case .sessionRefreshed(let refreshed):
            guard case .admin(let adminID) = refreshed.subject, var admin = admin(id: adminID) else { return [] }
            _ = admin.sessions.refresh(refreshed)
            put(admin)
            return []
        case .sessionsRevoked(let revoked):
            guard case .admin(let adminID) = revoked.subject, var admin = admin(id: adminID) else { return [] }
            let ended = admin.sessions.revoke(revoked.familyIDs)
            put(admin)
            return ended
        case .auditRecorded(let recorded):
            audit.append(recorded.entry)
            // Trimmed in bulk, so replaying a long log does not shift the array at every entry:
            // between `auditEntriesMax` and twice as many newest entries stay.
            if audit.count > 2 * IdentityLimits.auditEntriesMax {
                audit.removeFirst(audit.count - IdentityLimits.auditEntriesMax)
            }
            return []
        default:
            return []
        }
    }

    mutating func put(_ admin: Admin) {
        admins[admin.username] = admin
        adminUsernameByID[admin.id] = admin.username
    }
}
