@testable import Archive
import Testing

/// When the background archiver writes and when it yields, without a database or a clock.
@Suite("Archive pacing")
struct ArchivePacingTests {
    let settings = ArchivePacing.Settings(busyRecordsPerSecond: 1_000, lagRecordsMax: 20_000, deferMsMax: 10_000,
                                          batchRecordsMax: 10_000, busyBatchRecordsMax: 50_000,
                                          idleIntervalMs: 200, busyIntervalMs: 500)

    @Test("a quiet engine's records are archived at once, in ordinary batches; nothing to write means waiting")
    func quiet() {
        var pacing = ArchivePacing(settings: settings)
        #expect(pacing.decide(nowMs: 0, durableLSN: 0, checkpoint: 0) == .wait(ms: 200))
        #expect(pacing.decide(nowMs: 1_000, durableLSN: 50, checkpoint: 0) == .write(recordsMax: 10_000))
        #expect(!pacing.isBusy)
    }

    /// A burst of `ratePerSecond` appends for `burstMs`, then quiet; the archiver writes
    /// `writeRatePerSecond` records per second of batch time. Returns the largest lag seen while
    /// deferring was allowed, the largest lag overall, and how long after the burst the lag was 0.
    private func simulate(ratePerSecond: UInt64, burstMs: Int64, writeRatePerSecond: UInt64)
        -> (peakLag: UInt64, writes: Int, drainedAfterMs: Int64?) {
        var pacing = ArchivePacing(settings: settings)
        var nowMs: Int64 = 0
        var durable: UInt64 = 0
        var checkpoint: UInt64 = 0
        var peakLag: UInt64 = 0
        var writes = 0
        func advance(_ ms: Int64) {
            let burstLeftMs = max(0, min(ms, burstMs - nowMs))
            durable += ratePerSecond * UInt64(burstLeftMs) / 1_000
            nowMs += ms
            peakLag = max(peakLag, durable - checkpoint)
        }
        while nowMs < burstMs + 60_000 {
            switch pacing.decide(nowMs: nowMs, durableLSN: durable, checkpoint: checkpoint) {
            case .wait(let ms):
                if nowMs > burstMs && durable == checkpoint { return (peakLag, writes, nowMs - burstMs) }
                advance(Int64(ms))
            case .write(let recordsMax):
                let records = min(UInt64(recordsMax), durable - checkpoint)
                advance(Int64(records * 1_000 / writeRatePerSecond) + 5) // + a commit
                checkpoint += records
                writes += 1
                pacing.wrote(nowMs: nowMs)
            }
        }
        return (peakLag, writes, nil)
    }

    @Test("during a burst the archiver defers until the lag bound, never lets it grow past the bound plus one batch, and drains after")
    func burstIsBounded() {
        // 20k records/s for 10 s; the archiver alone writes 40k records/s.
        let run = simulate(ratePerSecond: 20_000, burstMs: 10_000, writeRatePerSecond: 40_000)
        let oneBatchMs = UInt64(settings.busyBatchRecordsMax) * 1_000 / 40_000 + 5
        #expect(run.peakLag <= UInt64(settings.lagRecordsMax) + 20_000 * (oneBatchMs + UInt64(settings.busyIntervalMs)) / 1_000)
        #expect(run.writes > 0)
        #expect(run.drainedAfterMs.map { $0 <= 10_000 } == true, "drained after \(String(describing: run.drainedAfterMs)) ms")
    }

    @Test("a burst that stays under the lag bound is written in one go when the time bound passes")
    func deferIsTimeBounded() {
        var pacing = ArchivePacing(settings: settings)
        #expect(pacing.decide(nowMs: 0, durableLSN: 0, checkpoint: 0) == .wait(ms: 200))
        // 2,000 records/s: busy, but 10 s of it stays under the 20k-record bound.
        var decisions: [ArchivePacing.Decision] = []
        for second in 1...11 {
            decisions.append(pacing.decide(nowMs: Int64(second) * 1_000, durableLSN: UInt64(second) * 2_000, checkpoint: 0))
        }
        #expect(decisions.prefix(9).allSatisfy { $0 == .wait(ms: 500) })
        #expect(decisions[9] == .write(recordsMax: 50_000)) // 10 s since the archive was last level
        #expect(pacing.isBusy)
    }

    @Test("a busy rate of 0 never defers; a clock that goes back or an LSN that leaps does not trap")
    func edges() {
        var never = ArchivePacing(settings: .init(busyRecordsPerSecond: 0))
        #expect(never.decide(nowMs: 0, durableLSN: 0, checkpoint: 0) == .wait(ms: 200))
        #expect(never.decide(nowMs: 1_000, durableLSN: 1_000_000, checkpoint: 0) == .write(recordsMax: 10_000))

        var pacing = ArchivePacing(settings: settings)
        _ = pacing.decide(nowMs: 5_000, durableLSN: 10, checkpoint: 0)
        _ = pacing.decide(nowMs: 1_000, durableLSN: 20, checkpoint: 0)   // clock went back
        _ = pacing.decide(nowMs: .max, durableLSN: .max, checkpoint: 0)  // absurd leap
        #expect(pacing.decide(nowMs: .min, durableLSN: 0, checkpoint: .max) == .wait(ms: 200))
        _ = pacing.decide(nowMs: .max, durableLSN: .max, checkpoint: 0)
    }

    @Test("settings out of range are raised to their least value rather than trapping")
    func settingsAreRaised() {
        let pacing = ArchivePacing(settings: .init(busyRecordsPerSecond: -5, lagRecordsMax: 0, deferMsMax: -1, batchRecordsMax: 0,
                                                   busyBatchRecordsMax: -2, idleIntervalMs: 0, busyIntervalMs: -9))
        #expect(pacing.settings == .init(busyRecordsPerSecond: 0, lagRecordsMax: 1, deferMsMax: 1, batchRecordsMax: 1,
                                         busyBatchRecordsMax: 1, idleIntervalMs: 1, busyIntervalMs: 1))
    }
}
