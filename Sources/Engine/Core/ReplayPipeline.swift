import Foundation
import WAL

/// Replay on two cores: a thread of its own reads the WAL (read, CRC32C, LZ4, record walk) and
/// decodes events into batches, while the caller's thread applies them in LSN order. `apply` sees
/// exactly the sequence sequential replay sees, so the state (and its digest) is the same; a
/// failure is reported at the same record: the decoder's failures travel in order behind the
/// records before them, and an apply failure stops the decoder.
enum ReplayPipeline {
    /// Records per batch handed from the decoder to `apply`: large enough that the hand-over
    /// (a lock and a wake-up) is rare, small enough that the first batch arrives early.
    static let batchRecordsMax = 2_048
    /// Batches decoded ahead of `apply` at most; the decoder waits at the limit (DESIGN invariant 8).
    static let batchesAheadMax = 8

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
        /// Reading or decoding failed; `apply` reports this once the records before it applied.
        case failed(any Error)
        /// `apply` failed and asked the decoder to stop.
        case cancelled
    }

    static func replay(into state: inout EngineState, directory: String, limit: Recovery.Limit,
                       report: inout Recovery.Report, batchRecordsMax: Int = ReplayPipeline.batchRecordsMax,
                       batchesAheadMax: Int = ReplayPipeline.batchesAheadMax) throws {
        let batchRecordsMax = max(1, batchRecordsMax)
        let queue = BatchQueue(batchesMax: batchesAheadMax)
        let from = state.lastLSN + 1
        let decoder = Thread {
            decode(directory: directory, from: from, limit: limit, batchRecordsMax: batchRecordsMax, into: queue)
        }
        decoder.name = "mall-replay-decoder"
        decoder.start()
        while true {
            switch queue.next() {
            case .batch(let batch):
                do {
                    try apply(batch, to: &state, directory: directory, report: &report)
                } catch {
                    queue.cancelAndWaitForEnd()
                    throw error
                }
            case .end(.failed(let error)):
                throw error
            case .end(.endOfLog), .end(.reachedTimeLimit), .end(.cancelled):
                return
            }
        }
    }

    private static func apply(_ batch: [Decoded], to state: inout EngineState, directory: String,
                              report: inout Recovery.Report) throws(Recovery.Failure) {
        for record in batch {
            do throws(ApplyError) {
                try state.apply(record.event, lsn: record.lsn)
            } catch {
                throw .unappliable(segment: Recovery.segmentName(holding: record.lsn, in: directory), lsn: record.lsn,
                                   event: "\(record.event.tag.name) v\(record.version)", reason: error.reason)
            }
            report.recordsReplayed += 1
        }
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
    /// A bounded hand-over from one decoder thread to one applier.
    // @unchecked Sendable: `batches`, `end` and `isCancelled` are only read or written with
    // `condition` locked; the decoder and the applier share nothing else.
    final class BatchQueue: @unchecked Sendable {
        enum Item {
            case batch([Decoded])
            case end(End)
        }

        private let condition = NSCondition()
        private let batchesMax: Int
        private var batches: [[Decoded]] = []
        private var end: End?
        private var isCancelled = false

        init(batchesMax: Int) {
            self.batchesMax = max(1, batchesMax)
        }

        /// Decoder: waits while `batchesMax` batches are queued. False when the applier cancelled.
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

        /// Applier: the next batch, or the end once every batch before it was taken.
        func next() -> Item {
            condition.lock()
            defer { condition.unlock() }
            while batches.isEmpty && end == nil { condition.wait() }
            if !batches.isEmpty {
                condition.broadcast()
                return .batch(batches.removeFirst())
            }
            guard let end else { preconditionFailure("the wait ends on a batch or the end") }
            return .end(end)
        }

        /// Applier: stops the decoder and waits until it has finished, so no thread still reads
        /// the WAL after recovery returns.
        func cancelAndWaitForEnd() {
            condition.lock()
            defer { condition.unlock() }
            isCancelled = true
            batches.removeAll()
            condition.broadcast()
            while end == nil { condition.wait() }
        }
    }
}
