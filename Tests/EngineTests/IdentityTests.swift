@testable import Engine
import Foundation
import Testing

@Suite("Identity: sessions, bans, addresses, admins, audit")
struct IdentityTests {
    private func input(_ name: String, isDefault: Bool = false) -> AddressBook.AddressInput {
        AddressBook.AddressInput(name: name, phone: "13800138000", provinceCode: "440000", province: "广东省",
                                 cityCode: "440300", city: "深圳市", districtCode: "440305", district: "南山区",
                                 detail: "科技园路1号", isDefault: isDefault)
    }

    @Test("a refresh rotates the family; presenting a spent generation again ends the whole family")
    func refreshRotationAndReuse() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let user = try await registerUsers(engine, count: 1)[0]
        let session = try await engine.openSession(.user(user), ip: "10.0.0.1")
        #expect(engine.sessionIsLive(.user(user), familyID: session.familyID))
        #expect(!engine.sessionIsLive(.user(user + 1), familyID: session.familyID), "another subject's family is not live for it")

        let first = try await engine.refreshSession(.user(user), familyID: session.familyID, generation: 0)
        #expect(first.generation == 1)
        let second = try await engine.refreshSession(.user(user), familyID: session.familyID, generation: 1)
        #expect(second.generation == 2)
        // The generation-1 token was spent just now: within the leeway it gets the current
        // generation again, without a rotation (parallel requests of one client).
        let parallel = try await engine.refreshSession(.user(user), familyID: session.familyID, generation: 1)
        #expect(parallel.generation == 2)
        clock.advance(byMs: IdentityLimits.refreshLeewayMs + 1)
        // The leeway is over: the spent generation-1 token is reuse now.
        await #expect(throws: EngineError.self) {
            _ = try await engine.refreshSession(.user(user), familyID: session.familyID, generation: 1)
        }
        #expect(!engine.sessionIsLive(.user(user), familyID: session.familyID), "reuse ends the family at once")
        await #expect(throws: EngineError.self) {
            _ = try await engine.refreshSession(.user(user), familyID: session.familyID, generation: 2)
        }
        // Expiry: a family not refreshed for 7 days is over.
        let other = try await engine.openSession(.user(user), ip: "")
        clock.advance(byMs: IdentityLimits.refreshLifetimeMs)
        #expect(!engine.sessionIsLive(.user(user), familyID: other.familyID))
        await engine.close()
    }

    @Test("logout ends one family, a ban ends all and refuses logins until unbanned; at most 10 families per user")
    func logoutBanAndBound() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let user = try await registerUsers(engine, count: 1)[0]
        var families: [UInt64] = []
        for _ in 0..<(IdentityLimits.sessionsMax + 1) {
            families.append(try await engine.openSession(.user(user), ip: "").familyID)
            clock.advance(byMs: 1)
        }
        #expect(!engine.sessionIsLive(.user(user), familyID: families[0]), "the oldest of 11 logins is ended")
        #expect(families.dropFirst().allSatisfy { engine.sessionIsLive(.user(user), familyID: $0) })

        try await engine.revokeSessions(.user(user), familyIDs: [families[1]], reason: .logout)
        #expect(!engine.sessionIsLive(.user(user), familyID: families[1]))
        #expect(engine.sessionIsLive(.user(user), familyID: families[2]))

        let banned = try await engine.setUserBanned(userID: user, banned: true, reason: "fraud", adminID: 7)
        #expect(banned.banned && banned.banReason == "fraud" && banned.sessions.isEmpty)
        #expect(families.allSatisfy { !engine.sessionIsLive(.user(user), familyID: $0) })
        await #expect(throws: EngineError.unauthorized("this account is banned: fraud")) {
            _ = try await engine.openSession(.user(user), ip: "")
        }
        _ = try await engine.setUserBanned(userID: user, banned: false, reason: "", adminID: 7)
        let again = try await engine.openSession(.user(user), ip: "")
        #expect(engine.sessionIsLive(.user(user), familyID: again.familyID))
        await engine.close()
    }

    @Test("an address book holds at most 20, always exactly one default; deleting the default promotes the newest")
    func addressBookRules() throws {
        var book = AddressBook(addresses: [])
        let first = try #require(try book.apply(.add(input("a")), newID: 1, nowMs: 10))
        #expect(first.isDefault, "the first address is the default")
        try book.apply(.add(input("b")), newID: 2, nowMs: 20)
        try book.apply(.add(input("c", isDefault: true)), newID: 3, nowMs: 30)
        #expect(book.addresses.filter(\.isDefault).map(\.id) == [3])
        try book.apply(.setDefault(id: 1), newID: 0, nowMs: 40)
        #expect(book.addresses.filter(\.isDefault).map(\.id) == [1])
        try book.apply(.update(id: 2, input("b2", isDefault: true)), newID: 0, nowMs: 50)
        #expect(book.addresses.filter(\.isDefault).map(\.id) == [2])
        #expect(book.addresses.first { $0.id == 2 }?.createdAtMs == 20, "an edit keeps the creation time")
        try book.apply(.delete(id: 2), newID: 0, nowMs: 60)
        #expect(book.addresses.filter(\.isDefault).map(\.id) == [3], "the newest remaining address became the default")
        #expect(throws: EngineError.notFound("address 99")) { try book.apply(.delete(id: 99), newID: 0, nowMs: 70) }
        for index in 0..<(IdentityLimits.addressesMax - book.addresses.count) {
            try book.apply(.add(input("n\(index)")), newID: UInt64(100 + index), nowMs: 80)
        }
        #expect(book.addresses.count == IdentityLimits.addressesMax)
        #expect(throws: EngineError.self) { try book.apply(.add(input("over")), newID: 999, nowMs: 90) }
        #expect(book.addresses.filter(\.isDefault).count == 1)
        try book.apply(.delete(id: 1), newID: 0, nowMs: 95)
        try book.apply(.delete(id: 3), newID: 0, nowMs: 96)
        #expect(book.addresses.filter(\.isDefault).count == 1)
    }

    @Test("admins: permissions from role and grants, disable and password change end sessions, lockout refuses logins")
    func adminAccounts() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let admin = try await engine.changeAdmin(username: "ops", byAdminID: 0) { current, newID, nowMs in
            #expect(current == nil)
            return (AdminAccount(id: newID, username: "ops", passwordHash: "h1", role: "operator", permissions: ["order:refund"],
                                 enabled: true, deleted: false, createdAtMs: nowMs), false)
        }
        #expect(admin.effectivePermissions.contains("order:read"))
        #expect(admin.effectivePermissions.contains("order:refund"))
        #expect(!admin.effectivePermissions.contains("product:write"))
        let session = try await engine.openSession(.admin(admin.id), ip: "192.0.2.1")
        #expect(engine.sessionIsLive(.admin(admin.id), familyID: session.familyID))
        #expect(engine.settings.admin(id: admin.id)?.lastLoginIP == "192.0.2.1")

        _ = try await engine.changeAdmin(username: "ops", byAdminID: 0) { current, _, _ in
            guard var account = current else { return nil }
            account.passwordHash = "h2"
            return (account, true)
        }
        #expect(!engine.sessionIsLive(.admin(admin.id), familyID: session.familyID), "a password change ends every session")

        let relogin = try await engine.openSession(.admin(admin.id), ip: "")
        try await engine.lockAdmin(id: admin.id, untilMs: clock.nowMs() + 60_000)
        #expect(!engine.sessionIsLive(.admin(admin.id), familyID: relogin.familyID), "a locked account's tokens stop working")
        await #expect(throws: EngineError.self) { _ = try await engine.openSession(.admin(admin.id), ip: "") }
        clock.advance(byMs: 60_001)
        #expect(engine.sessionIsLive(.admin(admin.id), familyID: relogin.familyID), "the lock ends on its own")

        _ = try await engine.changeAdmin(username: "ops", byAdminID: 0) { current, _, _ in
            guard var account = current else { return nil }
            account.enabled = false
            return (account, true)
        }
        #expect(!engine.sessionIsLive(.admin(admin.id), familyID: relogin.familyID))
        #expect(engine.settings.admin(id: admin.id)?.effectivePermissions.isEmpty == true)
        await engine.close()
    }

    @Test("the audit log pages newest first and filters by admin")
    func auditPages() async throws {
        let directory = TestDataDirectory()
        let engine = try openEngine(directory, clock: ManualClock(nowMs: testEpochMs))
        for index in 0..<25 {
            try await engine.recordAudit(adminID: UInt64(index % 2 + 1), username: "a\(index % 2)", action: "POST /admin/v1/x",
                                         target: "/admin/v1/x/\(index)", ip: "127.0.0.1", resultCode: 200)
        }
        let first = engine.auditEntries(beforeID: 0, adminID: nil, limit: 10)
        #expect(first.entries.count == 10 && first.entries.first?.target == "/admin/v1/x/24")
        let cursor = try #require(first.nextCursor)
        let second = engine.auditEntries(beforeID: cursor, adminID: nil, limit: 10)
        #expect(second.entries.first?.target == "/admin/v1/x/14")
        let last = engine.auditEntries(beforeID: try #require(second.nextCursor), adminID: nil, limit: 10)
        #expect(last.entries.count == 5 && last.nextCursor == nil)
        #expect(engine.auditEntries(beforeID: 0, adminID: 2, limit: 100).entries.count == 12)
        await engine.close()
    }

    @Test("identity state survives a restart: replay and the snapshot give the live digest")
    func identitySurvivesRestart() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let users = try await registerUsers(engine, count: 3)
        let session = try await engine.openSession(.user(users[0]), ip: "")
        _ = try await engine.refreshSession(.user(users[0]), familyID: session.familyID, generation: 0)
        _ = try await engine.updateProfile(userID: users[1]) { profile in
            profile.nickname = "小明"
            profile.phone = "13800138000"
            profile.gender = .male
        }
        _ = try await engine.changeAddresses(userID: users[1], .add(input("张三")))
        _ = try await engine.setUserBanned(userID: users[2], banned: true, reason: "spam", adminID: 1)
        let admin = try await engine.changeAdmin(username: "boss", byAdminID: 0) { _, newID, nowMs in
            (AdminAccount(id: newID, username: "boss", passwordHash: "h", role: "super_admin", permissions: [],
                          enabled: true, deleted: false, createdAtMs: nowMs), false)
        }
        let adminSession = try await engine.openSession(.admin(admin.id), ip: "10.1.1.1")
        try await engine.recordAudit(adminID: admin.id, username: "boss", action: "POST /admin/v1/users/{id}/ban",
                                     target: "/admin/v1/users/\(users[2])/ban", ip: "10.1.1.1", resultCode: 200)
        let live = await engine.liveState()
        await engine.close()

        let (replayed, _) = try Recovery.rebuild(configuration: directory.configuration())
        #expect(replayed.digest == live.digest)
        let reopened = try openEngine(directory, clock: clock)
        #expect(reopened.sessionIsLive(.user(users[0]), familyID: session.familyID), "the session directory is rebuilt")
        #expect(reopened.sessionIsLive(.admin(admin.id), familyID: adminSession.familyID))
        #expect(await reopened.userIdentity(id: users[1])?.1.addresses.count == 1)
        _ = try await reopened.maintain(force: true)
        let (fromSnapshot, report) = try Recovery.rebuild(configuration: directory.configuration())
        #expect(report.snapshotFile != nil)
        #expect(fromSnapshot.digest == live.digest)
        #expect(fromSnapshot.users.contains { $0.identities[users[2]]?.banned == true })
        #expect(fromSnapshot.settings.audit.count == 1)
        await reopened.close()
    }

    @Test("parallel refreshes of one session with the same token all succeed, in turn, each a new generation")
    func parallelRefreshes() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let user = try await registerUsers(engine, count: 1)[0]
        let session = try await engine.openSession(.user(user), ip: "")
        let generations = try await withThrowingTaskGroup(of: UInt32.self) { group in
            for _ in 0..<8 {
                group.addTask { try await engine.refreshSession(.user(user), familyID: session.familyID, generation: 0).generation }
            }
            return try await group.reduce(into: [UInt32]()) { $0.append($1) }
        }
        // The first rotates 0 -> 1; the other seven present the token it just spent and get generation 1 too.
        #expect(generations == Array(repeating: 1, count: 8))
        #expect(engine.sessionIsLive(.user(user), familyID: session.familyID))
        clock.advance(byMs: IdentityLimits.refreshLeewayMs + 1)
        await #expect(throws: EngineError.self) {
            _ = try await engine.refreshSession(.user(user), familyID: session.familyID, generation: 0)
        }
        #expect(!engine.sessionIsLive(.user(user), familyID: session.familyID), "after the leeway the spent token is reuse")
        await engine.close()
    }
}
