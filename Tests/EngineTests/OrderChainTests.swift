@testable import Engine
import MallTestSupport
import Testing

/// Issue 7: a user's orders are a chain through `Order.previousOrderID` from
/// `OrderChain.newestOrderID`, kept in id order whatever order the orders arrive in. These
/// check the chain against a plain sorted list of ids, which is what it replaced.
@Suite("A user's chain of orders")
struct OrderChainTests {
    static let users: [UInt64] = [7_001, 7_002, 7_003]

    static func registered() throws -> UserState {
        var state = UserState(shardIndex: 0, shardCount: 1)
        for userID in users {
            try state.apply(.userRegistered(UserRegistered(userID: userID, openID: "o\(userID)", unionID: nil, atMs: testEpochMs)))
        }
        return state
    }

    static func placed(_ orderID: UInt64, by userID: UInt64, key: String? = nil) -> MallEvent {
        .seckillOrderPlaced(SeckillOrderPlaced(
            orderID: orderID, userID: userID, activityID: 20, productID: 10, skuID: 100, productName: "茶 tea",
            skuName: "规格0", quantity: 1, unitPriceFen: 99, totalFen: 99, deadlineMs: testEpochMs + 900_000,
            atMs: testEpochMs, idempotencyKey: key))
    }

    static func cancelled(_ orderID: UInt64, by userID: UInt64) -> MallEvent {
        .orderCancelled(OrderCancelled(orderID: orderID, userID: userID, reason: .user, restocks: [], atMs: testEpochMs + 1))
    }

    /// Each user's ids, newest first, from the orders table alone.
    static func expectedChains(_ state: UserState) -> [UInt64: [UInt64]] {
        var chains: [UInt64: [UInt64]] = [:]
        for order in state.orders.values where order.id != 0 { chains[order.userID, default: []].append(order.id) }
        return chains.mapValues { $0.sorted(by: >) }
    }

    static func expectWhole(_ state: UserState, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = expectedChains(state)
        #expect(Set(state.orderChains.keys) == Set(expected.keys), sourceLocation: sourceLocation)
        for (userID, chain) in state.orderChains {
            let ids = state.orderIDs(of: userID)
            #expect(ids == expected[userID] ?? [], "user \(userID)", sourceLocation: sourceLocation)
            #expect(chain.count == ids.count, "user \(userID)", sourceLocation: sourceLocation)
            #expect(chain.newestOrderID == ids.first, "user \(userID)", sourceLocation: sourceLocation)
        }
    }

    @Test("two orders are equal whatever their links; the links are the shard's, not the order's")
    func linksAreNotPartOfTheOrder() throws {
        var state = try Self.registered()
        for id: UInt64 in [10, 20] { try state.apply(Self.placed(id, by: Self.users[0])) }
        var unlinked = try #require(state.orders[20])
        #expect(unlinked.previousOrderID == 10)
        unlinked.previousOrderID = 0
        #expect(unlinked == state.orders[20])
    }

