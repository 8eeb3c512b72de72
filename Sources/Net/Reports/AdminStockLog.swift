import Hummingbird

/// What a stock-log row records. `change` is what the row did to the SKU's stock, except on a
/// flash-sale order's rows (`activityId` set, orderPlaced/orderCancelled), where it is what the
/// order did to the flash-sale item: a sale's units leave the SKU's stock when they move into the
/// sale (`toSeckill`), not when they are bought.
public enum StockLogKind: String, Sendable, CaseIterable {
    case orderPlaced = "order_placed"
    case orderCancelled = "order_cancelled"
    /// A new SKU's first units, from the product save that created it.
    case opening
    case stockIn = "stock_in"
    case stockOut = "stock_out"
    /// Units moved from the SKU's stock into a flash-sale item (its creation, or the item grown).
    case toSeckill = "to_seckill"
    /// Unsold units back from a flash-sale item (shrunk, removed, or the sale ended).
    case fromSeckill = "from_seckill"
}

/// Which stock movements the stock log lists; every field optional.
public struct AdminStockLogFilter: Sendable, Equatable {
    public var skuID: UInt64?
    public var kind: StockLogKind?
    /// At or after (epoch ms, inclusive).
    public var fromMs: Int64?
    /// Before (epoch ms, exclusive).
    public var toMs: Int64?

    public init(skuID: UInt64? = nil, kind: StockLogKind? = nil, fromMs: Int64? = nil, toMs: Int64? = nil) {
        (self.skuID, self.kind, self.fromMs, self.toMs) = (skuID, kind, fromMs, toMs)
    }
}

/// One stock movement as the back office shows it: ids as strings, times ISO-8601 UTC.
public struct AdminStockLog: Encodable, Sendable, Equatable {
    public var id: String
    public var skuId: String
    public var productId: String?
    public var productName: String?
    public var skuName: String?
    public var type: String
    /// Units, signed: positive in, negative out.
    public var change: Int64
    public var orderId: String?
    public var activityId: String?
    public var remark: String?
    /// The admin who moved the units; null for orders and the engine's own moves (a sale's end).
    public var operatorId: String?
    public var createdAt: String

    public init(id: String, skuId: String, productId: String?, productName: String?, skuName: String?, type: String,
                change: Int64, orderId: String?, activityId: String?, remark: String?, operatorId: String?, createdAt: String) {
        (self.id, self.skuId, self.productId, self.productName, self.skuName) = (id, skuId, productId, productName, skuName)
        (self.type, self.change, self.orderId, self.activityId) = (type, change, orderId, activityId)
        (self.remark, self.operatorId, self.createdAt) = (remark, operatorId, createdAt)
    }
}

/// A page of the stock log, newest first. `nextCursor` is always present (null on the last page).
public struct AdminStockLogPage: Encodable, Sendable, Equatable {
    public var items: [AdminStockLog]
    public var nextCursor: String?

    public init(items: [AdminStockLog], nextCursor: String?) { (self.items, self.nextCursor) = (items, nextCursor) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }
}

/// The back office's stock log (stock-in/out, opening stock, flash-sale moves, orders), read from
/// the PostgreSQL archive, a few seconds behind the engine. Auth is on the group.
struct AdminStockLogController {
    let reports: (any ReportService)?

    func addRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("stock/logs", use: list)
    }

    @Sendable func list(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminStockLogPage> {
        var parameters = ReportParameters(request)
        let skuID = parameters.id("skuId")
        let kind = parameters.optionalChoice("type", StockLogKind.self)
        let (fromMs, toMs) = parameters.timeRange()
        let filter = AdminStockLogFilter(skuID: skuID, kind: kind, fromMs: fromMs, toMs: toMs)
        let cursor = request.uri.queryParameters.get("cursor")
        if let cursor {
            parameters.require(ReportParameters.cursorRule.accepts(cursor), "cursor", "must be the nextCursor of a previous page")
        }
        let limit = parameters.integer("limit", ReportParameters.limitRule).map { Int($0) } ?? AdminPageRequest.limitDefault
        try parameters.check()
        return Envelope(try await withReports(reports, context: context) {
            try await $0.stockLogs(filter: filter, cursor: cursor, limit: limit)
        })
    }
}
