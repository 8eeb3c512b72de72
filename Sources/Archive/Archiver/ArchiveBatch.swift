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
        case .adminUpserted(let upserted):
            addAdmin(id: upserted.adminID, username: upserted.username, role: upserted.role, atMs: upserted.atMs)
        case .adminChanged(let changed):
            addAdmin(id: changed.account.id, username: changed.account.username, role: changed.account.role, atMs: changed.atMs)
        case .sessionOpened, .sessionRefreshed, .sessionsRevoked, .userProfileChanged, .userStatusChanged,
             .userAddressesChanged, .adminLockedOut, .auditRecorded:
            // Identity lives in the engine (profiles, sessions, addresses, the audit log's newest
            // entries); the archive's tables for them come with the reports that need them.
            break
        case .userRegistered(let registered):
            users.append(UserRow(id: registered.userID, openID: registered.openID, unionID: registered.unionID,
                                 createdAtMs: registered.atMs))
        case .productCreated(let created): addProduct(created)
        case .seckillActivityCreated(let created): addActivity(created)
        case .seckillOrderPlaced(let placed): try addPlaced(placed, lsn: lsn)
        case .orderPaid(let paid): try addPaid(paid, lsn: lsn)
        case .orderCancelled(let cancelled): try addCancelled(cancelled, lsn: lsn)
        case .orderPlaced(let placed): try addOrderPlaced(placed, lsn: lsn)
        case .paymentExceptionRecorded:
            // Refunds due are listed from the engine's memory; they get a table with the refund work.
            break
        case .categorySaved, .categoryDeleted, .productSaved, .productsShelved, .productDeleted, .stockAdjusted,
             .seckillStockMoved, .stockLow, .searchSettingsChanged, .searchRecorded, .favoriteChanged, .productViewed,
             .historyCleared:
            // TODO(catalog archive): categories, product details and the stock log of these moves.
            break
        }
        lastLSN = lsn
        lastRecordMs = timestampMs
        recordCount += 1
    }

    private mutating func addAdmin(id: UInt64, username: String, role: String, atMs: Int64) {
        let createdAtMs = admins[id]?.createdAtMs ?? atMs
        admins[id] = AdminRow(id: id, username: username, role: role, createdAtMs: createdAtMs, updatedAtMs: atMs)
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
        let line = OrderLine(productID: placed.productID, skuID: placed.skuID, productName: placed.productName,
                             skuName: placed.skuName, unitPriceFen: placed.unitPriceFen, quantity: placed.quantity,
                             amountFen: placed.totalFen)
        try addOrder(orderID: placed.orderID, userID: placed.userID, activityID: placed.activityID, lines: [line],
                     totalFen: placed.totalFen, payAmountFen: placed.totalFen, deadlineMs: placed.deadlineMs,
                     atMs: placed.atMs, lsn: lsn)
    }

    private mutating func addOrderPlaced(_ placed: OrderPlaced, lsn: UInt64) throws(ArchiveError) {
        try addOrder(orderID: placed.orderID, userID: placed.userID, activityID: 0, lines: placed.lines,
                     totalFen: placed.totalFen, payAmountFen: placed.payAmountFen, deadlineMs: placed.deadlineMs,
                     atMs: placed.atMs, lsn: lsn)
    }

    /// An order's rows, with the totals the record carries (never recomputed here).
    private mutating func addOrder(orderID: UInt64, userID: UInt64, activityID: UInt64, lines: [OrderLine], totalFen: Int64,
                                   payAmountFen: Int64, deadlineMs: Int64, atMs: Int64, lsn: UInt64) throws(ArchiveError) {
        guard newOrders[orderID] == nil, orderUpdates[orderID] == nil else {
            throw .badRecord(lsn: lsn, reason: "order \(orderID) placed twice")
        }
        newOrders[orderID] = OrderRow(
            id: orderID, userID: userID, activityID: activityID, status: .pendingPayment,
            totalFen: totalFen, payAmountFen: payAmountFen, payDeadlineMs: deadlineMs,
            createdAtMs: atMs, updatedAtMs: atMs)
        // One stock log row per SKU: stock_logs is keyed (lsn, sku_id, activity_id).
        var taken: [UInt64: Int64] = [:]
        for (index, line) in lines.enumerated() {
            orderItems.append(OrderItemRow(
                orderID: orderID, lineNo: Int32(index + 1), productID: line.productID, skuID: line.skuID,
                productName: line.productName, skuName: line.skuName, priceFen: line.unitPriceFen,
                quantity: line.quantity, createdAtMs: atMs))
            taken[line.skuID, default: 0] &+= line.quantity
        }
        statusHistory.append(StatusHistoryRow(orderID: orderID, lsn: lsn.bigint, fromStatus: nil,
                                              toStatus: .pendingPayment, reason: nil, atMs: atMs))
        for (skuID, quantity) in taken.sorted(by: { $0.key < $1.key }) {
            stockLogs.append(StockLogRow(lsn: lsn, skuID: skuID, activityID: activityID, orderID: orderID,
                                         change: -quantity, type: StockLogType.orderPlaced, remark: nil, atMs: atMs))
            takeStock(activityID: activityID, skuID: skuID, quantity: quantity)
        }
    }

    private mutating func addPaid(_ paid: OrderPaid, lsn: UInt64) throws(ArchiveError) {
        let change = OrderChange(orderID: paid.orderID, change: .paid, atMs: paid.atMs)
        let moved = try changeOrder(change, lsn: lsn) { row in
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
        statusHistory.append(StatusHistoryRow(orderID: paid.orderID, lsn: lsn.bigint, fromStatus: moved.from,
                                              toStatus: moved.to, reason: nil, atMs: paid.atMs))
        payments.append(PaymentRow(orderID: paid.orderID, transactionID: paid.transactionID, amountFen: paid.amountFen,
                                   paidAtMs: paid.atMs, lsn: lsn))
        paidOrderIDs.append(paid.orderID)
    }

    private mutating func addCancelled(_ cancelled: OrderCancelled, lsn: UInt64) throws(ArchiveError) {
        let change = OrderChange(orderID: cancelled.orderID, change: .cancelled, atMs: cancelled.atMs)
        let reason = cancelled.reason.rawValue
        let moved = try changeOrder(change, lsn: lsn) { row in
            row.cancelReason = reason
            row.cancelledAtMs = cancelled.atMs
        } update: { update in
            update.cancelReason = reason
            update.cancelledAtMs = cancelled.atMs
        }
        statusHistory.append(StatusHistoryRow(orderID: cancelled.orderID, lsn: lsn.bigint, fromStatus: moved.from,
                                              toStatus: moved.to, reason: reason, atMs: cancelled.atMs))
        // One log row per (sku, activity): stock_logs is keyed (lsn, sku_id, activity_id).
        var given: [SeckillKey: Int64] = [:]
        for restock in cancelled.restocks {
            given[SeckillKey(activityID: restock.activityID, skuID: restock.skuID), default: 0] &+= restock.quantity
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
            skuStockDeltas[skuID, default: 0] &-= quantity
        } else {
            let key = SeckillKey(activityID: activityID, skuID: skuID)
            seckillDeltas[key, default: SeckillDelta()].remaining &-= quantity
            seckillDeltas[key, default: SeckillDelta()].sold &+= quantity
        }
    }

    private struct OrderChange {
        var orderID: UInt64
        var change: OrderStateMachine.Change
        var atMs: Int64
    }

    /// Applies a status change, as `OrderStateMachine` allows it, to the order's new row when the
    /// batch created it, else to its merged update (an order archived earlier is taken to be in the
    /// status the change starts from; the engine's replay checked that).
    private mutating func changeOrder(_ change: OrderChange, lsn: UInt64, row: (inout OrderRow) -> Void,
                                      update: (inout OrderUpdate) -> Void) throws(ArchiveError) -> (from: OrderStatus, to: OrderStatus) {
        if var order = newOrders[change.orderID] {
            let moved = try Self.transition(change, from: order.status, lsn: lsn)
            order.status = moved.to
            order.updatedAtMs = change.atMs
            row(&order)
            newOrders[change.orderID] = order
            return moved
        } else {
            var merged = orderUpdates[change.orderID]
                ?? OrderUpdate(id: change.orderID, status: OrderStateMachine.expectedStatus(before: change.change),
                               updatedAtMs: change.atMs)
            let moved = try Self.transition(change, from: merged.status, lsn: lsn)
            merged.status = moved.to
            merged.updatedAtMs = change.atMs
            update(&merged)
            orderUpdates[change.orderID] = merged
            return moved
        }
    }

    private static func transition(_ change: OrderChange, from status: OrderStatus,
                                   lsn: UInt64) throws(ArchiveError) -> (from: OrderStatus, to: OrderStatus) {
        var machine = OrderStateMachine(status: status)
        switch machine.recorded(change.change) {
        case .moved(let from, let to): return (from, to)
        case .refused(let reason): throw .badRecord(lsn: lsn, reason: "order \(change.orderID): \(reason)")
        }
    }
}

enum PaymentMethod {
    static let wechat = "wechat"
}
