import Foundation
import Hummingbird
import Net
import NIOCore

/// A report service with canned answers, so report routes can be driven
/// (validation, encoding, error mapping) without PostgreSQL.
struct FakeReports: ReportService {
    /// `orderDetail` and `seckillReport` answer nil for this id (404).
    static let missingID: UInt64 = 404
    /// A call with this `userId` filter fails as the archive being down.
    static let unavailableUserID: UInt64 = 503

    static let order = AdminOrder(
        id: "1", orderNo: "2026112710000012300001", userId: "7", activityId: nil, status: "pending_payment",
        cancelReason: nil, paymentStatus: "unpaid", paymentMethod: nil, transactionId: nil, totalAmountFen: 3_900,
        discountAmountFen: 0, freightFen: 0, payAmountFen: 3_900, itemQuantity: 1, productSummary: "T恤 白色 M ×1",
        remark: nil, createdAt: "2026-11-27T02:00:00.000Z", payDeadline: "2026-11-27T02:15:00.000Z", paidAt: nil,
        shippedAt: nil, completedAt: nil, cancelledAt: nil)

    static let day = DayStats(date: "2026-11-27", from: "2026-11-26T16:00:00.000Z", to: "2026-11-27T16:00:00.000Z",
                              orders: 2, cancelledOrders: 0, paidOrders: 1, gmvFen: 7_800, paidAmountFen: 3_900, newUsers: 2,
                              averageOrderValueFen: 3_900, conversionRate: 0.5)

    func listOrders(filter: AdminOrderFilter, page: AdminPageRequest) async throws -> AdminOrderPage {
        if filter.userID == Self.unavailableUserID { throw ReportServiceError.unavailable(underlying: CancellationError()) }
        if case .cursor(let cursor?, _) = page, cursor.hasPrefix("bad") { throw ReportServiceError.invalidCursor(reason: "is not a cursor this server issued") }
        switch page {
        case .cursor: return AdminOrderPage(items: [Self.order], nextCursor: "djE6Y3JlYXRlZEF0")
        case .page(let number, let size): return AdminOrderPage(items: [Self.order], page: number, pageSize: size, total: 1)
        }
    }

    func orderDetail(id: UInt64) async throws -> AdminOrderDetail? {
        guard id != Self.missingID else { return nil }
        return AdminOrderDetail(
            order: Self.order,
            items: [.init(lineNo: 1, productId: "2", skuId: "3", productName: "T恤", skuName: "白色 M", spec: ["颜色": "白色"],
                          unitPriceFen: 3_900, quantity: 1, amountFen: 3_900)],
            payments: [],
            statusHistory: [.init(fromStatus: nil, toStatus: "pending_payment", reason: nil, at: Self.order.createdAt, lsn: "12")])
    }

    func exportOrders(filter: AdminOrderFilter) throws -> any AsyncSequence<ByteBuffer, any Error> & Sendable {
        AsyncThrowingStream { continuation in
            continuation.yield(ByteBuffer(string: "\u{FEFF}订单号 order_no\r\n"))
            continuation.finish()
        }
    }

    func overview(nowMs: Int64) async throws -> StatsOverview {
        StatsOverview(timeZone: "Asia/Shanghai", generatedAt: "2026-11-27T02:00:00.000Z", today: Self.day, yesterday: Self.day)
    }

    func sales(fromMs: Int64, toMs: Int64, granularity: SalesGranularity) async throws -> SalesSeries {
        SalesSeries(timeZone: "Asia/Shanghai", granularity: granularity.rawValue, from: "2026-11-27T00:00:00.000Z",
                    to: "2026-11-28T00:00:00.000Z",
                    points: [SalesPoint(start: "2026-11-27T00:00:00.000Z", label: "2026-11-27", orders: 2, paidOrders: 1,
                                        gmvFen: 7_800, paidAmountFen: 3_900)])
    }

    func topProducts(by ranking: TopProductRanking, limit: Int, fromMs: Int64?, toMs: Int64?) async throws -> TopProducts {
        TopProducts(by: ranking.rawValue, from: nil, to: nil,
                    items: [TopProduct(rank: 1, productId: "2", productName: "T恤", quantity: 3, amountFen: 11_700, orders: 2)])
    }

    func seckillReport(activityID: UInt64) async throws -> SeckillReport? {
        guard activityID != Self.missingID else { return nil }
        return SeckillReport(
            activityId: String(activityID), name: "秒杀", startTime: "2026-11-27T02:00:00.000Z", endTime: "2026-11-27T04:00:00.000Z",
            issuedUnits: 10, remainingUnits: 7, soldUnits: 3, soldOrders: 3, paidUnits: 1, paidOrders: 1, paidAmountFen: 3_900,
            cancelledUnits: 0, cancelledOrders: 0, timeoutCancelledUnits: 0, timeoutCancelledOrders: 0, paidRate: 0.3333,
            items: [])
    }

    func stockLogs(filter: AdminStockLogFilter, cursor: String?, limit: Int) async throws -> AdminStockLogPage {
        if filter.skuID == Self.unavailableUserID { throw ReportServiceError.unavailable(underlying: CancellationError()) }
        if let cursor, cursor.hasPrefix("bad") { throw ReportServiceError.invalidCursor(reason: "is not a stock-log cursor this server issued") }
        let row = AdminStockLog(id: "9", skuId: String(filter.skuID ?? 3), productId: "2", productName: "T恤", skuName: "白色 M",
                                type: filter.kind?.rawValue ?? "stock_in", change: 5, orderId: nil, activityId: nil, remark: "到货",
                                operatorId: "1", createdAt: "2026-11-27T02:00:00.000Z")
        return AdminStockLogPage(items: [row], nextCursor: cursor == nil ? "czE6MTox" : nil)
    }
}
