import Foundation
import Testing
@testable import WAL
import MallTestSupport

@Suite("WAL recovery and corruption")
struct WALRecoveryTests {
    /// A log of a few small segments, with its records.
    private func makeLog(_ directory: String, seed: UInt64, count: Int = 200) async throws -> [WALRecord] {
        let (writer, _) = try WALWriter.open(makeConfiguration(directory))
        var generator = SeededGenerator(seed: seed)
        let records = try await appendRecords(writer, count: count, generator: &generator)
        await writer.close()
        return records
    }

    @Test("a torn tail of the newest segment is truncated on reopen, earlier records survive, appending works")
    func tornTailIsTruncated() async throws {
        var generator = SeededGenerator(seed: 21)
        for iteration in 0..<40 {
            try await withTemporaryDirectory { directory in
                let written = try await makeLog(directory, seed: UInt64(iteration))
                let newest = try #require(try segmentPaths(directory).last)
                let file = String(newest.split(separator: "/").last ?? "")
                let ends = try frameEnds(directory, file: file)
                let dataEnd = try #require(ends.last?.end)
                var cut = Int.random(in: max(0, dataEnd - 600)..<dataEnd, using: &generator)
                let shortensFile = Bool.random(using: &generator)
                if !shortensFile {
                    // Zeroing bytes that were zero already changes nothing: the tear starts at the next nonzero byte.
                    let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: newest)))
                    cut = original[cut..<dataEnd].firstIndex { $0 != 0 } ?? dataEnd
                }
                try tear(newest, at: cut, shortensFile: shortensFile)
                let firstLSN = try #require(SegmentName(fileName: file)).firstLSN
                let expectedLast = ends.last { $0.end <= cut }?.lastLSN ?? firstLSN - 1

