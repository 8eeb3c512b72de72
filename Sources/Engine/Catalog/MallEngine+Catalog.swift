/// Products: SPUs with their SKU matrix. Input arrives validated field by field
/// from Net (lengths, money bounds, sanitised HTML); the engine checks what
/// only it can (the category and its attribute templates, the matrix, SKU ids).
public struct ProductInput: Sendable {
    public var name: String
    public var categoryID: UInt64
    public var subtitle: String
    public var description: String
    public var mainImage: String
    public var images: [String]
    public var attributes: [SpecPair]
    public var detailHTML: String
    public var specs: [SpecDimension]
    public var skus: [SKUInput]
    public var onShelf: Bool
    /// The first, simple form (`NewProduct`): SKU specs are kept as given, only told apart,
    /// not checked against a matrix (their keys may differ from SKU to SKU).
    var specsAsGiven = false

    public struct SKUInput: Sendable {
        /// One combination of the specs' values; empty for a product without specs.
        public var spec: [SpecPair]
        /// Defaults to the spec values joined by a space.
        public var name: String?
        public var priceFen: Int64
        public var originalPriceFen: Int64
        /// Opening stock of a new SKU; an existing SKU's stock changes only by stock-in and stock-out.
        public var stock: Int64
        public var lowStockThreshold: Int64

        public init(spec: [SpecPair], name: String? = nil, priceFen: Int64, originalPriceFen: Int64 = 0, stock: Int64,
                    lowStockThreshold: Int64 = 0) {
            (self.spec, self.name, self.priceFen, self.originalPriceFen) = (spec, name, priceFen, originalPriceFen)
            (self.stock, self.lowStockThreshold) = (stock, lowStockThreshold)
        }
    }

    public init(name: String, categoryID: UInt64, subtitle: String = "", description: String = "", mainImage: String = "",
                images: [String] = [], attributes: [SpecPair] = [], detailHTML: String = "", specs: [SpecDimension] = [],
                skus: [SKUInput], onShelf: Bool = true) {
        (self.name, self.categoryID, self.subtitle, self.description, self.mainImage) = (name, categoryID, subtitle, description, mainImage)
        (self.images, self.attributes, self.detailHTML, self.specs, self.skus, self.onShelf) =
            (images, attributes, detailHTML, specs, skus, onShelf)
    }
}

/// The first, simple form: a name and explicit SKUs, no category (seed, benchmarks, tests).
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

    /// The specs the SKUs' spec pairs span, values in first-seen order. SKUs without a spec
    /// are told apart by name (规格: name) when there are several.
    var productInput: ProductInput {
        let skus = self.skus.count > 1
            ? self.skus.map { $0.spec.isEmpty ? NewSKU(name: $0.name, spec: [SpecPair(key: "规格", value: $0.name)], priceFen: $0.priceFen, stock: $0.stock) : $0 }
            : self.skus
        var dimensions: [SpecDimension] = []
        for sku in skus {
            for pair in sku.spec {
                if let index = dimensions.firstIndex(where: { $0.name == pair.key }) {
                    if !dimensions[index].values.contains(pair.value) { dimensions[index].values.append(pair.value) }
                } else {
                    dimensions.append(SpecDimension(name: pair.key, values: [pair.value]))
                }
            }
        }
        var input = ProductInput(name: name, categoryID: 0, specs: dimensions, skus: skus.map {
            ProductInput.SKUInput(spec: $0.spec, name: $0.name, priceFen: $0.priceFen, stock: $0.stock)
        })
        input.specsAsGiven = true
        return input
    }
}

extension MallEngine {
    public static let skusPerProductMax = 200

    public func createProduct(_ input: NewProduct) async throws(EngineError) -> Product {
        try await saveProduct(id: nil, input.productInput, operatorID: 0)
    }

