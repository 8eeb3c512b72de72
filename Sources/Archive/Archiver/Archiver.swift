import Engine
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Tails the durable WAL into PostgreSQL, exactly once.
///
/// Each batch reads up to `batchRecordsMax` durable records after the checkpoint, folds them into
/// row images (`ArchiveBatch`) and writes them with bulk statements in one transaction that
/// also moves `archive_checkpoint` (the next batch is read and folded meanwhile): a crash on either side before COMMIT leaves neither rows nor
/// checkpoint, after it leaves both. The archiver owns one connection outside the pool; when
/// PostgreSQL is away it logs, backs off (`reconnectBackoffMsMin` doubling to `...Max`), reconnects
/// and resumes from the checkpoint stored in the database. The engine never waits for it: the
/// engine keeps the WAL segments the archive still needs (`archivedThroughLSN()`). While the WAL
/// grows fast (a flash sale) the background loop yields the CPU to requests within a stated lag
/// bound (`ArchivePacing`).
public actor Archiver: ArchiveCheckpointSource, Service {
    public let configuration: ArchiveConfiguration
    let database: ArchiveDatabase
    let tail: WALTail
    let durableLSN: @Sendable () -> UInt64
    let logger: Logger
    let clock: any EngineClock
    let writer: BatchWriter

    private var connection: PostgresConnection?
    /// The checkpoint as last read from or committed to the database; nil before the first connection.
    private var checkpoint: UInt64?
    private var lastError: String?
    /// The time of the first record after `afterLSN`, when the archiver has seen it.
    private var oldestPending: (afterLSN: UInt64, timestampMs: Int64)?
    /// One writer at a time: the background loop or a catch-up, never both on one connection.
    private var isWriting = false
    private var hasMigrated = false
    private var connectionsOpened = 0
    private var backoffMs: Int
    /// Test hook: runs after a batch's statements, before COMMIT.
    private var beforeCommit: (@Sendable (PostgresConnection) async throws -> Void)?
    /// The next batch, read and folded while the current one is being written (one at most).
    private var prefetched: (afterLSN: UInt64, task: Task<FoldedRecords, any Error>)?
    /// SKU specs (jsonb text) read from or committed to the archive; SKUs never change. Cleared at `specCacheCountMax`.
    private var specBySKU: [UInt64: String] = [:]
    static let specCacheCountMax = 100_000
    /// When the background loop writes (see `ArchivePacing`).
    private var pacing: ArchivePacing
    /// Decisions the loop took, and how many of them deferred records it could have written (tests, logs).
    private(set) var pacingDecisions = 0
    private(set) var deferrals = 0

    /// - Parameters:
    ///   - durableLSN: the WAL's durable LSN (`MallEngine.durableLSN`; offline, the last LSN on disk).
    ///     Records after it are never read: they may be on disk but not yet synced.
    ///   - clock: only for the lag in seconds (record timestamps come from the engine's clock).
    public init(database: ArchiveDatabase, walDirectory: String, durableLSN: @escaping @Sendable () -> UInt64,
                configuration: ArchiveConfiguration, logger: Logger, clock: any EngineClock = SystemClock()) {
        precondition(configuration.batchRecordsMax > 0, "batchRecordsMax must be positive")
        precondition(configuration.reconnectBackoffMsMin > 0 && configuration.reconnectBackoffMsMax >= configuration.reconnectBackoffMsMin,
                     "reconnect backoff must be 0 < min <= max")
        self.database = database
        self.tail = WALTail(directory: walDirectory)
        self.durableLSN = durableLSN
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.writer = BatchWriter(logger: logger)
        self.backoffMs = configuration.reconnectBackoffMsMin
        self.pacing = ArchivePacing(settings: configuration.pacingSettings)
    }

    // MARK: Service

    /// Archives until the task is cancelled or the service group shuts down gracefully. Database
    /// and WAL errors are logged, shown by `status()` and retried with backoff; nothing is thrown.
    public func run() async throws {
        while isWriting && !shouldStop { await pause(ms: configuration.batchIntervalMs) }
        guard !shouldStop else { return }
        isWriting = true
        defer { isWriting = false }
        logger.info("archiver started", metadata: ["database": "\(configuration.redactedURL)"])
        while !shouldStop {
            do {
                try await step()
                backoffMs = configuration.reconnectBackoffMsMin
            } catch {
                if shouldStop { break }
                await recordFailure(error)
                await pause(ms: backoffMs)
                backoffMs = min(backoffMs * 2, configuration.reconnectBackoffMsMax)
            }
        }
        discardPrefetch()
        await closeConnection()
        logger.info("archiver stopped", metadata: ["checkpoint": "\(checkpoint.map(String.init) ?? "unknown")"])
    }

    private var shouldStop: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    /// One turn of the background loop: write a batch now, or wait as `pacing` says.
    private func step() async throws {
        let durable = durableLSN()
        if checkpoint == nil { _ = try await connected() }
        guard let archived = checkpoint else { throw ArchiveError.notMigrated }
        guard archived <= durable else { throw ArchiveError.checkpointAhead(checkpoint: archived, durable: durable) }
        let decision = pacing.decide(nowMs: clock.nowMs(), durableLSN: durable, checkpoint: archived)
        pacingDecisions += 1
        switch decision {
        case .write(let recordsMax):
            _ = try await archiveNextBatch(through: durable, recordsMax: recordsMax)
            pacing.wrote(nowMs: clock.nowMs())
        case .wait(let ms):
            if durable <= archived {
                oldestPending = nil
            } else {
                deferrals += 1
                await noteOldestPending(after: archived, through: durable)
            }
            await pause(ms: ms)
        }
    }

    /// Keeps the lag in seconds honest while the loop defers (nothing is read then).
    private func noteOldestPending(after: UInt64, through: UInt64) async {
        guard oldestPending?.afterLSN != after else { return }
        do {
            if let timestampMs = try await tail.oldestTimestampMs(after: after, through: through) {
                oldestPending = (after, timestampMs)
            }
        } catch {
            logger.debug("cannot read the oldest unarchived record", metadata: ["error": "\(error)"])
        }
    }

    /// Sleeps, waking early on cancellation or graceful shutdown (the loop then sees `shouldStop`).
    private func pause(ms: Int) async {
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(ms)) }
        } catch {
            // CancellationError: the loop's `shouldStop` check is what acts on it.
        }
    }

    // MARK: Catch-up and status

    /// Archives every record durable now, then returns. Used offline (`mall archive catch-up`) and
    /// by rebuild; throws the first error instead of retrying.
    /// - Throws: `ArchiveError.busy` while `run()` or another catch-up is writing.
    public func catchUp() async throws -> CatchUpReport {
        guard !isWriting else { throw ArchiveError.busy }
        isWriting = true
        defer { isWriting = false }
        let started = ContinuousClock.now
        let target = durableLSN()
        do {
            _ = try await connected()
            let from = checkpoint ?? 0
            var report = CatchUpReport(fromLSN: from, throughLSN: from)
            while let after = checkpoint, after < target {
                let outcome = try await archiveNextBatch(through: target, recordsMax: configuration.batchRecordsMax)
                report.records += outcome.records
                report.rows += outcome.rows
                report.batches += 1
            }
            report.throughLSN = checkpoint ?? from
            report.elapsed = ContinuousClock.now - started
            discardPrefetch()
            return report
        } catch {
            discardPrefetch()
            lastError = ArchiveError.summary(of: error)
            await closeConnection()
            throw error
        }
    }

    public func status() async -> ArchiveLag {
        let durable = durableLSN()
        let archived = checkpoint ?? 0
        var lag = ArchiveLag(checkpointLSN: checkpoint, durableLSN: durable, lagRecords: durable > archived ? durable - archived : 0,
                             lagSeconds: 0, lastError: lastError, isConnected: connection.map { !$0.isClosed } ?? false)
        if lag.lagRecords > 0, let pending = oldestPending, pending.afterLSN == archived {
            lag.lagSeconds = Double(max(0, clock.nowMs() - pending.timestampMs)) / 1000
        }
        return lag
    }

    /// The checkpoint committed in the database, as this archiver last saw it; nil before it has
    /// connected once (the engine then keeps every WAL segment).
    public func archivedThroughLSN() async -> UInt64? {
        checkpoint
    }

    /// Closes the archiver's connection (command-line tools and tests; `run()` closes it itself).
    public func close() async {
        await closeConnection()
    }

    func setBeforeCommit(_ hook: (@Sendable (PostgresConnection) async throws -> Void)?) {
        beforeCommit = hook
    }

    // MARK: Batches

    struct BatchOutcome {
        var records = 0
        var rows = 0
    }

    struct FoldedRecords: Sendable {
        var batch: ArchiveBatch
        var firstRecordMs: Int64?
    }

    /// Reads, folds and writes one batch of records after the checkpoint, through `target` at most.
    /// While it is written, the next batch through `target` is read and folded (`prefetched`).
    private func archiveNextBatch(through target: UInt64, recordsMax: Int) async throws -> BatchOutcome {
        let connection = try await connected()
        guard let after = checkpoint else { throw ArchiveError.notMigrated }
        guard after <= target else { throw ArchiveError.checkpointAhead(checkpoint: after, durable: target) }
        guard after < target else {
            oldestPending = nil
            return BatchOutcome()
        }
        let folded = try await nextFolded(after: after, through: target, recordsMax: recordsMax)
        if let firstMs = folded.firstRecordMs { oldestPending = (after, firstMs) }
        let batch = folded.batch
        if batch.lastLSN < target { prefetch(after: batch.lastLSN, through: target, recordsMax: recordsMax) }
        let (writer, logger, beforeCommit, knownSpecs) = (self.writer, self.logger, self.beforeCommit, self.specBySKU)
        let written = try await withBatchTimeout(connection) {
            try await ArchiveError.unwrapping {
                try await connection.withTransaction(logger: logger) { connection in
                    let written = try await writer.write(batch, knownSpecs: knownSpecs, on: connection)
                    if let beforeCommit { try await beforeCommit(connection) }
                    return written
                }
            }
        }
        checkpoint = batch.lastLSN
        oldestPending = nil
        rememberSpecs(written.specBySKU)
        if lastError != nil {
            logger.info("archive writing again", metadata: ["checkpoint": "\(batch.lastLSN)"])
            lastError = nil
        }
        return BatchOutcome(records: batch.recordCount, rows: written.rows)
    }

    /// The records after `after` folded into a batch: the prefetched one when it starts there, else read now.
    private func nextFolded(after: UInt64, through target: UInt64, recordsMax: Int) async throws -> FoldedRecords {
        if let prefetched, prefetched.afterLSN == after {
            self.prefetched = nil
            let folded = try await prefetched.task.value
            if !folded.batch.isEmpty { return folded }
        }
        discardPrefetch()
        return try await Self.readAndFold(tail, after: after, through: target, recordsMax: recordsMax)
    }

    private func prefetch(after: UInt64, through target: UInt64, recordsMax: Int) {
        discardPrefetch()
        let tail = self.tail
        prefetched = (after, Task { try await Self.readAndFold(tail, after: after, through: target, recordsMax: recordsMax) })
    }

    private func discardPrefetch() {
        prefetched?.task.cancel()
        prefetched = nil
    }

    /// Nonisolated, so reading and folding run beside the actor (and beside the write of the batch before).
    private nonisolated static func readAndFold(_ tail: WALTail, after: UInt64, through target: UInt64,
                                                recordsMax: Int) async throws -> FoldedRecords {
        let records = try await tail.read(after: after, through: target, limit: recordsMax)
        var batch = ArchiveBatch(afterLSN: after)
        for record in records { try batch.add(record.event, lsn: record.lsn, timestampMs: record.timestampMs) }
        return FoldedRecords(batch: batch, firstRecordMs: records.first?.timestampMs)
    }

    private func rememberSpecs(_ specs: [UInt64: String]) {
        if specBySKU.count + specs.count > Self.specCacheCountMax { specBySKU.removeAll(keepingCapacity: true) }
        guard specs.count <= Self.specCacheCountMax else { return }
        specBySKU.merge(specs) { old, _ in old }
    }

    /// Abandons a batch that outlives `batchTimeoutMs`: its connection is closed (PostgreSQL rolls
    /// the transaction back) and the archiver goes on with a new one. The batch runs in a task of its
    /// own and the caller is answered by whichever comes first, because a postgres-nio call on a
    /// connection whose backend was terminated was seen never to return, even after `close()`.
    private func withBatchTimeout<T: Sendable>(
        _ connection: PostgresConnection, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let timeoutMs = configuration.batchTimeoutMs
        let logger = self.logger
        let answer = FirstAnswer<T>()
        return try await withCheckedThrowingContinuation { continuation in
            answer.set(continuation)
            let watchdog = Task {
                try await Task.sleep(for: .milliseconds(timeoutMs))
                guard answer.resume(with: .failure(ArchiveError.batchTimedOut(ms: timeoutMs))) else { return }
                logger.error("archive batch timed out; abandoning its connection", metadata: ["timeoutMs": "\(timeoutMs)"])
                try? await connection.close()
            }
            Task {
                let result = await Result(catching: body)
                watchdog.cancel()
                answer.resume(with: result)
            }
        }
    }

    /// The open connection, or a new one: migrated (once per archiver) and with the checkpoint re-read.
    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        await closeConnection()
        connectionsOpened += 1
        let connection = try await database.connect(id: connectionsOpened)
        do {
            if !hasMigrated {
                _ = try await ArchiveMigrations.migrate(on: connection, logger: logger)
                hasMigrated = true
            }
            checkpoint = try await writer.readCheckpoint(connection)
        } catch {
            await close(connection)
            throw error
        }
        self.connection = connection
        logger.info("archiver connected", metadata: ["checkpoint": "\(checkpoint.map(String.init) ?? "none")"])
        return connection
    }

    private func recordFailure(_ error: any Error) async {
        let summary = ArchiveError.summary(of: error)
        if summary != lastError {
            logger.warning("archive batch failed; the engine keeps serving and the WAL is kept",
                           metadata: ["error": "\(summary)", "retryInMs": "\(backoffMs)"])
        }
        lastError = summary
        await closeConnection()
        // Keep the lag in seconds honest while nothing can be written.
        let after = checkpoint ?? 0
        guard oldestPending?.afterLSN != after else { return }
        do {
            if let timestampMs = try await tail.oldestTimestampMs(after: after, through: durableLSN()) {
                oldestPending = (after, timestampMs)
            }
        } catch {
            logger.debug("cannot read the oldest unarchived record", metadata: ["error": "\(error)"])
        }
    }

    private func closeConnection() async {
        guard let connection else { return }
        self.connection = nil
        await close(connection)
    }

    private func close(_ connection: PostgresConnection) async {
        do {
            try await connection.close()
        } catch {
            // Already closed by the peer or the watchdog: nothing is left to release.
            logger.debug("closing the archive connection failed", metadata: ["error": "\(error)"])
        }
    }
}

