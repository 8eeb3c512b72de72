@testable import Engine
import Foundation
import Logging
import PropertyBased
import Testing
import WAL

/// Issue 7: replay decodes on one thread and applies on one or two others (each applier owning
/// a share of the state's parts). Whatever the batching and the appliers, it must rebuild the
/// state sequential replay rebuilds, stop where it stops (limits), and fail at the same record
/// with the same `Recovery.Failure`.
@Suite("Pipelined replay")
struct ReplayPipelineTests {
    /// Small batches and a one-batch queue, so the decoder waits on the applier all the time.
    static let cramped = Recovery.ReplayStrategy.pipelined(batchRecordsMax: 3, batchesAheadMax: 1, appliers: 1)
    /// The same with two appliers, which then also wait on each other.
    static let crampedParallel = Recovery.ReplayStrategy.pipelined(batchRecordsMax: 3, batchesAheadMax: 1, appliers: 2)
    static let strategies: [Recovery.ReplayStrategy] = [
        cramped, crampedParallel, .pipelined(appliers: 1), .pipelined(appliers: 2),
        .pipelined(batchRecordsMax: 1, batchesAheadMax: 2, appliers: 2),
    ]

    static func rebuild(_ configuration: EngineConfiguration, limit: Recovery.Limit = .none,
                        _ strategy: Recovery.ReplayStrategy) -> Result<(EngineState, Recovery.Report), any Error> {
        Result { try Recovery.rebuild(configuration: configuration, limit: limit, strategy: strategy) }
    }

