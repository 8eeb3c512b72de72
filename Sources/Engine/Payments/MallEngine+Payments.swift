import Logging
/// Payment confirmation. Both sandbox and WeChat Pay reach it only through a
/// verified, decrypted payment notification (Net), never from the buyer directly.
extension MallEngine {
    /// What became of a verified payment.
    public enum PaymentOutcome: Sendable, Equatable {
        /// The order is paid (now, or already by this same transaction: WeChat Pay retries).
        case paid(Order)
        /// No order can keep the money: it is recorded durably as a refund due.
        case exception(PaymentException)
    }

    /// Applies a verified payment. Never refuses money that WeChat Pay took: a
    /// payment the order cannot keep (cancelled, paid by another transaction,
    /// another amount, unknown order number) is recorded as a payment exception.
    public func confirmPayment(orderNo: String, transactionID: String, amountFen: Int64) async throws(EngineError) -> PaymentOutcome {
        guard !transactionID.isEmpty, transactionID.utf8.count <= 64 else {
            throw .invalid(field: "transactionId", reason: "must be 1 to 64 bytes")
        }
        guard let orderID = OrderNumber.orderID(from: orderNo), let shard = orderDirectory.shard(ofOrder: orderID),
              let decision = try await userShards[shard].beginPayment(
                orderID: orderID, transactionID: transactionID, amountFen: amountFen, atMs: clock.nowMs())
        else {
            return .exception(try await recordPaymentException(
                transactionID: transactionID, orderNo: orderNo, orderID: 0, amountFen: amountFen, reason: .unknownOrder))
        }
        switch decision {
        case .unchanged(let order):
            return .paid(order)
        case .enqueued(let lsn, let event):
            return .paid(try await settle(lsn, event, on: shard, orderID: orderID))
        case .paymentException(let reason, _):
            return .exception(try await recordPaymentException(
                transactionID: transactionID, orderNo: orderNo, orderID: orderID, amountFen: amountFen, reason: reason))
        }
    }

    /// Marks an order paid by id (tests and tools). A payment the order cannot keep is refused here.
    public func confirmPayment(orderID: UInt64, transactionID: String, amountFen: Int64) async throws(EngineError) -> Order {
        switch try await confirmPayment(orderNo: OrderNumber.make(orderID: orderID), transactionID: transactionID,
                                        amountFen: amountFen) {
        case .paid(let order): return order
        case .exception(let exception): throw .conflict("payment recorded as an exception: \(exception.reason.name)")
        }
    }

    /// Records a payment no order can keep, once per transaction (a retried notification finds it).
    func recordPaymentException(transactionID: String, orderNo: String, orderID: UInt64, amountFen: Int64,
                                reason: PaymentExceptionRecorded.Reason) async throws(EngineError) -> PaymentException {
        let nowMs = clock.nowMs()
        let recorded = PaymentExceptionRecorded(transactionID: transactionID, orderNo: String(orderNo.prefix(64)),
                                                orderID: orderID, amountFen: amountFen, reason: reason, atMs: nowMs)
        let logged = try await commit(atMs: nowMs) { decided in
            decided.payments.exceptions[transactionID] == nil ? .paymentExceptionRecorded(recorded) : nil
        }
        // Not logged: an earlier notification of this transaction was (it may still be on its way to disk).
        let exception = payments.exceptions[transactionID] ?? PaymentException(
            transactionID: transactionID, orderNo: recorded.orderNo, orderID: orderID, amountFen: amountFen, reason: reason,
            recordedAtMs: nowMs)
        guard logged != nil else { return exception }
        logger.warning("payment recorded as a refund due", metadata: [
            "transactionId": "\(transactionID)", "orderNo": "\(orderNo)", "reason": "\(reason.name)", "amountFen": "\(amountFen)"])
        return exception
    }

}
