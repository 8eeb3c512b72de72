import Synchronization

/// State shared by the appenders (any thread) and the writer thread, under one mutex.
struct WriterState {
    /// Enqueued, not yet taken by the writer thread. Its LSNs are consecutive.
    var pending = RawRecords()
    var lastEnqueuedLSN: LSN
    var durableLSN: LSN
    var isAccepting = true
    /// Set once, when a write or sync failed; nothing becomes durable afterwards.
    var failure: String?
    /// The writer thread is about to wait (or waits) on the wake signal.
    var isWriterIdle = false
    /// The writer thread has exited and closed the file.
    var isFinished = false
    var waiters = WaiterList()
    var closeWaiters: [CheckedContinuation<Void, Never>] = []
    var currentSegmentFirstLSN: LSN
    var statistics: WALStatistics

    /// The answer for a waiter on `lsn`, or nil when it must wait.
    func outcome(for lsn: LSN) -> Result<Void, WALError>? {
        if lsn <= durableLSN { return .success(()) }
        if let failure { return .failure(.writerFailed(failure)) }
        if isFinished || (!isAccepting && lsn > lastEnqueuedLSN) { return .failure(.closed) }
        return nil
    }
}

/// The shared half of a `WALWriter`: the mutex-protected state and the wake signal.
/// The writer thread holds it too, so a dropped `WALWriter` still drains and exits.
final class WriterCore: Sendable {
    let state: Mutex<WriterState>
    let wake = WakeSignal()
    let configuration: WALConfiguration

    init(configuration: WALConfiguration, lastLSN: LSN, segmentFirstLSN: LSN) {
        self.configuration = configuration
        state = Mutex(WriterState(
            lastEnqueuedLSN: lastLSN, durableLSN: lastLSN, currentSegmentFirstLSN: segmentFirstLSN,
            statistics: WALStatistics(fsyncPolicy: configuration.fsyncPolicy)))
    }

    /// Stops accepting; the writer thread drains what is queued and exits.
    func stopAccepting() {
        let shouldWake = state.withLock { state in
            state.isAccepting = false
            defer { state.isWriterIdle = false }
            return state.isWriterIdle
        }
        if shouldWake { wake.signal() }
    }

    /// Writer thread: moves everything pending into `batch`, sleeping while there is nothing.
    /// Returns false when closed and drained.
    func takePending(into batch: inout RawRecords) -> Bool {
        precondition(batch.isEmpty, "the writer takes a new batch only after writing the last one")
        while true {
            let hasRecords: Bool? = state.withLock { state in
                if !state.pending.isEmpty {
                    swap(&state.pending, &batch)
                    return true
                }
                if !state.isAccepting { return false }
                state.isWriterIdle = true
                return nil
            }
            if let hasRecords { return hasRecords }
            wake.wait()
        }
    }

    /// Writer thread: a frame is durable; publish it and resume its waiters.
    func publish(_ header: FrameHeader, appender: SegmentAppender) {
        let ready = state.withLock { state in
            precondition(header.firstLSN == state.durableLSN + 1,
                         "frames become durable in LSN order: got \(header.firstLSN) after \(state.durableLSN)")
            state.durableLSN = header.lastLSN
            state.currentSegmentFirstLSN = appender.segmentFirstLSN
            state.statistics.record(header, appender: appender)
            return state.waiters.removeAll(through: header.lastLSN)
        }
        for waiter in ready { waiter.continuation.resume(returning: .success(())) }
    }

    /// Writer thread: a write or sync failed. Fatal: never retried, nothing acknowledged after it.
    func fail(_ error: WALError) {
        let reason = "\(error)"
        let waiters = state.withLock { state in
            state.failure = reason
            state.isAccepting = false
            state.pending.removeAll()
            return state.waiters.removeAll()
        }
        for waiter in waiters { waiter.continuation.resume(returning: .failure(.writerFailed(reason))) }
    }

    /// Writer thread, last act: the file is closed; answer whoever still waits.
    func finish() {
        let (waiters, closeWaiters, failure) = state.withLock { state in
            state.isFinished = true
            state.isAccepting = false
            defer { state.closeWaiters = [] }
            return (state.waiters.removeAll(), state.closeWaiters, state.failure)
        }
        let error: WALError = failure.map { .writerFailed($0) } ?? .closed
        for waiter in waiters { waiter.continuation.resume(returning: .failure(error)) }
        for closeWaiter in closeWaiters { closeWaiter.resume() }
    }
}

extension WALStatistics {
    mutating func record(_ header: FrameHeader, appender: SegmentAppender) {
        framesWritten += 1
        recordsWritten += Int(header.recordCount)
        rawBytesWritten += Int(header.rawLength)
        storedBytesWritten += Int(header.frameBytes)
        fsyncs = appender.fsyncs
        segmentsCreated = appender.segmentsCreated
        lastBatchRecords = Int(header.recordCount)
    }
}

/// The writer thread's loop: take, frame, write, sync, publish.
struct WriterLoop: Sendable {
    let core: WriterCore
    let appender: SegmentAppender
    private var encoder = FrameEncoder()
    private var batch = RawRecords()

    init(core: WriterCore, appender: SegmentAppender) {
        self.core = core
        self.appender = appender
    }

    mutating func run() {
        defer {
            appender.close()
            core.finish()
        }
        while core.takePending(into: &batch) {
            var start = 0
            while start < batch.count {
                let end = batchEnd(from: start)
                let header = encoder.encode(batch, records: start..<end)
                do {
                    try appender.append(encoder.frame, firstLSN: header.firstLSN)
                } catch {
                    core.fail(error)
                    return
                }
                core.publish(header, appender: appender)
                start = end
            }
            batch.removeAll()
        }
    }

    /// The end of the next frame: at most `batchRecordsMax` records and `batchBytesMax` raw
    /// bytes, but always at least one record.
    private func batchEnd(from start: Int) -> Int {
        let recordsMax = core.configuration.batchRecordsMax
        let bytesMax = core.configuration.batchBytesMax
        var end = start + 1
        var bytes = batch.recordBytes(start)
        while end < batch.count && end - start < recordsMax {
            let recordBytes = batch.recordBytes(end)
            guard bytes + recordBytes <= bytesMax else { break }
            bytes += recordBytes
            end += 1
        }
        return end
    }
}
