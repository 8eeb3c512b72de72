import ArgumentParser
import Engine
import Foundation

/// `mall bench search`: builds a `SearchIndex` over a generated Chinese catalog and
/// times a query mix on one thread. The catalog is deterministic (a fixed-seed
/// generator): brand + adjective + product noun + spec, in a three-level category
/// tree, each product with `--skus-per-product` SKUs whose prices give its price range.
struct SearchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "In-memory product search: index build time and memory, query p50/p99/max and queries/s.")

    @Option(help: "Products indexed (one search document each).") var products = 25_000
    @Option(help: "SKUs per product (their prices make the product's price range).") var skusPerProduct = 4
    @Option(help: "Timed queries (the mix repeated).") var queries = 20_000
    @Option(help: "Timed incremental updates (re-upserts of existing products).") var updates = 10_000

    func validate() throws {
        guard (1...1_000_000).contains(products) else { throw ValidationError("--products must be 1 to 1,000,000") }
        guard (1...100).contains(skusPerProduct) else { throw ValidationError("--skus-per-product must be 1 to 100") }
        guard (1...10_000_000).contains(queries) else { throw ValidationError("--queries must be 1 to 10,000,000") }
        guard (0...10_000_000).contains(updates) else { throw ValidationError("--updates must be 0 to 10,000,000") }
    }

    func run() async throws {
        let catalog = SearchBenchCatalog(skusPerProduct: skusPerProduct)
        _ = PinyinTable.shared.syllable(of: "手")  // parse the table before the baseline
        let baselineBytes = searchResidentBytes()
        let clock = ContinuousClock()
        var index = SearchIndex()
        let buildStart = clock.now
        for ordinal in 0..<products { index.upsert(catalog.document(ordinal)) }
        index.synonyms = try SynonymTable(groups: SearchBenchCatalog.synonyms)
        let buildSeconds = (clock.now - buildStart).seconds
        let growthBytes = searchResidentBytes() - baselineBytes
        let skus = products * skusPerProduct
        print(String(format: "search: %d products × %d SKUs = %d SKUs indexed in %.2f s (%.0f products/s)",
                     products, skusPerProduct, skus, buildSeconds, Double(products) / buildSeconds))
        print(String(format: "search: resident memory +%.1f MiB = %.0f B/SKU, %.0f B/product",
                     Double(growthBytes) / 1_048_576, Double(growthBytes) / Double(skus), Double(growthBytes) / Double(products)))

        let sales = (0..<products).map { Int64((UInt64($0) &* 2_654_435_761) % 10_000) }
        let signals: (UInt64) -> SearchSignals = { productID in
            let ordinal = Int(productID &- 1)
            guard sales.indices.contains(ordinal) else { return SearchSignals(sales: 0, inStock: false) }
            return SearchSignals(sales: sales[ordinal], inStock: ordinal % 10 != 0)
        }
        let mix = SearchBenchCatalog.queryMix
        var hitsTotal = 0
        var matchesTotal = 0
        for query in mix { _ = index.search(query, signals: signals) }  // warm up
        var sample = LatencySample()
        var cpuSample = LatencySample()
        var pageTwo = LatencySample()
        let queryStart = clock.now
        for number in 0..<queries {
            var query = mix[number % mix.count]
            let start = clock.now
            let cpuStart = threadCPUNanoseconds()
            let page = try index.search(query, signals: signals).get()
            cpuSample.nanoseconds.append(threadCPUNanoseconds() - cpuStart)
            sample.append(clock.now - start)
            hitsTotal += page.hits.count
            matchesTotal += page.total
            if number % 10 == 0, let cursor = page.nextCursor {
                query.cursor = cursor
                let second = clock.now
                _ = try index.search(query, signals: signals).get()
                pageTwo.append(clock.now - second)
            }
        }
        let querySeconds = (clock.now - queryStart).seconds
        print(String(format: "search: %d queries (%d distinct) p50 %.3f ms, p99 %.3f ms, max %.3f ms; %.0f queries/s; mean %.1f hits of %.0f matches",
                     queries, mix.count, sample.percentileMs(0.5), sample.percentileMs(0.99), sample.percentileMs(1),
                     Double(queries + pageTwo.nanoseconds.count) / querySeconds,
                     Double(hitsTotal) / Double(queries), Double(matchesTotal) / Double(queries)))
        // Wall clock counts the time the thread waits for a core; on a shared box the
        // thread's own CPU time shows what the search itself costs.
        print(String(format: "search: same queries, process CPU time: p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                     cpuSample.percentileMs(0.5), cpuSample.percentileMs(0.99), cpuSample.percentileMs(1)))
        print(String(format: "search: %d second pages by cursor p50 %.3f ms, p99 %.3f ms",
                     pageTwo.nanoseconds.count, pageTwo.percentileMs(0.5), pageTwo.percentileMs(0.99)))
        printPerQuery(index: index, mix: mix, signals: signals)

        var updateSample = LatencySample()
        var updateCPUSample = LatencySample()
        for number in 0..<updates {
            let ordinal = (number &* 7_919) % products
            var document = catalog.document(ordinal)
            document.name += number % 2 == 0 ? " 新款" : " 热卖"
            let start = clock.now
            let cpuStart = threadCPUNanoseconds()
            index.upsert(document)
            updateCPUSample.nanoseconds.append(threadCPUNanoseconds() - cpuStart)
            updateSample.append(clock.now - start)
        }
        if updates > 0 {
            print(String(format: "search: %d updates (upsert replacing a product) p50 %.3f ms, p99 %.3f ms, max %.3f ms; CPU p50 %.3f ms, p99 %.3f ms",
                         updates, updateSample.percentileMs(0.5), updateSample.percentileMs(0.99), updateSample.percentileMs(1),
                         updateCPUSample.percentileMs(0.5), updateCPUSample.percentileMs(0.99)))
        }
        print(String(format: "search: suggestions for \"shouj\": %@", index.suggest(prefix: "shouj", limit: 5).joined(separator: " ")))
    }

    /// The slowest queries of the mix, each run 20 times: where p99 comes from.
    func printPerQuery(index: SearchIndex, mix: [SearchQuery], signals: (UInt64) -> SearchSignals) {
        let clock = ContinuousClock()
        var rows: [(String, Double, Int)] = []
        for query in mix {
            var sample = LatencySample()
            var total = 0
            for _ in 0..<20 {
                let start = clock.now
                total = (try? index.search(query, signals: signals).get())?.total ?? 0
                sample.append(clock.now - start)
            }
            let label = "\"\(query.text)\" \(query.sort.rawValue)" + (query.categoryID.map { " cat \($0)" } ?? "")
                + (query.minPriceFen != nil || query.maxPriceFen != nil ? " price" : "") + (query.inStockOnly ? " inStock" : "")
            rows.append((label, sample.percentileMs(0.5), total))
        }
        for row in rows.sorted(by: { $0.1 > $1.1 }).prefix(8) {
            print(String(format: "search:   %.3f ms  %6d matches  %@", row.1, row.2, row.0))
        }
    }
}

/// CPU time of the process (`clock()`, microsecond resolution), in nanoseconds: the
/// benchmark runs on one thread, the runtime's other threads are idle meanwhile.
func threadCPUNanoseconds() -> Int64 {
    Int64(clock()) * (1_000_000_000 / Int64(CLOCKS_PER_SEC))
}

/// VmRSS from /proc/self/statm (pages) times the page size.
func searchResidentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    let (bytes, overflow) = pages.multipliedReportingOverflow(by: Int(sysconf(Int32(_SC_PAGESIZE))))
    return overflow ? 0 : bytes
}

