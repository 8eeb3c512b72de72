@testable import Engine
import Foundation
import MallTestSupport
import Testing

/// The structures a start-up builds in bulk must equal the ones built one event at a time.
@Suite("Start-up structures built in bulk")
struct StartUpTests {
    @Test("a deadline heap built at once pops in the same order as one built by pushes, and keeps working after", arguments: [0, 1, 2, 7, 1_000])
    func heapifiedDeadlines(count: Int) {
        var generator = SeededGenerator(seed: UInt64(count) + 1)
        // Few distinct deadlines, so ties are broken by order id.
        let entries = (0..<count).map { _ in
            DeadlineQueue.Entry(deadlineMs: Int64.random(in: 0...20, using: &generator),
                                orderID: UInt64.random(in: 1...UInt64(count * 4 + 1), using: &generator))
        }
        var bulk = DeadlineQueue(entries)
        var pushed = DeadlineQueue()
        for entry in entries { pushed.push(entry) }
        #expect(bulk.count == count)
        let extra = DeadlineQueue.Entry(deadlineMs: 10, orderID: 0)
        bulk.push(extra)
        pushed.push(extra)
        var fromBulk: [DeadlineQueue.Entry] = [], fromPushes: [DeadlineQueue.Entry] = []
        while let entry = bulk.popFirst() { fromBulk.append(entry) }
        while let entry = pushed.popFirst() { fromPushes.append(entry) }
        #expect(fromBulk == fromPushes)
        #expect(fromBulk == (entries + [extra]).sorted())
    }

    @Test("the order directory built on all cores holds exactly the orders whose ids do not name their shard")
    func orderDirectoryFromShards() throws {
        var shards = (0..<4).map { UserState(shardIndex: $0, shardCount: 4) }
        let route = OrderRoute(shardCount: shards.count)
        var expected: [UInt64: Int] = [:]
        for orderID in UInt64(1)...5_000 {
            let userID = orderID % 97 + 1
            let shard = ShardRouter.shard(of: userID, count: shards.count)
            shards[shard].orders[orderID] = Order(
                id: orderID, userID: userID, activityID: 1, items: [], totalFen: 100, payAmountFen: 100,
                status: .pendingPayment, createdAtMs: 0, payDeadlineMs: 1_000)
            expected[orderID] = shard
        }
        let directory = OrderDirectory(users: shards, route: route)
        for (orderID, shard) in expected { #expect(directory.shard(ofOrder: orderID) == shard) }
        let unrouted = expected.filter { route.shard(ofOrder: $0.key) != $0.value }
        #expect(!unrouted.isEmpty && unrouted.count < expected.count)
        #expect(directory.entryCount == unrouted.count)
        // An id no order has is sent to the shard it names, which does not hold it.
        #expect(directory.shard(ofOrder: 5_001) == 1)
        #expect(OrderDirectory(users: [], route: OrderRoute(shardCount: 0)).shard(ofOrder: 1) == nil)
        // Evicting an order drops its entry; an order its id routes needs none.
        let (evictedID, evictedShard) = try #require(unrouted.first)
        directory.remove(orderIDs: [evictedID], shard: evictedShard)
        #expect(directory.entryCount == unrouted.count - 1)
        directory.record(orderID: 4 * 2_000 + 3, shard: 3)
        #expect(directory.entryCount == unrouted.count - 1)
    }
}
