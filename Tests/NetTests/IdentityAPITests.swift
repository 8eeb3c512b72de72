import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import Testing

@Suite("Identity over HTTP: sessions, bans, lockout, RBAC, audit")
struct IdentityAPITests {
    @Test("every /admin/v1 route declares a permission (or is a login), and no declaration names a route that is gone")
    func everyAdminRouteHasAPermission() async throws {
        let app = try await TestApp.make()
        let router = buildRouter(app.services)
        let adminRoutes = Set(router.routes.map { AdminPermissions.key(method: $0.method, path: $0.path.description) }
            .filter { $0.split(separator: " ").last?.hasPrefix("/admin/v1/") == true })
        let declared = Set(AdminPermissions.byRoute.keys).union(AdminPermissions.publicRoutes)
        #expect(adminRoutes.subtracting(declared).isEmpty, "admin routes without a permission: \(adminRoutes.subtracting(declared).sorted())")
        #expect(declared.subtracting(adminRoutes).isEmpty, "permissions for routes that do not exist: \(declared.subtracting(adminRoutes).sorted())")
        for permission in AdminPermissions.byRoute.values where !permission.isEmpty {
            #expect(Permission.known.contains(permission), "\(permission) is not a known permission")
        }
        await app.close()
    }

    @Test("one Authorization field authorizes; two, even both valid, are refused on required and optional routes alike")
    func authorizationFields() async throws {
        #expect(AuthMiddleware.authorization(in: [.contentType: "application/json"]) == .absent)
        #expect(AuthMiddleware.authorization(in: [.authorization: "Bearer a"]) == .one("Bearer a"))
        var two: HTTPFields = [.authorization: "Bearer a"]
        two.append(HTTPField(name: .authorization, value: "Bearer a"))
        #expect(AuthMiddleware.authorization(in: two) == .several)

        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let token = try await client.userToken(code: "alice")
            func status(_ uri: String, tokens: [String]) async throws -> HTTPResponse.Status {
                var headers: HTTPFields = [:]
                for token in tokens { headers.append(HTTPField(name: .authorization, value: "Bearer \(token)")) }
                return try await client.execute(uri: uri, method: .get, headers: headers) { $0.status }
            }
            #expect(try await status("/api/v1/users/me", tokens: [token]) == .ok)
            #expect(try await status("/api/v1/users/me", tokens: []) == .unauthorized)
            #expect(try await status("/api/v1/users/me", tokens: [token, token]) == .unauthorized)
            // The storefront lets a request without the field through, not one with two.
            #expect(try await status("/api/v1/products", tokens: []) == .ok)
            #expect(try await status("/api/v1/products", tokens: [token]) == .ok)
            #expect(try await status("/api/v1/products", tokens: [token, token]) == .unauthorized)
        }
        await app.close()
    }

    @Test("refresh rotates both tokens; the old refresh token presented again after the leeway ends the session everywhere")
    func refreshReuse() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let login = try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": "alice"])
            let access = try #require(login.data["accessToken"] as? String)
            let refresh = try #require(login.data["refreshToken"] as? String)
            #expect(try await client.call(.get, "/api/v1/orders", token: access).status == 200)

            let rotated = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": refresh])
            #expect(rotated.status == 200)
            let newAccess = try #require(rotated.data["accessToken"] as? String)
            let newRefresh = try #require(rotated.data["refreshToken"] as? String)
            #expect(newRefresh != refresh)
            #expect(try await client.call(.get, "/api/v1/orders", token: newAccess).status == 200)

            // Within the leeway the spent token gets the current generation (parallel requests)...
            let parallel = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": refresh])
            #expect(parallel.status == 200, "\(parallel.raw)")
            // ...after it, presenting it again is reuse.
            app.clock.advance(byMs: IdentityLimits.refreshLeewayMs + 1)
            let reused = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": refresh])
            #expect(reused.status == 401 && reused.code == 40101, "\(reused.raw)")
            // The thief's reuse ended the family: the legitimate tokens stop too.
            #expect(try await client.call(.get, "/api/v1/orders", token: newAccess).code == 40101)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": newRefresh]).code == 40101)
            // A new login works.
            #expect(try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": "alice"]).status == 200)
        }
        await app.close()
    }

    @Test("logout ends the session at once; a ban ends every session and refuses logins until unbanned")
    func logoutAndBan() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let phone = try await client.userToken(code: "bob")
            let (laptop, userID) = try await client.userLogin(code: "bob")
            #expect(try await client.call(.post, "/api/v1/auth/logout", token: phone).status == 200)
            #expect(try await client.call(.get, "/api/v1/orders", token: phone).code == 40101)
            #expect(try await client.call(.get, "/api/v1/orders", token: laptop).status == 200, "logout ends one session only")

            let admin = try await client.adminToken()
            let banned = try await client.call(.post, "/admin/v1/users/\(userID)/ban", token: admin, json: ["reason": "刷单"])
            #expect(banned.status == 200 && banned.data["banned"] as? Bool == true, "\(banned.raw)")
            #expect(try await client.call(.get, "/api/v1/orders", token: laptop).code == 40101)
            let refused = try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": "bob"])
            #expect(refused.status == 403 && refused.code == 40301 && refused.message.contains("刷单"), "\(refused.raw)")

            let listed = try await client.call(.get, "/admin/v1/users?banned=true", token: admin)
            #expect((listed.data["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [userID])
            #expect(try await client.call(.post, "/admin/v1/users/\(userID)/unban", token: admin).status == 200)
            #expect(try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": "bob"]).status == 200)
        }
        await app.close()
    }

    @Test("the back office counts a buyer's orders in hot state, in the list and the detail")
    func adminUserOrderCount() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let (activityID, skuID) = try await client.makeSale(admin: admin, stock: 5, limitPerUser: 3, now: app.now)
            let (carol, userID) = try await client.userLogin(code: "carol")
            _ = try await client.userToken(code: "dave")
            for _ in 0..<2 {
                let bought = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: carol,
                                                   json: ["skuId": skuID])
                #expect(bought.status == 201, "\(bought.raw)")
            }
            let detail = try await client.call(.get, "/admin/v1/users/\(userID)", token: admin)
            #expect(detail.data["orders"] as? Int == 2, "\(detail.raw)")
            let listed = try await client.call(.get, "/admin/v1/users", token: admin)
            let counts = (listed.data["items"] as? [[String: Any]] ?? []).map { ($0["id"] as? String, $0["orders"] as? Int) }
            #expect(counts.count == 2)
            for (id, orders) in counts { #expect(orders == (id == userID ? 2 : 0), "\(listed.raw)") }
        }
        await app.close()
    }

    @Test("five wrong passwords lock an admin for 15 minutes with Retry-After; the right one is refused meanwhile")
    func adminLockout() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            for attempt in 1...IdentityLimits.adminFailedLoginsMax {
                let reply = try await client.call(.post, "/admin/v1/auth/login", json: ["username": "admin", "password": "wrong-\(attempt)"])
                #expect(reply.status == (attempt < IdentityLimits.adminFailedLoginsMax ? 401 : 429), "attempt \(attempt): \(reply.raw)")
            }
            let locked = try await client.execute(
                uri: "/admin/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                body: .init(string: #"{"username":"admin","password":"\#(TestApp.adminPassword)"}"#))
            #expect(locked.status.code == 429)
            #expect(locked.headers[.retryAfter].flatMap(Int.init) ?? 0 > 800)
            app.clock.advance(byMs: IdentityLimits.adminLockoutMs)
            #expect(try await client.call(.post, "/admin/v1/auth/login", json: ["username": "admin", "password": TestApp.adminPassword]).status == 200)
        }
        await app.close()
    }

    @Test("an operator reads but cannot write products; a password change ends every session; writes are audited")
    func permissionsPasswordAndAudit() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let created = try await client.call(.post, "/admin/v1/admins", token: admin, json: [
                "username": "ops", "password": "ops-password-1", "role": "operator", "permissions": ["order:refund"],
            ])
            #expect(created.status == 201, "\(created.raw)")
            let opsID = try #require(created.data["id"] as? String)
            let ops = try #require(try await client.call(.post, "/admin/v1/auth/login", json: [
                "username": "ops", "password": "ops-password-1"]).data["accessToken"] as? String)

            let denied = try await client.call(.post, "/admin/v1/products", token: ops, json: [
                "name": "x", "skus": [["name": "y", "priceFen": 100, "stock": 1]]])
            #expect(denied.status == 403 && denied.message.contains("product:write"), "\(denied.raw)")
            #expect(try await client.call(.get, "/admin/v1/orders", token: ops).status != 403, "order:read is the operator's")
            #expect(try await client.call(.get, "/admin/v1/admins", token: ops).status == 403)

            let changed = try await client.call(.put, "/admin/v1/auth/password", token: ops, json: [
                "oldPassword": "ops-password-1", "newPassword": "ops-password-2"])
            #expect(changed.status == 200, "\(changed.raw)")
            #expect(try await client.call(.get, "/admin/v1/auth/me", token: ops).code == 40101)

            let disabled = try await client.call(.patch, "/admin/v1/admins/\(opsID)", token: admin, json: ["enabled": false])
            #expect(disabled.data["enabled"] as? Bool == false)
            let login = try await client.call(.post, "/admin/v1/auth/login", json: ["username": "ops", "password": "ops-password-2"])
            #expect(login.status == 401)

            let audit = try await client.call(.get, "/admin/v1/audit-logs?limit=10", token: admin)
            let entries = (audit.data["items"] as? [[String: Any]]) ?? []
            let actions = entries.map { "\($0["action"] as? String ?? "") \($0["resultCode"] as? Int ?? 0)" }
            #expect(actions.contains("PATCH /admin/v1/admins/{id} 200"), "\(actions)")
            #expect(actions.contains("POST /admin/v1/products 403"), "\(actions)")
            #expect(actions.contains("PUT /admin/v1/auth/password 200"), "\(actions)")
            #expect(actions.contains("POST /admin/v1/admins 200") || actions.contains("POST /admin/v1/admins 201"), "\(actions)")
        }
        await app.close()
    }

    @Test("a buyer keeps an address book over HTTP: regions checked, one default, 20 at most, pasted text parsed")
    func addressBook() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let token = try await client.userToken(code: "carol")
            let address: [String: Any] = ["name": "张三", "phone": "138-0013-8000", "provinceCode": "440000", "cityCode": "440300",
                                          "districtCode": "440305", "detail": "科技园路1号"]
            let first = try await client.call(.post, "/api/v1/users/me/addresses", token: token, json: address)
            #expect(first.status == 201 || first.status == 200, "\(first.raw)")
            #expect(first.data["isDefault"] as? Bool == true && first.data["district"] as? String == "南山区")
            #expect(first.data["phone"] as? String == "138****8000")
            let firstID = try #require(first.data["id"] as? String)

            let wrongCity = try await client.call(.post, "/api/v1/users/me/addresses", token: token,
                                                  json: address.merging(["cityCode": "110100"]) { $1 })
            #expect(wrongCity.status == 400 && wrongCity.message.contains("cityCode"), "\(wrongCity.raw)")
            let badPhone = try await client.call(.post, "/api/v1/users/me/addresses", token: token,
                                                 json: address.merging(["phone": "12345678901"]) { $1 })
            #expect(badPhone.status == 400 && badPhone.message.contains("phone"), "\(badPhone.raw)")

            let second = try await client.call(.post, "/api/v1/users/me/addresses", token: token,
                                               json: address.merging(["isDefault": true, "name": "李四"]) { $1 })
            let secondID = try #require(second.data["id"] as? String)
            var list = try await client.call(.get, "/api/v1/users/me/addresses", token: token)
            var items = (list.data["items"] as? [[String: Any]]) ?? []
            #expect(items.filter { $0["isDefault"] as? Bool == true }.map { $0["id"] as? String } == [secondID])
            _ = try await client.call(.post, "/api/v1/users/me/addresses/\(firstID)/default", token: token)
            list = try await client.call(.delete, "/api/v1/users/me/addresses/\(firstID)", token: token)
            items = (list.data["items"] as? [[String: Any]]) ?? []
            #expect(items.map { $0["id"] as? String } == [secondID] && items.first?["isDefault"] as? Bool == true)
            for index in 0..<(IdentityLimits.addressesMax - 1) {
                let added = try await client.call(.post, "/api/v1/users/me/addresses", token: token,
                                                  json: address.merging(["detail": "科技园路\(index + 2)号"]) { $1 })
                #expect(added.code == 200, "\(added.raw)")
            }
            let over = try await client.call(.post, "/api/v1/users/me/addresses", token: token, json: address)
            #expect(over.status == 409, "\(over.raw)")

            let parsed = try await client.call(.post, "/api/v1/addresses/parse", token: token,
                                               json: ["text": "张三 13800138000 广东省深圳市南山区科技园路1号"])
            #expect(parsed.data["name"] as? String == "张三")
            #expect(parsed.data["phone"] as? String == "13800138000")
            #expect((parsed.data["district"] as? [String: Any])?["code"] as? String == "440305")
            #expect(parsed.data["detail"] as? String == "科技园路1号")
        }
        await app.close()
    }

    @Test("real-name verification checks the ID number's checksum and keeps both masked")
    func realName() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let token = try await client.userToken(code: "dave")
            // 11010519491231002X: the checksum example of GB 11643.
            let bad = try await client.call(.post, "/api/v1/users/me/real-name", token: token,
                                            json: ["name": "张三", "idNumber": "110105194912310021"])
            #expect(bad.status == 400 && bad.message.contains("idNumber"), "\(bad.raw)")
            let good = try await client.call(.post, "/api/v1/users/me/real-name", token: token,
                                             json: ["name": "张三", "idNumber": "11010519491231002X"])
            #expect(good.status == 200, "\(good.raw)")
            #expect(good.data["idNumber"] as? String == "1101**********002X")
            #expect(good.data["realName"] as? String == "张*")
            let profile = try await client.call(.put, "/api/v1/users/me/profile", token: token,
                                                json: ["nickname": "小张", "gender": "male"])
            #expect(profile.data["nickname"] as? String == "小张" && profile.data["gender"] as? String == "male")
            #expect(try await client.call(.put, "/api/v1/users/me/profile", token: token, json: ["gender": "robot"]).status == 400)
        }
        await app.close()
    }

    @Test("rate limits: the 4th login in a minute from one address is a 429 with Retry-After; a user's writes are counted per user")
    func rateLimits() async throws {
        var policy = TestApp.generousLimits
        policy.login = .perMinute(3)
        policy.write = .perMinute(2)
        let app = try await TestApp.make(rateLimits: policy)
        try await app.application.test(.router) { client in
            var tokens: [String] = []
            for index in 0..<3 { tokens.append(try await client.userToken(code: "rl-\(index)")) }
            let limited = try await client.execute(uri: "/api/v1/auth/wechat/login", method: .post,
                                                   headers: [.contentType: "application/json"], body: .init(string: #"{"code":"rl-9"}"#))
            #expect(limited.status.code == 429)
            #expect((limited.headers[.retryAfter].flatMap(Int.init) ?? 0) >= 1)
            // Writes: two per user per minute, each user counted apart.
            for token in tokens.prefix(2) {
                for _ in 0..<2 { #expect(try await client.call(.put, "/api/v1/users/me/profile", token: token, json: ["nickname": "n"]).status == 200) }
                #expect(try await client.call(.put, "/api/v1/users/me/profile", token: token, json: ["nickname": "m"]).status == 429)
            }
            app.clock.advance(byMs: 120_000)
            #expect(try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": "rl-9"]).status == 200, "the window slid on")
        }
        await app.close()
    }

    @Test("a phone-number login binds the number WeChat vouches for; binding later works too; numbers leave masked")
    func phoneLoginAndBinding() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let login = try await client.call(.post, "/api/v1/auth/wechat/login",
                                              json: ["code": "erin", "phoneCode": "sandbox-phone-13800138000"])
            #expect(login.status == 200, "\(login.raw)")
            #expect((login.data["user"] as? [String: Any])?["phone"] as? String == "138****8000")
            let token = try #require(login.data["accessToken"] as? String)
            #expect(try await client.call(.get, "/api/v1/users/me", token: token).data["phone"] as? String == "138****8000")
            let rebound = try await client.call(.post, "/api/v1/users/me/phone", token: token, json: ["code": "sandbox-phone-13912345678"])
            #expect(rebound.data["phone"] as? String == "139****5678", "\(rebound.raw)")
            let bad = try await client.call(.post, "/api/v1/users/me/phone", token: token, json: ["code": "not-a-sandbox-code"])
            #expect(bad.status == 401, "\(bad.raw)")
        }
        await app.close()
    }
}
