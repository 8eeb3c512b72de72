import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import NIOCore
import Testing
import WeChat

/// The fields at fault of a 400, as the reply names them.
func faultyFields(_ reply: Reply) -> [String] {
    ((reply.data["fieldErrors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
}

@Suite("Bounds at the edge")
struct BoundsTests {
    static func product(priceFen: Any = 100, stock: Any = 1, name: Any = "T恤", skuName: Any = "M",
                        spec: Any = ["颜色": "白"], skus: Int = 1) -> [String: Any] {
        ["name": name, "skus": Array(repeating: ["name": skuName, "spec": spec, "priceFen": priceFen, "stock": stock], count: skus)]
    }

    @Test("a product at every bound is created; one unit past any bound is a 400 naming the field, and nothing is written")
    func productBounds() async throws {
        let app = try await TestApp.make(isDurable: false)
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            // Every SKU a distinct combination of at most 5 spec dimensions (20 × 10 × 1 × 1 × 1 = 200).
            let skus: [[String: Any]] = (0..<MallEngine.skusPerProductMax).map { index in
                ["name": String(repeating: "x", count: 100), "priceFen": MallLimits.priceFenMax, "stock": MallLimits.stockMax,
                 "spec": ["k0": "a\(index / 10)", "k1": "b\(index % 10)", "k2": "v", "k3": "v", "k4": "v"]]
            }
            let atBounds = try await client.call(.post, "/admin/v1/products", token: admin, json: [
                "name": String(repeating: "名", count: 100), "skus": skus])
            #expect(atBounds.status == 201, "\(atBounds.raw)")
            let mark = app.writeMark
            let cases: [(json: [String: Any], field: String)] = [
                (Self.product(priceFen: MallLimits.priceFenMax + 1), "skus[0].priceFen"),
                (Self.product(priceFen: -1), "skus[0].priceFen"),
                (Self.product(priceFen: Int64.max), "skus[0].priceFen"),
                (Self.product(priceFen: Int64.min), "skus[0].priceFen"),
                (Self.product(stock: MallLimits.stockMax + 1), "skus[0].stock"),
                (Self.product(stock: -1), "skus[0].stock"),
                (Self.product(name: String(repeating: "名", count: 101)), "name"),
                (Self.product(name: " \u{3000}\n"), "name"),
                (Self.product(name: "a\u{0}b"), "name"),
                (Self.product(skuName: String(repeating: "x", count: 101)), "skus[0].name"),
                (Self.product(spec: Dictionary(uniqueKeysWithValues: (0..<11).map { ("k\($0)", "v") })), "skus[0].spec"),
                (Self.product(spec: [String(repeating: "k", count: 51): "v"]), "skus[0].spec"),
                (Self.product(spec: ["k": String(repeating: "v", count: 101)]), "skus[0].spec.k"),
                (Self.product(skus: MallEngine.skusPerProductMax + 1), "skus"),
                (Self.product(skus: 0), "skus"),
                (Self.product(priceFen: "100"), "skus[0].priceFen"),
                (Self.product(priceFen: 1.5), "skus[0].priceFen"),
                (Self.product().merging(["colour": "red"]) { $1 }, "colour"),
                (["name": "x"], "skus"),
            ]
            for (json, field) in cases {
                let reply = try await client.call(.post, "/admin/v1/products", token: admin, json: json)
                #expect(reply.status == 400 && reply.code == 400, "\(field): \(reply.raw)")
                #expect(faultyFields(reply).contains(field), "\(field): \(reply.raw)")
            }
            #expect(app.wroteOnlyAudit(since: mark))
        }
        await app.close()
    }

    @Test("flash-sale prices, stock and per-user limits are bounded by MallLimits, and a purchase by quantityMax")
    func seckillBounds() async throws {
        let app = try await TestApp.make(isDurable: false)
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let now = app.now
            let (activityID, skuID) = try await client.makeSale(admin: admin, stock: 1_000, limitPerUser: Int(MallLimits.limitPerUserMax),
                                                                now: now)
            func activity(_ item: [String: Any], start: String? = nil, end: String? = nil) -> [String: Any] {
                ["name": "秒杀", "startTime": start ?? now.ISO8601Format(), "endTime": end ?? now.addingTimeInterval(60).ISO8601Format(),
                 "items": [["skuId": skuID, "seckillPriceFen": 1, "stock": 1].merging(item) { $1 }]]
            }
            // A sale draws its units from the SKU's stock: bring it to the bound first (100 are left after makeSale).
            let stockIn = try await client.call(.post, "/admin/v1/skus/\(skuID)/stock", token: admin,
                                                json: ["quantity": MallLimits.stockMax - 100, "remark": "bounds"])
            #expect(stockIn.status == 200, "\(stockIn.raw)")
            let atBounds = try await client.call(.post, "/admin/v1/seckill/activities", token: admin, json: activity(
                ["seckillPriceFen": MallLimits.priceFenMax, "stock": MallLimits.stockMax, "limitPerUser": MallLimits.limitPerUserMax]))
            #expect(atBounds.status == 201, "\(atBounds.raw)")
            let mark = app.writeMark
            let cases: [(json: [String: Any], field: String)] = [
                (activity(["seckillPriceFen": MallLimits.priceFenMax + 1]), "items[0].seckillPriceFen"),
                (activity(["seckillPriceFen": Int64.min]), "items[0].seckillPriceFen"),
                (activity(["stock": MallLimits.stockMax + 1]), "items[0].stock"),
                (activity(["limitPerUser": MallLimits.limitPerUserMax + 1]), "items[0].limitPerUser"),
                (activity(["limitPerUser": 0]), "items[0].limitPerUser"),
                (activity(["limitPerUser": Int64.max]), "items[0].limitPerUser"),
                (activity(["skuId": Int(skuID) ?? 0]), "items[0].skuId"),
                (activity(["skuId": "99999999999999999999"]), "items[0].skuId"),
                (activity([:], start: "2026-02-30T00:00:00Z"), "startTime"),
                (activity([:], start: "2026-11-27T10:00:00Z", end: "2026-11-27T09:00:00Z"), "endTime"),
                (activity(["limitPerUser": NSNull()]), "items[0].limitPerUser"),
            ]
            for (json, field) in cases {
                let reply = try await client.call(.post, "/admin/v1/seckill/activities", token: admin, json: json)
                #expect(reply.status == 400, "\(field): \(reply.raw)")
                #expect(faultyFields(reply).contains(field), "\(field): \(reply.raw)")
            }
            #expect(app.wroteOnlyAudit(since: mark))

            let user = try await client.userToken(code: "bounds")
            let buy = "/api/v1/seckill/activities/\(activityID)/orders"
            for quantity in [0, -1, MallLimits.quantityMax + 1, Int64.max, Int64.min] {
                let reply = try await client.call(.post, buy, token: user, json: ["skuId": skuID, "quantity": quantity])
                #expect(reply.status == 400 && faultyFields(reply) == ["quantity"], "\(quantity): \(reply.raw)")
            }
            let unknown = try await client.call(.post, buy, token: user, json: ["skuId": skuID, "quantitiy": 2])
            #expect(unknown.status == 400 && faultyFields(unknown) == ["quantitiy"], "\(unknown.raw)")
            let numericID = try await client.call(.post, buy, token: user, json: ["skuId": Int(skuID) ?? 0])
            #expect(numericID.status == 400 && faultyFields(numericID) == ["skuId"], "\(numericID.raw)")
            let atMax = try await client.call(.post, buy, token: user, json: ["skuId": skuID, "quantity": MallLimits.quantityMax])
            #expect(atMax.status == 201, "\(atMax.raw)")
        }
        await app.close()
    }

    @Test("ids, idempotency keys, login codes, passwords and list limits are bounded too")
    func otherBounds() async throws {
        let app = try await TestApp.make(isDurable: false)
        try await app.application.test(.router) { client in
            let user = try await client.userToken(code: "bounds")
            for id in ["99999999999999999999", "18446744073709551616", "+1", "-1", "1e3"] {
                let reply = try await client.call(.get, "/api/v1/orders/\(id)", token: user)
                #expect(reply.status == 400 && faultyFields(reply) == ["id"], "\(id): \(reply.raw)")
            }
            for query in ["limit=0", "limit=51", "limit=+5", "limit=99999999999999999999", "cursor=abc", "status=paid"] {
                let reply = try await client.call(.get, "/api/v1/orders?\(query)", token: user)
                #expect(reply.status == 400, "\(query): \(reply.raw)")
            }
            let long = try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": String(repeating: "c", count: 129)])
            #expect(long.status == 400 && faultyFields(long) == ["code"])
            let spaced = try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": "a b"])
            #expect(spaced.status == 400 && faultyFields(spaced) == ["code"])
            let nul = try await client.call(.post, "/admin/v1/auth/login", json: ["username": "admin", "password": TestApp.adminPassword + "\u{0}x"])
            #expect(nul.status == 400 && faultyFields(nul) == ["password"])
            // bcrypt reads 72 bytes: the right password followed by more must not log in.
            let padded = TestApp.adminPassword + String(repeating: "!", count: 72 - TestApp.adminPassword.utf8.count) + "extra"
            _ = try await app.engine.upsertAdmin(username: "long", passwordHash: try await AdminPasswords.hash(
                String(padded.prefix(72))), role: "admin")
            let tooLong = try await client.call(.post, "/admin/v1/auth/login", json: ["username": "long", "password": padded])
            #expect(tooLong.status == 401)

            var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(user)"]
            headers[HTTPField.Name("Idempotency-Key")!] = String(repeating: "k", count: 65)
            let status = try await client.execute(uri: "/api/v1/seckill/activities/1/orders", method: .post, headers: headers,
                                                  body: ByteBuffer(string: #"{"skuId":"1"}"#)) { Int($0.status.code) }
            #expect(status == 400)
        }
        await app.close()
    }
}

@Suite("Token secret")
struct TokenSecretTests {
    @Test("a JWT secret under 32 bytes is a thrown error, not a trap")
    func shortSecretThrows() async throws {
        await #expect(throws: TokenService.SecretTooShort.self) { _ = try await TokenService(secret: Array(repeating: 1, count: 31)) }
        _ = try await TokenService(secret: Array(repeating: 1, count: 32))
    }
}
