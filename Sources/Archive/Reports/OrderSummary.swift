import Engine

/// One order as the back-office list and the CSV export show it. JSON field
/// names are the API's: camelCase, money in fen, times ISO-8601 UTC, ids as strings.
public struct OrderSummary: Codable, Sendable, Equatable {
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
}

/// A page of orders. `nextCursor` is always present (null on the last page);
/// `page`, `pageSize` and `total` only in page mode.
public struct OrderPage: Codable, Sendable, Equatable {
    public var items: [OrderSummary]
    public var nextCursor: String?
    public var page: Int?
    public var pageSize: Int?
    public var total: Int64?

    public init(items: [OrderSummary], nextCursor: String? = nil, page: Int? = nil, pageSize: Int? = nil, total: Int64? = nil) {
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
}

/// An order with everything the archive knows of it.
public struct OrderDetail: Codable, Sendable, Equatable {
    public var order: OrderSummary
    public var items: [OrderLine]
    public var payments: [PaymentRecord]
    /// Oldest first.
    public var statusHistory: [StatusChange]

    public struct OrderLine: Codable, Sendable, Equatable {
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
    }

    public struct PaymentRecord: Codable, Sendable, Equatable {
        public var id: String
        public var transactionId: String
        public var method: String
        public var amountFen: Int64
        public var status: String
        public var paidAt: String
    }

    public struct StatusChange: Codable, Sendable, Equatable {
        public var fromStatus: String?
        public var toStatus: String
        public var reason: String?
        public var at: String
        /// The WAL position of the change, which orders changes within one millisecond.
        public var lsn: String
    }
}

/// Times leave the archive as the API's one format (ISO-8601 UTC, milliseconds).
enum ReportTime {
    static func iso8601(ms: Int64) -> String { CivilTime(epochMs: ms).iso8601 }
}
