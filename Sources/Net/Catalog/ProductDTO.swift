import Engine

/// `POST /admin/v1/products` and `PUT /admin/v1/products/:id`. Decoded strictly (no
/// unknown fields, no nulls); every rule below is stated in the OpenAPI document from
/// the same values. The SKU matrix is generated from `specs`: give `skus` to price each
/// combination (a subset is allowed), or only `defaultSku` to sell every combination alike.
/// Without `specs`, the dimensions are read off the SKUs' `spec` objects.
struct ProductRequest: Decodable, Sendable {
    var name: String
    var categoryId: EntityID?
    var subtitle: String?
    var description: String?
    var mainImage: String?
    var images: [String]?
    var attributes: [NameValue]?
    var detailHtml: String?
    var specs: [SpecInput]?
    var skus: [SKUInput]?
    var defaultSku: SKUInput?
    var onShelf: Bool?

    struct NameValue: Decodable, Sendable {
        var name: String
        var value: String

        enum CodingKeys: String, CodingKey, CaseIterable { case name, value }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try container.required(String.self, .name)
            value = try container.required(String.self, .value)
        }
    }

    struct SpecInput: Decodable, Sendable {
        var name: String
        var values: [String]

        enum CodingKeys: String, CodingKey, CaseIterable { case name, values }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try container.required(String.self, .name)
            values = try container.required([String].self, .values)
        }
    }

    struct SKUInput: Decodable, Sendable {
        var name: String?
        var spec: [String: String]?
        var priceFen: Int64
        var originalPriceFen: Int64?
        var stock: Int64
        var lowStockThreshold: Int64?

        enum CodingKeys: String, CodingKey, CaseIterable { case name, spec, priceFen, originalPriceFen, stock, lowStockThreshold }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try container.optional(String.self, .name)
            spec = try container.optional([String: String].self, .spec)
            priceFen = try container.required(Int64.self, .priceFen)
            originalPriceFen = try container.optional(Int64.self, .originalPriceFen)
            stock = try container.required(Int64.self, .stock)
            lowStockThreshold = try container.optional(Int64.self, .lowStockThreshold)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, categoryId, subtitle, description, mainImage, images, attributes, detailHtml, specs, skus, defaultSku, onShelf
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.required(String.self, .name)
        categoryId = try container.optional(EntityID.self, .categoryId)
        subtitle = try container.optional(String.self, .subtitle)
        description = try container.optional(String.self, .description)
        mainImage = try container.optional(String.self, .mainImage)
        images = try container.optional([String].self, .images)
        attributes = try container.optional([NameValue].self, .attributes)
        detailHtml = try container.optional(String.self, .detailHtml)
        specs = try container.optional([SpecInput].self, .specs)
        skus = try container.optional([SKUInput].self, .skus)
        defaultSku = try container.optional(SKUInput.self, .defaultSku)
        onShelf = try container.optional(Bool.self, .onShelf)
    }

    static let nameRule = TextRule(.text, 1...100)
    static let subtitleRule = TextRule(.text, 0...200)
    static let descriptionRule = TextRule(.text, 0...2000)
    static let imageRule = TextRule(.visibleASCII, 1...500)
    static let attributeNameRule = TextRule(.text, 1...20)
    static let attributeValueRule = TextRule(.text, 1...100)
    static let skuNameRule = TextRule(.text, 1...100)
    static let specNameRule = TextRule(.text, 1...20)
    static let specValueRule = TextRule(.text, 1...30)
    static let skusRange = 1...MallEngine.skusPerProductMax
    static let priceRule = IntegerRule(MallLimits.priceFenRange, isFen: true)
    static let stockRule = IntegerRule(MallLimits.stockRange)
    static let thresholdRule = IntegerRule(0...CatalogLimits.lowStockThresholdMax)

    func validated() throws(APIError) -> ProductInput {
        var validation = Validation()
        validation.text(name, "name", Self.nameRule)
        if let subtitle, !subtitle.isEmpty { validation.text(subtitle, "subtitle", Self.subtitleRule) }
        if let description, !description.isEmpty { validation.text(description, "description", Self.descriptionRule) }
        if let mainImage { validation.text(mainImage, "mainImage", Self.imageRule) }
        let images = images ?? []
        validation.require(images.count <= CatalogLimits.imagesPerProductMax, "images",
                           "must hold at most \(CatalogLimits.imagesPerProductMax) images")
        for (index, image) in images.prefix(CatalogLimits.imagesPerProductMax).enumerated() {
            validation.text(image, "images[\(index)]", Self.imageRule)
        }
        let attributes = attributes ?? []
        validation.require(attributes.count <= CatalogLimits.attributesPerProductMax, "attributes",
                           "must hold at most \(CatalogLimits.attributesPerProductMax) attributes")
        for (index, attribute) in attributes.prefix(CatalogLimits.attributesPerProductMax).enumerated() {
            validation.text(attribute.name, "attributes[\(index)].name", Self.attributeNameRule)
            validation.text(attribute.value, "attributes[\(index)].value", Self.attributeValueRule)
        }
        var detail = ""
        if let detailHtml {
            do {
                detail = try RichTextSanitizer.sanitize(detailHtml)
            } catch {
                validation.require(false, "detailHtml", "\(error)")
            }
        }
        let specs = specs ?? []
        validation.require(specs.count <= CatalogLimits.specDimensionsMax, "specs",
                           "must hold at most \(CatalogLimits.specDimensionsMax) dimensions")
        for (index, spec) in specs.prefix(CatalogLimits.specDimensionsMax).enumerated() {
            validation.text(spec.name, "specs[\(index)].name", Self.specNameRule)
            validation.require((1...CatalogLimits.valuesPerSpecMax).contains(spec.values.count), "specs[\(index)].values",
                               "must hold 1 to \(CatalogLimits.valuesPerSpecMax) values")
            for (valueIndex, value) in spec.values.prefix(CatalogLimits.valuesPerSpecMax).enumerated() {
                validation.text(value, "specs[\(index)].values[\(valueIndex)]", Self.specValueRule)
            }
        }
        let given = skus ?? []
        validation.require(skus != nil || defaultSku != nil, "skus", "give skus, or defaultSku to sell every combination of specs alike")
        if skus != nil {
            validation.require(Self.skusRange.contains(given.count), "skus",
                               "must hold \(Self.skusRange.lowerBound) to \(Self.skusRange.upperBound) SKUs")
        }
        for (index, sku) in given.prefix(Self.skusRange.upperBound).enumerated() {
            check(sku, "skus[\(index)]", &validation)
        }
        if let defaultSku { check(defaultSku, "defaultSku", &validation) }
        try validation.check()

        var dimensions = specs.map { SpecDimension(name: $0.name, values: $0.values) }
        if dimensions.isEmpty {
            for sku in given {
                for (key, value) in (sku.spec ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if let index = dimensions.firstIndex(where: { $0.name == key }) {
                        if !dimensions[index].values.contains(value) { dimensions[index].values.append(value) }
                    } else {
                        dimensions.append(SpecDimension(name: key, values: [value]))
                    }
                }
            }
        }
        // Dimensions read off the SKUs obey the rules of given ones.
        guard dimensions.count <= CatalogLimits.specDimensionsMax else {
            throw APIError.invalid("skus", "the SKUs' spec objects must use at most \(CatalogLimits.specDimensionsMax) keys in all")
        }
        if let wide = dimensions.first(where: { $0.values.count > CatalogLimits.valuesPerSpecMax }) {
            throw APIError.invalid("skus", "spec key \(wide.name) takes more than \(CatalogLimits.valuesPerSpecMax) values")
        }
        var skuInputs = given.map { Self.input($0, spec: ($0.spec ?? [:]).map { SpecPair(key: $0.key, value: $0.value) }, name: $0.name) }
        if skus == nil, let defaultSku {
            // Bounded before it is built: the engine's check of the matrix size runs on the same counts.
            var size = 1
            for dimension in dimensions { size = size.multipliedReportingOverflow(by: dimension.values.count).partialValue }
            guard (1...MallEngine.skusPerProductMax).contains(size) else {
                throw APIError.invalid("specs", "the SKU matrix must hold 1 to \(MallEngine.skusPerProductMax) combinations")
            }
            skuInputs = SpecDimension.matrix(dimensions).map { Self.input(defaultSku, spec: $0, name: nil) }
        }
        return ProductInput(
            name: name, categoryID: categoryId?.value ?? 0, subtitle: subtitle ?? "", description: description ?? "",
            mainImage: mainImage ?? "", images: images, attributes: attributes.map { SpecPair(key: $0.name, value: $0.value) },
            detailHTML: detail, specs: dimensions, skus: skuInputs, onShelf: onShelf ?? true)
    }

    private func check(_ sku: SKUInput, _ field: String, _ validation: inout Validation) {
        if let name = sku.name { validation.text(name, "\(field).name", Self.skuNameRule) }
        validation.integer(sku.priceFen, "\(field).priceFen", Self.priceRule)
        if let original = sku.originalPriceFen { validation.integer(original, "\(field).originalPriceFen", Self.priceRule) }
        validation.integer(sku.stock, "\(field).stock", Self.stockRule)
        if let threshold = sku.lowStockThreshold { validation.integer(threshold, "\(field).lowStockThreshold", Self.thresholdRule) }
        let spec = sku.spec ?? [:]
        validation.require(spec.count <= CatalogLimits.specDimensionsMax, "\(field).spec",
                           "must hold at most \(CatalogLimits.specDimensionsMax) entries")
        for (key, value) in spec.sorted(by: { $0.key < $1.key }).prefix(CatalogLimits.specDimensionsMax) {
            let keyIsValid = Self.specNameRule.accepts(key)
            validation.require(keyIsValid, "\(field).spec", "keys " + Self.specNameRule.rule)
            if keyIsValid { validation.text(value, "\(field).spec.\(key)", Self.specValueRule) }
        }
    }

    /// `name` nil: the engine names the SKU after its spec values.
    private static func input(_ sku: SKUInput, spec: [SpecPair], name: String?) -> ProductInput.SKUInput {
        ProductInput.SKUInput(spec: spec, name: name, priceFen: sku.priceFen,
                              originalPriceFen: sku.originalPriceFen ?? 0, stock: sku.stock,
                              lowStockThreshold: sku.lowStockThreshold ?? 0)
    }
}

