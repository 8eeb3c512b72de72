// The frame format, version 1. All integers little-endian.
//
//   header (32 bytes)
//     0  magic          UInt32  "MWAL"
//     4  formatVersion  UInt16  1
//     6  flags          UInt16  bit 0: payload is one LZ4 block
//     8  firstLSN       UInt64
//    16  recordCount    UInt32  >= 1
//    20  rawLength      UInt32  bytes of the records, uncompressed
//    24  storedLength   UInt32  bytes that follow the header
//    28  crc            UInt32  CRC32C of the header with this field zeroed, then the stored bytes
//   stored payload (storedLength bytes)
//
//   record (in the raw payload; LSNs consecutive from firstLSN)
//     lsn UInt64, typeTag UInt16, version UInt16, timestampMs Int64, payloadLength UInt32, payload

/// The fixed-size header of a frame.
struct FrameHeader: Equatable, Sendable {
    static let sizeBytes = 32
    static let magic: UInt32 = 0x4C41_574D  // "MWAL" read as little-endian
    static let formatVersion: UInt16 = 1
    static let flagLZ4: UInt16 = 1
    static let crcOffset = 28

    var flags: UInt16
    var firstLSN: LSN
    var recordCount: UInt32
    var rawLength: UInt32
    var storedLength: UInt32
    var crc: UInt32

    var isCompressed: Bool { flags & Self.flagLZ4 != 0 }
    var lastLSN: LSN { firstLSN + LSN(recordCount) - 1 }
    var frameBytes: Int { Self.sizeBytes + Int(storedLength) }

    func append(to bytes: inout [UInt8]) {
        bytes.appendLittleEndian(Self.magic)
        bytes.appendLittleEndian(Self.formatVersion)
        bytes.appendLittleEndian(flags)
        bytes.appendLittleEndian(firstLSN)
        bytes.appendLittleEndian(recordCount)
        bytes.appendLittleEndian(rawLength)
        bytes.appendLittleEndian(storedLength)
        bytes.appendLittleEndian(crc)
    }

    /// Parses and bounds-checks a header. A failure here may be a frame torn while being written.
    /// - Parameter bytesAfterHeader: bytes of the file after the header, bounding `storedLength`.
    static func parse(_ bytes: UnsafeRawBufferPointer, bytesAfterHeader: Int) throws(FrameProblem) -> FrameHeader {
        precondition(bytes.count >= sizeBytes, "a header needs \(sizeBytes) bytes, got \(bytes.count)")
        let magic = bytes.loadLittleEndian(at: 0, as: UInt32.self)
        guard magic == Self.magic else { throw FrameProblem("bad magic 0x\(String(magic, radix: 16))") }
        let version = bytes.loadLittleEndian(at: 4, as: UInt16.self)
        guard version == formatVersion else { throw FrameProblem("unsupported format version \(version)") }
        let header = FrameHeader(
            flags: bytes.loadLittleEndian(at: 6), firstLSN: bytes.loadLittleEndian(at: 8),
            recordCount: bytes.loadLittleEndian(at: 16), rawLength: bytes.loadLittleEndian(at: 20),
            storedLength: bytes.loadLittleEndian(at: 24), crc: bytes.loadLittleEndian(at: 28))
        try header.checkBounds(bytesAfterHeader: bytesAfterHeader)
        return header
    }

    private func checkBounds(bytesAfterHeader: Int) throws(FrameProblem) {
        guard flags & ~Self.flagLZ4 == 0 else { throw FrameProblem("unknown flags 0x\(String(flags, radix: 16))") }
        guard firstLSN >= 1, firstLSN <= WALLimits.lsnMax - LSN(recordCount) + 1 else {
            throw FrameProblem("first LSN \(firstLSN) out of range")
        }
        guard recordCount >= 1, Int(recordCount) <= Int(rawLength) / FrameRecords.headerBytes else {
            throw FrameProblem("record count \(recordCount) does not fit raw length \(rawLength)")
        }
        guard Int(rawLength) <= WALLimits.frameRawBytesMax else {
            throw FrameProblem("raw length \(rawLength) exceeds \(WALLimits.frameRawBytesMax)")
        }
        guard storedLength >= 1, Int(storedLength) <= bytesAfterHeader else {
            throw FrameProblem("stored length \(storedLength) runs past the end of the file")
        }
        guard isCompressed ? storedLength < rawLength : storedLength == rawLength else {
            throw FrameProblem("stored length \(storedLength) inconsistent with raw length \(rawLength)")
        }
    }

