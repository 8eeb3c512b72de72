// In-process flash-sale purchases through the engine and a real WAL with
// fsync=always: the engine's ceiling without HTTP. One iteration = one batch
// of concurrent purchases; throughput is purchases per second.
import Benchmark
import Engine
import Foundation
import Logging

let buyers = 2_000
let purchasesPerIteration = 20_000

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "seckill purchases, fsync=always, \(buyers) buyers, \(purchasesPerIteration) purchases per iteration",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .syscalls],
                             maxDuration: .seconds(20), maxIterations: 30)
    ) { (benchmark: Benchmark, setup: (MallEngine, UInt64, UInt64, [UInt64])) in
        let (engine, activityID, skuID, users) = setup
        benchmark.startMeasurement()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<buyers {
                group.addTask {
                    for _ in 0..<(purchasesPerIteration / buyers) {
                        _ = try await engine.placeSeckillOrder(userID: users[lane], activityID: activityID, skuID: skuID, quantity: 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        benchmark.stopMeasurement()
    } setup: {
        let directory = NSTemporaryDirectory() + "mall-bench-\(UUID().uuidString.prefix(8))"
        var configuration = EngineConfiguration(dataDirectory: directory)
        configuration.snapshotEveryRecords = .max
        let engine = try MallEngine.open(configuration, logger: Logger(label: "bench"))
        let stock = Int64(purchasesPerIteration) * 1_000
        let product = try await engine.createProduct(NewProduct(name: "bench", skus: [.init(name: "s", spec: [], priceFen: 100, stock: stock)]))
        let nowMs = engine.nowMs
        let sale = try await engine.createSeckillActivity(NewSeckillActivity(
            name: "bench", startMs: nowMs - 1000, endMs: nowMs + 86_400_000,
            items: [SeckillItemDefinition(skuID: product.skus[0].id, seckillPriceFen: 50, stock: stock, limitPerUser: stock)]))
        var users: [UInt64] = []
        for index in 0..<buyers { users.append(try await engine.registerUser(openID: "b\(index)", unionID: nil).0.id) }
        return (engine, sale.id, product.skus[0].id, users)
    }
}