    /// Both succeed with equal state, digest and counts, or both fail with equal descriptions.
    static func expectSame(_ configuration: EngineConfiguration, limit: Recovery.Limit = .none,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let sequential = rebuild(configuration, limit: limit, .sequential)
        for strategy in strategies {
            switch (sequential, rebuild(configuration, limit: limit, strategy)) {
            case (.success(let expected), .success(let actual)):
                #expect(actual.0 == expected.0, sourceLocation: sourceLocation)
                #expect(actual.0.digest == expected.0.digest, sourceLocation: sourceLocation)
                #expect(actual.1.recordsReplayed == expected.1.recordsReplayed, sourceLocation: sourceLocation)
                #expect(actual.1.lastLSN == expected.1.lastLSN, sourceLocation: sourceLocation)
            case (.failure(let expected), .failure(let actual)):
                #expect("\(actual)" == "\(expected)", sourceLocation: sourceLocation)
                #expect(ObjectIdentifier(type(of: actual)) == ObjectIdentifier(type(of: expected)),
                        sourceLocation: sourceLocation)
            case (let expected, let actual):
                Issue.record("sequential gave \(expected), pipelined gave \(actual)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("pipelined replay rebuilds the sequential state under random workloads, also up to any LSN or time")
    func sameStateAsSequential() async throws {
        await propertyCheck(count: 25, input: Gen.int(in: 0...100_000).array(of: 10...80).array(of: 2...4)) { lanes in
            do {
                let directory = TestDataDirectory()
                var configuration = directory.configuration(shards: 3)
                configuration.segmentSizeBytes = 16 << 10     // several segments, so the decoder crosses files
                let live = try await Self.runWorkload(lanes, configuration: configuration)
                let (replayed, _) = try Recovery.rebuild(configuration: configuration)
                #expect(replayed.digest == live.digest)
                Self.expectSame(configuration)
                for lsn in [1, live.lastLSN / 3, live.lastLSN / 2, live.lastLSN - 1] {
                    Self.expectSame(configuration, limit: .init(throughLSN: lsn))
                }
                for minutes in [0, 2, 7] {
                    Self.expectSame(configuration, limit: .init(untilTimeMs: testEpochMs + Int64(minutes) * 60_000))
                }
            } catch {
                Issue.record("workload failed: \(error)")
            }
        }
    }

    /// The property tests' workload, without snapshots, on `configuration`; returns the live state.
    static func runWorkload(_ lanes: [[Int]], configuration: EngineConfiguration) async throws -> EngineState {
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try MallEngine.open(configuration, clock: clock, logger: .init(label: "pipeline"))
        let sale = try await makeSale(engine, stock: PropertyTests.stock, limitPerUser: PropertyTests.limitPerUser)
        let shop = try await engine.createProduct(NewProduct(name: "多规格", skus: (0..<6).map {
            .init(name: "s\($0)", spec: [], priceFen: 100 * Int64($0 + 1), stock: PropertyTests.skuStock)
        }))
        let users = try await registerUsers(engine, count: 8)
        let placed = PropertyTests.Placed()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in lanes {
                group.addTask {
                    for code in lane {
                        let operation = PropertyTests.Operation(code: code)
                        if case .snapshot = operation { continue }
                        try await PropertyTests.perform(operation, engine: engine, clock: clock, sale: sale, shop: shop,
                                                        users: users, placed: placed)
                    }
                }
            }
            try await group.waitForAll()
        }
        let live = await engine.liveState()
        await engine.close()
        return live
    }

    static func registered(_ userID: UInt64) -> (MallEvent, version: UInt16, payload: [UInt8]?) {
        (.userRegistered(UserRegistered(userID: userID, openID: "o\(userID)", unionID: nil, atMs: testEpochMs)), 1, nil)
    }

    static func paid(_ orderID: UInt64, by userID: UInt64) -> (MallEvent, version: UInt16, payload: [UInt8]?) {
        (.orderPaid(OrderPaid(orderID: orderID, userID: userID, transactionID: "t", amountFen: 1, atMs: testEpochMs)), 1, nil)
    }

    @Test("a record that does not apply, after many that do, fails pipelined replay as it fails sequential replay")
    func unappliableAfterManyBatches() async throws {
        let directory = TestDataDirectory()
        let configuration = directory.configuration()
        try await HardeningTests.writeLog(configuration, (1...40).map { Self.registered($0) } + [Self.paid(99, by: 7)]
                                          + (41...60).map { Self.registered($0) })
        Self.expectSame(configuration)
        for strategy in [Self.cramped, Self.crampedParallel] {
            #expect {
                try Recovery.rebuild(configuration: configuration, strategy: strategy)
            } throws: { error in
                guard case .unappliable(_, 41, "OrderPaid v1", _) = error as? Recovery.Failure else { return false }
                return true
            }
        }
    }

    @Test("a record that does not decode fails at its LSN; an unappliable record before it is reported first")
    func undecodableRecord() async throws {
        let garbage: (MallEvent, version: UInt16, payload: [UInt8]?) = (Self.registered(1000).0, 1, [1, 2, 3])
        for unappliableFirst in [false, true] {
            let directory = TestDataDirectory()
            let configuration = directory.configuration()
            let before = unappliableFirst ? [Self.paid(99, by: 3)] : []
            try await HardeningTests.writeLog(configuration, (1...10).map { Self.registered($0) } + before + [garbage]
                                              + (11...20).map { Self.registered($0) })
            Self.expectSame(configuration)
            for strategy in [Self.cramped, Self.crampedParallel] {
                #expect {
                    try Recovery.rebuild(configuration: configuration, strategy: strategy)
                } throws: { error in
                    switch error as? Recovery.Failure {
                    case .unappliable(_, 11, _, _): unappliableFirst
                    case .badRecord(let segment, 11, _): !unappliableFirst && segment.hasSuffix(".seg")
                    default: false
                    }
                }
            }
        }
    }

