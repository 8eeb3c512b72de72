import Engine

struct OrderResponse: Encodable, Sendable {
    var id: EntityID
    var orderId: EntityID
    var orderNo: String
    var userId: EntityID
    var status: String
    var activityId: EntityID?
    var items: [Item]
    var totalFen: Int64
    var payAmountFen: Int64
    var createdAt: String
    var payDeadline: String
    var paidAt: String?
    var transactionId: String?
    var cancelledAt: String?
    var cancelReason: String?

    struct Item: Encodable, Sendable {
        var productId: EntityID
        var skuId: EntityID
        var productName: String
        var skuName: String
        var unitPriceFen: Int64
        var quantity: Int64
    }

    init(_ order: Order) {
        id = EntityID(order.id)
        orderId = id
        orderNo = order.orderNo
        userId = EntityID(order.userID)
        status = order.status.rawValue
        activityId = order.activityID == 0 ? nil : EntityID(order.activityID)
        items = order.items.map {
            Item(productId: EntityID($0.productID), skuId: EntityID($0.skuID), productName: $0.productName,
                 skuName: $0.skuName, unitPriceFen: $0.unitPriceFen, quantity: $0.quantity)
        }
        totalFen = order.totalFen
        payAmountFen = order.payAmountFen
        createdAt = APITime.format(ms: order.createdAtMs)
        payDeadline = APITime.format(ms: order.payDeadlineMs)
        paidAt = order.paidAtMs.map(APITime.format(ms:))
        transactionId = order.transactionID
        cancelledAt = order.cancelledAtMs.map(APITime.format(ms:))
        cancelReason = order.cancelReason?.rawValue
    }
}

struct OrderListResponse: Encodable, Sendable {
    var items: [OrderResponse]
    var nextCursor: String?
}
