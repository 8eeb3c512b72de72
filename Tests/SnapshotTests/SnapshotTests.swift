import Foundation
import Testing
import WAL
@testable import Snapshot
import MallTestSupport

func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.path + "/snapshottests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Half compressible text, half random bytes, so chunks take both the LZ4 and the stored path.
func makeState(bytes: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    let text = Array("user 42 cart sku=1001 quantity=2 priceFen=1999; ".utf8)
    return (0..<bytes).map { $0 < bytes / 2 ? text[$0 % text.count] : UInt8.random(in: 0...255, using: &generator) }
}

func smallChunkStore(_ directory: String, retainCount: Int = 3) -> SnapshotStore {
    SnapshotStore(directory: directory, retainCount: retainCount, chunkSizeBytes: 1_000, io: PosixSegmentIO())
}

func flipBit(_ path: String, bit: Int) throws {
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

@Suite("Snapshot store")
struct SnapshotTests {
    @Test("a snapshot reads back byte for byte, in one chunk or many, empty or not")
    func roundTrip() throws {
        try withTemporaryDirectory { directory in
            let store = smallChunkStore(directory + "/snapshots")
            for (lsn, size) in [(UInt64(1), 0), (2, 1), (3, 999), (4, 1_000), (5, 1_001), (6, 25_000)] {
                let payload = makeState(bytes: size, seed: lsn)
                let info = try store.write(lsn: lsn, createdAtMs: 1_700_000_000_000 + Int64(lsn), payload: payload)
                #expect(info.file == String(format: "%016llx.snap", lsn))
                #expect(try store.read(info) == payload)
                #expect(store.verify(info) == nil)
            }
            let listed = try store.list()
            #expect(listed.map(\.lsn) == [6, 5, 4])
            #expect(listed.first?.createdAtMs == 1_700_000_000_006)
            let sizeOnDisk = try #require(listed.first?.sizeBytes)
            #expect(sizeOnDisk < 25_000, "the compressible half is LZ4-compressed")
        }
    }

    @Test("writing leaves no temporary file, and a stale one from a crash is removed and never listed")
    func writeIsAtomic() throws {
        try withTemporaryDirectory { directory in
            let store = smallChunkStore(directory)
            try store.write(lsn: 10, createdAtMs: 0, payload: makeState(bytes: 5_000, seed: 1))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["000000000000000a.snap"])
            let stale = directory + "/0000000000000014.snap.tmp"
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: stale))
            #expect(try store.list().map(\.lsn) == [10])
            try store.write(lsn: 30, createdAtMs: 0, payload: [1])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
                    == ["000000000000000a.snap", "000000000000001e.snap"])
        }
    }

    @Test("only the newest retainCount snapshots are kept")
    func retention() throws {
        try withTemporaryDirectory { directory in
            let store = smallChunkStore(directory, retainCount: 2)
            for lsn in [5, 1, 9, 7] as [UInt64] { try store.write(lsn: lsn, createdAtMs: 0, payload: [UInt8(lsn)]) }
            #expect(try store.list().map(\.lsn) == [9, 7])
        }
    }

    @Test("a corrupt newest snapshot is reported and the previous one is loaded instead")
    func fallbackToPrevious() throws {
        try withTemporaryDirectory { directory in
            let store = smallChunkStore(directory)
            let older = makeState(bytes: 4_000, seed: 1)
            try store.write(lsn: 100, createdAtMs: 1, payload: older)
            let newest = try store.write(lsn: 200, createdAtMs: 2, payload: makeState(bytes: 4_000, seed: 2))
            try flipBit(directory + "/" + newest.file, bit: 8 * 2_000 + 3)
            let loaded = try #require(try store.loadNewestValid())
            #expect(loaded.snapshot.lsn == 100 && loaded.payload == older)
            #expect(loaded.skipped.map(\.file) == [newest.file])
            #expect(loaded.skipped.first?.description.contains("200") == true)
            #expect(store.verify(newest) != nil)
        }
    }

    @Test("when every snapshot is corrupt, loading refuses instead of starting empty; none at all loads nil")
    func allCorruptRefuses() throws {
        try withTemporaryDirectory { directory in
            let store = smallChunkStore(directory)
            #expect(try store.loadNewestValid() == nil)
            let info = try store.write(lsn: 1, createdAtMs: 0, payload: makeState(bytes: 100, seed: 1))
            try flipBit(directory + "/" + info.file, bit: 100)
            #expect {
                _ = try store.loadNewestValid()
            } throws: { error in
                if case let .noValidSnapshot(problems) = error as? SnapshotError { return problems.count == 1 }
                return false
            }
        }
    }

    @Test("random bit flips anywhere in a snapshot file are always detected")
    func bitFlipsAreDetected() throws {
        try withTemporaryDirectory { directory in
            let store = smallChunkStore(directory)
            let info = try store.write(lsn: 77, createdAtMs: 5, payload: makeState(bytes: 6_000, seed: 3))
            let path = directory + "/" + info.file
            let pristine = try Data(contentsOf: URL(fileURLWithPath: path))
            var generator = SeededGenerator(seed: 4)
            for _ in 0..<400 {
                var bits: Set<Int> = []
                let count = Int.random(in: 1...3, using: &generator)
                while bits.count < count { bits.insert(Int.random(in: 0..<(pristine.count * 8), using: &generator)) }
                try pristine.write(to: URL(fileURLWithPath: path))
                for bit in bits { try flipBit(path, bit: bit) }
                #expect(throws: SnapshotError.self) { try store.read(info) }
            }
            try pristine.write(to: URL(fileURLWithPath: path))
            #expect(store.verify(info) == nil)
        }
    }

    @Test("a snapshot cut short or named for another LSN is rejected")
    func truncatedOrRenamedIsRejected() throws {
        try withTemporaryDirectory { directory in
            let store = smallChunkStore(directory)
            let info = try store.write(lsn: 3, createdAtMs: 0, payload: makeState(bytes: 3_000, seed: 9))
            let path = directory + "/" + info.file
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            for length in [0, 10, 48, 64, bytes.count / 2, bytes.count - 1] {
                try bytes.prefix(length).write(to: URL(fileURLWithPath: path))
                #expect(throws: SnapshotError.self) { try store.read(info) }
            }
            try bytes.write(to: URL(fileURLWithPath: directory + "/0000000000000004.snap"))
            let renamed = SnapshotInfo(file: "0000000000000004.snap", lsn: 4, sizeBytes: bytes.count, createdAtMs: 0)
            #expect(throws: SnapshotError.corrupt(file: renamed.file, reason: "header says LSN 3, the name says 4")) {
                try store.read(renamed)
            }
        }
    }

    @Test("a header whose raw length is near UInt64.max is refused by list and read, not a trap")
    func hugeRawLengthIsRefused() throws {
        try withTemporaryDirectory { directory in
            let store = smallChunkStore(directory)
            let info = try store.write(lsn: 5, createdAtMs: 7, payload: makeState(bytes: 2_500, seed: 1))
            let path = directory + "/" + info.file
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            for rawTotalLength in [UInt64.max, UInt64.max - 998, UInt64(Int64.max) + 1] {
                bytes.storeLittleEndian(rawTotalLength, at: 24)
                bytes.storeLittleEndian(CRC32C.checksum(bytes[..<40]), at: 40)
                #expect(throws: SnapshotFormatProblem.self) {
                    _ = try bytes.withUnsafeBytes { raw in
                        Result { () throws(SnapshotFormatProblem) in try SnapshotFormat.decodeHeader(raw) }
                    }.get()
                }
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let listed = try store.list()
                #expect(listed.map(\.lsn) == [5] && listed.first?.createdAtMs == 0, "listed, its header not trusted")
                #expect(throws: SnapshotError.self) { try store.read(info) }
            }
        }
    }

    @Test("the payload allocated before decoding is bounded by the file size and the machine, whatever the header claims")
    func allocationIsBoundedByTheFile() {
        let memoryBytes = UInt64(sysconf(Int32(_SC_PHYS_PAGES))) * UInt64(sysconf(Int32(_SC_PAGESIZE)))
        #expect(SnapshotFormat.payloadBytesMax(fileBytes: 600) == 600 * 255)
        #expect(SnapshotFormat.payloadBytesMax(fileBytes: .max) <= memoryBytes)
        for fileBytes in [64, 100 << 20, 1 << 30] {
            let bound = SnapshotFormat.payloadBytesMax(fileBytes: fileBytes)
            #expect(bound <= UInt64(fileBytes) * 255)
            #expect(bound <= memoryBytes)
        }
    }
}
