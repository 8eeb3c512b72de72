@testable import Archive
import Engine
import PostgresNIO
import Synchronization
import Testing

/// What the catalog workload made, and the stock log it must leave.
struct CatalogWorkload {
    static let adminID: UInt64 = 77
    var rootCategoryID: UInt64
    var childCategoryID: UInt64
    var deletedCategoryID: UInt64
    var productID: UInt64
    var deletedProductID: UInt64
    var red: UInt64
    var blue: UInt64
    var white: UInt64
    var activityID: UInt64
    /// The stock log rows other than orders', in log order: "type sku change operator activity remark".
    var moves: [String]
}

/// Categories (one edited and disabled, one deleted), a product with specs edited so that one SKU
/// leaves the matrix and one joins it, stock-in and stock-out, a flash sale drawing units, an item
/// grown, shrunk and removed, shelving, and a product deleted.
func runCatalogWorkload(_ engine: MallEngine, clock: ManualClock) async throws -> CatalogWorkload {
    let admin = CatalogWorkload.adminID
    let colours = AttributeTemplate(name: "颜色", options: ["红", "蓝", "白"])
    let root = try await engine.saveCategory(CategoryInput(parentID: 0, name: "服装", icon: "https://cdn.example/c.png", sortOrder: 2,
                                                           attributes: [colours, AttributeTemplate(name: "尺码", options: ["M", "L"])]),
                                             operatorID: admin)
    let child = try await engine.saveCategory(CategoryInput(parentID: root.id, name: "T恤 \"draft\""), operatorID: admin)
    let doomed = try await engine.saveCategory(CategoryInput(parentID: 0, name: "临时"), operatorID: admin)
    clock.advance(byMs: 1_000)
    _ = try await engine.saveCategory(id: child.id, CategoryInput(parentID: root.id, name: "T恤", sortOrder: 1, enabled: false),
                                      operatorID: admin)
    try await engine.deleteCategory(id: doomed.id, operatorID: admin)

    func input(_ colours: [String], stock: Int64) -> ProductInput {
        ProductInput(name: "O'Neil T恤 \"棉\"", categoryID: child.id, subtitle: "纯棉 \\ 透气", description: "夏季",
                     mainImage: "https://cdn.example/a.jpg", images: ["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"],
                     attributes: [SpecPair(key: "材质", value: "棉"), SpecPair(key: "产地", value: "杭州")], detailHTML: "<p>好</p>",
                     specs: [SpecDimension(name: "颜色", values: colours)],
                     skus: colours.map { colour in
                         ProductInput.SKUInput(spec: [SpecPair(key: "颜色", value: colour)], priceFen: 3_900,
                                               originalPriceFen: colour == "红" ? 5_900 : 0, stock: colour == "红" ? 100 : stock,
                                               lowStockThreshold: colour == "红" ? 5 : 0)
                     })
    }
    clock.advance(byMs: 1_000)
    let product = try await engine.saveProduct(id: nil, input(["红", "蓝"], stock: 50), operatorID: admin)
    let red = try #require(product.skus.first { $0.spec.first?.value == "红" }).id
    let blue = try #require(product.skus.first { $0.spec.first?.value == "蓝" }).id
    var moves = [red, blue].sorted().map { "opening \($0) \($0 == red ? 100 : 50) \(admin) 0 -" }
    clock.advance(byMs: 1_000)
    _ = try await engine.adjustStock(skuID: red, delta: 30, remark: "到货", operatorID: admin)
    _ = try await engine.adjustStock(skuID: blue, delta: -8, remark: "损耗", operatorID: admin)
    moves += ["stock_in \(red) 30 \(admin) 0 到货", "stock_out \(blue) -8 \(admin) 0 损耗"]
    clock.advance(byMs: 1_000)
    // Blue leaves the matrix (disabled, keeps its stock); white joins with 20 units; red's 999 is ignored.
    let edited = try await engine.saveProduct(id: product.id, input(["红", "白"], stock: 20), operatorID: admin)
    let white = try #require(edited.skus.first { $0.spec.first?.value == "白" }).id
    moves.append("opening \(white) 20 \(admin) 0 -")
    clock.advance(byMs: 1_000)
    let nowMs = engine.nowMs
    let activity = try await engine.createSeckillActivity(NewSeckillActivity(
        name: "夏日 flash", startMs: nowMs, endMs: nowMs + 3_600_000,
        items: [SeckillItemDefinition(skuID: red, seckillPriceFen: 1_990, stock: 40, limitPerUser: 2),
                SeckillItemDefinition(skuID: white, seckillPriceFen: 1_990, stock: 10, limitPerUser: 1)]))
    moves += [red, white].sorted().map { "to_seckill \($0) \($0 == red ? -40 : -10) - \(activity.id) 夏日 flash" }
    clock.advance(byMs: 1_000)
    try await engine.moveSeckillStock(activityID: activity.id, skuID: red, delta: 10, remark: "加量", operatorID: admin)
    try await engine.moveSeckillStock(activityID: activity.id, skuID: red, delta: -5, remark: "回收", operatorID: admin)
    try await engine.moveSeckillStock(activityID: activity.id, skuID: white, delta: 0, removesItem: true, operatorID: admin)
    moves += ["to_seckill \(red) -10 \(admin) \(activity.id) 加量", "from_seckill \(red) 5 \(admin) \(activity.id) 回收",
              "from_seckill \(white) 10 \(admin) \(activity.id) item removed"]
    clock.advance(byMs: 1_000)
    try await engine.shelveProducts([product.id], onShelf: false, operatorID: admin)
    let other = try await engine.createProduct(NewProduct(name: "旧款", skus: [
        .init(name: "默认", spec: [], priceFen: 1_000, stock: 3),
    ]))
    moves.append("opening \(other.skus[0].id) 3 - 0 -")
    clock.advance(byMs: 1_000)
    try await engine.deleteProduct(id: other.id, operatorID: admin)
    return CatalogWorkload(rootCategoryID: root.id, childCategoryID: child.id, deletedCategoryID: doomed.id, productID: product.id,
                           deletedProductID: other.id, red: red, blue: blue, white: white, activityID: activity.id, moves: moves)
}

