import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EndToEnd {
    @Suite("Graceful shutdown") struct GracefulShutdownTests {
        static let saleStock: Int64 = 1_000
        static let buyerCount = 100
        static let stopAfterAcks = 30

        @Test("SIGTERM during a rush answers the purchases in flight, exits 0, and every acknowledged order survives")
        func sigtermDrainsAndKeepsAcknowledgedOrders() async throws {
            try await withMallServer { server, client in
                let admin = try await client.adminLogin()
                let skuID = try await client.createProduct(admin: admin, name: "shutdown-test kettle")
                let activityID = try await client.createActivity(admin: admin, skuID: skuID, stock: Self.saleStock, limitPerUser: 10)
                let buyers = try await client.loginBuyers(count: Self.buyerCount, prefix: "shutdown")
                let oldBaseURL = server.baseURL

                let ledger = PurchaseLedger(afterAcks: Self.stopAfterAcks, send: SIGTERM, to: server.pid)
                await FlashSaleRush(client: client, activityID: activityID, skuID: skuID)
                    .run(lanes: buyers.map { [$0] }, attemptsPerBuyer: 10, quantity: { _ in 1 }, ledger: ledger)
                let rush = await ledger.summary()
                try #require(rush.signalled, "fewer than \(Self.stopAfterAcks) orders were acknowledged: \(rush.refusals) \(rush.unexpected)")

                let ended = try await server.waitExit(timeout: .seconds(20))
                #expect(ended == ServerExit(byUncaughtSignal: false, status: 0))
                #expect(rush.unexpected.isEmpty, "unexpected answers during shutdown: \(rush.unexpected.prefix(5))")
                #expect(rush.acksAfterSignal > 0, "no purchase was in flight when SIGTERM arrived")
                print("shutdown: \(rush.acks.count) orders acknowledged (\(rush.acksAfterSignal) after SIGTERM), "
                      + "\(rush.unanswered) unanswered (\(rush.unansweredSentBeforeSignal) sent before SIGTERM: \(rush.unansweredBeforeSignalCauses)), "
                      + "refusals \(rush.refusals)")

                await #expect(throws: (any Error).self, "a request after shutdown must not reach a server") {
                    _ = try await client.get("/readyz", timeoutSeconds: 3)
                }
                #expect(client.baseURL == oldBaseURL)

                try await server.restart(client)

                let lost = await client.mismatches(of: rush.acks, activityID: activityID, expectedStatus: "pending_payment")
                try #require(lost.isEmpty, "\(lost.count) acknowledged orders lost by the shutdown:\n\(lost.prefix(10).joined(separator: "\n"))")
                let stock = try await client.seckillStock(admin: admin, activityID: activityID)
                #expect(stock.remaining + stock.sold == Self.saleStock)
                #expect(stock.sold >= rush.ackedUnits)
                // Drained means answered: no order became durable without its buyer hearing of it.
                let durable = try await client.seckillOrders(of: buyers, activityID: activityID)
                #expect(Set(durable.map(\.orderID)) == Set(rush.acks.map(\.orderID)),
                        "\(durable.count) durable orders, \(rush.acks.count) acknowledged")
                #expect(durable.reduce(0) { $0 + $1.quantity } == stock.sold)

                let next = try await client.buy(buyers[0], activityID: activityID, skuID: skuID)
                #expect(next.status == 201 || next.code == 40902, "buying after the restart: \(next)")
            }
        }
    }
}
