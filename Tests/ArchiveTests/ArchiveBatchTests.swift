@testable import Archive
import Engine
import Testing

/// Folding records into row images, without a database.
@Suite("Archive batch folding")
struct ArchiveBatchTests {
    let placed = SeckillOrderPlaced(orderID: 100, userID: 7, activityID: 3, productID: 1, skuID: 2, productName: "tea",
                                    skuName: "100g", quantity: 2, unitPriceFen: 990, totalFen: 1_980, deadlineMs: 9_000, atMs: 1_000)

    @Test("an order placed and paid in one batch is written once, in its final state, with its whole history")
    func placedAndPaid() throws {
        var batch = ArchiveBatch(afterLSN: 10)
        try batch.add(.seckillOrderPlaced(placed), lsn: 11, timestampMs: 1_000)
        try batch.add(.orderPaid(OrderPaid(orderID: 100, userID: 7, transactionID: "wx-1", amountFen: 1_980, atMs: 2_000)),
                      lsn: 12, timestampMs: 2_000)
        let order = try #require(batch.newOrders[100])
        #expect(order.status == .pendingShipment)
        #expect(order.paidAtMs == 2_000 && order.updatedAtMs == 2_000 && order.transactionID == "wx-1")
        #expect(order.payAmountFen == 1_980 && order.paymentStatus == "paid")
        #expect(batch.orderUpdates.isEmpty)
        #expect(batch.statusHistory.map(\.lsn) == [11, 12])
        #expect(batch.payments == [PaymentRow(orderID: 100, transactionID: "wx-1", amountFen: 1_980, paidAtMs: 2_000, lsn: 12)])
        #expect(batch.seckillDeltas[SeckillKey(activityID: 3, skuID: 2)] == SeckillDelta(remaining: -2, sold: 2))
        #expect(batch.paidOrderIDs == [100])
        #expect(batch.lastLSN == 12 && batch.recordCount == 2 && batch.lastRecordMs == 2_000)
    }

    @Test("an order from an earlier batch is updated, and its give-back is a delta and a stock log")
    func cancelledLater() throws {
        var batch = ArchiveBatch(afterLSN: 40)
        let restock = Restock(activityID: 3, skuID: 2, quantity: 2)
        try batch.add(.orderCancelled(OrderCancelled(orderID: 100, userID: 7, reason: .timeout, restocks: [restock], atMs: 5_000)),
                      lsn: 41, timestampMs: 5_000)
        #expect(batch.newOrders.isEmpty)
        #expect(batch.orderUpdates[100] == OrderUpdate(id: 100, status: .cancelled, updatedAtMs: 5_000, cancelReason: "timeout",
                                                      cancelledAtMs: 5_000))
        #expect(batch.stockLogs.map(\.change) == [2])
        #expect(batch.stockLogs.first?.remark == "timeout")
        #expect(batch.seckillDeltas[SeckillKey(activityID: 3, skuID: 2)] == SeckillDelta(remaining: 2, sold: -2))
    }

    @Test("a take and its give-back in one batch cancel out in the counters but both stay in the stock log")
    func takeAndGiveBack() throws {
        var batch = ArchiveBatch(afterLSN: 0)
        try batch.add(.seckillOrderPlaced(placed), lsn: 1, timestampMs: 1_000)
        try batch.add(.orderCancelled(OrderCancelled(orderID: 100, userID: 7, reason: .user,
                                                     restocks: [Restock(activityID: 3, skuID: 2, quantity: 2)], atMs: 1_500)),
                      lsn: 2, timestampMs: 1_500)
        #expect(batch.seckillDeltas[SeckillKey(activityID: 3, skuID: 2)] == SeckillDelta())
        #expect(batch.stockLogs.map(\.change) == [-2, 2])
        #expect(batch.newOrders[100]?.status == .cancelled)
    }

    @Test("a record that contradicts the batch, or a gap in LSNs, is refused rather than archived")
    func contradictions() throws {
        var batch = ArchiveBatch(afterLSN: 0)
        try batch.add(.seckillOrderPlaced(placed), lsn: 1, timestampMs: 1_000)
        try batch.add(.orderCancelled(OrderCancelled(orderID: 100, userID: 7, reason: .user, restocks: [], atMs: 1_500)),
                      lsn: 2, timestampMs: 1_500)
        #expect(throws: ArchiveError.self) {
            try batch.add(.orderPaid(OrderPaid(orderID: 100, userID: 7, transactionID: "late", amountFen: 1_980, atMs: 2_000)),
                          lsn: 3, timestampMs: 2_000)
        }
        var gapped = ArchiveBatch(afterLSN: 0)
        #expect(throws: ArchiveError.badRecord(lsn: 2, reason: "expected lsn 1: the log has a gap")) {
            try gapped.add(.seckillOrderPlaced(placed), lsn: 2, timestampMs: 1_000)
        }
    }

    @Test("spec pairs become a JSON object with quotes, backslashes and control characters escaped")
    func specJSON() {
        let spec = [SpecPair(key: "颜色", value: "红\"色\\"), SpecPair(key: "note", value: "a\nb\u{01}")]
        #expect(SpecJSON.object(spec) == #"{"颜色": "红\"色\\", "note": "a\nb\u0001"}"#)
    }
}
