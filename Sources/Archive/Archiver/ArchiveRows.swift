import Engine

// Row images of the archive tables, as the batch writer sends them. Ids are the engine's UInt64
// ids; times are ms since 1970 UTC. Conversion to bigint/timestamptz happens in the writer.

struct AdminRow: Sendable, Equatable {
    var id: UInt64
    var username: String
    var role: String
    var createdAtMs: Int64
    var updatedAtMs: Int64
}

struct UserRow: Sendable, Equatable {
    var id: UInt64
    var openID: String
    var unionID: String?
    var createdAtMs: Int64
}

struct CategoryRow: Sendable, Equatable {
    var id: UInt64
    /// 0 for a top-level category.
    var parentID: UInt64
    var name: String
    var icon: String
    var sortOrder: Int32
    var enabled: Bool
    /// `[{"name": ..., "options": [...]}]`, in the admin's order.
    var attributesJSON: String
    var createdAtMs: Int64
    var updatedAtMs: Int64

    init(_ category: Category) {
        (id, parentID, name, icon, sortOrder, enabled) =
            (category.id, category.parentID, category.name, category.icon, category.sortOrder, category.enabled)
        attributesJSON = CatalogJSON.array(category.attributes.map {
            CatalogJSON.object([("name", SpecJSON.string($0.name)), ("options", CatalogJSON.strings($0.options))])
        })
        (createdAtMs, updatedAtMs) = (category.createdAtMs, category.updatedAtMs)
    }
}

/// A product's whole row but `sales` (a counter the writer keeps). Made from the engine's `Product`
/// both when folding events and when loading a state, so the two paths write the same row.
struct ProductRow: Sendable, Equatable {
    var id: UInt64
    var name: String
    /// 0 when filed nowhere; stored as NULL.
    var categoryID: UInt64
    var subtitle: String
    var description: String
    var mainImage: String
    var imagesJSON: String
    var attributesJSON: String
    var specsJSON: String
    var detailHTML: String
    var onShelf: Bool
    var deleted: Bool
    var createdAtMs: Int64
    var updatedAtMs: Int64

    init(_ product: Product) {
        let details = product.details
        (id, name, categoryID, subtitle) = (product.id, product.name, details.categoryID, details.subtitle)
        (description, mainImage, detailHTML) = (details.description, details.mainImage, details.detailHTML)
        imagesJSON = CatalogJSON.strings(details.images)
        attributesJSON = CatalogJSON.array(details.attributes.map {
            CatalogJSON.object([("key", SpecJSON.string($0.key)), ("value", SpecJSON.string($0.value))])
        })
        specsJSON = CatalogJSON.array(details.specs.map {
            CatalogJSON.object([("name", SpecJSON.string($0.name)), ("values", CatalogJSON.strings($0.values))])
        })
        (onShelf, deleted) = (details.onShelf && !details.deleted, details.deleted)
        createdAtMs = product.createdAtMs
        // Products made by `ProductCreated` were never edited: their row is as old as they are.
        updatedAtMs = details.updatedAtMs != 0 ? details.updatedAtMs : product.createdAtMs
    }

    /// `products.status`: 1 on the shelf, 0 off it.
    var status: Int16 { onShelf ? 1 : 0 }
}

/// Shelving or deleting a product archived before this batch: only these columns change.
struct ProductPatch: Sendable, Equatable {
    var id: UInt64
    var onShelf: Bool
    /// Deletion is for good: a patch never undeletes.
    var deleted: Bool
    var updatedAtMs: Int64
}

/// A SKU's row. `stock` is written only when the row is new (its opening stock); an existing
/// row keeps its stock column, which moves by deltas. The engine keeps no time per SKU: a SKU's
/// times are its product's.
struct SKURow: Sendable, Equatable {
    var id: UInt64
    var productID: UInt64
    var name: String
    var spec: [SpecPair]
    var priceFen: Int64
    /// 0 when none; stored as NULL.
    var originalPriceFen: Int64 = 0
    var lowStockThreshold: Int64 = 0
    var enabled = true
    var stock: Int64
    var createdAtMs: Int64
    var updatedAtMs: Int64

    init(_ sku: Product.SKU, of product: ProductRow, stock: Int64) {
        (id, productID, name, spec, priceFen) = (sku.id, product.id, sku.name, sku.spec, sku.priceFen)
        (originalPriceFen, lowStockThreshold, enabled) = (sku.originalPriceFen, sku.lowStockThreshold, sku.enabled)
        (self.stock, createdAtMs, updatedAtMs) = (stock, product.createdAtMs, product.updatedAtMs)
    }

    /// `product_skus.status`: 1 on sale, 0 left the product's spec matrix.
    var status: Int16 { enabled ? 1 : 0 }
}

struct ActivityRow: Sendable, Equatable {
    var id: UInt64
    var name: String
    var startMs: Int64
    var endMs: Int64
    var createdAtMs: Int64
}

