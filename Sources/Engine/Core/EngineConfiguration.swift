import WAL

public struct EngineConfiguration: Sendable {
    /// Holds `wal/`, `snapshots/` and whatever else the server keeps on disk.
    public var dataDirectory: String
    public var shardCount: Int = 16
    /// Spec: an unpaid order is cancelled after 15 minutes unless configured otherwise.
    public var paymentTimeoutMs: Int64 = 15 * 60 * 1000
    public var fsyncPolicy: FsyncPolicy = .always
    public var segmentSizeBytes: Int = 64 << 20
    /// A background snapshot is taken once this many records have been logged since the last one.
    public var snapshotEveryRecords: UInt64 = 1_000_000
    public var snapshotRetainCount: Int = 3
    /// Cancellations of expired orders handled per timer pass, so one pass never starves requests.
    public var timeoutsPerPassMax: Int = 10_000
    /// Records enqueued but not yet durable before appends are refused as overloaded.
    public var walQueueRecordsMax: Int = 1_000_000
    /// The WAL's file access; tests inject faults (a failing fdatasync) through it.
    public var segmentIO: any SegmentIO = PosixSegmentIO()

    public init(dataDirectory: String) { self.dataDirectory = dataDirectory }

    public var walDirectory: String { dataDirectory + "/wal" }
    public var snapshotDirectory: String { dataDirectory + "/snapshots" }

    public var walConfiguration: WALConfiguration {
        var configuration = WALConfiguration(directory: walDirectory)
        configuration.fsyncPolicy = fsyncPolicy
        configuration.segmentSizeBytes = segmentSizeBytes
        configuration.io = segmentIO
        configuration.queueRecordsMax = walQueueRecordsMax
        return configuration
    }
}

/// Tells the engine how far the archive has read, so WAL segments it still
/// needs are kept (DESIGN: a segment goes only when both the snapshot and the
/// archive checkpoint are past it). Implemented by the Archive target.
public protocol ArchiveCheckpointSource: Sendable {
    func archivedThroughLSN() async -> UInt64?
}
