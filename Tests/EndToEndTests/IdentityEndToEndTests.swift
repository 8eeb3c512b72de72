import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// Identity against the real server: sessions, reuse detection, bans and
    /// permissions hold over HTTP and across a restart (they are WAL state).
    @Suite("Identity end to end") struct IdentityEndToEndTests {
        @Test("refresh reuse ends the session; a ban ends sessions and refuses logins, also after kill -9; RBAC refuses an operator's write")
        func sessionsBansAndPermissions() async throws {
            try await withMallServer { server, client in
                let login = try client.expectSuccess(try await client.post("/api/v1/auth/wechat/login", body: ["code": "e2e-alice"]),
                                                     "login")
                let refresh = try #require(login["refreshToken"].string)
                let userID = try #require(login["user"]["id"].string)
                let rotated = try client.expectSuccess(try await client.post("/api/v1/auth/refresh", body: ["refreshToken": .string(refresh)]),
                                                       "refresh")
                // Two rotations: the first token is then two generations old, beyond the leeway's one.
                let secondRefresh = try #require(rotated["refreshToken"].string)
                let rotatedAgain = try client.expectSuccess(
                    try await client.post("/api/v1/auth/refresh", body: ["refreshToken": .string(secondRefresh)]), "second refresh")
                let access = try #require(rotatedAgain["accessToken"].string)
                #expect(try await client.get("/api/v1/orders", token: access).status == 200)
                let reused = try await client.post("/api/v1/auth/refresh", body: ["refreshToken": .string(refresh)])
                #expect(reused.code == 40101, "\(reused)")
                #expect(try await client.get("/api/v1/orders", token: access).code == 40101, "reuse ended the rotated session too")

                let buyer = try await client.loginBuyer(code: "e2e-alice")
                let admin = try await client.adminLogin()
                let ban = try await client.post("/admin/v1/users/\(userID)/ban", token: admin, body: ["reason": "e2e"])
                #expect(ban.status == 200, "\(ban)")
                #expect(try await client.get("/api/v1/orders", token: buyer.token).code == 40101)

                server.signal(SIGKILL)  // acknowledged identity changes must survive a crash, not only a clean stop
                _ = try await server.waitExit(timeout: .seconds(10))
                try await server.restart(client)
                let refused = try await client.post("/api/v1/auth/wechat/login", body: ["code": "e2e-alice"])
                #expect(refused.code == 40301, "the ban is durable: \(refused)")
                let adminAgain = try await client.adminLogin()
                let audit = try client.expectSuccess(try await client.get("/admin/v1/audit-logs", token: adminAgain), "audit")
                #expect(audit["items"].array?.contains { $0["action"].string == "POST /admin/v1/users/{id}/ban" } == true,
                        "the audit log survives the restart: \(audit)")
                #expect(try await client.post("/admin/v1/users/\(userID)/unban", token: adminAgain).status == 200)
                _ = try await client.loginBuyer(code: "e2e-alice")

                let created = try await client.post("/admin/v1/admins", token: adminAgain, body: [
                    "username": "e2e-ops", "password": "e2e-ops-password", "role": "operator",
                ])
                #expect(created.status == 201, "\(created)")
                let opsLogin = try client.expectSuccess(try await client.post("/admin/v1/auth/login", body: [
                    "username": "e2e-ops", "password": "e2e-ops-password"]), "operator login")
                let ops = try #require(opsLogin["accessToken"].string)
                let denied = try await client.post("/admin/v1/products", token: ops, body: [
                    "name": "x", "skus": [["name": "y", "priceFen": 100, "stock": 1]]])
                #expect(denied.status == 403, "\(denied)")
            }
        }

        @Test("a pasted address is parsed and saved; logout holds across kill -9")
        func addressesAndLogout() async throws {
            try await withMallServer { server, client in
                let buyer = try await client.loginBuyer(code: "e2e-bob")
                let parsed = try client.expectSuccess(try await client.post("/api/v1/addresses/parse", token: buyer.token, body: [
                    "text": "收货人：李四，电话 +86 139-1234-5678，上海市浦东新区世纪大道100号"]), "parse")
                #expect(parsed["name"].string == "李四")
                #expect(parsed["phone"].string == "13912345678")
                #expect(parsed["province"]["name"].string == "上海市")
                #expect(parsed["district"]["name"].string == "浦东新区")
                let saved = try await client.post("/api/v1/users/me/addresses", token: buyer.token, body: [
                    "name": "李四", "phone": "13912345678", "provinceCode": .string(parsed["province"]["code"].string ?? ""),
                    "cityCode": .string(parsed["city"]["code"].string ?? ""),
                    "districtCode": .string(parsed["district"]["code"].string ?? ""),
                    "detail": .string(parsed["detail"].string ?? ""),
                ])
                #expect(saved.status == 201, "\(saved)")
                #expect(try await client.post("/api/v1/auth/logout", token: buyer.token).status == 200)
                server.signal(SIGKILL)  // acknowledged identity changes must survive a crash, not only a clean stop
                _ = try await server.waitExit(timeout: .seconds(10))
                try await server.restart(client)
                #expect(try await client.get("/api/v1/users/me", token: buyer.token).code == 40101, "logout is durable")
                let again = try await client.loginBuyer(code: "e2e-bob")
                let book = try client.expectSuccess(try await client.get("/api/v1/users/me/addresses", token: again.token), "addresses")
                #expect(book["items"].array?.count == 1)
                #expect(book["items"][0]["phone"].string == "139****5678")
            }
        }

        @Test("the real server answers the 4th login in a minute from one address with 429 and Retry-After")
        func loginRateLimit() async throws {
            try await withMallServer(environment: ["MALL_RATE_LIMIT_LOGIN": "3/60"]) { _, client in
                for index in 0..<3 { _ = try await client.loginBuyer(code: "e2e-rl-\(index)") }
                let limited = try await client.post("/api/v1/auth/wechat/login", body: ["code": "e2e-rl-9"])
                #expect(limited.status == 429 && limited.code == 429, "\(limited)")
                #expect((limited.headers.first(name: "Retry-After").flatMap(Int.init) ?? 0) >= 1)
                #expect(try await client.get("/healthz").status == 200, "health is never limited")
            }
        }
    }
}
