import Engine
import Foundation
import Logging
import Testing
import WAL

/// Issue 9: the category tree, SPU/SKU with the matrix checked against attribute
/// templates, one stock per SKU that flash sales draw from and give back to, and
/// favorites and histories — each rule in live state and again after a restart.
@Suite("Catalog")
struct CatalogTests {
    static let colours = AttributeTemplate(name: "颜色", options: ["红", "蓝", "黑"])
    static let sizes = AttributeTemplate(name: "尺寸", options: ["S", "M", "L"])

    /// 服饰 > 上衣 > T恤, the templates on the top level.
    static func tree(_ engine: MallEngine) async throws -> (top: Category, middle: Category, leaf: Category) {
        let top = try await engine.saveCategory(CategoryInput(parentID: 0, name: "服饰", attributes: [colours, sizes]), operatorID: 1)
        let middle = try await engine.saveCategory(CategoryInput(parentID: top.id, name: "上衣"), operatorID: 1)
        let leaf = try await engine.saveCategory(CategoryInput(parentID: middle.id, name: "T恤"), operatorID: 1)
        return (top, middle, leaf)
    }

    static func shirt(_ category: UInt64, stock: Int64 = 10, specs: [SpecDimension]? = nil) -> ProductInput {
        let specs = specs ?? [SpecDimension(name: "颜色", values: ["红", "蓝"]), SpecDimension(name: "尺寸", values: ["S", "M"])]
        return ProductInput(name: "纯棉T恤 夏季", categoryID: category, subtitle: "透气", specs: specs,
                            skus: SpecDimension.matrix(specs).map { ProductInput.SKUInput(spec: $0, priceFen: 7_900, stock: stock) })
    }

