@testable import Engine
import Foundation
import Testing

@Suite("Purchases decided in batches")
struct BatchingTests {
    @Test("an inbox hands requests over in submission order, asks for exactly one drainer at a time, and is bounded")
    func inboxOrderAndOneDrainer() {
        let inbox = ShardInbox<Int>(capacity: 3)
        #expect(inbox.submit(1) == .startDrainer, "the first request starts a drainer")
        #expect(inbox.submit(2) == .queued && inbox.submit(3) == .queued, "a drainer runs: later requests only queue")
        #expect(inbox.submit(4) == .full, "three wait already: the fourth is refused, not queued")
        var batch: [Int] = []
        #expect(inbox.take(into: &batch) && batch == [1, 2, 3])
        batch.removeAll(keepingCapacity: true)
        #expect(inbox.submit(4) == .queued, "the drainer has not finished its run")
        #expect(inbox.take(into: &batch) && batch == [4])
        batch.removeAll(keepingCapacity: true)
        #expect(!inbox.take(into: &batch), "nothing waits: the run ends")
        #expect(inbox.submit(5) == .startDrainer, "after the run ended, a request starts a new drainer")
        // A batch not handed on is kept, with the waiting requests after it.
        batch = [0]
        #expect(inbox.take(into: &batch) && batch == [0, 5])
    }

    @Test("a reader given a range outside its bytes reads only the bytes there are")
    func readerRangeIsClamped() throws {
        var reader = ByteReader([1, 0, 0, 0], range: -3..<99)
        #expect(reader.remaining == 4)
        #expect(try reader.read(UInt32.self) == 1)
        #expect(throws: ByteDecodingError.self) { try reader.read(UInt8.self) }
    }

    @Test("buyers arriving together: sold out and limit refusals inside a batch leave the others' purchases whole")
    func refusalsInsideBatches() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let sale = try await makeSale(engine, stock: 50, limitPerUser: 2)
        let users = try await registerUsers(engine, count: 40)
        // 40 buyers × 3 concurrent requests: 120 requests for 50 units, at most 2 per buyer.
        let outcomes = await withTaskGroup(of: Result<Order, EngineError>.self) { group in
            for user in users {
                for _ in 0..<3 {
                    group.addTask {
                        do throws(EngineError) {
                            return .success(try await engine.placeSeckillOrder(
                                userID: user, activityID: sale.activityID, skuID: sale.skuID, quantity: 1))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let orders = outcomes.compactMap { try? $0.get() }
        #expect(orders.count == 50, "exactly the stock is sold")
        #expect(Set(orders.map(\.id)).count == 50)
        for user in users { #expect(orders.count { $0.userID == user } <= 2) }
        for case .failure(let error) in outcomes {
            #expect(error == .soldOut(skuID: sale.skuID) || error == .limitReached(limitPerUser: 2), "\(error)")
        }
        let status = try #require(await engine.seckillActivity(id: sale.activityID))
        #expect(status.1[0].remaining == 0 && status.1[0].sold == 50)
        for order in orders { #expect(await engine.order(id: order.id, ownedBy: order.userID) == order) }
        let live = await engine.liveState()
        await engine.close()

        let reopened = try openEngine(directory, clock: clock)
        #expect(await reopened.liveState().digest == live.digest)
        for order in orders { #expect(await reopened.order(id: order.id) == order) }
        await reopened.close()
    }

    @Test("a batch priced from the catalog at once: purchases of closed, unknown and off-shelf sales are refused, the others keep their own price and names")
    func catalogRefusalsInsideBatches() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        // One shard: every purchase joins the same inbox, so the kinds below share batches.
        let engine = try openEngine(directory, clock: clock, shards: 1)
        let open = try await makeSale(engine, stock: 100, limitPerUser: 5, priceFen: 990)
        let other = try await makeSale(engine, stock: 100, limitPerUser: 5, priceFen: 1_250)
        let shelved = try await makeSale(engine, stock: 100, limitPerUser: 5)
        try await engine.shelveProducts([shelved.productID], onShelf: false, operatorID: 1)
        let nowMs = engine.nowMs
        let later = try await engine.createSeckillActivity(NewSeckillActivity(
            name: "later", startMs: nowMs + 60_000, endMs: nowMs + 120_000,
            items: [SeckillItemDefinition(skuID: open.skuID, seckillPriceFen: 500, stock: 10, limitPerUser: 1)]))
        let users = try await registerUsers(engine, count: 20)
        let kinds: [(activityID: UInt64, skuID: UInt64, refusal: EngineError?)] = [
            (open.activityID, open.skuID, nil),
            (other.activityID, other.skuID, nil),
            (open.activityID + 999_999, open.skuID, .notFound("flash-sale activity")),
            (open.activityID, other.skuID, .notFound("SKU in this activity")),
            (shelved.activityID, shelved.skuID, .conflict("this product is not on sale (off the shelf)")),
            (later.id, open.skuID, .activityNotActive(startMs: later.startMs, endMs: later.endMs)),
        ]
        let outcomes = await withTaskGroup(of: (Int, UInt64, Result<Order, EngineError>).self) { group in
            for (userIndex, user) in users.enumerated() {
                for kind in kinds.indices {
                    group.addTask {
                        let purchase = kinds[(kind + userIndex) % kinds.count]
                        do throws(EngineError) {
                            return ((kind + userIndex) % kinds.count, user, .success(try await engine.placeSeckillOrder(
                                userID: user, activityID: purchase.activityID, skuID: purchase.skuID, quantity: 2)))
                        } catch {
                            return ((kind + userIndex) % kinds.count, user, .failure(error))
                        }
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == users.count * kinds.count)
        for (kind, user, outcome) in outcomes {
            switch (outcome, kinds[kind].refusal) {
            case (.success(let order), nil):
                let sale = kind == 0 ? open : other
                #expect(order.userID == user && order.activityID == sale.activityID)
                #expect(order.items.map(\.skuID) == [sale.skuID] && order.items.map(\.productName) == ["龙井 tea"])
                #expect(order.totalFen == (kind == 0 ? 1_980 : 2_500))
                #expect(await engine.order(id: order.id, ownedBy: user) == order)
            case (.failure(let error), let refusal?):
                #expect(error == refusal)
            default:
                Issue.record("kind \(kind): \(outcome)")
            }
        }
        let status = try #require(await engine.seckillActivity(id: open.activityID))
        #expect(status.1[0].sold == 40)
        try await expectReplayEqualsLive(engine, directory)
    }
}
