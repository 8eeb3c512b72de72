/// What the search index knows of a product: its texts by weight, its category path
/// and its price range. Sales and stock change too often to live here: the caller
/// supplies them at query time as `SearchSignals`.
public struct SearchDocument: Sendable, Equatable {
    public var productID: UInt64
    /// The product name ("iPhone 15 手机壳 透明"): the heaviest field, and the one highlighted.
    public var name: String
    /// Subtitle and extra keywords: lighter than the name.
    public var keywords: String
    /// The product's category and all its ancestors, so that a filter on a category finds
    /// its descendants' products.
    public var categoryIDs: [UInt64]
    /// The category names along that path, root first (["数码", "手机配件", "手机壳"]);
    /// lighter than keywords. The last one is the product's kind: a query ending in it
    /// ranks the product higher ("苹果手机" → a product in 手机).
    public var categoryNames: [String]
    /// Spec values ("红色", "XL"): the lightest field.
    public var attributes: [String]
    /// The lowest SKU price in fen: the price filters and sorts use it.
    public var minPriceFen: Int64
    public var maxPriceFen: Int64
    public var createdAtMs: Int64

    public init(
        productID: UInt64, name: String, keywords: String = "", categoryIDs: [UInt64] = [], categoryNames: [String] = [],
        attributes: [String] = [], minPriceFen: Int64, maxPriceFen: Int64, createdAtMs: Int64
    ) {
        self.productID = productID
        self.name = name
        self.keywords = keywords
        self.categoryIDs = categoryIDs
        self.categoryNames = categoryNames
        self.attributes = attributes
        self.minPriceFen = minPriceFen
        self.maxPriceFen = maxPriceFen
        self.createdAtMs = createdAtMs
    }
}

/// Per-product figures that change with every order: supplied by the caller when it
/// searches, never stored in the index.
public struct SearchSignals: Sendable, Equatable {
    public var sales: Int64
    public var inStock: Bool

    public init(sales: Int64, inStock: Bool) {
        self.sales = sales
        self.inStock = inStock
    }
}
