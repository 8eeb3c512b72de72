import ArgumentParser
import Archive
import Engine
import Foundation
import Logging
import Snapshot
import WAL

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that scripts/bench runs and docs/benchmarks.md reports.",
        subcommands: [EngineBench.self, DurableFloorBench.self, RecoveryBench.self, ExpiryBench.self, MemoryBench.self, ArchiveBench.self, HelloServer.self, HTTPSetup.self, SearchBench.self])
}

/// Latencies of one run, in nanoseconds.
struct LatencySample {
    var nanoseconds: [Int64] = []

    mutating func append(_ duration: Duration) {
        nanoseconds.append(Self.nanoseconds(duration))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    func percentileMs(_ fraction: Double) -> Double {
        guard !nanoseconds.isEmpty else { return 0 }
        let sorted = nanoseconds.sorted()
        let index = min(sorted.count - 1, Int(Double(sorted.count) * fraction))
        return Double(sorted[index]) / 1_000_000
    }
}

/// CPU time (user + system) this process has used so far, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// What `runBuyers` measured.
struct BuyerRun {
    var samples: LatencySample
    var seconds: Double
    /// Process CPU (user + system) over the run.
    var cpuSeconds: Double

    var count: Int { samples.nanoseconds.count }

    /// "1.23 s = 400000 purchases/s; p50 …, p99 …; CPU 2.00 s = 5.00 us per purchase" for `unit` "purchase".
    func summary(unit: String) -> String {
        String(format: "%.2f s = %.0f %@s/s; p50 %.3f ms, p99 %.3f ms; CPU %.2f s = %.2f us per %@", seconds,
               Double(count) / seconds, unit, samples.percentileMs(0.5), samples.percentileMs(0.99), cpuSeconds,
               cpuSeconds * 1e6 / Double(max(count, 1)), unit)
    }
}

/// One task per buyer, each doing `operation` `each` times in a loop, all at once: the
/// latency of every operation, the wall time and the process CPU of the whole run.
func runBuyers<Buyer: Sendable>(_ buyers: [Buyer], each: Int,
                                _ operation: @escaping @Sendable (Buyer) async throws -> Void) async throws -> BuyerRun {
    let clock = ContinuousClock()
    let cpuBefore = processCPUSeconds()
    let start = clock.now
    let samples = try await withThrowingTaskGroup(of: LatencySample.self) { group in
        for buyer in buyers {
            group.addTask {
                // The instrument's own cost, kept small as it shares the cores: one clock reading per
                // operation (its end is the next one's start), and samples written through a pointer,
                // so the array's header is not read (a cache miss per sample among 2,000 buyers).
                let nanoseconds = UnsafeMutableBufferPointer<Int64>.allocate(capacity: each)
                defer { nanoseconds.deallocate() }
                var began = clock.now
                for index in 0..<each {
                    try await operation(buyer)
                    let ended = clock.now
                    nanoseconds[index] = LatencySample.nanoseconds(ended - began)
                    began = ended
                }
                return LatencySample(nanoseconds: Array(nanoseconds))
            }
        }
        var all = LatencySample()
        for try await sample in group { all.nanoseconds += sample.nanoseconds }
        return all
    }
    return BuyerRun(samples: samples, seconds: (clock.now - start).seconds, cpuSeconds: processCPUSeconds() - cpuBefore)
}

func temporaryDirectory(_ prefix: String) -> String {
    let path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Checks the counts of a benchmark against the engine's bounds, so a run is
/// refused up front rather than failing (or dividing by zero) halfway.
func validateBenchCounts(units: Int, buyers: Int, unitsName: String, buyersName: String) throws {
    guard buyers >= 1 else { throw ValidationError("--\(buyersName) must be at least 1") }
    guard (1...Int(MallLimits.stockMax)).contains(units) else {
        throw ValidationError("--\(unitsName) must be 1 to \(MallLimits.stockMax) (MallLimits.stockMax)")
    }
    let perBuyer = (units + buyers - 1) / buyers
    guard perBuyer <= Int(MallLimits.limitPerUserMax) else {
        throw ValidationError("--\(unitsName) / --\(buyersName) must be at most \(MallLimits.limitPerUserMax) (MallLimits.limitPerUserMax)")
    }
}

/// A product with one SKU and a flash sale on it with `stock` units, running now.
/// The per-user limit is capped at `MallLimits.limitPerUserMax`: callers spread purchases over enough buyers.
func makeSale(_ engine: MallEngine, stock: Int64, limitPerUser: Int64) async throws -> (activityID: UInt64, skuID: UInt64) {
    let limitPerUser = min(limitPerUser, MallLimits.limitPerUserMax)
    let product = try await engine.createProduct(NewProduct(name: "bench", skus: [
        .init(name: "sku", spec: [], priceFen: 100, stock: stock),
    ]))
    let nowMs = engine.nowMs
    let sale = try await engine.createSeckillActivity(NewSeckillActivity(
        name: "bench", startMs: nowMs - 1000, endMs: nowMs + 24 * 3600 * 1000,
        items: [SeckillItemDefinition(skuID: product.skus[0].id, seckillPriceFen: 50, stock: stock, limitPerUser: limitPerUser)]))
    return (sale.id, product.skus[0].id)
}

struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "In-process flash-sale purchases through the engine and the WAL: purchases/s, p50/p99.")

