import Engine

// Row images of the archive tables, as the batch writer sends them. Ids are the engine's UInt64
// ids; times are ms since 1970 UTC. Conversion to bigint/timestamptz happens in the writer.

struct AdminRow: Sendable, Equatable {
    var id: UInt64
    var username: String
    var role: String
    var createdAtMs: Int64
    var updatedAtMs: Int64
}

struct UserRow: Sendable, Equatable {
    var id: UInt64
    var openID: String
    var unionID: String?
    var createdAtMs: Int64
}

struct ProductRow: Sendable, Equatable {
    var id: UInt64
    var name: String
    var createdAtMs: Int64
}

struct SKURow: Sendable, Equatable {
    var id: UInt64
    var productID: UInt64
    var name: String
    var spec: [SpecPair]
    var priceFen: Int64
    var stock: Int64
    var createdAtMs: Int64
}

struct ActivityRow: Sendable, Equatable {
    var id: UInt64
    var name: String
    var startMs: Int64
    var endMs: Int64
    var createdAtMs: Int64
}

/// Inserted with `remaining = stock` and `sold = 0`; later takes and give-backs arrive as deltas.
struct SeckillItemRow: Sendable, Equatable {
    var activityID: UInt64
    var skuID: UInt64
    var seckillPriceFen: Int64
    var stock: Int64
    var limitPerUser: Int64
}

enum PaymentStatus {
    static let unpaid = "unpaid"
    static let paid = "paid"
}

/// What `stock_logs.type` says about a movement.
enum StockLogType {
    /// Units taken by a new order (change < 0).
    static let orderPlaced = "order_placed"
    /// Units given back by a cancelled order (change > 0); `remark` holds the cancel reason.
    static let orderCancelled = "order_cancelled"
}

/// The full row of an order, for orders created in this batch (or loaded from state).
struct OrderRow: Sendable, Equatable {
    var id: UInt64
    var userID: UInt64
    /// 0 for an ordinary order; stored as NULL.
    var activityID: UInt64
    var status: OrderStatus
    var totalFen: Int64
    var payAmountFen: Int64
    var paymentStatus: String = PaymentStatus.unpaid
    var paymentMethod: String?
    var transactionID: String?
    var cancelReason: String?
    var payDeadlineMs: Int64
    var createdAtMs: Int64
    var updatedAtMs: Int64
    var paidAtMs: Int64?
    var cancelledAtMs: Int64?

    var orderNo: String { OrderNumber.make(orderID: id) }
}

/// The merged changes to an order created before this batch: only fields the batch set.
struct OrderUpdate: Sendable, Equatable {
    var id: UInt64
    var status: OrderStatus
    var updatedAtMs: Int64
    var paymentStatus: String?
    var paymentMethod: String?
    var transactionID: String?
    var cancelReason: String?
    var paidAtMs: Int64?
    var cancelledAtMs: Int64?
}

struct OrderItemRow: Sendable, Equatable {
    var orderID: UInt64
    var lineNo: Int32
    var productID: UInt64
    var skuID: UInt64
    var productName: String
    var skuName: String
    var priceFen: Int64
    var quantity: Int64
    var createdAtMs: Int64
}

struct StatusHistoryRow: Sendable, Equatable {
    var orderID: UInt64
    /// The record's LSN; negative for rows reconstructed from state (see Migration0001).
    var lsn: Int64
    var fromStatus: OrderStatus?
    var toStatus: OrderStatus
    var reason: String?
    var atMs: Int64
}

struct PaymentRow: Sendable, Equatable {
    var orderID: UInt64
    var transactionID: String
    var amountFen: Int64
    var paidAtMs: Int64
    /// Nil for payments reconstructed from state.
    var lsn: UInt64?
}

struct StockLogRow: Sendable, Equatable {
    var lsn: UInt64
    var skuID: UInt64
    var activityID: UInt64
    var orderID: UInt64
    var change: Int64
    var type: String
    var remark: String?
    var atMs: Int64
}

/// Net change of a flash-sale item over a batch.
struct SeckillDelta: Sendable, Equatable {
    var remaining: Int64 = 0
    var sold: Int64 = 0
}

extension UInt64 {
    /// Ids are stored as bigint. They are below 2^63 (ms timestamp << counter bits), so the bit
    /// pattern reads as the same positive number in SQL.
    var bigint: Int64 { Int64(bitPattern: self) }
}
