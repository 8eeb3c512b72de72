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
    /// Categories saved in the batch, their last image; deleted ones are in `deletedCategoryIDs` instead.
    var categories: [UInt64: CategoryRow] = [:]
    var deletedCategoryIDs: Set<UInt64> = []
    /// Products created or saved in the batch, their last image (upserted whole but `sales`).
    var products: [UInt64: ProductRow] = [:]
    /// Shelving and deletion of products the batch did not save.
    var productPatches: [UInt64: ProductPatch] = [:]
    /// SKUs of the products above, their last image (upserted whole but `stock`).
    var skus: [UInt64: SKURow] = [:]
    /// The SKU ids of each product in `products`, to reach their rows when the product is shelved.
    private var skuIDsByProduct: [UInt64: [UInt64]] = [:]
    var activities: [ActivityRow] = []
    var seckillItems: [SeckillItemRow] = []
    /// Flash-sale items created before the batch and taken off their sale in it.
    var removedSeckillItems: Set<SeckillKey> = []
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
        case .seckillActivityCreated(let created): addActivity(created, lsn: lsn)
        case .seckillOrderPlaced(let placed): try addPlaced(placed, lsn: lsn)
        case .orderPaid(let paid): try addPaid(paid, lsn: lsn)
        case .orderCancelled(let cancelled): try addCancelled(cancelled, lsn: lsn)
        case .orderPlaced(let placed): try addOrderPlaced(placed, lsn: lsn)
        case .paymentExceptionRecorded:
            // Refunds due are listed from the engine's memory; they get a table with the refund work.
            break
        case .categorySaved(let saved):
            deletedCategoryIDs.remove(saved.category.id)
            categories[saved.category.id] = CategoryRow(saved.category)
        case .categoryDeleted(let deleted):
            categories[deleted.categoryID] = nil
            deletedCategoryIDs.insert(deleted.categoryID)
        case .productSaved(let saved): addProductSaved(saved, lsn: lsn)
        case .productsShelved(let shelved):
            for id in shelved.productIDs { patchProduct(id, onShelf: shelved.onShelf, deleted: false, atMs: shelved.atMs) }
        case .productDeleted(let deleted):
            patchProduct(deleted.productID, onShelf: false, deleted: true, atMs: deleted.atMs)
        case .stockAdjusted(let adjusted):
            if adjusted.delta != 0 {
                stockLogs.append(StockLogRow(lsn: lsn, skuID: adjusted.skuID, activityID: 0, orderID: 0, change: adjusted.delta,
                                             type: adjusted.kind.name, remark: adjusted.remark, operatorID: adjusted.operatorID,
                                             atMs: adjusted.atMs))
                skuStockDeltas[adjusted.skuID, default: 0] &+= adjusted.delta
            }
        case .seckillStockMoved(let moved): addSeckillMove(moved, lsn: lsn)
        case .stockLow:
            // A marker for notifications; the stock it reports is already in product_skus.
            break
        case .searchSettingsChanged, .searchRecorded, .favoriteChanged, .productViewed, .historyCleared:
            // Search settings, hot keywords, favorites and browsing history are served from the
            // engine's memory (bounded per user, DESIGN invariant 8) and no report reads them;
            // they get tables when a report needs them, filled by a rebuild from state.
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
        // The product as the engine's catalog makes it from this record, so a rebuild from state writes the same rows.
        let product = Product(id: created.productID, name: created.name,
                              skus: created.skus.map { Product.SKU(id: $0.skuID, name: $0.name, spec: $0.spec, priceFen: $0.priceFen) },
                              createdAtMs: created.atMs)
        putProduct(product) { sku in created.skus.first { $0.skuID == sku.id }?.stock ?? 0 }
    }

    /// A product saved whole: its row and its SKUs' rows. New SKUs come with their opening stock and
    /// one `opening` stock log row each; SKUs the archive (or the batch) has keep their stock.
    private mutating func addProductSaved(_ saved: ProductSaved, lsn: UInt64) {
        var opening: [UInt64: Int64] = [:]
        for entry in saved.openingStock { opening[entry.skuID, default: 0] &+= entry.quantity }
        putProduct(saved.product) { opening[$0.id] ?? 0 }
        for (skuID, quantity) in opening.sorted(by: { $0.key < $1.key }) where quantity != 0 {
            stockLogs.append(StockLogRow(lsn: lsn, skuID: skuID, activityID: 0, orderID: 0, change: quantity,
                                         type: StockLogType.opening, remark: nil, operatorID: saved.operatorID, atMs: saved.atMs))
        }
    }

    /// Puts a product's row and its SKUs' rows in the batch. `newStock` is the stock of a SKU the
    /// batch does not hold yet: it is written only if the archive has no such SKU either.
    mutating func putProduct(_ product: Product, newStock: (Product.SKU) -> Int64) {
        let row = ProductRow(product)
        products[product.id] = row
        // The whole row is newer than any shelving recorded before it.
        productPatches[product.id] = nil
        skuIDsByProduct[product.id] = product.skus.map(\.id)
        for sku in product.skus {
            skus[sku.id] = SKURow(sku, of: row, stock: skus[sku.id]?.stock ?? newStock(sku))
        }
    }

    /// Shelving or deletion: on the batch's row when it holds the product, else as a patch.
    /// SKU rows take the product's time, as they do when the product is saved.
    private mutating func patchProduct(_ id: UInt64, onShelf: Bool, deleted: Bool, atMs: Int64) {
        if var row = products[id] {
            row.deleted = row.deleted || deleted
            row.onShelf = onShelf && !row.deleted
            row.updatedAtMs = atMs
            products[id] = row
            for skuID in skuIDsByProduct[id] ?? [] { skus[skuID]?.updatedAtMs = atMs }
        } else {
            let wasDeleted = productPatches[id]?.deleted ?? false
            productPatches[id] = ProductPatch(id: id, onShelf: onShelf && !(deleted || wasDeleted),
                                              deleted: deleted || wasDeleted, updatedAtMs: atMs)
        }
    }

    /// Units between a SKU's stock and a flash-sale item: the SKU's stock moves the other way from
    /// the item's `remaining`; the log row says what the SKU's stock did.
    private mutating func addSeckillMove(_ moved: SeckillStockMoved, lsn: UInt64) {
        if moved.delta != 0 {
            let (stockChange, overflow) = Int64(0).subtractingReportingOverflow(moved.delta)
            // The engine bounds moves by the stock limit; a record saying otherwise was refused by its replay.
            let change = overflow ? Int64.max : stockChange
            stockLogs.append(StockLogRow(lsn: lsn, skuID: moved.skuID, activityID: moved.activityID, orderID: 0, change: change,
                                         type: moved.delta > 0 ? StockLogType.toSeckill : StockLogType.fromSeckill,
                                         remark: moved.remark, operatorID: moved.operatorID, atMs: moved.atMs))
            skuStockDeltas[moved.skuID, default: 0] &+= change
            seckillDeltas[moved.key, default: SeckillDelta()].remaining &+= moved.delta
        }
        if moved.removesItem {
            if let index = seckillItems.firstIndex(where: { $0.activityID == moved.activityID && $0.skuID == moved.skuID }) {
                seckillItems[index].removed = true
            } else {
                removedSeckillItems.insert(moved.key)
            }
        }
    }

    private mutating func addActivity(_ created: SeckillActivityCreated, lsn: UInt64) {
        activities.append(ActivityRow(id: created.activityID, name: created.name, startMs: created.startMs,
                                      endMs: created.endMs, createdAtMs: created.atMs))
        for item in created.items {
            seckillItems.append(SeckillItemRow(activityID: created.activityID, skuID: item.skuID,
                                               seckillPriceFen: item.seckillPriceFen, stock: item.stock,
                                               limitPerUser: item.limitPerUser))
        }
        // A v2 sale draws its units from the SKUs' stock when it is created.
        guard created.drawsFromStock else { return }
        var drawn: [UInt64: Int64] = [:]
        for item in created.items { drawn[item.skuID, default: 0] &+= item.stock }
        for (skuID, units) in drawn.sorted(by: { $0.key < $1.key }) where units != 0 {
            stockLogs.append(StockLogRow(lsn: lsn, skuID: skuID, activityID: created.activityID, orderID: 0, change: -units,
                                         type: StockLogType.toSeckill, remark: created.name, atMs: created.atMs))
            skuStockDeltas[skuID, default: 0] &-= units
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
