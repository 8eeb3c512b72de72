/// Counters for metrics. Every report of them carries `fsyncPolicy.label`.
public struct WALStatistics: Sendable, Equatable, CustomStringConvertible {
    public var fsyncPolicy: FsyncPolicy
    public var durableLSN: LSN = 0
    public var lastEnqueuedLSN: LSN = 0
    /// Frames (group-commit batches) written since open.
    public var framesWritten = 0
    public var recordsWritten = 0
    /// Record bytes before compression.
    public var rawBytesWritten = 0
    /// Bytes written to segments, frame headers included.
    public var storedBytesWritten = 0
    /// `fdatasync` calls (0 under policy `none`).
    public var fsyncs = 0
    public var segmentsCreated = 0
    /// Records in the most recent frame.
    public var lastBatchRecords = 0

    /// Enqueued records not yet durable (bounded by `queueRecordsMax`).
    public var queuedRecords: Int { Int(lastEnqueuedLSN - durableLSN) }

    public init(fsyncPolicy: FsyncPolicy) {
        self.fsyncPolicy = fsyncPolicy
    }

    public var description: String {
        "WAL \(fsyncPolicy.label): durable LSN \(durableLSN), queued \(queuedRecords), frames \(framesWritten), "
            + "records \(recordsWritten), bytes raw \(rawBytesWritten) stored \(storedBytesWritten), "
            + "fsyncs \(fsyncs), segments created \(segmentsCreated), last batch \(lastBatchRecords)"
    }
}

/// What `WALWriter.open` found and repaired.
public struct WALRecoveryReport: Sendable, CustomStringConvertible {
    public struct TruncatedTail: Sendable, Equatable {
        public var file: String
        public var offset: Int
        /// Bytes from `offset` through the last nonzero byte, now zeroed.
        public var bytesDropped: Int
        public var reason: String
    }

    public var segments: Int
    /// The last record in the log; 0 when empty. The next enqueue gets `lastLSN + 1`.
    public var lastLSN: LSN
    public var truncatedTail: TruncatedTail?
    public var fsyncPolicy: FsyncPolicy

    public var description: String {
        var text = "WAL opened (\(fsyncPolicy.label)): \(segments) segments, last LSN \(lastLSN)"
        if let tail = truncatedTail {
            text += "; truncated a torn tail of \(tail.file) at offset \(tail.offset) "
                + "(\(tail.bytesDropped) bytes dropped: \(tail.reason))"
        }
        return text
    }
}
