import Engine
import Hummingbird
import Prometheus
import WAL

/// Liveness, readiness and metrics for the operator. The server listens only
/// once recovery has finished, so `/readyz` is unreachable while it runs; after
/// it, `/readyz` answers 200 only while writes can be acknowledged, and 503
/// with the reason once the WAL writer has failed. Its detail says what
/// recovery did, whether the archive is on and whether login and payments are
/// the sandbox's.
struct HealthController {
    let engine: MallEngine
    let metrics: MallMetrics
    let archiveStatus: @Sendable () async -> ArchiveStatus
    let sandbox: Bool

    func addRoutes(to router: Router<MallRequestContext>) {
        router.get("healthz") { _, _ in Envelope(["status": "ok"]) }
        router.get("readyz", use: ready)
        router.get("metrics", use: prometheus)
    }

    struct Readiness: Encodable, Sendable {
        var ready: Bool
        /// Why writes cannot be acknowledged, when they cannot.
        var reason: String?
        var recovery: String
        var durableLsn: UInt64
        var fsync: String
        var archive: ArchiveStatus
        /// Started with `--sandbox`: logins and payments are fake.
        var sandbox: Bool
    }

    @Sendable func ready(_ request: Request, context: MallRequestContext) async throws -> Response {
        let fsync = engine.configuration.fsyncPolicy == .always ? "always" : "none (NOT DURABLE: benchmarks only)"
        let failure = engine.writeFailure.map { "the write-ahead log failed; no write is acknowledged until a restart: \($0)" }
        let readiness = Readiness(ready: failure == nil, reason: failure, recovery: engine.recoveryReport.description,
                                  durableLsn: engine.durableLSN, fsync: fsync, archive: await archiveStatus(),
                                  sandbox: sandbox)
        var envelope = Envelope(readiness)
        if let failure {
            (envelope.code, envelope.message, envelope.status) = (APICode.unavailable.rawValue, failure, APICode.unavailable.status)
        }
        return try envelope.response(from: request, context: context)
    }

    @Sendable func prometheus(_ request: Request, context: MallRequestContext) async throws -> Response {
        metrics.refresh(engine: engine, archive: await archiveStatus(), sandbox: sandbox)
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}

/// What `/readyz` and `/metrics` say of the PostgreSQL archive. Lag never makes the server unready.
public struct ArchiveStatus: Encodable, Sendable {
    public var enabled: Bool
    public var detail: String
    public var checkpointLsn: UInt64?
    public var lagRecords: UInt64?
    public var lagSeconds: Double?

    public init(enabled: Bool, detail: String, checkpointLsn: UInt64? = nil, lagRecords: UInt64? = nil, lagSeconds: Double? = nil) {
        (self.enabled, self.detail, self.checkpointLsn, self.lagRecords, self.lagSeconds) = (enabled, detail, checkpointLsn, lagRecords, lagSeconds)
    }

    public static let off = ArchiveStatus(enabled: false, detail: "archive off: no MALL_DATABASE_URL configured")
}

/// The server's gauges, kept in its own registry (no global bootstrap, so tests stay independent).
public final class MallMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let durableLSN: Gauge
    private let walFrames: Gauge
    private let walRecords: Gauge
    private let walFsyncs: Gauge
    private let archiveLagRecords: Gauge
    private let archiveLagSeconds: Gauge
    private let sandbox: Gauge

    public init() {
        durableLSN = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mall", metricName: "wal_durable", unitName: "lsn", helpText: "Highest LSN fsynced to the write-ahead log"))
        walFrames = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mall", metricName: "wal_frames", unitName: "total", helpText: "Group-commit frames written since start"))
        walRecords = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mall", metricName: "wal_records", unitName: "total", helpText: "WAL records written since start"))
        walFsyncs = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mall", metricName: "wal_fsyncs", unitName: "total", helpText: "fdatasync calls since start"))
        archiveLagRecords = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mall", metricName: "archive_lag", unitName: "records", helpText: "WAL records not yet archived to PostgreSQL"))
        archiveLagSeconds = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mall", metricName: "archive_lag", unitName: "seconds", helpText: "Age of the oldest WAL record not yet archived"))
        sandbox = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "mall", metricName: "sandbox", unitName: "", helpText: "1 when started with --sandbox: logins and payments are fake"))
    }

    func refresh(engine: MallEngine, archive: ArchiveStatus, sandbox isSandbox: Bool) {
        let statistics = engine.walStatistics
        durableLSN.set(Double(engine.durableLSN))
        walFrames.set(Double(statistics.framesWritten))
        walRecords.set(Double(statistics.recordsWritten))
        walFsyncs.set(Double(statistics.fsyncs))
        archiveLagRecords.set(Double(archive.lagRecords ?? 0))
        archiveLagSeconds.set(archive.lagSeconds ?? 0)
        sandbox.set(isSandbox ? 1.0 : 0.0)
    }
}