    @Test("orders arriving in any order give the state that arriving in id order gives")
    func anyArrivalOrder() throws {
        var random = SeededGenerator(seed: 0x6368_6169_6e)
        let events = (0..<90).map { index in
            Self.placed(50_000 + UInt64(index) * 3, by: Self.users[Int.random(in: 0..<Self.users.count, using: &random)])
        }
        var inOrder = try Self.registered()
        for event in events { try inOrder.apply(event) }
        Self.expectWhole(inOrder)
        for _ in 0..<20 {
            var shuffled = try Self.registered()
            for event in events.shuffled(using: &random) { try shuffled.apply(event) }
            #expect(shuffled == inOrder)
            for userID in Self.users { #expect(shuffled.orderIDs(of: userID) == inOrder.orderIDs(of: userID)) }
            Self.expectWhole(shuffled)
        }
    }

    @Test("a page of a user's orders is the page a sorted list of ids gives, for any cursor, status and limit")
    func pagesMatchASortedList() throws {
        var random = SeededGenerator(seed: 0x7061_6765)
        var state = try Self.registered()
        let userID = Self.users[0]
        var ids: [UInt64] = []
        for index in (0..<40).shuffled(using: &random) {
            let id = 80_000 + UInt64(index) * 2
            try state.apply(Self.placed(id, by: userID))
            ids.append(id)
        }
        for id in ids where id % 3 == 0 { try state.apply(Self.cancelled(id, by: userID)) }
        let sorted = ids.sorted(by: >)
        for _ in 0..<300 {
            // Cursors on ids, between them, below and above them all.
            let cursor: UInt64? = Bool.random(using: &random) ? nil : UInt64.random(in: 79_990...80_090, using: &random)
            let status: OrderStatus? = [nil, .pendingPayment, .cancelled].randomElement(using: &random)!
            let limit = Int.random(in: 1...12, using: &random)
            let page = state.orders(of: userID, beforeOrderID: cursor, status: status, limit: limit)
            // The reference: the sorted list below the cursor, filtered, cut at `limit`; a cursor
            // when the page is full and any older order, of any status, remains.
            let below = sorted.filter { cursor == nil || $0 < cursor! }
            var expected: [UInt64] = [], scanned = 0
            for id in below where expected.count < limit {
                scanned += 1
                if status == nil || state.orders[id]?.status == status { expected.append(id) }
            }
            #expect(page.orders.map(\.id) == expected, "cursor \(String(describing: cursor)) status \(String(describing: status)) limit \(limit)")
            #expect(page.nextCursor == (expected.count == limit && scanned < below.count ? expected.last : nil))
        }
        #expect(state.orders(of: 1, beforeOrderID: nil, limit: 5).orders.isEmpty)
    }

    @Test("an id already held is refused and changes nothing, wherever it lies in the chain")
    func heldIDRefused() throws {
        var state = try Self.registered()
        for id: UInt64 in [10, 30, 20] { try state.apply(Self.placed(id, by: Self.users[0])) }
        let before = state
        for id: UInt64 in [30, 20, 10] {
            #expect(throws: ApplyError.self) { try state.apply(Self.placed(id, by: Self.users[0])) }
            #expect(throws: ApplyError.self) { try state.apply(Self.placed(id, by: Self.users[1])) }
            #expect(state == before)
        }
        #expect(state.orderIDs(of: Self.users[0]) == [30, 20, 10])
    }

    @Test("finished orders beyond the bound leave the chain, which stays whole and counted")
    func evictionKeepsTheChainWhole() throws {
        var random = SeededGenerator(seed: 0x6576_6963_74)
        var state = try Self.registered()
        let userID = Self.users[1]
        let kept = UserState.finishedOrdersKeptMax
        let ids = (0..<(kept + 20)).map { 90_000 + UInt64($0) }
        for id in ids.shuffled(using: &random) { try state.apply(Self.placed(id, by: userID)) }
        try state.apply(Self.placed(1, by: Self.users[2]))
        // Cancelled out of id order, with open orders left between the finished ones.
        let toCancel = ids.filter { $0 % 9 != 4 }
        for id in toCancel.shuffled(using: &random) { try state.apply(Self.cancelled(id, by: userID)) }
        let finished = toCancel.sorted(by: >)
        let evicted = Set(finished.dropFirst(kept))
        #expect(!evicted.isEmpty)
        for id in ids { #expect((state.orders[id] == nil) == evicted.contains(id)) }
        Self.expectWhole(state)
        #expect(state.orderIDs(of: userID) == ids.filter { !evicted.contains($0) }.sorted(by: >))
        #expect(state.orderIDs(of: Self.users[2]) == [1])
    }

    @Test("an order's chain follows from the orders alone: a user id with no user has one, id 0 is in none; snapshots keep both")
    func chainsFollowFromOrders() throws {
        var state = try Self.registered()
        try state.apply(Self.placed(500, by: Self.users[0]))
        try state.apply(Self.placed(600, by: 9_999))
        try state.apply(Self.placed(0, by: Self.users[0]))
        #expect(state.orders[600] != nil && state.orders[0] != nil)
        #expect(state.orderIDs(of: Self.users[0]) == [500])
        #expect(state.orderCount(of: Self.users[0]) == 1)
        #expect(state.orderIDs(of: 9_999) == [600])
        #expect(state.orders(of: Self.users[0], beforeOrderID: nil, limit: 10).orders.map(\.id) == [500])
        #expect(state.orderCount(of: Self.users[1]) == 0)
        Self.expectWhole(state)

        var engineState = EngineState(shardCount: 1)
        engineState.users[0] = state
        let decoded = try EngineState(decoding: engineState.encoded(), shardCount: 1)
        #expect(decoded == engineState)
        Self.expectWhole(decoded.users[0])
    }

    @Test("a snapshot's orders rebuild the chains the live state holds, in one part or many, in any shard count")
    func snapshotRebuildsChains() throws {
        var random = SeededGenerator(seed: 0x736e_6170)
        var state = EngineState(shardCount: 4)
        var lsn: UInt64 = 0
        let sku = SKUDefinition(skuID: 100, name: "规格0", spec: [], priceFen: 500, stock: 1_000_000)
        try state.apply(.productCreated(ProductCreated(productID: 10, name: "茶 tea", skus: [sku], atMs: testEpochMs)), lsn: 1)
        try state.apply(.seckillActivityCreated(SeckillActivityCreated(activityID: 20, name: "flash", startMs: 0, endMs: .max, items: [
            SeckillItemDefinition(skuID: 100, seckillPriceFen: 99, stock: 1_000_000, limitPerUser: 1_000_000)], atMs: testEpochMs)),
            lsn: 2)
        lsn = 2
        let userIDs = (0..<37).map { 2_000 + UInt64($0) }
        for userID in userIDs {
            lsn += 1
            try state.apply(.userRegistered(UserRegistered(userID: userID, openID: "o\(userID)", unionID: nil, atMs: testEpochMs)), lsn: lsn)
        }
        // Out of id order, so the live chains were built by inserts behind their heads.
        for index in (0..<(EngineState.parallelOrdersMin + 300)).shuffled(using: &random) {
            lsn += 1
            try state.apply(Self.placed(3_000_000 + UInt64(index), by: userIDs[index % userIDs.count]), lsn: lsn)
        }
        let bytes = state.encoded()
        for shards in [1, 4, 7] {
            let inParts = try EngineState(decoding: bytes, shardCount: shards)
            let inOrder = try EngineState(decoding: bytes, shardCount: shards, parallelOrdersMin: .max)
            #expect(inParts == inOrder)
            #expect(inParts.encoded() == bytes)
            for shard in inParts.users { Self.expectWhole(shard) }
            if shards == 4 { #expect(inParts == state) }
        }
    }
}
