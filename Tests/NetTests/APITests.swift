import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Net
import WeChat
import Testing

@Suite("HTTP API")
struct APITests {
    @Test("a flash sale end to end: admin creates, buyer buys, pays in sandbox, errors carry their codes")
    func flashSale() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let (activityID, skuID) = try await client.makeSale(admin: admin, stock: 2, limitPerUser: 1, now: app.now)
            let alice = try await client.userToken(code: "alice")
            let bob = try await client.userToken(code: "bob")
            let carol = try await client.userToken(code: "carol")

            let bought = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: alice,
                                               json: ["skuId": skuID, "quantity": 1])
            #expect(bought.status == 201)
            #expect(bought.code == 200)
            #expect(bought.data["status"] as? String == "pending_payment")
            #expect((bought.data["orderNo"] as? String)?.count == 22)
            let orderID = try #require(bought.data["orderId"] as? String)

            let again = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: alice,
                                              json: ["skuId": skuID, "quantity": 1])
            #expect(again.status == 409)
            #expect(again.code == 40902)
            _ = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: bob, json: ["skuId": skuID])
            let soldOut = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: carol,
                                                json: ["skuId": skuID, "quantity": 1])
            #expect(soldOut.code == 40901)

            let stolen = try await client.call(.get, "/api/v1/orders/\(orderID)", token: bob)
            #expect(stolen.status == 404)
            let mine = try await client.call(.get, "/api/v1/orders/\(orderID)", token: alice)
            #expect(mine.data["payAmountFen"] as? Int == 3900)
            #expect((mine.data["items"] as? [[String: Any]])?.count == 1)

            let paid = try await client.call(.post, "/api/v1/orders/\(orderID)/pay", token: alice)
            #expect(paid.data["status"] as? String == "pending_shipment")
            let activity = try await client.call(.get, "/admin/v1/seckill/activities/\(activityID)", token: admin)
            let item = try #require((activity.data["items"] as? [[String: Any]])?.first)
            #expect(item["stock"] as? Int == 0)
            #expect(item["sold"] as? Int == 2)
        }
        await app.close()
    }

    @Test("the activity window is enforced with 40903")
    func window() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let (activityID, skuID) = try await client.makeSale(admin: admin, stock: 5, limitPerUser: 1, now: app.now)
            let user = try await client.userToken(code: "early")
            app.clock.advance(byMs: 2 * 3600 * 1000)
            let late = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: user,
                                             json: ["skuId": skuID, "quantity": 1])
            #expect(late.status == 409)
            #expect(late.code == 40903)
        }
        await app.close()
    }

    @Test("bad input is a 400 naming each field and its rule, and leaves nothing in the WAL")
    func validation() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let mark = app.writeMark
            let reply = try await client.call(.post, "/admin/v1/products", token: admin, json: [
                "name": "", "skus": [["name": "x", "priceFen": -1, "stock": 1]],
            ])
            #expect(reply.status == 400)
            #expect(reply.code == 400)
            let fields = ((reply.data["fieldErrors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
            #expect(fields == ["name", "skus[0].priceFen"])
            let typeError = try await client.call(.post, "/admin/v1/products", token: admin, json: ["name": 5, "skus": []])
            #expect(typeError.status == 400)
            let broken = try await client.call(.post, "/admin/v1/products", token: admin, rawBody: "{not json")
            #expect(broken.status == 400)
            #expect(app.wroteOnlyAudit(since: mark))
        }
        await app.close()
    }

    @Test("routes need the right token: none, a forged one, or a buyer's on the back office are refused")
    func authorization() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            #expect(try await client.call(.post, "/admin/v1/products", json: ["name": "x"]).status == 401)
            let user = try await client.userToken(code: "someone")
            #expect(try await client.call(.post, "/admin/v1/products", token: user, json: ["name": "x"]).status == 401)
            #expect(try await client.call(.get, "/api/v1/orders/1", token: user + "x").status == 401)
            let wrong = try await client.call(.post, "/admin/v1/auth/login", json: ["username": "admin", "password": "nope"])
            #expect(wrong.status == 401)
            let unknown = try await client.call(.get, "/api/v1/nothing-here")
            #expect(unknown.status == 404)
            #expect(unknown.code == 404)
        }
        await app.close()
    }

    @Test("sandbox login maps one code to one user, and refresh tokens mint new access tokens")
    func login() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let first = try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": "X"])
            let second = try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": "X"])
            let firstUser = first.data["user"] as? [String: Any]
            #expect(firstUser?["id"] as? String == (second.data["user"] as? [String: Any])?["id"] as? String)
            #expect(firstUser?["isNew"] as? Bool == true)
            let refresh = try #require(first.data["refreshToken"] as? String)
            let refreshed = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": refresh])
            #expect(refreshed.status == 200)
            let access = try #require(first.data["accessToken"] as? String)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": access]).status == 401)
        }
        await app.close()
    }

    @Test("a tampered payment notification is refused and the order stays unpaid")
    func forgedNotification() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let (activityID, skuID) = try await client.makeSale(admin: admin, stock: 5, limitPerUser: 1, now: app.now)
            let user = try await client.userToken(code: "payer")
            let order = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: user, json: ["skuId": skuID])
            let orderNo = try #require(order.data["orderNo"] as? String)
            let orderID = try #require(order.data["orderId"] as? String)
            let sandbox = try #require(app.services.payments.sandbox)
            var notification = try sandbox.notification(for: .init(
                outTradeNo: orderNo, transactionID: "4200000000", tradeState: "SUCCESS", amountTotalFen: 3900,
                payerOpenID: "o", successTime: nil, mchID: "m", appID: "a"), now: Date())
            notification.body += " "   // one byte changed: the signature no longer matches
            var headers = HTTPFields()
            for (name, value) in notification.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
            let response = try await client.execute(uri: "/api/v1/payments/wechat/notify", method: .post, headers: headers,
                                                    body: ByteBuffer(string: notification.body)) { $0.status.code }
            #expect(response == 401)
            let stillPending = try await client.call(.get, "/api/v1/orders/\(orderID)", token: user)
            #expect(stillPending.data["status"] as? String == "pending_payment")
        }
        await app.close()
    }
}
