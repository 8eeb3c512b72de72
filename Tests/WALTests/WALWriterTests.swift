import Foundation
import Testing
@testable import WAL
import MallTestSupport

@Suite("WAL writer")
struct WALWriterTests {
    @Test("records read back exactly, in order, across segment rotations")
    func roundTripAcrossRotation() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, report) = try WALWriter.open(makeConfiguration(directory))
            #expect(report.lastLSN == 0 && report.segments == 0)
            var generator = SeededGenerator(seed: 11)
            let written = try await appendRecords(writer, count: 400, generator: &generator)
            await writer.close()
            #expect(written.map(\.lsn) == Array(1...400))
            #expect(try readAll(directory) == written)
            #expect(try segmentPaths(directory).count > 3)
            let statistics = writer.statistics
            #expect(statistics.recordsWritten == 400 && statistics.durableLSN == 400)
            #expect(statistics.fsyncs == statistics.framesWritten)
            #expect(statistics.storedBytesWritten < statistics.rawBytesWritten, "some frames are LZ4-compressed")
            #expect(try readAll(directory, from: 123).first?.lsn == 123)
        }
    }

    @Test("concurrent appenders get distinct consecutive LSNs, each in its own order, all durable")
    func concurrentAppenders() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, _) = try WALWriter.open(makeConfiguration(directory, segmentSizeBytes: 256 << 10))
            let tasks = 8
            let perTask = 1_500
            let lsnsByTask = try await withThrowingTaskGroup(of: (Int, [LSN]).self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        var lsns: [LSN] = []
                        for index in 0..<perTask {
                            let payload = Array("\(task):\(index)".utf8)
                            let lsn = try writer.enqueue(typeTag: UInt16(task), version: 1, timestampMs: 0, payload: payload)
                            try await writer.waitDurable(lsn)
                            lsns.append(lsn)
                        }
                        return (task, lsns)
                    }
                }
                var result: [Int: [LSN]] = [:]
                for try await (task, lsns) in group { result[task] = lsns }
                return result
            }
            await writer.close()
            let all = lsnsByTask.values.flatMap { $0 }
            #expect(Set(all) == Set(1...LSN(tasks * perTask)))
            #expect(lsnsByTask.values.allSatisfy { zip($0, $0.dropFirst()).allSatisfy { $0 < $1 } })
            let records = try readAll(directory)
            #expect(records.count == tasks * perTask)
            for (task, lsns) in lsnsByTask {
                for (index, lsn) in lsns.enumerated() {
                    #expect(records[Int(lsn) - 1].payload == Array("\(task):\(index)".utf8))
                }
            }
            #expect(writer.statistics.framesWritten < tasks * perTask, "group commit batches records")
        }
    }

    @Test("reopening continues the LSN sequence after the last record")
    func reopenContinuesLSNs() async throws {
        try await withTemporaryDirectory { directory in
            var generator = SeededGenerator(seed: 3)
            let (first, _) = try WALWriter.open(makeConfiguration(directory))
            let before = try await appendRecords(first, count: 50, generator: &generator)
            await first.close()
            let (second, report) = try WALWriter.open(makeConfiguration(directory))
            #expect(report.lastLSN == 50 && report.truncatedTail == nil)
            #expect(second.durableLSN == 50 && second.lastEnqueuedLSN == 50)
            let after = try await appendRecords(second, count: 20, generator: &generator)
            await second.close()
            #expect(after.first?.lsn == 51)
            #expect(try readAll(directory) == before + after)
        }
    }

    @Test("after close, enqueue fails as closed while durable LSNs still answer at once; close is idempotent")
    func closeStopsAccepting() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, _) = try WALWriter.open(makeConfiguration(directory))
            let lsn = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [1, 2, 3])
            await writer.close()
            await writer.close()
            #expect(writer.durableLSN == lsn)
            try await writer.waitDurable(lsn)
            #expect(throws: WALError.closed) { try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: []) }
            await #expect(throws: WALError.closed) { try await writer.waitDurable(lsn + 1) }
        }
    }

    @Test("a second writer or a truncate on a directory with a live writer is refused as locked")
    func directoryIsLocked() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, _) = try WALWriter.open(makeConfiguration(directory))
            #expect(throws: WALError.locked(directory: directory)) { _ = try WALWriter.open(makeConfiguration(directory)) }
            #expect(throws: WALError.locked(directory: directory)) { _ = try WALReader.truncate(directory: directory, after: 0) }
            await writer.close()
            let (reopened, _) = try WALWriter.open(makeConfiguration(directory))
            await reopened.close()
        }
    }

    @Test("a record larger than a segment gets an oversized segment of its own")
    func oversizedFrame() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, _) = try WALWriter.open(makeConfiguration(directory))
            var generator = SeededGenerator(seed: 5)
            let big = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let small = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 1, payload: [9])
            try await writer.waitDurable(small)
            let lsn = try writer.enqueue(typeTag: 2, version: 3, timestampMs: 4, payload: big)
            let after = try writer.enqueue(typeTag: 5, version: 1, timestampMs: 6, payload: [7])
            try await writer.waitDurable(after)
            await writer.close()
            let records = try readAll(directory)
            #expect(records.map(\.lsn) == [small, lsn, after])
            #expect(records[1].payload == big && records[1].typeTag == 2 && records[1].version == 3)
            #expect(throws: WALError.recordTooLarge(sizeBytes: WALLimits.recordPayloadBytesMax + 1,
                                                    limitBytes: WALLimits.recordPayloadBytesMax)) {
                try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0,
                                   payload: [UInt8](repeating: 0, count: WALLimits.recordPayloadBytesMax + 1))
            }
        }
    }

    @Test("enqueue beyond queueRecordsMax not-yet-durable records fails as overloaded")
    func overloadIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let gate = DispatchSemaphore(value: 0)
            var configuration = makeConfiguration(directory)
            configuration.queueRecordsMax = 4
            configuration.io = FaultyIO(syncGate: gate)
            let (writer, _) = try WALWriter.open(configuration)
            for _ in 0..<4 { _ = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [1]) }
            #expect(throws: WALError.overloaded) { try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [1]) }
            for _ in 0..<8 { gate.signal() }
            try await writer.waitDurable(4)
            let lsn = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [1])
            #expect(lsn == 5)
            try await writer.waitDurable(lsn)
            await writer.close()
        }
    }

    @Test("policy none writes without fsync and says NOT DURABLE wherever it is reported")
    func policyNone() async throws {
        try await withTemporaryDirectory { directory in
            var configuration = makeConfiguration(directory)
            configuration.fsyncPolicy = .none
            let (writer, report) = try WALWriter.open(configuration)
            #expect(report.description.contains("fsync=none (NOT DURABLE)"))
            var generator = SeededGenerator(seed: 9)
            let written = try await appendRecords(writer, count: 100, generator: &generator)
            await writer.close()
            #expect(writer.statistics.fsyncs == 0)
            #expect(writer.statistics.description.contains("fsync=none (NOT DURABLE)"))
            #expect(try readAll(directory) == written)
        }
    }

    @Test("deleteSegments removes only whole segments below the LSN and never the current one")
    func deleteSegments() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, _) = try WALWriter.open(makeConfiguration(directory))
            var generator = SeededGenerator(seed: 13)
            let written = try await appendRecords(writer, count: 300, generator: &generator)
            let infos = try WALReader(directory: directory).segments()
            #expect(infos.count >= 4)
            let cut = infos[2].firstLSN + 1
            let deleted = try writer.deleteSegments(before: cut)
            #expect(deleted == [infos[0].file, infos[1].file])
            #expect(throws: WALError.missingRecords(from: 1, firstAvailable: infos[2].firstLSN)) { try readAll(directory) }
            #expect(try readAll(directory, from: infos[2].firstLSN) == Array(written[Int(infos[2].firstLSN - 1)...]))
            _ = try writer.deleteSegments(before: .max)
            let remaining = try WALReader(directory: directory).segments()
            #expect(remaining.map(\.file) == [infos[infos.count - 1].file])
            let lsn = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [1])
            try await writer.waitDurable(lsn)
            await writer.close()
            #expect(try readAll(directory, from: remaining[0].firstLSN).last?.lsn == 301)
        }
    }

    @Test("a reader tailing a live writer sees a growing prefix and never reports corruption")
    func readerTailsLiveWriter() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, _) = try WALWriter.open(makeConfiguration(directory, segmentSizeBytes: 16 << 10))
            let appending = Task {
                var generator = SeededGenerator(seed: 17)
                return try await appendRecords(writer, count: 3_000, frameRecords: 3, generator: &generator)
            }
            var lastSeen = 0
            var polls = 0
            while lastSeen < 3_000 && polls < 1_000_000 {  // bounded polling, never sleeping
                polls += 1
                let records = try readAll(directory)
                #expect(records.map(\.lsn) == Array(0..<LSN(records.count)).map { $0 + 1 })
                #expect(records.count >= lastSeen)
                lastSeen = records.count
                await Task.yield()
            }
            let written = try await appending.value
            await writer.close()
            #expect(try readAll(directory) == written)
        }
    }
}
