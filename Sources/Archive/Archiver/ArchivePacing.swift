/// When the background archiver writes, so that it yields to the request path during a burst.
///
/// The archiver, PostgreSQL and the server share the machine's cores: every batch written during a
/// flash sale takes CPU from purchases. The load signal is the WAL's append rate (durable records
/// per second, sampled at each decision): at or above `busyRecordsPerSecond` the archiver defers,
/// letting the lag grow, and writes only when the lag reaches `lagRecordsMax` records or
/// `deferMsMax` has passed since it last wrote; it then writes one large batch and defers again.
/// Below the threshold it writes as soon as there is anything to write.
///
/// The bound: while busy the archive is behind by at most `lagRecordsMax` records (or
/// `deferMsMax` of records), plus what the WAL appends while one batch is being written, as long
/// as the archiver writes faster than orders arrive (it never defers at or above the bound). After
/// the burst the rate falls under the threshold and the archiver writes back to back.
///
/// A pure state machine (no clock, no I/O): `Archiver.run()` feeds it the time and LSNs and does
/// what it returns.
struct ArchivePacing: Sendable {
    struct Settings: Sendable, Equatable {
        /// WAL append rate from which the archiver defers; 0 never defers.
        var busyRecordsPerSecond = 2_000
        /// Deferring stops at this lag, in records.
        var lagRecordsMax = 100_000
        /// Deferring stops when the last write is this old.
        var deferMsMax = 10_000
        /// Records per batch when the archiver is not deferring.
        var batchRecordsMax = 10_000
        /// Records per batch written while busy: larger, so the fixed cost of a transaction is paid rarely.
        var busyBatchRecordsMax = 50_000
        /// Wait before looking again when there is nothing to write.
        var idleIntervalMs = 200
        /// Wait before looking again while deferring.
        var busyIntervalMs = 500
    }

    enum Decision: Equatable, Sendable {
        case write(recordsMax: Int)
        case wait(ms: Int)
    }

    let settings: Settings
    private var sample: (atMs: Int64, durableLSN: UInt64)?
    /// The WAL's append rate over the last sampling interval.
    private(set) var appendRecordsPerSecond: UInt64 = 0
    private var lastWriteMs: Int64?

    /// Intervals shorter than this keep the previous rate (a burst of decisions in one millisecond
    /// says nothing about the rate).
    static let sampleMsMin: Int64 = 100

    /// Settings out of range are raised to their least meaningful value (a rate of 0, bounds,
    /// batches and intervals of 1), so no configuration can make the machine stall or trap.
    init(settings: Settings) {
        var settings = settings
        settings.busyRecordsPerSecond = max(0, settings.busyRecordsPerSecond)
        settings.lagRecordsMax = max(1, settings.lagRecordsMax)
        settings.deferMsMax = max(1, settings.deferMsMax)
        settings.batchRecordsMax = max(1, settings.batchRecordsMax)
        settings.busyBatchRecordsMax = max(1, settings.busyBatchRecordsMax)
        settings.idleIntervalMs = max(1, settings.idleIntervalMs)
        settings.busyIntervalMs = max(1, settings.busyIntervalMs)
        self.settings = settings
    }

    var isBusy: Bool {
        settings.busyRecordsPerSecond > 0 && appendRecordsPerSecond >= UInt64(settings.busyRecordsPerSecond)
    }

    /// What to do now, with the WAL durable through `durableLSN` and the archive through `checkpoint`.
    mutating func decide(nowMs: Int64, durableLSN: UInt64, checkpoint: UInt64) -> Decision {
        observe(nowMs: nowMs, durableLSN: durableLSN)
        let lag = durableLSN > checkpoint ? durableLSN - checkpoint : 0
        guard lag > 0 else {
            lastWriteMs = nowMs // nothing owed: deferring starts counting from here
            return .wait(ms: settings.idleIntervalMs)
        }
        guard isBusy else { return .write(recordsMax: settings.batchRecordsMax) }
        let sinceWriteMs = lastWriteMs.map { nowMs.subtractingReportingOverflow($0) }
        let isOverdue = sinceWriteMs.map { $0.overflow || $0.partialValue >= Int64(settings.deferMsMax) } ?? true
        if lag >= UInt64(settings.lagRecordsMax) || isOverdue {
            return .write(recordsMax: settings.busyBatchRecordsMax)
        }
        return .wait(ms: settings.busyIntervalMs)
    }

    /// A batch was committed at `nowMs`.
    mutating func wrote(nowMs: Int64) {
        lastWriteMs = nowMs
    }

    private mutating func observe(nowMs: Int64, durableLSN: UInt64) {
        guard let sample else {
            self.sample = (nowMs, durableLSN)
            return
        }
        let elapsed = nowMs.subtractingReportingOverflow(sample.atMs)
        if elapsed.overflow || elapsed.partialValue < 0 {
            self.sample = (nowMs, durableLSN) // the clock went back: start again
            return
        }
        guard elapsed.partialValue >= Self.sampleMsMin else { return }
        let appended = durableLSN >= sample.durableLSN ? durableLSN - sample.durableLSN : 0
        let scaled = appended.multipliedReportingOverflow(by: 1_000)
        appendRecordsPerSecond = scaled.overflow ? .max : scaled.partialValue / UInt64(elapsed.partialValue)
        self.sample = (nowMs, durableLSN)
    }
}
