import Archive
import Net
import NIOCore

/// Net's `ReportService` over the PostgreSQL archive: Net's filters become
/// the archive's query arguments, the archive's rows become Net's response
/// types, and `ReportError` becomes `ReportServiceError`. The archive's row
/// types never reach the JSON.
struct ArchiveReportService: ReportService {
    let reports: ArchiveReports

    func listOrders(filter: AdminOrderFilter, page: AdminPageRequest) async throws -> AdminOrderPage {
        let archiveFilter = Self.filter(filter)
        let archivePage = Self.page(page)
        let result = try await Self.mapErrors { try await reports.orders.list(filter: archiveFilter, page: archivePage) }
        return AdminOrderPage(items: result.items.map(Self.order), nextCursor: result.nextCursor, page: result.page,
                              pageSize: result.pageSize, total: result.total)
    }

    func orderDetail(id: UInt64) async throws -> AdminOrderDetail? {
        guard let detail = try await Self.mapErrors({ try await reports.orders.detail(id: id) }) else { return nil }
        return AdminOrderDetail(
            order: Self.order(detail.order),
            items: detail.items.map {
                .init(lineNo: $0.lineNo, productId: $0.productId, skuId: $0.skuId, productName: $0.productName,
                      skuName: $0.skuName, spec: $0.spec, unitPriceFen: $0.unitPriceFen, quantity: $0.quantity,
                      amountFen: $0.amountFen)
            },
            payments: detail.payments.map {
                .init(id: $0.id, transactionId: $0.transactionId, method: $0.method, amountFen: $0.amountFen,
                      status: $0.status, paidAt: $0.paidAt)
            },
            statusHistory: detail.statusHistory.map {
                .init(fromStatus: $0.fromStatus, toStatus: $0.toStatus, reason: $0.reason, at: $0.at, lsn: $0.lsn)
            })
    }

    func exportOrders(filter: AdminOrderFilter) throws -> any AsyncSequence<ByteBuffer, any Error> & Sendable {
        do {
            return try reports.export(filter: Self.filter(filter))
        } catch {
            throw Self.serviceError(error)
        }
    }

    func overview(nowMs: Int64) async throws -> Net.StatsOverview {
        let overview = try await Self.mapErrors { try await reports.stats.overview(nowMs: nowMs) }
        return Net.StatsOverview(timeZone: overview.timeZone, generatedAt: overview.generatedAt,
                                 today: Self.day(overview.today), yesterday: Self.day(overview.yesterday))
    }

    func sales(fromMs: Int64, toMs: Int64, granularity: Net.SalesGranularity) async throws -> Net.SalesSeries {
        let archiveGranularity: Archive.SalesGranularity = switch granularity {
        case .day: .day
        case .hour: .hour
        }
        let series = try await Self.mapErrors {
            try await reports.stats.sales(fromMs: fromMs, toMs: toMs, granularity: archiveGranularity)
        }
        return Net.SalesSeries(
            timeZone: series.timeZone, granularity: series.granularity, from: series.from, to: series.to,
            points: series.points.map {
                Net.SalesPoint(start: $0.start, label: $0.label, orders: $0.orders, paidOrders: $0.paidOrders,
                               gmvFen: $0.gmvFen, paidAmountFen: $0.paidAmountFen)
            })
    }

    func topProducts(by ranking: Net.TopProductRanking, limit: Int, fromMs: Int64?, toMs: Int64?) async throws -> Net.TopProducts {
        let archiveRanking: Archive.TopProductRanking = switch ranking {
        case .quantity: .quantity
        case .amount: .amount
        }
        let top = try await Self.mapErrors {
            try await reports.stats.topProducts(by: archiveRanking, limit: limit, fromMs: fromMs, toMs: toMs)
        }
        return Net.TopProducts(
            by: top.by, from: top.from, to: top.to,
            items: top.items.map {
                Net.TopProduct(rank: $0.rank, productId: $0.productId, productName: $0.productName, quantity: $0.quantity,
                               amountFen: $0.amountFen, orders: $0.orders)
            })
    }

    func seckillReport(activityID: UInt64) async throws -> Net.SeckillReport? {
        guard let report = try await Self.mapErrors({ try await reports.stats.seckillReport(activityID: activityID) }) else {
            return nil
        }
        return Net.SeckillReport(
            activityId: report.activityId, name: report.name, startTime: report.startTime, endTime: report.endTime,
            issuedUnits: report.issuedUnits, remainingUnits: report.remainingUnits, soldUnits: report.soldUnits,
            soldOrders: report.soldOrders, paidUnits: report.paidUnits, paidOrders: report.paidOrders,
            paidAmountFen: report.paidAmountFen, cancelledUnits: report.cancelledUnits,
            cancelledOrders: report.cancelledOrders, timeoutCancelledUnits: report.timeoutCancelledUnits,
            timeoutCancelledOrders: report.timeoutCancelledOrders, paidRate: report.paidRate,
            items: report.items.map {
                .init(skuId: $0.skuId, productId: $0.productId, productName: $0.productName, skuName: $0.skuName,
                      seckillPriceFen: $0.seckillPriceFen, issuedUnits: $0.issuedUnits, remainingUnits: $0.remainingUnits,
                      soldUnits: $0.soldUnits, paidUnits: $0.paidUnits, paidAmountFen: $0.paidAmountFen,
                      cancelledUnits: $0.cancelledUnits, timeoutCancelledUnits: $0.timeoutCancelledUnits,
                      paidRate: $0.paidRate)
            })
    }
}

