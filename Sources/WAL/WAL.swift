// WAL: segment files, frame codec, group commit, the durable LSN, the reader.
// Knows nothing of the mall: records are (type tag, version, timestamp, bytes).
// Must not import Engine, Snapshot, Net, Archive, Hummingbird or PostgresNIO.

/// A log sequence number. The first record is LSN 1; 0 means "nothing".
public typealias LSN = UInt64

/// One journaled event as the Engine hands it in and gets it back on replay.
public struct WALRecord: Sendable, Equatable {
    public var lsn: LSN
    /// Event type, owned by the Engine.
    public var typeTag: UInt16
    /// Event version, owned by the Engine.
    public var version: UInt16
    /// Event time, ms since 1970 UTC.
    public var timestampMs: Int64
    /// Binary payload, owned by the Engine.
    public var payload: [UInt8]

    public init(lsn: LSN, typeTag: UInt16, version: UInt16, timestampMs: Int64, payload: [UInt8]) {
        self.lsn = lsn
        self.typeTag = typeTag
        self.version = version
        self.timestampMs = timestampMs
        self.payload = payload
    }
}

/// A record as it lies inside its frame's raw payload (`WALReader.forEachInPlace`): the header
/// fields, and where the payload is in the frame's bytes.
public struct WALRecordView: Sendable, Equatable {
    public var lsn: LSN
    public var typeTag: UInt16
    public var version: UInt16
    public var timestampMs: Int64
    /// Indexes into the frame's raw bytes passed alongside.
    public var payload: Range<Int>

    public init(lsn: LSN, typeTag: UInt16, version: UInt16, timestampMs: Int64, payload: Range<Int>) {
        self.lsn = lsn
        self.typeTag = typeTag
        self.version = version
        self.timestampMs = timestampMs
        self.payload = payload
    }
}

/// When the writer calls `fdatasync`.
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// After every frame, before any waiter is resumed. The default.
    case always
    /// Never. Benchmarks only: a crash loses acknowledged records.
    case none

    /// The words every log line and report touching the policy must carry.
    public var label: String {
        switch self {
        case .always: "fsync=always"
        case .none: "fsync=none (NOT DURABLE)"
        }
    }
}

public struct WALConfiguration: Sendable {
    /// Directory of the segment files (e.g. `<data-dir>/wal`); created if missing.
    public var directory: String
    /// Segments are preallocated to this size and rotated when the next frame does not fit.
    public var segmentSizeBytes: Int = 64 << 20
    public var fsyncPolicy: FsyncPolicy = .always
    /// Group-commit bounds: a frame holds at most this many records...
    public var batchRecordsMax: Int = 16_384
    /// ...and at most this many raw record bytes (a single larger record gets a frame of its own).
    public var batchBytesMax: Int = 8 << 20
    /// Records enqueued but not yet durable; beyond this `enqueue` throws `.overloaded` (caller answers 503).
    public var queueRecordsMax: Int = 1_000_000
    /// Disk access; tests inject faults here.
    public var io: any SegmentIO = PosixSegmentIO()
    /// `WALWriter.open` checks the payload and checksum of frames from this LSN on; frames wholly
    /// before it are stepped over by their headers (LSN continuity is still checked). The engine
    /// sets it past the records its recovery has just read and checked itself, so start-up does
    /// not read the log twice. 0 (the default) checks every frame.
    public var checksumsFromLSN: LSN = 0

    public init(directory: String) {
        self.directory = directory
    }
}

/// Hard limits that hold for every configuration and that the reader enforces on input.
public enum WALLimits {
    /// A record payload larger than this is refused by `enqueue` (`.recordTooLarge`).
    public static let recordPayloadBytesMax = 16 << 20
    /// The raw (uncompressed) size of one frame; a reader refuses larger claims before allocating.
    public static let frameRawBytesMax = 64 << 20
    /// `WALConfiguration.batchBytesMax` may not exceed this.
    public static let batchBytesMaxLimit = 32 << 20
    /// The largest LSN: LSNs fit a signed 64-bit integer (PostgreSQL `bigint`), and LSN arithmetic
    /// on values read from disk (segment names, frame headers) can never overflow.
    public static let lsnMax: LSN = LSN(Int64.max)
}
