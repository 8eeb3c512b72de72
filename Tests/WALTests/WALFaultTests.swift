import Foundation
import Synchronization
import Testing
@testable import WAL
import MallTestSupport

@Suite("WAL writer faults")
struct WALFaultTests {
    @Test("a failed fdatasync fails every waiter and every later enqueue; nothing acknowledged is lost")
    func failedSyncIsFatal() async throws {
        try await withTemporaryDirectory { directory in
            var configuration = makeConfiguration(directory)
            let faultyIO = FaultyIO(.init(failSyncDataAt: 3))
            configuration.io = faultyIO
            let (writer, _) = try WALWriter.open(configuration)
            var acknowledged: [LSN] = []
            for index in 0..<2 {
                let lsn = try writer.enqueue(typeTag: 1, version: 1, timestampMs: Int64(index), payload: [UInt8(index)])
                try await writer.waitDurable(lsn)
                acknowledged.append(lsn)
            }
            let doomed = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 9, payload: [9])
            await #expect(throws: WALError.self) { try await writer.waitDurable(doomed) }
            #expect(writer.durableLSN == 2)
            #expect(writer.failure?.contains("fdatasync") == true)
            #expect {
                _ = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [])
            } throws: { error in
                if case .writerFailed = error as? WALError { return true }
                return false
            }
            await #expect(throws: WALError.self) { try await writer.waitDurable(doomed + 1) }
            await writer.close()
            #expect(faultyIO.faults.withLock { $0.syncDataCalls } == 3, "never retried after the failure")
            let records = try readAll(directory)
            #expect(Array(records.map(\.lsn).prefix(2)) == acknowledged)
        }
    }

    @Test("a short write fails the writer, and reopening truncates the torn frame it left")
    func shortWriteLeavesATornTail() async throws {
        try await withTemporaryDirectory { directory in
            var configuration = makeConfiguration(directory)
            let faultyIO = FaultyIO()
            configuration.io = faultyIO
            let (writer, _) = try WALWriter.open(configuration)
            var generator = SeededGenerator(seed: 4)
            let written = try await appendRecords(writer, count: 21, frameRecords: 7, generator: &generator)
            faultyIO.faults.withLock { $0.shortWriteAt = $0.writeCalls + 1 }
            let lsn = try writer.enqueue(typeTag: 2, version: 1, timestampMs: 0, payload: Array(repeating: 7, count: 200))
            await #expect(throws: WALError.self) { try await writer.waitDurable(lsn) }
            await writer.close()

            let (reopened, report) = try WALWriter.open(makeConfiguration(directory))
            #expect(report.lastLSN == 21)
            #expect(report.truncatedTail != nil)
            #expect(try readAll(directory) == written)
            let next = try reopened.enqueue(typeTag: 3, version: 1, timestampMs: 0, payload: [1])
            #expect(next == 22)
            try await reopened.waitDurable(next)
            await reopened.close()
        }
    }

    @Test("waiters queued behind a stalled sync are failed, not left hanging, when the sync fails")
    func pendingWaitersFail() async throws {
        try await withTemporaryDirectory { directory in
            let gate = DispatchSemaphore(value: 0)
            var configuration = makeConfiguration(directory)
            configuration.io = FaultyIO(.init(failSyncDataAt: 1), syncGate: gate)
            let (writer, _) = try WALWriter.open(configuration)
            let lsns = try (0..<50).map { _ in try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [1]) }
            let failures = await withTaskGroup(of: Bool.self) { group in
                for lsn in lsns {
                    group.addTask {
                        do { try await writer.waitDurable(lsn); return false } catch { return true }
                    }
                }
                for _ in 0..<4 { gate.signal() }
                var count = 0
                for await didFail in group where didFail { count += 1 }
                return count
            }
            #expect(failures == 50)
            #expect(writer.durableLSN == 0)
            await writer.close()
        }
    }
}
