import Engine
import Logging
import PostgresNIO

/// One difference between engine state and archive.
public struct Drift: Sendable, Equatable, CustomStringConvertible {
    public var what: String
    public var engineValue: String
    public var archiveValue: String

    public var description: String { "\(what): engine \(engineValue), archive \(archiveValue)" }
}

public struct VerifyReport: Sendable, CustomStringConvertible {
    /// The archive checkpoint both sides were compared at.
    public var checkpointLSN: UInt64
    public var orders: Int
    public var drifts: [Drift]
    public var isClean: Bool { drifts.isEmpty }

    public var description: String {
        let head = "archive verify at lsn \(checkpointLSN) (\(orders) orders): "
        return isClean ? head + "clean" : head + "\(drifts.count) drifts\n" + drifts.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// The figures `verify` compares, computed from engine state or read from the archive.
struct VerifyFigures: Equatable {
    struct StatusTotals: Equatable {
        var count: Int64 = 0
        var payAmountFen: Int64 = 0
    }

    struct SeckillFigures: Equatable {
        var remaining: Int64
        var sold: Int64
    }

    var counts: [String: Int64] = [:]
    var byStatus: [String: StatusTotals] = [:]
    var orderStatus: [UInt64: String] = [:]
    var seckill: [SeckillKey: SeckillFigures] = [:]
    var skuStock: [UInt64: Int64] = [:]
    var productSales: [UInt64: Int64] = [:]

    /// Per-item drifts listed before the rest is summarised in one line.
    static let itemDriftsListedMax = 50

    init() {}

    init(state: EngineState) {
        counts["admins"] = Int64(state.settings.admins.count)
        counts["categories"] = Int64(state.catalog.categories.count)
        counts["products"] = Int64(state.catalog.products.count)
        counts["product_skus"] = Int64(state.catalog.products.values.reduce(0) { $0 + $1.skus.count })
        counts["seckill_activities"] = Int64(state.catalog.activities.count)
        counts["users"] = Int64(state.users.reduce(0) { $0 + $1.users.count })
        for shard in state.users {
            for order in shard.orders.values {
                byStatus[order.status.rawValue, default: StatusTotals()].count += 1
                byStatus[order.status.rawValue, default: StatusTotals()].payAmountFen += order.payAmountFen
                orderStatus[order.id] = order.status.rawValue
                guard order.paidAtMs != nil, order.status != .cancelled else { continue }
                for item in order.items { productSales[item.productID, default: 0] += item.quantity }
            }
        }
        for shard in state.inventory {
            skuStock.merge(shard.stockBySKU) { $1 }
            for (key, stock) in shard.seckill { seckill[key] = SeckillFigures(remaining: stock.remaining, sold: stock.sold) }
        }
        for product in state.catalog.products.values where productSales[product.id] == nil { productSales[product.id] = 0 }
    }

    static func load(from connection: PostgresConnection, logger: Logger) async throws -> VerifyFigures {
        var figures = VerifyFigures()
        for table in ["admins", "categories", "products", "product_skus", "seckill_activities", "users"] {
            // Table names are the constants above; no values.
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: logger)
            for try await count in rows.decode(Int64.self) { figures.counts[table] = count }
        }
        let totals = try await connection.query(
            "SELECT status, count(*), coalesce(sum(pay_amount_fen), 0)::bigint FROM orders GROUP BY status", logger: logger)
        for try await (status, count, sum) in totals.decode((String, Int64, Int64).self) {
            figures.byStatus[status] = StatusTotals(count: count, payAmountFen: sum)
        }
        let orders = try await connection.query("SELECT id, status FROM orders", logger: logger)
        for try await (id, status) in orders.decode((Int64, String).self) { figures.orderStatus[UInt64(bitPattern: id)] = status }
        let items = try await connection.query("SELECT activity_id, sku_id, remaining, sold FROM seckill_items", logger: logger)
        for try await (activityID, skuID, remaining, sold) in items.decode((Int64, Int64, Int64, Int64).self) {
            let key = SeckillKey(activityID: UInt64(bitPattern: activityID), skuID: UInt64(bitPattern: skuID))
            figures.seckill[key] = SeckillFigures(remaining: remaining, sold: sold)
        }
        let skus = try await connection.query("SELECT id, stock FROM product_skus", logger: logger)
        for try await (id, stock) in skus.decode((Int64, Int64).self) { figures.skuStock[UInt64(bitPattern: id)] = stock }
        let products = try await connection.query("SELECT id, sales FROM products", logger: logger)
        for try await (id, sales) in products.decode((Int64, Int64).self) { figures.productSales[UInt64(bitPattern: id)] = sales }
        return figures
    }

    static func compare(engine: VerifyFigures, archive: VerifyFigures) -> [Drift] {
        var drifts: [Drift] = []
        for table in engine.counts.keys.sorted() where engine.counts[table] != archive.counts[table] {
            drifts.append(Drift(what: "\(table) count", engineValue: describe(engine.counts[table]),
                                archiveValue: describe(archive.counts[table])))
        }
        for status in Set(engine.byStatus.keys).union(archive.byStatus.keys).sorted() {
            let (mine, theirs) = (engine.byStatus[status] ?? StatusTotals(), archive.byStatus[status] ?? StatusTotals())
            if mine.count != theirs.count {
                drifts.append(Drift(what: "orders \(status) count", engineValue: "\(mine.count)", archiveValue: "\(theirs.count)"))
            }
            if mine.payAmountFen != theirs.payAmountFen {
                drifts.append(Drift(what: "orders \(status) pay_amount_fen sum", engineValue: "\(mine.payAmountFen)",
                                    archiveValue: "\(theirs.payAmountFen)"))
            }
        }
        drifts += itemDrifts("order", engine.orderStatus, archive.orderStatus) { "\($0)" } value: { $0 }
        drifts += itemDrifts("flash-sale item", engine.seckill, archive.seckill) { "activity \($0.activityID) sku \($0.skuID)" }
            value: { "remaining \($0.remaining) sold \($0.sold)" }
        drifts += itemDrifts("sku stock", engine.skuStock, archive.skuStock) { "\($0)" } value: { "\($0)" }
        drifts += itemDrifts("product sales", engine.productSales, archive.productSales) { "\($0)" } value: { "\($0)" }
        return drifts
    }

    /// Drifts of keyed figures: the first `itemDriftsListedMax` one by one, then a count of the rest.
    private static func itemDrifts<Key: Hashable & Comparable, Value: Equatable>(
        _ what: String, _ engine: [Key: Value], _ archive: [Key: Value],
        key: (Key) -> String, value: (Value) -> String
    ) -> [Drift] {
        let differing = Set(engine.keys).union(archive.keys).filter { engine[$0] != archive[$0] }.sorted()
        var drifts = differing.prefix(itemDriftsListedMax).map { id in
            Drift(what: "\(what) \(key(id))", engineValue: engine[id].map(value) ?? "missing",
                  archiveValue: archive[id].map(value) ?? "missing")
        }
        if differing.count > itemDriftsListedMax {
            drifts.append(Drift(what: "\(what)s differing (only the first \(itemDriftsListedMax) listed)",
                                engineValue: "\(differing.count)", archiveValue: "\(differing.count)"))
        }
        return drifts
    }

    private static func describe(_ value: Int64?) -> String { value.map(String.init) ?? "missing" }
}
