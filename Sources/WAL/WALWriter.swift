import Foundation
import Synchronization

/// The single writer of a WAL directory.
///
/// Appenders call `enqueue` (synchronous, a mutex-protected array append) and then
/// `waitDurable`. One dedicated OS thread takes everything queued, encodes it as one frame
/// (LZ4 when that shrinks it), `pwrite`s it, `fdatasync`s it (policy `always`), publishes the
/// durable LSN and resumes the waiters: group commit, without blocking the Swift cooperative pool.
/// A failed write or sync is fatal to the writer: it never retries and never acknowledges again.
public final class WALWriter: Sendable {
    private let core: WriterCore

    private init(core: WriterCore) {
        self.core = core
    }

    deinit {
        // Dropped without close(): the writer thread still drains the queue and exits.
        core.stopAccepting()
    }

    /// Opens (creating if missing) the WAL directory and starts the writer thread.
    ///
    /// Validates every frame of every segment, refusing with `WALError.corrupt` (file and LSN named)
    /// on a bad frame anywhere but the torn tail of the newest segment; truncates that tail
    /// (zeroing from the bad frame on, then `fsync`) and appends after the last good frame.
    /// - Complexity: O(total bytes of the log).
    public static func open(_ configuration: WALConfiguration) throws -> (WALWriter, WALRecoveryReport) {
        let (appender, report) = try WALRecovery.recover(configuration)
        let core = WriterCore(configuration: configuration, lastLSN: report.lastLSN,
                              segmentFirstLSN: appender.segmentFirstLSN)
        let loop = WriterLoop(core: core, appender: appender)
        let thread = Thread {
            var loop = loop
            loop.run()
        }
        thread.name = "wal-writer"
        thread.start()
        return (WALWriter(core: core), report)
    }

    /// Assigns the next LSN and queues the record; never blocks on I/O.
    ///
    /// Records are framed in the order they are enqueued, so a caller that enqueues from inside
    /// an actor gets them logged in the order the actor decided them.
    /// - Throws: `.overloaded` when `queueRecordsMax` records are not yet durable,
    ///   `.closed`, `.writerFailed`, `.recordTooLarge`.
    /// - Complexity: amortized O(1).
    public func enqueue(typeTag: UInt16, version: UInt16, timestampMs: Int64, payload: [UInt8]) throws(WALError) -> LSN {
        guard payload.count <= WALLimits.recordPayloadBytesMax else {
            throw .recordTooLarge(sizeBytes: payload.count, limitBytes: WALLimits.recordPayloadBytesMax)
        }
        return try enqueue(count: 1) { state, lsn in
            _ = state.pending.append(lsn: lsn, typeTag: typeTag, version: version, timestampMs: timestampMs) {
                $0.append(contentsOf: payload)
            }
        }.upperBound
    }

    /// Queues every record of `group` under one lock, with consecutive LSNs, and empties it
    /// (keeping its capacity). All or nothing: on a throw nothing was queued and `group` is kept.
    /// - Returns: the LSNs given, in the group's order; wait for the last one.
    /// - Throws: as `enqueue(typeTag:version:timestampMs:payload:)`; `.invalidRequest` for an empty group.
    /// - Complexity: O(bytes of the group): one copy into the writer's queue.
    @discardableResult
    public func enqueue(_ group: inout WALRecordGroup) throws(WALError) -> ClosedRange<LSN> {
        guard !group.isEmpty else { throw .invalidRequest("an empty record group") }
        let lsns = try enqueue(count: group.count) { state, first in
            group.records.assignLSNs(from: first)
            state.pending.append(contentsOf: group.records)
        }
        group.removeAll()
        return lsns
    }

