import Archive
import Hummingbird
import Logging

/// The back office's read side, served from the PostgreSQL archive
/// (`ArchiveReports`). A protocol so that routes can be tested without a
/// database; `MallServices.reports` is nil when no archive is configured.
public protocol ReportService: Sendable {
    func listOrders(filter: OrderFilter, page: PageRequest) async throws -> OrderPage
    func orderDetail(id: UInt64) async throws -> OrderDetail?
    /// Validates the filter at once (throws `ReportError`); rows are read as the sequence is consumed.
    func exportOrders(filter: OrderFilter) throws -> any AsyncSequence<ByteBuffer, any Error> & Sendable
    func overview(nowMs: Int64) async throws -> StatsOverview
    func sales(fromMs: Int64, toMs: Int64, granularity: SalesGranularity) async throws -> SalesSeries
    func topProducts(by ranking: TopProductRanking, limit: Int, fromMs: Int64?, toMs: Int64?) async throws -> TopProducts
    func seckillReport(activityID: UInt64) async throws -> SeckillReport?
}

extension ArchiveReports: ReportService {
    public func listOrders(filter: OrderFilter, page: PageRequest) async throws -> OrderPage {
        try await orders.list(filter: filter, page: page)
    }

    public func orderDetail(id: UInt64) async throws -> OrderDetail? {
        try await orders.detail(id: id)
    }

    public func exportOrders(filter: OrderFilter) throws -> any AsyncSequence<ByteBuffer, any Error> & Sendable {
        try export(filter: filter)
    }

    public func overview(nowMs: Int64) async throws -> StatsOverview {
        try await stats.overview(nowMs: nowMs)
    }

    public func sales(fromMs: Int64, toMs: Int64, granularity: SalesGranularity) async throws -> SalesSeries {
        try await stats.sales(fromMs: fromMs, toMs: toMs, granularity: granularity)
    }

    public func topProducts(by ranking: TopProductRanking, limit: Int, fromMs: Int64?, toMs: Int64?) async throws -> TopProducts {
        try await stats.topProducts(by: ranking, limit: limit, fromMs: fromMs, toMs: toMs)
    }

    public func seckillReport(activityID: UInt64) async throws -> SeckillReport? {
        try await stats.seckillReport(activityID: activityID)
    }
}

extension APIError {
    /// The one place report errors become API codes.
    init(_ error: ReportError) {
        switch error {
        case .invalidArgument(let field, let rule): self = .invalid(field, rule)
        case .invalidCursor(let reason): self = .invalid("cursor", reason)
        case .databaseUnavailable: self.init(.unavailable, "the archive database is unreachable; retry shortly")
        case .unexpectedResult: self.init(.internalError)
        }
    }

    static let archiveOff = APIError(
        .unavailable, "the archive is not configured: set MALL_DATABASE_URL to a PostgreSQL database to enable back-office reports")
}

/// How long a report may take before the request answers 503. Without it a
/// request would wait for the pool's circuit breaker (about a minute) when
/// PostgreSQL is down; the back office would rather hear "retry" at once.
let reportTimeout = Duration.seconds(20)

/// Runs a report call: refuses with 503 when the archive is off or does not
/// answer within `reportTimeout`, and maps `ReportError` to its API code.
/// Outages and bugs are logged with the request id; their cause stays in the log.
func withReports<Result: Sendable>(
    _ reports: (any ReportService)?, context: MallRequestContext,
    _ body: @escaping @Sendable (any ReportService) async throws -> Result
) async throws -> Result {
    guard let reports else { throw APIError.archiveOff }
    do {
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await body(reports) }
            group.addTask {
                try await Task.sleep(for: reportTimeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw ReportError.databaseUnavailable(underlying: ReportTimeout())
            }
            return result
        }
    } catch let error as ReportError {
        switch error {
        case .invalidArgument, .invalidCursor:
            throw APIError(error)
        case .databaseUnavailable:
            context.logger.error("archive report failed", metadata: ["error": "\(error)", "requestId": "\(context.id)"])
            throw APIError(error)
        case .unexpectedResult:
            context.logger.error("archive report failed", metadata: ["error": "\(error)", "requestId": "\(context.id)"])
            throw APIError(.internalError, "server error (request \(context.id))")
        }
    }
}

struct ReportTimeout: Error, CustomStringConvertible {
    var description: String { "no answer from the archive database within \(reportTimeout)" }
}
