import Engine

/// `POST /admin/v1/products`. Decoded strictly (no unknown fields, no nulls);
/// every rule below is stated in the OpenAPI document from the same values.
struct CreateProductRequest: Decodable, Sendable {
    var name: String
    var skus: [SKUInput]

    struct SKUInput: Decodable, Sendable {
        var name: String
        var spec: [String: String]?
        var priceFen: Int64
        var stock: Int64

        enum CodingKeys: String, CodingKey, CaseIterable { case name, spec, priceFen, stock }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try container.required(String.self, .name)
            spec = try container.optional([String: String].self, .spec)
            priceFen = try container.required(Int64.self, .priceFen)
            stock = try container.required(Int64.self, .stock)
        }

        init(name: String, spec: [String: String]?, priceFen: Int64, stock: Int64) {
            (self.name, self.spec, self.priceFen, self.stock) = (name, spec, priceFen, stock)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, skus }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.required(String.self, .name)
        skus = try container.required([SKUInput].self, .skus)
    }

    init(name: String, skus: [SKUInput]) { (self.name, self.skus) = (name, skus) }

    static let nameRule = TextRule(.text, 1...100)
    static let skuNameRule = TextRule(.text, 1...100)
    static let skusRange = 1...MallEngine.skusPerProductMax
    static let specKeyRule = TextRule(.text, 1...50)
    static let specValueRule = TextRule(.text, 1...100)
    static let specEntriesMax = 10
    static let priceRule = IntegerRule(MallLimits.priceFenRange, isFen: true)
    static let stockRule = IntegerRule(MallLimits.stockRange)

    func validated() throws(APIError) -> NewProduct {
        var validation = Validation()
        validation.text(name, "name", Self.nameRule)
        validation.require(Self.skusRange.contains(skus.count), "skus",
                           "must hold \(Self.skusRange.lowerBound) to \(Self.skusRange.upperBound) SKUs")
        for (index, sku) in skus.prefix(Self.skusRange.upperBound).enumerated() {
            validation.text(sku.name, "skus[\(index)].name", Self.skuNameRule)
            validation.integer(sku.priceFen, "skus[\(index)].priceFen", Self.priceRule)
            validation.integer(sku.stock, "skus[\(index)].stock", Self.stockRule)
            let spec = sku.spec ?? [:]
            validation.require(spec.count <= Self.specEntriesMax, "skus[\(index)].spec",
                               "must hold at most \(Self.specEntriesMax) entries")
            let entries = spec.sorted { $0.key < $1.key }.prefix(Self.specEntriesMax)
            let keysAreValid = entries.allSatisfy { Self.specKeyRule.accepts($0.key) }
            validation.require(keysAreValid, "skus[\(index)].spec", "keys " + Self.specKeyRule.rule)
            // A value is named by its key only once every key is known to be short and printable.
            for (key, value) in entries where keysAreValid {
                validation.text(value, "skus[\(index)].spec.\(key)", Self.specValueRule)
            }
        }
        try validation.check()
        return NewProduct(name: name, skus: skus.map {
            NewProduct.NewSKU(name: $0.name, spec: ($0.spec ?? [:]).sorted { $0.key < $1.key }.map { SpecPair(key: $0.key, value: $0.value) },
                              priceFen: $0.priceFen, stock: $0.stock)
        })
    }
}

struct ProductResponse: Encodable, Sendable {
    var id: EntityID
    var name: String
    var skus: [SKUResponse]
    var createdAt: String

    struct SKUResponse: Encodable, Sendable {
        var id: EntityID
        var name: String
        var spec: [String: String]
        var priceFen: Int64
        var stock: Int64
    }

    init(_ product: Product, stock: [UInt64: Int64]) {
        id = EntityID(product.id)
        name = product.name
        createdAt = APITime.format(ms: product.createdAtMs)
        skus = product.skus.map {
            SKUResponse(id: EntityID($0.id), name: $0.name,
                        spec: Dictionary($0.spec.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }),
                        priceFen: $0.priceFen, stock: stock[$0.id] ?? 0)
        }
    }

    static func make(_ product: Product, engine: MallEngine) async -> ProductResponse {
        var stock: [UInt64: Int64] = [:]
        for sku in product.skus { stock[sku.id] = await engine.stock(skuID: sku.id) }
        return ProductResponse(product, stock: stock)
    }
}
