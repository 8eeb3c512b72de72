import Engine
import PostgresNIO

// The order tables (about five rows per order, the bulk of the archive) go in with plain
// `INSERT ... SELECT FROM unnest(...)`: no `ON CONFLICT DO NOTHING` (a speculative insertion per
// row) and no `RETURNING` (a row back per row written):
//
// - A batch holds each row once: `ArchiveBatch` folds an order created and changed in one batch into
//   one row, and keys status history, payments and stock logs by the record's LSN.
// - No row of a batch can be in the archive already: rows carry the LSN (or the order) of a record
//   after the checkpoint, and rows and checkpoint only ever commit together, with the checkpoint
//   locked `FOR UPDATE` and checked first. A rebuild truncates the tables before it writes.
// - Should either ever fail, the insert stops at the duplicate key and the whole transaction rolls
//   back: loud, and nothing is written twice, where `DO NOTHING` would have hidden the fault.
//
// `COPY FROM STDIN` (postgres-nio 1.33.2 `copyFrom`) was tried and is not used: a connection that
// closes while COPY data is in flight (PostgreSQL restarting, the network dropping, the batch
// watchdog closing it) hits a `preconditionFailure` in postgres-nio's ConnectionStateMachine
// ("Invalid query state machine action in state: .closing, action: wait") and traps the process.
extension BatchWriter {
    func insertOrders(_ rows: ArraySlice<OrderRow>, _ connection: PostgresConnection) async throws -> Int {
        try await execute("""
            INSERT INTO orders (id, order_no, user_id, activity_id, status, total_amount_fen, pay_amount_fen,
                                payment_status, payment_method, transaction_id, cancel_reason,
                                pay_deadline, created_at, updated_at, paid_at, cancelled_at)
            SELECT u.id, u.order_no, u.user_id, NULLIF(u.activity_id, 0), u.status, u.total_fen, u.pay_fen,
                   u.payment_status, NULLIF(u.payment_method, ''), NULLIF(u.transaction_id, ''), NULLIF(u.cancel_reason, ''),
                   to_timestamp(u.deadline_ms / 1000.0), to_timestamp(u.created_ms / 1000.0),
                   to_timestamp(u.updated_ms / 1000.0), to_timestamp(NULLIF(u.paid_ms, \(Self.noValue)) / 1000.0),
                   to_timestamp(NULLIF(u.cancelled_ms, \(Self.noValue)) / 1000.0)
            FROM unnest(\(rows.map(\.id.bigint))::bigint[], \(rows.map(\.orderNo))::text[], \(rows.map(\.userID.bigint))::bigint[],
                        \(rows.map(\.activityID.bigint))::bigint[], \(rows.map(\.status.rawValue))::text[],
                        \(rows.map(\.totalFen))::bigint[], \(rows.map(\.payAmountFen))::bigint[],
                        \(rows.map(\.paymentStatus))::text[], \(rows.map { $0.paymentMethod ?? "" })::text[],
                        \(rows.map { $0.transactionID ?? "" })::text[], \(rows.map { $0.cancelReason ?? "" })::text[],
                        \(rows.map(\.payDeadlineMs))::bigint[], \(rows.map(\.createdAtMs))::bigint[],
                        \(rows.map(\.updatedAtMs))::bigint[], \(rows.map { $0.paidAtMs ?? Self.noValue })::bigint[],
                        \(rows.map { $0.cancelledAtMs ?? Self.noValue })::bigint[])
                 AS u(id, order_no, user_id, activity_id, status, total_fen, pay_fen, payment_status, payment_method,
                      transaction_id, cancel_reason, deadline_ms, created_ms, updated_ms, paid_ms, cancelled_ms)
            """, rows: rows.count, connection)
    }

    /// `specBySKU` holds each item's SKU spec as jsonb text (SKUs do not change after creation); a SKU
    /// the archive does not hold gets `{}`, as the join with product_skus this replaces did.
    func insertOrderItems(_ rows: ArraySlice<OrderItemRow>, specBySKU: [UInt64: String],
                          _ connection: PostgresConnection) async throws -> Int {
        try await execute("""
            INSERT INTO order_items (order_id, line_no, product_id, sku_id, product_name, sku_name, spec,
                                     price_fen, quantity, created_at)
            SELECT u.order_id, u.line_no, u.product_id, u.sku_id, u.product_name, u.sku_name, u.spec::jsonb,
                   u.price_fen, u.quantity, to_timestamp(u.at_ms / 1000.0)
            FROM unnest(\(rows.map(\.orderID.bigint))::bigint[], \(rows.map(\.lineNo))::integer[],
                        \(rows.map(\.productID.bigint))::bigint[], \(rows.map(\.skuID.bigint))::bigint[],
                        \(rows.map(\.productName))::text[], \(rows.map(\.skuName))::text[],
                        \(rows.map { specBySKU[$0.skuID] ?? "{}" })::text[],
                        \(rows.map(\.priceFen))::bigint[], \(rows.map(\.quantity))::bigint[], \(rows.map(\.createdAtMs))::bigint[])
                 AS u(order_id, line_no, product_id, sku_id, product_name, sku_name, spec, price_fen, quantity, at_ms)
            """, rows: rows.count, connection)
    }

