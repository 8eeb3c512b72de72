import Dispatch
import Glibc
import WAL

// The snapshot file format, version 1. All integers little-endian.
//
//   header (48 bytes)
//     0  magic           UInt32  "MSNP"
//     4  formatVersion   UInt16  1
//     6  flags           UInt16  0
//     8  lsn             UInt64
//    16  createdAtMs     Int64
//    24  rawTotalLength  UInt64  payload bytes
//    32  chunkSizeBytes  UInt32  raw bytes per chunk (the last may be shorter)
//    36  chunkCount      UInt32  ceil(rawTotalLength / chunkSizeBytes)
//    40  headerCRC       UInt32  CRC32C of bytes 0..<40
//    44  reserved        UInt32  0
//   chunkCount chunks, each:
//     flags UInt16 (bit 0: LZ4 block), reserved UInt16 0, rawLength UInt32, storedLength UInt32,
//     crc UInt32 (CRC32C of the 12 bytes before it, then the stored bytes), stored bytes
//   trailer (16 bytes)
//     magic "MSNE" UInt32, chunkCount UInt32, fileCRC UInt32 (CRC32C of every byte before it), reserved UInt32 0

enum SnapshotFormat {
    static let headerBytes = 48
    static let chunkHeaderBytes = 16
    static let trailerBytes = 16
    static let magic: UInt32 = 0x504E_534D   // "MSNP"
    static let trailerMagic: UInt32 = 0x454E_534D  // "MSNE"
    static let formatVersion: UInt16 = 1
    static let flagLZ4: UInt16 = 1
    /// Readers refuse chunk sizes above this before allocating.
    static let chunkSizeBytesMax = 64 << 20

    struct Header: Equatable {
        var lsn: UInt64
        var createdAtMs: Int64
        var rawTotalLength: UInt64
        var chunkSizeBytes: UInt32
        var chunkCount: UInt32
    }

    static func encode(_ header: Header) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerBytes)
        bytes.appendLittleEndian(magic)
        bytes.appendLittleEndian(formatVersion)
        bytes.appendLittleEndian(UInt16(0))
        bytes.appendLittleEndian(header.lsn)
        bytes.appendLittleEndian(header.createdAtMs)
        bytes.appendLittleEndian(header.rawTotalLength)
        bytes.appendLittleEndian(header.chunkSizeBytes)
        bytes.appendLittleEndian(header.chunkCount)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        bytes.appendLittleEndian(UInt32(0))
        assert(bytes.count == headerBytes, "a snapshot header is \(headerBytes) bytes")
        return bytes
    }

    /// Parses and checks a header (its CRC, magic, version and internal consistency).
    static func decodeHeader(_ bytes: UnsafeRawBufferPointer) throws(SnapshotFormatProblem) -> Header {
        guard bytes.count >= headerBytes else { throw .init("file shorter than a header") }
        guard bytes.loadLittleEndian(at: 0, as: UInt32.self) == magic else { throw .init("bad magic") }
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<40]))
        guard bytes.loadLittleEndian(at: 40, as: UInt32.self) == crc else { throw .init("header CRC32C mismatch") }
        let version = bytes.loadLittleEndian(at: 4, as: UInt16.self)
        guard version == formatVersion else { throw .init("unsupported format version \(version)") }
        guard bytes.loadLittleEndian(at: 6, as: UInt16.self) == 0,
              bytes.loadLittleEndian(at: 44, as: UInt32.self) == 0 else { throw .init("unknown flags") }
        let header = Header(
            lsn: bytes.loadLittleEndian(at: 8), createdAtMs: bytes.loadLittleEndian(at: 16),
            rawTotalLength: bytes.loadLittleEndian(at: 24), chunkSizeBytes: bytes.loadLittleEndian(at: 32),
            chunkCount: bytes.loadLittleEndian(at: 36))
        let chunkSize = UInt64(header.chunkSizeBytes)
        guard chunkSize >= 1, chunkSize <= UInt64(chunkSizeBytesMax) else { throw .init("chunk size \(chunkSize) out of range") }
        // Rounded up without `raw + chunkSize - 1`, which overflows for a raw length near UInt64.max.
        let chunksNeeded = header.rawTotalLength / chunkSize + (header.rawTotalLength % chunkSize == 0 ? 0 : 1)
        guard UInt64(header.chunkCount) == chunksNeeded else {
            throw .init("chunk count \(header.chunkCount) does not match raw length \(header.rawTotalLength)")
        }
        return header
    }

    /// Appends one chunk (LZ4 when that shrinks it) to `bytes`.
    static func appendChunk(_ raw: ArraySlice<UInt8>, to bytes: inout [UInt8]) {
        let rawArray = Array(raw)
        let compressed = LZ4Block.compress(rawArray)
        let stored = compressed ?? rawArray
        let start = bytes.count
        bytes.appendLittleEndian(compressed == nil ? UInt16(0) : flagLZ4)
        bytes.appendLittleEndian(UInt16(0))
        bytes.appendLittleEndian(UInt32(rawArray.count))
        bytes.appendLittleEndian(UInt32(stored.count))
        let headerCRC = CRC32C.checksum(bytes[start...])
        bytes.appendLittleEndian(stored.withUnsafeBytes { CRC32C.checksum($0, seed: headerCRC) })
        bytes.append(contentsOf: stored)
    }

    static func encodeTrailer(chunkCount: UInt32, fileCRCSoFar: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(trailerMagic)
        bytes.appendLittleEndian(chunkCount)
        bytes.appendLittleEndian(CRC32C.checksum(bytes, seed: fileCRCSoFar))
        bytes.appendLittleEndian(UInt32(0))
        return bytes
    }
}