/// Every column of the catalog tables, one string per row, in key order.
struct CatalogImage: Equatable {
    var categories: [String] = []
    var products: [String] = []
    var skus: [String] = []
    var seckillItems: [String] = []

    static func load(_ database: ArchiveDatabase) async throws -> CatalogImage {
        func ms(_ column: String) -> String { "coalesce((extract(epoch from \(column)) * 1000)::bigint, -1)" }
        var image = CatalogImage()
        image.categories = try await strings(database, """
            SELECT concat_ws(' | ', id, parent_id, name, icon, sort_order, enabled, attributes::text, \(ms("created_at")),
                             \(ms("updated_at")))
            FROM categories ORDER BY id
            """)
        image.products = try await strings(database, """
            SELECT concat_ws(' | ', id, name, coalesce(category_id, 0), coalesce(description, '-'), coalesce(main_image, '-'), status,
                             subtitle, images::text, attributes::text, specs::text, detail_html, deleted, sales,
                             \(ms("created_at")), \(ms("updated_at")))
            FROM products ORDER BY id
            """)
        image.skus = try await strings(database, """
            SELECT concat_ws(' | ', id, product_id, name, spec::text, price_fen, coalesce(original_price_fen, -1), stock, status,
                             low_stock_threshold, \(ms("created_at")), \(ms("updated_at")))
            FROM product_skus ORDER BY id
            """)
        image.seckillItems = try await strings(database, """
            SELECT concat_ws(' | ', activity_id, sku_id, seckill_price_fen, stock, remaining, sold, limit_per_user, removed)
            FROM seckill_items ORDER BY activity_id, sku_id
            """)
        return image
    }

    /// The stock log's rows other than orders', in log order, as `CatalogWorkload.moves` writes them.
    static func moves(_ database: ArchiveDatabase) async throws -> [String] {
        try await strings(database, """
            SELECT concat_ws(' ', type, sku_id, change, coalesce(operator_id::text, '-'), activity_id, coalesce(remark, '-'))
            FROM stock_logs WHERE type NOT IN ('order_placed', 'order_cancelled') ORDER BY lsn, sku_id
            """)
    }

