/// One line of an ordinary order: what the buyer saw and what the decision computed.
public struct OrderLine: Sendable, Equatable {
    public var productID: UInt64
    public var skuID: UInt64
    public var productName: String
    public var skuName: String
    public var unitPriceFen: Int64
    public var quantity: Int64
    /// unitPriceFen × quantity, computed with checked arithmetic by the decision.
    public var amountFen: Int64

    public init(productID: UInt64, skuID: UInt64, productName: String, skuName: String, unitPriceFen: Int64,
                quantity: Int64, amountFen: Int64) {
        (self.productID, self.skuID, self.productName, self.skuName) = (productID, skuID, productName, skuName)
        (self.unitPriceFen, self.quantity, self.amountFen) = (unitPriceFen, quantity, amountFen)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(productID); writer.write(skuID); writer.write(productName); writer.write(skuName)
        writer.write(unitPriceFen); writer.write(quantity); writer.write(amountFen)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        productID = try reader.read(); skuID = try reader.read(); productName = try reader.readString()
        skuName = try reader.readString(); unitPriceFen = try reader.read(); quantity = try reader.read()
        amountFen = try reader.read()
    }
}

/// An ordinary order of one or more lines drawn from SKU stock: one record for
/// every take on every inventory shard it touches and the new order on the
/// buyer's shard (DESIGN invariant 3). Totals are carried, never recomputed.
public struct OrderPlaced: Sendable, Equatable {
    public var orderID: UInt64
    public var userID: UInt64
    public var lines: [OrderLine]
    /// The sum of the lines' amounts.
    public var totalFen: Int64
    /// What the buyer pays: the total less discounts, plus freight (none yet).
    public var payAmountFen: Int64
    public var deadlineMs: Int64
    public var atMs: Int64
    public var idempotencyKey: String?

    public init(orderID: UInt64, userID: UInt64, lines: [OrderLine], totalFen: Int64, payAmountFen: Int64,
                deadlineMs: Int64, atMs: Int64, idempotencyKey: String? = nil) {
        (self.orderID, self.userID, self.lines, self.totalFen, self.payAmountFen) = (orderID, userID, lines, totalFen, payAmountFen)
        (self.deadlineMs, self.atMs, self.idempotencyKey) = (deadlineMs, atMs, idempotencyKey)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(orderID); writer.write(userID)
        writer.write(lines) { $1.encode(to: &$0) }
        writer.write(totalFen); writer.write(payAmountFen); writer.write(deadlineMs); writer.write(atMs)
        writer.write(idempotencyKey)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        orderID = try reader.read(); userID = try reader.read()
        lines = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try OrderLine(from: &r) }
        totalFen = try reader.read(); payAmountFen = try reader.read(); deadlineMs = try reader.read()
        atMs = try reader.read(); idempotencyKey = try reader.readOptionalString()
    }
}
