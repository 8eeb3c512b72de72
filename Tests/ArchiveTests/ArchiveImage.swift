@testable import Archive
import Engine
import PostgresNIO
import Testing

/// The archive's rows and the engine's state side by side, in the same shape, so a test can say
/// "they match" with one `#expect` per table and see every difference when they do not.
struct OrderImage: Equatable, CustomStringConvertible {
    var id: Int64
    var orderNo: String
    var userID: Int64
    var activityID: Int64
    var status: String
    var totalFen: Int64
    var payAmountFen: Int64
    var paymentStatus: String
    var transactionID: String
    var cancelReason: String
    var createdMs: Int64
    var deadlineMs: Int64
    var paidMs: Int64
    var cancelledMs: Int64
    var updatedMs: Int64

    init(order: Order) {
        (id, orderNo, userID, activityID) = (order.id.bigint, order.orderNo, order.userID.bigint, order.activityID.bigint)
        (status, totalFen, payAmountFen) = (order.status.rawValue, order.totalFen, order.payAmountFen)
        paymentStatus = order.paidAtMs == nil ? "unpaid" : "paid"
        (transactionID, cancelReason) = (order.transactionID ?? "", order.cancelReason?.rawValue ?? "")
        (createdMs, deadlineMs, paidMs, cancelledMs) = (order.createdAtMs, order.payDeadlineMs, order.paidAtMs ?? -1, order.cancelledAtMs ?? -1)
        updatedMs = max(order.createdAtMs, order.paidAtMs ?? 0, order.cancelledAtMs ?? 0)
    }

    init(_ row: (Int64, String, Int64, Int64, String, Int64, Int64, String, String, String, Int64, Int64, Int64, Int64, Int64)) {
        (id, orderNo, userID, activityID, status, totalFen, payAmountFen, paymentStatus) = (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7)
        (transactionID, cancelReason, createdMs, deadlineMs, paidMs, cancelledMs, updatedMs) = (row.8, row.9, row.10, row.11, row.12, row.13, row.14)
    }

    var description: String { "order \(id) \(status) pay \(payAmountFen) paid \(paidMs) cancelled \(cancelledMs)" }
}

/// Milliseconds since 1970 of a timestamptz column, -1 for NULL.
private func ms(_ column: String) -> String { "coalesce((extract(epoch from \(column)) * 1000)::bigint, -1)" }

struct ArchiveImage: Equatable {
    var orders: [OrderImage] = []
    /// (order id, sku id, price, quantity, spec)
    var items: [String] = []
    /// (order id, from, to, reason) in LSN order per order.
    var history: [String] = []
    var payments: [String] = []
    var seckill: [String] = []
    var stockLogTotals: [String] = []
    var users: [String] = []
    var admins: [String] = []
    var skus: [String] = []
    var productSales: [String] = []

    static func load(_ database: ArchiveDatabase) async throws -> ArchiveImage {
        var image = ArchiveImage()
        let orderColumns = "id, order_no, user_id, coalesce(activity_id, 0), status, total_amount_fen, pay_amount_fen, payment_status, "
            + "coalesce(transaction_id, ''), coalesce(cancel_reason, ''), \(ms("created_at")), \(ms("pay_deadline")), "
            + "\(ms("paid_at")), \(ms("cancelled_at")), \(ms("updated_at"))"
        let orders = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT \(orderColumns) FROM orders ORDER BY id"))
        for try await row in orders.decode((Int64, String, Int64, Int64, String, Int64, Int64, String, String, String,
                                            Int64, Int64, Int64, Int64, Int64).self) {
            image.orders.append(OrderImage(row))
        }
        image.items = try await strings(database, """
            SELECT order_id || ' ' || sku_id || ' ' || price_fen || 'x' || quantity || ' ' || spec::text || ' ' || product_name
            FROM order_items ORDER BY order_id, line_no
            """)
        image.history = try await strings(database, """
            SELECT order_id || ' ' || coalesce(from_status, '-') || '>' || to_status || ' ' || coalesce(reason, '-')
                   || ' ' || \(ms("created_at"))
            FROM order_status_history ORDER BY order_id, lsn
            """)
        image.payments = try await strings(database, """
            SELECT order_id || ' ' || transaction_id || ' ' || amount_fen || ' ' || status || ' ' || \(ms("paid_at"))
            FROM payments ORDER BY order_id, transaction_id
            """)
        image.seckill = try await strings(database, """
            SELECT activity_id || '/' || sku_id || ' stock ' || stock || ' remaining ' || remaining || ' sold ' || sold
            FROM seckill_items ORDER BY activity_id, sku_id
            """)
        image.stockLogTotals = try await strings(database, """
            SELECT activity_id || '/' || sku_id || ' taken ' || sum(change) FILTER (WHERE change < 0)
                   || ' given back ' || coalesce(sum(change) FILTER (WHERE change > 0), 0)
            FROM stock_logs WHERE type IN ('order_placed', 'order_cancelled')
            GROUP BY activity_id, sku_id ORDER BY activity_id, sku_id
            """)
        image.users = try await strings(database, "SELECT id || ' ' || openid || ' ' || coalesce(unionid, '-') FROM users ORDER BY id")
        image.admins = try await strings(database, "SELECT id || ' ' || username || ' ' || role FROM admins ORDER BY id")
        image.skus = try await strings(database, "SELECT id || ' ' || product_id || ' ' || stock || ' ' || spec::text FROM product_skus ORDER BY id")
        image.productSales = try await strings(database, "SELECT id || ' ' || sales FROM products ORDER BY id")
        return image
    }

