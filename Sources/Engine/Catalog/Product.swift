/// A product (SPU) and its SKUs: read-mostly, published as one immutable value
/// (see `PublishedState`), so product pages never wait behind writes. Stock is
/// not here: it lives on the SKU's inventory shard.
public struct Product: Sendable, Equatable {
    public var id: UInt64
    public var name: String
    public var skus: [SKU]
    public var createdAtMs: Int64
    /// Everything a product saved through `ProductSaved` has beyond the first layout
    /// (`ProductCreated`, which made on-shelf products without a category).
    public var details = ProductDetails()

    public struct SKU: Sendable, Equatable {
        public var id: UInt64
        public var name: String
        public var spec: [SpecPair]
        public var priceFen: Int64
        /// The crossed-out price; 0 when none.
        public var originalPriceFen: Int64 = 0
        /// An alert is raised when stock falls to this or below; 0 turns alerts off.
        public var lowStockThreshold: Int64 = 0
        /// A SKU whose spec combination left the product's matrix: kept for the orders that name it, not sold.
        public var enabled = true

        public init(id: UInt64, name: String, spec: [SpecPair], priceFen: Int64, originalPriceFen: Int64 = 0,
                    lowStockThreshold: Int64 = 0, enabled: Bool = true) {
            (self.id, self.name, self.spec, self.priceFen) = (id, name, spec, priceFen)
            (self.originalPriceFen, self.lowStockThreshold, self.enabled) = (originalPriceFen, lowStockThreshold, enabled)
        }

        var hasExtras: Bool { originalPriceFen != 0 || lowStockThreshold != 0 || !enabled }
    }

    public init(id: UInt64, name: String, skus: [SKU], createdAtMs: Int64, details: ProductDetails = ProductDetails()) {
        (self.id, self.name, self.skus, self.createdAtMs, self.details) = (id, name, skus, createdAtMs, details)
    }

    public var onShelf: Bool { details.onShelf && !details.deleted }
    public var sellableSKUs: [SKU] { skus.filter(\.enabled) }
    public func sku(_ id: UInt64) -> SKU? { skus.first { $0.id == id } }

    var hasExtras: Bool { details != ProductDetails() || skus.contains(where: \.hasExtras) }
}

public struct ProductDetails: Sendable, Equatable {
    public var categoryID: UInt64 = 0
    public var subtitle = ""
    public var description = ""
    public var mainImage = ""
    public var images: [String] = []
    /// Descriptive attributes (材质: 棉), in the admin's order.
    public var attributes: [SpecPair] = []
    /// Sanitised HTML (Net sanitises it before it reaches the engine).
    public var detailHTML = ""
    /// The spec dimensions the SKU matrix is generated from (颜色: 红, 蓝).
    public var specs: [SpecDimension] = []
    /// Set by the admin; `Product.onShelf` also requires the product not deleted.
    public var onShelf = true
    public var deleted = false
    public var updatedAtMs: Int64 = 0

    public init() {}

    func encode(to writer: inout ByteWriter) {
        writer.write(categoryID); writer.write(subtitle); writer.write(description); writer.write(mainImage)
        writer.write(images) { $0.write($1) }
        writer.write(attributes) { $0.write($1.key); $0.write($1.value) }
        writer.write(detailHTML)
        writer.write(specs) { $1.encode(to: &$0) }
        writer.write(onShelf); writer.write(deleted); writer.write(updatedAtMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        categoryID = try reader.read(); subtitle = try reader.readString(); description = try reader.readString()
        mainImage = try reader.readString()
        images = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.readString() }
        attributes = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            SpecPair(key: try r.readString(), value: try r.readString())
        }
        detailHTML = try reader.readString()
        specs = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try SpecDimension(from: &r) }
        onShelf = try reader.readBool(); deleted = try reader.readBool(); updatedAtMs = try reader.read()
    }
}

/// One spec dimension and its values, in the admin's order.
public struct SpecDimension: Sendable, Equatable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) { (self.name, self.values) = (name, values) }

    func encode(to writer: inout ByteWriter) {
        writer.write(name)
        writer.write(values) { $0.write($1) }
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        name = try reader.readString()
        values = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.readString() }
    }

    /// Every combination of the dimensions' values, first dimension slowest; sorted by key
    /// inside each combination like every stored spec. Empty dimensions give one empty spec.
    public static func matrix(_ dimensions: [SpecDimension]) -> [[SpecPair]] {
        var combinations: [[SpecPair]] = [[]]
        for dimension in dimensions {
            combinations = combinations.flatMap { prefix in
                dimension.values.map { prefix + [SpecPair(key: dimension.name, value: $0)] }
            }
        }
        return combinations.map { $0.sorted { $0.key < $1.key } }
    }
}
