@testable import Engine
import Foundation
import MallTestSupport
import Testing

/// An order id names its buyer's user shard, so neither a purchase nor a lookup
/// by id needs an index; orders whose ids do not (an old log, another shard
/// count) are found through the directory built at start-up.
@Suite("Order ids that name their shard")
struct OrderRouteTests {
    @Test("a route takes the fewest bits that name every shard, and none past the maximum")
    func routeBits() {
        #expect(OrderRoute(shardCount: 1).mask == 0)
        #expect(OrderRoute(shardCount: 1).shard(ofOrder: 12_345) == 0)
        #expect(OrderRoute(shardCount: 16).mask == 15)
        #expect(OrderRoute(shardCount: 17).mask == 31)
        let seven = OrderRoute(shardCount: 7)
        #expect(seven.mask == 7)
        #expect(seven.shard(ofOrder: 0b1010_0110) == 6)
        #expect(seven.shard(ofOrder: 0b1010_0111) == nil)
        #expect(OrderRoute(shardCount: OrderRoute.shardCountMax).mask == 255)
        #expect(!OrderRoute(shardCount: OrderRoute.shardCountMax + 1).isRouting)
        #expect(OrderRoute(shardCount: OrderRoute.shardCountMax + 1).shard(ofOrder: 3) == nil)
        #expect(!OrderRoute(shardCount: 0).isRouting)
    }

    @Test("routed ids rise, name their shard, skip fewer counter values than the route has shards, and stay unique across tasks")
    func routedIDs() async throws {
        let clock = ManualClock(nowMs: testEpochMs)
        let ids = IDGenerator(clock: clock)
        let route = OrderRoute(shardCount: 7)
        var generator = SeededGenerator(seed: 7)
        var previous: UInt64 = 0
        for step in 0..<10_000 {
            if step % 1_000 == 999 { clock.advance(byMs: 1) }
            let shard = Int.random(in: 0..<7, using: &generator)
            guard let id = ids.next(routedTo: shard, by: route, atMs: clock.nowMs()) else {
                Issue.record("no id at step \(step)")
                return
            }
            #expect(route.shard(ofOrder: id) == shard)
            #expect(id > previous)
            #expect(previous == 0 || id - previous <= route.mask + 1 || id >> 16 == UInt64(clock.nowMs()))
            previous = id
        }
        // Ids of other kinds and orders share one sequence.
        let plain = try #require(ids.next())
        #expect(plain > previous)

        let taken = await withTaskGroup(of: [UInt64].self) { group in
            for task in 0..<8 {
                group.addTask {
                    (0..<2_000).compactMap { _ in ids.next(routedTo: task % 7, by: route, atMs: clock.nowMs()) }
                }
            }
            return await group.reduce(into: [UInt64]()) { $0 += $1 }
        }
        #expect(taken.count == 16_000)
        #expect(Set(taken).count == taken.count)
        #expect(taken.allSatisfy { $0 > plain })
    }

    @Test("at the end of the id space a routed id falls back to the plain next one, then none is left")
    func idSpaceEnd() {
        let route = OrderRoute(shardCount: 16)
        let ids = IDGenerator(clock: ManualClock(nowMs: 0), floor: UInt64.max - 2)
        // The next id naming shard 3 would be past the largest: the plain next one is given.
        #expect(ids.next(routedTo: 3, by: route, atMs: 0) == UInt64.max - 1)
        #expect(ids.next(routedTo: 15, by: route, atMs: 0) == UInt64.max)
        #expect(ids.next(routedTo: 15, by: route, atMs: 0) == nil)
        #expect(ids.next() == nil)
        let plain = IDGenerator(clock: ManualClock(nowMs: 0), floor: UInt64.max - 1)
        #expect(plain.next() == UInt64.max)
        #expect(plain.next() == nil)
    }

    @Test("orders are found by id, order number and owner after restarts under other shard counts, from the log and from a snapshot",
          arguments: [1, 7])
    func otherShardCounts(reopenedWith shardCount: Int) async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        var engine = try openEngine(directory, clock: clock, shards: 4)
        let sale = try await makeSale(engine, stock: 100, limitPerUser: 2)
        let users = try await registerUsers(engine, count: 12)
        var orders: [Order] = []
        for user in users {
            orders.append(try await engine.placeSeckillOrder(userID: user, activityID: sale.activityID, skuID: sale.skuID,
                                                             quantity: 1))
            orders.append(try await engine.placeOrder(userID: user, NewOrder(lines: [.init(skuID: sale.skuID, quantity: 1)])))
        }
        let route = OrderRoute(shardCount: 4)
        for order in orders { #expect(route.shard(ofOrder: order.id) == ShardRouter.shard(of: order.userID, count: 4)) }
        #expect(engine.orderDirectory.entryCount == 0)
        await engine.close()

        for snapshot in [false, true] {
            engine = try openEngine(directory, clock: clock, shards: shardCount)
            let reopened = OrderRoute(shardCount: shardCount)
            let misrouted = orders.filter { reopened.shard(ofOrder: $0.id) != ShardRouter.shard(of: $0.userID, count: shardCount) }
            #expect(engine.orderDirectory.entryCount == misrouted.count)
            for order in orders {
                #expect(await engine.order(id: order.id) == order)
                #expect(await engine.order(id: order.id, ownedBy: order.userID) == order)
                #expect(await engine.order(id: order.id, ownedBy: order.userID + 1) == nil)
            }
            if snapshot {
                _ = try await engine.maintain(force: true)
            }
            await engine.close()
        }

        engine = try openEngine(directory, clock: clock, shards: shardCount)
        #expect(engine.recoveryReport.recordsReplayed == 0)
        let (paid, cancelled, stranger) = (orders[0], orders[1], orders[2])
        await #expect(throws: EngineError.notFound("order")) {
            try await engine.cancelOrder(id: cancelled.id, ownedBy: stranger.userID, reason: .user)
        }
        #expect(try await engine.cancelOrder(id: cancelled.id, ownedBy: cancelled.userID, reason: .user).status == .cancelled)
        let outcome = try await engine.confirmPayment(orderNo: OrderNumber.make(orderID: paid.id), transactionID: "tx-route",
                                                      amountFen: paid.payAmountFen)
        guard case .paid(let order) = outcome else {
            Issue.record("payment of \(paid.id) not kept: \(outcome)")
            return
        }
        #expect(order.status == .pendingShipment)
        // An order number no order has is a payment exception, as before.
        let unknown = try await engine.confirmPayment(orderNo: OrderNumber.make(orderID: UInt64(testEpochMs - 1) << 16), transactionID: "tx-none",
                                                      amountFen: 1)
        guard case .exception(let exception) = unknown else {
            Issue.record("an unknown order number was paid: \(unknown)")
            return
        }
        #expect(exception.reason == .unknownOrder)
        await engine.close()
    }
}
