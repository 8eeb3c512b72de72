import Engine

/// A run of durable WAL records folded into row images, ready to be written in one transaction.
///
/// Folding is pure: no I/O, no clock. Orders created inside the batch get their final row; orders
/// created before it get one merged update; counters (seckill remaining/sold, SKU stock, product
/// sales) become deltas, which commute with whatever the archive already holds.
struct ArchiveBatch: Sendable {
    /// The checkpoint the batch continues from; the writer refuses to apply it anywhere else.
    /// Nil for a state load (rebuild), which replaces the archive's contents.
    var afterLSN: UInt64?
    /// The checkpoint after the batch: the LSN of its last record (or the snapshot's LSN).
    var lastLSN: UInt64
    var lastRecordMs: Int64?
    var recordCount = 0

    var admins: [UInt64: AdminRow] = [:]
    var users: [UserRow] = []
    var products: [ProductRow] = []
    var skus: [SKURow] = []
    var activities: [ActivityRow] = []
    var seckillItems: [SeckillItemRow] = []
    var newOrders: [UInt64: OrderRow] = [:]
    var orderUpdates: [UInt64: OrderUpdate] = [:]
    var orderItems: [OrderItemRow] = []
    var statusHistory: [StatusHistoryRow] = []
    var payments: [PaymentRow] = []
    var stockLogs: [StockLogRow] = []
    var seckillDeltas: [SeckillKey: SeckillDelta] = [:]
    var skuStockDeltas: [UInt64: Int64] = [:]
    /// Orders that became paid: their items' quantities are added to `products.sales`.
    var paidOrderIDs: [UInt64] = []

    init(afterLSN: UInt64) {
        self.afterLSN = afterLSN
        self.lastLSN = afterLSN
    }

    var isEmpty: Bool { recordCount == 0 }

    /// Folds one record in. Records must come in LSN order with no gap.
    /// - Throws: `.badRecord` when a record contradicts what came before it (an order placed twice,
    ///   a status change from a status the order is not in). The engine's replay refuses such a log
    ///   too; the archiver stops there, loudly, rather than crash the server it runs in.
    mutating func add(_ event: MallEvent, lsn: UInt64, timestampMs: Int64) throws(ArchiveError) {
        guard lsn == lastLSN + 1 else { throw .badRecord(lsn: lsn, reason: "expected lsn \(lastLSN + 1): the log has a gap") }
        switch event {
        case .adminUpserted(let upserted): addAdmin(upserted)
        case .userRegistered(let registered):
            users.append(UserRow(id: registered.userID, openID: registered.openID, unionID: registered.unionID,
                                 createdAtMs: registered.atMs))
        case .productCreated(let created): addProduct(created)
        case .seckillActivityCreated(let created): addActivity(created)
        case .seckillOrderPlaced(let placed): try addPlaced(placed, lsn: lsn)
        case .orderPaid(let paid): try addPaid(paid, lsn: lsn)
        case .orderCancelled(let cancelled): try addCancelled(cancelled, lsn: lsn)
        }
        lastLSN = lsn
        lastRecordMs = timestampMs
        recordCount += 1
    }

    private mutating func addAdmin(_ upserted: AdminUpserted) {
        let createdAtMs = admins[upserted.adminID]?.createdAtMs ?? upserted.atMs
        admins[upserted.adminID] = AdminRow(id: upserted.adminID, username: upserted.username, role: upserted.role,
                                            createdAtMs: createdAtMs, updatedAtMs: upserted.atMs)
    }

    private mutating func addProduct(_ created: ProductCreated) {
        products.append(ProductRow(id: created.productID, name: created.name, createdAtMs: created.atMs))
        for sku in created.skus {
            skus.append(SKURow(id: sku.skuID, productID: created.productID, name: sku.name, spec: sku.spec,
                               priceFen: sku.priceFen, stock: sku.stock, createdAtMs: created.atMs))
        }
    }

    private mutating func addActivity(_ created: SeckillActivityCreated) {
        activities.append(ActivityRow(id: created.activityID, name: created.name, startMs: created.startMs,
                                      endMs: created.endMs, createdAtMs: created.atMs))
        for item in created.items {
            seckillItems.append(SeckillItemRow(activityID: created.activityID, skuID: item.skuID,
                                               seckillPriceFen: item.seckillPriceFen, stock: item.stock,
                                               limitPerUser: item.limitPerUser))
        }
    }

    private mutating func addPlaced(_ placed: SeckillOrderPlaced, lsn: UInt64) throws(ArchiveError) {
        let totalFen = placed.unitPriceFen * placed.quantity
        guard newOrders[placed.orderID] == nil, orderUpdates[placed.orderID] == nil else {
            throw .badRecord(lsn: lsn, reason: "order \(placed.orderID) placed twice")
        }
        newOrders[placed.orderID] = OrderRow(
            id: placed.orderID, userID: placed.userID, activityID: placed.activityID, status: .pendingPayment,
            totalFen: totalFen, payAmountFen: totalFen, payDeadlineMs: placed.deadlineMs,
            createdAtMs: placed.atMs, updatedAtMs: placed.atMs)
        orderItems.append(OrderItemRow(
            orderID: placed.orderID, lineNo: 1, productID: placed.productID, skuID: placed.skuID,
            productName: placed.productName, skuName: placed.skuName, priceFen: placed.unitPriceFen,
            quantity: placed.quantity, createdAtMs: placed.atMs))
        statusHistory.append(StatusHistoryRow(orderID: placed.orderID, lsn: lsn.bigint, fromStatus: nil,
                                              toStatus: .pendingPayment, reason: nil, atMs: placed.atMs))
        stockLogs.append(StockLogRow(lsn: lsn, skuID: placed.skuID, activityID: placed.activityID, orderID: placed.orderID,
                                     change: -placed.quantity, type: StockLogType.orderPlaced, remark: nil, atMs: placed.atMs))
        takeStock(activityID: placed.activityID, skuID: placed.skuID, quantity: placed.quantity)
    }

