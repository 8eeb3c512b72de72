import Logging
import PostgresNIO

extension StatsQueries {
    /// How one flash sale went, per SKU and in total; nil when the archive
    /// has no such activity. Read in one snapshot.
    /// - Complexity: O(orders of the activity) via the activity index.
    public func seckillReport(activityID: UInt64) async throws -> SeckillReport? {
        guard let id = Int64(exactly: activityID) else { return nil }
        let logger = logger
        return try await ReportError.mappingConnectionErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                let header: PostgresQuery = """
                    SELECT name, floor(extract(epoch FROM start_time) * 1000)::bigint,
                           floor(extract(epoch FROM end_time) * 1000)::bigint
                      FROM seckill_activities WHERE id = \(id)
                    """
                var activity: (name: String, startMs: Int64, endMs: Int64)?
                for try await row in try await connection.query(header, logger: logger).decode((String, Int64, Int64).self) {
                    activity = row
                }
                guard let activity else { return nil }
                let items = try await Self.seckillItems(activityID: id, on: connection, logger: logger)
                let totals = try await Self.seckillOrderTotals(activityID: id, on: connection, logger: logger)
                let sold = items.reduce(0) { $0 + $1.soldUnits }
                let paid = items.reduce(0) { $0 + $1.paidUnits }
                return SeckillReport(
                    activityId: String(id), name: activity.name, startTime: ReportTime.iso8601(ms: activity.startMs),
                    endTime: ReportTime.iso8601(ms: activity.endMs),
                    issuedUnits: items.reduce(0) { $0 + $1.issuedUnits }, remainingUnits: items.reduce(0) { $0 + $1.remainingUnits },
                    soldUnits: sold, soldOrders: totals.orders, paidUnits: paid, paidOrders: totals.paid,
                    paidAmountFen: totals.paidAmountFen,
                    cancelledUnits: items.reduce(0) { $0 + $1.cancelledUnits }, cancelledOrders: totals.cancelled,
                    timeoutCancelledUnits: items.reduce(0) { $0 + $1.timeoutCancelledUnits },
                    timeoutCancelledOrders: totals.timeoutCancelled, paidRate: Ratio.of(paid, sold), items: items)
            }
        }
    }

    private static func seckillItems(activityID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [SeckillItemReport] {
        let query: PostgresQuery = """
            SELECT si.sku_id, ps.product_id, p.name, ps.name, si.seckill_price_fen, si.stock, si.remaining,
                   COALESCE(x.sold_units, 0), COALESCE(x.paid_units, 0), COALESCE(x.paid_amount_fen, 0),
                   COALESCE(x.cancelled_units, 0), COALESCE(x.timeout_units, 0)
              FROM seckill_items si
              LEFT JOIN product_skus ps ON ps.id = si.sku_id
              LEFT JOIN products p ON p.id = ps.product_id
              LEFT JOIN LATERAL (
                  SELECT sum(oi.quantity)::bigint AS sold_units,
                         (sum(oi.quantity) FILTER (WHERE o.paid_at IS NOT NULL))::bigint AS paid_units,
                         (sum(oi.price_fen * oi.quantity) FILTER (WHERE o.paid_at IS NOT NULL))::bigint AS paid_amount_fen,
                         (sum(oi.quantity) FILTER (WHERE o.status = 'cancelled'))::bigint AS cancelled_units,
                         (sum(oi.quantity) FILTER (WHERE o.status = 'cancelled' AND o.cancel_reason = 'timeout'))::bigint AS timeout_units
                    FROM orders o JOIN order_items oi ON oi.order_id = o.id
                   WHERE o.activity_id = si.activity_id AND oi.sku_id = si.sku_id) x ON TRUE
             WHERE si.activity_id = \(activityID)
             ORDER BY si.sku_id
            """
        var items: [SeckillItemReport] = []
        let rows = try await connection.query(query, logger: logger)
            .decode((Int64, Int64?, String?, String?, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
        for try await (skuID, productID, productName, skuName, priceFen, issued, remaining, sold, paid, paidFen, cancelled, timeout) in rows {
            items.append(SeckillItemReport(
                skuId: String(skuID), productId: productID.map { String($0) }, productName: productName, skuName: skuName,
                seckillPriceFen: priceFen, issuedUnits: issued, remainingUnits: remaining, soldUnits: sold, paidUnits: paid,
                paidAmountFen: paidFen, cancelledUnits: cancelled, timeoutCancelledUnits: timeout, paidRate: Ratio.of(paid, sold)))
        }
        return items
    }

    private struct OrderTotals {
        var orders: Int64 = 0, paid: Int64 = 0, cancelled: Int64 = 0, timeoutCancelled: Int64 = 0, paidAmountFen: Int64 = 0
    }

    private static func seckillOrderTotals(activityID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> OrderTotals {
        let query: PostgresQuery = """
            SELECT count(*)::bigint,
                   (count(*) FILTER (WHERE paid_at IS NOT NULL))::bigint,
                   (count(*) FILTER (WHERE status = 'cancelled'))::bigint,
                   (count(*) FILTER (WHERE status = 'cancelled' AND cancel_reason = 'timeout'))::bigint,
                   COALESCE(sum(pay_amount_fen) FILTER (WHERE paid_at IS NOT NULL), 0)::bigint
              FROM orders WHERE activity_id = \(activityID)
            """
        var totals = OrderTotals()
        for try await (orders, paid, cancelled, timeout, paidFen)
            in try await connection.query(query, logger: logger).decode((Int64, Int64, Int64, Int64, Int64).self) {
            totals = OrderTotals(orders: orders, paid: paid, cancelled: cancelled, timeoutCancelled: timeout, paidAmountFen: paidFen)
        }
        return totals
    }
}
