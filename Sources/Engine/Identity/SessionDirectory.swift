import Synchronization

/// The live refresh-token families of every user, for the check in
/// front of every authenticated request: an access token is honoured only while
/// its family is here. Derived from state (rebuilt at start-up), changed only
/// after the record that changes a family is durable and applied, so a logout,
/// ban or password change answered to its caller is in force for the next
/// request. Striped like `OrderDirectory`, so the check rarely waits.
final class SessionDirectory: Sendable {
    struct Entry: Sendable, Equatable {
        var subject: SessionSubject
        var generation: UInt32
        var expiresAtMs: Int64
    }

    private static let stripeCount = 16
    private let stripes: [Stripe]

    private final class Stripe: Sendable {
        let entries = Mutex<[UInt64: Entry]>([:])
    }

    init() {
        stripes = (0..<Self.stripeCount).map { _ in Stripe() }
    }

    convenience init(users: [UserState]) {
        self.init()
        for shard in users {
            for (userID, identity) in shard.identities {
                for session in identity.sessions.byFamily.values { put(session, of: .user(userID)) }
            }
        }
    }

    private func stripe(_ familyID: UInt64) -> Stripe {
        stripes[ShardRouter.shard(of: familyID, count: Self.stripeCount)]
    }

    private func put(_ session: Session, of subject: SessionSubject) {
        stripe(session.familyID).entries.withLock {
            $0[session.familyID] = Entry(subject: subject, generation: session.generation, expiresAtMs: session.expiresAtMs)
        }
    }

    /// The family's state when it is live for `subject` at `nowMs`.
    func entry(familyID: UInt64, subject: SessionSubject, nowMs: Int64) -> Entry? {
        guard let entry = stripe(familyID).entries.withLock({ $0[familyID] }), entry.subject == subject,
              entry.expiresAtMs > nowMs else { return nil }
        return entry
    }

    /// Takes a durable identity event of a user and the families its application ended.
    func apply(_ event: MallEvent, ended: [UInt64]) {
        switch event {
        case .sessionOpened(let opened):
            put(Session(familyID: opened.familyID, generation: 0, openedAtMs: opened.atMs, expiresAtMs: opened.expiresAtMs),
                of: opened.subject)
        case .sessionRefreshed(let refreshed):
            put(Session(familyID: refreshed.familyID, generation: refreshed.generation, openedAtMs: refreshed.atMs,
                        expiresAtMs: refreshed.expiresAtMs), of: refreshed.subject)
        default:
            break
        }
        for familyID in ended { _ = stripe(familyID).entries.withLock { $0.removeValue(forKey: familyID) } }
    }
}
