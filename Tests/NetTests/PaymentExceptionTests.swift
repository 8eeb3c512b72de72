import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Net
import NIOCore
import MallTestSupport
import Testing
import WeChat

@Suite("Payment exceptions over HTTP")
struct PaymentExceptionTests {
    @Test("a verified payment for a cancelled order is acknowledged (204), recorded once, and listed as a refund due")
    func latePaymentIsRecorded() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let (activityID, skuID) = try await client.makeSale(admin: admin, stock: 5, limitPerUser: 1, now: app.now)
            let user = try await client.userToken(code: "late-payer")
            let order = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: user, json: ["skuId": skuID])
            let orderNo = try #require(order.data["orderNo"] as? String)
            let orderID = try #require(order.data["orderId"] as? String)
            let amount = try #require(order.data["payAmountFen"] as? Int)
            #expect(try await client.call(.post, "/api/v1/orders/\(orderID)/cancel", token: user).status == 200)

            let sandbox = try #require(app.services.payments.sandbox)
            let notification = try sandbox.notification(for: .init(
                outTradeNo: orderNo, transactionID: "4200000099", tradeState: "SUCCESS", amountTotalFen: Int64(amount),
                payerOpenID: "o", successTime: nil, mchID: "m", appID: "a"), now: Date())
            var headers = HTTPFields()
            for (name, value) in notification.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
            for _ in 0..<2 {   // WeChat Pay retries until it is told success; the retry records nothing new
                let status = try await client.execute(uri: "/api/v1/payments/wechat/notify", method: .post, headers: headers,
                                                      body: ByteBuffer(string: notification.body)) { $0.status.code }
                #expect(status == 204)
            }
            let listed = try await client.call(.get, "/admin/v1/payments/exceptions", token: admin)
            #expect(listed.status == 200)
            let items = try #require(listed.data["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["transactionId"] as? String == "4200000099")
            #expect(items.first?["reason"] as? String == "order_cancelled")
            #expect(items.first?["amountFen"] as? Int == amount)
            let cancelled = try await client.call(.get, "/api/v1/orders/\(orderID)", token: user)
            #expect(cancelled.data["status"] as? String == "cancelled")
            #expect(try await client.call(.get, "/admin/v1/payments/exceptions", token: user).status == 401)
        }
        await app.close()
    }
}

@Suite("Readiness")
struct ReadinessTests {
    @Test("/readyz answers 200 while writes are acknowledged and 503 with the reason once the WAL writer failed")
    func readyzAfterWriteFailure() async throws {
        let io = FailingSyncIO()
        let app = try await TestApp.make(segmentIO: io)
        try await app.application.test(.router) { client in
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == 200)
            #expect(ready.data["ready"] as? Bool == true)
            let admin = try await client.adminToken()
            io.failSyncs()
            let refused = try await client.call(.post, "/admin/v1/products", token: admin, json: [
                "name": "after the disk died", "skus": [["name": "a", "priceFen": 1, "stock": 1]],
            ])
            #expect(refused.status == 503)
            let unready = try await client.call(.get, "/readyz")
            #expect(unready.status == 503)
            #expect(unready.code == 503)
            #expect(unready.data["ready"] as? Bool == false)
            #expect((unready.data["reason"] as? String)?.contains("fdatasync") == true)
        }
        await app.close()
    }
}