    /// Creates a product, or replaces product `id`'s fields and SKU matrix. SKUs keep their ids
    /// by spec combination; a combination that left the matrix is disabled, never deleted.
    public func saveProduct(id: UInt64?, _ input: ProductInput, operatorID: UInt64) async throws(EngineError) -> Product {
        try Self.check(input)
        let nowMs = clock.nowMs()
        let productID = if let id { id } else { try nextID() }
        // Ids for SKUs that may be new, taken up front: the decision below runs in the coordinator.
        let freshIDs = try input.skus.map { _ throws(EngineError) in try nextID() }
        try await commit(atMs: nowMs) { decided throws(EngineError) in
            let catalog = decided.catalog
            let existing = catalog.products[productID]
            if id != nil { guard let existing, !existing.details.deleted else { throw .notFound("product") } }
            if existing == nil, catalog.products.count >= CatalogLimits.productsMax {
                throw .conflict("the catalog already holds \(CatalogLimits.productsMax) products")
            }
            if input.categoryID != 0 {
                guard catalog.categories[input.categoryID] != nil else { throw .invalid(field: "categoryId", reason: "no such category") }
                try Self.checkSpecs(input.specs, against: catalog.attributeTemplates(for: input.categoryID))
            }
            var skus: [Product.SKU] = []
            var opening: [SKUQuantity] = []
            var used = Set<UInt64>()
            for (index, sku) in input.skus.enumerated() {
                let spec = sku.spec.sorted { $0.key < $1.key }
                let previous = existing?.skus.first { $0.spec == spec }
                let skuID = previous?.id ?? freshIDs[index]
                used.insert(skuID)
                if previous == nil { opening.append(SKUQuantity(skuID: skuID, quantity: sku.stock)) }
                skus.append(Product.SKU(id: skuID, name: sku.name ?? spec.map(\.value).joined(separator: " "), spec: spec,
                                        priceFen: sku.priceFen, originalPriceFen: sku.originalPriceFen,
                                        lowStockThreshold: sku.lowStockThreshold, enabled: true))
            }
            for var old in existing?.skus ?? [] where !used.contains(old.id) {
                old.enabled = false
                skus.append(old)
            }
            var details = ProductDetails()
            details.categoryID = input.categoryID
            details.subtitle = input.subtitle
            details.description = input.description
            details.mainImage = input.mainImage
            details.images = input.images
            details.attributes = input.attributes
            details.detailHTML = input.detailHTML
            details.specs = input.specs
            details.onShelf = input.onShelf
            details.updatedAtMs = nowMs
            return .productSaved(ProductSaved(
                productID: productID, name: input.name, details: details, skus: skus, openingStock: opening,
                createdAtMs: existing?.createdAtMs ?? nowMs, operatorID: operatorID, atMs: nowMs))
        }
        guard let product = catalog.products[productID] else { throw .unavailable("product \(productID) was not applied") }
        return product
    }

    /// The rules that need no state: counts, the matrix, prices.
    static func check(_ input: ProductInput) throws(EngineError) {
        guard !input.name.isEmpty else { throw .invalid(field: "name", reason: "must not be empty") }
        guard input.images.count <= CatalogLimits.imagesPerProductMax else {
            throw .invalid(field: "images", reason: "must hold at most \(CatalogLimits.imagesPerProductMax) images")
        }
        guard input.attributes.count <= CatalogLimits.attributesPerProductMax else {
            throw .invalid(field: "attributes", reason: "must hold at most \(CatalogLimits.attributesPerProductMax) attributes")
        }
        guard input.detailHTML.utf8.count <= CatalogLimits.detailHTMLBytesMax else {
            throw .invalid(field: "detailHtml", reason: "must be at most \(CatalogLimits.detailHTMLBytesMax) bytes")
        }
        guard input.specsAsGiven || input.specs.count <= CatalogLimits.specDimensionsMax else {
            throw .invalid(field: "specs", reason: "must hold at most \(CatalogLimits.specDimensionsMax) dimensions")
        }
        var dimensionNames = Set<String>()
        for (index, dimension) in input.specs.enumerated() where !input.specsAsGiven {
            guard !dimension.name.isEmpty, dimensionNames.insert(dimension.name).inserted else {
                throw .invalid(field: "specs[\(index)].name", reason: "must be non-empty and not repeated")
            }
            guard (1...CatalogLimits.valuesPerSpecMax).contains(dimension.values.count),
                  Set(dimension.values).count == dimension.values.count, !dimension.values.contains("") else {
                throw .invalid(field: "specs[\(index)].values",
                               reason: "must hold 1 to \(CatalogLimits.valuesPerSpecMax) distinct non-empty values")
            }
        }
        // The matrix size is a product of bounded counts: checked before it is built.
        var matrixSize = 1
        for dimension in input.specs where !input.specsAsGiven {
            let (size, overflow) = matrixSize.multipliedReportingOverflow(by: dimension.values.count)
            guard !overflow, size <= skusPerProductMax else {
                throw .invalid(field: "specs", reason: "the SKU matrix must hold at most \(skusPerProductMax) combinations")
            }
            matrixSize = size
        }
        guard (1...skusPerProductMax).contains(input.skus.count) else {
            throw .invalid(field: "skus", reason: "must hold 1 to \(skusPerProductMax) SKUs")
        }
        let matrix = input.specsAsGiven ? [] : Set(SpecDimension.matrix(input.specs))
        var seen = Set<[SpecPair]>()
        for (index, sku) in input.skus.enumerated() {
            let spec = sku.spec.sorted { $0.key < $1.key }
            guard input.specsAsGiven || matrix.contains(spec) else {
                throw .invalid(field: "skus[\(index)].spec", reason: "must be one combination of the specs' values")
            }
            guard seen.insert(spec).inserted else { throw .invalid(field: "skus[\(index)].spec", reason: "listed twice") }
            guard MallLimits.priceFenRange.contains(sku.priceFen) else {
                throw .invalid(field: "skus[\(index)].priceFen", reason: "must be 0 to \(MallLimits.priceFenMax)")
            }
            guard sku.originalPriceFen == 0 || (sku.priceFen...MallLimits.priceFenMax).contains(sku.originalPriceFen) else {
                throw .invalid(field: "skus[\(index)].originalPriceFen", reason: "must be 0 (none) or from priceFen to \(MallLimits.priceFenMax)")
            }
            guard MallLimits.stockRange.contains(sku.stock) else {
                throw .invalid(field: "skus[\(index)].stock", reason: "must be 0 to \(MallLimits.stockMax)")
            }
            guard (0...CatalogLimits.lowStockThresholdMax).contains(sku.lowStockThreshold) else {
                throw .invalid(field: "skus[\(index)].lowStockThreshold", reason: "must be 0 to \(CatalogLimits.lowStockThresholdMax)")
            }
        }
    }

