import Foundation
import Snapshot
import WAL

/// Rebuilds state from the newest valid snapshot plus the WAL after it. The
/// same code serves start-up, the background snapshotter, `mall replay` and
/// the tests that compare live and replayed digests.
public enum Recovery {
    public struct Limit: Sendable {
        public var throughLSN: UInt64 = .max
        /// Stop before the first record stamped after this time (ms since 1970).
        public var untilTimeMs: Int64? = nil
        public static let none = Limit()

        public init(throughLSN: UInt64 = .max, untilTimeMs: Int64? = nil) {
            self.throughLSN = throughLSN
            self.untilTimeMs = untilTimeMs
        }
    }

    public struct Report: Sendable, CustomStringConvertible {
        public var snapshotFile: String?
        public var snapshotLSN: UInt64 = 0
        public var skippedSnapshots: [String] = []
        public var recordsReplayed = 0
        public var lastLSN: UInt64 = 0
        public var durationMs: Int64 = 0

        public var description: String {
            let snapshot = snapshotFile.map { "snapshot \($0) (lsn \(snapshotLSN))" } ?? "no snapshot"
            let skipped = skippedSnapshots.isEmpty ? "" : "; skipped bad snapshots: \(skippedSnapshots.joined(separator: ", "))"
            return "\(snapshot) + \(recordsReplayed) WAL records -> lsn \(lastLSN) in \(durationMs) ms\(skipped)"
        }
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case badSnapshot(file: String, reason: String)
        case badRecord(segment: String, lsn: UInt64, reason: String)
        /// A record that decodes but does not fit the state it meets (DESIGN invariant 9).
        case unappliable(segment: String, lsn: UInt64, event: String, reason: String)

        public var description: String {
            switch self {
            case .badSnapshot(let file, let reason): "snapshot \(file) does not decode: \(reason)"
            case .badRecord(let segment, let lsn, let reason): "WAL record at lsn \(lsn) in \(segment) does not decode: \(reason)"
            case .unappliable(let segment, let lsn, let event, let reason):
                "WAL record at lsn \(lsn) in \(segment) (\(event)) does not apply: \(reason); "
                    + "recovery stopped before it (mall wal inspect shows it, mall wal truncate cuts the log before it)"
            }
        }
    }

    /// How the WAL tail is replayed. Both give the same state and fail at the same record.
    enum ReplayStrategy {
        /// Read, decode and apply on the calling thread: the reference the pipeline is tested against.
        case sequential
        /// Read and decode on a thread of its own while the calling thread, and with two appliers
        /// a helper thread, apply (`ReplayPipeline`); tests make the batches small to exercise the
        /// hand-over, and choose the appliers.
        case pipelined(batchRecordsMax: Int = ReplayPipeline.batchRecordsMax,
                       batchesAheadMax: Int = ReplayPipeline.batchesAheadMax,
                       appliers: Int = ReplayPipeline.appliersDefault)
    }

    public static func rebuild(
        configuration: EngineConfiguration, limit: Limit = .none, clock: any EngineClock = SystemClock()
    ) throws -> (EngineState, Report) {
        try rebuild(configuration: configuration, limit: limit, clock: clock, strategy: .pipelined())
    }

    static func rebuild(
        configuration: EngineConfiguration, limit: Limit = .none, clock: any EngineClock = SystemClock(),
        strategy: ReplayStrategy
    ) throws -> (EngineState, Report) {
        let startedMs = clock.nowMs()
        var report = Report()
        var state = EngineState(shardCount: configuration.shardCount)
        let snapshots = SnapshotStore(directory: configuration.snapshotDirectory, retainCount: configuration.snapshotRetainCount)
        // Newest first; a snapshot that fails its checksums is reported and the previous one used.
        for info in try snapshots.list() where info.lsn <= limit.throughLSN {
            let payload: [UInt8]
            do {
                payload = try snapshots.read(info)
            } catch {
                report.skippedSnapshots.append("\(info.file): \(error)")
                continue
            }
            do {
                state = try EngineState(decoding: payload, shardCount: configuration.shardCount)
            } catch {
                throw Failure.badSnapshot(file: info.file, reason: "\(error)")
            }
            report.snapshotFile = info.file
            report.snapshotLSN = state.lastLSN
            break
        }
        switch strategy {
        case .sequential:
            try replayWALSequentially(into: &state, directory: configuration.walDirectory, limit: limit, report: &report)
        case .pipelined(let batchRecordsMax, let batchesAheadMax, let appliers):
            try ReplayPipeline.replay(into: &state, directory: configuration.walDirectory, limit: limit, report: &report,
                                      batchRecordsMax: batchRecordsMax, batchesAheadMax: batchesAheadMax,
                                      appliers: appliers)
        }
        report.lastLSN = state.lastLSN
        report.durationMs = clock.nowMs() - startedMs
        return (state, report)
    }

    static func replayWALSequentially(into state: inout EngineState, directory: String, limit: Limit, report: inout Report) throws {
        let reader = WALReader(directory: directory)
        struct Stop: Error {}
        do {
            try reader.forEach(from: state.lastLSN + 1, through: limit.throughLSN) { record in
                if let untilMs = limit.untilTimeMs, record.timestampMs > untilMs { throw Stop() }
                let event: MallEvent
                do {
                    event = try MallEvent.decode(tag: record.typeTag, version: record.version, payload: record.payload)
                } catch {
                    throw Failure.badRecord(segment: segmentName(holding: record.lsn, in: directory), lsn: record.lsn,
                                            reason: "\(error)")
                }
                do throws(ApplyError) {
                    try state.apply(event, lsn: record.lsn)
                } catch {
                    throw Failure.unappliable(segment: segmentName(holding: record.lsn, in: directory), lsn: record.lsn,
                                              event: "\(event.tag.name) v\(record.version)", reason: error.reason)
                }
                report.recordsReplayed += 1
            }
        } catch is Stop {
            return
        }
    }
}

extension Recovery {
    /// The segment file that holds `lsn`: segments are named by their first LSN in 16 hex digits.
    static func segmentName(holding lsn: UInt64, in directory: String) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let holding = names
            .filter { $0.hasSuffix(".seg") }
            .compactMap { name in UInt64(name.dropLast(4), radix: 16).map { (name, $0) } }
            .filter { $0.1 <= lsn }
            .max { $0.1 < $1.1 }
        return holding.map { directory + "/" + $0.0 } ?? "\(directory) (no segment holds it)"
    }
}
