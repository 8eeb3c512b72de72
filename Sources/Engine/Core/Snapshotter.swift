import Snapshot
import WAL

/// Takes snapshots by replay, never by pausing live actors (DESIGN
/// "Snapshots"): newest snapshot + durable WAL up to L -> snapshots/L.snap.
/// Recovery is therefore exercised every time a snapshot is taken.
public struct Snapshotter: Sendable {
    public let configuration: EngineConfiguration

    public init(configuration: EngineConfiguration) { self.configuration = configuration }

    public struct Result: Sendable {
        public var snapshot: SnapshotInfo
        public var report: Recovery.Report
        public var digest: String
    }

    /// Replays through `throughLSN` and writes the snapshot (or rewrites none
    /// when nothing is newer than the newest snapshot).
    public func take(throughLSN: UInt64, clock: any EngineClock = SystemClock()) throws -> Result? {
        let (state, report) = try Recovery.rebuild(configuration: configuration, limit: .init(throughLSN: throughLSN), clock: clock)
        return try write(state, report: report, clock: clock)
    }

    /// Takes a snapshot from outside the server that owns the WAL (`mall
    /// snapshot` beside a running server). The server may have written frames
    /// it has not synced yet, so: read first, then `syncLog` (fsync every
    /// segment), then write. Everything read was in the files before the sync
    /// began, so the sync made it durable; a frame written after the read is
    /// not in the snapshot. Syncing first and reading after would capture
    /// frames written between the two, which a crash could still lose.
    public func takeBesideWriter(syncLog: () throws -> Void, clock: any EngineClock = SystemClock()) throws -> Result? {
        let (state, report) = try Recovery.rebuild(configuration: configuration, clock: clock)
        try syncLog()
        return try write(state, report: report, clock: clock)
    }

    public func write(_ state: EngineState, report: Recovery.Report, clock: any EngineClock) throws -> Result? {
        guard state.lastLSN > 0, state.lastLSN > report.snapshotLSN || report.snapshotFile == nil else { return nil }
        let store = SnapshotStore(directory: configuration.snapshotDirectory, retainCount: configuration.snapshotRetainCount)
        let payload = state.encoded()
        let info = try store.write(lsn: state.lastLSN, createdAtMs: clock.nowMs(), payload: payload)
        return Result(snapshot: info, report: report, digest: state.digest)
    }
}
