import Engine

extension ArchiveBatch {
    /// Every row of an engine state as of `state.lastLSN`, for `ArchiveMaintenance.rebuild`.
    ///
    /// State holds what is, not how it came to be; rows it cannot hold are reconstructed:
    /// an order's status history becomes its creation (lsn -2) and its status now (lsn -1), a paid
    /// order's payment gets lsn NULL and the order's amount, and stock movements are not logged:
    /// the SKUs' stock and the flash-sale items' figures are the state's, whatever moved them.
    init(state: EngineState) {
        self.init(afterLSN: 0)
        afterLSN = nil
        lastLSN = state.lastLSN
        for admin in state.settings.admins.values {
            admins[admin.id] = AdminRow(id: admin.id, username: admin.username, role: admin.role,
                                        createdAtMs: admin.updatedAtMs, updatedAtMs: admin.updatedAtMs)
        }
        for shard in state.users {
            for user in shard.users.values {
                users.append(UserRow(id: user.id, openID: user.openID, unionID: user.unionID, createdAtMs: user.createdAtMs))
            }
        }
        addCatalog(of: state)
        for shard in state.users {
            for order in shard.orders.values { addOrder(order) }
        }
        users.sort { $0.id < $1.id }
        orderItems.sort { ($0.orderID, $0.lineNo) < ($1.orderID, $1.lineNo) }
    }

    private mutating func addCatalog(of state: EngineState) {
        var stockBySKU: [UInt64: Int64] = [:]
        var seckill: [SeckillKey: SeckillStock] = [:]
        for shard in state.inventory {
            stockBySKU.merge(shard.stockBySKU) { $1 }
            seckill.merge(shard.seckill) { $1 }
        }
        for category in state.catalog.categories.values { categories[category.id] = CategoryRow(category) }
        for product in state.catalog.products.values.sorted(by: { $0.id < $1.id }) {
            putProduct(product) { stockBySKU[$0.id] ?? 0 }
        }
        for activity in state.catalog.activities.values.sorted(by: { $0.id < $1.id }) {
            activities.append(ActivityRow(id: activity.id, name: activity.name, startMs: activity.startMs,
                                          endMs: activity.endMs, createdAtMs: activity.createdAtMs))
            for item in activity.items {
                seckillItems.append(SeckillItemRow(activityID: activity.id, skuID: item.skuID, seckillPriceFen: item.seckillPriceFen,
                                                   stock: item.stock, limitPerUser: item.limitPerUser,
                                                   removed: activity.removedSKUs.contains(item.skuID)))
                // Items go in with remaining = stock, sold = 0; the state's figures arrive as deltas.
                let key = SeckillKey(activityID: activity.id, skuID: item.skuID)
                if let now = seckill[key] {
                    seckillDeltas[key] = SeckillDelta(remaining: now.remaining - item.stock, sold: now.sold)
                }
            }
        }
    }

    private mutating func addOrder(_ order: Order) {
        var row = OrderRow(id: order.id, userID: order.userID, activityID: order.activityID, status: order.status,
                           totalFen: order.totalFen, payAmountFen: order.payAmountFen, payDeadlineMs: order.payDeadlineMs,
                           createdAtMs: order.createdAtMs, updatedAtMs: order.createdAtMs)
        row.transactionID = order.transactionID
        row.cancelReason = order.cancelReason?.rawValue
        row.paidAtMs = order.paidAtMs
        row.cancelledAtMs = order.cancelledAtMs
        row.updatedAtMs = max(order.createdAtMs, order.paidAtMs ?? .min, order.cancelledAtMs ?? .min)
        if let paidAtMs = order.paidAtMs, let transactionID = order.transactionID {
            row.paymentStatus = PaymentStatus.paid
            row.paymentMethod = PaymentMethod.wechat
            payments.append(PaymentRow(orderID: order.id, transactionID: transactionID, amountFen: order.payAmountFen,
                                       paidAtMs: paidAtMs, lsn: nil))
            if order.status != .cancelled { paidOrderIDs.append(order.id) }
        }
        newOrders[order.id] = row
        for (index, item) in order.items.enumerated() {
            orderItems.append(OrderItemRow(orderID: order.id, lineNo: Int32(index + 1), productID: item.productID,
                                           skuID: item.skuID, productName: item.productName, skuName: item.skuName,
                                           priceFen: item.unitPriceFen, quantity: item.quantity, createdAtMs: order.createdAtMs))
        }
        statusHistory.append(StatusHistoryRow(orderID: order.id, lsn: ReconstructedLSN.created, fromStatus: nil,
                                              toStatus: .pendingPayment, reason: nil, atMs: order.createdAtMs))
        if order.status != .pendingPayment {
            statusHistory.append(StatusHistoryRow(orderID: order.id, lsn: ReconstructedLSN.current, fromStatus: .pendingPayment,
                                                  toStatus: order.status, reason: order.cancelReason?.rawValue,
                                                  atMs: row.updatedAtMs))
        }
    }
}

/// `order_status_history.lsn` of rows reconstructed from state (see Migration0001).
enum ReconstructedLSN {
    static let created: Int64 = -2
    static let current: Int64 = -1
}
