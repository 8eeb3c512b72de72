import Engine

struct CreateSeckillActivityRequest: Decodable, Sendable {
    var name: String
    var startTime: String
    var endTime: String
    var items: [Item]

    struct Item: Decodable, Sendable {
        var skuId: EntityID
        var seckillPriceFen: Int64
        var stock: Int64
        var limitPerUser: Int64?
    }

    func validated() throws(APIError) -> NewSeckillActivity {
        var validation = Validation()
        validation.text(name, "name", maxCharacters: 100)
        let startMs = APITime.parse(startTime)
        let endMs = APITime.parse(endTime)
        validation.require(startMs != nil, "startTime", "must be an ISO-8601 time, e.g. 2026-11-27T10:00:00Z")
        validation.require(endMs != nil, "endTime", "must be an ISO-8601 time, e.g. 2026-11-27T12:00:00Z")
        if let startMs, let endMs { validation.require(endMs > startMs, "endTime", "must be after startTime") }
        validation.require((1...MallEngine.seckillItemsMax).contains(items.count), "items",
                           "must hold 1 to \(MallEngine.seckillItemsMax) items")
        for (index, item) in items.enumerated() {
            validation.require(item.seckillPriceFen >= 0, "items[\(index)].seckillPriceFen", "must be an integer number of fen >= 0")
            validation.require(item.stock >= 0 && item.stock <= 100_000_000, "items[\(index)].stock", "must be 0 to 100000000")
            validation.require((item.limitPerUser ?? 1) >= 1, "items[\(index)].limitPerUser", "must be >= 1")
        }
        try validation.check()
        return NewSeckillActivity(
            name: name, startMs: startMs ?? 0, endMs: endMs ?? 0,
            items: items.map {
                SeckillItemDefinition(skuID: $0.skuId.value, seckillPriceFen: $0.seckillPriceFen, stock: $0.stock,
                                      limitPerUser: $0.limitPerUser ?? 1)
            })
    }
}

struct SeckillActivityResponse: Encodable, Sendable {
    var id: EntityID
    var name: String
    var startTime: String
    var endTime: String
    /// upcoming, active or ended, at the time of the request.
    var status: String
    var items: [Item]

    struct Item: Encodable, Sendable {
        var skuId: EntityID
        var productId: EntityID?
        var productName: String?
        var skuName: String?
        var seckillPriceFen: Int64
        var originalPriceFen: Int64?
        var limitPerUser: Int64
        /// Units left to sell.
        var stock: Int64
        var sold: Int64
    }

    init(_ activity: SeckillActivity, items: [SeckillItemStatus], catalog: CatalogState, nowMs: Int64) {
        id = EntityID(activity.id)
        name = activity.name
        startTime = APITime.format(ms: activity.startMs)
        endTime = APITime.format(ms: activity.endMs)
        status = nowMs < activity.startMs ? "upcoming" : (nowMs < activity.endMs ? "active" : "ended")
        self.items = items.map { status in
            let sku = catalog.sku(status.item.skuID)
            return Item(skuId: EntityID(status.item.skuID), productId: sku.map { EntityID($0.product.id) },
                        productName: sku?.product.name, skuName: sku?.sku.name,
                        seckillPriceFen: status.item.seckillPriceFen, originalPriceFen: sku?.sku.priceFen,
                        limitPerUser: status.item.limitPerUser, stock: status.remaining, sold: status.sold)
        }
    }
}

struct SeckillPurchaseRequest: Decodable, Sendable {
    var skuId: EntityID
    var quantity: Int64?

    func validatedQuantity() throws(APIError) -> Int64 {
        let quantity = self.quantity ?? 1
        guard (1...MallEngine.seckillQuantityMax).contains(quantity) else {
            throw APIError.invalid("quantity", "must be 1 to \(MallEngine.seckillQuantityMax)")
        }
        return quantity
    }
}