    /// CRC32C over the header with the crc field zeroed, then the stored payload.
    static func checksum(header: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) -> UInt32 {
        precondition(header.count == sizeBytes, "a header is \(sizeBytes) bytes, got \(header.count)")
        var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[..<crcOffset]))
        crc = withUnsafeBytes(of: UInt32(0)) { CRC32C.checksum($0, seed: crc) }
        return CRC32C.checksum(stored, seed: crc)
    }
}

/// Why a frame failed validation (becomes `WALError.corrupt` with file, offset and LSN).
struct FrameProblem: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// The records inside a frame's raw payload.
enum FrameRecords {
    static let headerBytes = 24

    static func append(_ record: WALRecord, to raw: inout [UInt8]) {
        raw.appendLittleEndian(record.lsn)
        raw.appendLittleEndian(record.typeTag)
        raw.appendLittleEndian(record.version)
        raw.appendLittleEndian(record.timestampMs)
        raw.appendLittleEndian(UInt32(record.payload.count))
        raw.append(contentsOf: record.payload)
    }

    /// Walks every record, checking the LSN sequence and lengths, calling `body` with
    /// (lsn, record header offset, payload range) for each.
    /// - Complexity: O(records).
    static func walk(
        _ raw: UnsafeRawBufferPointer, header: FrameHeader,
        _ body: (LSN, Int, Range<Int>) throws -> Void
    ) throws {
        var offset = 0
        for index in 0..<LSN(header.recordCount) {
            // Callers pass parsed headers, whose LSNs fit; checked anyway so `walk` is total on any header.
            let (expectedLSN, overflow) = header.firstLSN.addingReportingOverflow(index)
            guard !overflow else { throw FrameProblem("record LSNs run past \(LSN.max)") }
            guard raw.count - offset >= headerBytes else { throw FrameProblem("record \(expectedLSN) truncated") }
            let lsn = raw.loadLittleEndian(at: offset, as: UInt64.self)
            guard lsn == expectedLSN else { throw FrameProblem("record holds LSN \(lsn), expected \(expectedLSN)") }
            let length = Int(raw.loadLittleEndian(at: offset + 20, as: UInt32.self))
            let payloadStart = offset + headerBytes
            guard length <= raw.count - payloadStart else {
                throw FrameProblem("record \(lsn) payload length \(length) runs past the frame")
            }
            try body(lsn, offset, payloadStart..<(payloadStart + length))
            offset = payloadStart + length
        }
        guard offset == raw.count else { throw FrameProblem("\(raw.count - offset) bytes after the last record") }
    }

    /// Checks the record structure without copying payloads.
    static func validate(_ raw: UnsafeRawBufferPointer, header: FrameHeader) throws(FrameProblem) {
        do { try walk(raw, header: header) { _, _, _ in } } catch let problem as FrameProblem {
            throw problem
        } catch {
            preconditionFailure("walk with a non-throwing body can only throw FrameProblem, got \(error)")
        }
    }

    static func view(_ raw: UnsafeRawBufferPointer, at offset: Int, payload: Range<Int>) -> WALRecordView {
        WALRecordView(
            lsn: raw.loadLittleEndian(at: offset), typeTag: raw.loadLittleEndian(at: offset + 8),
            version: raw.loadLittleEndian(at: offset + 10), timestampMs: raw.loadLittleEndian(at: offset + 12),
            payload: payload)
    }

    static func decode(_ raw: UnsafeRawBufferPointer, at offset: Int, payload: Range<Int>) -> WALRecord {
        WALRecord(
            lsn: raw.loadLittleEndian(at: offset), typeTag: raw.loadLittleEndian(at: offset + 8),
            version: raw.loadLittleEndian(at: offset + 10), timestampMs: raw.loadLittleEndian(at: offset + 12),
            payload: [UInt8](UnsafeRawBufferPointer(rebasing: raw[payload])))
    }
}

