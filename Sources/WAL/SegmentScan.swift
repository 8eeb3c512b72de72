/// A problem found in a segment.
public struct WALProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var offset: Int
    /// The first LSN the bad frame should hold, when known.
    public var lsn: LSN?
    public var reason: String
    /// The problem is in the newest segment, may be a write cut short (bad header, short or
    /// CRC-failing frame) and nothing valid follows it: a torn tail. Recovery truncates it;
    /// any other problem refuses to start.
    public var isTornTail: Bool
    /// For a torn tail: bytes from `offset` through the last nonzero byte of the file.
    public var tailBytes: Int

    public var error: WALError { .corrupt(file: file, offset: offset, lsn: lsn, reason: reason) }
    public var description: String { (isTornTail ? "torn tail: " : "") + error.description }
}

/// What a scan of one segment found.
public struct WALSegmentInfo: Sendable, Equatable {
    public var file: String
    /// From the file name.
    public var firstLSN: LSN
    /// Nil when the segment holds no valid frame.
    public var lastLSN: LSN?
    public var frames: Int
    public var records: Int
    /// End of the last valid frame: where the next frame goes.
    public var dataBytes: Int
    public var fileSizeBytes: Int
    public var rawBytes: Int
    public var storedBytes: Int
    /// The first problem, which ended the scan.
    public var problem: WALProblem?
}

/// Reads the frames of one segment file in order.
struct SegmentScanner {
    enum Step {
        case frame(FrameHeader, raw: [UInt8])
        /// A frame wholly before `skipBeforeLSN`: its header was checked, its payload not read.
        case skipped(FrameHeader)
        case end
        /// `mayBeTorn`: the bytes could be a frame whose write was cut short.
        case bad(FrameProblem, mayBeTorn: Bool)
    }

    /// Candidate frames tried when looking past a bad frame; beyond it the tail counts as torn.
    static let laterFrameCandidatesMax = 4_096
    static let tailChunkBytes = 1 << 20

    let io: any SegmentIO
    let descriptor: Int32
    let fileSizeBytes: Int
    private(set) var offsetBytes: Int
    /// The LSN the next frame must start with; nil accepts any (used when probing).
    private(set) var nextLSN: LSN?

    init(io: any SegmentIO, descriptor: Int32, fileSizeBytes: Int, offsetBytes: Int = 0, nextLSN: LSN?) {
        self.io = io
        self.descriptor = descriptor
        self.fileSizeBytes = fileSizeBytes
        self.offsetBytes = offsetBytes
        self.nextLSN = nextLSN
    }

    /// Frames whose records all precede this LSN are stepped over without reading their
    /// payload, so a reader resuming deep inside a 64 MiB segment does not re-read and
    /// re-checksum everything before it (the archiver resumes at every batch).
    var skipBeforeLSN: LSN = 0

    mutating func next() throws(WALError) -> Step {
        let remaining = fileSizeBytes - offsetBytes
        let headerBytes = try io.readBytes(descriptor, count: min(max(remaining, 0), FrameHeader.sizeBytes),
                                           offsetBytes: offsetBytes)
        if headerBytes.allSatisfy({ $0 == 0 }) { return .end }
        guard headerBytes.count == FrameHeader.sizeBytes else {
            return .bad(FrameProblem("partial header at the end of the file"), mayBeTorn: true)
        }
        let header: FrameHeader
        do {
            header = try headerBytes.withUnsafeBytes { bytes in
                Result { () throws(FrameProblem) in
                    try FrameHeader.parse(bytes, bytesAfterHeader: remaining - FrameHeader.sizeBytes)
                }
            }.get()
        } catch {
            return .bad(error, mayBeTorn: true)
        }
        if header.lastLSN < skipBeforeLSN, nextLSN == nil || header.firstLSN == nextLSN,
           header.frameBytes <= remaining {
            offsetBytes += header.frameBytes
            nextLSN = header.lastLSN + 1
            return .skipped(header)
        }
        let stored = try io.readBytes(descriptor, count: Int(header.storedLength),
                                      offsetBytes: offsetBytes + FrameHeader.sizeBytes)
        guard stored.count == Int(header.storedLength) else {
            return .bad(FrameProblem("frame cut short by the end of the file"), mayBeTorn: true)
        }
        let hasValidChecksum = headerBytes.withUnsafeBytes {
            FrameDecoder.hasValidChecksum(header: header, headerBytes: $0, stored: stored)
        }
        guard hasValidChecksum else { return .bad(FrameProblem("CRC32C mismatch"), mayBeTorn: true) }
        return finish(header, stored: stored)
    }

    /// The checks after a matching CRC: a failure here is corruption, never a tear.
    private mutating func finish(_ header: FrameHeader, stored: [UInt8]) -> Step {
        if let nextLSN, header.firstLSN != nextLSN {
            return .bad(FrameProblem("frame starts at LSN \(header.firstLSN), expected \(nextLSN)"), mayBeTorn: false)
        }
        do {
            let raw = try FrameDecoder.rawPayload(header: header, stored: stored)
            offsetBytes += header.frameBytes
            nextLSN = header.lastLSN + 1
            return .frame(header, raw: raw)
        } catch {
            return .bad(error, mayBeTorn: false)
        }
    }

