import Crypto
import Foundation
import JWTKit
import Synchronization

/// Signs and verifies the API's JWTs (HS256). Access tokens live 2 hours,
/// refresh tokens 7 days (CONVENTIONS.md). The secret comes from config or is
/// generated once and kept in the data directory (see `mall serve --help`).
public struct TokenService: Sendable {
    /// `refresh` is a buyer's refresh token, `adminRefresh` an admin's.
    public enum Kind: String, Codable, Sendable { case user, admin, refresh, adminRefresh }

    public static let accessLifetimeSeconds: Double = 2 * 3600
    public static let refreshLifetimeSeconds: Double = 7 * 24 * 3600

    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var jti: IDClaim
        var kind: Kind
        var role: String?
        var name: String?
        /// The refresh-token family (the login) the token belongs to, as a decimal string.
        var fid: String
        /// For a refresh token: the family generation it was issued at.
        var gen: UInt32?

        func verify(using algorithm: some JWTAlgorithm) throws {
            try exp.verifyNotExpired()
        }
    }

    public struct Verified: Sendable, Equatable {
        public var subjectID: UInt64
        public var kind: Kind
        public var role: String?
        public var name: String?
        public var familyID: UInt64
        public var generation: UInt32
    }

    private let keys: JWTKeyCollection
    private let verified = VerifiedTokenCache()

    /// HS256 wants a key at least as long as its 32-byte output.
    public static let secretBytesMin = 32

    public struct SecretTooShort: Error, CustomStringConvertible {
        public var sizeBytes: Int
        public var description: String {
            "the JWT secret (MALL_JWT_SECRET or secrets/jwt.key) must be at least \(TokenService.secretBytesMin) bytes, got \(sizeBytes)"
        }
    }

    /// - Throws: `SecretTooShort` when `secret` is under `secretBytesMin` bytes (it comes from a setting or a file).
    public init(secret: [UInt8]) async throws(SecretTooShort) {
        guard secret.count >= Self.secretBytesMin else { throw SecretTooShort(sizeBytes: secret.count) }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// Signs a token of the session family `familyID`; a refresh token also carries its generation.
    public func issue(subjectID: UInt64, kind: Kind, familyID: UInt64, generation: UInt32 = 0,
                      role: String? = nil, name: String? = nil) async throws -> String {
        let isRefresh = kind == .refresh || kind == .adminRefresh
        let lifetime = isRefresh ? Self.refreshLifetimeSeconds : Self.accessLifetimeSeconds
        let now = Date()
        let claims = Claims(
            sub: SubjectClaim(value: String(subjectID)), exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)),
            iat: IssuedAtClaim(value: now), jti: IDClaim(value: UUID().uuidString), kind: kind, role: role, name: name,
            fid: String(familyID), gen: isRefresh ? generation : nil)
        return try await keys.sign(claims)
    }

    /// Forgets every verified token of these families (after a logout, ban or password change).
    /// The session check in front of the cache already refuses them; this frees the memory.
    public func evict(familyIDs: [UInt64]) {
        verified.evict(familyIDs: familyIDs)
    }

    /// - Returns: nil for a token that is malformed, forged, expired or of another kind.
    public func verify(_ token: String, expecting kind: Kind) async -> Verified? {
        let now = Date()
        if let hit = verified.lookup(token, now: now) { return hit.kind == kind ? hit : nil }
        guard let claims = try? await keys.verify(token, as: Claims.self), let subjectID = UInt64(claims.sub.value),
              let familyID = UInt64(claims.fid) else {
            return nil
        }
        let result = Verified(subjectID: subjectID, kind: claims.kind, role: claims.role, name: claims.name,
                              familyID: familyID, generation: claims.gen ?? 0)
        verified.store(token, result, expiresAt: claims.exp.value)
        return claims.kind == kind ? result : nil
    }
}

/// Tokens whose signature was already checked, until they expire: a buyer
/// sends the same access token with every request, and verifying it (base64,
/// JSON, HMAC, an actor hop) cost 7% of the server's CPU per purchase.
/// Bounded: at `entriesMax` the cache is emptied and refills from live traffic.
/// A hit proves the signature only: whether the token's session is still live
/// is asked of the engine on every request (`AuthMiddleware`).
final class VerifiedTokenCache: Sendable {
    static let entriesMax = 200_000

    private struct Entry {
        var verified: TokenService.Verified
        var expiresAt: Date
    }

    private struct Storage {
        var entries: [String: Entry] = [:]
        /// The tokens of each family, so a revocation can evict them.
        var tokensByFamily: [UInt64: [String]] = [:]
        /// Tokens listed in `tokensByFamily` (expired ones stay listed until the next reset).
        var indexedTokens = 0
    }

    private let storage = Mutex(Storage())

    func lookup(_ token: String, now: Date) -> TokenService.Verified? {
        storage.withLock { storage in
            guard let entry = storage.entries[token] else { return nil }
            guard entry.expiresAt > now else {
                storage.entries[token] = nil
                return nil
            }
            return entry.verified
        }
    }

    func store(_ token: String, _ verified: TokenService.Verified, expiresAt: Date) {
        storage.withLock { storage in
            if storage.entries.count >= Self.entriesMax || storage.indexedTokens >= 2 * Self.entriesMax {
                storage = Storage()
            }
            storage.entries[token] = Entry(verified: verified, expiresAt: expiresAt)
            storage.tokensByFamily[verified.familyID, default: []].append(token)
            storage.indexedTokens += 1
        }
    }

    func evict(familyIDs: [UInt64]) {
        storage.withLock { storage in
            for familyID in familyIDs {
                for token in storage.tokensByFamily.removeValue(forKey: familyID) ?? [] { storage.entries[token] = nil }
            }
        }
    }

    var count: Int { storage.withLock { $0.entries.count } }
}
