/// The result of `WALReader.verify()`.
public struct WALVerifyReport: Sendable, CustomStringConvertible {
    public var segments: [WALSegmentInfo]
    /// Every problem found, oldest first. A torn tail is listed too (recovery would truncate it).
    public var problems: [WALProblem]
    /// The last LSN of the valid prefix of the log; 0 when empty.
    public var lastLSN: LSN
    public var isClean: Bool { problems.isEmpty }

    public var description: String {
        let records = segments.reduce(0) { $0 + $1.records }
        var lines = ["WAL verify: \(segments.count) segments, \(records) records, last LSN \(lastLSN), "
            + (isClean ? "clean" : "\(problems.count) problems")]
        lines += problems.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// Reads a WAL directory: replay, tailing, inspection and operator repairs.
///
/// Reads what is on disk, which may include frames a live writer has written but not yet
/// synced; pass `through: writer.durableLSN` to read only durable records.
public struct WALReader: Sendable {
    public let directory: String
    let io: any SegmentIO

    public init(directory: String) {
        self.init(directory: directory, io: PosixSegmentIO())
    }

    public init(directory: String, io: any SegmentIO) {
        self.directory = directory
        self.io = io
    }

    /// Calls `body` for each record with `from <= lsn <= through`, in LSN order.
    ///
    /// Throws `WALError.corrupt` (naming file and LSN) on a bad frame anywhere but the torn tail
    /// of the newest segment, which just ends the iteration, and `WALError.missingRecords` when
    /// records from `from` on were deleted. A zeroed header ends a segment without the rest of the
    /// file being read (this runs once per archiver batch); `WALWriter.open` and `verify` refuse
    /// a log where valid frames follow such a hole.
    /// - Complexity: O(bytes from the segment holding `from` to the end).
    public func forEach(from: LSN, through: LSN = .max, _ body: (WALRecord) throws -> Void) throws {
        try forEachInPlace(from: from, through: through) { view, frame in
            let payload = frame.withUnsafeBytes { [UInt8](UnsafeRawBufferPointer(rebasing: $0[view.payload])) }
            try body(WALRecord(lsn: view.lsn, typeTag: view.typeTag, version: view.version,
                               timestampMs: view.timestampMs, payload: payload))
        }
    }

    /// `forEach` without copying each payload out of its frame: `body` gets the record's header
    /// fields and the frame's raw (decompressed) bytes, in which `view.payload` lies. Replay
    /// decodes events straight from the frame this way.
    /// - Complexity: O(bytes from the segment holding `from` to the end).
    public func forEachInPlace(from: LSN, through: LSN = .max,
                               _ body: (WALRecordView, _ frame: [UInt8]) throws -> Void) throws {
        let names = try SegmentName.list(in: directory, io: io)
        let start = max(from, 1)
        guard let first = names.first, start <= through else { return }
        guard first.firstLSN <= start else { throw WALError.missingRecords(from: start, firstAvailable: first.firstLSN) }
        let startIndex = names.lastIndex { $0.firstLSN <= start } ?? 0
        var expectedLSN: LSN?
        for index in startIndex..<names.count {
            var isDone = false
            let info = try SegmentScan.scan(
                io: io, directory: directory, name: names[index], expectedLSN: expectedLSN,
                isNewest: index == names.count - 1, skipBeforeLSN: start, detectHoles: false
            ) { header, raw in
                if header.firstLSN > through { isDone = true; return false }
                if header.lastLSN >= start { try Self.emit(raw, header: header, from: start, through: through, body) }
                if header.lastLSN >= through { isDone = true }
                return !isDone
            }
            if isDone { return }
            if let problem = info.problem {
                if problem.isTornTail { return }
                throw problem.error
            }
            expectedLSN = (info.lastLSN ?? names[index].firstLSN - 1) + 1
        }
    }

    private static func emit(_ raw: [UInt8], header: FrameHeader, from: LSN, through: LSN,
                             _ body: (WALRecordView, [UInt8]) throws -> Void) throws {
        try raw.withUnsafeBytes { bytes in
            try FrameRecords.walk(bytes, header: header) { lsn, offset, payload in
                guard lsn >= from, lsn <= through else { return }
                let view = FrameRecords.view(bytes, at: offset, payload: payload)
                assert(view.lsn == lsn, "a decoded record keeps the LSN it was walked at")
                try body(view, raw)
            }
        }
    }

    /// Every segment with its LSN range, frame and record counts and sizes (`mall wal inspect`).
    /// Corruption is recorded in `WALSegmentInfo.problem`, not thrown.
    /// - Complexity: O(total bytes).
    public func segments() throws -> [WALSegmentInfo] {
        try verify().segments
    }

    /// Scans every segment and reports every problem found; modifies nothing.
    /// After a damaged segment, checking resumes with the next one.
    /// - Complexity: O(total bytes).
    public func verify() throws -> WALVerifyReport {
        let names = try SegmentName.list(in: directory, io: io)
        var report = WALVerifyReport(segments: [], problems: [], lastLSN: 0)
        var expectedLSN: LSN?
        var isPrefixValid = true
        for (index, name) in names.enumerated() {
            let info = try SegmentScan.scan(io: io, directory: directory, name: name, expectedLSN: expectedLSN,
                                            isNewest: index == names.count - 1)
            report.segments.append(info)
            if isPrefixValid, let last = info.lastLSN { report.lastLSN = last }
            if let problem = info.problem {
                report.problems.append(problem)
                isPrefixValid = false
                expectedLSN = nil
            } else {
                expectedLSN = (info.lastLSN ?? name.firstLSN - 1) + 1
            }
        }
        return report
    }
}
