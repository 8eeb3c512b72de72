/// The identity domain's events: sessions (refresh-token families), user
/// profiles, addresses and bans, admin accounts, lockouts and the audit log.
/// Tags 10–18 (`MallEvent.Tag`); every one is version 1.

/// Whose session a family is: a mini-program user or a back-office admin.
public enum SessionSubject: Sendable, Hashable, CustomStringConvertible {
    case user(UInt64)
    case admin(UInt64)

    public var id: UInt64 {
        switch self {
        case .user(let id), .admin(let id): id
        }
    }

    /// The user whose shard holds this session, nil for an admin's.
    public var userID: UInt64? {
        if case .user(let id) = self { return id }
        return nil
    }

    public var description: String {
        switch self {
        case .user(let id): "user \(id)"
        case .admin(let id): "admin \(id)"
        }
    }

    func encode(to writer: inout ByteWriter) {
        switch self {
        case .user(let id): writer.write(UInt8(1)); writer.write(id)
        case .admin(let id): writer.write(UInt8(2)); writer.write(id)
        }
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        let kind: UInt8 = try reader.read()
        let id: UInt64 = try reader.read()
        switch kind {
        case 1: self = .user(id)
        case 2: self = .admin(id)
        default: throw .invalid("unknown session subject kind \(kind)")
        }
    }
}

/// Why sessions ended.
public enum RevocationReason: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case logout = 1
    /// A refresh token was presented again after it had been rotated: the family is stolen or replayed.
    case refreshReuse = 2
    case banned = 3
    case passwordChanged = 4
    case disabled = 5
    case deleted = 6

    public var description: String {
        switch self {
        case .logout: "logout"
        case .refreshReuse: "refresh token reused"
        case .banned: "banned"
        case .passwordChanged: "password changed"
        case .disabled: "account disabled"
        case .deleted: "account deleted"
        }
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        let raw: UInt8 = try reader.read()
        guard let reason = RevocationReason(rawValue: raw) else { throw .invalid("unknown revocation reason \(raw)") }
        self = reason
    }
}

/// A login: a new refresh-token family at generation 0.
public struct SessionOpened: Sendable, Equatable {
    public var subject: SessionSubject
    public var familyID: UInt64
    /// The address the login came from ("" when unknown); an admin's last-login address.
    public var ip: String
    public var atMs: Int64
    public var expiresAtMs: Int64

    public init(subject: SessionSubject, familyID: UInt64, ip: String, atMs: Int64, expiresAtMs: Int64) {
        (self.subject, self.familyID, self.ip, self.atMs, self.expiresAtMs) = (subject, familyID, ip, atMs, expiresAtMs)
    }

    func encode(to writer: inout ByteWriter) {
        subject.encode(to: &writer); writer.write(familyID); writer.write(ip); writer.write(atMs); writer.write(expiresAtMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        subject = try SessionSubject(from: &reader); familyID = try reader.read(); ip = try reader.readString()
        atMs = try reader.read(); expiresAtMs = try reader.read()
    }
}

/// A refresh: the family moves to `generation`; tokens of earlier generations are spent.
public struct SessionRefreshed: Sendable, Equatable {
    public var subject: SessionSubject
    public var familyID: UInt64
    public var generation: UInt32
    public var atMs: Int64
    public var expiresAtMs: Int64

    public init(subject: SessionSubject, familyID: UInt64, generation: UInt32, atMs: Int64, expiresAtMs: Int64) {
        (self.subject, self.familyID, self.generation, self.atMs, self.expiresAtMs) =
            (subject, familyID, generation, atMs, expiresAtMs)
    }

    func encode(to writer: inout ByteWriter) {
        subject.encode(to: &writer); writer.write(familyID); writer.write(generation); writer.write(atMs); writer.write(expiresAtMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        subject = try SessionSubject(from: &reader); familyID = try reader.read(); generation = try reader.read()
        atMs = try reader.read(); expiresAtMs = try reader.read()
    }
}

/// Families ended at once; an empty list ends every family of the subject.
public struct SessionsRevoked: Sendable, Equatable {
    public var subject: SessionSubject
    public var familyIDs: [UInt64]
    public var reason: RevocationReason
    public var atMs: Int64

