import ArgumentParser
import Engine
import Foundation
import Logging
import WAL

/// Payment deadlines passing all at once: N unpaid orders expire together and
/// the timer returns all their stock. Baseline in the same run: the same
/// orders cancelled one at a time (one record and one fsync each, as the
/// timer did before it batched).
struct ExpiryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expiry",
        abstract: "N unpaid orders pass their payment deadline at once: time until all their stock is back.")

    @Option(help: "Unpaid orders that expire together.") var orders = 100_000
    @Option(help: "Distinct buyers placing them.") var buyers = 1_000
    @Option(help: "Orders cancelled one at a time for the baseline (0 skips it).") var baselineOrders = 10_000
    @Option(help: "Data directory: each run uses a fresh subdirectory of it (a temporary directory by default).")
    var dataDir: String?

    func validate() throws {
        try validateBenchCounts(units: orders, buyers: buyers, unitsName: "orders", buyersName: "buyers")
        if baselineOrders != 0 {
            try validateBenchCounts(units: baselineOrders, buyers: buyers, unitsName: "baseline-orders", buyersName: "buyers")
        }
    }

    func run() async throws {
        let batched = try await measure(orders: orders, oneByOne: false)
        print(String(format: "| expiry | batched timer | %d orders | %.3f s | %.0f cancels/s | %d fsyncs |",
                     orders, batched.seconds, Double(orders) / batched.seconds, batched.fsyncs))
        if baselineOrders > 0 {
            let single = try await measure(orders: baselineOrders, oneByOne: true)
            print(String(format: "| expiry | one cancel per fsync (baseline) | %d orders | %.3f s | %.0f cancels/s | %d fsyncs |",
                         baselineOrders, single.seconds, Double(baselineOrders) / single.seconds, single.fsyncs))
        }
    }

    private func measure(orders: Int, oneByOne: Bool) async throws -> (seconds: Double, fsyncs: Int) {
        let clock = ManualClock(nowMs: Int64(Date().timeIntervalSince1970 * 1000))
        let run = oneByOne ? "one-by-one" : "batched"
        var configuration = EngineConfiguration(
            dataDirectory: dataDir.map { "\($0)/\(run)" } ?? temporaryDirectory("mall-bench-expiry-\(run)"))
        configuration.snapshotEveryRecords = .max
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let engine = try MallEngine.open(configuration, clock: clock, logger: Logger(label: "bench"))
        let (activityID, skuID) = try await makeSale(engine, stock: Int64(orders), limitPerUser: Int64(orders))
        var users: [UInt64] = []
        for index in 0..<buyers { users.append(try await engine.registerUser(openID: "expiry-\(index)", unionID: nil).0.id) }
        let perBuyer = orders / buyers, extra = orders % buyers
        let orderIDs = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for (index, userID) in users.enumerated() {
                group.addTask {
                    var ids: [UInt64] = []
                    for _ in 0..<(perBuyer + (index < extra ? 1 : 0)) {
                        ids.append(try await engine.placeSeckillOrder(userID: userID, activityID: activityID, skuID: skuID, quantity: 1).id)
                    }
                    return ids
                }
            }
            return try await group.reduce(into: [UInt64]()) { $0 += $1 }
        }
        clock.advance(byMs: configuration.paymentTimeoutMs + 1)
        let fsyncsBefore = engine.walStatistics.fsyncs
        let started = ContinuousClock.now
        if oneByOne {
            for id in orderIDs { _ = try await engine.cancelOrder(id: id, reason: .timeout) }
        } else {
            var cancelled = 0
            while cancelled < orderIDs.count { cancelled += await engine.cancelExpiredOrders() }
        }
        let elapsed = ContinuousClock.now - started
        guard let (_, items) = await engine.seckillActivity(id: activityID), items.first?.remaining == Int64(orders) else {
            throw ValidationError("not all stock came back")
        }
        let fsyncs = engine.walStatistics.fsyncs - fsyncsBefore
        await engine.close()
        try? FileManager.default.removeItem(atPath: configuration.dataDirectory)
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, fsyncs)
    }
}
