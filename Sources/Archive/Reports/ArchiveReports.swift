import Logging
import PostgresNIO

/// The back office's read side over the archive: order list and detail,
/// dashboard figures, the stock log and the CSV export, all from one `PostgresClient` pool.
/// Read-only: nothing here writes to the archive.
public struct ArchiveReports: Sendable {
    public let orders: OrderQueries
    public let stats: StatsQueries
    public let stockLogs: StockLogQueries

    /// `timeZone` is the shop's, for days and hours in the statistics.
    public init(client: PostgresClient, timeZone: String = StatsQueries.defaultTimeZone,
                logger: Logger = Logger(label: "mall.archive.reports")) throws(ReportError) {
        orders = OrderQueries(client: client, logger: logger)
        stats = try StatsQueries(client: client, timeZone: timeZone, logger: logger)
        stockLogs = StockLogQueries(client: client, logger: logger)
    }

    public func export(filter: OrderFilter) throws(ReportError) -> OrderExport {
        try OrderExport(queries: orders, filter: filter)
    }
}
