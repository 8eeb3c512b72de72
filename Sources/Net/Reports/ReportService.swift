import Hummingbird
import Logging

/// The back office's read side, as the admin report routes need it. Net owns
/// this protocol and every type in it, so it does not depend on where reports
/// come from: `mall` wires in the PostgreSQL archive through an adapter, tests
/// a fake. `MallServices.reports` is nil when no archive is configured.
///
/// Methods throw `ReportServiceError` for refusals and outages; any other
/// error is a bug and answers 500.
public protocol ReportService: Sendable {
    func listOrders(filter: AdminOrderFilter, page: AdminPageRequest) async throws -> AdminOrderPage
    func orderDetail(id: UInt64) async throws -> AdminOrderDetail?
    /// Validates the filter at once; rows are read as the sequence is consumed.
    func exportOrders(filter: AdminOrderFilter) throws -> any AsyncSequence<ByteBuffer, any Error> & Sendable
    func overview(nowMs: Int64) async throws -> StatsOverview
    func sales(fromMs: Int64, toMs: Int64, granularity: SalesGranularity) async throws -> SalesSeries
    func topProducts(by ranking: TopProductRanking, limit: Int, fromMs: Int64?, toMs: Int64?) async throws -> TopProducts
    func seckillReport(activityID: UInt64) async throws -> SeckillReport?
    /// Stock movements, newest first; `cursor` is the `nextCursor` of the previous page.
    func stockLogs(filter: AdminStockLogFilter, cursor: String?, limit: Int) async throws -> AdminStockLogPage
}

/// Why a report refused or failed; each case maps to one API code.
public enum ReportServiceError: Error, CustomStringConvertible {
    /// An argument broke a rule (400): the field as the API names it, and the rule.
    case invalidArgument(field: String, rule: String)
    /// The cursor is not one this server issued, or was issued for another sort (400).
    case invalidCursor(reason: String)
    /// The report store cannot be reached (503); the cause is for the log only.
    case unavailable(underlying: any Error)
    /// The store answered something it cannot answer: a bug, reported as 500.
    case unexpectedResult(String)

    public var description: String {
        switch self {
        case .invalidArgument(let field, let rule): "\(field): \(rule)"
        case .invalidCursor(let reason): "cursor: \(reason)"
        case .unavailable(let underlying): "report store unavailable: \(String(reflecting: underlying))"
        case .unexpectedResult(let what): "unexpected result: \(what)"
        }
    }
}

extension APIError {
    /// The one place report errors become API codes.
    init(_ error: ReportServiceError) {
        switch error {
        case .invalidArgument(let field, let rule): self = .invalid(field, rule)
        case .invalidCursor(let reason): self = .invalid("cursor", reason)
        case .unavailable: self.init(.unavailable, "the archive database is unreachable; retry shortly")
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
/// answer within `reportTimeout`, and maps `ReportServiceError` to its API code.
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
                throw ReportServiceError.unavailable(underlying: ReportTimeout())
            }
            return result
        }
    } catch let error as ReportServiceError {
        switch error {
        case .invalidArgument, .invalidCursor:
            throw APIError(error)
        case .unavailable:
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
