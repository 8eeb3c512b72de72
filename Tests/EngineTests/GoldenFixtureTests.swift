import Engine
import Foundation
import Logging
import Testing

/// DESIGN invariant 7: a WAL and a snapshot written by an older build load in
/// a newer one. Fixtures/v1 was written by the first format; it must keep
/// loading to the same digest. Regenerate only with scripts/regenerate-fixtures
/// (MALL_REGENERATE_FIXTURES=1), and only when adding a new version directory.
@Suite("Golden fixtures")
struct GoldenFixtureTests {
    static let sourceFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/v1").path

    static let isRegenerating = ProcessInfo.processInfo.environment["MALL_REGENERATE_FIXTURES"] == "1"

    @Test("the v1 WAL and snapshot load to the recorded digest, with and without the snapshot",
          .enabled(if: !isRegenerating))
    func v1Loads() throws {
        let fixtures = try #require(Bundle.module.path(forResource: "Fixtures", ofType: nil)) + "/v1"
        let expected = try String(contentsOfFile: fixtures + "/expected.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let directory = TestDataDirectory()
        try FileManager.default.removeItem(atPath: directory.path)
        try FileManager.default.copyItem(atPath: fixtures, toPath: directory.path)

        let (state, report) = try Recovery.rebuild(configuration: directory.configuration())
        #expect(report.snapshotFile != nil)
        #expect(report.recordsReplayed > 0)
        #expect(state.digest == expected[0])
        #expect(state.summary.description == expected[1])

        try FileManager.default.removeItem(atPath: directory.path + "/snapshots")
        let (fromWAL, walReport) = try Recovery.rebuild(configuration: directory.configuration(shards: 7))
        #expect(walReport.snapshotFile == nil)
        #expect(fromWAL.digest == expected[0])
    }

    /// Not a check: the generator behind scripts/regenerate-fixtures, skipped in ordinary runs.
    @Test("regenerate fixtures (only with MALL_REGENERATE_FIXTURES=1)", .enabled(if: isRegenerating))
    func regenerate() async throws {
        let target = Self.sourceFixtures
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        var configuration = EngineConfiguration(dataDirectory: target)
        configuration.shardCount = 4
        configuration.segmentSizeBytes = 16 << 10
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try MallEngine.open(configuration, clock: clock, logger: Logger(label: "fixtures"))
        _ = try await engine.upsertAdmin(username: "admin", passwordHash: "$2b$10$fixturefixturefixturefixturefixturefixturefixturefix", role: "super_admin")
        let sale = try await makeSale(engine, stock: 20, limitPerUser: 3)
        let users = try await registerUsers(engine, count: 6)
        var orders: [Order] = []
        for (index, user) in users.enumerated() {
            orders.append(try await engine.placeSeckillOrder(userID: user, activityID: sale.activityID, skuID: sale.skuID,
                                                             quantity: Int64(index % 3 + 1),
                                                             idempotencyKey: index % 2 == 0 ? "key-\(index)" : nil))
        }
        _ = try Snapshotter(configuration: configuration).take(throughLSN: engine.durableLSN, clock: clock)
        _ = try await engine.confirmPayment(orderID: orders[0].id, transactionID: "4200000001", amountFen: orders[0].payAmountFen)
        _ = try await engine.cancelOrder(id: orders[1].id, reason: .user)
        clock.advance(byMs: 16 * 60 * 1000)
        await engine.cancelExpiredOrders()
        let state = await engine.liveState()
        await engine.close()
        try [state.digest, state.summary.description].joined(separator: "\n")
            .write(toFile: target + "/expected.txt", atomically: true, encoding: .utf8)
    }
}
