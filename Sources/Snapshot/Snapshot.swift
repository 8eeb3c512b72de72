// Snapshot: snapshot files of opaque state bytes: write atomically, read, verify, retain.
// Knows nothing of the mall: the Engine's state codec owns the payload.
// Must not import Engine, Net, Archive, Hummingbird or PostgresNIO.

import WAL

/// A snapshot file, as listed.
public struct SnapshotInfo: Sendable, Equatable, CustomStringConvertible {
    /// File name, `<lsn as 16 lowercase hex digits>.snap`.
    public var file: String
    /// The state includes every WAL record up to and including this LSN.
    public var lsn: UInt64
    public var sizeBytes: Int
    /// From the file header; 0 when the header does not verify (`read` and `verify` say why).
    public var createdAtMs: Int64

    public init(file: String, lsn: UInt64, sizeBytes: Int, createdAtMs: Int64) {
        self.file = file
        self.lsn = lsn
        self.sizeBytes = sizeBytes
        self.createdAtMs = createdAtMs
    }

    public var description: String { "\(file) (LSN \(lsn), \(sizeBytes) bytes)" }
}

/// A snapshot that failed verification or could not be read.
public struct SnapshotProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var lsn: UInt64
    public var reason: String

    public init(file: String, lsn: UInt64, reason: String) {
        self.file = file
        self.lsn = lsn
        self.reason = reason
    }

    public var description: String { "snapshot \(file) (LSN \(lsn)) is unusable: \(reason)" }
}

public enum SnapshotError: Error, CustomStringConvertible, Equatable {
    case corrupt(file: String, reason: String)
    case io(WALError)
    /// Snapshots exist but none verifies: starting from an empty state would lose data.
    case noValidSnapshot([SnapshotProblem])
    case invalidRequest(String)

    public var description: String {
        switch self {
        case let .corrupt(file, reason): "snapshot \(file) is corrupt: \(reason)"
        case let .io(error): "snapshot I/O failed: \(error)"
        case let .noValidSnapshot(problems):
            "no snapshot verifies: " + problems.map(\.description).joined(separator: "; ")
        case let .invalidRequest(reason): "snapshot request refused: \(reason)"
        }
    }
}