/// Inserted with `remaining = stock` and `sold = 0`; later takes and give-backs arrive as deltas.
struct SeckillItemRow: Sendable, Equatable {
    var activityID: UInt64
    var skuID: UInt64
    var seckillPriceFen: Int64
    var stock: Int64
    var limitPerUser: Int64
    /// Taken off the sale (its unsold units went back to the SKU's stock).
    var removed = false
}

enum PaymentStatus {
    static let unpaid = "unpaid"
    static let paid = "paid"
}

/// What `stock_logs.type` says about a movement. `change` is what the row did to the SKU's stock,
/// except on a flash-sale order's rows (`activity_id` set, type order_placed or order_cancelled),
/// where it is what the order did to the flash-sale item's `remaining`: the sale's units left the
/// SKU's stock when they moved into the sale (`toSeckill`), not when they were bought.
enum StockLogType {
    /// Units taken by a new order (change < 0).
    static let orderPlaced = "order_placed"
    /// Units given back by a cancelled order (change > 0); `remark` holds the cancel reason.
    static let orderCancelled = "order_cancelled"
    /// A new SKU's first units, from the product save that created it (change > 0; no row for 0).
    static let opening = "opening"
    /// An admin's stock-in (change > 0) or stock-out (change < 0), with the admin's remark.
    static let stockIn = StockChangeKind.stockIn.name
    static let stockOut = StockChangeKind.stockOut.name
    /// Units moved out of the SKU's stock into a flash-sale item (change < 0; `activity_id` names
    /// the sale): when the sale is created, or an item grows.
    static let toSeckill = StockChangeKind.toSeckill.name
    /// Unsold units back from a flash-sale item (change > 0): an item shrunk or removed, or the sale ended.
    static let fromSeckill = StockChangeKind.fromSeckill.name

    static let all = [orderPlaced, orderCancelled, opening, stockIn, stockOut, toSeckill, fromSeckill]
}

/// The full row of an order, for orders created in this batch (or loaded from state).
struct OrderRow: Sendable, Equatable {
    var id: UInt64
    var userID: UInt64
    /// 0 for an ordinary order; stored as NULL.
    var activityID: UInt64
    var status: OrderStatus
    var totalFen: Int64
    var payAmountFen: Int64
    var paymentStatus: String = PaymentStatus.unpaid
    var paymentMethod: String?
    var transactionID: String?
    var cancelReason: String?
    var payDeadlineMs: Int64
    var createdAtMs: Int64
    var updatedAtMs: Int64
    var paidAtMs: Int64?
    var cancelledAtMs: Int64?

    var orderNo: String { OrderNumber.make(orderID: id) }
}

/// The merged changes to an order created before this batch: only fields the batch set.
struct OrderUpdate: Sendable, Equatable {
    var id: UInt64
    var status: OrderStatus
    var updatedAtMs: Int64
    var paymentStatus: String?
    var paymentMethod: String?
    var transactionID: String?
    var cancelReason: String?
    var paidAtMs: Int64?
    var cancelledAtMs: Int64?
}

struct OrderItemRow: Sendable, Equatable {
    var orderID: UInt64
    var lineNo: Int32
    var productID: UInt64
    var skuID: UInt64
    var productName: String
    var skuName: String
    var priceFen: Int64
    var quantity: Int64
    var createdAtMs: Int64
}

struct StatusHistoryRow: Sendable, Equatable {
    var orderID: UInt64
    /// The record's LSN; negative for rows reconstructed from state (see Migration0001).
    var lsn: Int64
    var fromStatus: OrderStatus?
    var toStatus: OrderStatus
    var reason: String?
    var atMs: Int64
}

struct PaymentRow: Sendable, Equatable {
    var orderID: UInt64
    var transactionID: String
    var amountFen: Int64
    var paidAtMs: Int64
    /// Nil for payments reconstructed from state.
    var lsn: UInt64?
}

struct StockLogRow: Sendable, Equatable {
    var lsn: UInt64
    var skuID: UInt64
    var activityID: UInt64
    var orderID: UInt64
    var change: Int64
    var type: String
    var remark: String?
    /// The admin who moved the units; 0 (stored as NULL) for orders and the engine's own moves.
    var operatorID: UInt64 = 0
    var atMs: Int64
}

/// Net change of a flash-sale item over a batch.
struct SeckillDelta: Sendable, Equatable {
    var remaining: Int64 = 0
    var sold: Int64 = 0
}

extension UInt64 {
    /// Ids are stored as bigint. They are below 2^63 (ms timestamp << counter bits), so the bit
    /// pattern reads as the same positive number in SQL.
    var bigint: Int64 { Int64(bitPattern: self) }
}

/// JSON text for the catalog's jsonb columns, built from already-escaped members.
enum CatalogJSON {
    static func array(_ elements: [String]) -> String { "[" + elements.joined(separator: ", ") + "]" }

    static func strings(_ values: [String]) -> String { array(values.map(SpecJSON.string)) }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { SpecJSON.string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }
}