    func insertStatusHistory(_ rows: ArraySlice<StatusHistoryRow>, _ connection: PostgresConnection) async throws -> Int {
        try await execute("""
            INSERT INTO order_status_history (order_id, lsn, from_status, to_status, reason, created_at)
            SELECT u.order_id, u.lsn, NULLIF(u.from_status, ''), u.to_status, NULLIF(u.reason, ''),
                   to_timestamp(u.at_ms / 1000.0)
            FROM unnest(\(rows.map(\.orderID.bigint))::bigint[], \(rows.map(\.lsn))::bigint[],
                        \(rows.map { $0.fromStatus?.rawValue ?? "" })::text[], \(rows.map(\.toStatus.rawValue))::text[],
                        \(rows.map { $0.reason ?? "" })::text[], \(rows.map(\.atMs))::bigint[])
                 AS u(order_id, lsn, from_status, to_status, reason, at_ms)
            """, rows: rows.count, connection)
    }

    func insertPayments(_ rows: ArraySlice<PaymentRow>, _ connection: PostgresConnection) async throws -> Int {
        try await execute("""
            INSERT INTO payments (order_id, transaction_id, method, amount_fen, status, paid_at, lsn)
            SELECT u.order_id, u.transaction_id, \(PaymentMethod.wechat), u.amount_fen, \(Self.paymentSucceeded),
                   to_timestamp(u.paid_ms / 1000.0), NULLIF(u.lsn, \(Self.noValue))
            FROM unnest(\(rows.map(\.orderID.bigint))::bigint[], \(rows.map(\.transactionID))::text[],
                        \(rows.map(\.amountFen))::bigint[], \(rows.map(\.paidAtMs))::bigint[],
                        \(rows.map { $0.lsn?.bigint ?? Self.noValue })::bigint[])
                 AS u(order_id, transaction_id, amount_fen, paid_ms, lsn)
            """, rows: rows.count, connection)
    }

    func insertStockLogs(_ rows: ArraySlice<StockLogRow>, _ connection: PostgresConnection) async throws -> Int {
        try await execute("""
            INSERT INTO stock_logs (lsn, sku_id, activity_id, order_id, change, type, remark, operator_id, created_at)
            SELECT u.lsn, u.sku_id, u.activity_id, NULLIF(u.order_id, 0), u.change, u.type, NULLIF(u.remark, ''),
                   NULLIF(u.operator_id, 0), to_timestamp(u.at_ms / 1000.0)
            FROM unnest(\(rows.map(\.lsn.bigint))::bigint[], \(rows.map(\.skuID.bigint))::bigint[],
                        \(rows.map(\.activityID.bigint))::bigint[], \(rows.map(\.orderID.bigint))::bigint[],
                        \(rows.map(\.change))::bigint[], \(rows.map(\.type))::text[], \(rows.map { $0.remark ?? "" })::text[],
                        \(rows.map(\.operatorID.bigint))::bigint[], \(rows.map(\.atMs))::bigint[])
                 AS u(lsn, sku_id, activity_id, order_id, change, type, remark, operator_id, at_ms)
            """, rows: rows.count, connection)
    }

    /// Runs an insert that writes every one of its `rows` or fails as a whole.
    private func execute(_ query: PostgresQuery, rows: Int, _ connection: PostgresConnection) async throws -> Int {
        let result = try await connection.query(query, logger: logger)
        for try await _ in result {}
        return rows
    }

    /// The spec (jsonb as text) of every SKU the batch's items name: from the batch's own new SKUs,
    /// from `known`, else from the archive, read in one query.
    func specs(for batch: ArchiveBatch, known: [UInt64: String], _ connection: PostgresConnection) async throws -> [UInt64: String] {
        var specBySKU: [UInt64: String] = [:]
        for sku in batch.skus.values { specBySKU[sku.id] = SpecJSON.object(sku.spec) }
        var missing: Set<UInt64> = []
        for item in batch.orderItems where specBySKU[item.skuID] == nil {
            if let spec = known[item.skuID] { specBySKU[item.skuID] = spec } else { missing.insert(item.skuID) }
        }
        guard !missing.isEmpty else { return specBySKU }
        let ids = missing.sorted().map(\.bigint)
        let rows = try await connection.query("SELECT id, spec::text FROM product_skus WHERE id = ANY(\(ids)::bigint[])", logger: logger)
        for try await (id, spec) in rows.decode((Int64, String).self) { specBySKU[UInt64(bitPattern: id)] = spec }
        return specBySKU
    }
}
