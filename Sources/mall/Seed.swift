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

/// The demo shop `scripts/run` serves: a few products and a flash sale running for a day.
enum DemoShop {
    static func seed(into engine: MallEngine) async throws -> String {
        let tea = try await engine.createProduct(NewProduct(name: "明前龙井 Longjing green tea", skus: [
            .init(name: "100g 罐装", spec: [SpecPair(key: "规格", value: "100g")], priceFen: 12_800, stock: 500),
            .init(name: "250g 礼盒", spec: [SpecPair(key: "规格", value: "250g")], priceFen: 29_800, stock: 200),
        ]))
        let shirt = try await engine.createProduct(NewProduct(name: "纯棉T恤 Cotton T-shirt", skus: [
            .init(name: "白色 M", spec: [SpecPair(key: "颜色", value: "白色"), SpecPair(key: "尺寸", value: "M")], priceFen: 7_900, stock: 300),
            .init(name: "黑色 L", spec: [SpecPair(key: "颜色", value: "黑色"), SpecPair(key: "尺寸", value: "L")], priceFen: 7_900, stock: 300),
        ]))
        let nowMs = engine.nowMs
        let sale = try await engine.createSeckillActivity(NewSeckillActivity(
            name: "限时秒杀 Flash sale", startMs: nowMs - 60_000, endMs: nowMs + 24 * 3600 * 1000,
            items: [
                SeckillItemDefinition(skuID: tea.skus[0].id, seckillPriceFen: 6_800, stock: 100, limitPerUser: 2),
                SeckillItemDefinition(skuID: shirt.skus[1].id, seckillPriceFen: 3_900, stock: 50, limitPerUser: 1),
            ]))
        return """
            seeded demo shop:
              product \(tea.id) \(tea.name) (SKUs \(tea.skus.map { String($0.id) }.joined(separator: ", ")))
              product \(shirt.id) \(shirt.name) (SKUs \(shirt.skus.map { String($0.id) }.joined(separator: ", ")))
              flash sale \(sale.id) "\(sale.name)" until \(CivilTime(epochMs: sale.endMs).iso8601)
            """
    }
}
