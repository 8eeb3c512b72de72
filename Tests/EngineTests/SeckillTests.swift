import Engine
import Foundation
import Testing

@Suite("Flash-sale purchases")
struct SeckillTests {
    @Test("a purchase creates a pending order and takes stock; selling out and the per-user limit are distinct refusals")
    func soldOutAndLimit() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let sale = try await makeSale(engine, stock: 3, limitPerUser: 2)
        let users = try await registerUsers(engine, count: 2)

        let order = try await engine.placeSeckillOrder(userID: users[0], activityID: sale.activityID, skuID: sale.skuID, quantity: 2)
        #expect(order.status == .pendingPayment)
        #expect(order.payAmountFen == 1980)
        #expect(order.payDeadlineMs == testEpochMs + 15 * 60 * 1000)
        await #expect(throws: EngineError.limitReached(limitPerUser: 2)) {
            try await engine.placeSeckillOrder(userID: users[0], activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
        }
        await #expect(throws: EngineError.soldOut(skuID: sale.skuID)) {
            try await engine.placeSeckillOrder(userID: users[1], activityID: sale.activityID, skuID: sale.skuID, quantity: 2)
        }
        _ = try await engine.placeSeckillOrder(userID: users[1], activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
        let status = try #require(await engine.seckillActivity(id: sale.activityID))
        #expect(status.1[0].remaining == 0)
        #expect(status.1[0].sold == 3)
        await engine.close()
    }

    @Test("buying before the window opens or after it closes is refused and leaves no trace")
    func outsideWindow() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let sale = try await makeSale(engine, stock: 5, limitPerUser: 5)
        let user = try await registerUsers(engine, count: 1)[0]
        let lsnBefore = engine.durableLSN
        clock.advance(byMs: 3_600_000)
        await #expect(throws: EngineError.activityNotActive(startMs: testEpochMs, endMs: testEpochMs + 3_600_000)) {
            try await engine.placeSeckillOrder(userID: user, activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
        }
        #expect(engine.durableLSN == lsnBefore)
        #expect(try #require(await engine.seckillActivity(id: sale.activityID)).1[0].remaining == 5)
        await engine.close()
    }

    @Test("an unpaid order is cancelled at its deadline and its units return to the sale")
    func paymentTimeout() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let sale = try await makeSale(engine, stock: 1, limitPerUser: 1)
        let users = try await registerUsers(engine, count: 2)
        let order = try await engine.placeSeckillOrder(userID: users[0], activityID: sale.activityID, skuID: sale.skuID, quantity: 1)

        clock.advance(byMs: 15 * 60 * 1000 - 1)
        #expect(await engine.cancelExpiredOrders() == 0)
        clock.advance(byMs: 1)
        #expect(await engine.cancelExpiredOrders() == 1)
        let cancelled = try #require(await engine.order(id: order.id))
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.cancelReason == .timeout)
        // The unit is back: another buyer gets it, and the first buyer's allowance is restored.
        _ = try await engine.placeSeckillOrder(userID: users[1], activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
        // Money that arrives after the deadline is recorded as a refund due, never applied to the order.
        await #expect(throws: EngineError.conflict("payment recorded as an exception: order_cancelled")) {
            try await engine.confirmPayment(orderID: order.id, transactionID: "late", amountFen: order.payAmountFen)
        }
        #expect(engine.payments.exceptions["late"]?.reason == .orderCancelled)
        await engine.close()
    }

    @Test("payment moves the order to pending_shipment once; a repeated notification changes nothing")
    func payment() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let sale = try await makeSale(engine, stock: 5, limitPerUser: 5)
        let user = try await registerUsers(engine, count: 1)[0]
        let order = try await engine.placeSeckillOrder(userID: user, activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
        await #expect(throws: EngineError.conflict("payment recorded as an exception: amount_mismatch")) {
            try await engine.confirmPayment(orderID: order.id, transactionID: "tx", amountFen: 1)
        }
        #expect(try #require(await engine.order(id: order.id)).status == .pendingPayment)
        let paid = try await engine.confirmPayment(orderID: order.id, transactionID: "tx-1", amountFen: 990)
        #expect(paid.status == .pendingShipment)
        let lsn = engine.durableLSN
        let again = try await engine.confirmPayment(orderID: order.id, transactionID: "tx-1", amountFen: 990)
        #expect(again == paid)
        #expect(engine.durableLSN == lsn)
        clock.advance(byMs: 16 * 60 * 1000)
        #expect(await engine.cancelExpiredOrders() == 0)
        await #expect(throws: EngineError.orderStateForbids(status: .pendingShipment, action: "cancelled")) {
            try await engine.cancelOrder(id: order.id, ownedBy: user, reason: .user)
        }
        await engine.close()
    }

    @Test("a retried purchase with the same Idempotency-Key returns the first order, also after a restart")
    func idempotency() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        var engine = try openEngine(directory, clock: clock)
        let sale = try await makeSale(engine, stock: 5, limitPerUser: 5)
        let users = try await registerUsers(engine, count: 2)
        let first = try await engine.placeSeckillOrder(userID: users[0], activityID: sale.activityID, skuID: sale.skuID,
                                                       quantity: 1, idempotencyKey: "k-1")
        let retry = try await engine.placeSeckillOrder(userID: users[0], activityID: sale.activityID, skuID: sale.skuID,
                                                       quantity: 1, idempotencyKey: "k-1")
        #expect(retry.id == first.id)
        // Keys belong to a user: another buyer's same key is a new purchase.
        let other = try await engine.placeSeckillOrder(userID: users[1], activityID: sale.activityID, skuID: sale.skuID,
                                                       quantity: 1, idempotencyKey: "k-1")
        #expect(other.id != first.id)
        await engine.close()
        engine = try openEngine(directory, clock: clock)
        let afterRestart = try await engine.placeSeckillOrder(userID: users[0], activityID: sale.activityID, skuID: sale.skuID,
                                                              quantity: 1, idempotencyKey: "k-1")
        #expect(afterRestart.id == first.id)
        #expect(try #require(await engine.seckillActivity(id: sale.activityID)).1[0].sold == 2)
        await engine.close()
    }

    @Test("an order is visible to its owner only")
    func ownership() async throws {
        let directory = TestDataDirectory()
        let engine = try openEngine(directory, clock: ManualClock(nowMs: testEpochMs))
        let sale = try await makeSale(engine, stock: 5, limitPerUser: 5)
        let users = try await registerUsers(engine, count: 2)
        let order = try await engine.placeSeckillOrder(userID: users[0], activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
        #expect(await engine.order(id: order.id, ownedBy: users[0]) != nil)
        #expect(await engine.order(id: order.id, ownedBy: users[1]) == nil)
        await #expect(throws: EngineError.notFound("order")) {
            try await engine.cancelOrder(id: order.id, ownedBy: users[1], reason: .user)
        }
        await engine.close()
    }

    @Test("a restart rebuilds the same state, and a second login of an openid finds the same user")
    func restart() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        var engine = try openEngine(directory, clock: clock)
        let sale = try await makeSale(engine, stock: 10, limitPerUser: 3)
        let users = try await registerUsers(engine, count: 3)
        for user in users {
            _ = try await engine.placeSeckillOrder(userID: user, activityID: sale.activityID, skuID: sale.skuID, quantity: 2)
        }
        let digest = await engine.liveState().digest
        await engine.close()
        engine = try openEngine(directory, clock: clock)
        #expect(await engine.liveState().digest == digest)
        #expect(try await engine.registerUser(openID: "openid-1", unionID: nil) .0.id == users[1])
        #expect(engine.recoveryReport.recordsReplayed > 0)
        await engine.close()
    }
}
