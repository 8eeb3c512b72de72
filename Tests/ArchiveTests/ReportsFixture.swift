import Engine
import PostgresNIO

/// A small shop around 2026-11-27, written with SQL into a fresh archive.
/// Shanghai is UTC+8: "today" (Nov 27 local) is [Nov 26 16:00Z, Nov 27 16:00Z).
///
/// | order | user | created (UTC)        | status            | pay  | lines                 | paid (UTC)   |
/// |-------|------|----------------------|-------------------|------|-----------------------|--------------|
/// | o8    | u1   | Nov 20 08:00         | completed         | 2500 | pear ×5 @500          | Nov 20 08:10 |
/// | o1    | u1   | Nov 25 17:00         | completed         | 2000 | apple ×2 @1000        | Nov 25 17:05 |
/// | o2    | u2   | Nov 26 10:00         | cancelled (user)  |  500 | pear ×1               |              |
/// | o3    | u2   | Nov 26 15:59:59.999  | pending_shipment  | 1500 | apple ×1, pear ×1     | Nov 26 16:00:30 |
/// | o4    | u3   | Nov 26 16:00         | pending_receipt   |  800 | apple ×1 @800 (sale)  | Nov 26 16:01 |
/// | o5    | u3   | Nov 26 16:00 (= o4)  | cancelled (timeout)| 800 | apple ×1 @800 (sale)  |              |
/// | o6    | u4   | Nov 27 03:00         | pending_payment   |  800 | pear ×2 @400 (sale)   |              |
/// | o7    | u4   | Nov 27 03:30         | completed         |  800 | formula ×1 @300, tea ×2 @250 | Nov 27 03:31 |
struct ReportsFixture {
    struct Order {
        var id: Int64
        var orderNo: String { OrderNumber.make(orderID: UInt64(id)) }
    }

    static let userIDs: [Int64] = [101, 102, 103, 104]
    static let apple: Int64 = 1001, pear: Int64 = 1002, formula: Int64 = 1003, tea: Int64 = 1004
    static let appleSKU: Int64 = 2001, pearSKU: Int64 = 2002, formulaSKU: Int64 = 2003, teaSKU: Int64 = 2004
    static let activity: Int64 = 3001
    static let formulaName = "=HYPERLINK(\"evil\")"
    static let teaName = "Tea, \"Green\"\nLeaf"
    static let nowMs = reportsMs(2026, 11, 27, 4)

    static func id(_ ms: Int64, counter: Int64 = 0) -> Int64 { ms << 16 | counter }

    static let o8 = Order(id: id(reportsMs(2026, 11, 20, 8)))
    static let o1 = Order(id: id(reportsMs(2026, 11, 25, 17)))
    static let o2 = Order(id: id(reportsMs(2026, 11, 26, 10)))
    static let o3 = Order(id: id(reportsMs(2026, 11, 26, 15, 59, 59, 999)))
    static let o4 = Order(id: id(reportsMs(2026, 11, 26, 16)))
    static let o5 = Order(id: id(reportsMs(2026, 11, 26, 16), counter: 1))
    static let o6 = Order(id: id(reportsMs(2026, 11, 27, 3)))
    static let o7 = Order(id: id(reportsMs(2026, 11, 27, 3, 30)))
    /// Oldest first.
    static let all = [o8, o1, o2, o3, o4, o5, o6, o7]

    static func insert(into client: PostgresClient) async throws {
        try await insertCatalog(client)
        try await insertOrders(client)
        try await insertLinesAndPayments(client)
    }

    private static func run(_ client: PostgresClient, _ query: PostgresQuery) async throws {
        try await client.query(query, logger: ReportsDatabase.logger)
    }

