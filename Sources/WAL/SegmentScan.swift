import Glibc

/// A problem found in a segment.
public struct WALProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var offset: Int
    /// The first LSN the bad frame should hold, when known.
    public var lsn: LSN?
    public var reason: String
    /// The problem is in the newest segment, may be a write cut short (bad header, short or
    /// CRC-failing frame, or a zeroed header with nonzero bytes after it) and nothing valid
    /// follows it: a torn tail. Recovery truncates it; any other problem refuses to start.
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

    /// Bytes read ahead from `windowStartBytes`, so consecutive small frames (and the headers of
    /// skipped ones) cost one system call per `readAheadBytes`, not two per frame. Dropped at the
    /// end of the data and at a bad frame: a reader racing a live writer reads those again.
    private var window: [UInt8] = []
    private var windowStartBytes = 0
    static let readAheadBytes = 1 << 20

    /// Frames whose records all precede this LSN are stepped over without reading their
    /// payload, so a reader resuming deep inside a 64 MiB segment does not re-read and
    /// re-checksum everything before it (the archiver resumes at every batch).
    var skipBeforeLSN: LSN = 0

    mutating func next() throws(WALError) -> Step {
        let step = try readNext()
        switch step {
        case .frame, .skipped: break
        case .end, .bad: window = []
        }
        return step
    }

    private mutating func readNext() throws(WALError) -> Step {
        let remaining = fileSizeBytes - offsetBytes
        let headerBytes = try read(count: min(max(remaining, 0), FrameHeader.sizeBytes), at: offsetBytes)
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
        let stored = try read(count: Int(header.storedLength), at: offsetBytes + FrameHeader.sizeBytes)
        guard stored.count == Int(header.storedLength) else {
            return .bad(FrameProblem("frame cut short by the end of the file"), mayBeTorn: true)
        }
        let hasValidChecksum = headerBytes.withUnsafeBytes {
            FrameDecoder.hasValidChecksum(header: header, headerBytes: $0, stored: stored)
        }
        guard hasValidChecksum else { return .bad(FrameProblem("CRC32C mismatch"), mayBeTorn: true) }
        return finish(header, stored: stored)
    }

    /// `count` bytes at `offset` (fewer at the end of the file), from the read-ahead window when
    /// it holds them.
    private mutating func read(count: Int, at offset: Int) throws(WALError) -> [UInt8] {
        let windowEnd = windowStartBytes + window.count
        if offset >= windowStartBytes, count <= windowEnd - offset {
            let from = offset - windowStartBytes
            return Array(window[from..<(from + count)])
        }
        guard count < Self.readAheadBytes else { return try io.readBytes(descriptor, count: count, offsetBytes: offset) }
        window = try io.readBytes(descriptor, count: max(count, min(Self.readAheadBytes, fileSizeBytes - offset)),
                                  offsetBytes: offset)
        windowStartBytes = offset
        return Array(window.prefix(count))
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

    /// What lies from the current offset to the end of the file.
    struct Tail {
        /// The first valid frame found after the current offset, with LSNs at least the ones asked for.
        var laterFrame: (offset: Int, header: FrameHeader)?
        /// Bytes from the current offset through the last nonzero byte of the file; 0 when all
        /// zeros. Only computed when no later frame was found.
        var tailBytes: Int
    }

    /// Looks past the current offset, where a frame failed to validate or a zeroed header ended the
    /// data: is there a valid frame with LSNs at least `lsnAtLeast` later in the file (then the
    /// damage is not the end of the log), and where is the last nonzero byte?
    /// - Complexity: O(file size) reads, plus one frame read per magic-number candidate.
    func inspectTail(lsnAtLeast: LSN) throws(WALError) -> Tail {
        let magic = withUnsafeBytes(of: FrameHeader.magic.littleEndian) { Array($0) }
        var lastNonZero: Int?
        var candidates = 0
        var chunkStart = offsetBytes
        while chunkStart < fileSizeBytes {
            let chunk = try io.readBytes(descriptor, count: min(Self.tailChunkBytes, fileSizeBytes - chunkStart),
                                         offsetBytes: chunkStart)
            // The usual tail is preallocated zeros: skip them at memcmp speed.
            if let index = Self.isAllZero(chunk) ? nil : chunk.lastIndex(where: { $0 != 0 }) {
                lastNonZero = max(lastNonZero ?? 0, chunkStart + index)
            } else {
                // All zeros: no magic number here either (chunks overlap by magic.count - 1 bytes).
                guard chunk.count > magic.count else { break }
                chunkStart += chunk.count - (magic.count - 1)
                continue
            }
            // The frame at the current offset itself is known not to validate.
            var index = chunkStart == offsetBytes ? 1 : 0
            while index + magic.count <= chunk.count {
                if chunk[index] == magic[0] && chunk[index + 1] == magic[1]
                    && chunk[index + 2] == magic[2] && chunk[index + 3] == magic[3] {
                    candidates += 1
                    if candidates <= Self.laterFrameCandidatesMax,
                       let header = try validFrame(at: chunkStart + index, lsnAtLeast: lsnAtLeast) {
                        return Tail(laterFrame: (chunkStart + index, header), tailBytes: 0)
                    }
                }
                index += 1
            }
            guard chunk.count > magic.count else { break }
            chunkStart += chunk.count - (magic.count - 1)
        }
        return Tail(laterFrame: nil, tailBytes: lastNonZero.map { $0 + 1 - offsetBytes } ?? 0)
    }

    /// Every byte equals the next one, and the first is zero.
    private static func isAllZero(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 1 else { return (raw.first ?? 0) == 0 }
            return raw[0] == 0 && memcmp(base, base + 1, raw.count - 1) == 0
        }
    }

    private func validFrame(at offset: Int, lsnAtLeast: LSN) throws(WALError) -> FrameHeader? {
        var probe = SegmentScanner(io: io, descriptor: descriptor, fileSizeBytes: fileSizeBytes,
                                   offsetBytes: offset, nextLSN: nil)
        if case .frame(let header, _) = try probe.next(), header.firstLSN >= lsnAtLeast { return header }
        return nil
    }
}