                let (writer, report) = try WALWriter.open(makeConfiguration(directory))
                #expect(report.lastLSN == expectedLast)
                #expect(report.truncatedTail?.file == (ends.contains { $0.end == cut } ? nil : file))
                #expect(try readAll(directory) == Array(written.prefix(Int(expectedLast))))
                let lsn = try writer.enqueue(typeTag: 7, version: 2, timestampMs: 3, payload: [4, 5])
                #expect(lsn == expectedLast + 1)
                try await writer.waitDurable(lsn)
                await writer.close()
                #expect(try readAll(directory).last == WALRecord(lsn: lsn, typeTag: 7, version: 2, timestampMs: 3, payload: [4, 5]))
                #expect(try WALReader(directory: directory).verify().isClean)
            }
        }
    }

    @Test("random bit flips are always detected: a corrupt error naming file and LSN, or a truncated newest tail")
    func bitFlipsAreDetected() async throws {
        try await withTemporaryDirectory { root in
            let pristine = root + "/pristine"
            let written = try await makeLog(pristine, seed: 99, count: 150)
            let files = try segmentPaths(pristine).map { String($0.split(separator: "/").last ?? "") }
            let dataEnds = try WALReader(directory: pristine).segments().map(\.dataBytes)
            var generator = SeededGenerator(seed: 2_024)
            var outcomes = DetectionOutcomes()
            for iteration in 0..<300 {
                let directory = root + "/run\(iteration)"
                try FileManager.default.copyItem(atPath: pristine, toPath: directory)
                // Half the flips go to the newest segment, where a tear is possible.
                let index = Bool.random(using: &generator) ? files.count - 1 : Int.random(in: 0..<files.count, using: &generator)
                let isNewest = index == files.count - 1
                let offset = Int.random(in: 0..<(dataEnds[index] + FrameHeader.sizeBytes), using: &generator)
                try flipBits(directory + "/" + files[index], at: offset, count: Int.random(in: 1...3, using: &generator),
                             generator: &generator)
                try await checkDetection(directory, file: files[index], isNewest: isNewest, written: written,
                                         outcomes: &outcomes)
                try FileManager.default.removeItem(atPath: directory)
            }
            #expect(outcomes.corruptErrors > 50 && outcomes.truncatedTails > 10, "both outcomes are exercised: \(outcomes)")
        }
    }

    private struct DetectionOutcomes {
        var corruptErrors = 0
        var truncatedTails = 0
    }

    private func checkDetection(_ directory: String, file: String, isNewest: Bool, written: [WALRecord],
                                outcomes: inout DetectionOutcomes) async throws {
        var seen: [WALRecord] = []
        do {
            try WALReader(directory: directory).forEach(from: 1) { seen.append($0) }
            #expect(isNewest, "a flip in an older segment must not read cleanly")
        } catch let error as WALError {
            guard case let .corrupt(errorFile, _, lsn, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(errorFile == file && lsn != nil)
        }
        #expect(seen == Array(written.prefix(seen.count)), "never a record whose bytes differ")
        do {
            let (writer, report) = try WALWriter.open(makeConfiguration(directory))
            #expect(isNewest)
            #expect(report.lastLSN == LSN(seen.count))
            #expect(report.truncatedTail?.file == file)
            outcomes.truncatedTails += 1
            await writer.close()
        } catch let error as WALError {
            guard case let .corrupt(errorFile, _, _, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(errorFile == file)
            outcomes.corruptErrors += 1
        }
    }

    @Test("frames before checksumsFromLSN are stepped over by their headers; from 0 every payload is checked")
    func checksumsFromLSNSkipsPayloadsBeforeIt() async throws {
        try await withTemporaryDirectory { directory in
            let written = try await makeLog(directory, seed: 9, count: 200)
            let oldest = try #require(try segmentPaths(directory).first)
            let file = String(oldest.split(separator: "/").last ?? "")
            let ends = try frameEnds(directory, file: file)
            try #require(ends.count >= 2)
            // A flipped bit in the last byte of the first frame's payload: its header still reads.
            var generator = SeededGenerator(seed: 2)
            try flipBits(oldest, at: ends[0].end - 1, count: 1, generator: &generator)
            #expect(throws: WALError.self) { _ = try WALWriter.open(makeConfiguration(directory)) }

            var configuration = makeConfiguration(directory)
            configuration.checksumsFromLSN = ends[0].lastLSN + 1
            let (writer, report) = try WALWriter.open(configuration)
            #expect(report.lastLSN == written.last?.lsn)
            await writer.close()
            // A frame at or after the bound is still checked.
            configuration.checksumsFromLSN = ends[0].lastLSN
            #expect(throws: WALError.self) { _ = try WALWriter.open(configuration) }
        }
    }

    @Test("a bad frame in the newest segment followed by a valid frame refuses to open")
    func corruptionBeforeValidFramesInNewestSegmentRefuses() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await makeLog(directory, seed: 5, count: 200)
            let (writer, _) = try WALWriter.open(makeConfiguration(directory))
            var frames = 0
            for _ in 0..<100 where frames < 2 {  // until the newest segment holds two frames
                try await writer.waitDurable(try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [1]))
                let newest = try #require(try segmentPaths(directory).last)
                frames = try frameEnds(directory, file: String(newest.split(separator: "/").last ?? "")).count
            }
            await writer.close()
            let newest = try #require(try segmentPaths(directory).last)
            let file = String(newest.split(separator: "/").last ?? "")
            let ends = try frameEnds(directory, file: file)
            try #require(ends.count >= 2)
            var generator = SeededGenerator(seed: 1)
            try flipBits(newest, at: ends[0].end - 1, count: 1, generator: &generator)
            #expect {
                _ = try WALWriter.open(makeConfiguration(directory))
            } throws: { error in
                guard case let .corrupt(errorFile, _, lsn, _) = error as? WALError else { return false }
                return errorFile == file && lsn == (SegmentName(fileName: file)?.firstLSN)
            }
            let report = try WALReader(directory: directory).verify()
            #expect(report.problems.count == 1 && report.problems.first?.isTornTail == false)
        }
    }

    @Test("a zeroed frame header in the newest segment with valid frames after it refuses to open, naming file and LSN")
    func zeroedRegionBeforeValidFramesRefuses() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, _) = try WALWriter.open(makeConfiguration(directory, segmentSizeBytes: 1 << 20))
            var generator = SeededGenerator(seed: 8)
            _ = try await appendRecords(writer, count: 120, frameRecords: 6, generator: &generator)
            await writer.close()
            let file = "0000000000000001.seg"
            let path = directory + "/" + file
            let ends = try frameEnds(directory, file: file)
            try #require(try segmentPaths(directory).count == 1 && ends.count >= 10)
            let pristine = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            for hole in [1, ends.count / 2, ends.count - 2] {
                // Zero the header of frame `hole`: it reads like the end of the log.
                let start = ends[hole - 1].end
                let lastGood = ends[hole - 1].lastLSN
                var bytes = pristine
                bytes.replaceSubrange(start..<(start + FrameHeader.sizeBytes),
                                      with: [UInt8](repeating: 0, count: FrameHeader.sizeBytes))
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                #expect {
                    _ = try WALWriter.open(makeConfiguration(directory, segmentSizeBytes: 1 << 20))
                } throws: { error in
                    guard case let .corrupt(errorFile, offset, lsn, reason) = error as? WALError else { return false }
                    return errorFile == file && offset == start && lsn == lastGood + 1
                        && reason.contains("after LSN \(lastGood)")
                        && reason.contains("holding LSN \(ends[hole].lastLSN + 1)...\(ends[hole + 1].lastLSN) follows at offset \(ends[hole].end)")
                }
                #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == bytes, "nothing was truncated")
                let report = try WALReader(directory: directory).verify()
                #expect(report.problems.count == 1 && report.problems.first?.isTornTail == false)
                #expect(report.problems.first?.offset == start)
            }
            try Data(pristine).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test("zeros at the true end of the newest segment open: all zeros as the end, a zeroed header before junk as a torn tail")
    func zeroedTailOpens() async throws {
        try await withTemporaryDirectory { directory in
            let (writer, _) = try WALWriter.open(makeConfiguration(directory, segmentSizeBytes: 1 << 20))
            var generator = SeededGenerator(seed: 9)
            let written = try await appendRecords(writer, count: 60, frameRecords: 6, generator: &generator)
            await writer.close()
            let file = "0000000000000001.seg"
            let path = directory + "/" + file
            let ends = try frameEnds(directory, file: file)
            let pristine = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let last = ends.count - 1
            let start = ends[last - 1].end
            for zeroesWholeFrame in [true, false] {
                var bytes = pristine
                let end = zeroesWholeFrame ? ends[last].end : start + FrameHeader.sizeBytes
                bytes.replaceSubrange(start..<end, with: [UInt8](repeating: 0, count: end - start))
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let (reopened, report) = try WALWriter.open(makeConfiguration(directory, segmentSizeBytes: 1 << 20))
                #expect(report.lastLSN == ends[last - 1].lastLSN)
                #expect(report.truncatedTail?.file == (zeroesWholeFrame ? nil : file))
                #expect(report.truncatedTail?.offset == (zeroesWholeFrame ? nil : start))
                let lsn = try reopened.enqueue(typeTag: 1, version: 1, timestampMs: 1, payload: [1])
                try await reopened.waitDurable(lsn)
                await reopened.close()
                #expect(lsn == ends[last - 1].lastLSN + 1)
                #expect(try readAll(directory).dropLast() == written.prefix(Int(ends[last - 1].lastLSN)))
                #expect(try WALReader(directory: directory).verify().isClean)
            }
        }
    }

    @Test("a zeroed frame header in an older segment is named in that segment, not as a gap before the next one")
    func zeroedRegionInOlderSegmentRefuses() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await makeLog(directory, seed: 10, count: 200)
            let paths = try segmentPaths(directory)
            try #require(paths.count >= 3)
            let file = String(paths[0].split(separator: "/").last ?? "")
            let ends = try frameEnds(directory, file: file)
            try #require(ends.count >= 3)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: paths[0])))
            bytes.replaceSubrange(ends[0].end..<(ends[0].end + FrameHeader.sizeBytes),
                                  with: [UInt8](repeating: 0, count: FrameHeader.sizeBytes))
            try Data(bytes).write(to: URL(fileURLWithPath: paths[0]))
            #expect {
                _ = try WALWriter.open(makeConfiguration(directory))
            } throws: { error in
                guard case let .corrupt(errorFile, offset, lsn, _) = error as? WALError else { return false }
                return errorFile == file && offset == ends[0].end && lsn == ends[0].lastLSN + 1
            }
        }
    }

    @Test("segment names and frames beyond the largest LSN are refused; the writer stops at it")
    func largestLSN() async throws {
        try await withTemporaryDirectory { root in
            for name in ["8000000000000000.seg", "ffffffffffffffff.seg"] {
                let directory = root + "/" + name
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try Data(count: 4_096).write(to: URL(fileURLWithPath: directory + "/" + name))
                #expect {
                    _ = try WALWriter.open(makeConfiguration(directory))
                } throws: { error in
                    guard case let .corrupt(file, _, _, reason) = error as? WALError else { return false }
                    return file == name && reason.contains("beyond the largest LSN")
                }
                #expect(throws: WALError.self) { _ = try readAll(directory, from: LSN.max) }
            }
            let directory = root + "/at-limit"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(count: 4_096).write(to: URL(fileURLWithPath: directory + "/7fffffffffffffff.seg"))
            let (writer, report) = try WALWriter.open(makeConfiguration(directory))
            #expect(report.lastLSN == WALLimits.lsnMax - 1)
            let lsn = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [1])
            #expect(lsn == WALLimits.lsnMax)
            try await writer.waitDurable(lsn)
            #expect(throws: WALError.self) { _ = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: [2]) }
            await writer.close()
            #expect(try readAll(directory, from: WALLimits.lsnMax).map(\.payload) == [[1]])

            var header: [UInt8] = []
            FrameHeader(flags: 0, firstLSN: WALLimits.lsnMax, recordCount: 2, rawLength: 48, storedLength: 48, crc: 0)
                .append(to: &header)
            #expect(throws: FrameProblem.self) {
                _ = try header.withUnsafeBytes { bytes in
                    Result { () throws(FrameProblem) in try FrameHeader.parse(bytes, bytesAfterHeader: 48) }
                }.get()
            }
        }
    }

    @Test("verify lists a damaged older segment and still checks the segments after it")
    func verifyReportsEveryProblem() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await makeLog(directory, seed: 6, count: 300)
            let paths = try segmentPaths(directory)
            try #require(paths.count >= 4)
            var generator = SeededGenerator(seed: 1)
            try flipBits(paths[0], at: FrameHeader.sizeBytes + 1, count: 1, generator: &generator)
            try flipBits(paths[2], at: FrameHeader.sizeBytes + 1, count: 1, generator: &generator)
            let report = try WALReader(directory: directory).verify()
            #expect(report.problems.map(\.file) == [paths[0], paths[2]].map { String($0.split(separator: "/").last ?? "") })
            #expect(report.segments.count == paths.count && !report.isClean)
            #expect(report.description.contains("2 problems"))
        }
    }
}

/// Simulates a crash mid-write: the file ends at `offset`, or reads as zeros from there on.
func tear(_ path: String, at offset: Int, shortensFile: Bool) throws {
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    defer { try? handle.close() }
    if shortensFile {
        try handle.truncate(atOffset: UInt64(offset))
    } else {
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: UInt64(offset))
        handle.write(Data(count: Int(size) - offset))
    }
}

/// Flips `count` distinct bits: the first at `offset`, the others up to 64 bytes after it.
func flipBits(_ path: String, at offset: Int, count: Int, generator: inout SeededGenerator) throws {
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    var bits: Set<Int> = []
    while bits.count < count {
        let position = min(bytes.count - 1, offset + (bits.isEmpty ? 0 : Int.random(in: 0...64, using: &generator)))
        bits.insert(position * 8 + Int.random(in: 0...7, using: &generator))
    }
    for bit in bits { bytes[bit / 8] ^= UInt8(1) << UInt8(bit % 8) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
