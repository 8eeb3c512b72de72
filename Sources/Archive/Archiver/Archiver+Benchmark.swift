import Engine
import WAL
import Logging

/// What `measureCatchUp` measured.
public struct CatchUpMeasurement: Sendable, CustomStringConvertible {
    public var orders: Int
    /// Time to make the WAL through a real engine (fsync policy `none`: benchmark set-up only).
    public var generation: Duration
    public var catchUp: CatchUpReport

    public var description: String {
        "catch-up of \(orders) orders (\(catchUp.records) WAL records; WAL made in \(generation) with fsync none): \(catchUp)"
    }
}

extension Archiver {
    /// Measures archiver throughput for `mall bench archive`: makes a WAL of `orders` flash-sale
    /// orders (every other one paid) through a real `MallEngine` in `dataDirectory`, which must be
    /// empty, then archives it with one catch-up into `database`, which should be empty and
    /// migrated. The engine runs with fsync policy `none`: only the catch-up is being measured.
    /// - Complexity: O(orders) records and rows.
    public static func measureCatchUp(database: ArchiveDatabase, orders: Int, dataDirectory: String,
                                      buyersConcurrent: Int = 16, logger: Logger) async throws -> CatchUpMeasurement {
        precondition(orders > 0 && buyersConcurrent > 0, "measure at least one order with at least one buyer")
        var configuration = EngineConfiguration(dataDirectory: dataDirectory)
        configuration.fsyncPolicy = .none
        let started = ContinuousClock.now
        let engine = try MallEngine.open(configuration, logger: logger)
        do {
            try await generateOrders(engine, orders: orders, buyersConcurrent: buyersConcurrent)
        } catch {
            await engine.close()
            throw error
        }
        let generation = ContinuousClock.now - started
        let durable = engine.durableLSN
        await engine.close()
        let archiver = Archiver(database: database, walDirectory: configuration.walDirectory, durableLSN: { durable },
                                configuration: database.configuration, logger: logger)
        let report = try await archiver.catchUp()
        await archiver.close()
        return CatchUpMeasurement(orders: orders, generation: generation, catchUp: report)
    }

    /// One product, one flash sale with a unit per order; each buyer takes the per-user limit.
    private static func generateOrders(_ engine: MallEngine, orders: Int, buyersConcurrent: Int) async throws {
        let product = try await engine.createProduct(NewProduct(name: "bench tea", skus: [
            .init(name: "100g", spec: [SpecPair(key: "规格", value: "100g")], priceFen: 12_800, stock: 1_000 + Int64(orders)),
        ]))
        let skuID = product.skus[0].id
        let limitPerUser = MallEngine.seckillQuantityMax
        let nowMs = engine.nowMs
        let activity = try await engine.createSeckillActivity(NewSeckillActivity(
            name: "bench", startMs: nowMs, endMs: nowMs + 86_400_000,
            items: [SeckillItemDefinition(skuID: skuID, seckillPriceFen: 990, stock: Int64(orders), limitPerUser: limitPerUser)]))
        let buyers = (orders + Int(limitPerUser) - 1) / Int(limitPerUser)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<buyersConcurrent {
                group.addTask {
                    for buyer in stride(from: lane, to: buyers, by: buyersConcurrent) {
                        let userID = try await engine.registerUser(openID: "bench-\(buyer)", unionID: nil).0.id
                        let count = min(Int(limitPerUser), orders - buyer * Int(limitPerUser))
                        for index in 0..<count {
                            let order = try await engine.placeSeckillOrder(userID: userID, activityID: activity.id,
                                                                           skuID: skuID, quantity: 1)
                            guard index % 2 == 0 else { continue }
                            _ = try await engine.confirmPayment(orderID: order.id, transactionID: "bench-\(order.id)",
                                                                amountFen: order.payAmountFen)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
