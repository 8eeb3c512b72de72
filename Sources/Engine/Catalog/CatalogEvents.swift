/// The catalog's events: categories, products, stock moves and search settings.
/// Tags 19–27 (`MallEvent.Tag`); every one is version 1. Each carries the whole
/// value it decided (a category, a product with its SKUs), so `apply` copies
/// and never computes (DESIGN invariant 9).

/// A category created, edited or moved (the whole node as decided).
public struct CategorySaved: Sendable, Equatable {
    public var category: Category
    public var operatorID: UInt64

    public init(category: Category, operatorID: UInt64) { (self.category, self.operatorID) = (category, operatorID) }

    func encode(to writer: inout ByteWriter) { category.encode(to: &writer); writer.write(operatorID) }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        category = try Category(from: &reader); operatorID = try reader.read()
    }
}

public struct CategoryDeleted: Sendable, Equatable {
    public var categoryID: UInt64
    public var operatorID: UInt64
    public var atMs: Int64

    public init(categoryID: UInt64, operatorID: UInt64, atMs: Int64) {
        (self.categoryID, self.operatorID, self.atMs) = (categoryID, operatorID, atMs)
    }

    func encode(to writer: inout ByteWriter) { writer.write(categoryID); writer.write(operatorID); writer.write(atMs) }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        categoryID = try reader.read(); operatorID = try reader.read(); atMs = try reader.read()
    }
}

/// A product created or edited: the whole SPU with every SKU it ever had (SKUs
/// whose combination left the matrix stay, disabled). SKUs new in this save get
/// their opening stock on their inventory shards.
public struct ProductSaved: Sendable, Equatable {
    public var productID: UInt64
    public var name: String
    public var details: ProductDetails
    public var skus: [Product.SKU]
    public var openingStock: [SKUQuantity]
    public var createdAtMs: Int64
    public var operatorID: UInt64
    public var atMs: Int64

    public init(productID: UInt64, name: String, details: ProductDetails, skus: [Product.SKU], openingStock: [SKUQuantity],
                createdAtMs: Int64, operatorID: UInt64, atMs: Int64) {
        (self.productID, self.name, self.details, self.skus, self.openingStock) = (productID, name, details, skus, openingStock)
        (self.createdAtMs, self.operatorID, self.atMs) = (createdAtMs, operatorID, atMs)
    }

    public var product: Product { Product(id: productID, name: name, skus: skus, createdAtMs: createdAtMs, details: details) }

    func encode(to writer: inout ByteWriter) {
        writer.write(productID); writer.write(name)
        details.encode(to: &writer)
        writer.write(skus) { Self.encode($1, to: &$0) }
        writer.write(openingStock) { $0.write($1.skuID); $0.write($1.quantity) }
        writer.write(createdAtMs); writer.write(operatorID); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        productID = try reader.read(); name = try reader.readString()
        details = try ProductDetails(from: &reader)
        skus = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try Self.decodeSKU(from: &r) }
        openingStock = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            SKUQuantity(skuID: try r.read(), quantity: try r.read())
        }
        createdAtMs = try reader.read(); operatorID = try reader.read(); atMs = try reader.read()
    }

    static func encode(_ sku: Product.SKU, to w: inout ByteWriter) {
        w.write(sku.id); w.write(sku.name)
        w.write(sku.spec) { $0.write($1.key); $0.write($1.value) }
        w.write(sku.priceFen); w.write(sku.originalPriceFen); w.write(sku.lowStockThreshold); w.write(sku.enabled)
    }

    static func decodeSKU(from r: inout ByteReader) throws(ByteDecodingError) -> Product.SKU {
        let id: UInt64 = try r.read()
        let name = try r.readString()
        let spec = try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            SpecPair(key: try r.readString(), value: try r.readString())
        }
        return Product.SKU(id: id, name: name, spec: spec, priceFen: try r.read(), originalPriceFen: try r.read(),
                           lowStockThreshold: try r.read(), enabled: try r.readBool())
    }
}

public struct SKUQuantity: Sendable, Equatable {
    public var skuID: UInt64
    public var quantity: Int64

    public init(skuID: UInt64, quantity: Int64) { (self.skuID, self.quantity) = (skuID, quantity) }
}

/// Products put on or taken off the shelf together.
public struct ProductsShelved: Sendable, Equatable {
    public var productIDs: [UInt64]
    public var onShelf: Bool
    public var operatorID: UInt64
    public var atMs: Int64

    public init(productIDs: [UInt64], onShelf: Bool, operatorID: UInt64, atMs: Int64) {
        (self.productIDs, self.onShelf, self.operatorID, self.atMs) = (productIDs, onShelf, operatorID, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(productIDs) { $0.write($1) }
        writer.write(onShelf); writer.write(operatorID); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        productIDs = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.read() }
        onShelf = try reader.readBool(); operatorID = try reader.read(); atMs = try reader.read()
    }
}

/// A product removed from the catalog. Its SKUs stay known (orders name them) but are never sold again.
public struct ProductDeleted: Sendable, Equatable {
    public var productID: UInt64
    public var operatorID: UInt64
    public var atMs: Int64

