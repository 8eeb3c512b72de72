import Logging
import Dispatch
import Foundation
import Snapshot
import Synchronization
import WAL

/// Background upkeep: snapshots by replay and WAL segment retention.
extension MallEngine {
    /// Takes a snapshot through the durable LSN when enough records have been
    /// logged since the newest one, then deletes WAL segments that both the
    /// snapshot and the archive (when configured) have passed.
    /// Runs the replay on its own thread: it is CPU and disk work that must not
    /// occupy the cooperative pool serving requests.
    public func maintain(archive: (any ArchiveCheckpointSource)? = nil, force: Bool = false) async throws -> Snapshotter.Result? {
        // One snapshot at a time: a second caller (timer and `force` at once) skips rather than races on files.
        guard maintenanceRunning.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return nil }
        defer { maintenanceRunning.store(false, ordering: .releasing) }
        let durable = wal.durableLSN
        let store = SnapshotStore(directory: configuration.snapshotDirectory, retainCount: configuration.snapshotRetainCount)
        let newest = try store.list().first?.lsn ?? 0
        guard force || durable >= newest + configuration.snapshotEveryRecords, durable > newest else { return nil }
        let snapshotter = Snapshotter(configuration: configuration)
        let clock = self.clock
        let result = try await BlockingWork.run { try snapshotter.take(throughLSN: durable, clock: clock) }
        if let result {
            logger.info("snapshot written", metadata: ["file": "\(result.snapshot.file)", "lsn": "\(result.snapshot.lsn)",
                                                        "digest": "\(result.digest)"])
        }
        // Keep the WAL back to the oldest retained snapshot: if the newest turns out
        // bad at start-up, recovery falls back to an older one and replays from there.
        let oldestRetained = try store.list().last?.lsn ?? 0
        var keepFrom = oldestRetained + 1
        if let archive {
            // No checkpoint yet means the archive has read nothing: keep everything.
            keepFrom = min(keepFrom, (await archive.archivedThroughLSN() ?? 0) + 1)
        }
        let deleted = try wal.deleteSegments(before: keepFrom)
        if !deleted.isEmpty { logger.info("WAL segments deleted", metadata: ["files": "\(deleted)"]) }
        return result
    }
}

/// Runs blocking work (recovery, snapshot replay and file writes) on a serial
/// dispatch queue of its own, off the threads that run tasks (Swift's pool, or
/// the event loops when `mall` runs concurrency on them), and resumes the
/// caller with its result.
public enum BlockingWork {
    private static let queue = DispatchQueue(label: "mall.engine.offload", qos: .utility)

    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
