import Foundation
import Testing
@testable import WAL
import MallTestSupport

@Suite("WAL reader and operator tools")
struct WALReaderTests {
    private func makeLog(_ directory: String, count: Int) async throws -> [WALRecord] {
        let (writer, _) = try WALWriter.open(makeConfiguration(directory))
        var generator = SeededGenerator(seed: 31)
        let records = try await appendRecords(writer, count: count, frameRecords: 10, generator: &generator)
        await writer.close()
        return records
    }

    @Test("truncate after an LSN inside a frame keeps exactly the records up to it, and the writer continues from there")
    func truncateInsideAFrame() async throws {
        try await withTemporaryDirectory { directory in
            let written = try await makeLog(directory, count: 300)
            let segmentsBefore = try WALReader(directory: directory).segments()
            // A frame of at least two records in a segment after the first (the writer decides the framing).
            var target: (segment: Int, lsn: LSN)?
            for index in 1..<segmentsBefore.count where target == nil {
                var previousLast = segmentsBefore[index].firstLSN - 1
                for frame in try frameEnds(directory, file: segmentsBefore[index].file) {
                    if frame.lastLSN - previousLast >= 2 { target = (index, frame.lastLSN - 1); break }
                    previousLast = frame.lastLSN
                }
            }
            let (segment, lsn) = try #require(target)
            let report = try WALReader.truncate(directory: directory, after: lsn)
            #expect(report.lastLSN == lsn && report.problem == nil && report.didRewriteFrame)
            #expect(report.deletedSegments == segmentsBefore.dropFirst(segment + 1).map(\.file))
            #expect(try readAll(directory) == Array(written.prefix(Int(lsn))))
            #expect(try WALReader(directory: directory).verify().isClean)

            let (writer, recovery) = try WALWriter.open(makeConfiguration(directory))
            #expect(recovery.lastLSN == lsn && recovery.truncatedTail == nil)
            let next = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [1])
            #expect(next == lsn + 1)
            try await writer.waitDurable(next)
            await writer.close()
            #expect(try readAll(directory).count == Int(next))
        }
    }

    @Test("truncate after 0 empties the log so the next record is LSN 1; beyond the end it changes nothing")
    func truncateEdges() async throws {
        try await withTemporaryDirectory { directory in
            let written = try await makeLog(directory, count: 100)
            let unchanged = try WALReader.truncate(directory: directory, after: 1_000)
            #expect(unchanged.lastLSN == 100 && unchanged.deletedSegments.isEmpty)
            #expect(try readAll(directory) == written)
            _ = try WALReader.truncate(directory: directory, after: 0)
            #expect(try readAll(directory).isEmpty)
            let (writer, report) = try WALWriter.open(makeConfiguration(directory))
            #expect(report.lastLSN == 0)
            #expect(try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: []) == 1)
            await writer.close()
        }
    }

    @Test("truncate refuses to cut before the oldest retained segment, which would reuse LSNs")
    func truncateRefusesToReuseLSNs() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, _) = try WALWriter.open(makeConfiguration(directory))
            var generator = SeededGenerator(seed: 8)
            _ = try await appendRecords(writer, count: 300, generator: &generator)
            let segments = try WALReader(directory: directory).segments()
            _ = try writer.deleteSegments(before: segments[2].firstLSN)
            await writer.close()
            #expect {
                _ = try WALReader.truncate(directory: directory, after: segments[2].firstLSN - 2)
            } throws: { error in
                if case .invalidRequest = error as? WALError { return true }
                return false
            }
        }
    }

    @Test("truncate cuts at a corrupt frame that comes before the requested LSN, and says so")
    func truncateStopsAtCorruption() async throws {
        try await withTemporaryDirectory { directory in
            let written = try await makeLog(directory, count: 300)
            let segments = try WALReader(directory: directory).segments()
            var generator = SeededGenerator(seed: 3)
            try flipBits(directory + "/" + segments[1].file, at: FrameHeader.sizeBytes + 1, count: 1, generator: &generator)
            #expect(throws: WALError.self) { _ = try WALWriter.open(makeConfiguration(directory)) }
            let report = try WALReader.truncate(directory: directory, after: 250)
            #expect(report.lastLSN == segments[1].firstLSN - 1)
            #expect(report.problem?.file == segments[1].file)
            #expect(try readAll(directory) == Array(written.prefix(Int(report.lastLSN))))
            let (writer, _) = try WALWriter.open(makeConfiguration(directory))
            await writer.close()
        }
    }

    @Test("segments() lists LSN ranges, counts and sizes of every segment")
    func segmentListing() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await makeLog(directory, count: 200)
            let segments = try WALReader(directory: directory).segments()
            #expect(segments.reduce(0) { $0 + $1.records } == 200)
            #expect(segments.first?.firstLSN == 1 && segments.last?.lastLSN == 200)
            for (segment, next) in zip(segments, segments.dropFirst()) {
                #expect(segment.lastLSN.map { $0 + 1 } == next.firstLSN)
                #expect(segment.dataBytes <= segment.fileSizeBytes && segment.problem == nil)
            }
        }
    }

    @Test("reading a range returns exactly the records from..through, and an empty directory reads as empty")
    func readRange() async throws {
        try await withTemporaryDirectory { directory in
            #expect(try readAll(directory + "/missing").isEmpty)
            let written = try await makeLog(directory, count: 120)
            var range: [WALRecord] = []
            try WALReader(directory: directory).forEach(from: 35, through: 77) { range.append($0) }
            #expect(range == Array(written[34..<77]))
            var none: [WALRecord] = []
            try WALReader(directory: directory).forEach(from: 121) { none.append($0) }
            #expect(none.isEmpty)
        }
    }
}
