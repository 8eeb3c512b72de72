import Foundation
import WAL

/// Replay on every core: a thread of its own reads the WAL (read, CRC32C, LZ4, record walk) and
/// decodes events into batches, while appliers fold them into the state in LSN order. With one
/// applier (the caller's thread) `apply` sees exactly the sequence sequential replay sees. With
/// two, each owns a disjoint share of the state's parts (`EngineState.Share`: the caller the
/// catalog, settings, payments and inventory and some user shards, a helper thread the other
/// user shards) and applies every record's effects on its share, in LSN order; no part reads
/// another, so every part, and the digest, ends as sequential replay leaves it. A failure is
/// reported at the same record: the decoder's failures travel in order behind the records
/// before them, and of the appliers' failures the first in (place in the log, step of `apply`)
/// order wins, which is the one sequential replay stops at.
enum ReplayPipeline {
    /// Records per batch handed from the decoder to `apply`: large enough that the hand-over
    /// (a lock and a wake-up) is rare, small enough that the first batch arrives early.
    static let batchRecordsMax = 2_048
    /// Batches decoded ahead of the slowest applier at most; the decoder waits at the limit
    /// (DESIGN invariant 8).
    static let batchesAheadMax = 32
    /// Appliers: two where there are two cores to run them on (the decoder shares them).
    static var appliersDefault: Int { min(2, Parallelism.coreCount) }

    /// A decoded record on its way to `apply`.
    struct Decoded: Sendable {
        var lsn: UInt64
        var version: UInt16
        var event: MallEvent
    }

    /// Why the decoder stopped; it sends nothing after this.
    enum End: Sendable {
        /// The log (or `Limit.throughLSN`) ended.
        case endOfLog
        /// The next record is stamped after `Limit.untilTimeMs`.
        case reachedTimeLimit
        /// Reading or decoding failed; reported once the records before it applied.
        case failed(any Error)
        /// Every applier stopped (an apply failure) and asked the decoder to stop.
        case cancelled
    }

    /// Where a record is in the log: its batch's number and its index in the batch.
    struct Position: Sendable, Comparable {
        var batch: Int
        var index: Int

        static func < (lhs: Position, rhs: Position) -> Bool { (lhs.batch, lhs.index) < (rhs.batch, rhs.index) }
    }

    /// An applier's failure, ordered as sequential replay would meet it: by the record's place
    /// in the log, then by the step of `apply` (one record can fail in two shares).
    struct ApplyFailure: Sendable {
        var position: Position
        var step: EngineState.Step
        var failure: Recovery.Failure

        func precedes(_ other: ApplyFailure) -> Bool { (position, step) < (other.position, other.step) }
    }

    static func replay(into state: inout EngineState, directory: String, limit: Recovery.Limit,
                       report: inout Recovery.Report, batchRecordsMax: Int = ReplayPipeline.batchRecordsMax,
                       batchesAheadMax: Int = ReplayPipeline.batchesAheadMax,
                       appliers: Int = ReplayPipeline.appliersDefault) throws {
        let batchRecordsMax = max(1, batchRecordsMax)
        let shares = self.shares(appliers: appliers, shardCount: state.shardCount)
        let queue = BatchQueue(batchesMax: batchesAheadMax, appliers: shares.count)
        let from = state.lastLSN + 1
        let decoder = Thread {
            decode(directory: directory, from: from, limit: limit, batchRecordsMax: batchRecordsMax, into: queue)
        }
        decoder.name = "mall-replay-decoder"
        decoder.start()
        let helpers = startHelpers(shares: shares.dropFirst(), taking: &state, queue: queue, directory: directory)
        let applied = run(applier: 0, share: shares[0], state: &state, queue: queue, directory: directory)
        let (failure, end) = queue.waitForAppliersAndDecoder()
        for helper in helpers { helper.giveBack(into: &state) }
        if let failure { throw failure.failure }
        if case .failed(let error) = end { throw error }
        report.recordsReplayed += applied
    }

    /// The caller's share first: the global parts, the inventory and the user shards no helper takes.
    static func shares(appliers: Int, shardCount: Int) -> [EngineState.Share] {
        guard appliers > 1, shardCount > 0 else { return [.all] }
        // The caller also applies the inventory (a fifth of the apply work in a flash sale), so
        // the helper takes the larger part of the user shards (each order's insert).
        let helperCount = max(1, min(shardCount, (shardCount * 5 + 4) / 8))
        let helperShards = (0..<shardCount).map { $0 < helperCount }
        return [
            EngineState.Share(hasGlobalParts: true, hasInventory: true, userShards: helperShards.map { !$0 }),
            EngineState.Share(hasGlobalParts: false, hasInventory: false, userShards: helperShards),
        ]
    }