struct SnapshotFormatProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

extension CRC32C {
    static func checksum(_ bytes: [UInt8], seed: UInt32) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }
}

extension SnapshotFormat {
    /// Verifies a whole snapshot file (file CRC first, then header, every chunk, the trailer)
    /// and returns its header and payload. Never traps or over-allocates on hostile bytes.
    /// - Complexity: O(file size + payload size).
    static func decode(_ file: [UInt8]) throws(SnapshotFormatProblem) -> (Header, [UInt8]) {
        try file.withUnsafeBytes { bytes in
            Result { () throws(SnapshotFormatProblem) in try decode(bytes) }
        }.get()
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer) throws(SnapshotFormatProblem) -> (Header, [UInt8]) {
        guard bytes.count >= headerBytes + trailerBytes else { throw .init("file too short (\(bytes.count) bytes)") }
        let trailerStart = bytes.count - trailerBytes
        guard bytes.loadLittleEndian(at: trailerStart, as: UInt32.self) == trailerMagic else {
            throw .init("bad trailer magic (file cut short?)")
        }
        let fileCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<(trailerStart + 8)]))
        guard bytes.loadLittleEndian(at: trailerStart + 8, as: UInt32.self) == fileCRC else {
            throw .init("file CRC32C mismatch")
        }
        guard bytes.loadLittleEndian(at: trailerStart + 12, as: UInt32.self) == 0 else { throw .init("bad trailer") }
        let header = try decodeHeader(bytes)
        guard bytes.loadLittleEndian(at: trailerStart + 4, as: UInt32.self) == header.chunkCount else {
            throw .init("trailer chunk count differs from the header")
        }
        let (chunks, structureProblem) = locateChunks(bytes, header: header, end: trailerStart)
        if structureProblem == nil {
            guard header.rawTotalLength <= payloadBytesMax(fileBytes: bytes.count) else {
                throw .init("raw length \(header.rawTotalLength) exceeds what \(bytes.count) bytes can hold")
            }
        }
        // Chunks before a structural problem are decoded first, so a bad chunk before it is
        // reported, as a chunk-by-chunk reader would.
        let payloadBytes = structureProblem == nil ? Int(header.rawTotalLength) : 0
        var firstProblem: SnapshotFormatProblem?
        let payload = [UInt8](unsafeUninitializedCapacity: payloadBytes) { buffer, initializedCount in
            firstProblem = decodeChunks(bytes, chunks, into: UnsafeMutableRawBufferPointer(buffer),
                                        chunkSizeBytes: Int(header.chunkSizeBytes), writesPayload: structureProblem == nil)
            initializedCount = firstProblem == nil ? payloadBytes : 0
        }
        if let problem = firstProblem ?? structureProblem { throw problem }
        assert(UInt64(payload.count) == header.rawTotalLength, "every chunk filled its part of the payload")
        return (header, payload)
    }

    /// The largest payload a file of `fileBytes` bytes may claim once its chunk headers check:
    /// what LZ4 can expand it to, and never more than the machine's memory, so a header that
    /// passed its CRC but lies cannot make the allocation fail (which traps).
    static func payloadBytesMax(fileBytes: Int) -> UInt64 {
        let (expandable, isHuge) = UInt64(max(fileBytes, 0)).multipliedReportingOverflow(by: UInt64(LZ4Block.maxExpansion))
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageBytes = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageBytes > 0 else { return isHuge ? .max : expandable }
        let (memoryBytes, isMemoryHuge) = UInt64(pages).multipliedReportingOverflow(by: UInt64(pageBytes))
        return min(isHuge ? .max : expandable, isMemoryHuge ? .max : memoryBytes)
    }

    /// Where one chunk's stored bytes lie, its header checked; its CRC and LZ4 data not yet.
    struct ChunkLocation: Sendable {
        var index: UInt32
        var headerOffset: Int
        var rawLength: Int
        var isCompressed: Bool
    }

    /// Walks the chunk headers: each chunk's flags, lengths and extent. Returns the chunks before
    /// the first structural problem, and that problem (nil when the chunks end at the trailer).
    private static func locateChunks(_ bytes: UnsafeRawBufferPointer, header: Header,
                                     end: Int) -> ([ChunkLocation], SnapshotFormatProblem?) {
        var chunks: [ChunkLocation] = []
        // Each chunk takes at least its header: a larger count is refused below before it matters.
        chunks.reserveCapacity(min(Int(header.chunkCount), (end - headerBytes) / chunkHeaderBytes))
        var offset = headerBytes
        for index in 0..<header.chunkCount {
            let expectedRaw = index + 1 < header.chunkCount
                ? Int(header.chunkSizeBytes)
                : Int(header.rawTotalLength - UInt64(header.chunkSizeBytes) * UInt64(header.chunkCount - 1))
            do throws(SnapshotFormatProblem) {
                let (chunk, next) = try locateChunk(bytes, at: offset, end: end, expectedRaw: expectedRaw, index: index)
                chunks.append(chunk)
                offset = next
            } catch {
                return (chunks, error)
            }
        }
        guard offset == end else { return (chunks, .init("\(end - offset) stray bytes before the trailer")) }
        return (chunks, nil)
    }

    private static func locateChunk(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, end: Int, expectedRaw: Int, index: UInt32
    ) throws(SnapshotFormatProblem) -> (ChunkLocation, next: Int) {
        guard end - offset >= chunkHeaderBytes else { throw .init("chunk \(index) header cut short") }
        let flags = bytes.loadLittleEndian(at: offset, as: UInt16.self)
        let rawLength = Int(bytes.loadLittleEndian(at: offset + 4, as: UInt32.self))
        let storedLength = Int(bytes.loadLittleEndian(at: offset + 8, as: UInt32.self))
        guard flags & ~flagLZ4 == 0, bytes.loadLittleEndian(at: offset + 2, as: UInt16.self) == 0 else {
            throw .init("chunk \(index) has unknown flags")
        }
        guard rawLength == expectedRaw else { throw .init("chunk \(index) raw length \(rawLength), expected \(expectedRaw)") }
        guard storedLength <= end - offset - chunkHeaderBytes else { throw .init("chunk \(index) runs past the trailer") }
        let isCompressed = flags & flagLZ4 != 0
        guard isCompressed ? storedLength < rawLength : storedLength == rawLength else {
            throw .init("chunk \(index) stored length inconsistent")
        }
        let chunk = ChunkLocation(index: index, headerOffset: offset, rawLength: rawLength, isCompressed: isCompressed)
        return (chunk, offset + chunkHeaderBytes + storedLength)
    }

    /// Checks each chunk's CRC and expands it into its place in `payload` (all chunks but the
    /// last hold `chunkSizeBytes`), on every core. Returns the problem of the first bad chunk.
    /// - Parameter writesPayload: false when the payload was not allocated (a structural problem
    ///   follows): the chunks are only checked, into a scratch buffer.
    private static func decodeChunks(
        _ bytes: UnsafeRawBufferPointer, _ chunks: [ChunkLocation], into payload: UnsafeMutableRawBufferPointer,
        chunkSizeBytes: Int, writesPayload: Bool
    ) -> SnapshotFormatProblem? {
        let problems = ChunkProblems(count: chunks.count)
        // @unchecked: each iteration reads the file and writes only its own chunk's range of the
        // payload and its own slot of `problems`; concurrentPerform returns after all of them.
        struct Shared: @unchecked Sendable {
            var bytes: UnsafeRawBufferPointer
            var payload: UnsafeMutableRawBufferPointer
        }
        let shared = Shared(bytes: bytes, payload: payload)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { position in
            let chunk = chunks[position]
            do throws(SnapshotFormatProblem) {
                if writesPayload {
                    let start = position * chunkSizeBytes
                    try decodeChunk(shared.bytes, chunk,
                                    into: UnsafeMutableRawBufferPointer(rebasing: shared.payload[start..<(start + chunk.rawLength)]))
                } else {
                    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk.rawLength, alignment: 1)
                    defer { scratch.deallocate() }
                    try decodeChunk(shared.bytes, chunk, into: scratch)
                }
            } catch {
                problems.record(error, at: position)
            }
        }
        return problems.first
    }

    private static func decodeChunk(_ bytes: UnsafeRawBufferPointer, _ chunk: ChunkLocation,
                                    into target: UnsafeMutableRawBufferPointer) throws(SnapshotFormatProblem) {
        let offset = chunk.headerOffset
        let storedLength = Int(bytes.loadLittleEndian(at: offset + 8, as: UInt32.self))
        let storedStart = offset + chunkHeaderBytes
        let stored = UnsafeRawBufferPointer(rebasing: bytes[storedStart..<(storedStart + storedLength)])
        let headerCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 12)]))
        guard CRC32C.checksum(stored, seed: headerCRC) == bytes.loadLittleEndian(at: offset + 12, as: UInt32.self) else {
            throw .init("chunk \(chunk.index) CRC32C mismatch")
        }
        if chunk.isCompressed {
            do { try LZ4Block.decompress(stored, into: target) } catch {
                throw .init("chunk \(chunk.index): \(error)")
            }
        } else {
            target.copyMemory(from: stored)
        }
    }
}

/// One slot per chunk for what went wrong with it, filled from several threads.
// @unchecked Sendable: each slot is written by the one iteration that owns its chunk, and read
// only after `concurrentPerform` has returned (which orders those writes before the read).
private final class ChunkProblems: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<SnapshotFormatProblem?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func record(_ problem: SnapshotFormatProblem, at index: Int) { slots[index] = problem }

    var first: SnapshotFormatProblem? { slots.lazy.compactMap { $0 }.first }
}
