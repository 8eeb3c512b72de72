/// Money WeChat Pay took that no order can keep: a payment for an order that
/// was already cancelled (the deadline fired first), already paid by another
/// transaction, paid with a different amount, or unknown. It is recorded
/// durably and WeChat Pay is told success, so it stops retrying; the back
/// office lists it as a refund due. Refunding it belongs to the payments work.
public struct PaymentExceptionRecorded: Sendable, Equatable {
    public enum Reason: UInt8, Sendable, CaseIterable {
        case orderCancelled = 0
        case paidByAnotherTransaction = 1
        case amountMismatch = 2
        case unknownOrder = 3

        public var name: String {
            switch self {
            case .orderCancelled: "order_cancelled"
            case .paidByAnotherTransaction: "paid_by_another_transaction"
            case .amountMismatch: "amount_mismatch"
            case .unknownOrder: "unknown_order"
            }
        }
    }

    public var transactionID: String
    /// The order number the payment named (`out_trade_no`), as received.
    public var orderNo: String
    /// 0 when no order has that number.
    public var orderID: UInt64
    public var amountFen: Int64
    public var reason: Reason
    public var atMs: Int64

    public init(transactionID: String, orderNo: String, orderID: UInt64, amountFen: Int64, reason: Reason, atMs: Int64) {
        (self.transactionID, self.orderNo, self.orderID, self.amountFen, self.reason, self.atMs) =
            (transactionID, orderNo, orderID, amountFen, reason, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(transactionID); writer.write(orderNo); writer.write(orderID); writer.write(amountFen)
        writer.write(reason.rawValue); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        transactionID = try reader.readString(); orderNo = try reader.readString(); orderID = try reader.read()
        amountFen = try reader.read()
        let code: UInt8 = try reader.read()
        guard let reason = Reason(rawValue: code) else { throw .invalid("payment exception reason \(code)") }
        self.reason = reason
        atMs = try reader.read()
    }
}

/// A refund due, as the back office lists it.
public struct PaymentException: Sendable, Equatable {
    public var transactionID: String
    public var orderNo: String
    public var orderID: UInt64
    public var amountFen: Int64
    public var reason: PaymentExceptionRecorded.Reason
    public var recordedAtMs: Int64
}

/// The payment exceptions recorded so far, by transaction id (a retried
/// notification records nothing new). Bounded by the payments WeChat Pay
/// actually made that no order could keep; each stays until it is refunded.
public struct PaymentsState: Sendable, Equatable {
    public private(set) var exceptions: [String: PaymentException] = [:]

    public init() {}

    mutating func apply(_ recorded: PaymentExceptionRecorded) {
        guard exceptions[recorded.transactionID] == nil else { return }
        exceptions[recorded.transactionID] = PaymentException(
            transactionID: recorded.transactionID, orderNo: recorded.orderNo, orderID: recorded.orderID,
            amountFen: recorded.amountFen, reason: recorded.reason, recordedAtMs: recorded.atMs)
    }

    /// Newest first.
    public var sorted: [PaymentException] {
        exceptions.values.sorted { ($0.recordedAtMs, $0.transactionID) > ($1.recordedAtMs, $1.transactionID) }
    }
}
