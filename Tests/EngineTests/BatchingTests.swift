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
}