/// Encodes group-commit batches into frames, reusing its buffers between batches.
struct FrameEncoder {
    private(set) var frame: [UInt8] = []
    private var raw: [UInt8] = []
    private var compressed: [UInt8] = []

    /// Encodes `records` (consecutive LSNs) as one frame into `frame`.
    /// - Complexity: O(total bytes).
    mutating func encode(_ records: ArraySlice<WALRecord>) -> FrameHeader {
        precondition(!records.isEmpty, "a frame holds at least one record")
        raw.removeAll(keepingCapacity: true)
        for record in records { FrameRecords.append(record, to: &raw) }
        return raw.withUnsafeBytes { encode(raw: $0, firstLSN: records[records.startIndex].lsn, count: records.count) }
    }

    /// Encodes records `range` of `batch` (consecutive LSNs, already in the raw layout) as one frame.
    /// - Complexity: O(total bytes).
    mutating func encode(_ batch: RawRecords, records range: Range<Int>) -> FrameHeader {
        precondition(!range.isEmpty, "a frame holds at least one record")
        let bytes = batch.byteRange(of: range)
        return batch.bytes.withUnsafeBytes { all in
            let raw = UnsafeRawBufferPointer(rebasing: all[bytes])
            return encode(raw: raw, firstLSN: raw.loadLittleEndian(at: 0, as: LSN.self), count: range.count)
        }
    }

    private mutating func encode(raw: UnsafeRawBufferPointer, firstLSN: LSN, count: Int) -> FrameHeader {
        let isCompressed = LZ4Block.compress(raw, into: &compressed)
        var header = FrameHeader(
            flags: isCompressed ? FrameHeader.flagLZ4 : 0, firstLSN: firstLSN,
            recordCount: UInt32(count), rawLength: UInt32(raw.count),
            storedLength: UInt32(isCompressed ? compressed.count : raw.count), crc: 0)
        frame.removeAll(keepingCapacity: true)
        header.append(to: &frame)
        if isCompressed { frame.append(contentsOf: compressed) } else { frame.append(contentsOf: raw) }
        header.crc = frame.withUnsafeBytes {
            FrameHeader.checksum(header: UnsafeRawBufferPointer(rebasing: $0[..<FrameHeader.sizeBytes]),
                                 stored: UnsafeRawBufferPointer(rebasing: $0[FrameHeader.sizeBytes...]))
        }
        frame.storeLittleEndian(header.crc, at: FrameHeader.crcOffset)
        assert(FrameDecoder.selfCheck(frame, header: header), "an encoded frame must decode to its own header")
        return header
    }
}

/// Turns the bytes of one frame back into records.
enum FrameDecoder {
    /// Whether the CRC over header and stored bytes matches. A mismatch may be a torn write.
    static func hasValidChecksum(header: FrameHeader, headerBytes: UnsafeRawBufferPointer, stored: [UInt8]) -> Bool {
        stored.withUnsafeBytes { FrameHeader.checksum(header: headerBytes, stored: $0) } == header.crc
    }

    /// Decompresses (when flagged) and validates the records of a frame whose CRC matched.
    static func rawPayload(header: FrameHeader, stored: [UInt8]) throws(FrameProblem) -> [UInt8] {
        let raw: [UInt8]
        if header.isCompressed {
            do { raw = try LZ4Block.decompress(stored, rawLength: Int(header.rawLength)) }
            catch { throw FrameProblem("\(error)") }
        } else {
            raw = stored
        }
        try raw.withUnsafeBytes { bytes in
            Result { () throws(FrameProblem) in try FrameRecords.validate(bytes, header: header) }
        }.get()
        return raw
    }

    /// Used by `assert` after encoding: a frame must parse back to its own header and records.
    static func selfCheck(_ frame: [UInt8], header: FrameHeader) -> Bool {
        let stored = Array(frame[FrameHeader.sizeBytes...])
        return frame.withUnsafeBytes { bytes in
            let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[..<FrameHeader.sizeBytes])
            do {
                let parsed = try FrameHeader.parse(headerBytes, bytesAfterHeader: stored.count)
                _ = try rawPayload(header: parsed, stored: stored)
                return parsed == header && hasValidChecksum(header: parsed, headerBytes: headerBytes, stored: stored)
            } catch {
                return false
            }
        }
    }
}
