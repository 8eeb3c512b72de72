import Engine
import Hummingbird

/// Stock-in and stock-out, the low-stock list, and moving units between a SKU's
/// stock and its flash-sale items. Every change is a record the archive turns into
/// the stock log (`GET /admin/v1/stock/logs` reads it there).
struct StockController {
    let engine: MallEngine

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("skus/:id/stock", use: adjust)
        group.get("stock/low", use: lowStock)
        group.post("seckill/activities/:id/items/:skuId/stock", use: moveSeckill)
        group.delete("seckill/activities/:id/items/:skuId", use: removeSeckillItem)
    }

    @Sendable func adjust(_ request: Request, context: MallRequestContext) async throws -> Envelope<StockResponse> {
        let skuID = try EntityID.parse(context.parameters.get("id"), field: "id")
        let input = try await RequestJSON.decode(StockChangeRequest.self, from: request, context: context)
        try input.validate()
        let stock = try await engine.adjustStock(skuID: skuID, delta: input.quantity, remark: input.remark ?? "",
                                                 operatorID: try context.requireAdminID())
        return Envelope(StockResponse(skuId: EntityID(skuID), stock: stock))
    }

    @Sendable func lowStock(_ request: Request, context: MallRequestContext) async throws -> Envelope<LowStockResponse> {
        let catalog = engine.catalog
        let entries = await engine.lowStock()
        return Envelope(LowStockResponse(items: entries.map { entry in
            let names = catalog.sku(entry.skuID)
            return LowStockResponse.Item(productId: EntityID(entry.productID), productName: names?.product.name ?? "",
                                         skuId: EntityID(entry.skuID), skuName: names?.sku.name ?? "",
                                         stock: entry.stock, threshold: entry.threshold)
        }))
    }

    @Sendable func moveSeckill(_ request: Request, context: MallRequestContext) async throws -> Envelope<SeckillMoveResponse> {
        let activityID = try EntityID.parse(context.parameters.get("id"), field: "id")
        let skuID = try EntityID.parse(context.parameters.get("skuId"), field: "skuId")
        let input = try await RequestJSON.decode(StockChangeRequest.self, from: request, context: context)
        try input.validate()
        let moved = try await engine.moveSeckillStock(activityID: activityID, skuID: skuID, delta: input.quantity,
                                                      remark: input.remark ?? "", operatorID: try context.requireAdminID())
        return Envelope(SeckillMoveResponse(activityId: EntityID(activityID), skuId: EntityID(skuID), movedToSale: moved,
                                            stock: engine.stockLevel(skuID: skuID)?.stock ?? 0))
    }

    @Sendable func removeSeckillItem(_ request: Request, context: MallRequestContext) async throws -> Envelope<SeckillMoveResponse> {
        let activityID = try EntityID.parse(context.parameters.get("id"), field: "id")
        let skuID = try EntityID.parse(context.parameters.get("skuId"), field: "skuId")
        let moved = try await engine.moveSeckillStock(activityID: activityID, skuID: skuID, delta: 0, removesItem: true,
                                                      operatorID: try context.requireAdminID())
        return Envelope(SeckillMoveResponse(activityId: EntityID(activityID), skuId: EntityID(skuID), movedToSale: moved,
                                            stock: engine.stockLevel(skuID: skuID)?.stock ?? 0))
    }
}

/// `POST /admin/v1/skus/:id/stock` (positive: stock-in, negative: stock-out) and
/// `POST /admin/v1/seckill/activities/:id/items/:skuId/stock` (positive: into the sale, negative: back).
struct StockChangeRequest: Decodable, Sendable {
    var quantity: Int64
    var remark: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case quantity, remark }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        quantity = try container.required(Int64.self, .quantity)
        remark = try container.optional(String.self, .remark)
    }

    static let quantityRule = IntegerRule(-MallLimits.stockMax...MallLimits.stockMax)
    static let remarkRule = TextRule(.text, 1...MallEngine.stockRemarkMax)

    func validate() throws(APIError) {
        var validation = Validation()
        validation.integer(quantity, "quantity", Self.quantityRule)
        validation.require(quantity != 0, "quantity", "must not be 0")
        if let remark { validation.text(remark, "remark", Self.remarkRule) }
        try validation.check()
    }
}

struct StockResponse: Encodable, Sendable {
    var skuId: EntityID
    var stock: Int64
}

struct SeckillMoveResponse: Encodable, Sendable {
    var activityId: EntityID
    var skuId: EntityID
    /// Units moved into the sale (negative: back to the SKU's stock).
    var movedToSale: Int64
    /// The SKU's stock after the move.
    var stock: Int64
}

struct LowStockResponse: Encodable, Sendable {
    var items: [Item]

    struct Item: Encodable, Sendable {
        var productId: EntityID
        var productName: String
        var skuId: EntityID
        var skuName: String
        var stock: Int64
        var threshold: Int64
    }
}
