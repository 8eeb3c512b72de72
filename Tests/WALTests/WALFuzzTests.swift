import Foundation
import Testing
@testable import WAL
import MallTestSupport

/// DESIGN invariant 10: bytes read from disk never trap. Every case must end in a thrown error or
/// a valid result; a failing case prints its seed (see `fuzz`).
@Suite("WAL fuzzing")
struct WALFuzzTests {
    @Test("the frame decoder answers random, damaged and forged frames with an error or valid records")
    func frameDecoder() async {
        await fuzz("frame decoder", cases: 20_000, seed: 0xF4A3_0001) { trial in
            switch trial.int(0...9) {
            case 0:
                // Random bytes, half of them behind a valid magic and version.
                var bytes: [UInt8] = trial.chance(0.5) ? [0x4D, 0x57, 0x41, 0x4C, 1, 0] : []
                bytes += trial.bytes(trial.int(0...200))
                checkDecoded(&trial, bytes, original: nil)
            case 1, 2:
                // A valid frame damaged without fixing its CRC: the CRC must catch it.
                let (frame, records) = makeFrame(&trial)
                var bytes = frame
                for _ in 0..<trial.int(1...3) { trial.damage(&bytes, near: trial.chance(0.5) ? 0 : nil) }
                checkDecoded(&trial, bytes, original: records)
            case 3, 4:
                // Header fields set to hostile values, CRC fixed: the bounds checks must catch them.
                var (bytes, _) = makeFrame(&trial)
                for _ in 0..<trial.int(1...2) {
                    let (offset, width) = trial.pick([(4, 2), (6, 2), (8, 8), (16, 4), (20, 4), (24, 4)])
                    trial.overwriteField(&bytes, at: offset, width: width)
                }
                if trial.chance(0.3) { trial.damage(&bytes) }
                fixFrameCRC(&bytes)
                checkDecoded(&trial, bytes, original: nil)
            case 5, 6:
                // Hostile records (lengths, LSNs, counts) in a well-formed, checksummed frame.
                let firstLSN = trial.chance(0.8) ? LSN(trial.int(1...1_000)) : trial.pick(Interesting.uint64)
                var (raw, count) = hostileRecords(&trial, firstLSN: firstLSN)
                if trial.chance(0.3) { trial.damage(&raw) }
                if trial.chance(0.3) { count = trial.pick(Interesting.uint32) }
                checkDecoded(&trial, forgeFrame(&trial, firstLSN: firstLSN, recordCount: count, raw: raw), original: nil)
            case 7:
                // The payload decoder on headers that never went through `parse`.
                let header = FrameHeader(
                    flags: trial.pick([0, 1, 1, 2, 0xFFFF]), firstLSN: trial.pick(Interesting.uint64),
                    recordCount: trial.pick(Interesting.uint32), rawLength: trial.pick(Interesting.uint32),
                    storedLength: trial.pick(Interesting.uint32), crc: 0)
                let stored = trial.chance(0.5)
                    ? (LZ4Block.compress(hostileRecords(&trial, firstLSN: header.firstLSN).raw) ?? trial.bytes(8))
                    : trial.bytes(trial.int(0...100))
                if let raw = try? FrameDecoder.rawPayload(header: header, stored: stored) {
                    trial.expect(!header.isCompressed || raw.count == Int(header.rawLength), "decompressed to the wrong length")
                }
            case 8:
                // Record walking on arbitrary headers and bytes.
                let header = FrameHeader(flags: 0, firstLSN: trial.pick(Interesting.uint64),
                                         recordCount: trial.pick(Interesting.uint32.filter { $0 < 1_000 }),
                                         rawLength: 0, storedLength: 0, crc: 0)
                var (raw, _) = hostileRecords(&trial, firstLSN: header.firstLSN)
                if trial.chance(0.5) { trial.damage(&raw) }
                var walked = 0
                do {
                    try raw.withUnsafeBytes { bytes in
                        try FrameRecords.walk(bytes, header: header) { _, offset, payload in
                            _ = FrameRecords.decode(bytes, at: offset, payload: payload)
                            walked += 1
                        }
                    }
                    trial.expect(walked == Int(header.recordCount), "walked \(walked) of \(header.recordCount) records")
                } catch {
                    trial.expect(error is FrameProblem, "walk threw \(error)")
                }
            default:
                // LZ4 blocks: garbage, damaged blocks, lengths that lie.
                var block = trial.chance(0.5)
                    ? (LZ4Block.compress(Array(repeating: UInt8(trial.int(0...255)), count: trial.int(16...4_000))) ?? [])
                    : trial.bytes(trial.int(0...64))
                if trial.chance(0.5) { trial.damage(&block) }
                let rawLength = trial.chance(0.5) ? trial.int(0...8_000)
                    : trial.pick([-1, Int.min, Int.max, Int(Int32.max), Int(Int32.max) + 1, 1 << 30, 64 << 20])
                if let raw = try? LZ4Block.decompress(block, rawLength: rawLength) {
                    trial.expect(raw.count == rawLength, "decompressed \(raw.count) bytes, asked \(rawLength)")
                }
            }
        }
    }