    /// Users whose shard (of `shardCount`) the helper applier owns, and users whose shard the caller owns.
    /// Two-applier replay of `configuration` fails at `lsn` on `event`, with a reason holding `reasonContains`.
    static func expectUnappliable(_ configuration: EngineConfiguration, lsn: UInt64, event: String, reasonContains: String = "",
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) {
            try Recovery.rebuild(configuration: configuration, strategy: Self.crampedParallel)
        } throws: { error in
            guard case .unappliable(_, lsn, event, let reason) = error as? Recovery.Failure else { return false }
            return reasonContains.isEmpty || reason.contains(reasonContains)
        }
    }

    static func usersByApplier(shardCount: Int) -> (helper: [UInt64], caller: [UInt64]) {
        let helperShards = ReplayPipeline.shares(appliers: 2, shardCount: shardCount)[1]
        let ids = (1...200 as ClosedRange<UInt64>)
        return (ids.filter { helperShards.hasUserShard(ShardRouter.shard(of: $0, count: shardCount)) },
                ids.filter { !helperShards.hasUserShard(ShardRouter.shard(of: $0, count: shardCount)) })
    }

    @Test("with two appliers the failure reported is the first in log order, whichever applier meets it and however far the other ran")
    func firstFailureAcrossAppliers() async throws {
        let (helperUsers, callerUsers) = Self.usersByApplier(shardCount: 4)
        try #require(helperUsers.count >= 2 && callerUsers.count >= 2)
        for helperFailsFirst in [true, false] {
            for gap in [0, 1, 50] {
                let directory = TestDataDirectory()
                let configuration = directory.configuration(shards: 4)
                let (first, second) = helperFailsFirst ? (helperUsers[0], callerUsers[0]) : (callerUsers[0], helperUsers[0])
                var records: [(MallEvent, version: UInt16, payload: [UInt8]?)] = (1...30).map { Self.registered($0) }
                records.append(Self.paid(901, by: first))
                records += (0..<gap).map { Self.registered(1_000 + UInt64($0)) }
                records.append(Self.paid(902, by: second))
                records += (31...60).map { Self.registered($0) }
                try await HardeningTests.writeLog(configuration, records)
                Self.expectSame(configuration)
                Self.expectUnappliable(configuration, lsn: 31, event: "OrderPaid v1", reasonContains: "901")
            }
        }
    }

    @Test("a record that fails in an inventory shard and in a user shard reports the inventory's reason, as sequential replay does")
    func failureInTwoShareOfOneRecord() async throws {
        let (helperUsers, callerUsers) = Self.usersByApplier(shardCount: 4)
        for userID in [helperUsers[0], callerUsers[0]] {
            let directory = TestDataDirectory()
            let configuration = directory.configuration(shards: 4)
            // Order 77 is not in state (the user shard refuses it) and SKU 555 has no stock (the inventory refuses it).
            let cancelled = MallEvent.orderCancelled(OrderCancelled(
                orderID: 77, userID: userID, reason: .user, restocks: [Restock(activityID: 0, skuID: 555, quantity: 1)],
                atMs: testEpochMs))
            var records: [(MallEvent, version: UInt16, payload: [UInt8]?)] = (1...20).map { Self.registered($0) }
            records.append((cancelled, 1, nil))
            records += (21...40).map { Self.registered($0) }
            try await HardeningTests.writeLog(configuration, records)
            Self.expectSame(configuration)
            Self.expectUnappliable(configuration, lsn: 21, event: "OrderCancelled v1", reasonContains: "SKU 555 has no stock entry")
        }
    }

    @Test("an unappliable record in the helper's share before an undecodable record is the failure reported")
    func helperFailureBeforeUndecodable() async throws {
        let (helperUsers, _) = Self.usersByApplier(shardCount: 4)
        let directory = TestDataDirectory()
        let configuration = directory.configuration(shards: 4)
        let garbage: (MallEvent, version: UInt16, payload: [UInt8]?) = (Self.registered(1000).0, 1, [1, 2, 3])
        var records: [(MallEvent, version: UInt16, payload: [UInt8]?)] = (1...10).map { Self.registered($0) }
        records += [Self.paid(99, by: helperUsers[0]), garbage]
        records += (11...20).map { Self.registered($0) }
        try await HardeningTests.writeLog(configuration, records)
        Self.expectSame(configuration)
        Self.expectUnappliable(configuration, lsn: 11, event: "OrderPaid v1")
    }

    @Test("a damaged frame in an older segment fails pipelined replay with the WAL's error, as sequential replay does")
    func damagedSegment() async throws {
        let directory = TestDataDirectory()
        var configuration = directory.configuration()
        configuration.segmentSizeBytes = 4_096
        // One frame per record, so the small segments fill and rotate.
        let (wal, _) = try WALWriter.open(configuration.walConfiguration)
        for userID in 1...300 as ClosedRange<UInt64> {
            let event = Self.registered(userID).0
            try await wal.waitDurable(try wal.enqueue(typeTag: event.tag.rawValue, version: 1, timestampMs: testEpochMs,
                                                      payload: event.encodePayload()))
        }
        await wal.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: configuration.walDirectory).filter { $0.hasSuffix(".seg") }.sorted()
        try #require(names.count >= 3)
        let path = configuration.walDirectory + "/" + names[1]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[40] ^= 0x5A      // inside the first frame's payload: its CRC32C no longer matches
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        Self.expectSame(configuration)
        #expect(throws: WALError.self) { try Recovery.rebuild(configuration: configuration, strategy: Self.cramped) }
        #expect(throws: WALError.self) { try Recovery.rebuild(configuration: configuration, strategy: Self.crampedParallel) }
    }
}