    /// Looks past a bad frame at the current offset: is there a valid frame with LSNs at least
    /// `lsnAtLeast` later in the file (then the damage is not a torn tail), and where is the last
    /// nonzero byte?
    /// - Complexity: O(file size) reads, plus one frame read per magic-number candidate.
    func inspectTail(lsnAtLeast: LSN) throws(WALError) -> (hasLaterFrame: Bool, tailBytes: Int) {
        let magic = withUnsafeBytes(of: FrameHeader.magic.littleEndian) { Array($0) }
        var lastNonZero = offsetBytes
        var candidates = 0
        var chunkStart = offsetBytes + 1
        while chunkStart < fileSizeBytes {
            let chunk = try io.readBytes(descriptor, count: min(Self.tailChunkBytes, fileSizeBytes - chunkStart),
                                         offsetBytes: chunkStart)
            if let index = chunk.lastIndex(where: { $0 != 0 }) { lastNonZero = max(lastNonZero, chunkStart + index) }
            var index = 0
            while index + magic.count <= chunk.count {
                if chunk[index] == magic[0] && chunk[index + 1] == magic[1]
                    && chunk[index + 2] == magic[2] && chunk[index + 3] == magic[3] {
                    candidates += 1
                    if candidates <= Self.laterFrameCandidatesMax,
                       try isValidFrame(at: chunkStart + index, lsnAtLeast: lsnAtLeast) {
                        return (true, lastNonZero + 1 - offsetBytes)
                    }
                }
                index += 1
            }
            guard chunk.count > magic.count else { break }
            chunkStart += chunk.count - (magic.count - 1)
        }
        return (false, lastNonZero + 1 - offsetBytes)
    }

    private func isValidFrame(at offset: Int, lsnAtLeast: LSN) throws(WALError) -> Bool {
        var probe = SegmentScanner(io: io, descriptor: descriptor, fileSizeBytes: fileSizeBytes,
                                   offsetBytes: offset, nextLSN: nil)
        if case .frame(let header, _) = try probe.next() { return header.firstLSN >= lsnAtLeast }
        return false
    }
}

/// Scans whole segments with the continuity rules shared by recovery, the reader and verify.
enum SegmentScan {
    /// Validates every frame of `name` in order, calling `onFrame` for each (return false to stop
    /// early). Stops at the end of data or the first problem, which it records in the result.
    /// - Parameter expectedLSN: the LSN this segment must start with (nil for the first one read).
    /// - Complexity: O(segment size).
    static func scan(
        io: any SegmentIO, directory: String, name: SegmentName, expectedLSN: LSN?, isNewest: Bool,
        skipBeforeLSN: LSN = 0,
        onFrame: (FrameHeader, [UInt8]) throws -> Bool = { _, _ in true }
    ) throws -> WALSegmentInfo {
        let descriptor = try io.openFile(joinPath(directory, name.fileName), mode: .readOnly)
        defer { io.closeFile(descriptor) }
        let size = try io.fileSizeBytes(descriptor)
        var info = WALSegmentInfo(file: name.fileName, firstLSN: name.firstLSN, lastLSN: nil, frames: 0, records: 0,
                                  dataBytes: 0, fileSizeBytes: size, rawBytes: 0, storedBytes: 0, problem: nil)
        if let expectedLSN, expectedLSN != name.firstLSN {
            info.problem = WALProblem(
                file: name.fileName, offset: 0, lsn: expectedLSN, isTornTail: false, tailBytes: 0,
                reason: "segment starts at LSN \(name.firstLSN) but the log before it ends at LSN \(expectedLSN - 1)")
            return info
        }
        var scanner = SegmentScanner(io: io, descriptor: descriptor, fileSizeBytes: size, nextLSN: name.firstLSN)
        scanner.skipBeforeLSN = skipBeforeLSN
        while true {
            switch try scanner.next() {
            case let .skipped(header):
                info.add(header)
                info.dataBytes = scanner.offsetBytes
            case .end:
                if !isNewest && info.frames == 0 {
                    info.problem = WALProblem(file: name.fileName, offset: 0, lsn: name.firstLSN,
                                              isTornTail: false, tailBytes: 0, reason: "an older segment holds no frames")
                }
                return info
            case let .bad(problem, mayBeTorn):
                info.problem = try describe(problem, mayBeTorn: mayBeTorn && isNewest, scanner: scanner, file: name.fileName)
                return info
            case let .frame(header, raw):
                info.add(header)
                info.dataBytes = scanner.offsetBytes
                guard try onFrame(header, raw) else { return info }
            }
        }
    }

    private static func describe(_ problem: FrameProblem, mayBeTorn: Bool, scanner: SegmentScanner,
                                 file: String) throws(WALError) -> WALProblem {
        let lsn = scanner.nextLSN ?? 0
        var result = WALProblem(file: file, offset: scanner.offsetBytes, lsn: lsn, isTornTail: false,
                                tailBytes: 0, reason: problem.reason)
        if mayBeTorn {
            let tail = try scanner.inspectTail(lsnAtLeast: lsn)
            result.isTornTail = !tail.hasLaterFrame
            result.tailBytes = tail.tailBytes
            if tail.hasLaterFrame { result.reason += "; a valid frame follows it, so this is not a torn tail" }
        }
        return result
    }
}

extension WALProblem {
    init(file: String, offset: Int, lsn: LSN?, isTornTail: Bool, tailBytes: Int, reason: String) {
        self.file = file
        self.offset = offset
        self.lsn = lsn
        self.reason = reason
        self.isTornTail = isTornTail
        self.tailBytes = tailBytes
    }
}

extension WALSegmentInfo {
    mutating func add(_ header: FrameHeader) {
        lastLSN = header.lastLSN
        frames += 1
        records += Int(header.recordCount)
        rawBytes += Int(header.rawLength)
        storedBytes += Int(header.storedLength)
    }
}
