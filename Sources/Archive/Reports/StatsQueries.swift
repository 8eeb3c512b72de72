import Foundation
import Logging
import PostgresNIO

/// Dashboard figures from the archive. Days and hours are the shop's, in
/// `timeZone` (PostgreSQL does the calendar arithmetic, daylight saving included).
public struct StatsQueries: Sendable {
    let client: PostgresClient
    let logger: Logger
    public let timeZone: String

    public static let defaultTimeZone = "Asia/Shanghai"
    public static let topProductsLimitMax = 100

    /// Refuses a time zone name that is not an IANA zone.
    public init(client: PostgresClient, timeZone: String = Self.defaultTimeZone,
                logger: Logger = Logger(label: "mall.archive.reports")) throws(ReportError) {
        guard TimeZone(identifier: timeZone) != nil else {
            throw .invalidArgument(field: "timeZone", rule: "must be an IANA time zone name such as Asia/Shanghai")
        }
        (self.client, self.timeZone, self.logger) = (client, timeZone, logger)
    }

    /// Today and yesterday as of `nowMs`.
    /// - Complexity: one statement; index range scans on orders and users, a scan of payments.
    public func overview(nowMs: Int64) async throws -> StatsOverview {
        var sql = ReportSQL("WITH zone AS (SELECT ")
        sql.bind(timeZone)
        sql.append("::text AS tz, date_trunc('day', ")
        sql.bindTime(ms: nowMs)
        sql.append(" AT TIME ZONE ")
        sql.bind(timeZone)
        sql.append("::text) AS today_local)")
        sql.append(Self.overviewBody)
        var days: [String: DayStats] = [:]
        try await ReportError.mappingConnectionErrors {
            for try await row in try await client.query(sql.query, logger: logger) {
                let (label, stats) = try Self.dayStats(row)
                days[label] = stats
            }
        }
        guard let today = days["today"], let yesterday = days["yesterday"] else {
            throw ReportError.unexpectedResult("the overview statement returned \(days.keys.sorted()), not today and yesterday")
        }
        return StatsOverview(timeZone: timeZone, generatedAt: ReportTime.iso8601(ms: nowMs), today: today, yesterday: yesterday)
    }

    static let overviewBody: StaticString = """
        , days AS (
            SELECT 'today' AS label, today_local AS local_start, tz FROM zone
            UNION ALL SELECT 'yesterday', today_local - interval '1 day', tz FROM zone
        ), ranges AS (
            SELECT label, local_start, local_start AT TIME ZONE tz AS f, (local_start + interval '1 day') AT TIME ZONE tz AS t
              FROM days
        )
        SELECT r.label, to_char(r.local_start, 'YYYY-MM-DD') AS date,
               floor(extract(epoch FROM r.f) * 1000)::bigint AS from_ms,
               floor(extract(epoch FROM r.t) * 1000)::bigint AS to_ms,
               oa.orders, oa.cancelled_orders, oa.paid_orders, oa.gmv_fen, pa.paid_amount_fen, ua.new_users
          FROM ranges r
          CROSS JOIN LATERAL (
              SELECT count(*)::bigint AS orders,
                     (count(*) FILTER (WHERE o.status = 'cancelled'))::bigint AS cancelled_orders,
                     (count(*) FILTER (WHERE o.paid_at IS NOT NULL))::bigint AS paid_orders,
                     COALESCE(sum(o.pay_amount_fen) FILTER (WHERE o.status <> 'cancelled'), 0)::bigint AS gmv_fen
                FROM orders o WHERE o.created_at >= r.f AND o.created_at < r.t) oa
          CROSS JOIN LATERAL (
              SELECT COALESCE(sum(p.amount_fen), 0)::bigint AS paid_amount_fen
                FROM payments p WHERE p.paid_at >= r.f AND p.paid_at < r.t) pa
          CROSS JOIN LATERAL (
              SELECT count(*)::bigint AS new_users
                FROM users u WHERE u.created_at >= r.f AND u.created_at < r.t) ua
        """

