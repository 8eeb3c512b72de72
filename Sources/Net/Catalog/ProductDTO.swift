import Engine

struct CreateProductRequest: Decodable, Sendable {
    var name: String
    var skus: [SKUInput]

    struct SKUInput: Decodable, Sendable {
        var name: String
        var spec: [String: String]?
        var priceFen: Int64
        var stock: Int64
    }

    static let nameCharactersMax = 100
    static let specEntriesMax = 10

    func validated() throws(APIError) -> NewProduct {
        var validation = Validation()
        validation.text(name, "name", maxCharacters: Self.nameCharactersMax)
        validation.require((1...MallEngine.skusPerProductMax).contains(skus.count), "skus",
                           "must hold 1 to \(MallEngine.skusPerProductMax) SKUs")
        for (index, sku) in skus.enumerated() {
            validation.text(sku.name, "skus[\(index)].name", maxCharacters: Self.nameCharactersMax)
            validation.require(sku.priceFen >= 0, "skus[\(index)].priceFen", "must be an integer number of fen >= 0")
            validation.require(sku.stock >= 0 && sku.stock <= 100_000_000, "skus[\(index)].stock", "must be 0 to 100000000")
            validation.require((sku.spec?.count ?? 0) <= Self.specEntriesMax, "skus[\(index)].spec",
                               "must hold at most \(Self.specEntriesMax) entries")
        }
        try validation.check()
        return NewProduct(name: name, skus: skus.map {
            NewProduct.NewSKU(name: $0.name, spec: ($0.spec ?? [:]).map { SpecPair(key: $0.key, value: $0.value) },
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
