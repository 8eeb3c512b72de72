/// The identity part of a user: profile, ban, addresses and sessions. Kept
/// beside `User` in `UserState.identities`, only for users that have any, so a
/// flash-sale buyer who never opens the profile page costs nothing more.
public struct UserIdentity: Sendable, Equatable {
    public var profile = UserProfile()
    public var banned = false
    public var banReason = ""
    public var bannedAtMs: Int64 = 0
    public var addresses: [Address] = []
    public var sessions = SessionSet()
    public var updatedAtMs: Int64 = 0

    public init() {}

    public var isEmpty: Bool { self == UserIdentity() }

    public var defaultAddress: Address? { addresses.first(where: \.isDefault) }

    func encode(to writer: inout ByteWriter) {
        profile.encode(to: &writer)
        writer.write(banned); writer.write(banReason); writer.write(bannedAtMs)
        writer.write(addresses) { $1.encode(to: &$0) }
        sessions.encode(to: &writer)
        writer.write(updatedAtMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        profile = try UserProfile(from: &reader)
        banned = try reader.readBool(); banReason = try reader.readString(); bannedAtMs = try reader.read()
        addresses = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try Address(from: &r) }
        sessions = try SessionSet(from: &reader)
        updatedAtMs = try reader.read()
    }
}

extension UserState {
    /// The identity of a user of this shard (empty when it has none yet).
    public func identity(of userID: UInt64) -> UserIdentity { identities[userID] ?? UserIdentity() }

    /// Applies an identity event of a user of this shard.
    /// - Returns: the session families that ended, for the session directory.
    @discardableResult
    mutating func applyIdentityEvent(_ event: MallEvent) throws(ApplyError) -> [UInt64] {
        switch event {
        case .sessionOpened(let opened):
            return try changeIdentity(of: opened.subject.id) { $0.sessions.open(opened) }
        case .sessionRefreshed(let refreshed):
            return try changeIdentity(of: refreshed.subject.id) { identity throws(ApplyError) -> [UInt64] in
                guard identity.sessions.refresh(refreshed) else {
                    throw ApplyError("session \(refreshed.familyID) of \(refreshed.subject) is not live")
                }
                return []
            }
        case .sessionsRevoked(let revoked):
            return try changeIdentity(of: revoked.subject.id) { $0.sessions.revoke(revoked.familyIDs) }
        case .userProfileChanged(let changed):
            return try changeIdentity(of: changed.userID) { identity in
                identity.profile = changed.profile
                identity.updatedAtMs = changed.atMs
                return []
            }
        case .userStatusChanged(let changed):
            return try changeIdentity(of: changed.userID) { identity in
                identity.banned = changed.banned
                identity.banReason = changed.banned ? changed.reason : ""
                identity.bannedAtMs = changed.banned ? changed.atMs : 0
                identity.updatedAtMs = changed.atMs
                return changed.banned ? identity.sessions.revoke([]) : []
            }
        case .userAddressesChanged(let changed):
            guard changed.addresses.count <= IdentityLimits.addressesMax else {
                throw ApplyError("user \(changed.userID) has \(changed.addresses.count) addresses, over \(IdentityLimits.addressesMax)")
            }
            return try changeIdentity(of: changed.userID) { identity in
                identity.addresses = changed.addresses
                identity.updatedAtMs = changed.atMs
                return []
            }
        default:
            return []
        }
    }

    private mutating func changeIdentity(
        of userID: UInt64, _ change: (inout UserIdentity) throws(ApplyError) -> [UInt64]
    ) throws(ApplyError) -> [UInt64] {
        guard users[userID] != nil else { throw ApplyError("identity event for unknown user \(userID)") }
        var identity = identities[userID] ?? UserIdentity()
        let ended = try change(&identity)
        identities[userID] = identity.isEmpty ? nil : identity
        return ended
    }
}
