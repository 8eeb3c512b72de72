@testable import Archive
import Engine
import Foundation
import PostgresNIO
import Testing

@Suite("Archive catch-up measurement")
struct CatchUpMeasurementTests {
    /// MALL_ARCHIVE_BENCH_ORDERS=1000000 makes this the catch-up benchmark; it asserts no timing.
    @Test("the throughput measurement archives every generated order and verifies clean")
    func measurement() async throws {
        let orders = ProcessInfo.processInfo.environment["MALL_ARCHIVE_BENCH_ORDERS"].flatMap(Int.init) ?? 2_000
        let data = TestDataDirectory()
        try await withArchiveDatabase { database in
            _ = try await database.migrate()
            let measurement = try await Archiver.measureCatchUp(database: database, orders: orders, dataDirectory: data.path,
                                                                logger: quietLogger)
            print("archive catch-up: \(measurement)")
            let perUser = 100 // MallEngine.seckillQuantityMax: each buyer takes the limit
            let counts = stride(from: 0, to: orders, by: perUser).map { min(perUser, orders - $0) }
            let payments = counts.reduce(0) { $0 + ($1 + 1) / 2 }
            #expect(measurement.catchUp.records == 2 + counts.count + orders + payments)
            #expect(try await database.int("SELECT count(*) FROM orders") == Int64(orders))
            #expect(try await ArchiveMaintenance.verify(database: database, engine: EngineConfiguration(dataDirectory: data.path)).isClean)
        }
    }
}