    @Test("reader, verify and recovery answer randomly damaged segment directories with an error or a valid log")
    func segmentDirectories() async throws {
        try await withTemporaryDirectory { root in
            let pristine = root + "/pristine"
            let (writer, _) = try WALWriter.open(makeConfiguration(pristine))
            var generator = SeededGenerator(seed: 77)
            let written = try await appendRecords(writer, count: 150, frameRecords: 5, generator: &generator)
            await writer.close()
            let files = try FileManager.default.contentsOfDirectory(atPath: pristine).sorted()
            let original = try files.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: pristine + "/" + $0))) }
            // Frame boundaries of every segment, and the frames themselves, to splice and to aim at.
            var starts: [[Int]] = []
            var frames: [[UInt8]] = []
            for (index, file) in files.enumerated() {
                var start = 0
                var segmentStarts: [Int] = []
                for end in try frameEnds(pristine, file: file).map(\.end) {
                    segmentStarts.append(start)
                    frames.append(Array(original[index][start..<end]))
                    start = end
                }
                starts.append(segmentStarts + [start])
            }
            try #require(files.count >= 3, "the log spans several segments")

            await fuzz("segment directories", cases: 2_000, seed: 0xD1_2EC7) { trial in
                let directory = root + "/case"
                try? FileManager.default.removeItem(atPath: directory)
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
                var names = files
                var contents = original
                for _ in 0..<trial.int(1...3) {
                    damageDirectory(&trial, names: &names, contents: &contents, starts: starts, frames: frames)
                }
                for (name, bytes) in zip(names, contents) {
                    try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
                }
                try await checkDirectory(&trial, directory, written: written)
            }
        }
    }

    // MARK: - Frames

    /// A frame the writer's encoder made, of 1...8 records (compressible or not).
    private func makeFrame(_ trial: inout FuzzTrial) -> ([UInt8], [WALRecord]) {
        let firstLSN = LSN(trial.int(1...100_000))
        let records = (0..<trial.int(1...8)).map { index in
            WALRecord(lsn: firstLSN + LSN(index), typeTag: UInt16(trial.int(0...500)), version: 1,
                      timestampMs: Int64(trial.int(0...1_000_000)), payload: makePayload(&trial.generator, bytesMax: 200))
        }
        var encoder = FrameEncoder()
        _ = encoder.encode(records[...])
        return (encoder.frame, records)
    }

    /// Raw record bytes whose LSNs and lengths are usually right and sometimes hostile.
    private func hostileRecords(_ trial: inout FuzzTrial, firstLSN: LSN) -> (raw: [UInt8], count: UInt32) {
        var raw: [UInt8] = []
        let count = trial.int(1...5)
        for index in 0..<count {
            let payload = trial.bytes(trial.int(0...40))
            raw.appendLittleEndian(trial.chance(0.9) ? firstLSN &+ LSN(index) : trial.pick(Interesting.uint64))
            raw.appendLittleEndian(UInt16(trial.int(0...0xFFFF)))
            raw.appendLittleEndian(trial.pick(Interesting.uint16))
            raw.appendLittleEndian(Int64(bitPattern: trial.pick(Interesting.uint64)))
            raw.appendLittleEndian(trial.chance(0.8) ? UInt32(payload.count) : trial.pick(Interesting.uint32))
            raw += payload
        }
        return (raw, UInt32(count))
    }

    /// A checksummed frame around `raw`, compressed or not, with lengths usually consistent.
    private func forgeFrame(_ trial: inout FuzzTrial, firstLSN: LSN, recordCount: UInt32, raw: [UInt8]) -> [UInt8] {
        let compressed = trial.chance(0.5) ? LZ4Block.compress(raw) : nil
        let stored = compressed ?? raw
        var rawLength = UInt32(raw.count)
        var storedLength = UInt32(stored.count)
        if trial.chance(0.2) { rawLength = trial.pick(Interesting.uint32) }
        if trial.chance(0.2) { storedLength = trial.pick(Interesting.uint32) }
        let flags: UInt16 = trial.chance(0.1) ? trial.pick(Interesting.uint16) : (compressed == nil ? 0 : FrameHeader.flagLZ4)
        var bytes: [UInt8] = []
        FrameHeader(flags: flags, firstLSN: firstLSN, recordCount: recordCount, rawLength: rawLength,
                    storedLength: storedLength, crc: 0).append(to: &bytes)
        bytes += stored
        fixFrameCRC(&bytes)
        return bytes
    }

    /// Decodes `bytes`: an error is fine; records must be consistent with their header, and equal
    /// `original` when given (bytes whose CRC was not fixed after the damage).
    private func checkDecoded(_ trial: inout FuzzTrial, _ bytes: [UInt8], original: [WALRecord]?) {
        guard let decoded = try? FrameDecoder.decodeFrame(bytes) else { return }
        let (header, records) = decoded
        let lsns = records.map(\.lsn)
        trial.expect(records.count == Int(header.recordCount), "decoded \(records.count) records, header says \(header.recordCount)")
        trial.expect(lsns == (0..<LSN(records.count)).map { header.firstLSN + $0 }, "record LSNs \(lsns) do not follow \(header.firstLSN)")
        trial.expect(header.frameBytes <= bytes.count && Int(header.rawLength) >= records.count * FrameRecords.headerBytes,
                     "header \(header) does not fit the bytes")
        if let original { trial.expect(records == original, "damage without a CRC fix-up decoded to other records") }
    }

    // MARK: - Segment directories

    private func damageDirectory(_ trial: inout FuzzTrial, names: inout [String], contents: inout [[UInt8]],
                                 starts: [[Int]], frames: [[UInt8]]) {
        guard !names.isEmpty else { return }
        let index = trial.chance(0.5) ? names.count - 1 : trial.int(0...(names.count - 1))
        let boundaries = index < starts.count ? starts[index] : [0]
        let boundary = trial.pick(boundaries)
        switch trial.int(0...19) {
        case 0...8:
            trial.damage(&contents[index], near: boundary)
        case 9:
            // A header-sized zeroed region at a frame boundary: a hole.
            let end = min(contents[index].count, boundary + FrameHeader.sizeBytes * trial.int(1...3))
            for offset in min(boundary, end)..<end { contents[index][offset] = 0 }
        case 10, 11:
            // A header field at a frame boundary set to a hostile value, with the CRC fixed.
            var frame = Array(contents[index][min(boundary, contents[index].count)...])
            let (offset, width) = trial.pick([(6, 2), (8, 8), (16, 4), (20, 4), (24, 4)])
            trial.overwriteField(&frame, at: offset, width: width)
            fixFrameCRC(&frame)
            contents[index].replaceSubrange(min(boundary, contents[index].count)..., with: frame)
        case 12, 13:
            // A valid frame from elsewhere spliced in at a frame boundary.
            let frame = trial.pick(frames)
            let start = min(boundary, contents[index].count)
            let end = min(contents[index].count, start + frame.count)
            contents[index].replaceSubrange(start..<end, with: frame)
        case 14:
            names.remove(at: index)
            contents.remove(at: index)
        case 15, 16:
            let firstLSN = SegmentName(fileName: names[index])?.firstLSN ?? 1
            let lsn = trial.pick([firstLSN &- 1, firstLSN &+ 1, firstLSN &+ 5, WALLimits.lsnMax - 1, WALLimits.lsnMax,
                                  WALLimits.lsnMax + 1, LSN.max, LSN(trial.int(1...400))])
            let name = SegmentName(firstLSN: max(lsn, 1)).fileName
            if !names.contains(name) { names[index] = name }
        case 17:
            names.append(trial.pick(["0000000000000001.seg.tmp", "00000000000000AB.seg", "lock", "000000000000001.seg"]))
            contents.append(trial.bytes(trial.int(0...100)))
        default:
            contents[index].removeLast(contents[index].count - min(contents[index].count, trial.pick(boundaries)))
        }
    }

    /// Every entry point must throw a `WALError` or return records that were written, in order.
    private func checkDirectory(_ trial: inout FuzzTrial, _ directory: String, written: [WALRecord]) async throws {
        let reader = WALReader(directory: directory)
        _ = try reader.verify()
        let from = LSN(trial.int(0...160))
        var seen: [WALRecord] = []
        do {
            try reader.forEach(from: from, through: trial.chance(0.7) ? .max : from + LSN(trial.int(0...50))) {
                seen.append($0)
            }
        } catch {
            trial.expect(error is WALError, "forEach threw \(error)")
        }
        checkRecords(&trial, seen, written: written, startingAt: seen.isEmpty ? 0 : max(from, 1))

        let opened: (WALWriter, WALRecoveryReport)
        do {
            opened = try WALWriter.open(makeConfiguration(directory))
        } catch {
            if case .corrupt(let file, _, _, _)? = error as? WALError {
                trial.expect(file.hasSuffix(".seg"), "refused naming \(file)")
            } else {
                trial.expect(false, "open threw \(error), expected WALError.corrupt")
            }
            return
        }
        let (writer, report) = opened
        var appended: WALRecord?
        if trial.chance(0.25) {
            let lsn = try writer.enqueue(typeTag: 9, version: 9, timestampMs: 9, payload: [9])
            try await writer.waitDurable(lsn)
            appended = WALRecord(lsn: lsn, typeTag: 9, version: 9, timestampMs: 9, payload: [9])
            trial.expect(lsn == report.lastLSN + 1, "appended LSN \(lsn) after a log ending at \(report.lastLSN)")
        }
        await writer.close()
        let verify = try reader.verify()
        trial.expect(verify.isClean, "after a successful open the log verifies: \(verify)")
        var after: [WALRecord] = []
        let firstAvailable = try SegmentName.list(in: directory, io: PosixSegmentIO()).first?.firstLSN ?? 1
        try reader.forEach(from: firstAvailable) { after.append($0) }
        if let appended {
            trial.expect(after.last == appended, "the appended record reads back")
            after.removeLast()
        }
        checkRecords(&trial, after, written: written, startingAt: after.first?.lsn ?? 0)
        trial.expect((after.last?.lsn ?? report.lastLSN) == report.lastLSN,
                     "reader ends at \(after.last?.lsn ?? 0), recovery at \(report.lastLSN)")
    }

    private func checkRecords(_ trial: inout FuzzTrial, _ records: [WALRecord], written: [WALRecord], startingAt first: LSN) {
        for (index, record) in records.enumerated() {
            let isWritten = record.lsn >= 1 && record.lsn <= LSN(written.count) && written[Int(record.lsn) - 1] == record
            trial.expect(isWritten, "read a record that was never written: LSN \(record.lsn)")
            trial.expect(record.lsn == first + LSN(index), "records out of order at LSN \(record.lsn)")
            if !isWritten { return }
        }
    }
}

