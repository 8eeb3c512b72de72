/// Payment confirmation. Both sandbox and WeChat Pay reach it only through a
/// verified, decrypted payment notification (Net), never from the buyer directly.
extension MallEngine {
    /// Marks an order paid. A repeated confirmation returns the order unchanged
    /// (WeChat Pay retries notifications).
    public func confirmPayment(orderID: UInt64, transactionID: String, amountFen: Int64) async throws(EngineError) -> Order {
        guard !transactionID.isEmpty else { throw .invalid(field: "transactionId", reason: "must not be empty") }
        guard let ownerID = orderDirectory.userID(ofOrder: orderID) else { throw .notFound("order") }
        let shard = userShard(forUser: ownerID)
        let decision = try await shard.beginPayment(orderID: orderID, transactionID: transactionID, amountFen: amountFen,
                                                    atMs: clock.nowMs())
        return try await settle(decision, on: shard, orderID: orderID).0
    }

    /// Resolves the order number a payment notification carries (`out_trade_no`).
    public func orderID(forOrderNo orderNo: String) -> UInt64? {
        guard let id = OrderNumber.orderID(from: orderNo), orderDirectory.userID(ofOrder: id) != nil else { return nil }
        return id
    }
}
