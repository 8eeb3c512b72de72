import Engine
import Foundation
import Logging
import WAL

/// A fresh data directory per test, removed when the harness goes away.
final class TestDataDirectory {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "mall-engine-\(safe)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func configuration(shards: Int = 4) -> EngineConfiguration {
        var configuration = EngineConfiguration(dataDirectory: path)
        configuration.shardCount = shards
        configuration.segmentSizeBytes = 1 << 20
        configuration.paymentTimeoutMs = 15 * 60 * 1000
        return configuration
    }
}

/// 2026-11-27T10:00:00Z
let testEpochMs: Int64 = 1_795_773_600_000

func openEngine(_ directory: TestDataDirectory, clock: ManualClock, shards: Int = 4) throws -> MallEngine {
    try MallEngine.open(directory.configuration(shards: shards), clock: clock, logger: Logger(label: "test"))
}

struct Sale {
    var activityID: UInt64
    var skuID: UInt64
    var productID: UInt64
}

/// A product with one SKU and a flash sale on it, open from now for an hour. The sale draws
/// its units from the SKU's stock, which keeps 500 of its own.
func makeSale(_ engine: MallEngine, stock: Int64, limitPerUser: Int64, priceFen: Int64 = 990) async throws -> Sale {
    let product = try await engine.createProduct(NewProduct(name: "龙井 tea", skus: [
        .init(name: "100g", spec: [SpecPair(key: "规格", value: "100g")], priceFen: 12_800, stock: 500 + stock),
    ]))
    let nowMs = engine.nowMs
    let activity = try await engine.createSeckillActivity(NewSeckillActivity(
        name: "flash", startMs: nowMs, endMs: nowMs + 3_600_000,
        items: [SeckillItemDefinition(skuID: product.skus[0].id, seckillPriceFen: priceFen, stock: stock, limitPerUser: limitPerUser)]))
    return Sale(activityID: activity.id, skuID: product.skus[0].id, productID: product.id)
}

/// `perUser` flash-sale orders for each of `users`: one task a user, its orders one after another.
func placeOrders(_ engine: MallEngine, sale: Sale, users: [UInt64], perUser: Int) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for user in users {
            group.addTask {
                for _ in 0..<perUser {
                    _ = try await engine.placeSeckillOrder(userID: user, activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
                }
            }
        }
        try await group.waitForAll()
    }
}

func registerUsers(_ engine: MallEngine, count: Int) async throws -> [UInt64] {
    var ids: [UInt64] = []
    for index in 0..<count { ids.append(try await engine.registerUser(openID: "openid-\(index)", unionID: nil).0.id) }
    return ids
}