/// How far the archive is behind the engine.
public struct ArchiveLag: Sendable, Equatable, CustomStringConvertible {
    /// The last LSN committed to the archive; nil before the archiver has reached the database.
    public var checkpointLSN: UInt64?
    public var durableLSN: UInt64
    public var lagRecords: UInt64
    /// Age of the oldest record not yet archived, by the clock given to the archiver; 0 when caught up
    /// (and for records newer than the archiver's last poll, at most `batchIntervalMs` old).
    public var lagSeconds: Double
    /// The last failure, until a batch commits again.
    public var lastError: String?
    public var isConnected: Bool

    public var description: String {
        let checkpoint = checkpointLSN.map(String.init) ?? "unknown"
        let state = isConnected ? "connected" : "disconnected"
        let error = lastError.map { "; last error: \($0)" } ?? ""
        return "checkpoint \(checkpoint), durable \(durableLSN), lag \(lagRecords) records / "
            + "\((lagSeconds * 10).rounded() / 10) s, \(state)\(error)"
    }
}

public struct CatchUpReport: Sendable, Equatable, CustomStringConvertible {
    public var fromLSN: UInt64
    public var throughLSN: UInt64
    public var records = 0
    public var rows = 0
    public var batches = 0
    public var elapsed: Duration = .zero

    public var rowsPerSecond: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(rows) / seconds : 0
    }

    public var description: String {
        "archived lsn \(fromLSN) -> \(throughLSN): \(records) records, \(rows) rows in \(batches) batches, "
            + "\(elapsed) (\(Int(rowsPerSecond)) rows/s)"
    }
}

/// Resumes a continuation once, with the first of several racing results.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, isAnswered: Bool)>((nil, false))

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// - Returns: whether this call answered (false when another result came first).
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard !state.isAnswered else { return nil }
            state.isAnswered = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
        return continuation != nil
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
