/// An order as the buyer's user shard holds it.
public struct Order: Sendable, Equatable {
    // Declared so that the one-byte fields share a word: 112 bytes a copy where
    // the order of the parameters below took 120. Shards hold orders inline.
    public var id: UInt64
    public var userID: UInt64
    public var activityID: UInt64
    public var items: [OrderItem]
    public var totalFen: Int64
    public var payAmountFen: Int64
    public var createdAtMs: Int64
    public var payDeadlineMs: Int64
    public var transactionID: String?
    public var paidAtMs: Int64?
    public var status: OrderStatus
    public var cancelReason: CancelReason?
    public var cancelledAtMs: Int64?

    public init(id: UInt64, userID: UInt64, activityID: UInt64, items: [OrderItem], totalFen: Int64, payAmountFen: Int64,
                status: OrderStatus, createdAtMs: Int64, payDeadlineMs: Int64, paidAtMs: Int64? = nil,
                transactionID: String? = nil, cancelledAtMs: Int64? = nil, cancelReason: CancelReason? = nil) {
        (self.id, self.userID, self.activityID, self.items, self.totalFen, self.payAmountFen) =
            (id, userID, activityID, items, totalFen, payAmountFen)
        (self.status, self.createdAtMs, self.payDeadlineMs, self.paidAtMs, self.transactionID) =
            (status, createdAtMs, payDeadlineMs, paidAtMs, transactionID)
        (self.cancelledAtMs, self.cancelReason) = (cancelledAtMs, cancelReason)
    }

    public var orderNo: String { OrderNumber.make(orderID: id) }

    public var restocks: [Restock] {
        items.map { Restock(activityID: activityID, skuID: $0.skuID, quantity: $0.quantity) }
    }
}

public struct OrderItem: Sendable, Equatable {
    public var productID: UInt64
    public var skuID: UInt64
    public var productName: String
    public var skuName: String
    public var unitPriceFen: Int64
    public var quantity: Int64
}
