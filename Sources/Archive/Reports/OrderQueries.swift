import Engine
import Foundation
import Logging
import PostgresNIO

/// The back office's order list and order detail, read from the archive.
/// Stateless: holds the pool, opens nothing of its own.
public struct OrderQueries: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger = Logger(label: "mall.archive.reports")) {
        (self.client, self.logger) = (client, logger)
    }

    /// Lists orders matching `filter`, one page at a time.
    ///
    /// Cursor mode is keyset pagination on (sort key, id): a page never repeats
    /// or skips a row however many orders arrive in between. Page mode counts
    /// the total and runs both statements in one snapshot.
    /// - Complexity: O(page size) rows read in cursor mode (index range scan);
    ///   page mode also reads the skipped rows and counts all matches.
    public func list(filter: OrderFilter, page: PageRequest) async throws -> OrderPage {
        try filter.validate()
        try page.validate()
        switch page {
        case .cursor(let text, let limit):
            let cursor = try text.map { text throws(ReportError) in try OrderCursor(decoding: text, for: filter.sort) }
            let rows = try await ReportError.mappingConnectionErrors {
                try await Self.summaries(Self.listQuery(filter, after: cursor, limit: limit + 1), on: client, logger: logger)
            }
            let items = Array(rows.prefix(limit))
            let next = rows.count > limit ? items.last.map { $0.cursor(for: filter.sort).encoded } : nil
            return OrderPage(items: items.map(\.summary), nextCursor: next)
        case .page(let number, let size):
            let listQuery = Self.listQuery(filter, after: nil, limit: size, offset: (number - 1) * size)
            let countQuery = Self.countQuery(filter)
            let logger = logger
            let (rows, total) = try await ReportError.mappingConnectionErrors {
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                    let rows = try await Self.summaries(listQuery, on: connection, logger: logger)
                    var total: Int64 = 0
                    for try await count in try await connection.query(countQuery, logger: logger).decode(Int64.self) {
                        total = count
                    }
                    return (rows, total)
                }
            }
            let hasMore = Int64(number) * Int64(size) < total
            let next = hasMore ? rows.last.map { $0.cursor(for: filter.sort).encoded } : nil
            return OrderPage(items: rows.map(\.summary), nextCursor: next, page: number, pageSize: size, total: total)
        }
    }

    /// One order with its lines, payments and status history, read in one
    /// snapshot; nil when the archive has no such order.
    public func detail(id: UInt64) async throws -> OrderDetail? {
        guard let orderID = Int64(exactly: id) else { return nil }
        let logger = logger
        return try await ReportError.mappingConnectionErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                var sql = ReportSQL(Self.summarySelect)
                sql.append(" AND o.id = ")
                sql.bind(orderID)
                guard let order = try await Self.summaries(sql.query, on: connection, logger: logger).first else { return nil }
                return OrderDetail(
                    order: order.summary,
                    items: try await Self.lines(orderID: orderID, on: connection, logger: logger),
                    payments: try await Self.payments(orderID: orderID, on: connection, logger: logger),
                    statusHistory: try await Self.history(orderID: orderID, on: connection, logger: logger))
            }
        }
    }

    // MARK: - Statements

    /// Every column of `OrderSummary`, plus the exact sort keys for cursors.
    /// Ends in `WHERE TRUE` so filters append as `AND ...`.
    static let summarySelect: StaticString = """
        SELECT o.id, o.order_no, o.user_id, o.activity_id, o.status, o.cancel_reason, o.payment_status,
               o.payment_method, o.transaction_id, o.total_amount_fen, o.discount_amount_fen, o.freight_fen,
               o.pay_amount_fen, o.remark,
               floor(extract(epoch FROM o.created_at) * 1000000)::bigint AS created_us,
               floor(extract(epoch FROM o.pay_deadline) * 1000)::bigint AS pay_deadline_ms,
               floor(extract(epoch FROM o.paid_at) * 1000)::bigint AS paid_ms,
               floor(extract(epoch FROM o.shipped_at) * 1000)::bigint AS shipped_ms,
               floor(extract(epoch FROM o.completed_at) * 1000)::bigint AS completed_ms,
               floor(extract(epoch FROM o.cancelled_at) * 1000)::bigint AS cancelled_ms,
               (SELECT COALESCE(sum(oi.quantity), 0)::bigint FROM order_items oi WHERE oi.order_id = o.id) AS item_quantity,
               (SELECT COALESCE(string_agg(oi.product_name || ' ' || oi.sku_name || ' ×' || oi.quantity, '; '
                                           ORDER BY oi.line_no), '')
                  FROM order_items oi WHERE oi.order_id = o.id) AS product_summary
          FROM orders o
         WHERE TRUE
        """

    static func listQuery(_ filter: OrderFilter, after cursor: OrderCursor?, limit: Int, offset: Int = 0) -> PostgresQuery {
        var sql = ReportSQL(summarySelect)
        appendConditions(filter, to: &sql)
        if let cursor { filter.sort.appendKeyset(cursor, to: &sql) }
        sql.append(filter.sort.orderBySQL)
        sql.append(" LIMIT ")
        sql.bind(Int64(limit))
        if offset > 0 {
            sql.append(" OFFSET ")
            sql.bind(Int64(offset))
        }
        return sql.query
    }

    static func countQuery(_ filter: OrderFilter) -> PostgresQuery {
        var sql = ReportSQL("SELECT count(*)::bigint FROM orders o WHERE TRUE")
        appendConditions(filter, to: &sql)
        return sql.query
    }

    /// The filter as `AND` conditions on `orders o`; each value is a parameter.
    static func appendConditions(_ filter: OrderFilter, to sql: inout ReportSQL) {
        if !filter.statuses.isEmpty {
            sql.append(" AND o.status = ANY(")
            sql.bind(filter.statuses.map(\.rawValue))
            sql.append(")")
        }
        if let fromMs = filter.createdFromMs {
            sql.append(" AND o.created_at >= ")
            sql.bindTime(ms: fromMs)
        }
        if let toMs = filter.createdToMs {
            sql.append(" AND o.created_at < ")
            sql.bindTime(ms: toMs)
        }
        switch filter.orderNo {
        case .exact(let text):
            sql.append(" AND o.order_no = ")
            sql.bind(text)
        case .prefix(let text):
            sql.append(" AND o.order_no LIKE ")
            sql.bind(OrderNumberMatch.likePrefixPattern(text))
        case nil:
            break
        }
        if let userID = filter.userID {
            appendID(userID, condition: " AND o.user_id = ", to: &sql)
        }
        if let productID = filter.productID {
            appendID(productID, condition: " AND EXISTS (SELECT 1 FROM order_items oi WHERE oi.order_id = o.id AND oi.product_id = ", to: &sql)
            sql.append(")")
        }
        if let minFen = filter.payAmountMinFen {
            sql.append(" AND o.pay_amount_fen >= ")
            sql.bind(minFen)
        }
        if let maxFen = filter.payAmountMaxFen {
            sql.append(" AND o.pay_amount_fen <= ")
            sql.bind(maxFen)
        }
    }

    /// Ids are bigint in PostgreSQL; one beyond Int64 matches nothing.
    private static func appendID(_ id: UInt64, condition: StaticString, to sql: inout ReportSQL) {
        sql.append(condition)
        if let value = Int64(exactly: id) {
            sql.bind(value)
        } else {
            sql.append("NULL")
        }
    }

    // MARK: - Rows

    /// A summary with the raw keys its cursor is made of.
    struct SummaryRow: Sendable {
        var summary: OrderSummary
        var id: Int64
        var createdUs: Int64
        var payAmountFen: Int64

        func cursor(for sort: OrderSort) -> OrderCursor {
            switch sort.key {
            case .createdAt: OrderCursor(sort: sort, sortValue: createdUs, id: id)
            case .payAmount: OrderCursor(sort: sort, sortValue: payAmountFen, id: id)
            }
        }
    }

    static func summaries(_ query: PostgresQuery, on client: PostgresClient, logger: Logger) async throws -> [SummaryRow] {
        var rows: [SummaryRow] = []
        for try await row in try await client.query(query, logger: logger) { rows.append(try summaryRow(row)) }
        return rows
    }

    static func summaries(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [SummaryRow] {
        var rows: [SummaryRow] = []
        for try await row in try await connection.query(query, logger: logger) { rows.append(try summaryRow(row)) }
        return rows
    }

    static func summaryRow(_ row: PostgresRow) throws -> SummaryRow {
        let cells = row.makeRandomAccess()
        let id = try cells["id"].decode(Int64.self)
        let createdUs = try cells["created_us"].decode(Int64.self)
        let payAmountFen = try cells["pay_amount_fen"].decode(Int64.self)
        let activityID = try cells["activity_id"].decode(Int64?.self)
        let time = { (column: String) throws -> String? in try cells[column].decode(Int64?.self).map(ReportTime.iso8601(ms:)) }
        let summary = OrderSummary(
            id: String(id), orderNo: try cells["order_no"].decode(String.self),
            userId: String(try cells["user_id"].decode(Int64.self)),
            activityId: activityID.flatMap { $0 == 0 ? nil : String($0) },
            status: try cells["status"].decode(String.self), cancelReason: try cells["cancel_reason"].decode(String?.self),
            paymentStatus: try cells["payment_status"].decode(String.self),
            paymentMethod: try cells["payment_method"].decode(String?.self),
            transactionId: try cells["transaction_id"].decode(String?.self),
            totalAmountFen: try cells["total_amount_fen"].decode(Int64.self),
            discountAmountFen: try cells["discount_amount_fen"].decode(Int64.self),
            freightFen: try cells["freight_fen"].decode(Int64.self), payAmountFen: payAmountFen,
            itemQuantity: try cells["item_quantity"].decode(Int64.self),
            productSummary: try cells["product_summary"].decode(String.self),
            remark: try cells["remark"].decode(String?.self),
            createdAt: ReportTime.iso8601(ms: createdUs.floorDivided(by: 1000)),
            payDeadline: ReportTime.iso8601(ms: try cells["pay_deadline_ms"].decode(Int64.self)),
            paidAt: try time("paid_ms"), shippedAt: try time("shipped_ms"),
            completedAt: try time("completed_ms"), cancelledAt: try time("cancelled_ms"))
        return SummaryRow(summary: summary, id: id, createdUs: createdUs, payAmountFen: payAmountFen)
    }

    private static func lines(orderID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [OrderDetail.OrderLine] {
        let query: PostgresQuery = """
            SELECT line_no, product_id, sku_id, product_name, sku_name, price_fen, quantity, price_fen * quantity AS amount_fen,
                   COALESCE((SELECT jsonb_object_agg(key, value) FROM jsonb_each_text(
                       CASE WHEN jsonb_typeof(spec) = 'object' THEN spec ELSE '{}'::jsonb END)), '{}'::jsonb)::text AS spec
              FROM order_items WHERE order_id = \(orderID) ORDER BY line_no
            """
        var lines: [OrderDetail.OrderLine] = []
        for try await row in try await connection.query(query, logger: logger) {
            let cells = row.makeRandomAccess()
            let spec = try JSONDecoder().decode([String: String].self, from: Data(try cells["spec"].decode(String.self).utf8))
            lines.append(OrderDetail.OrderLine(
                lineNo: Int(try cells["line_no"].decode(Int32.self)),
                productId: String(try cells["product_id"].decode(Int64.self)), skuId: String(try cells["sku_id"].decode(Int64.self)),
                productName: try cells["product_name"].decode(String.self), skuName: try cells["sku_name"].decode(String.self),
                spec: spec, unitPriceFen: try cells["price_fen"].decode(Int64.self), quantity: try cells["quantity"].decode(Int64.self),
                amountFen: try cells["amount_fen"].decode(Int64.self)))
        }
        return lines
    }

    private static func payments(orderID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [OrderDetail.PaymentRecord] {
        let query: PostgresQuery = """
            SELECT id, transaction_id, method, amount_fen, status,
                   floor(extract(epoch FROM paid_at) * 1000)::bigint AS paid_ms
              FROM payments WHERE order_id = \(orderID) ORDER BY paid_at, id
            """
        var payments: [OrderDetail.PaymentRecord] = []
        for try await (id, transactionID, method, amountFen, status, paidMs)
            in try await connection.query(query, logger: logger).decode((Int64, String, String, Int64, String, Int64).self) {
            payments.append(OrderDetail.PaymentRecord(
                id: String(id), transactionId: transactionID, method: method, amountFen: amountFen, status: status,
                paidAt: ReportTime.iso8601(ms: paidMs)))
        }
        return payments
    }

    private static func history(orderID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [OrderDetail.StatusChange] {
        let query: PostgresQuery = """
            SELECT lsn, from_status, to_status, reason, floor(extract(epoch FROM created_at) * 1000)::bigint AS at_ms
              FROM order_status_history WHERE order_id = \(orderID) ORDER BY lsn
            """
        var changes: [OrderDetail.StatusChange] = []
        for try await (lsn, fromStatus, toStatus, reason, atMs)
            in try await connection.query(query, logger: logger).decode((Int64, String?, String, String?, Int64).self) {
            changes.append(OrderDetail.StatusChange(fromStatus: fromStatus, toStatus: toStatus, reason: reason,
                                                    at: ReportTime.iso8601(ms: atMs), lsn: String(lsn)))
        }
        return changes
    }
}

extension Int64 {
    /// Division rounding toward negative infinity (times before 1970 stay right).
    func floorDivided(by divisor: Int64) -> Int64 {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