    /// The image the archive must hold for an engine state. Each order changes status at most once
    /// (paid or cancelled) and the state keeps every order, so the state also implies the history,
    /// payments and stock movements that the events carried.
    static func expected(from state: EngineState) -> ArchiveImage {
        var image = ArchiveImage()
        let orders = state.users.flatMap { $0.orders.values }.sorted { $0.id < $1.id }
        image.orders = orders.map(OrderImage.init(order:))
        var movements: [String: (taken: Int64, givenBack: Int64)] = [:]
        for order in orders {
            for item in order.items {
                let sku = state.catalog.sku(item.skuID)?.sku.spec ?? []
                image.items.append("\(order.id) \(item.skuID) \(item.unitPriceFen)x\(item.quantity) \(jsonb(sku)) \(item.productName)")
                let key = "\(order.activityID)/\(item.skuID)"
                movements[key, default: (0, 0)].taken -= item.quantity
                if order.status == .cancelled { movements[key, default: (0, 0)].givenBack += item.quantity }
            }
            image.history.append("\(order.id) ->pending_payment - \(order.createdAtMs)")
            if let paidAtMs = order.paidAtMs, let transactionID = order.transactionID {
                image.history.append("\(order.id) pending_payment>\(order.status.rawValue) - \(paidAtMs)")
                image.payments.append("\(order.id) \(transactionID) \(order.payAmountFen) success \(paidAtMs)")
            } else if let cancelledAtMs = order.cancelledAtMs, let reason = order.cancelReason {
                image.history.append("\(order.id) pending_payment>cancelled \(reason.rawValue) \(cancelledAtMs)")
            }
        }
        image.stockLogTotals = movements.sorted { $0.key < $1.key }.map { "\($0.key) taken \($0.value.taken) given back \($0.value.givenBack)" }
        var seckill: [SeckillKey: SeckillStock] = [:]
        for shard in state.inventory { seckill.merge(shard.seckill) { $1 } }
        for activity in state.catalog.activities.values.sorted(by: { $0.id < $1.id }) {
            for item in activity.items.sorted(by: { $0.skuID < $1.skuID }) {
                let stock = seckill[SeckillKey(activityID: activity.id, skuID: item.skuID)]
                image.seckill.append("\(activity.id)/\(item.skuID) stock \(item.stock) remaining \(stock?.remaining ?? -1) sold \(stock?.sold ?? -1)")
            }
        }
        image.users = state.users.flatMap { $0.users.values }.sorted { $0.id < $1.id }.map { "\($0.id) \($0.openID) \($0.unionID ?? "-")" }
        image.admins = state.settings.admins.values.sorted { $0.id < $1.id }.map { "\($0.id) \($0.username) \($0.role)" }
        var stockBySKU: [UInt64: Int64] = [:]
        for shard in state.inventory { stockBySKU.merge(shard.stockBySKU) { $1 } }
        var sales: [UInt64: Int64] = [:]
        for order in orders where order.paidAtMs != nil && order.status != .cancelled {
            for item in order.items { sales[item.productID, default: 0] += item.quantity }
        }
        for product in state.catalog.products.values.sorted(by: { $0.id < $1.id }) {
            for sku in product.skus { image.skus.append("\(sku.id) \(product.id) \(stockBySKU[sku.id] ?? -1) \(jsonb(sku.spec))") }
            image.productSales.append("\(product.id) \(sales[product.id] ?? 0)")
        }
        image.skus.sort()
        return image
    }

    /// The archive image with every list in a stable order for comparison.
    func sorted() -> ArchiveImage {
        var copy = self
        (copy.skus, copy.stockLogTotals, copy.payments) = (skus.sorted(), stockLogTotals.sorted(), payments.sorted())
        return copy
    }

    private static func strings(_ database: ArchiveDatabase, _ sql: String) async throws -> [String] {
        var result: [String] = []
        for try await value in try await database.client.query(PostgresQuery(unsafeSQL: sql)).decode(String.self) { result.append(value) }
        return result
    }

    /// How PostgreSQL prints a jsonb object of strings: keys by length then bytes, `": "` and `", "`.
    static func jsonb(_ pairs: [SpecPair]) -> String {
        let sorted = pairs.sorted { first, second in
            let (a, b) = (Array(first.key.utf8), Array(second.key.utf8))
            return a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
        }
        return "{" + sorted.map { SpecJSON.string($0.key) + ": " + SpecJSON.string($0.value) }.joined(separator: ", ") + "}"
    }
}
