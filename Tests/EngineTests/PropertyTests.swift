import Logging
import Engine
import Foundation
import PropertyBased
import Testing

/// Random concurrent workloads against the engine. Whatever the interleaving:
/// the live state equals the state rebuilt from snapshot + WAL (digest),
/// stock never goes below zero, and remaining + sold is the stock the sale
/// started with, with sold equal to the units in orders that are not cancelled.
@Suite("Engine properties")
struct PropertyTests {
    static let stock: Int64 = 40
    static let limitPerUser: Int64 = 4

    /// Ordinary stock of each SKU of the multi-SKU product.
    static let skuStock: Int64 = 30

    enum Operation {
        case buy(user: Int, quantity: Int64)
        /// An ordinary order with lines on several SKUs (and so several shards, or two lines on one).
        case order(user: Int, firstSKU: Int, lines: Int)
        case cancel(order: Int)
        case pay(order: Int)
        case advanceClock(ms: Int64)
        case fireTimeouts
        case snapshot

        init(code: Int) {
            switch code % 12 {
            case 0...2: self = .buy(user: code / 12 % 8, quantity: Int64(code / 96 % 3 + 1))
            case 3, 4: self = .order(user: code / 12 % 8, firstSKU: code / 96 % 6, lines: code / 576 % 3 + 1)
            case 5, 6: self = .cancel(order: code / 12)
            case 7, 8: self = .pay(order: code / 12)
            case 9: self = .advanceClock(ms: Int64(code / 12 % 10) * 120_000)
            case 10: self = .fireTimeouts
            default: self = .snapshot
            }
        }
    }

    /// Orders placed so far, shared by the lanes of one run.
    actor Placed {
        var orders: [Order] = []
        func add(_ order: Order) { orders.append(order) }
        func pick(_ index: Int) -> Order? { orders.isEmpty ? nil : orders[index % orders.count] }
    }

    @Test("live digest equals replayed digest and stock is conserved under random concurrent workloads")
    func liveEqualsReplay() async throws {
        await propertyCheck(count: 60, input: Gen.int(in: 0...100_000).array(of: 10...60).array(of: 2...4)) { lanes in
            do {
                try await Self.run(lanes: lanes)
            } catch {
                Issue.record("workload failed: \(error)")
            }
        }
    }

    static func run(lanes: [[Int]]) async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        var configuration = directory.configuration(shards: 3)
        configuration.segmentSizeBytes = 64 << 10     // several segments per run, so rotation is exercised
        let engine = try MallEngine.open(configuration, clock: clock, logger: .init(label: "property"))
        let sale = try await makeSale(engine, stock: stock, limitPerUser: limitPerUser)
        let shop = try await engine.createProduct(NewProduct(name: "多规格", skus: (0..<6).map {
            .init(name: "s\($0)", spec: [], priceFen: 100 * Int64($0 + 1), stock: skuStock)
        }))
        let users = try await registerUsers(engine, count: 8)
        let placed = Placed()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in lanes {
                group.addTask {
                    for code in lane {
                        try await perform(Operation(code: code), engine: engine, clock: clock, sale: sale, shop: shop, users: users,
                                          placed: placed)
                    }
                }
            }
            try await group.waitForAll()
        }
        let live = await engine.liveState()
        try checkConservation(live, sale: sale, shop: shop)
        await engine.close()
        let (replayed, _) = try Recovery.rebuild(configuration: configuration)
        #expect(replayed.digest == live.digest)
        #expect(replayed.lastLSN == live.lastLSN)
        try checkConservation(replayed, sale: sale, shop: shop)
    }

    static func perform(_ operation: Operation, engine: MallEngine, clock: ManualClock, sale: Sale, shop: Product,
                        users: [UInt64], placed: Placed) async throws {
        do {
            switch operation {
            case .order(let user, let firstSKU, let lines):
                let skus = (0..<lines).map { shop.skus[(firstSKU + $0 * 2) % shop.skus.count].id }
                await placed.add(try await engine.placeOrder(userID: users[user], NewOrder(lines: skus.enumerated().map {
                    .init(skuID: $1, quantity: Int64($0 + 1))
                })))
            case .buy(let user, let quantity):
                await placed.add(try await engine.placeSeckillOrder(userID: users[user], activityID: sale.activityID,
                                                                    skuID: sale.skuID, quantity: quantity))
            case .cancel(let index):
                if let order = await placed.pick(index) { _ = try await engine.cancelOrder(id: order.id, reason: .user) }
            case .pay(let index):
                if let order = await placed.pick(index) {
                    _ = try await engine.confirmPayment(orderID: order.id, transactionID: "tx-\(order.id)", amountFen: order.payAmountFen)
                }
            case .advanceClock(let ms):
                clock.advance(byMs: ms)
            case .fireTimeouts:
                await engine.cancelExpiredOrders()
            case .snapshot:
                _ = try await engine.maintain(force: true)
            }
        } catch let error as EngineError {
            switch error {
            case .soldOut, .limitReached, .activityNotActive, .orderStateForbids, .orderBusy, .conflict: break   // refusals are expected
            default: throw error
            }
        }
    }

    static func checkConservation(_ state: EngineState, sale: Sale, shop: Product) throws {
        let stock = try #require(state.inventory.lazy.compactMap { $0.seckill[SeckillKey(activityID: sale.activityID, skuID: sale.skuID)] }.first)
        #expect(stock.remaining >= 0)
        #expect(stock.remaining + stock.sold == Self.stock)
        let orders = state.users.flatMap { $0.orders.values }
        // Ordinary stock: what is left plus what live orders hold is what there was.
        for sku in shop.skus {
            let left = try #require(state.inventory.lazy.compactMap { $0.stockBySKU[sku.id] }.first)
            let held = orders.filter { $0.status != .cancelled && $0.activityID == 0 }
                .flatMap(\.items).filter { $0.skuID == sku.id }.reduce(0) { $0 + $1.quantity }
            #expect(left >= 0)
            #expect(left + held == Self.skuStock, "SKU \(sku.id): \(left) left + \(held) held")
        }
        let live = orders.filter { $0.status != .cancelled && $0.activityID == sale.activityID }
        #expect(stock.sold == live.reduce(0) { $0 + $1.items[0].quantity })
        var perUser: [UInt64: Int64] = [:]
        for order in live { perUser[order.userID, default: 0] += order.items[0].quantity }
        #expect(perUser.values.allSatisfy { $0 <= Self.limitPerUser })
        #expect(stock.boughtByUser == perUser)
    }
}
