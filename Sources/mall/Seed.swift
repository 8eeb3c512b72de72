import ArgumentParser
import Engine
import Foundation
import Logging

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed a demo shop (products and a running flash sale) into an empty data directory.",
        discussion: "Does nothing when the data directory already holds a write-ahead log, so scripts/run can call it every time.")

    @OptionGroup var data: DataOptions

    func run() async throws {
        var configuration = EngineConfiguration(dataDirectory: data.resolvedDataDir)
        configuration.shardCount = data.resolvedShards
        let walDirectory = configuration.walDirectory
        if let files = try? FileManager.default.contentsOfDirectory(atPath: walDirectory), files.contains(where: { $0.hasSuffix(".seg") }) {
            print("seed: \(data.resolvedDataDir) already has data; left as it is")
            return
        }
        let engine = try MallEngine.open(configuration, logger: Logger(label: "mall.seed"))
        let summary = try await DemoShop.seed(into: engine)
        await engine.close()
        print(summary)
    }
}

/// The demo shop `scripts/run` serves: a category tree three levels deep, products with
/// specs, search synonyms, and a flash sale running for a day that draws from the SKUs' stock.
enum DemoShop {
    static func seed(into engine: MallEngine) async throws -> String {
        func category(_ name: String, under parent: UInt64 = 0, _ attributes: [AttributeTemplate] = []) async throws -> UInt64 {
            try await engine.saveCategory(CategoryInput(parentID: parent, name: name, attributes: attributes), operatorID: 0).id
        }
        let food = try await category("食品")
        let tea = try await category("绿茶", under: try await category("茶叶", under: food))
        let fruit = try await category("水果", under: food)
        let clothes = try await category("服饰", [AttributeTemplate(name: "颜色", options: ["白色", "黑色"]),
                                                AttributeTemplate(name: "尺寸", options: ["M", "L", "XL"])])
        let shirts = try await category("T恤", under: try await category("男装", under: clothes))
        let cases = try await category("手机壳", under: try await category("手机配件", under: try await category("数码")))

        func product(_ name: String, _ category: UInt64, subtitle: String = "", specs: [SpecDimension] = [],
                     priceFen: Int64, stock: Int64) async throws -> Product {
            try await engine.saveProduct(id: nil, ProductInput(
                name: name, categoryID: category, subtitle: subtitle, detailHTML: "<p>\(name)</p>", specs: specs,
                skus: SpecDimension.matrix(specs).map { ProductInput.SKUInput(spec: $0, priceFen: priceFen, stock: stock, lowStockThreshold: 10) }),
                operatorID: 0)
        }
        let longjing = try await product("明前龙井 Longjing green tea", tea, subtitle: "杭州西湖 2026 新茶",
                                         specs: [SpecDimension(name: "规格", values: ["100g", "250g"])], priceFen: 12_800, stock: 500)
        let shirt = try await product("纯棉T恤 Cotton T-shirt", shirts, subtitle: "夏季 透气",
                                      specs: [SpecDimension(name: "颜色", values: ["白色", "黑色"]), SpecDimension(name: "尺寸", values: ["M", "L"])],
                                      priceFen: 7_900, stock: 300)
        _ = try await product("iPhone 15 手机壳 透明", cases, subtitle: "防摔 保护壳", priceFen: 3_900, stock: 1_000)
        _ = try await product("烟台红富士苹果 5斤装 新鲜水果", fruit, priceFen: 4_990, stock: 200)
        _ = try await engine.saveSearchSettings(SearchSettings(
            synonymGroups: [["苹果", "iphone", "apple"], ["手机壳", "保护壳"]], pinnedKeywords: ["龙井"], blockedKeywords: []),
            operatorID: 0)
        let nowMs = engine.nowMs
        let sale = try await engine.createSeckillActivity(NewSeckillActivity(
            name: "限时秒杀 Flash sale", startMs: nowMs - 60_000, endMs: nowMs + 24 * 3600 * 1000,
            items: [
                SeckillItemDefinition(skuID: longjing.skus[0].id, seckillPriceFen: 6_800, stock: 100, limitPerUser: 2),
                SeckillItemDefinition(skuID: shirt.skus[1].id, seckillPriceFen: 3_900, stock: 50, limitPerUser: 1),
            ]))
        return """
            seeded demo shop:
              \(engine.catalog.categories.count) categories, \(engine.catalog.products.count) products
              product \(longjing.id) \(longjing.name) (SKUs \(longjing.skus.map { String($0.id) }.joined(separator: ", ")))
              product \(shirt.id) \(shirt.name) (SKUs \(shirt.skus.map { String($0.id) }.joined(separator: ", ")))
              flash sale \(sale.id) "\(sale.name)" until \(CivilTime(epochMs: sale.endMs).iso8601)
            """
    }
}
