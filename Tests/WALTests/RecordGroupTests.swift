import Dispatch
import Testing
import MallTestSupport
@testable import WAL

@Suite("WAL record groups")
struct RecordGroupTests {
    @Test("a group's records read back exactly as single enqueues of the same records, interleaved with them")
    func groupsReadBackExactly() async throws {
        try await withTemporaryDirectory { directory in
            var generator = SeededGenerator(seed: 7)
            let (writer, _) = try WALWriter.open(makeConfiguration(directory, segmentSizeBytes: 8_192))
            var expected: [WALRecord] = []
            var group = WALRecordGroup()
            for round in 0..<60 {
                let size = Int.random(in: 1...9, using: &generator)
                var pending: [(UInt16, Int64, [UInt8])] = []
                for index in 0..<size {
                    let payload = makePayload(&generator)
                    let tag = UInt16(1 + (round + index) % 9)
                    let timestampMs = Int64(1_700_000_000_000 + round * 10 + index)
                    try group.append(typeTag: tag, version: 2, timestampMs: timestampMs) { $0.append(contentsOf: payload) }
                    pending.append((tag, timestampMs, payload))
                }
                let lsns = try writer.enqueue(&group)
                #expect(group.isEmpty && lsns.count == size)
                for ((tag, timestampMs, payload), lsn) in zip(pending, lsns) {
                    expected.append(WALRecord(lsn: lsn, typeTag: tag, version: 2, timestampMs: timestampMs, payload: payload))
                }
                // A single record between groups takes the next LSN.
                let payload = makePayload(&generator)
                let single = try writer.enqueue(typeTag: 77, version: 1, timestampMs: 5, payload: payload)
                #expect(single == lsns.upperBound + 1)
                expected.append(WALRecord(lsn: single, typeTag: 77, version: 1, timestampMs: 5, payload: payload))
                if round % 7 == 0 { try await writer.waitDurable(single) }
            }
            try await writer.waitDurable(expected.last!.lsn)
            await writer.close()
            #expect(try readAll(directory) == expected)
        }
    }

    @Test("a group is queued whole or not at all: overloaded and empty groups leave the queue and the group as they were")
    func allOrNothing() async throws {
        try await withTemporaryDirectory { directory in
            let gate = DispatchSemaphore(value: 0)
            var configuration = makeConfiguration(directory)
            configuration.queueRecordsMax = 4
            configuration.io = FaultyIO(syncGate: gate)
            let (writer, _) = try WALWriter.open(configuration)
            var group = WALRecordGroup()
            #expect(throws: WALError.invalidRequest("an empty record group")) { try writer.enqueue(&group) }
            for index in 0..<3 { try group.append(typeTag: 1, version: 1, timestampMs: 0) { $0.append(UInt8(index)) } }
            _ = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [9])
            _ = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [9])
            // 2 queued + 3 > 4: refused, nothing queued, the group kept for a retry.
            #expect(throws: WALError.overloaded) { try writer.enqueue(&group) }
            #expect(group.count == 3 && writer.lastEnqueuedLSN == 2)
            for _ in 0..<8 { gate.signal() }
            try await writer.waitDurable(2)
            let lsns = try writer.enqueue(&group)
            #expect(lsns == 3...5)
            for _ in 0..<8 { gate.signal() }
            try await writer.waitDurable(5)
            await writer.close()
            #expect(try readAll(directory).suffix(3).map(\.payload) == [[0], [1], [2]])
        }
    }

    @Test("a payload over the record limit is refused and leaves the group as it was")
    func oversizedPayloadIsRolledBack() throws {
        var group = WALRecordGroup()
        try group.append(typeTag: 1, version: 1, timestampMs: 1) { $0.append(contentsOf: [1, 2, 3]) }
        let before = group.records
        #expect(throws: WALError.recordTooLarge(sizeBytes: WALLimits.recordPayloadBytesMax + 1,
                                                limitBytes: WALLimits.recordPayloadBytesMax)) {
            try group.append(typeTag: 2, version: 1, timestampMs: 2) {
                $0.append(contentsOf: repeatElement(0, count: WALLimits.recordPayloadBytesMax + 1))
            }
        }
        #expect(group.count == 1 && group.records.bytes == before.bytes)
    }
}
