import Foundation
import Testing
import WAL
@testable import Snapshot
import MallTestSupport

/// DESIGN invariant 10: a snapshot file never traps its reader. Every case must end in a thrown
/// error or a valid payload; a failing case prints its seed (see `fuzz`).
@Suite("Snapshot fuzzing")
struct SnapshotFuzzTests {
    /// Header fields (offset, width) and chunk header fields (offset in the chunk header, width).
    private static let headerFields = [(4, 2), (6, 2), (8, 8), (16, 8), (24, 8), (24, 8), (32, 4), (32, 4), (36, 4), (36, 4), (44, 4)]
    private static let chunkFields = [(0, 2), (2, 2), (4, 4), (4, 4), (8, 4), (8, 4)]

    @Test("the snapshot decoder and store answer random, damaged and forged files with an error or a valid payload")
    func decoder() async throws {
        let root = FileManager.default.temporaryDirectory.path + "/snapshotfuzz-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = smallChunkStore(root + "/pristine", retainCount: 10)
        var pristine: [(file: [UInt8], payload: [UInt8])] = []
        for (index, size) in [0, 1, 999, 1_000, 1_001, 4_500].enumerated() {
            let payload = makeState(bytes: size, seed: UInt64(index))
            let info = try store.write(lsn: UInt64(index + 1), createdAtMs: 1_700_000_000_000, payload: payload)
            pristine.append((try [UInt8](Data(contentsOf: URL(fileURLWithPath: root + "/pristine/" + info.file))), payload))
        }

        await fuzz("snapshot decoder", cases: 10_000, seed: 0x5A_0001) { trial in
            var bytes: [UInt8]
            var original: [UInt8]?
            switch trial.int(0...9) {
            case 0:
                bytes = trial.chance(0.5) ? [0x4D, 0x53, 0x4E, 0x50, 1, 0] : []
                bytes += trial.bytes(trial.int(0...300))
                if trial.chance(0.5) { fixChecksums(&trial, &bytes) }
            case 1, 2, 3:
                // Damage without fixing checksums: the CRCs must catch it.
                let chosen = trial.pick(pristine)
                bytes = chosen.file
                original = chosen.payload
                for _ in 0..<trial.int(1...3) { trial.damage(&bytes, near: trial.chance(0.3) ? 0 : nil) }
            case 4, 5, 6, 7:
                // Hostile lengths and counts behind valid checksums: the bounds checks must catch them.
                bytes = trial.pick(pristine).file
                for _ in 0..<trial.int(1...3) {
                    if trial.chance(0.5) {
                        let (offset, width) = trial.pick(Self.headerFields)
                        trial.overwriteField(&bytes, at: offset, width: width)
                    } else {
                        let chunks = chunkOffsets(bytes)
                        let (offset, width) = trial.pick(Self.chunkFields)
                        if !chunks.isEmpty { trial.overwriteField(&bytes, at: trial.pick(chunks) + offset, width: width) }
                    }
                }
                if trial.chance(0.2) { trial.overwriteField(&bytes, at: bytes.count - 12, width: 4) }
                if trial.chance(0.2) { trial.damage(&bytes) }
                fixChecksums(&trial, &bytes)
            default:
                bytes = forge(&trial)
            }
            check(&trial, bytes, original: original)
            if trial.chance(0.1) { try checkStore(&trial, root + "/case", bytes, original: original) }
        }
    }

    // MARK: - Helpers

    /// Decodes `bytes`: an error is fine; a payload must match its header, and equal `original`
    /// when given (bytes damaged without fixing their checksums).
    private func check(_ trial: inout FuzzTrial, _ bytes: [UInt8], original: [UInt8]?) {
        guard let decoded = try? SnapshotFormat.decode(bytes) else { return }
        let (header, payload) = decoded
        trial.expect(UInt64(payload.count) == header.rawTotalLength,
                     "payload of \(payload.count) bytes, header says \(header.rawTotalLength)")
        if let original { trial.expect(payload == original, "damage without a checksum fix-up decoded to another payload") }
    }

