/// How a flash sale went. Units: `issued` = remaining + sold − cancelled
/// (cancelled orders give their units back).
public struct SeckillReport: Encodable, Sendable, Equatable {
    public var activityId: String
    public var name: String
    public var startTime: String
    public var endTime: String
    public var issuedUnits: Int64
    public var remainingUnits: Int64
    public var soldUnits: Int64
    public var soldOrders: Int64
    public var paidUnits: Int64
    public var paidOrders: Int64
    public var paidAmountFen: Int64
    public var cancelledUnits: Int64
    public var cancelledOrders: Int64
    public var timeoutCancelledUnits: Int64
    public var timeoutCancelledOrders: Int64
    /// paidUnits / soldUnits, 0 to 1 (4 decimals); 0 when nothing sold.
    public var paidRate: Double
    public var items: [Item]

    public init(activityId: String, name: String, startTime: String, endTime: String, issuedUnits: Int64,
                remainingUnits: Int64, soldUnits: Int64, soldOrders: Int64, paidUnits: Int64, paidOrders: Int64,
                paidAmountFen: Int64, cancelledUnits: Int64, cancelledOrders: Int64, timeoutCancelledUnits: Int64,
                timeoutCancelledOrders: Int64, paidRate: Double, items: [Item]) {
        (self.activityId, self.name, self.startTime, self.endTime) = (activityId, name, startTime, endTime)
        (self.issuedUnits, self.remainingUnits, self.soldUnits, self.soldOrders) = (issuedUnits, remainingUnits, soldUnits, soldOrders)
        (self.paidUnits, self.paidOrders, self.paidAmountFen) = (paidUnits, paidOrders, paidAmountFen)
        (self.cancelledUnits, self.cancelledOrders) = (cancelledUnits, cancelledOrders)
        (self.timeoutCancelledUnits, self.timeoutCancelledOrders) = (timeoutCancelledUnits, timeoutCancelledOrders)
        (self.paidRate, self.items) = (paidRate, items)
    }

    /// One SKU of the sale.
    public struct Item: Encodable, Sendable, Equatable {
        public var skuId: String
        public var productId: String?
        public var productName: String?
        public var skuName: String?
        public var seckillPriceFen: Int64
        public var issuedUnits: Int64
        public var remainingUnits: Int64
        public var soldUnits: Int64
        public var paidUnits: Int64
        public var paidAmountFen: Int64
        public var cancelledUnits: Int64
        public var timeoutCancelledUnits: Int64
        public var paidRate: Double

        public init(skuId: String, productId: String?, productName: String?, skuName: String?, seckillPriceFen: Int64,
                    issuedUnits: Int64, remainingUnits: Int64, soldUnits: Int64, paidUnits: Int64, paidAmountFen: Int64,
                    cancelledUnits: Int64, timeoutCancelledUnits: Int64, paidRate: Double) {
            (self.skuId, self.productId, self.productName, self.skuName) = (skuId, productId, productName, skuName)
            (self.seckillPriceFen, self.issuedUnits, self.remainingUnits) = (seckillPriceFen, issuedUnits, remainingUnits)
            (self.soldUnits, self.paidUnits, self.paidAmountFen) = (soldUnits, paidUnits, paidAmountFen)
            (self.cancelledUnits, self.timeoutCancelledUnits, self.paidRate) = (cancelledUnits, timeoutCancelledUnits, paidRate)
        }
    }
}