    private static func startHelpers(shares: ArraySlice<EngineState.Share>, taking state: inout EngineState,
                                     queue: BatchQueue, directory: String) -> [HelperApplier] {
        shares.enumerated().map { offset, share in
            let helper = HelperApplier(share: share, taking: &state)
            let thread = Thread {
                _ = run(applier: offset + 1, share: share, state: &helper.state, queue: queue, directory: directory)
            }
            thread.name = "mall-replay-applier-\(offset + 1)"
            thread.start()
            return helper
        }
    }

    /// One applier's loop: its share of every batch, until the end, or a failure (its own, or
    /// another applier's before the records it reaches). Leaves the queue when it stops.
    /// - Returns: the records it went through.
    private static func run(applier: Int, share: EngineState.Share, state: inout EngineState, queue: BatchQueue,
                            directory: String) -> Int {
        var applied = 0
        defer { queue.leave(applier: applier) }
        while case .batch(let batch, let number, let failedAt) = queue.next(applier: applier) {
            // Another applier failed at `failedAt`: no failure after it can come first.
            let lastIndex: Int = failedAt.map { $0.batch < number ? -1 : $0.batch == number ? $0.index : .max } ?? .max
            let failure = batch.withUnsafeBufferPointer { records in
                apply(records, upTo: lastIndex, share: share, to: &state, applied: &applied)
            }
            if let failure {
                let record = batch[failure.index]
                queue.fail(ApplyFailure(
                    position: Position(batch: number, index: failure.index), step: failure.error.step,
                    failure: .unappliable(segment: Recovery.segmentName(holding: record.lsn, in: directory), lsn: record.lsn,
                                          event: "\(record.event.tag.name) v\(record.version)",
                                          reason: failure.error.error.reason)))
                return applied
            }
            if lastIndex < batch.count { return applied }
        }
        return applied
    }

    /// Applies `share` of `records[...lastIndex]`; returns the first failure. The events are read
    /// in place through the buffer: iterating the array would copy each (large) event out of it
    /// and retain and release what it holds.
    private static func apply(_ records: UnsafeBufferPointer<Decoded>, upTo lastIndex: Int, share: EngineState.Share,
                              to state: inout EngineState, applied: inout Int) -> (index: Int, error: EngineState.StepFailure)? {
        for index in records.indices {
            if index > lastIndex { return nil }
            do throws(EngineState.StepFailure) {
                try state.apply(records[index].event, lsn: records[index].lsn, share: share)
            } catch {
                return (index, error)
            }
            applied += 1
        }
        return nil
    }

