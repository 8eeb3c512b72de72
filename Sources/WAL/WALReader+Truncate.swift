/// The result of `WALReader.truncate(directory:after:)`.
public struct WALTruncateReport: Sendable, CustomStringConvertible {
    public var requestedLSN: LSN
    /// The last record left in the log (lower than requested when corruption came first).
    public var lastLSN: LSN
    /// Oldest first (deleted newest first, so a crash midway leaves a contiguous log).
    public var deletedSegments: [String]
    /// The segment cut, and the offset from which it now reads as zeros.
    public var cutFile: String?
    public var cutOffsetBytes: Int
    /// A frame holding `requestedLSN` and later records was rewritten to keep only the former.
    public var didRewriteFrame: Bool
    /// A bad frame before `requestedLSN`: the log was cut there instead.
    public var problem: WALProblem?

    public var description: String {
        var text = "WAL truncated after LSN \(lastLSN) (asked \(requestedLSN)); deleted \(deletedSegments.count) segments"
        if let cutFile { text += "; cut \(cutFile) at offset \(cutOffsetBytes)" }
        if didRewriteFrame { text += "; rewrote its last frame" }
        if let problem { text += "; stopped at \(problem)" }
        return text
    }
}

extension WALReader {
    /// Operator tool (`mall wal truncate`), for a log no writer has open: drops every record after
    /// `lsn`. A frame holding `lsn` and later records is rewritten to keep only records <= `lsn`;
    /// later segments are deleted. Corruption before `lsn` cuts the log there instead (see the
    /// report). Refuses to cut before the oldest retained segment, which would reuse LSNs.
    /// - Complexity: O(bytes up to `lsn`).
    public static func truncate(directory: String, after lsn: LSN) throws -> WALTruncateReport {
        try truncate(directory: directory, after: lsn, io: PosixSegmentIO())
    }

    public static func truncate(directory: String, after lsn: LSN, io: any SegmentIO) throws -> WALTruncateReport {
        let lock = try DirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let names = try SegmentName.list(in: directory, io: io)
        var report = WALTruncateReport(requestedLSN: lsn, lastLSN: 0, deletedSegments: [], cutFile: nil,
                                       cutOffsetBytes: 0, didRewriteFrame: false, problem: nil)
        guard let first = names.first else { return report }
        guard lsn >= first.firstLSN - 1 else {
            throw WALError.invalidRequest(
                "cannot cut after LSN \(lsn): the oldest segment starts at LSN \(first.firstLSN) and LSNs are never reused")
        }
        let keepIndex = names.lastIndex { $0.firstLSN <= lsn } ?? 0
        let cut = try findCut(names: names[...keepIndex], after: lsn, directory: directory, io: io)
        for name in names[(cut.index + 1)...].reversed() {
            try io.removeFile(joinPath(directory, name.fileName))
            report.deletedSegments.insert(name.fileName, at: 0)
        }
        try apply(cut, name: names[cut.index], after: lsn, directory: directory, io: io)
        try io.syncDirectory(directory)
        report.lastLSN = cut.partial == nil ? cut.keptLSN : lsn
        report.cutFile = names[cut.index].fileName
        report.cutOffsetBytes = cut.offsetBytes
        report.didRewriteFrame = cut.partial != nil
        report.problem = cut.problem
        return report
    }

    private struct Cut {
        var index: Int
        var offsetBytes: Int
        var keptLSN: LSN
        /// The frame that straddles the cut, to rewrite with its records <= lsn.
        var partial: (header: FrameHeader, raw: [UInt8])?
        var problem: WALProblem?
    }

    private static func findCut(names: ArraySlice<SegmentName>, after lsn: LSN, directory: String,
                                io: any SegmentIO) throws -> Cut {
        var expectedLSN: LSN?
        var keptLSN = names[names.startIndex].firstLSN - 1
        for index in names.indices {
            var frameOffset = 0
            var partial: (header: FrameHeader, raw: [UInt8])?
            var isStopped = false
            let info = try SegmentScan.scan(io: io, directory: directory, name: names[index],
                                            expectedLSN: expectedLSN, isNewest: false) { header, raw in
                guard header.lastLSN > lsn else { frameOffset += header.frameBytes; return true }
                if header.firstLSN <= lsn { partial = (header, raw) }
                isStopped = true
                return false
            }
            keptLSN = max(keptLSN, min(info.lastLSN ?? keptLSN, lsn))
            if isStopped {
                return Cut(index: index, offsetBytes: frameOffset, keptLSN: keptLSN, partial: partial, problem: nil)
            }
            if let problem = info.problem {
                return Cut(index: index, offsetBytes: problem.offset, keptLSN: keptLSN, partial: nil, problem: problem)
            }
            if index == names.endIndex - 1 {
                return Cut(index: index, offsetBytes: info.dataBytes, keptLSN: keptLSN, partial: nil, problem: nil)
            }
            expectedLSN = (info.lastLSN ?? names[index].firstLSN - 1) + 1
        }
        preconditionFailure("findCut needs at least one segment")
    }

    /// Zeroes the segment from the cut on (keeping its size) and writes the rewritten frame, if any.
    private static func apply(_ cut: Cut, name: SegmentName, after lsn: LSN, directory: String,
                              io: any SegmentIO) throws {
        let descriptor = try io.openFile(joinPath(directory, name.fileName), mode: .readWrite)
        defer { io.closeFile(descriptor) }
        let sizeBytes = try io.fileSizeBytes(descriptor)
        try io.truncate(descriptor, sizeBytes: cut.offsetBytes)
        try io.allocate(descriptor, sizeBytes: sizeBytes)
        if let partial = cut.partial {
            var records: [WALRecord] = []
            try partial.raw.withUnsafeBytes { bytes in
                try FrameRecords.walk(bytes, header: partial.header) { recordLSN, offset, payload in
                    if recordLSN <= lsn { records.append(FrameRecords.decode(bytes, at: offset, payload: payload)) }
                }
            }
            var encoder = FrameEncoder()
            _ = encoder.encode(records[...])
            try io.allocate(descriptor, sizeBytes: cut.offsetBytes + encoder.frame.count)
            try encoder.frame.withUnsafeBytes { bytes in
                Result { () throws(WALError) in try io.writeAll(descriptor, bytes, offsetBytes: cut.offsetBytes) }
            }.get()
        }
        try io.syncFile(descriptor)
    }
}
