/// An order as the buyer's user shard holds it.
public struct Order: Sendable, Equatable {
    // Declared so that the one-byte fields share a word, and with the cancellation time
    // held without an optional's extra byte: 112 bytes a copy, link included, where the
    // order of the parameters below took 128. Shards hold orders inline.
    public var id: UInt64
    public var userID: UInt64
    public var activityID: UInt64
    public var items: [OrderItem]
    public var totalFen: Int64
    public var payAmountFen: Int64
    public var createdAtMs: Int64
    public var payDeadlineMs: Int64
    /// The next older order of the same user in hot state: a user's orders form a chain
    /// from the newest, in id order (`OrderChain`, `UserState.store`).
    var previous = ChainLink()
    public var transactionID: String?
    public var paidAtMs: Int64?
    public var status: OrderStatus
    public var cancelReason: CancelReason?
    /// `cancelledAtMs`, `Self.notCancelled` for nil: as an `Int64?` its ninth byte took the
    /// order to 120 bytes.
    private var cancelledAtMsOrNone: Int64

    /// What `cancelledAtMs` holds for nil: no clock gives it.
    static let notCancelled = Int64.min

    public var cancelledAtMs: Int64? {
        get { cancelledAtMsOrNone == Self.notCancelled ? nil : cancelledAtMsOrNone }
        set { cancelledAtMsOrNone = newValue ?? Self.notCancelled }
    }

    public init(id: UInt64, userID: UInt64, activityID: UInt64, items: [OrderItem], totalFen: Int64, payAmountFen: Int64,
                status: OrderStatus, createdAtMs: Int64, payDeadlineMs: Int64, paidAtMs: Int64? = nil,
                transactionID: String? = nil, cancelledAtMs: Int64? = nil, cancelReason: CancelReason? = nil) {
        (self.id, self.userID, self.activityID, self.items, self.totalFen, self.payAmountFen) =
            (id, userID, activityID, items, totalFen, payAmountFen)
        (self.status, self.createdAtMs, self.payDeadlineMs, self.paidAtMs, self.transactionID) =
            (status, createdAtMs, payDeadlineMs, paidAtMs, transactionID)
        (self.cancelledAtMsOrNone, self.cancelReason) = (cancelledAtMs ?? Self.notCancelled, cancelReason)
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

/// Where a user shard keeps an order in its user's chain: the id of the user's next older
/// order, 0 for none. The shard's index, not part of the order: two orders are equal
/// whatever their links (an order keeps its value when an older one leaves hot state),
/// and the chains themselves are compared through the digest, which lists them.
struct ChainLink: Sendable, Equatable {
    var orderID: UInt64 = 0

    static func == (_: Self, _: Self) -> Bool { true }
}

extension Order {
    /// The id of the user's next older order in hot state, 0 for none.
    var previousOrderID: UInt64 {
        get { previous.orderID }
        set { previous.orderID = newValue }
    }
}