/// A deterministic catalog: product `ordinal` is always the same document.
struct SearchBenchCatalog {
    struct Leaf {
        var noun: String
        var path: [(UInt64, String)]
        var brands: [String]
        var specs: [String]
        var priceFen: ClosedRange<Int64>
    }

    let leaves: [Leaf]
    let skusPerProduct: Int

    static let adjectives = ["新款", "经典", "轻薄", "加厚", "透明", "防摔", "便携", "大容量", "高端", "简约", "时尚", "夏季",
                             "冬季", "有机", "新鲜", "进口", "家用", "专业", "迷你", "升级版", "静音", "无线", "纯棉", "速干"]
    static let colours = ["黑色", "白色", "红色", "蓝色", "灰色", "粉色", "绿色", "金色", "银色", "紫色"]
    static let sizes = ["S", "M", "L", "XL", "XXL", "均码"]

    /// Roots, their sub-categories, the product nouns (leaf categories) under each, brands, specs and prices.
    static let tree: [(String, [String], [(String, [String])], [String], ClosedRange<Int64>)] = [
        ("数码", ["苹果", "华为", "小米", "OPPO", "vivo", "荣耀", "三星", "联想", "Anker", "绿联"],
         [("手机", ["手机"]), ("手机配件", ["手机壳", "充电器", "数据线", "钢化膜", "手机支架", "充电宝"]),
          ("影音", ["蓝牙耳机", "头戴耳机", "音箱"]), ("电脑", ["笔记本电脑", "平板电脑", "键盘", "鼠标"])],
         ["128GB", "256GB", "512GB", "Pro", "Max", "5G", "快充", "Type-C"], 990...999_900),
        ("食品生鲜", ["三只松鼠", "良品铺子", "百草味", "农夫山泉", "烟台", "阿克苏", "佳沛", "雀巢", "蒙牛"],
         [("水果", ["苹果", "橙子", "香蕉", "葡萄", "猕猴桃"]), ("零食", ["坚果", "饼干", "薯片", "巧克力"]),
          ("饮料", ["矿泉水", "果汁", "咖啡", "茶叶", "牛奶"])],
         ["5斤装", "500g", "礼盒装", "10包", "整箱", "1kg"], 590...39_900),
        ("服饰", ["优衣库", "李宁", "安踏", "Nike", "Adidas", "太平鸟", "森马", "海澜之家"],
         [("男装", ["T恤", "衬衫", "夹克", "牛仔裤"]), ("女装", ["连衣裙", "半身裙", "毛衣", "羽绒服"]),
          ("鞋靴", ["运动鞋", "跑步鞋", "帆布鞋", "靴子"])],
         ["XL", "L", "M", "纯棉", "宽松", "修身"], 2_990...99_900),
        ("家居", ["苏泊尔", "美的", "九阳", "双立人", "水星家纺", "富安娜", "宜家"],
         [("厨具", ["炒锅", "菜刀", "保温杯", "电饭煲"]), ("床品", ["四件套", "枕头", "被子", "毛巾"]),
          ("收纳", ["收纳盒", "衣架"])],
         ["30cm", "2L", "1.8米", "316不锈钢", "大号"], 990...99_900),
        ("美妆", ["兰蔻", "雅诗兰黛", "欧莱雅", "完美日记", "花西子", "百雀羚"],
         [("护肤", ["面霜", "精华液", "面膜", "洗面奶"]), ("彩妆", ["口红", "粉底液", "眼影"])],
         ["50ml", "30g", "套装", "小样"], 1_990...199_900),
        ("母婴", ["帮宝适", "花王", "飞鹤", "好孩子", "贝亲"],
         [("尿裤", ["纸尿裤", "拉拉裤"]), ("喂养", ["奶粉", "奶瓶", "辅食"]), ("出行", ["婴儿车", "安全座椅"])],
         ["XL码", "L码", "900g", "240ml"], 2_990...299_900),
        ("运动户外", ["Keep", "迪卡侬", "李宁", "斯伯丁", "探路者"],
         [("健身", ["瑜伽垫", "哑铃", "跳绳"]), ("球类", ["篮球", "足球", "羽毛球拍"]), ("户外", ["帐篷", "登山包"])],
         ["10kg", "加厚", "7号", "双人"], 990...199_900),
    ]

