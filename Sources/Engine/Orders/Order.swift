/// An order as the buyer's user shard holds it.
public struct Order: Sendable, Equatable {
    public var id: UInt64
    public var userID: UInt64
    public var activityID: UInt64
    public var items: [OrderItem]
    public var totalFen: Int64
    public var payAmountFen: Int64
    public var status: OrderStatus
    public var createdAtMs: Int64
    public var payDeadlineMs: Int64
    public var paidAtMs: Int64?
    public var transactionID: String?
    public var cancelledAtMs: Int64?
    public var cancelReason: CancelReason?

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