    /// The decoder thread's body: every record from `from` on, decoded, in batches, then the end.
    private static func decode(directory: String, from: UInt64, limit: Recovery.Limit, batchRecordsMax: Int,
                               into queue: BatchQueue) {
        struct Stop: Error {}
        struct Cancelled: Error {}
        var batch: [Decoded] = []
        batch.reserveCapacity(batchRecordsMax)
        let end: End
        do {
            try WALReader(directory: directory).forEachInPlace(from: from, through: limit.throughLSN) { view, frame in
                if let untilMs = limit.untilTimeMs, view.timestampMs > untilMs { throw Stop() }
                let event: MallEvent
                do {
                    event = try MallEvent.decode(tag: view.typeTag, version: view.version, bytes: frame, range: view.payload)
                } catch {
                    throw Recovery.Failure.badRecord(segment: Recovery.segmentName(holding: view.lsn, in: directory),
                                                     lsn: view.lsn, reason: "\(error)")
                }
                batch.append(Decoded(lsn: view.lsn, version: view.version, event: event))
                if batch.count == batchRecordsMax {
                    guard queue.push(batch) else { throw Cancelled() }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            end = .endOfLog
        } catch is Stop {
            end = .reachedTimeLimit
        } catch is Cancelled {
            end = .cancelled
        } catch {
            end = .failed(error)
        }
        queue.finish(last: batch, end)
    }
}

extension ReplayPipeline {
    /// A helper applier's part of the state: its user shards, moved out of the caller's state
    /// for the replay and moved back after it.
    // @unchecked Sendable: `state` is written by the caller before the helper's thread starts,
    // then only by that thread, and read again by the caller only after the helper has left the
    // queue (`BatchQueue.leave` and `waitForAppliersAndDecoder` hold the queue's lock, which
    // orders the two).
    final class HelperApplier: @unchecked Sendable {
        var state: EngineState
        let share: EngineState.Share

        init(share: EngineState.Share, taking from: inout EngineState) {
            self.share = share
            state = EngineState(shardCount: from.shardCount)
            for index in from.users.indices where share.hasUserShard(index) {
                swap(&state.users[index], &from.users[index])
            }
        }

        func giveBack(into target: inout EngineState) {
            for index in target.users.indices where share.hasUserShard(index) {
                swap(&state.users[index], &target.users[index])
            }
        }
    }

    /// A bounded hand-over from one decoder thread to every applier: each applier takes every
    /// batch, and a batch is dropped once the slowest applier has taken it.
    // @unchecked Sendable: `batches`, `firstNumber`, `cursors`, `end`, `failure` and
    // `isCancelled` are only read or written with `condition` locked; the threads share nothing else.
    final class BatchQueue: @unchecked Sendable {
        enum Item {
            /// A batch, its number (from 0, in log order), and where the first failure an
            /// applier met so far is.
            case batch([Decoded], number: Int, failedAt: Position?)
            case end(End)
        }

        private static let left = Int.max

        private let condition = NSCondition()
        private let batchesMax: Int
        /// Batches not yet taken by every applier; `batches[0]` is batch number `firstNumber`.
        private var batches: [[Decoded]] = []
        private var firstNumber = 0
        /// The number of the next batch each applier takes; `left` once it stopped.
        private var cursors: [Int]
        private var end: End?
        private var failure: ApplyFailure?
        private var isCancelled = false

        init(batchesMax: Int, appliers: Int = 1) {
            self.batchesMax = max(1, batchesMax)
            cursors = Array(repeating: 0, count: max(1, appliers))
        }

        /// Decoder: waits while `batchesMax` batches are queued. False when every applier stopped.
        func push(_ batch: [Decoded]) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while batches.count >= batchesMax && !isCancelled { condition.wait() }
            guard !isCancelled else { return false }
            batches.append(batch)
            condition.broadcast()
            return true
        }

        /// Decoder: the last (possibly empty) batch and why it stopped. Never waits.
        func finish(last batch: [Decoded], _ end: End) {
            condition.lock()
            defer { condition.unlock() }
            if !batch.isEmpty && !isCancelled { batches.append(batch) }
            self.end = end
            condition.broadcast()
        }

        /// Applier: its next batch, or the end once it has taken every batch before it.
        func next(applier: Int) -> Item {
            condition.lock()
            defer { condition.unlock() }
            while cursors[applier] - firstNumber >= batches.count && end == nil { condition.wait() }
            let offset = cursors[applier] - firstNumber
            guard offset < batches.count else {
                guard let end else { preconditionFailure("the wait ends on a batch or the end") }
                return .end(end)
            }
            let batch = batches[offset]
            let number = cursors[applier]
            cursors[applier] += 1
            dropTaken()
            return .batch(batch, number: number, failedAt: failure?.position)
        }

        /// Applier: keeps the failure that sequential replay would meet first.
        func fail(_ failure: ApplyFailure) {
            condition.lock()
            defer { condition.unlock() }
            if let kept = self.failure, !failure.precedes(kept) { return }
            self.failure = failure
        }

        /// Applier: it takes no more batches. Once every applier has stopped, so does the decoder.
        func leave(applier: Int) {
            condition.lock()
            defer { condition.unlock() }
            cursors[applier] = Self.left
            if cursors.allSatisfy({ $0 == Self.left }) {
                isCancelled = true
                batches.removeAll()
            } else {
                dropTaken()
            }
            condition.broadcast()
        }

        /// Caller, after leaving: waits until every applier has left and the decoder has
        /// finished, so no thread still reads the WAL or the state after recovery returns.
        func waitForAppliersAndDecoder() -> (ApplyFailure?, End) {
            condition.lock()
            defer { condition.unlock() }
            while !isCancelled || end == nil { condition.wait() }
            guard let end else { preconditionFailure("the wait ends once the decoder has finished") }
            return (failure, end)
        }

        /// Drops the batches every applier has taken, and lets the decoder go on.
        private func dropTaken() {
            guard let slowest = cursors.min(), slowest != Self.left else { return }
            let taken = slowest - firstNumber
            guard taken > 0 else { return }
            batches.removeFirst(taken)
            firstNumber += taken
            condition.broadcast()
        }
    }
}
