import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    @Suite("API contract smoke") struct ContractSmokeTests {
        /// The envelope every answer carries: a code, a message, a data key and a millisecond timestamp.
        static func expectEnvelope(_ response: APIResponse, status: Int, code: Int64,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(response.status == status, "\(response)", sourceLocation: sourceLocation)
            #expect(response.code == code, "\(response)", sourceLocation: sourceLocation)
            #expect(response.message?.isEmpty == false, "\(response)", sourceLocation: sourceLocation)
            if case .object(let fields)? = response.json {
                #expect(fields["data"] != nil, "no data key: \(response)", sourceLocation: sourceLocation)
            }
            let timestamp = response.json?["timestamp"].int ?? 0
            #expect(abs(timestamp - Int64(Date().timeIntervalSince1970 * 1000)) < 60_000, "\(response)",
                    sourceLocation: sourceLocation)
        }

        @Test("a wrong admin password is refused with a 401 envelope")
        func wrongAdminPassword() async throws {
            try await withMallServer { _, client in
                let response = try await client.post("/admin/v1/auth/login",
                                                     body: ["username": .string(ServerProcess.adminUsername), "password": "not-the-password"])
                Self.expectEnvelope(response, status: 401, code: 401)
                #expect(response.data["accessToken"].isNull)
                _ = try await client.adminLogin()
            }
        }

        @Test("an unknown route answers a 404 envelope")
        func unknownRoute() async throws {
            try await withMallServer { _, client in
                Self.expectEnvelope(try await client.get("/api/v1/no-such-route"), status: 404, code: 404)
                Self.expectEnvelope(try await client.post("/admin/v1/no-such-route"), status: 404, code: 404)
            }
        }

        @Test("a path asked with a method it does not serve answers a 405 envelope with an Allow header")
        func methodNotAllowed() async throws {
            try await withMallServer { _, client in
                let response = try await client.send(.DELETE, "/api/v1/orders/1")
                Self.expectEnvelope(response, status: 405, code: 405)
                #expect(response.headers.first(name: "Allow") == "GET", "\(response)")
            }
        }

        @Test("a payment notification whose Wechatpay-Timestamp is Int64.min is refused and the server keeps serving")
        func notificationTimestampOverflow() async throws {
            try await withMallServer { server, client in
                // The sandbox serial is public: anyone can send it, so the timestamp check must hold for any value.
                let response = try await client.send(.POST, "/api/v1/payments/wechat/notify", body: ["id": "EV-1"], headers: [
                    ("Wechatpay-Serial", "PUB_KEY_ID_0000SANDBOX"), ("Wechatpay-Timestamp", "-9223372036854775808"),
                    ("Wechatpay-Nonce", "nonce"), ("Wechatpay-Signature", "c2lnbmF0dXJl"),
                ])
                #expect(response.status == 400, "\(response)")
                #expect(try await client.get("/healthz").status == 200)
                let exit = try? await server.waitExit(timeout: .milliseconds(1))
                #expect(exit == nil, "the server exited: \(exit.map { "\($0)" } ?? "")")
            }
        }

        @Test("buying before a flash sale opens is refused with 40903 and takes no stock")
        func saleNotStarted() async throws {
            try await withMallServer { _, client in
                let admin = try await client.adminLogin()
                let skuID = try await client.createProduct(admin: admin, name: "smoke-test lamp")
                let activityID = try await client.createActivity(admin: admin, skuID: skuID, stock: 5, limitPerUser: 1,
                                                                 start: Date().addingTimeInterval(3_600),
                                                                 end: Date().addingTimeInterval(7_200))
                let buyer = try await client.loginBuyer(code: "smoke-early-buyer")
                Self.expectEnvelope(try await client.buy(buyer, activityID: activityID, skuID: skuID), status: 409, code: 40903)
                #expect(try await client.seckillStock(admin: admin, activityID: activityID) == SeckillStockView(remaining: 5, sold: 0))
            }
        }

        @Test("the purchase limit answers 40902 and an exhausted sale answers 40901")
        func limitAndSoldOut() async throws {
            try await withMallServer { _, client in
                let admin = try await client.adminLogin()
                let skuID = try await client.createProduct(admin: admin, name: "smoke-test mug")
                let activityID = try await client.createActivity(admin: admin, skuID: skuID, stock: 3, limitPerUser: 2)
                let first = try await client.loginBuyer(code: "smoke-first-buyer")
                let second = try await client.loginBuyer(code: "smoke-second-buyer")

                Self.expectEnvelope(try await client.buy(first, activityID: activityID, skuID: skuID, quantity: 2), status: 201, code: 200)
                Self.expectEnvelope(try await client.buy(first, activityID: activityID, skuID: skuID), status: 409, code: 40902)
                Self.expectEnvelope(try await client.buy(second, activityID: activityID, skuID: skuID, quantity: 2), status: 409, code: 40901)
                Self.expectEnvelope(try await client.buy(second, activityID: activityID, skuID: skuID), status: 201, code: 200)
                Self.expectEnvelope(try await client.buy(second, activityID: activityID, skuID: skuID), status: 409, code: 40901)
                #expect(try await client.seckillStock(admin: admin, activityID: activityID) == SeckillStockView(remaining: 0, sold: 3))
            }
        }

        @Test("a buyer sees their own order and another buyer gets 404 for it")
        func ordersArePrivate() async throws {
            try await withMallServer { _, client in
                let admin = try await client.adminLogin()
                let skuID = try await client.createProduct(admin: admin, name: "smoke-test scarf")
                let activityID = try await client.createActivity(admin: admin, skuID: skuID, stock: 5, limitPerUser: 1, priceFen: 1_999)
                let owner = try await client.loginBuyer(code: "smoke-owner")
                let stranger = try await client.loginBuyer(code: "smoke-stranger")
                #expect(owner.userID != stranger.userID)
                #expect(try await client.loginBuyer(code: "smoke-owner").userID == owner.userID)

                let placed = try client.expectSuccess(try await client.buy(owner, activityID: activityID, skuID: skuID),
                                                      status: 201, "buy")
                let orderID = try #require(placed["orderId"].string)
                #expect(placed["status"] == "pending_payment")
                #expect(placed["orderNo"].string?.isEmpty == false)

                let mine = try await client.order(orderID, as: owner)
                Self.expectEnvelope(mine, status: 200, code: 200)
                #expect(mine.data["payAmountFen"] == 1_999)
                #expect(mine.data["items"][0]["quantity"] == 1)

                let theirs = try await client.order(orderID, as: stranger)
                Self.expectEnvelope(theirs, status: 404, code: 404)
                #expect(theirs.data.isNull)
                Self.expectEnvelope(try await client.post("/api/v1/orders/\(orderID)/pay", token: stranger.token), status: 404, code: 404)
                Self.expectEnvelope(try await client.get("/api/v1/orders/\(orderID)"), status: 401, code: 401)
            }
        }
    }
}
