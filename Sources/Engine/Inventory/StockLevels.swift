import Synchronization

/// Stock and units sold of every SKU, as the inventory shards last left them,
/// readable without an actor hop: the storefront's "in stock only" filter and
/// "sales" sort read it for every candidate of a search. Derived, never logged:
/// each shard writes its own stripe after it changes a SKU, and it is rebuilt
/// from the state at start-up.
final class StockLevels: Sendable {
    struct Level: Sendable, Equatable {
        var stock: Int64
        var sold: Int64
    }

    private final class Stripe: Sendable {
        let levels: Mutex<[UInt64: Level]>
        init(_ levels: [UInt64: Level]) { self.levels = Mutex(levels) }
    }

    private let stripes: [Stripe]

    init(inventory: [InventoryState]) {
        stripes = inventory.map { shard in
            var levels: [UInt64: Level] = [:]
            levels.reserveCapacity(shard.stockBySKU.count)
            for skuID in shard.stockBySKU.keys { levels[skuID] = Level(stock: shard.stockBySKU[skuID] ?? 0, sold: 0) }
            for (skuID, sold) in shard.soldBySKU { levels[skuID, default: Level(stock: 0, sold: 0)].sold = sold }
            for (key, stock) in shard.seckill {
                var level = levels[key.skuID, default: Level(stock: 0, sold: 0)]
                level.sold = level.sold.addingReportingOverflow(stock.sold).overflow ? level.sold : level.sold + stock.sold
                levels[key.skuID] = level
            }
            return Stripe(levels)
        }
    }

    func level(of skuID: UInt64) -> Level? {
        stripes[ShardRouter.shard(of: skuID, count: stripes.count)].levels.withLock { $0[skuID] }
    }

    /// Called by shard `index` with the SKUs it just changed.
    func publish(shard index: Int, from state: InventoryState, skuIDs: some Sequence<UInt64>) {
        stripes[index].levels.withLock { levels in
            for skuID in skuIDs {
                guard let stock = state.stockBySKU[skuID] else { continue }
                levels[skuID] = Level(stock: stock, sold: state.sold(skuID: skuID))
            }
        }
    }

    /// Sales of the product (every SKU) and whether a sellable SKU has stock.
    func signals(of product: Product) -> SearchSignals {
        var sales: Int64 = 0
        var inStock = false
        for sku in product.skus {
            guard let level = level(of: sku.id) else { continue }
            sales = sales.addingReportingOverflow(level.sold).overflow ? sales : sales + level.sold
            if sku.enabled && level.stock > 0 { inStock = true }
        }
        return SearchSignals(sales: sales, inStock: inStock)
    }
}
