import Engine

/// `POST /admin/v1/seckill/activities`. Decoded strictly; every rule is
/// stated in the OpenAPI document from the same values.
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

        enum CodingKeys: String, CodingKey, CaseIterable { case skuId, seckillPriceFen, stock, limitPerUser }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            skuId = try container.required(EntityID.self, .skuId)
            seckillPriceFen = try container.required(Int64.self, .seckillPriceFen)
            stock = try container.required(Int64.self, .stock)
            limitPerUser = try container.optional(Int64.self, .limitPerUser)
        }

        init(skuId: EntityID, seckillPriceFen: Int64, stock: Int64, limitPerUser: Int64?) {
            (self.skuId, self.seckillPriceFen, self.stock, self.limitPerUser) = (skuId, seckillPriceFen, stock, limitPerUser)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, startTime, endTime, items }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.required(String.self, .name)
        startTime = try container.required(String.self, .startTime)
        endTime = try container.required(String.self, .endTime)
        items = try container.required([Item].self, .items)
    }

    init(name: String, startTime: String, endTime: String, items: [Item]) {
        (self.name, self.startTime, self.endTime, self.items) = (name, startTime, endTime, items)
    }

    static let nameRule = TextRule(.text, 1...100)
    static let itemsRange = 1...MallEngine.seckillItemsMax
    static let priceRule = IntegerRule(MallLimits.priceFenRange, isFen: true)
    static let stockRule = IntegerRule(MallLimits.stockRange)
    static let limitPerUserRule = IntegerRule(MallLimits.limitPerUserRange)
    static let limitPerUserDefault: Int64 = 1

    func validated() throws(APIError) -> NewSeckillActivity {
        var validation = Validation()
        validation.text(name, "name", Self.nameRule)
        let startMs = validation.time(startTime, "startTime")
        let endMs = validation.time(endTime, "endTime")
        // Both are within years 0000 to 9999, so comparing them needs no arithmetic.
        if let startMs, let endMs { validation.require(endMs > startMs, "endTime", "must be after startTime") }
        validation.require(Self.itemsRange.contains(items.count), "items",
                           "must hold \(Self.itemsRange.lowerBound) to \(Self.itemsRange.upperBound) items")
        var seen = Set<UInt64>()
        for (index, item) in items.prefix(Self.itemsRange.upperBound).enumerated() {
            validation.require(seen.insert(item.skuId.value).inserted, "items[\(index)].skuId", "must not repeat an earlier item's SKU")
            validation.integer(item.seckillPriceFen, "items[\(index)].seckillPriceFen", Self.priceRule)
            validation.integer(item.stock, "items[\(index)].stock", Self.stockRule)
            validation.integer(item.limitPerUser ?? Self.limitPerUserDefault, "items[\(index)].limitPerUser", Self.limitPerUserRule)
        }
        try validation.check()
        guard let startMs, let endMs else { throw APIError.invalid("startTime", APITime.rule) }
        return NewSeckillActivity(
            name: name, startMs: startMs, endMs: endMs,
            items: items.map {
                SeckillItemDefinition(skuID: $0.skuId.value, seckillPriceFen: $0.seckillPriceFen, stock: $0.stock,
                                      limitPerUser: $0.limitPerUser ?? Self.limitPerUserDefault)
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

/// `POST /api/v1/seckill/activities/{id}/orders`: the flash-sale hot path.
struct SeckillPurchaseRequest: FlatJSONDecodable, Sendable {
    var skuId: EntityID
    var quantity: Int64?

    enum CodingKeys: String, CodingKey, CaseIterable { case skuId, quantity }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        skuId = try container.required(EntityID.self, .skuId)
        quantity = try container.optional(Int64.self, .quantity)
    }

    init(skuId: EntityID, quantity: Int64?) { (self.skuId, self.quantity) = (skuId, quantity) }

    private static let keys = Set(CodingKeys.allCases.map(\.stringValue))

    init?(flat object: FlatJSONObject) {
        guard object.hasOnlyKeys(Self.keys), case .string(let text)? = object["skuId"], let id = EntityID.value(text)
        else { return nil }
        switch object["quantity"] {
        case nil: quantity = nil
        case .integer(let value)?: quantity = value
        case .string?: return nil
        }
        skuId = EntityID(id)
    }

    static let quantityRule = IntegerRule(MallLimits.quantityRange)
    static let quantityDefault: Int64 = 1
    /// `Idempotency-Key`: a retry with the same key returns the first order.
    static let idempotencyKeyRule = TextRule(.visibleASCII, 1...64)

    func validatedQuantity() throws(APIError) -> Int64 {
        let quantity = self.quantity ?? Self.quantityDefault
        guard Self.quantityRule.accepts(quantity) else { throw APIError.invalid("quantity", Self.quantityRule.rule) }
        return quantity
    }
}