extension ArchiveReportService {
    static func filter(_ filter: AdminOrderFilter) -> OrderFilter {
        let orderNo: OrderNumberMatch? = filter.orderNo.map {
            switch $0 {
            case .exact(let text): .exact(text)
            case .prefix(let text): .prefix(text)
            }
        }
        let key: OrderSort.Key = switch filter.sort.key {
        case .createdAt: .createdAt
        case .payAmount: .payAmount
        }
        let direction: OrderSort.Direction = switch filter.sort.direction {
        case .ascending: .ascending
        case .descending: .descending
        }
        return OrderFilter(
            statuses: filter.statuses, createdFromMs: filter.createdFromMs, createdToMs: filter.createdToMs,
            orderNo: orderNo, userID: filter.userID, productID: filter.productID,
            payAmountMinFen: filter.payAmountMinFen, payAmountMaxFen: filter.payAmountMaxFen,
            sort: OrderSort(key: key, direction: direction))
    }

    static func page(_ page: AdminPageRequest) -> PageRequest {
        switch page {
        case .cursor(let cursor, let limit): .cursor(cursor, limit: limit)
        case .page(let number, let size): .page(number: number, size: size)
        }
    }

    static func order(_ order: OrderSummary) -> AdminOrder {
        AdminOrder(
            id: order.id, orderNo: order.orderNo, userId: order.userId, activityId: order.activityId, status: order.status,
            cancelReason: order.cancelReason, paymentStatus: order.paymentStatus, paymentMethod: order.paymentMethod,
            transactionId: order.transactionId, totalAmountFen: order.totalAmountFen,
            discountAmountFen: order.discountAmountFen, freightFen: order.freightFen, payAmountFen: order.payAmountFen,
            itemQuantity: order.itemQuantity, productSummary: order.productSummary, remark: order.remark,
            createdAt: order.createdAt, payDeadline: order.payDeadline, paidAt: order.paidAt, shippedAt: order.shippedAt,
            completedAt: order.completedAt, cancelledAt: order.cancelledAt)
    }

    static func day(_ day: Archive.DayStats) -> Net.DayStats {
        Net.DayStats(date: day.date, from: day.from, to: day.to, orders: day.orders, cancelledOrders: day.cancelledOrders,
                     paidOrders: day.paidOrders, gmvFen: day.gmvFen, paidAmountFen: day.paidAmountFen,
                     newUsers: day.newUsers, averageOrderValueFen: day.averageOrderValueFen,
                     conversionRate: day.conversionRate)
    }

    /// Runs an archive call, turning `ReportError` into Net's `ReportServiceError`.
    static func mapErrors<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            throw serviceError(error)
        }
    }

    /// `ReportError` cases map one to one; anything else (SQL, decoding) stays as it is: a bug, answered 500.
    static func serviceError(_ error: any Error) -> any Error {
        guard let error = error as? ReportError else { return error }
        switch error {
        case .invalidArgument(let field, let rule): return ReportServiceError.invalidArgument(field: field, rule: rule)
        case .invalidCursor(let reason): return ReportServiceError.invalidCursor(reason: reason)
        case .databaseUnavailable(let underlying): return ReportServiceError.unavailable(underlying: underlying)
        case .unexpectedResult(let what): return ReportServiceError.unexpectedResult(what)
        }
    }
}

extension ArchiveReportService {
    func stockLogs(filter: AdminStockLogFilter, cursor: String?, limit: Int) async throws -> AdminStockLogPage {
        let archiveFilter = StockLogFilter(skuID: filter.skuID, type: filter.kind?.rawValue, fromMs: filter.fromMs, toMs: filter.toMs)
        let page = try await Self.mapErrors { try await reports.stockLogs.list(filter: archiveFilter, cursor: cursor, limit: limit) }
        return AdminStockLogPage(
            items: page.items.map {
                AdminStockLog(id: $0.id, skuId: $0.skuId, productId: $0.productId, productName: $0.productName, skuName: $0.skuName,
                              type: $0.type, change: $0.change, orderId: $0.orderId, activityId: $0.activityId, remark: $0.remark,
                              operatorId: $0.operatorId, createdAt: $0.createdAt)
            },
            nextCursor: page.nextCursor)
    }
}