    static let synonyms: [[String]] = [
        ["苹果", "iphone", "apple"], ["手机壳", "保护壳", "手机套"], ["蓝牙耳机", "无线耳机"],
        ["笔记本电脑", "笔记本", "laptop"], ["T恤", "短袖"], ["运动鞋", "球鞋"], ["充电宝", "移动电源"],
    ]

    init(skusPerProduct: Int) {
        var leaves: [Leaf] = []
        var nextID: UInt64 = 1
        for (root, brands, subcategories, specs, prices) in Self.tree {
            let rootID = nextID
            nextID += 1
            for (subcategory, nouns) in subcategories {
                let subID = nextID
                nextID += 1
                for noun in nouns {
                    leaves.append(Leaf(noun: noun, path: [(rootID, root), (subID, subcategory), (nextID, noun)],
                                       brands: brands, specs: specs, priceFen: prices))
                    nextID += 1
                }
            }
        }
        self.leaves = leaves
        self.skusPerProduct = skusPerProduct
    }

    /// SplitMix64 of the ordinal and a salt: the same number for the same product, always.
    static func random(_ ordinal: Int, _ salt: UInt64) -> UInt64 {
        var value = UInt64(ordinal) &* 0x9E37_79B9_7F4A_7C15 &+ salt &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    static func pick<T>(_ options: [T], _ ordinal: Int, _ salt: UInt64) -> T {
        options[Int(random(ordinal, salt) % UInt64(options.count))]
    }

    func document(_ ordinal: Int) -> SearchDocument {
        let leaf = Self.pick(leaves, ordinal, 1)
        let brand = Self.pick(leaf.brands, ordinal, 2)
        let adjective = Self.pick(Self.adjectives, ordinal, 3)
        let spec = Self.pick(leaf.specs, ordinal, 4)
        let model = Self.random(ordinal, 5) % 3 == 0 ? " " + String(UnicodeScalar(UInt8(65 + Self.random(ordinal, 6) % 26))) + "\(Self.random(ordinal, 7) % 90 + 10)" : ""
        let colour = Self.pick(Self.colours, ordinal, 8)
        let span = UInt64(leaf.priceFen.upperBound - leaf.priceFen.lowerBound)
        let basePrice = leaf.priceFen.lowerBound + Int64(Self.random(ordinal, 9) % span)
        var prices: [Int64] = []
        for sku in 0..<skusPerProduct { prices.append(basePrice + Int64(Self.random(ordinal, 10 + UInt64(sku)) % 5_000)) }
        return SearchDocument(
            productID: UInt64(ordinal) + 1,
            name: "\(brand)\(model) \(adjective)\(Self.random(ordinal, 14) % 2 == 0 ? " " : "")\(leaf.noun) \(spec) \(colour)",
            keywords: "\(Self.pick(Self.adjectives, ordinal, 11)) \(Self.pick(Self.adjectives, ordinal, 12)) 包邮 正品",
            categoryIDs: leaf.path.map(\.0), categoryNames: leaf.path.map(\.1),
            attributes: [colour, Self.pick(Self.sizes, ordinal, 13), spec],
            minPriceFen: prices.min() ?? basePrice, maxPriceFen: prices.max() ?? basePrice,
            createdAtMs: 1_700_000_000_000 + Int64(ordinal) * 1_000)
    }

    /// Chinese words, pinyin, initials, synonyms, filters and sorts; category 1 is 数码, 20 is 食品生鲜.
    static let queryMix: [SearchQuery] = {
        let texts = ["手机", "手机壳", "苹果手机", "苹果", "华为手机", "蓝牙耳机", "连衣裙", "运动鞋", "保温杯", "shouji",
                     "shoujike", "sjk", "lanyaerji", "lyej", "iphone", "红色", "纯棉T恤 XL", "坚果 礼盒", "笔记本电脑 轻薄",
                     "小米 充电宝", "", "新款", "baowenbei", "bwb", "无线耳机", "手机 256GB 黑色"]
        var queries: [SearchQuery] = []
        for (number, text) in texts.enumerated() {
            let sort = SearchSort.allCases[number % SearchSort.allCases.count]
            queries.append(SearchQuery(text: text, sort: .relevance))
            queries.append(SearchQuery(text: text, sort: sort, limit: 20))
            queries.append(SearchQuery(text: text, categoryID: number % 2 == 0 ? 1 : 20, minPriceFen: 1_000, maxPriceFen: 50_000,
                                       inStockOnly: true, sort: sort == .relevance ? .sales : sort, limit: 20))
        }
        return queries
    }()
}