    @Option(help: "Data directory (a fresh temporary one by default).") var dataDir: String?
    @Option(help: "Concurrent buyers (tasks).") var buyers = 2000
    @Option(help: "Purchases in total.") var purchases = 1_000_000
    @Option(help: "fsync policy: always or none.") var fsync: FsyncPolicy = .always

    func validate() throws {
        try validateBenchCounts(units: purchases, buyers: buyers, unitsName: "purchases", buyersName: "buyers")
    }

    func run() async throws {
        var configuration = EngineConfiguration(dataDirectory: dataDir ?? temporaryDirectory("mall-bench-engine"))
        configuration.fsyncPolicy = fsync
        configuration.snapshotEveryRecords = .max
        let engine = try MallEngine.open(configuration, logger: Logger(label: "bench"))
        let (activityID, skuID) = try await makeSale(engine, stock: Int64(purchases), limitPerUser: Int64(purchases))
        var registered: [UInt64] = []
        for index in 0..<buyers { registered.append(try await engine.registerUser(openID: "bench-\(index)", unionID: nil).0.id) }
        let userIDs = registered
        let run = try await runBuyers(userIDs, each: purchases / buyers) { userID in
            _ = try await engine.placeSeckillOrder(userID: userID, activityID: activityID, skuID: skuID, quantity: 1)
        }
        let statistics = engine.walStatistics
        await engine.close()
        let label = fsync == .always ? "fsync=always" : "fsync=none (NOT DURABLE)"
        print(String(format: "engine seckill %@: %d purchases by %d buyers in %@; %@", label, run.count, buyers,
                     run.summary(unit: "purchase"), "\(statistics)"))
    }
}

struct RecoveryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery",
        abstract: "Build a data directory with N orders, then time replay (WAL only, and snapshot + empty tail).")

    @Option(help: "Orders to create.") var orders = 1_000_000
    @Option(help: "Distinct buyers.") var users = 100_000
    @Option(help: "Data directory (a fresh temporary one by default).") var dataDir: String?
    @Flag(help: "Only time engine start-ups from the data directory a previous run left (for profiling).")
    var openOnly = false

    func validate() throws {
        try validateBenchCounts(units: orders, buyers: users, unitsName: "orders", buyersName: "users")
        if openOnly, dataDir == nil { throw ValidationError("--open-only needs --data-dir") }
    }

    func run() async throws {
        var configuration = EngineConfiguration(dataDirectory: dataDir ?? temporaryDirectory("mall-bench-recovery"))
        configuration.fsyncPolicy = .none   // building the fixture only; what is timed is the replay
        configuration.snapshotEveryRecords = .max
        if openOnly { return try await timeStartUps(configuration) }
        try await buildOrders(configuration, orders: orders, users: users)
        let clock = ContinuousClock()
        var began = clock.now
        let (state, report) = try Recovery.rebuild(configuration: configuration)
        let walSeconds = (clock.now - began).seconds
        print(String(format: "replay from WAL: %d records in %.2f s = %.0f records/s (%@)",
                     report.recordsReplayed, walSeconds, Double(report.recordsReplayed) / walSeconds, state.summary.description))
        began = clock.now
        guard let snapshot = try Snapshotter(configuration: configuration).write(state, report: report, clock: SystemClock()) else {
            throw ValidationError("no snapshot written")
        }
        print(String(format: "snapshot write: %.2f s (%@, %d bytes)", (clock.now - began).seconds, snapshot.snapshot.file, snapshot.snapshot.sizeBytes))
        began = clock.now
        let engine = try MallEngine.open(configuration, logger: Logger(label: "bench"))
        let openSeconds = (clock.now - began).seconds
        print(String(format: "start-up (open engine from snapshot, %d orders): %.2f s", state.summary.orders, openSeconds))
        await engine.close()
    }

    private func timeStartUps(_ configuration: EngineConfiguration) async throws {
        let clock = ContinuousClock()
        for _ in 0..<3 {
            let began = clock.now
            let engine = try MallEngine.open(configuration, logger: Logger(label: "bench"))
            print(String(format: "start-up: %.2f s (%@)", (clock.now - began).seconds, engine.recoveryReport.description))
            await engine.close()
        }
    }
}

