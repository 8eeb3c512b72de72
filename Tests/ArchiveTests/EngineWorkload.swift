import Engine
import Foundation
import Logging

/// A fresh engine data directory per test, removed when the harness goes away.
final class TestDataDirectory: Sendable {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "mall-archive-\(safe)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func configuration(segmentSizeBytes: Int = 1 << 20) -> EngineConfiguration {
        var configuration = EngineConfiguration(dataDirectory: path)
        configuration.shardCount = 4
        configuration.segmentSizeBytes = segmentSizeBytes
        configuration.paymentTimeoutMs = 15 * 60 * 1000
        return configuration
    }
}

/// 2026-11-27T10:00:00.123Z: the milliseconds check that times survive to the millisecond.
let testEpochMs: Int64 = 1_795_773_600_123

func openEngine(_ directory: TestDataDirectory, clock: ManualClock, segmentSizeBytes: Int = 1 << 20) throws -> MallEngine {
    try MallEngine.open(directory.configuration(segmentSizeBytes: segmentSizeBytes), clock: clock, logger: quietLogger)
}

/// What a workload made, to aim later steps at.
struct WorkloadResult {
    var productID: UInt64
    var activityID: UInt64
    var skuIDs: [UInt64]
    var userIDs: [UInt64]
}

/// A flash sale with everything the archive must follow: admins (one changed twice), users, a
/// product whose names need quoting, purchases, payments, cancellations by buyers and by the
/// payment deadline, and purchases of the units those gave back.
func runWorkload(_ engine: MallEngine, clock: ManualClock, users userCount: Int = 8) async throws -> WorkloadResult {
    _ = try await engine.upsertAdmin(username: "boss", passwordHash: "$2b$12$hash", role: "admin")
    _ = try await engine.upsertAdmin(username: "o'clerk; --", passwordHash: "$2b$12$hash", role: "operator")
    _ = try await engine.upsertAdmin(username: "boss", passwordHash: "$2b$12$other", role: "super_admin")
    let product = try await engine.createProduct(NewProduct(name: "O'Brien's 龙井 \"tea\"; DROP TABLE orders; --", skus: [
        .init(name: "100g", spec: [SpecPair(key: "规格", value: "100g"), SpecPair(key: "tin", value: "a \"red\" one\\")],
              priceFen: 12_800, stock: 500),
        .init(name: "250g", spec: [SpecPair(key: "规格", value: "250g")], priceFen: 29_900, stock: 40),
    ]))
    let skuIDs = product.skus.map(\.id)
    let nowMs = engine.nowMs
    let activity = try await engine.createSeckillActivity(NewSeckillActivity(
        name: "双11 flash", startMs: nowMs, endMs: nowMs + 3_600_000,
        items: [SeckillItemDefinition(skuID: skuIDs[0], seckillPriceFen: 990, stock: 200, limitPerUser: 3),
                SeckillItemDefinition(skuID: skuIDs[1], seckillPriceFen: 19_900, stock: 10, limitPerUser: 2)]))
    var userIDs: [UInt64] = []
    for index in 0..<userCount {
        let unionID = index % 3 == 0 ? "union-\(index)" : nil
        userIDs.append(try await engine.registerUser(openID: "openid-\(index)", unionID: unionID).0.id)
    }
    var orders: [Order] = []
    for (index, userID) in userIDs.enumerated() {
        clock.advance(byMs: 1_001)
        let skuID = skuIDs[index % 2]
        orders.append(try await engine.placeSeckillOrder(userID: userID, activityID: activity.id, skuID: skuID,
                                                         quantity: Int64(1 + index % 2)))
    }
    for (index, order) in orders.enumerated() where index % 2 == 0 {
        clock.advance(byMs: 7)
        _ = try await engine.confirmPayment(orderID: order.id, transactionID: "wx-\(order.id)", amountFen: order.payAmountFen)
    }
    _ = try await engine.cancelOrder(id: orders[1].id, ownedBy: orders[1].userID, reason: .user)
    clock.advance(byMs: 16 * 60 * 1000)
    let timedOut = await engine.cancelExpiredOrders()
    precondition(timedOut > 0, "the workload expects some orders to time out")
    // Buy again what the cancellations gave back.
    for userID in userIDs.prefix(3) {
        clock.advance(byMs: 13)
        let order = try await engine.placeSeckillOrder(userID: userID, activityID: activity.id, skuID: skuIDs[1], quantity: 1)
        if userID == userIDs[0] {
            _ = try await engine.confirmPayment(orderID: order.id, transactionID: "wx-\(order.id)", amountFen: order.payAmountFen)
        }
    }
    return WorkloadResult(productID: product.id, activityID: activity.id, skuIDs: skuIDs, userIDs: userIDs)
}

/// More purchases by the workload's users (new users, so per-user limits never refuse them).
func buyMore(_ engine: MallEngine, clock: ManualClock, sale: WorkloadResult, count: Int, tag: String) async throws {
    for index in 0..<count {
        clock.advance(byMs: 3)
        let userID = try await engine.registerUser(openID: "\(tag)-\(index)", unionID: nil).0.id
        let order = try await engine.placeSeckillOrder(userID: userID, activityID: sale.activityID, skuID: sale.skuIDs[0], quantity: 1)
        if index % 2 == 0 {
            _ = try await engine.confirmPayment(orderID: order.id, transactionID: "wx-\(order.id)", amountFen: order.payAmountFen)
        }
    }
}
