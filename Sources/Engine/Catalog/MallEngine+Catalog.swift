/// Products: SPUs with SKUs. Input arrives validated field by field from Net;
/// the engine checks what only it can (uniqueness, references).
public struct NewProduct: Sendable {
    public var name: String
    public var skus: [NewSKU]

    public struct NewSKU: Sendable {
        public var name: String
        public var spec: [SpecPair]
        public var priceFen: Int64
        public var stock: Int64

        public init(name: String, spec: [SpecPair], priceFen: Int64, stock: Int64) {
            (self.name, self.spec, self.priceFen, self.stock) = (name, spec, priceFen, stock)
        }
    }

    public init(name: String, skus: [NewSKU]) { (self.name, self.skus) = (name, skus) }
}

extension MallEngine {
    public static let skusPerProductMax = 200

    public func createProduct(_ input: NewProduct) async throws(EngineError) -> Product {
        guard !input.name.isEmpty else { throw .invalid(field: "name", reason: "must not be empty") }
        guard (1...Self.skusPerProductMax).contains(input.skus.count) else {
            throw .invalid(field: "skus", reason: "must hold 1 to \(Self.skusPerProductMax) SKUs")
        }
        for (index, sku) in input.skus.enumerated() {
            guard MallLimits.priceFenRange.contains(sku.priceFen) else {
                throw .invalid(field: "skus[\(index)].priceFen", reason: "must be 0 to \(MallLimits.priceFenMax)")
            }
            guard MallLimits.stockRange.contains(sku.stock) else {
                throw .invalid(field: "skus[\(index)].stock", reason: "must be 0 to \(MallLimits.stockMax)")
            }
        }
        let nowMs = clock.nowMs()
        let productID = ids.next()
        let skus = input.skus.map {
            SKUDefinition(skuID: ids.next(), name: $0.name, spec: $0.spec, priceFen: $0.priceFen, stock: $0.stock)
        }
        let name = input.name
        try await commit(atMs: nowMs) { _ in
            .productCreated(ProductCreated(productID: productID, name: name, skus: skus, atMs: nowMs))
        }
        guard let product = catalog.products[productID] else { throw .unavailable("product \(productID) was not applied") }
        return product
    }

    public func product(id: UInt64) -> Product? { catalog.products[id] }

    /// Ordinary stock of a SKU, as the inventory shard holds it now.
    public func stock(skuID: UInt64) async -> Int64? {
        await inventoryShard(forSKU: skuID).stock(skuID: skuID)
    }
}