func buildOrders(_ configuration: EngineConfiguration, orders: Int, users: Int) async throws {
    let engine = try MallEngine.open(configuration, logger: Logger(label: "bench"))
    let (activityID, skuID) = try await makeSale(engine, stock: Int64(orders), limitPerUser: Int64(orders))
    var registered: [UInt64] = []
    for index in 0..<users { registered.append(try await engine.registerUser(openID: "bench-user-\(index)", unionID: nil).0.id) }
    let userIDs = registered
    let lanes = 256
    try await withThrowingTaskGroup(of: Void.self) { group in
        for lane in 0..<lanes {
            group.addTask {
                var index = lane
                while index < orders {
                    _ = try await engine.placeSeckillOrder(userID: userIDs[index % userIDs.count], activityID: activityID,
                                                           skuID: skuID, quantity: 1)
                    index += lanes
                }
            }
        }
        try await group.waitForAll()
    }
    await engine.close()
}

struct MemoryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Resident memory of the engine holding N orders and M users (per order and per user).")

    @Option(help: "Orders.") var orders = 1_000_000
    @Option(help: "Users.") var users = 100_000

    func validate() throws {
        try validateBenchCounts(units: orders, buyers: users, unitsName: "orders", buyersName: "users")
    }

    func run() async throws {
        var configuration = EngineConfiguration(dataDirectory: temporaryDirectory("mall-bench-memory"))
        configuration.fsyncPolicy = .none
        configuration.snapshotEveryRecords = .max
        let baseline = residentBytes()
        let engine = try MallEngine.open(configuration, logger: Logger(label: "bench"))
        var userIDs: [UInt64] = []
        for index in 0..<users { userIDs.append(try await engine.registerUser(openID: "oMemBench\(index)xxxxxxxxxxxx", unionID: nil).0.id) }
        let afterUsers = residentBytes()
        let (activityID, skuID) = try await makeSale(engine, stock: Int64(orders), limitPerUser: Int64(orders))
        for index in 0..<orders {
            _ = try await engine.placeSeckillOrder(userID: userIDs[index % users], activityID: activityID, skuID: skuID, quantity: 1)
        }
        let afterOrders = residentBytes()
        print(String(format: "memory: baseline %.1f MiB; %d users +%.1f MiB = %.0f B/user; %d orders +%.1f MiB = %.0f B/order",
                     Double(baseline) / 1_048_576, users, Double(afterUsers - baseline) / 1_048_576,
                     Double(afterUsers - baseline) / Double(users), orders, Double(afterOrders - afterUsers) / 1_048_576,
                     Double(afterOrders - afterUsers) / Double(orders)))
        await engine.close()
    }

    /// VmRSS from /proc/self/statm (pages) times the page size.
    func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: Int(sysconf(Int32(_SC_PAGESIZE))))
        return overflow ? 0 : bytes
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

struct ArchiveBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archiver catch-up throughput: N orders through a real engine, then one catch-up into MALL_DATABASE_URL.",
        discussion: "Use an empty database: the archive tables are created there. The WAL is made with fsync none; only the catch-up is timed.")

    @Option(help: "Orders to archive.") var orders = 1_000_000

    func validate() throws {
        // Their SKU is made with 1,000 units more than the sale's stock.
        let ordersMax = Int(MallLimits.stockMax) - 1_000
        guard (1...ordersMax).contains(orders) else { throw ValidationError("--orders must be 1 to \(ordersMax)") }
    }

    func run() async throws {
        let directory = temporaryDirectory("mall-bench-archive")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await ArchiveCommand.withDatabase { database, _ in
            let measurement = try await Archiver.measureCatchUp(database: database, orders: orders, dataDirectory: directory,
                                                                logger: Logger(label: "bench"))
            print(measurement)
        }
    }
}