    public init(subject: SessionSubject, familyIDs: [UInt64], reason: RevocationReason, atMs: Int64) {
        (self.subject, self.familyIDs, self.reason, self.atMs) = (subject, familyIDs, reason, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        subject.encode(to: &writer); writer.write(familyIDs) { $0.write($1) }; writer.write(reason.rawValue); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        subject = try SessionSubject(from: &reader)
        familyIDs = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> UInt64 in try r.read() }
        reason = try RevocationReason(from: &reader); atMs = try reader.read()
    }
}

/// A user's profile as it stands after a change: every field, validated by the decision.
public struct UserProfileChanged: Sendable, Equatable {
    public var userID: UInt64
    public var profile: UserProfile
    public var atMs: Int64

    public init(userID: UInt64, profile: UserProfile, atMs: Int64) {
        (self.userID, self.profile, self.atMs) = (userID, profile, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(userID); profile.encode(to: &writer); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        userID = try reader.read(); profile = try UserProfile(from: &reader); atMs = try reader.read()
    }
}

/// A ban or its lifting. A ban ends every session of the user in the same record.
public struct UserStatusChanged: Sendable, Equatable {
    public var userID: UInt64
    public var banned: Bool
    public var reason: String
    public var adminID: UInt64
    public var atMs: Int64

    public init(userID: UInt64, banned: Bool, reason: String, adminID: UInt64, atMs: Int64) {
        (self.userID, self.banned, self.reason, self.adminID, self.atMs) = (userID, banned, reason, adminID, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(userID); writer.write(banned); writer.write(reason); writer.write(adminID); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        userID = try reader.read(); banned = try reader.readBool(); reason = try reader.readString()
        adminID = try reader.read(); atMs = try reader.read()
    }
}

/// A user's address book as it stands after a change (at most `UserLimits.addressesMax`
/// entries, exactly one default when not empty): the decision did the bookkeeping.
public struct UserAddressesChanged: Sendable, Equatable {
    public var userID: UInt64
    public var addresses: [Address]
    public var atMs: Int64

    public init(userID: UInt64, addresses: [Address], atMs: Int64) {
        (self.userID, self.addresses, self.atMs) = (userID, addresses, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(userID); writer.write(addresses) { $1.encode(to: &$0) }; writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        userID = try reader.read()
        addresses = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try Address(from: &r) }
        atMs = try reader.read()
    }
}

/// An admin account as it stands after a change (create, edit, password, enable,
/// disable, delete). `revokesSessions` ends every session of the admin in the same record.
public struct AdminChanged: Sendable, Equatable {
    public var account: AdminAccount
    public var revokesSessions: Bool
    /// The admin who made the change; 0 for the command line (seed, bootstrap).
    public var byAdminID: UInt64
    public var atMs: Int64

    public init(account: AdminAccount, revokesSessions: Bool, byAdminID: UInt64, atMs: Int64) {
        (self.account, self.revokesSessions, self.byAdminID, self.atMs) = (account, revokesSessions, byAdminID, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        account.encode(to: &writer); writer.write(revokesSessions); writer.write(byAdminID); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        account = try AdminAccount(from: &reader); revokesSessions = try reader.readBool()
        byAdminID = try reader.read(); atMs = try reader.read()
    }
}

/// Too many failed logins: the account refuses logins until `untilMs`.
public struct AdminLockedOut: Sendable, Equatable {
    public var adminID: UInt64
    public var untilMs: Int64
    public var atMs: Int64

    public init(adminID: UInt64, untilMs: Int64, atMs: Int64) {
        (self.adminID, self.untilMs, self.atMs) = (adminID, untilMs, atMs)
    }

    func encode(to writer: inout ByteWriter) { writer.write(adminID); writer.write(untilMs); writer.write(atMs) }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        adminID = try reader.read(); untilMs = try reader.read(); atMs = try reader.read()
    }
}

/// One back-office write, whatever its outcome.
public struct AuditRecorded: Sendable, Equatable {
    public var entry: AuditEntry

    public init(entry: AuditEntry) { self.entry = entry }

    func encode(to writer: inout ByteWriter) { entry.encode(to: &writer) }

    init(from reader: inout ByteReader) throws(ByteDecodingError) { entry = try AuditEntry(from: &reader) }
}