/// `POST /admin/v1/products/shelf`.
struct ShelveRequest: Decodable, Sendable {
    var productIds: [EntityID]
    var onShelf: Bool

    enum CodingKeys: String, CodingKey, CaseIterable { case productIds, onShelf }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        productIds = try container.required([EntityID].self, .productIds)
        onShelf = try container.required(Bool.self, .onShelf)
    }

    static let idsRange = 1...100

    func validated() throws(APIError) -> [UInt64] {
        var validation = Validation()
        validation.require(Self.idsRange.contains(productIds.count), "productIds", "must hold 1 to 100 ids")
        try validation.check()
        return productIds.map(\.value)
    }
}

struct ProductResponse: Encodable, Sendable {
    var id: EntityID
    var name: String
    var categoryId: EntityID?
    var categoryPath: [CategoryRef]
    var subtitle: String
    var description: String
    var mainImage: String
    var images: [String]
    var attributes: [NameValue]
    var detailHtml: String
    var specs: [Spec]
    var skus: [SKUResponse]
    var onShelf: Bool
    var sales: Int64
    var inStock: Bool
    var minPriceFen: Int64
    var createdAt: String
    var updatedAt: String

    struct CategoryRef: Encodable, Sendable {
        var id: EntityID
        var name: String
    }

    struct NameValue: Encodable, Sendable {
        var name: String
        var value: String
    }