    public init(productID: UInt64, operatorID: UInt64, atMs: Int64) {
        (self.productID, self.operatorID, self.atMs) = (productID, operatorID, atMs)
    }

    func encode(to writer: inout ByteWriter) { writer.write(productID); writer.write(operatorID); writer.write(atMs) }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        productID = try reader.read(); operatorID = try reader.read(); atMs = try reader.read()
    }
}

/// Why SKU stock changed outside an order: the stock log's type.
public enum StockChangeKind: UInt8, Sendable, CaseIterable {
    case stockIn = 1
    case stockOut = 2
    /// Units moved into a flash-sale item (created or grown).
    case toSeckill = 3
    /// Unsold units back from a flash-sale item (shrunk, removed, or the sale ended).
    case fromSeckill = 4

    public var name: String {
        switch self {
        case .stockIn: "stock_in"
        case .stockOut: "stock_out"
        case .toSeckill: "to_seckill"
        case .fromSeckill: "from_seckill"
        }
    }

    init(code: UInt8) throws(ByteDecodingError) {
        guard let kind = StockChangeKind(rawValue: code) else { throw .invalid("unknown stock change kind \(code)") }
        self = kind
    }
}

/// An admin's stock-in (positive) or stock-out (negative) on one SKU.
public struct StockAdjusted: Sendable, Equatable {
    public var skuID: UInt64
    public var delta: Int64
    public var remark: String
    public var operatorID: UInt64
    public var atMs: Int64

    public init(skuID: UInt64, delta: Int64, remark: String, operatorID: UInt64, atMs: Int64) {
        (self.skuID, self.delta, self.remark, self.operatorID, self.atMs) = (skuID, delta, remark, operatorID, atMs)
    }

    public var kind: StockChangeKind { delta >= 0 ? .stockIn : .stockOut }

    func encode(to writer: inout ByteWriter) {
        writer.write(skuID); writer.write(delta); writer.write(remark); writer.write(operatorID); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        skuID = try reader.read(); delta = try reader.read(); remark = try reader.readString()
        operatorID = try reader.read(); atMs = try reader.read()
    }
}

/// Units moved between a SKU's stock and one of its flash-sale items: positive into
/// the sale, negative back to stock. `removesItem` also takes the item off the sale.
public struct SeckillStockMoved: Sendable, Equatable {
    public var activityID: UInt64
    public var skuID: UInt64
    public var delta: Int64
    public var removesItem: Bool
    public var remark: String
    public var operatorID: UInt64
    public var atMs: Int64

    public init(activityID: UInt64, skuID: UInt64, delta: Int64, removesItem: Bool, remark: String, operatorID: UInt64, atMs: Int64) {
        (self.activityID, self.skuID, self.delta, self.removesItem) = (activityID, skuID, delta, removesItem)
        (self.remark, self.operatorID, self.atMs) = (remark, operatorID, atMs)
    }

    public var key: SeckillKey { SeckillKey(activityID: activityID, skuID: skuID) }

    func encode(to writer: inout ByteWriter) {
        writer.write(activityID); writer.write(skuID); writer.write(delta); writer.write(removesItem)
        writer.write(remark); writer.write(operatorID); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        activityID = try reader.read(); skuID = try reader.read(); delta = try reader.read()
        removesItem = try reader.readBool(); remark = try reader.readString()
        operatorID = try reader.read(); atMs = try reader.read()
    }
}

/// A SKU's stock fell to its low-stock threshold or below: the record that notifications read.
/// Written after the take that crossed the threshold is durable; changes no state.
public struct StockLow: Sendable, Equatable {
    public var skuID: UInt64
    public var productID: UInt64
    public var stock: Int64
    public var threshold: Int64
    public var atMs: Int64

    public init(skuID: UInt64, productID: UInt64, stock: Int64, threshold: Int64, atMs: Int64) {
        (self.skuID, self.productID, self.stock, self.threshold, self.atMs) = (skuID, productID, stock, threshold, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(skuID); writer.write(productID); writer.write(stock); writer.write(threshold); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        skuID = try reader.read(); productID = try reader.read(); stock = try reader.read()
        threshold = try reader.read(); atMs = try reader.read()
    }
}

/// The admin's search settings: synonym groups and the hot-keyword rules, whole.
public struct SearchSettingsChanged: Sendable, Equatable {
    public var synonymGroups: [[String]]
    public var pinnedKeywords: [String]
    public var blockedKeywords: [String]
    public var operatorID: UInt64
    public var atMs: Int64

    public init(synonymGroups: [[String]], pinnedKeywords: [String], blockedKeywords: [String], operatorID: UInt64, atMs: Int64) {
        (self.synonymGroups, self.pinnedKeywords, self.blockedKeywords) = (synonymGroups, pinnedKeywords, blockedKeywords)
        (self.operatorID, self.atMs) = (operatorID, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(synonymGroups) { w, group in w.write(group) { $0.write($1) } }
        writer.write(pinnedKeywords) { $0.write($1) }
        writer.write(blockedKeywords) { $0.write($1) }
        writer.write(operatorID); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        synonymGroups = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.readString() }
        }
        pinnedKeywords = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.readString() }
        blockedKeywords = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.readString() }
        operatorID = try reader.read(); atMs = try reader.read()
    }
}
