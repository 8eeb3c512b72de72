/// One order as the back-office list and the CSV export show it: camelCase,
/// money in fen, times ISO-8601 UTC, ids as strings.
public struct AdminOrder: Encodable, Sendable, Equatable {
    public var id: String
    public var orderNo: String
    public var userId: String
    /// The flash-sale activity the order came from, if any.
    public var activityId: String?
    /// pending_payment, pending_shipment, pending_receipt, completed or cancelled.
    public var status: String
    /// user, timeout or admin, for cancelled orders.
    public var cancelReason: String?
    public var paymentStatus: String
    public var paymentMethod: String?
    public var transactionId: String?
    public var totalAmountFen: Int64
    public var discountAmountFen: Int64
    public var freightFen: Int64
    public var payAmountFen: Int64
    /// Units over all lines.
    public var itemQuantity: Int64
    /// "product sku ×quantity" per line, joined with "; ".
    public var productSummary: String
    public var remark: String?
    public var createdAt: String
    public var payDeadline: String
    public var paidAt: String?
    public var shippedAt: String?
    public var completedAt: String?
    public var cancelledAt: String?

    public init(
        id: String, orderNo: String, userId: String, activityId: String?, status: String, cancelReason: String?,
        paymentStatus: String, paymentMethod: String?, transactionId: String?, totalAmountFen: Int64,
        discountAmountFen: Int64, freightFen: Int64, payAmountFen: Int64, itemQuantity: Int64, productSummary: String,
        remark: String?, createdAt: String, payDeadline: String, paidAt: String?, shippedAt: String?,
        completedAt: String?, cancelledAt: String?
    ) {
        (self.id, self.orderNo, self.userId, self.activityId, self.status) = (id, orderNo, userId, activityId, status)
        (self.cancelReason, self.paymentStatus, self.paymentMethod) = (cancelReason, paymentStatus, paymentMethod)
        (self.transactionId, self.totalAmountFen, self.discountAmountFen) = (transactionId, totalAmountFen, discountAmountFen)
        (self.freightFen, self.payAmountFen, self.itemQuantity) = (freightFen, payAmountFen, itemQuantity)
        (self.productSummary, self.remark, self.createdAt, self.payDeadline) = (productSummary, remark, createdAt, payDeadline)
        (self.paidAt, self.shippedAt, self.completedAt, self.cancelledAt) = (paidAt, shippedAt, completedAt, cancelledAt)
    }
}

/// A page of orders. `nextCursor` is always present (null on the last page);
/// `page`, `pageSize` and `total` only in page mode.
public struct AdminOrderPage: Encodable, Sendable, Equatable {
    public var items: [AdminOrder]
    public var nextCursor: String?
    public var page: Int?
    public var pageSize: Int?
    public var total: Int64?

    public init(items: [AdminOrder], nextCursor: String? = nil, page: Int? = nil, pageSize: Int? = nil, total: Int64? = nil) {
        (self.items, self.nextCursor, self.page, self.pageSize, self.total) = (items, nextCursor, page, pageSize, total)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
        try container.encodeIfPresent(page, forKey: .page)
        try container.encodeIfPresent(pageSize, forKey: .pageSize)
        try container.encodeIfPresent(total, forKey: .total)
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor, page, pageSize, total }
}

/// An order with everything the archive knows of it.
public struct AdminOrderDetail: Encodable, Sendable, Equatable {
    public var order: AdminOrder
    public var items: [Line]
    public var payments: [Payment]
    /// Oldest first.
    public var statusHistory: [StatusChange]

    public init(order: AdminOrder, items: [Line], payments: [Payment], statusHistory: [StatusChange]) {
        (self.order, self.items, self.payments, self.statusHistory) = (order, items, payments, statusHistory)
    }

    public struct Line: Encodable, Sendable, Equatable {
        public var lineNo: Int
        public var productId: String
        public var skuId: String
        public var productName: String
        public var skuName: String
        public var spec: [String: String]
        public var unitPriceFen: Int64
        public var quantity: Int64
        /// unitPriceFen × quantity.
        public var amountFen: Int64

        public init(lineNo: Int, productId: String, skuId: String, productName: String, skuName: String,
                    spec: [String: String], unitPriceFen: Int64, quantity: Int64, amountFen: Int64) {
            (self.lineNo, self.productId, self.skuId, self.productName, self.skuName) = (lineNo, productId, skuId, productName, skuName)
            (self.spec, self.unitPriceFen, self.quantity, self.amountFen) = (spec, unitPriceFen, quantity, amountFen)
        }
    }

    public struct Payment: Encodable, Sendable, Equatable {
        public var id: String
        public var transactionId: String
        public var method: String
        public var amountFen: Int64
        public var status: String
        public var paidAt: String

        public init(id: String, transactionId: String, method: String, amountFen: Int64, status: String, paidAt: String) {
            (self.id, self.transactionId, self.method, self.amountFen, self.status, self.paidAt) =
                (id, transactionId, method, amountFen, status, paidAt)
        }
    }

    public struct StatusChange: Encodable, Sendable, Equatable {
        public var fromStatus: String?
        public var toStatus: String
        public var reason: String?
        public var at: String
        /// The WAL position of the change, which orders changes within one millisecond.
        public var lsn: String

        public init(fromStatus: String?, toStatus: String, reason: String?, at: String, lsn: String) {
            (self.fromStatus, self.toStatus, self.reason, self.at, self.lsn) = (fromStatus, toStatus, reason, at, lsn)
        }
    }
}