    struct Spec: Encodable, Sendable {
        var name: String
        var values: [String]
    }

    struct SKUResponse: Encodable, Sendable {
        var id: EntityID
        var name: String
        var spec: [String: String]
        var priceFen: Int64
        var originalPriceFen: Int64
        var stock: Int64
        var sales: Int64
        var lowStockThreshold: Int64
        var enabled: Bool
    }

    /// - Parameter storefront: leaves out the SKUs no longer sold.
    init(_ product: Product, engine: MallEngine, storefront: Bool = false) {
        let catalog = engine.catalog
        id = EntityID(product.id)
        name = product.name
        let details = product.details
        categoryId = details.categoryID == 0 ? nil : EntityID(details.categoryID)
        categoryPath = catalog.categoryPath(details.categoryID).reversed().map { CategoryRef(id: EntityID($0.id), name: $0.name) }
        subtitle = details.subtitle
        description = details.description
        mainImage = details.mainImage
        images = details.images
        attributes = details.attributes.map { NameValue(name: $0.key, value: $0.value) }
        detailHtml = details.detailHTML
        specs = details.specs.map { Spec(name: $0.name, values: $0.values) }
        skus = (storefront ? product.sellableSKUs : product.skus).map { sku in
            let level = engine.stockLevel(skuID: sku.id)
            return SKUResponse(id: EntityID(sku.id), name: sku.name,
                               spec: Dictionary(sku.spec.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }),
                               priceFen: sku.priceFen, originalPriceFen: sku.originalPriceFen, stock: level?.stock ?? 0,
                               sales: level?.sold ?? 0, lowStockThreshold: sku.lowStockThreshold, enabled: sku.enabled)
        }
        onShelf = product.onShelf && catalog.isOnStorefront(product)
        let signals = engine.productSignals(product)
        sales = signals.sales
        inStock = signals.inStock
        minPriceFen = product.sellableSKUs.map(\.priceFen).min() ?? 0
        createdAt = APITime.format(ms: product.createdAtMs)
        updatedAt = APITime.format(ms: max(details.updatedAtMs, product.createdAtMs))
    }
}

/// A product in a list: what a card on the storefront shows.
struct ProductSummary: Encodable, Sendable {
    var id: EntityID
    var name: String
    var highlightedName: String?
    var subtitle: String
    var mainImage: String
    var categoryId: EntityID?
    var minPriceFen: Int64
    var originalPriceFen: Int64
    var sales: Int64
    var inStock: Bool
    var onShelf: Bool
    var createdAt: String

    init(_ product: Product, engine: MallEngine, highlightedName: String? = nil) {
        id = EntityID(product.id)
        name = product.name
        self.highlightedName = highlightedName
        subtitle = product.details.subtitle
        mainImage = product.details.mainImage
        categoryId = product.details.categoryID == 0 ? nil : EntityID(product.details.categoryID)
        let cheapest = product.sellableSKUs.min { $0.priceFen < $1.priceFen }
        minPriceFen = cheapest?.priceFen ?? 0
        originalPriceFen = cheapest?.originalPriceFen ?? 0
        let signals = engine.productSignals(product)
        sales = signals.sales
        inStock = signals.inStock
        onShelf = engine.catalog.isOnStorefront(product)
        createdAt = APITime.format(ms: product.createdAtMs)
    }
}

struct ProductPage: Encodable, Sendable {
    var items: [ProductSummary]
    var nextCursor: String?
    var total: Int?
}