    /// The same bytes through the store: list, read, verify, load the newest valid.
    private func checkStore(_ trial: inout FuzzTrial, _ directory: String, _ bytes: [UInt8], original: [UInt8]?) throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lsn = bytes.count >= 16 ? bytes.withUnsafeBytes { $0.loadLittleEndian(at: 8, as: UInt64.self) } : 1
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + SnapshotStore.fileName(lsn: lsn)))
        let store = smallChunkStore(directory)
        do {
            for info in try store.list() {
                if let payload = try? store.read(info), let original {
                    trial.expect(payload == original, "the store read another payload than was written")
                }
                _ = store.verify(info)
            }
            _ = try store.loadNewestValid()
        } catch {
            // Typed throws: a `SnapshotError`, which is a valid answer.
        }
    }

    /// Offsets of the chunk headers a reader would visit, as far as their lengths stay in the file.
    private func chunkOffsets(_ bytes: [UInt8]) -> [Int] {
        var offsets: [Int] = []
        var offset = SnapshotFormat.headerBytes
        let end = bytes.count - SnapshotFormat.trailerBytes
        while offset + SnapshotFormat.chunkHeaderBytes <= end {
            offsets.append(offset)
            let stored = Int(bytes.withUnsafeBytes { $0.loadLittleEndian(at: offset + 8, as: UInt32.self) })
            guard stored <= end - offset - SnapshotFormat.chunkHeaderBytes else { break }
            offset += SnapshotFormat.chunkHeaderBytes + stored
        }
        return offsets
    }

    /// Recomputes (each with high probability) the header CRC, the chunk CRCs and the file CRC.
    private func fixChecksums(_ trial: inout FuzzTrial, _ bytes: inout [UInt8]) {
        if bytes.count >= SnapshotFormat.headerBytes, trial.chance(0.9) {
            bytes.storeLittleEndian(CRC32C.checksum(bytes[..<40]), at: 40)
        }
        if trial.chance(0.9) {
            for offset in chunkOffsets(bytes) {
                let stored = Int(bytes.withUnsafeBytes { $0.loadLittleEndian(at: offset + 8, as: UInt32.self) })
                let storedStart = offset + SnapshotFormat.chunkHeaderBytes
                guard storedStart + stored <= bytes.count - SnapshotFormat.trailerBytes else { break }
                let crc = CRC32C.checksum(bytes[storedStart..<(storedStart + stored)],
                                          seed: CRC32C.checksum(bytes[offset..<(offset + 12)]))
                bytes.storeLittleEndian(crc, at: offset + 12)
            }
        }
        if bytes.count >= SnapshotFormat.headerBytes + SnapshotFormat.trailerBytes, trial.chance(0.9) {
            let trailerStart = bytes.count - SnapshotFormat.trailerBytes
            bytes.storeLittleEndian(CRC32C.checksum(bytes[..<(trailerStart + 8)]), at: trailerStart + 8)
        }
    }

    /// A file built from scratch: a header of hostile values, a few chunks (compressed, stored or
    /// garbage) and a trailer, all checksummed.
    private func forge(_ trial: inout FuzzTrial) -> [UInt8] {
        let chunkCount = trial.chance(0.7) ? UInt32(trial.int(0...4)) : trial.pick(Interesting.uint32)
        let chunkSize = trial.chance(0.7) ? UInt32(trial.int(1...300)) : trial.pick(Interesting.uint32)
        let rawTotalLength = trial.chance(0.7)
            ? UInt64(chunkSize) * UInt64(max(chunkCount, 1) - 1) + UInt64(trial.int(0...Int(min(chunkSize, 300))))
            : trial.pick(Interesting.uint64)
        var bytes = SnapshotFormat.encode(.init(lsn: trial.pick(Interesting.uint64), createdAtMs: 0,
                                                rawTotalLength: rawTotalLength, chunkSizeBytes: chunkSize,
                                                chunkCount: chunkCount))
        for _ in 0..<min(Int(chunkCount), 5) {
            let raw = trial.chance(0.5) ? [UInt8](repeating: 7, count: trial.int(1...300)) : trial.bytes(trial.int(0...300))
            if trial.chance(0.8) {
                SnapshotFormat.appendChunk(raw[...], to: &bytes)
            } else {
                // Hostile flags and raw length; the CRC is fixed below.
                bytes.appendLittleEndian(trial.pick(Interesting.uint16))
                bytes.appendLittleEndian(UInt16(0))
                bytes.appendLittleEndian(trial.pick(Interesting.uint32))
                bytes.appendLittleEndian(UInt32(raw.count))
                bytes.appendLittleEndian(UInt32(0))
                bytes += raw
            }
        }
        bytes += SnapshotFormat.encodeTrailer(chunkCount: chunkCount, fileCRCSoFar: CRC32C.checksum(bytes))
        fixChecksums(&trial, &bytes)
        return bytes
    }
}