/// Recomputes a frame's CRC over its header and the stored bytes its header claims (as far as present).
func fixFrameCRC(_ bytes: inout [UInt8]) {
    guard bytes.count >= FrameHeader.sizeBytes else { return }
    let storedLength = Int(bytes.withUnsafeBytes { $0.loadLittleEndian(at: 24, as: UInt32.self) })
    let end = min(bytes.count, FrameHeader.sizeBytes + storedLength)
    let crc = bytes.withUnsafeBytes {
        FrameHeader.checksum(header: UnsafeRawBufferPointer(rebasing: $0[..<FrameHeader.sizeBytes]),
                             stored: UnsafeRawBufferPointer(rebasing: $0[FrameHeader.sizeBytes..<end]))
    }
    bytes.storeLittleEndian(crc, at: FrameHeader.crcOffset)
}

extension FrameDecoder {
    /// Decodes the frame at the start of `bytes` (bytes after it are ignored) the way
    /// `SegmentScanner` does: header bounds, CRC, decompression, record structure, then the records.
    /// - Complexity: O(frame size + raw length).
    static func decodeFrame(_ bytes: [UInt8]) throws(FrameProblem) -> (FrameHeader, [WALRecord]) {
        guard bytes.count >= FrameHeader.sizeBytes else { throw FrameProblem("partial header") }
        let headerBytes = Array(bytes[..<FrameHeader.sizeBytes])
        let header = try headerBytes.withUnsafeBytes { raw in
            Result { () throws(FrameProblem) in
                try FrameHeader.parse(raw, bytesAfterHeader: bytes.count - FrameHeader.sizeBytes)
            }
        }.get()
        let stored = Array(bytes[FrameHeader.sizeBytes..<header.frameBytes])
        guard headerBytes.withUnsafeBytes({ hasValidChecksum(header: header, headerBytes: $0, stored: stored) }) else {
            throw FrameProblem("CRC32C mismatch")
        }
        let raw = try rawPayload(header: header, stored: stored)
        var records: [WALRecord] = []
        records.reserveCapacity(Int(header.recordCount))
        do {
            try raw.withUnsafeBytes { bytes in
                try FrameRecords.walk(bytes, header: header) { _, offset, payload in
                    records.append(FrameRecords.decode(bytes, at: offset, payload: payload))
                }
            }
        } catch {
            throw (error as? FrameProblem) ?? FrameProblem("\(error)")
        }
        return (header, records)
    }
}