    /// When the category (or an ancestor) defines attribute templates, each spec dimension must
    /// be one of them and use only its options.
    static func checkSpecs(_ specs: [SpecDimension], against templates: [AttributeTemplate]) throws(EngineError) {
        guard !templates.isEmpty else { return }
        for (index, dimension) in specs.enumerated() {
            guard let template = templates.first(where: { $0.name == dimension.name }) else {
                let names = templates.map(\.name).joined(separator: ", ")
                throw .invalid(field: "specs[\(index)].name", reason: "must be one of the category's attributes: \(names)")
            }
            if let value = dimension.values.first(where: { !template.options.contains($0) }) {
                throw .invalid(field: "specs[\(index)].values",
                               reason: "\(value) is not an option of \(template.name): \(template.options.joined(separator: ", "))")
            }
        }
    }

    /// Puts products on or takes them off the shelf.
    public func shelveProducts(_ productIDs: [UInt64], onShelf: Bool, operatorID: UInt64) async throws(EngineError) {
        guard (1...100).contains(productIDs.count) else { throw .invalid(field: "productIds", reason: "must hold 1 to 100 ids") }
        let nowMs = clock.nowMs()
        try await commit(atMs: nowMs) { decided throws(EngineError) in
            for (index, id) in productIDs.enumerated() {
                guard let product = decided.catalog.products[id], !product.details.deleted else {
                    throw .invalid(field: "productIds[\(index)]", reason: "no such product")
                }
            }
            let changing = productIDs.filter { decided.catalog.products[$0]?.details.onShelf != onShelf }
            guard !changing.isEmpty else { return nil }
            return .productsShelved(ProductsShelved(productIDs: Array(Set(changing)).sorted(), onShelf: onShelf,
                                                    operatorID: operatorID, atMs: nowMs))
        }
    }

    /// Deletes a product: off the storefront and out of search for good; orders keep naming its SKUs.
    /// Refused while a flash sale that has not ended still sells one of its SKUs.
    public func deleteProduct(id: UInt64, operatorID: UInt64) async throws(EngineError) {
        let nowMs = clock.nowMs()
        try await commit(atMs: nowMs) { decided throws(EngineError) in
            let catalog = decided.catalog
            guard let product = catalog.products[id], !product.details.deleted else { throw .notFound("product") }
            let skuIDs = Set(product.skus.map(\.id))
            if let sale = catalog.activities.values.first(where: { activity in
                activity.endMs > nowMs && activity.liveItems.contains { skuIDs.contains($0.skuID) }
            }) {
                throw .conflict("flash sale \(sale.id) (\(sale.name)) still sells this product; remove it from the sale first")
            }
            return .productDeleted(ProductDeleted(productID: id, operatorID: operatorID, atMs: nowMs))
        }
    }

    public func product(id: UInt64) -> Product? { catalog.products[id] }

    /// Ordinary stock of a SKU, as the inventory shard holds it now.
    public func stock(skuID: UInt64) async -> Int64? {
        await inventoryShard(forSKU: skuID).stock(skuID: skuID)
    }
}

extension MallEngine {
    /// Replaces the search settings. Net validates them with `SynonymTable(groups:)` and
    /// `HotKeywordRules(pinned:blocked:)`; they are checked again here, so the published
    /// index never meets groups its initialiser refuses.
    public func saveSearchSettings(_ settings: SearchSettings, operatorID: UInt64) async throws(EngineError) -> SearchSettings {
        do {
            _ = try SynonymTable(groups: settings.synonymGroups)
        } catch {
            throw .invalid(field: "synonyms", reason: "\(error)")
        }
        do {
            _ = try HotKeywordRules(pinned: settings.pinnedKeywords, blocked: settings.blockedKeywords)
        } catch {
            throw .invalid(field: "hotKeywords", reason: "\(error)")
        }
        let nowMs = clock.nowMs()
        try await commit(atMs: nowMs) { decided throws(EngineError) in
            guard decided.catalog.searchSettings != settings else { return nil }
            return .searchSettingsChanged(SearchSettingsChanged(
                synonymGroups: settings.synonymGroups, pinnedKeywords: settings.pinnedKeywords,
                blockedKeywords: settings.blockedKeywords, operatorID: operatorID, atMs: nowMs))
        }
        return catalog.searchSettings
    }
}