    static func strings(_ database: ArchiveDatabase, _ sql: String) async throws -> [String] {
        var result: [String] = []
        for try await value in try await database.client.query(PostgresQuery(unsafeSQL: sql)).decode(String.self) { result.append(value) }
        return result
    }
}

/// Writes the rows of an engine state into a fresh archive, as `mall archive rebuild` does from a snapshot.
func loadState(_ state: EngineState, into database: ArchiveDatabase) async throws {
    _ = try await database.migrate()
    try await database.client.withTransaction(logger: quietLogger) { connection in
        _ = try await BatchWriter(logger: quietLogger).write(ArchiveBatch(state: state), on: connection)
    }
}

@Suite("Archiver catalog")
struct CatalogArchiveTests {
    @Test("categories, products with specs, SKUs and their stock, flash-sale items and the stock log follow the catalog's events")
    func catalogFollowsEvents() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        let made = try await runCatalogWorkload(engine, clock: clock)
        let state = await engine.liveState()
        try await withArchiveDatabase { database in
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                    durableLSN: { engine.durableLSN }, configuration: database.configuration, logger: quietLogger)
            _ = try await archiver.catchUp()
            await archiver.close()

            // Categories: the edited one as edited, the deleted one gone.
            #expect(try await CatalogImage.strings(database, "SELECT id::text FROM categories ORDER BY id")
                == [made.rootCategoryID, made.childCategoryID].sorted().map(String.init))
            #expect(try await CatalogImage.strings(database, """
                SELECT concat_ws(' ', parent_id, name, sort_order, enabled::text) FROM categories WHERE id = \(made.childCategoryID.bigint)
                """) == ["\(made.rootCategoryID) T恤 1 false"])
            #expect(try await CatalogImage.strings(database, """
                SELECT attributes::text FROM categories WHERE id = \(made.rootCategoryID.bigint)
                """) == [#"[{"name": "颜色", "options": ["红", "蓝", "白"]}, {"name": "尺码", "options": ["M", "L"]}]"#])
            // Products: details, off the shelf, the deleted one kept and marked.
            #expect(try await CatalogImage.strings(database, """
                SELECT concat_ws(' | ', name, category_id, subtitle, images::text, attributes::text, specs::text, detail_html, status, deleted::text)
                FROM products WHERE id = \(made.productID.bigint)
                """) == [#"O'Neil T恤 "棉" | \#(made.childCategoryID) | 纯棉 \ 透气 | ["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"] | [{"key": "材质", "value": "棉"}, {"key": "产地", "value": "杭州"}] | [{"name": "颜色", "values": ["红", "白"]}] | <p>好</p> | 0 | false"#])
            #expect(try await database.int("SELECT status::bigint FROM products WHERE id = \(made.deletedProductID.bigint) AND deleted") == 0)
            // SKUs: stock as the engine holds it; blue left the matrix; red's extras kept.
            for skuID in [made.red, made.blue, made.white] {
                let stock = try #require(await engine.stock(skuID: skuID))
                #expect(try await database.int("SELECT stock FROM product_skus WHERE id = \(skuID.bigint)") == stock, "sku \(skuID)")
            }
            #expect(try await database.int("SELECT stock FROM product_skus WHERE id = \(made.red.bigint)") == 100 + 30 - 40 - 10 + 5)
            #expect(try await database.int("SELECT stock FROM product_skus WHERE id = \(made.blue.bigint)") == 42)
            #expect(try await database.int("SELECT stock FROM product_skus WHERE id = \(made.white.bigint)") == 20)
            #expect(try await CatalogImage.strings(database, """
                SELECT concat_ws(' ', id, status, coalesce(original_price_fen, -1), low_stock_threshold) FROM product_skus
                WHERE product_id = \(made.productID.bigint) ORDER BY id
                """) == [made.red, made.blue, made.white].sorted().map { id in
                    id == made.red ? "\(id) 1 5900 5" : id == made.blue ? "\(id) 0 -1 0" : "\(id) 1 -1 0"
                })
            // Flash-sale items: red grown and shrunk, white removed with its units back.
            #expect(try await CatalogImage.strings(database, """
                SELECT concat_ws(' ', sku_id, stock, remaining, sold, removed::text) FROM seckill_items ORDER BY sku_id
                """) == [made.red, made.white].sorted().map { $0 == made.red ? "\($0) 40 45 0 false" : "\($0) 10 0 0 true" })
            // The stock log: one row per movement, with its type, change, operator and remark.
            #expect(try await CatalogImage.moves(database) == made.moves)
            let verify = try await ArchiveMaintenance.verify(database: database, engine: data.configuration())
            #expect(verify.isClean, "\(verify)")
            // What the state says equals what the events said, column by column.
            let fromEvents = try await CatalogImage.load(database)
            try await withArchiveDatabase { rebuilt in
                try await loadState(state, into: rebuilt)
                #expect(try await CatalogImage.load(rebuilt) == fromEvents)
                #expect(try await CatalogImage.moves(rebuilt).isEmpty, "a state holds no stock history")
            }
        }
        await engine.close()
    }

    @Test("the catalog and its stock log are written once whatever fails: a batch crashed before COMMIT, a batch sent again")
    func exactlyOnce() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        let made = try await runCatalogWorkload(engine, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        let state = await engine.liveState()
        let walDirectory = data.configuration().walDirectory
        try await withArchiveDatabase { database in
            var configuration = database.configuration
            configuration.batchRecordsMax = 3
            let restartConfiguration = configuration
            configuration.batchTimeoutMs = 3_000
            let first = Archiver(database: database, walDirectory: walDirectory, durableLSN: { engine.durableLSN },
                                 configuration: configuration, logger: quietLogger)
            let batches = Atomic(0)
            await first.setBeforeCommit { _ in
                if batches.add(1, ordering: .relaxed).newValue == 4 { throw InjectedCrash() }
            }
            await #expect(throws: (any Error).self) { try await first.catchUp() }
            #expect(try await database.checkpoint() == 9)
            #expect(try await database.int("SELECT count(*) FROM stock_logs WHERE lsn > 9") == 0)
            await first.close()
            let restarted = Archiver(database: database, walDirectory: walDirectory, durableLSN: { engine.durableLSN },
                                     configuration: restartConfiguration, logger: quietLogger)
            _ = try await restarted.catchUp()
            await restarted.close()
            // The flash-sale workload after the catalog one moves stock too: the catalog's moves are there, each once.
            #expect(try await CatalogImage.moves(database).filter(made.moves.contains) == made.moves)
            #expect(try await ArchiveImage.load(database).sorted() == ArchiveImage.expected(from: state).sorted())
            #expect(try await ArchiveMaintenance.verify(database: database, engine: data.configuration()).isClean)
            let archived = try await CatalogImage.load(database)
            try await withArchiveDatabase { rebuilt in
                try await loadState(state, into: rebuilt)
                #expect(try await CatalogImage.load(rebuilt) == archived)
            }

            // The same batch again (a writer that lost the answer to its COMMIT): refused, nothing doubled.
            let records = try await WALTail(directory: walDirectory).read(after: 0, through: 12, limit: 100)
            var batch = ArchiveBatch(afterLSN: 0)
            for record in records { try batch.add(record.event, lsn: record.lsn, timestampMs: record.timestampMs) }
            let logsBefore = try await database.int("SELECT count(*) FROM stock_logs")
            do {
                try await database.client.withTransaction(logger: quietLogger) { connection in
                    _ = try await BatchWriter(logger: quietLogger).write(batch, on: connection)
                }
                Issue.record("a batch behind the checkpoint was written")
            } catch {
                #expect(ArchiveError.summary(of: error).contains("checkpoint moved"), "\(error)")
            }
            #expect(try await database.int("SELECT count(*) FROM stock_logs") == logsBefore)
            #expect(try await CatalogImage.load(database) == archived)
        }
        await engine.close()
    }
}

@Suite("Stock log query")
struct StockLogQueryTests {
    @Test("the stock log lists movements newest first, filters by SKU, type and time, and pages without repeats or gaps")
    func filtersAndPages() async throws {
        let data = TestDataDirectory()
        let clock = ManualClock(nowMs: testEpochMs)
        let engine = try openEngine(data, clock: clock)
        let made = try await runCatalogWorkload(engine, clock: clock)
        _ = try await runWorkload(engine, clock: clock)
        try await withArchiveDatabase { database in
            let archiver = Archiver(database: database, walDirectory: data.configuration().walDirectory,
                                    durableLSN: { engine.durableLSN }, configuration: database.configuration, logger: quietLogger)
            _ = try await archiver.catchUp()
            await archiver.close()
            let logs = try ArchiveReports(client: database.client).stockLogs
            let total = try await database.int("SELECT count(*) FROM stock_logs")

            let all = try await logs.list(filter: StockLogFilter(), cursor: nil, limit: 100)
            #expect(Int64(all.items.count) == total && all.nextCursor == nil)
            let newestFirst = try await CatalogImage.strings(database, "SELECT id::text AS text_id FROM stock_logs ORDER BY created_at DESC, id DESC")
            #expect(all.items.map(\.id) == newestFirst)
            #expect(all.items.contains { $0.type == "order_placed" && $0.orderId != nil && $0.activityId != nil && $0.operatorId == nil })

            // Pages of 4 walk the same list: no row twice, none left out.
            var paged: [String] = []
            var cursor: String?
            repeat {
                let page = try await logs.list(filter: StockLogFilter(), cursor: cursor, limit: 4)
                #expect(page.items.count <= 4)
                paged += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(paged == newestFirst)

            let red = try await logs.list(filter: StockLogFilter(skuID: made.red), cursor: nil, limit: 100)
            #expect(red.items.allSatisfy { $0.skuId == String(made.red) } && !red.items.isEmpty)
            #expect(Int64(red.items.count) == (try await database.int("SELECT count(*) FROM stock_logs WHERE sku_id = \(made.red.bigint)")))
            #expect(red.items.allSatisfy { $0.productId == String(made.productID) && $0.skuName == "红" })

            let stockIn = try await logs.list(filter: StockLogFilter(type: "stock_in"), cursor: nil, limit: 100)
            #expect(stockIn.items.map { "\($0.skuId) \($0.change) \($0.remark ?? "-") \($0.operatorId ?? "-")" }
                == ["\(made.red) 30 到货 \(CatalogWorkload.adminID)"])
            let fromSale = try await logs.list(filter: StockLogFilter(skuID: made.red, type: "from_seckill"), cursor: nil, limit: 100)
            #expect(fromSale.items.map { "\($0.change) \($0.activityId ?? "-")" } == ["5 \(made.activityID)"])

            // A time window: [the stock-in's time, one ms after it) holds the movements of that millisecond only.
            let at = try #require(stockIn.items.first?.createdAt)
            let atMs = try await database.int("""
                SELECT (extract(epoch FROM created_at) * 1000)::bigint FROM stock_logs WHERE type = 'stock_in'
                """)
            let window = try await logs.list(filter: StockLogFilter(fromMs: atMs, toMs: atMs + 1), cursor: nil, limit: 100)
            #expect(!window.items.isEmpty && window.items.allSatisfy { $0.createdAt == at })
            #expect(Int64(window.items.count) == (try await database.int("""
                SELECT count(*) FROM stock_logs WHERE created_at = to_timestamp(\(atMs) / 1000.0)
                """)))
            let before = try await logs.list(filter: StockLogFilter(toMs: atMs), cursor: nil, limit: 100)
            #expect(before.items.allSatisfy { $0.createdAt < at } && before.items.contains { $0.type == "opening" })

            await #expect(throws: ReportError.self) { try await logs.list(filter: StockLogFilter(type: "teleported"), cursor: nil, limit: 10) }
            await #expect(throws: ReportError.self) { try await logs.list(filter: StockLogFilter(), cursor: "bm90LWEtY3Vyc29y", limit: 10) }
            await #expect(throws: ReportError.self) { try await logs.list(filter: StockLogFilter(), cursor: nil, limit: 0) }
        }
        await engine.close()
    }
}
