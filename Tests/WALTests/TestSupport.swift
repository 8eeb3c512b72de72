import Foundation
import Glibc
import Synchronization
import Testing
import MallTestSupport
@testable import WAL

/// A fresh directory under /tmp, removed when the body returns.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.path + "/waltests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A payload that is sometimes compressible text, sometimes random bytes, sometimes empty.
func makePayload(_ generator: inout SeededGenerator, bytesMax: Int = 300) -> [UInt8] {
    let count = Int.random(in: 0...bytesMax, using: &generator)
    if Bool.random(using: &generator) {
        let text = Array("order paid sku=42 quantity=1 ".utf8)
        return (0..<count).map { text[$0 % text.count] }
    }
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

/// Enqueues `count` records (one frame per `frameRecords` by waiting in between) and returns them.
func appendRecords(_ writer: WALWriter, count: Int, frameRecords: Int = 7,
                   generator: inout SeededGenerator) async throws -> [WALRecord] {
    var records: [WALRecord] = []
    for index in 0..<count {
        let payload = makePayload(&generator)
        let typeTag = UInt16.random(in: 1...500, using: &generator)
        let timestampMs = Int64(1_700_000_000_000 + index)
        let lsn = try writer.enqueue(typeTag: typeTag, version: 1, timestampMs: timestampMs, payload: payload)
        records.append(WALRecord(lsn: lsn, typeTag: typeTag, version: 1, timestampMs: timestampMs, payload: payload))
        if (index + 1) % frameRecords == 0 { try await writer.waitDurable(lsn) }
    }
    if let last = records.last { try await writer.waitDurable(last.lsn) }
    return records
}

func readAll(_ directory: String, from: LSN = 1) throws -> [WALRecord] {
    var records: [WALRecord] = []
    try WALReader(directory: directory).forEach(from: from) { records.append($0) }
    return records
}

func makeConfiguration(_ directory: String, segmentSizeBytes: Int = 4_096) -> WALConfiguration {
    var configuration = WALConfiguration(directory: directory)
    configuration.segmentSizeBytes = segmentSizeBytes
    return configuration
}

func segmentPaths(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".seg") }.sorted().map { directory + "/" + $0 }
}

/// (end offset, last LSN) of every valid frame of a segment.
func frameEnds(_ directory: String, file: String) throws -> [(end: Int, lastLSN: LSN)] {
    guard let name = SegmentName(fileName: file) else { return [] }
    var ends: [(end: Int, lastLSN: LSN)] = []
    var offset = 0
    _ = try SegmentScan.scan(io: PosixSegmentIO(), directory: directory, name: name, expectedLSN: nil,
                             isNewest: true) { header, _ in
        offset += header.frameBytes
        ends.append((offset, header.lastLSN))
        return true
    }
    return ends
}

/// Real system calls, except for the faults a test arms.
final class FaultyIO: ForwardingSegmentIO {
    struct Faults {
        /// Fail the nth `syncData` (1-based) and every one after it.
        var failSyncDataAt: Int?
        /// On the nth `write` (1-based), write only half and then fail.
        var shortWriteAt: Int?
        var syncDataCalls = 0
        var writeCalls = 0
    }

    let faults: Mutex<Faults>
    /// While set, `syncData` blocks until the semaphore is signalled (stalls the writer thread).
    let syncGate: DispatchSemaphore?
    let real = PosixSegmentIO()

    init(_ faults: Faults = Faults(), syncGate: DispatchSemaphore? = nil) {
        self.faults = Mutex(faults)
        self.syncGate = syncGate
    }

    func syncData(_ descriptor: Int32) throws(WALError) {
        syncGate?.wait()
        let shouldFail = faults.withLock { faults in
            faults.syncDataCalls += 1
            return faults.failSyncDataAt.map { faults.syncDataCalls >= $0 } ?? false
        }
        if shouldFail { throw .io(operation: "fdatasync", errno: EIO) }
        try real.syncData(descriptor)
    }

    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int {
        let isShort = faults.withLock { faults in
            faults.writeCalls += 1
            return faults.shortWriteAt == faults.writeCalls
        }
        guard isShort else { return try real.write(descriptor, bytes, offsetBytes: offsetBytes) }
        try real.writeAll(descriptor, UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count / 2)]),
                          offsetBytes: offsetBytes)
        throw .io(operation: "pwrite", errno: ENOSPC)
    }

}
