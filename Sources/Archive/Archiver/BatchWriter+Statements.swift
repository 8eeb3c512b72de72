import Engine
import PostgresNIO

// One bulk statement per table. Times travel as bigint ms and become timestamptz with
// `to_timestamp(ms / 1000.0)` (numeric division, exact to the millisecond). Each statement
// returns how many rows it wrote.
extension BatchWriter {
    func insertAdmins(_ rows: ArraySlice<AdminRow>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                INSERT INTO admins (id, username, role, created_at, updated_at)
                SELECT u.id, u.username, u.role, to_timestamp(u.created_ms / 1000.0), to_timestamp(u.updated_ms / 1000.0)
                FROM unnest(\(rows.map(\.id.bigint))::bigint[], \(rows.map(\.username))::text[], \(rows.map(\.role))::text[],
                            \(rows.map(\.createdAtMs))::bigint[], \(rows.map(\.updatedAtMs))::bigint[])
                     AS u(id, username, role, created_ms, updated_ms)
                ON CONFLICT (id) DO UPDATE
                SET username = EXCLUDED.username, role = EXCLUDED.role, updated_at = EXCLUDED.updated_at
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    func insertUsers(_ rows: ArraySlice<UserRow>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                INSERT INTO users (id, openid, unionid, created_at, updated_at)
                SELECT u.id, u.openid, NULLIF(u.unionid, ''), to_timestamp(u.at_ms / 1000.0), to_timestamp(u.at_ms / 1000.0)
                FROM unnest(\(rows.map(\.id.bigint))::bigint[], \(rows.map(\.openID))::text[],
                            \(rows.map { $0.unionID ?? "" })::text[], \(rows.map(\.createdAtMs))::bigint[])
                     AS u(id, openid, unionid, at_ms)
                ON CONFLICT (id) DO NOTHING
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    func insertActivities(_ rows: ArraySlice<ActivityRow>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                INSERT INTO seckill_activities (id, name, start_time, end_time, created_at)
                SELECT u.id, u.name, to_timestamp(u.start_ms / 1000.0), to_timestamp(u.end_ms / 1000.0),
                       to_timestamp(u.at_ms / 1000.0)
                FROM unnest(\(rows.map(\.id.bigint))::bigint[], \(rows.map(\.name))::text[], \(rows.map(\.startMs))::bigint[],
                            \(rows.map(\.endMs))::bigint[], \(rows.map(\.createdAtMs))::bigint[])
                     AS u(id, name, start_ms, end_ms, at_ms)
                ON CONFLICT (id) DO NOTHING
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    func insertSeckillItems(_ rows: ArraySlice<SeckillItemRow>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                INSERT INTO seckill_items (activity_id, sku_id, seckill_price_fen, stock, remaining, sold, limit_per_user, removed)
                SELECT u.activity_id, u.sku_id, u.price_fen, u.stock, u.stock, 0, u.limit_per_user, u.removed
                FROM unnest(\(rows.map(\.activityID.bigint))::bigint[], \(rows.map(\.skuID.bigint))::bigint[],
                            \(rows.map(\.seckillPriceFen))::bigint[], \(rows.map(\.stock))::bigint[],
                            \(rows.map(\.limitPerUser))::bigint[], \(rows.map(\.removed))::boolean[])
                     AS u(activity_id, sku_id, price_fen, stock, limit_per_user, removed)
                ON CONFLICT (activity_id, sku_id) DO NOTHING
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    /// Sets what the batch changed and keeps the rest (`coalesce` with the row's current value).
    func updateOrders(_ rows: ArraySlice<OrderUpdate>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                UPDATE orders o
                SET status = u.status, updated_at = to_timestamp(u.updated_ms / 1000.0),
                    payment_status = coalesce(NULLIF(u.payment_status, ''), o.payment_status),
                    payment_method = coalesce(NULLIF(u.payment_method, ''), o.payment_method),
                    transaction_id = coalesce(NULLIF(u.transaction_id, ''), o.transaction_id),
                    cancel_reason = coalesce(NULLIF(u.cancel_reason, ''), o.cancel_reason),
                    paid_at = coalesce(to_timestamp(NULLIF(u.paid_ms, \(Self.noValue)) / 1000.0), o.paid_at),
                    cancelled_at = coalesce(to_timestamp(NULLIF(u.cancelled_ms, \(Self.noValue)) / 1000.0), o.cancelled_at)
                FROM unnest(\(rows.map(\.id.bigint))::bigint[], \(rows.map(\.status.rawValue))::text[],
                            \(rows.map(\.updatedAtMs))::bigint[], \(rows.map { $0.paymentStatus ?? "" })::text[],
                            \(rows.map { $0.paymentMethod ?? "" })::text[], \(rows.map { $0.transactionID ?? "" })::text[],
                            \(rows.map { $0.cancelReason ?? "" })::text[], \(rows.map { $0.paidAtMs ?? Self.noValue })::bigint[],
                            \(rows.map { $0.cancelledAtMs ?? Self.noValue })::bigint[])
                     AS u(id, status, updated_ms, payment_status, payment_method, transaction_id, cancel_reason,
                          paid_ms, cancelled_ms)
                WHERE o.id = u.id
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    static let paymentSucceeded = "success"

    func updateSeckillItems(_ rows: ArraySlice<(key: SeckillKey, value: SeckillDelta)>,
                            _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                UPDATE seckill_items s
                SET remaining = s.remaining + u.remaining, sold = s.sold + u.sold
                FROM unnest(\(rows.map(\.key.activityID.bigint))::bigint[], \(rows.map(\.key.skuID.bigint))::bigint[],
                            \(rows.map(\.value.remaining))::bigint[], \(rows.map(\.value.sold))::bigint[])
                     AS u(activity_id, sku_id, remaining, sold)
                WHERE s.activity_id = u.activity_id AND s.sku_id = u.sku_id
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    func updateSKUStock(_ rows: ArraySlice<(key: UInt64, value: Int64)>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                UPDATE product_skus s
                SET stock = s.stock + u.change
                FROM unnest(\(rows.map(\.key.bigint))::bigint[], \(rows.map(\.value))::bigint[]) AS u(sku_id, change)
                WHERE s.id = u.sku_id
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    /// `products.sales` counts units in paid orders: the paid orders' items, summed per product.
    func addProductSales(paidOrderIDs: ArraySlice<UInt64>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH sold AS (
                SELECT i.product_id, sum(i.quantity) AS quantity
                FROM order_items i
                WHERE i.order_id = ANY(\(paidOrderIDs.map(\.bigint))::bigint[])
                GROUP BY i.product_id),
            written AS (
                UPDATE products p SET sales = p.sales + sold.quantity
                FROM sold WHERE p.id = sold.product_id
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }
}

/// Spec pairs as a JSON object for a jsonb column: `{"颜色": "红色"}`.
enum SpecJSON {
    static func object(_ pairs: [SpecPair]) -> String {
        "{" + pairs.map { string($0.key) + ": " + string($0.value) }.joined(separator: ", ") + "}"
    }

    /// A JSON string literal (RFC 8259: quote, backslash and control characters escaped).
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