    private static func dayStats(_ row: PostgresRow) throws -> (String, DayStats) {
        let (label, date, fromMs, toMs, orders, cancelled, paid, gmvFen, paidAmountFen, newUsers) =
            try row.decode((String, String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
        let stats = DayStats(
            date: date, from: ReportTime.iso8601(ms: fromMs), to: ReportTime.iso8601(ms: toMs),
            orders: orders, cancelledOrders: cancelled, paidOrders: paid, gmvFen: gmvFen, paidAmountFen: paidAmountFen,
            newUsers: newUsers, averageOrderValueFen: Ratio.roundedQuotient(gmvFen, orders - cancelled),
            conversionRate: Ratio.of(paid, orders))
        return (label, stats)
    }

    /// Sales per bucket from `fromMs` (inclusive) to `toMs` (exclusive). The
    /// first and last buckets may be partial; empty buckets are zero-filled.
    /// - Complexity: one statement, O(orders in range + buckets).
    public func sales(fromMs: Int64, toMs: Int64, granularity: SalesGranularity) async throws -> SalesSeries {
        guard toMs > fromMs else { throw ReportError.invalidArgument(field: "to", rule: "must be after from") }
        guard toMs - fromMs <= granularity.rangeMsMax else {
            throw ReportError.invalidArgument(
                field: "to", rule: "must be at most \(granularity.rangeMsMax / 86_400_000) days after from for granularity=\(granularity.rawValue)")
        }
        var sql = ReportSQL("WITH params AS (SELECT ")
        sql.bind(timeZone)
        sql.append("::text AS tz, ")
        sql.bindTime(ms: fromMs)
        sql.append(" AS f, ")
        sql.bindTime(ms: toMs)
        sql.append(" AS t, ")
        sql.bind(granularity.rawValue)
        sql.append("::text AS unit, ")
        sql.bind(granularity.step)
        sql.append("::interval AS step, ")
        sql.bind(granularity.labelFormat)
        sql.append("::text AS label_format)")
        sql.append(Self.salesBody)
        var points: [SalesPoint] = []
        try await ReportError.mappingConnectionErrors {
            let rows = try await client.query(sql.query, logger: logger)
            for try await (label, startMs, orders, paidOrders, gmvFen, paidAmountFen)
                in rows.decode((String, Int64, Int64, Int64, Int64, Int64).self) {
                points.append(SalesPoint(start: ReportTime.iso8601(ms: startMs), label: label, orders: orders,
                                         paidOrders: paidOrders, gmvFen: gmvFen, paidAmountFen: paidAmountFen))
            }
        }
        return SalesSeries(timeZone: timeZone, granularity: granularity.rawValue, from: ReportTime.iso8601(ms: fromMs),
                           to: ReportTime.iso8601(ms: toMs), points: points)
    }

    static let salesBody: StaticString = """
        , buckets AS (
            SELECT generate_series(date_trunc(p.unit, p.f AT TIME ZONE p.tz),
                                   date_trunc(p.unit, (p.t - interval '1 microsecond') AT TIME ZONE p.tz),
                                   p.step) AS local_start
              FROM params p
        ), created AS (
            SELECT date_trunc(p.unit, o.created_at AT TIME ZONE p.tz) AS local_start,
                   count(*)::bigint AS orders,
                   (count(*) FILTER (WHERE o.paid_at IS NOT NULL))::bigint AS paid_orders,
                   COALESCE(sum(o.pay_amount_fen) FILTER (WHERE o.status <> 'cancelled'), 0)::bigint AS gmv_fen
              FROM orders o, params p
             WHERE o.created_at >= p.f AND o.created_at < p.t
             GROUP BY 1
        ), received AS (
            SELECT date_trunc(p.unit, pm.paid_at AT TIME ZONE p.tz) AS local_start,
                   sum(pm.amount_fen)::bigint AS paid_amount_fen
              FROM payments pm, params p
             WHERE pm.paid_at >= p.f AND pm.paid_at < p.t
             GROUP BY 1
        )
        SELECT to_char(b.local_start, p.label_format) AS label,
               floor(extract(epoch FROM b.local_start AT TIME ZONE p.tz) * 1000)::bigint AS start_ms,
               COALESCE(c.orders, 0), COALESCE(c.paid_orders, 0), COALESCE(c.gmv_fen, 0), COALESCE(r.paid_amount_fen, 0)
          FROM buckets b
         CROSS JOIN params p
          LEFT JOIN created c ON c.local_start = b.local_start
          LEFT JOIN received r ON r.local_start = b.local_start
         ORDER BY b.local_start
        """

    /// Best sellers among paid orders that are not cancelled, optionally
    /// among orders created in [fromMs, toMs).
    /// - Complexity: one statement, O(order lines in range).
    public func topProducts(by ranking: TopProductRanking, limit: Int, fromMs: Int64? = nil, toMs: Int64? = nil) async throws -> TopProducts {
        guard (1...Self.topProductsLimitMax).contains(limit) else {
            throw ReportError.invalidArgument(field: "limit", rule: "must be 1 to \(Self.topProductsLimitMax)")
        }
        if let fromMs, let toMs, toMs < fromMs { throw ReportError.invalidArgument(field: "to", rule: "must not be before from") }
        var sql = ReportSQL("""
            SELECT oi.product_id, COALESCE(max(p.name), max(oi.product_name)) AS product_name,
                   sum(oi.quantity)::bigint AS quantity, sum(oi.price_fen * oi.quantity)::bigint AS amount_fen,
                   count(DISTINCT oi.order_id)::bigint AS orders
              FROM order_items oi
              JOIN orders o ON o.id = oi.order_id
              LEFT JOIN products p ON p.id = oi.product_id
             WHERE o.paid_at IS NOT NULL AND o.status <> 'cancelled'
            """)
        if let fromMs {
            sql.append(" AND o.created_at >= ")
            sql.bindTime(ms: fromMs)
        }
        if let toMs {
            sql.append(" AND o.created_at < ")
            sql.bindTime(ms: toMs)
        }
        sql.append(" GROUP BY oi.product_id")
        sql.append(ranking.orderBySQL)
        sql.append(" LIMIT ")
        sql.bind(Int64(limit))
        var items: [TopProduct] = []
        try await ReportError.mappingConnectionErrors {
            let rows = try await client.query(sql.query, logger: logger)
            for try await (productID, name, quantity, amountFen, orders) in rows.decode((Int64, String, Int64, Int64, Int64).self) {
                items.append(TopProduct(rank: items.count + 1, productId: String(productID), productName: name,
                                        quantity: quantity, amountFen: amountFen, orders: orders))
            }
        }
        return TopProducts(by: ranking.rawValue, from: fromMs.map(ReportTime.iso8601(ms:)),
                           to: toMs.map(ReportTime.iso8601(ms:)), items: items)
    }
}