/// Scans whole segments with the continuity rules shared by recovery, the reader and verify.
enum SegmentScan {
    /// Validates every frame of `name` in order, calling `onFrame` for each (return false to stop
    /// early). Stops at the end of data or the first problem, which it records in the result.
    /// - Parameter expectedLSN: the LSN this segment must start with (nil for the first one read).
    /// - Parameter detectHoles: when the data ends at a zeroed header, read the rest of the file:
    ///   a valid frame after it is corruption (a zeroed region hides records), and in the newest
    ///   segment nonzero bytes after it are a torn tail. Recovery, verify and truncate ask for it;
    ///   `forEach`, which tails a live log once per batch, does not pay for it.
    /// - Complexity: O(segment size) with `detectHoles`, else O(data bytes).
    static func scan(
        io: any SegmentIO, directory: String, name: SegmentName, expectedLSN: LSN?, isNewest: Bool,
        skipBeforeLSN: LSN = 0, detectHoles: Bool = true,
        onFrame: (FrameHeader, [UInt8]) throws -> Bool = { _, _ in true }
    ) throws -> WALSegmentInfo {
        let descriptor = try io.openFile(joinPath(directory, name.fileName), mode: .readOnly)
        defer { io.closeFile(descriptor) }
        let size = try io.fileSizeBytes(descriptor)
        var info = WALSegmentInfo(file: name.fileName, firstLSN: name.firstLSN, lastLSN: nil, frames: 0, records: 0,
                                  dataBytes: 0, fileSizeBytes: size, rawBytes: 0, storedBytes: 0, problem: nil)
        guard name.firstLSN <= WALLimits.lsnMax else {
            info.problem = WALProblem(
                file: name.fileName, offset: 0, lsn: name.firstLSN, isTornTail: false, tailBytes: 0,
                reason: "segment name starts at LSN \(name.firstLSN), beyond the largest LSN \(WALLimits.lsnMax)")
            return info
        }
        if let expectedLSN, expectedLSN != name.firstLSN {
            info.problem = WALProblem(
                file: name.fileName, offset: 0, lsn: expectedLSN, isTornTail: false, tailBytes: 0,
                reason: "segment starts at LSN \(name.firstLSN) but the log before it ends at LSN \(expectedLSN - 1)")
            return info
        }
        var scanner = SegmentScanner(io: io, descriptor: descriptor, fileSizeBytes: size, nextLSN: name.firstLSN)
        scanner.skipBeforeLSN = skipBeforeLSN
        // A problem is confirmed by reading its offset again after looking past it: a reader racing
        // a live writer (verify on a running server) may see a frame half written, or its header
        // not yet written, and then the frames written after it.
        var confirmingOffset: Int?
        while true {
            switch try scanner.next() {
            case let .skipped(header):
                info.add(header)
                info.dataBytes = scanner.offsetBytes
            case .end:
                if detectHoles, let problem = try describeEnd(scanner: scanner, isNewest: isNewest, file: name.fileName) {
                    if confirmingOffset != scanner.offsetBytes {
                        confirmingOffset = scanner.offsetBytes
                        continue
                    }
                    info.problem = problem
                    return info
                }
                if !isNewest && info.frames == 0 {
                    info.problem = WALProblem(file: name.fileName, offset: 0, lsn: name.firstLSN,
                                              isTornTail: false, tailBytes: 0, reason: "an older segment holds no frames")
                }
                return info
            case let .bad(problem, mayBeTorn):
                let described = try describe(problem, mayBeTorn: mayBeTorn && isNewest, scanner: scanner,
                                             file: name.fileName)
                if confirmingOffset != scanner.offsetBytes {
                    confirmingOffset = scanner.offsetBytes
                    continue
                }
                info.problem = described
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
            if let later = tail.laterFrame {
                result.reason += "; a valid frame holding LSN \(later.header.firstLSN)...\(later.header.lastLSN) "
                    + "follows at offset \(later.offset), so this is not a torn tail"
            } else {
                result.isTornTail = true
                result.tailBytes = tail.tailBytes
            }
        }
        return result
    }

    /// The data ended at a zeroed header: nil when the rest of the file is zeros too (the end of
    /// the log); a torn tail when only bytes that hold no valid frame follow, in the newest
    /// segment; corruption when a valid frame follows (a zeroed region hides records that may
    /// have been acknowledged: truncating would let the writer overwrite them).
    private static func describeEnd(scanner: SegmentScanner, isNewest: Bool,
                                    file: String) throws(WALError) -> WALProblem? {
        guard let lsn = scanner.nextLSN else { return nil }
        let tail = try scanner.inspectTail(lsnAtLeast: lsn)
        if let later = tail.laterFrame {
            return WALProblem(
                file: file, offset: scanner.offsetBytes, lsn: lsn, isTornTail: false, tailBytes: 0,
                reason: "zeroed frame header after LSN \(lsn - 1), but a valid frame holding LSN "
                    + "\(later.header.firstLSN)...\(later.header.lastLSN) follows at offset \(later.offset): "
                    + "a zeroed region hides records, refusing to treat it as the end of the log")
        }
        guard isNewest, tail.tailBytes > 0 else { return nil }
        return WALProblem(file: file, offset: scanner.offsetBytes, lsn: lsn, isTornTail: true, tailBytes: tail.tailBytes,
                          reason: "zeroed frame header followed by \(tail.tailBytes) bytes that hold no valid frame")
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