    @Test("a three-level tree: moving a subtree, refusing cycles, depth and deleting a category that holds products")
    func tree() async throws {
        let directory = TestDataDirectory()
        let engine = try openEngine(directory, clock: ManualClock(nowMs: testEpochMs))
        let (top, middle, leaf) = try await Self.tree(engine)
        #expect(engine.catalog.categoryLevel(leaf.id) == 3)
        await #expect(throws: EngineError.invalid(field: "parentId", reason: "a category cannot move under itself or its descendants")) {
            _ = try await engine.saveCategory(id: top.id, CategoryInput(parentID: leaf.id, name: "服饰"), operatorID: 1)
        }
        // Moving 上衣 (and T恤 under it) to a new top level keeps the subtree.
        let other = try await engine.saveCategory(CategoryInput(parentID: 0, name: "男装"), operatorID: 1)
        _ = try await engine.saveCategory(id: middle.id, CategoryInput(parentID: other.id, name: "上衣"), operatorID: 1)
        #expect(engine.catalog.categoryPath(leaf.id).map(\.name) == ["T恤", "上衣", "男装"])
        var parent = leaf.id
        for level in 4...CatalogLimits.categoryDepthMax {
            parent = try await engine.saveCategory(CategoryInput(parentID: parent, name: "L\(level)"), operatorID: 1).id
        }
        await #expect(throws: EngineError.self) {
            _ = try await engine.saveCategory(CategoryInput(parentID: parent, name: "too deep"), operatorID: 1)
        }
        let product = try await engine.saveProduct(id: nil, Self.shirt(parent, specs: []), operatorID: 1)
        await #expect(throws: EngineError.conflict("the category still holds 1 products; move or delete them first")) {
            try await engine.deleteCategory(id: parent, operatorID: 1)
        }
        await #expect(throws: EngineError.self) { try await engine.deleteCategory(id: other.id, operatorID: 1) }
        try await engine.deleteProduct(id: product.id, operatorID: 1)
        try await engine.deleteCategory(id: parent, operatorID: 1)
        _ = try await engine.saveCategory(id: top.id, CategoryInput(parentID: 0, name: "服饰 (old)"), operatorID: 1)
        try await engine.deleteCategory(id: top.id, operatorID: 1)
        #expect(engine.catalog.categories[top.id] == nil)
        try await expectReplayEqualsLive(engine, directory)
    }

    @Test("specs are checked against the category's templates; the matrix keeps SKU ids by combination across edits")
    func matrix() async throws {
        let directory = TestDataDirectory()
        let engine = try openEngine(directory, clock: ManualClock(nowMs: testEpochMs))
        let (_, _, leaf) = try await Self.tree(engine)
        await #expect(throws: EngineError.invalid(field: "specs[0].values", reason: "绿 is not an option of 颜色: 红, 蓝, 黑")) {
            _ = try await engine.saveProduct(id: nil, Self.shirt(leaf.id, specs: [SpecDimension(name: "颜色", values: ["绿"])]), operatorID: 1)
        }
        await #expect(throws: EngineError.self) {
            _ = try await engine.saveProduct(id: nil, Self.shirt(leaf.id, specs: [SpecDimension(name: "材质", values: ["棉"])]), operatorID: 1)
        }
        var input = Self.shirt(leaf.id)
        input.skus.append(input.skus[0])
        await #expect(throws: EngineError.invalid(field: "skus[4].spec", reason: "listed twice")) {
            _ = try await engine.saveProduct(id: nil, input, operatorID: 1)
        }
        let product = try await engine.saveProduct(id: nil, Self.shirt(leaf.id), operatorID: 1)
        #expect(product.skus.count == 4)
        let red = try #require(product.skus.first { $0.spec.contains(SpecPair(key: "颜色", value: "红")) && $0.spec.contains(SpecPair(key: "尺寸", value: "S")) })
        // Drop 蓝, add L: red SKUs keep their ids and stock, blue ones are disabled, new ones open with their stock.
        let edited = try await engine.saveProduct(id: product.id, Self.shirt(leaf.id, stock: 3, specs: [
            SpecDimension(name: "颜色", values: ["红"]), SpecDimension(name: "尺寸", values: ["S", "M", "L"])]), operatorID: 1)
        #expect(edited.skus.first { $0.id == red.id }?.enabled == true)
        #expect(edited.skus.filter(\.enabled).count == 3)
        #expect(edited.skus.filter { !$0.enabled }.count == 2)
        #expect(await engine.stock(skuID: red.id) == 10)
        let large = try #require(edited.skus.first { $0.spec.contains(SpecPair(key: "尺寸", value: "L")) })
        #expect(await engine.stock(skuID: large.id) == 3)
        try await expectReplayEqualsLive(engine, directory)
    }

    @Test("off shelf and disabled branches leave the storefront and search; edits show at once")
    func storefront() async throws {
        let directory = TestDataDirectory()
        let engine = try openEngine(directory, clock: ManualClock(nowMs: testEpochMs))
        let (top, _, leaf) = try await Self.tree(engine)
        let product = try await engine.saveProduct(id: nil, Self.shirt(leaf.id), operatorID: 1)
        func found(_ text: String) throws -> [UInt64] { try engine.search(SearchQuery(text: text)).hits.map(\.productID) }
        #expect(try found("T恤") == [product.id])
        #expect(try engine.search(SearchQuery(categoryID: top.id)).hits.map(\.productID) == [product.id])
        try await engine.shelveProducts([product.id], onShelf: false, operatorID: 1)
        #expect(try found("T恤").isEmpty)
        try await engine.shelveProducts([product.id], onShelf: true, operatorID: 1)
        _ = try await engine.saveCategory(id: top.id, CategoryInput(parentID: 0, name: "服饰", enabled: false,
                                                                     attributes: [Self.colours, Self.sizes]), operatorID: 1)
        #expect(try found("T恤").isEmpty)
        #expect(engine.catalog.isOnStorefront(try #require(engine.product(id: product.id))) == false)
        _ = try await engine.saveCategory(id: top.id, CategoryInput(parentID: 0, name: "服饰", attributes: [Self.colours, Self.sizes]), operatorID: 1)
        var renamed = Self.shirt(leaf.id)
        renamed.name = "冰丝短袖"
        _ = try await engine.saveProduct(id: product.id, renamed, operatorID: 1)
        #expect(try found("冰丝") == [product.id])
        #expect(try found("纯棉").isEmpty)
        // After a restart the index is rebuilt from the catalog.
        await engine.close()
        let reopened = try openEngine(directory, clock: ManualClock(nowMs: testEpochMs))
        #expect(try reopened.search(SearchQuery(text: "冰丝")).hits.map(\.productID) == [product.id])
        await reopened.close()
    }

    @Test("one stock per SKU: a flash sale draws its units, grows and shrinks against stock, and gives the unsold back when it ends")
    func seckillDrawsFromStock() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let product = try await engine.createProduct(NewProduct(name: "茶", skus: [.init(name: "100g", spec: [], priceFen: 100, stock: 30)]))
        let skuID = product.skus[0].id
        func sale(_ stock: Int64) async throws -> SeckillActivity {
            try await engine.createSeckillActivity(NewSeckillActivity(
                name: "flash", startMs: testEpochMs, endMs: testEpochMs + 60_000,
                items: [SeckillItemDefinition(skuID: skuID, seckillPriceFen: 50, stock: stock, limitPerUser: 5)]))
        }
        await #expect(throws: EngineError.self) { _ = try await sale(31) }
        #expect(await engine.stock(skuID: skuID) == 30)
        let activity = try await sale(20)
        #expect(await engine.stock(skuID: skuID) == 10)
        await #expect(throws: EngineError.self) {
            try await engine.moveSeckillStock(activityID: activity.id, skuID: skuID, delta: 11, operatorID: 1)
        }
        try await engine.moveSeckillStock(activityID: activity.id, skuID: skuID, delta: 5, operatorID: 1)
        #expect(await engine.stock(skuID: skuID) == 5)
        #expect(try await engine.moveSeckillStock(activityID: activity.id, skuID: skuID, delta: -3, operatorID: 1) == -3)
        #expect(await engine.stock(skuID: skuID) == 8)
        let users = try await registerUsers(engine, count: 2)
        _ = try await engine.placeSeckillOrder(userID: users[0], activityID: activity.id, skuID: skuID, quantity: 4)
        // Stock-out refuses more than the SKU holds; stock-in adds.
        await #expect(throws: EngineError.self) { _ = try await engine.adjustStock(skuID: skuID, delta: -9, remark: "", operatorID: 1) }
        #expect(try await engine.adjustStock(skuID: skuID, delta: -2, remark: "damaged", operatorID: 1) == 6)
        #expect(try await engine.adjustStock(skuID: skuID, delta: 4, remark: "restock", operatorID: 1) == 10)
        // Still running: nothing returns.
        #expect(await engine.returnUnsoldSeckillStock() == 0)
        clock.advance(byMs: 60_000)
        #expect(await engine.returnUnsoldSeckillStock() == 1)
        // 20 + 5 - 3 = 22 in the sale, 4 sold: 18 back.
        #expect(await engine.stock(skuID: skuID) == 28)
        #expect(await engine.seckillActivity(id: activity.id)?.1.first?.remaining == 0)
        // The unpaid order times out later: its unit goes back to the sale, then to stock on the next pass.
        clock.advance(byMs: 16 * 60_000)
        await engine.cancelExpiredOrders()
        #expect(await engine.returnUnsoldSeckillStock() == 1)
        #expect(await engine.stock(skuID: skuID) == 32)
        #expect(engine.stockLevel(skuID: skuID)?.sold == 0)
        try await expectReplayEqualsLive(engine, directory)
    }

    @Test("an off-shelf product, or one in a disabled category, cannot be bought, in a flash sale or an ordinary order")
    func offShelfCannotBeBought() async throws {
        let directory = TestDataDirectory()
        let engine = try openEngine(directory, clock: ManualClock(nowMs: testEpochMs))
        let sale = try await makeSale(engine, stock: 10, limitPerUser: 2)
        let user = try await registerUsers(engine, count: 1)[0]
        try await engine.shelveProducts([sale.productID], onShelf: false, operatorID: 1)
        let lsn = engine.durableLSN
        await #expect(throws: EngineError.conflict("this product is not on sale (off the shelf)")) {
            _ = try await engine.placeSeckillOrder(userID: user, activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
        }
        await #expect(throws: EngineError.conflict("items[0]: this product is not on sale (off the shelf)")) {
            _ = try await engine.placeOrder(userID: user, NewOrder(lines: [.init(skuID: sale.skuID, quantity: 1)]))
        }
        #expect(engine.durableLSN == lsn)
        try await engine.shelveProducts([sale.productID], onShelf: true, operatorID: 1)
        _ = try await engine.placeSeckillOrder(userID: user, activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
        try await expectReplayEqualsLive(engine, directory)
    }

    @Test("removing a flash-sale item gives its units back and stops its sale")
    func removeItem() async throws {
        let directory = TestDataDirectory()
        let engine = try openEngine(directory, clock: ManualClock(nowMs: testEpochMs))
        let sale = try await makeSale(engine, stock: 10, limitPerUser: 2)
        #expect(await engine.stock(skuID: sale.skuID) == 500)
        #expect(try await engine.moveSeckillStock(activityID: sale.activityID, skuID: sale.skuID, delta: 0, removesItem: true,
                                                  operatorID: 1) == -10)
        #expect(await engine.stock(skuID: sale.skuID) == 510)
        let users = try await registerUsers(engine, count: 1)
        await #expect(throws: EngineError.notFound("SKU in this activity")) {
            _ = try await engine.placeSeckillOrder(userID: users[0], activityID: sale.activityID, skuID: sale.skuID, quantity: 1)
        }
        try await expectReplayEqualsLive(engine, directory)
    }

    @Test("a SKU falling to its low-stock threshold is listed and logs one StockLow record until it rises again")
    func lowStock() async throws {
        let directory = TestDataDirectory()
        let engine = try openEngine(directory, clock: ManualClock(nowMs: testEpochMs))
        let product = try await engine.saveProduct(id: nil, ProductInput(name: "茶", categoryID: 0, skus: [
            ProductInput.SKUInput(spec: [], priceFen: 100, stock: 10, lowStockThreshold: 5)]), operatorID: 1)
        let skuID = product.skus[0].id
        #expect(await engine.lowStock().isEmpty)
        _ = try await engine.adjustStock(skuID: skuID, delta: -5, remark: "", operatorID: 1)
        _ = try await engine.adjustStock(skuID: skuID, delta: -1, remark: "", operatorID: 1)
        #expect(await engine.lowStock().map(\.skuID) == [skuID])
        await engine.close()
        var alerts = 0
        try WALReader(directory: directory.configuration().walDirectory).forEach(from: 1) { record in
            if record.typeTag == MallEvent.Tag.stockLow.rawValue { alerts += 1 }
        }
        #expect(alerts == 1)
    }

    @Test("favorites are bounded and idempotent, footprints keep the latest view per product, histories clear")
    func browsing() async throws {
        let directory = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(directory, clock: clock)
        let product = try await engine.createProduct(NewProduct(name: "茶", skus: [.init(name: "100g", spec: [], priceFen: 100, stock: 3)]))
        let other = try await engine.createProduct(NewProduct(name: "咖啡", skus: [.init(name: "1kg", spec: [], priceFen: 100, stock: 3)]))
        let user = try await registerUsers(engine, count: 1)[0]
        _ = try await engine.setFavorite(userID: user, productID: product.id, favorite: true)
        let lsn = engine.durableLSN
        _ = try await engine.setFavorite(userID: user, productID: product.id, favorite: true)
        #expect(engine.durableLSN == lsn)
        await #expect(throws: EngineError.notFound("product")) {
            _ = try await engine.setFavorite(userID: user, productID: 12345, favorite: true)
        }
        try await engine.recordView(userID: user, productID: product.id)
        clock.advance(byMs: 1_000)
        try await engine.recordView(userID: user, productID: other.id)
        clock.advance(byMs: 1_000)
        try await engine.recordView(userID: user, productID: product.id)
        #expect(await engine.recordSearch(userID: user, text: "  龙井  绿茶 "))
        let browsing = try #require(await engine.browsing(userID: user))
        #expect(browsing.views.entries.map(\.element) == [product.id, other.id])
        #expect(browsing.searches.entries.map(\.element) == ["龙井 绿茶"])
        #expect(browsing.favorites.contains(product.id))
        #expect(engine.hotKeywords(limit: 5).map(\.keyword) == ["龙井 绿茶"])
        try await expectReplayEqualsLive(engine, directory, keepOpen: true)
        let cleared = try await engine.clearHistory(userID: user, kind: .browsing)
        #expect(cleared.views.isEmpty)
        try await expectReplayEqualsLive(engine, directory)
    }
}

/// The live state's digest equals the digest of the state rebuilt from the WAL (and from a snapshot).
func expectReplayEqualsLive(_ engine: MallEngine, _ directory: TestDataDirectory, keepOpen: Bool = false) async throws {
    let live = await engine.liveState()
    let (replayed, _) = try Recovery.rebuild(configuration: directory.configuration())
    #expect(replayed.digest == live.digest)
    let snapshot = try EngineState(decoding: live.encoded(), shardCount: 3)
    #expect(snapshot.digest == live.digest)
    if !keepOpen { await engine.close() }
}