    private mutating func addPaid(_ paid: OrderPaid, lsn: UInt64) throws(ArchiveError) {
        // The engine applies OrderPaid only to a pending order (UserState.apply).
        let change = OrderChange(orderID: paid.orderID, from: .pendingPayment, to: .pendingShipment, atMs: paid.atMs)
        try changeOrder(change, lsn: lsn) { row in
            row.paymentStatus = PaymentStatus.paid
            row.paymentMethod = PaymentMethod.wechat
            row.transactionID = paid.transactionID
            row.paidAtMs = paid.atMs
        } update: { update in
            update.paymentStatus = PaymentStatus.paid
            update.paymentMethod = PaymentMethod.wechat
            update.transactionID = paid.transactionID
            update.paidAtMs = paid.atMs
        }
        statusHistory.append(StatusHistoryRow(orderID: paid.orderID, lsn: lsn.bigint, fromStatus: change.from,
                                              toStatus: change.to, reason: nil, atMs: paid.atMs))
        payments.append(PaymentRow(orderID: paid.orderID, transactionID: paid.transactionID, amountFen: paid.amountFen,
                                   paidAtMs: paid.atMs, lsn: lsn))
        paidOrderIDs.append(paid.orderID)
    }

    private mutating func addCancelled(_ cancelled: OrderCancelled, lsn: UInt64) throws(ArchiveError) {
        // The engine applies OrderCancelled only to a pending order (UserState.apply).
        let change = OrderChange(orderID: cancelled.orderID, from: .pendingPayment, to: .cancelled, atMs: cancelled.atMs)
        let reason = cancelled.reason.rawValue
        try changeOrder(change, lsn: lsn) { row in
            row.cancelReason = reason
            row.cancelledAtMs = cancelled.atMs
        } update: { update in
            update.cancelReason = reason
            update.cancelledAtMs = cancelled.atMs
        }
        statusHistory.append(StatusHistoryRow(orderID: cancelled.orderID, lsn: lsn.bigint, fromStatus: change.from,
                                              toStatus: change.to, reason: reason, atMs: cancelled.atMs))
        // One log row per (sku, activity): stock_logs is keyed (lsn, sku_id, activity_id).
        var given: [SeckillKey: Int64] = [:]
        for restock in cancelled.restocks {
            given[SeckillKey(activityID: restock.activityID, skuID: restock.skuID), default: 0] += restock.quantity
        }
        for (key, quantity) in given.sorted(by: { $0.key < $1.key }) {
            stockLogs.append(StockLogRow(lsn: lsn, skuID: key.skuID, activityID: key.activityID, orderID: cancelled.orderID,
                                         change: quantity, type: StockLogType.orderCancelled, remark: reason,
                                         atMs: cancelled.atMs))
            takeStock(activityID: key.activityID, skuID: key.skuID, quantity: -quantity)
        }
    }

    /// A take (positive) or give-back (negative) on flash-sale stock, or on ordinary stock when `activityID` is 0.
    private mutating func takeStock(activityID: UInt64, skuID: UInt64, quantity: Int64) {
        if activityID == 0 {
            skuStockDeltas[skuID, default: 0] -= quantity
        } else {
            let key = SeckillKey(activityID: activityID, skuID: skuID)
            seckillDeltas[key, default: SeckillDelta()].remaining -= quantity
            seckillDeltas[key, default: SeckillDelta()].sold += quantity
        }
    }

    private struct OrderChange {
        var orderID: UInt64
        var from: OrderStatus
        var to: OrderStatus
        var atMs: Int64
    }

    /// Applies a status change to the order's new row when the batch created it, else to its merged update.
    private mutating func changeOrder(_ change: OrderChange, lsn: UInt64, row: (inout OrderRow) -> Void,
                                      update: (inout OrderUpdate) -> Void) throws(ArchiveError) {
        if var order = newOrders[change.orderID] {
            guard order.status == change.from else {
                throw .badRecord(lsn: lsn, reason: "order \(change.orderID) is \(order.status.rawValue), not \(change.from.rawValue)")
            }
            order.status = change.to
            order.updatedAtMs = change.atMs
            row(&order)
            newOrders[change.orderID] = order
        } else {
            var merged = orderUpdates[change.orderID]
                ?? OrderUpdate(id: change.orderID, status: change.from, updatedAtMs: change.atMs)
            guard merged.status == change.from else {
                throw .badRecord(lsn: lsn, reason: "order \(change.orderID) is \(merged.status.rawValue), not \(change.from.rawValue)")
            }
            merged.status = change.to
            merged.updatedAtMs = change.atMs
            update(&merged)
            orderUpdates[change.orderID] = merged
        }
    }
}

enum PaymentMethod {
    static let wechat = "wechat"
}