    private static func insertCatalog(_ client: PostgresClient) async throws {
        let userTimes = [reportsMs(2026, 11, 1, 0), reportsMs(2026, 11, 26, 10), reportsMs(2026, 11, 26, 17), reportsMs(2026, 11, 27, 3)]
        for (index, userID) in userIDs.enumerated() {
            let at = userTimes[index]
            try await run(client, """
                INSERT INTO users (id, openid, created_at, updated_at)
                VALUES (\(userID), \("openid-\(userID)"), timestamptz 'epoch' + \(at) * interval '1 millisecond',
                        timestamptz 'epoch' + \(at) * interval '1 millisecond')
                """)
        }
        let products: [(Int64, String, Int64, String, Int64)] = [
            (apple, "Apple 苹果", appleSKU, "Red", 1000), (pear, "Pear", pearSKU, "Big", 500),
            (formula, formulaName, formulaSKU, "Std", 300), (tea, teaName, teaSKU, "Cup", 250),
        ]
        for (productID, name, skuID, skuName, priceFen) in products {
            try await run(client, "INSERT INTO products (id, name, created_at, updated_at) VALUES (\(productID), \(name), now(), now())")
            try await run(client, """
                INSERT INTO product_skus (id, product_id, name, price_fen, stock, created_at, updated_at)
                VALUES (\(skuID), \(productID), \(skuName), \(priceFen), 100, now(), now())
                """)
        }
        try await run(client, """
            INSERT INTO seckill_activities (id, name, start_time, end_time, created_at)
            VALUES (\(activity), 'Double 12 双十二', '2026-11-26 16:00:00+00', '2026-11-27 16:00:00+00', '2026-11-20 00:00:00+00')
            """)
        try await run(client, """
            INSERT INTO seckill_items (activity_id, sku_id, seckill_price_fen, stock, remaining, sold, limit_per_user)
            VALUES (\(activity), \(appleSKU), 800, 10, 9, 1, 1), (\(activity), \(pearSKU), 400, 5, 3, 2, 2)
            """)
    }

    struct OrderRow {
        var order: Order
        var userID: Int64
        var activityID: Int64?
        var status: String
        var payFen: Int64
        var paidMs: Int64?
        var cancelReason: String?
        var remark: String?
    }

    static var orderRows: [OrderRow] {
        [
            OrderRow(order: o8, userID: 101, status: "completed", payFen: 2500, paidMs: reportsMs(2026, 11, 20, 8, 10)),
            OrderRow(order: o1, userID: 101, status: "completed", payFen: 2000, paidMs: reportsMs(2026, 11, 25, 17, 5)),
            OrderRow(order: o2, userID: 102, status: "cancelled", payFen: 500, cancelReason: "user"),
            OrderRow(order: o3, userID: 102, status: "pending_shipment", payFen: 1500, paidMs: reportsMs(2026, 11, 26, 16, 0, 30)),
            OrderRow(order: o4, userID: 103, activityID: activity, status: "pending_receipt", payFen: 800, paidMs: reportsMs(2026, 11, 26, 16, 1)),
            OrderRow(order: o5, userID: 103, activityID: activity, status: "cancelled", payFen: 800, cancelReason: "timeout"),
            OrderRow(order: o6, userID: 104, activityID: activity, status: "pending_payment", payFen: 800),
            OrderRow(order: o7, userID: 104, status: "completed", payFen: 800, paidMs: reportsMs(2026, 11, 27, 3, 31), remark: "=1+2"),
        ]
    }

    /// Creation time of an order id (its top bits).
    static func createdMs(_ order: Order) -> Int64 { order.id >> 16 }