    /// Reserves `count` consecutive LSNs and lets `queue` add their records, under the lock.
    private func enqueue(count: Int, _ queue: (inout WriterState, LSN) -> Void) throws(WALError) -> ClosedRange<LSN> {
        let queueRecordsMax = LSN(core.configuration.queueRecordsMax)
        let (lsns, shouldWake) = try core.state.withLock { state throws(WALError) -> (ClosedRange<LSN>, Bool) in
            guard state.isAccepting else { throw state.failure.map { .writerFailed($0) } ?? .closed }
            let queued = state.lastEnqueuedLSN - state.durableLSN
            guard queued < queueRecordsMax, LSN(count) <= queueRecordsMax - queued else { throw .overloaded }
            // Reachable only from a log whose names claim LSNs near the limit (recovery refuses beyond it).
            guard LSN(count) <= WALLimits.lsnMax - state.lastEnqueuedLSN else {
                throw .invalidRequest("the log has reached the largest LSN \(WALLimits.lsnMax)")
            }
            let first = state.lastEnqueuedLSN + 1
            state.lastEnqueuedLSN += LSN(count)
            queue(&state, first)
            defer { state.isWriterIdle = false }
            return (first...state.lastEnqueuedLSN, state.isWriterIdle)
        }
        if shouldWake { core.wake.signal() }
        return lsns
    }

    /// Returns once `lsn` is durable (synced; merely written under policy `none`), at once
    /// without suspending when it already is.
    ///
    /// Not cancellable: the record is queued either way, and its fate is what the caller needs.
    /// - Throws: `.writerFailed` when the writer failed first; `.closed` when the writer stopped
    ///   and `lsn` was never enqueued.
    public func waitDurable(_ lsn: LSN) async throws(WALError) {
        if let outcome = core.state.withLock({ $0.outcome(for: lsn) }) { return try outcome.get() }
        let result: Result<Void, WALError> = await withCheckedContinuation { continuation in
            let outcome = core.state.withLock { state -> Result<Void, WALError>? in
                if let outcome = state.outcome(for: lsn) { return outcome }
                state.waiters.append(lsn, continuation)
                return nil
            }
            if let outcome { continuation.resume(returning: outcome) }
        }
        try result.get()
    }

    /// The highest durable LSN.
    public var durableLSN: LSN { core.state.withLock { $0.durableLSN } }

    /// The LSN given to the last enqueued record.
    public var lastEnqueuedLSN: LSN { core.state.withLock { $0.lastEnqueuedLSN } }

    /// The writer's failure, if a write or sync failed.
    public var failure: String? { core.state.withLock { $0.failure } }

    public var fsyncPolicy: FsyncPolicy { core.configuration.fsyncPolicy }

    public var statistics: WALStatistics {
        core.state.withLock { state in
            var statistics = state.statistics
            statistics.durableLSN = state.durableLSN
            statistics.lastEnqueuedLSN = state.lastEnqueuedLSN
            return statistics
        }
    }

    /// Stops accepting, waits until everything queued is written and synced (or the writer
    /// failed) and the file is closed. Idempotent.
    public func close() async {
        core.stopAccepting()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isFinished = core.state.withLock { state in
                if !state.isFinished { state.closeWaiters.append(continuation) }
                return state.isFinished
            }
            if isFinished { continuation.resume() }
        }
    }

    /// Deletes whole segments all of whose records have LSN < `lsn`, oldest first, never the
    /// segment being written. Returns the deleted file names.
    ///
    /// The caller decides `lsn`: both the newest snapshot and the archive checkpoint must be past it.
    /// - Complexity: O(segments).
    public func deleteSegments(before lsn: LSN) throws -> [String] {
        let configuration = core.configuration
        let currentFirstLSN = core.state.withLock { $0.currentSegmentFirstLSN }
        let names = try SegmentName.list(in: configuration.directory, io: configuration.io)
        var deleted: [String] = []
        for (name, next) in zip(names, names.dropFirst()) {
            // A segment's last LSN is the next one's first LSN - 1.
            guard name.firstLSN < currentFirstLSN, next.firstLSN <= lsn else { break }
            try configuration.io.removeFile(joinPath(configuration.directory, name.fileName))
            deleted.append(name.fileName)
        }
        if !deleted.isEmpty { try configuration.io.syncDirectory(configuration.directory) }
        return deleted
    }
}
