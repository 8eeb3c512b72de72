import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EndToEnd {
    @Suite("Payment timeout") struct PaymentTimeoutTests {
        static let paymentTimeoutSeconds = 2
        static let saleStock: Int64 = 10

        @Test("an unpaid order placed before a kill -9 is cancelled at its deadline after restart and its stock returns; a paid one stays paid")
        func unpaidOrderTimesOutAcrossRestart() async throws {
            try await withMallServer(arguments: ["--payment-timeout-seconds", String(Self.paymentTimeoutSeconds)]) { server, client in
                let admin = try await client.adminLogin()
                let skuID = try await client.createProduct(admin: admin, name: "timeout-test tea")
                let activityID = try await client.createActivity(admin: admin, skuID: skuID, stock: Self.saleStock, limitPerUser: 5)
                let buyer = try await client.loginBuyer(code: "timeout-buyer")

                let unpaid = try client.expectSuccess(try await client.buy(buyer, activityID: activityID, skuID: skuID, quantity: 1),
                                                      status: 201, "buy the order left unpaid")
                let paid = try client.expectSuccess(try await client.buy(buyer, activityID: activityID, skuID: skuID, quantity: 2),
                                                    status: 201, "buy the order to pay")
                let unpaidID = try #require(unpaid["orderId"].string)
                let paidID = try #require(paid["orderId"].string)
                #expect(unpaid["status"] == "pending_payment")
                let payment = try client.expectSuccess(try await client.post("/api/v1/orders/\(paidID)/pay", token: buyer.token), "pay")
                #expect(payment["status"] == "pending_shipment")
                #expect(try await client.seckillStock(admin: admin, activityID: activityID) == SeckillStockView(remaining: 7, sold: 3))

                server.signal(SIGKILL)
                #expect(try await server.waitExit(timeout: .seconds(10)) == ServerExit(byUncaughtSignal: true, status: SIGKILL))
                try await server.restart(client)

                // Bounded polling: the deadline comes from recovered state, the upkeep timer fires it.
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(Self.paymentTimeoutSeconds + 15)
                var order = try await client.order(unpaidID, as: buyer)
                var stock = try await client.seckillStock(admin: admin, activityID: activityID)
                while clock.now < deadline && (order.data["status"] != "cancelled" || stock.remaining != 8) {
                    try await Task.sleep(for: .milliseconds(100))
                    order = try await client.order(unpaidID, as: buyer)
                    stock = try await client.seckillStock(admin: admin, activityID: activityID)
                }
                #expect(order.data["status"] == "cancelled", "\(order)")
                #expect(order.data["cancelReason"] == "timeout", "\(order)")
                #expect(stock == SeckillStockView(remaining: 8, sold: 2))

                let paidAfter = try await client.order(paidID, as: buyer)
                #expect(paidAfter.status == 200)
                #expect(paidAfter.data["status"] == "pending_shipment", "\(paidAfter)")
                #expect(paidAfter.data["payAmountFen"] == paid["payAmountFen"])
                #expect(paidAfter.data["transactionId"].string != nil)
            }
        }
    }
}