    static func insertOrder(_ client: PostgresClient, _ row: OrderRow) async throws {
        let createdMs = createdMs(row.order)
        let cancelledMs: Int64? = row.status == "cancelled" ? createdMs + 900_000 : nil
        let transactionID: String? = row.paidMs.map { "wx-\($0)" }
        try await run(client, """
            INSERT INTO orders (id, order_no, user_id, activity_id, status, total_amount_fen, pay_amount_fen, payment_status,
                                payment_method, transaction_id, cancel_reason, remark, pay_deadline, created_at, updated_at,
                                paid_at, cancelled_at)
            VALUES (\(row.order.id), \(row.order.orderNo), \(row.userID), \(row.activityID), \(row.status), \(row.payFen),
                    \(row.payFen), \(row.paidMs == nil ? "unpaid" : "paid"), \(row.paidMs == nil ? nil : "wechat"), \(transactionID),
                    \(row.cancelReason), \(row.remark),
                    timestamptz 'epoch' + \(createdMs + 900_000) * interval '1 millisecond',
                    timestamptz 'epoch' + \(createdMs) * interval '1 millisecond',
                    timestamptz 'epoch' + \(createdMs) * interval '1 millisecond',
                    timestamptz 'epoch' + \(row.paidMs) * interval '1 millisecond',
                    timestamptz 'epoch' + \(cancelledMs) * interval '1 millisecond')
            """)
    }

    private static func insertOrders(_ client: PostgresClient) async throws {
        for row in orderRows { try await insertOrder(client, row) }
    }

    private static func insertLinesAndPayments(_ client: PostgresClient) async throws {
        let lines: [(Order, Int32, Int64, Int64, String, String, Int64, Int64)] = [
            (o8, 1, pear, pearSKU, "Pear", "Big", 500, 5),
            (o1, 1, apple, appleSKU, "Apple 苹果", "Red", 1000, 2),
            (o2, 1, pear, pearSKU, "Pear", "Big", 500, 1),
            (o3, 1, apple, appleSKU, "Apple 苹果", "Red", 1000, 1),
            (o3, 2, pear, pearSKU, "Pear", "Big", 500, 1),
            (o4, 1, apple, appleSKU, "Apple 苹果", "Red", 800, 1),
            (o5, 1, apple, appleSKU, "Apple 苹果", "Red", 800, 1),
            (o6, 1, pear, pearSKU, "Pear", "Big", 400, 2),
            (o7, 1, formula, formulaSKU, formulaName, "Std", 300, 1),
            (o7, 2, tea, teaSKU, teaName, "Cup", 250, 2),
        ]
        for (order, lineNo, productID, skuID, productName, skuName, priceFen, quantity) in lines {
            try await run(client, """
                INSERT INTO order_items (order_id, line_no, product_id, sku_id, product_name, sku_name, spec, price_fen, quantity, created_at)
                VALUES (\(order.id), \(lineNo), \(productID), \(skuID), \(productName), \(skuName),
                        \(lineNo == 1 ? #"{"颜色": "红"}"# : "{}")::jsonb, \(priceFen), \(quantity),
                        timestamptz 'epoch' + \(createdMs(order)) * interval '1 millisecond')
                """)
        }
        for (lsn, row) in orderRows.enumerated() {
            try await run(client, """
                INSERT INTO order_status_history (order_id, lsn, from_status, to_status, created_at)
                VALUES (\(row.order.id), \(Int64(lsn * 10 + 1)), NULL, 'pending_payment',
                        timestamptz 'epoch' + \(createdMs(row.order)) * interval '1 millisecond')
                """)
            guard let paidMs = row.paidMs else { continue }
            try await run(client, """
                INSERT INTO payments (order_id, transaction_id, method, amount_fen, status, paid_at, lsn)
                VALUES (\(row.order.id), \("wx-\(paidMs)"), 'wechat', \(row.payFen), 'paid',
                        timestamptz 'epoch' + \(paidMs) * interval '1 millisecond', \(Int64(lsn * 10 + 2)))
                """)
            try await run(client, """
                INSERT INTO order_status_history (order_id, lsn, from_status, to_status, created_at)
                VALUES (\(row.order.id), \(Int64(lsn * 10 + 2)), 'pending_payment', 'pending_shipment',
                        timestamptz 'epoch' + \(paidMs) * interval '1 millisecond')
                """)
        }
    }
}
