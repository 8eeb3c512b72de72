@testable import Engine
import Testing

/// What a shopper sees searching the fixture catalog (`SearchCatalogFixture`): the
/// products on top, what is left out, filters, orders, pages and highlights.
@Suite("Search relevance")
struct SearchRelevanceTests {
    let index = SearchCatalogFixture.index()

    func page(_ query: SearchQuery, in index: SearchIndex? = nil) throws -> SearchPage {
        try (index ?? self.index).search(query, signals: SearchCatalogFixture.signals).get()
    }

    func ids(_ text: String, limit: Int = 50, in index: SearchIndex? = nil) throws -> [UInt64] {
        try page(SearchQuery(text: text, limit: limit), in: index).hits.map(\.productID)
    }

    func name(_ productID: UInt64) -> String {
        SearchCatalogFixture.rows.first { $0.0 == productID }?.1 ?? ""
    }

    @Test("手机壳 finds the phone cases (保护壳 by synonym, last), not phones")
    func phoneCase() throws {
        let found = try ids("手机壳")
        #expect(Set(found.prefix(3)) == [5, 6, 39])
        #expect(found == [5, 6, 39, 7])
        let withoutSynonyms = try ids("手机壳", in: SearchCatalogFixture.index(withSynonyms: false))
        #expect(Set(withoutSynonyms.prefix(3)) == [5, 6, 39], "without synonyms: names with 手机壳 first")
        #expect(withoutSynonyms.last == 7, "保护壳 still found by its category 手机壳, last")
        #expect(!withoutSynonyms.contains(1) && !withoutSynonyms.contains(33), "all bigrams are required")
    }

    @Test("苹果手机 puts Apple phones first and never the fruit")
    func applePhone() throws {
        let found = try ids("苹果手机")
        #expect(Set(found.prefix(2)) == [1, 2])
        #expect(!found.contains(14) && !found.contains(15) && !found.contains(16))
        #expect(!found.contains(3), "a Huawei phone is not an Apple phone")
    }

    @Test("苹果 alone: the fruit first (its own category and the typed word), Apple products too by synonym")
    func apple() throws {
        let found = try ids("苹果")
        #expect(Set(found.prefix(3)) == [14, 15, 16])
        #expect(found.contains(1) && found.contains(2), "synonyms reach iPhones")
        #expect(found.firstIndex(of: 21).map { $0 < (found.firstIndex(of: 1) ?? 0) } == true,
                "a product named 苹果 ranks above one reached by synonym")
        let withoutSynonyms = try ids("苹果", in: SearchCatalogFixture.index(withSynonyms: false))
        #expect(!withoutSynonyms.contains(1))
    }

    @Test("红富士 finds the two 红富士 apples, not the Fujifilm camera")
    func redFuji() throws {
        let found = try ids("红富士")
        #expect(Set(found) == [14, 16])
        #expect(try ids("富士").contains(32))
    }

    @Test("pinyin and initials find what the characters do", arguments: ["shoujike", "sjk", "ShouJiKe", "ｓｈｏｕｊｉｋｅ"])
    func pinyinPhoneCase(_ text: String) throws {
        let found = try ids(text)
        #expect(Set(found.prefix(3)) == [5, 6, 39], "\(found)")
    }

    @Test("shouji: phones first (their own category), then other things with 手机 in the name")
    func pinyinPhone() throws {
        let found = try ids("shouji")
        #expect(Set(found.prefix(5)) == [1, 2, 3, 4, 35])
        #expect(found.contains(5) && found.contains(33) && found.contains(9))
        #expect(!found.contains(14))
        #expect(Set(try ids("手机").prefix(5)) == [1, 2, 3, 4, 35])
    }

    @Test("iphone15 and full-width ｉＰｈｏｎｅ")
    func latin() throws {
        #expect(Set(try ids("iphone15")) == [1, 2, 5])
        #expect(Set(try ids("iPhone 15")) == [1, 2, 5])
        let fullWidth = try ids("ｉＰｈｏｎｅ")
        #expect(Set(fullWidth.prefix(3)) == [1, 2, 5])
        #expect(fullWidth == (try ids("iphone")))
    }

    @Test("a word in the keywords or the attributes finds the product, below a name match")
    func lighterFields() throws {
        #expect(try ids("麒麟芯片") == [3])
        #expect(try ids("卡其色") == [23])
        let red = try ids("红色")
        #expect(Set(red) == [24, 27, 28])
    }

    @Test("one word no product has does not empty a three-word query; both words of two are needed")
    func mostTermsMatch() throws {
        #expect(try ids("华为 手机壳").first == 6)
        #expect(try ids("小米 保护壳 xyzzy").first == 7, "a word no product has is not required")
        #expect(try ids("手机壳 小米") == [7])
        #expect(try ids("耳麦") == (try ids("耳机")), "synonyms both ways")
        #expect(try ids("手机壳 xyzzy").isEmpty)
    }

    @Test("category filter includes descendants")
    func categoryFilter() throws {
        let digital = try page(SearchQuery(text: "手机", categoryID: 1, limit: 50)).hits.map(\.productID)
        #expect(digital.contains(1) && digital.contains(5) && digital.contains(9))
        let phonesOnly = try page(SearchQuery(text: "手机", categoryID: 11, limit: 50)).hits.map(\.productID)
        #expect(Set(phonesOnly) == [1, 2, 3, 4, 35])
        let fruit = try page(SearchQuery(categoryID: 21, limit: 50))
        #expect(Set(fruit.hits.map(\.productID)) == [14, 15, 16, 17, 18])
        #expect(fruit.total == 5)
        #expect(try page(SearchQuery(text: "苹果", categoryID: 211)).hits.map(\.productID).sorted() == [14, 15, 16])
        #expect(try page(SearchQuery(categoryID: 999)).total == 0)
    }

    @Test("price range on the lowest price, bounds included")
    func priceRange() throws {
        let apples = try page(SearchQuery(text: "苹果", minPriceFen: 3_990, maxPriceFen: 6_990, limit: 50))
        #expect(Set(apples.hits.map(\.productID)) == [14, 15, 37])
        let cheap = try page(SearchQuery(maxPriceFen: 1_990, sort: .priceAsc, limit: 50)).hits.map(\.productID)
        #expect(cheap == [40, 21, 39, 33])
        #expect(throws: SearchQueryError.invalidPriceRange) { try page(SearchQuery(minPriceFen: 10, maxPriceFen: 9)) }
        #expect(throws: SearchQueryError.invalidPriceRange) { try page(SearchQuery(minPriceFen: -1)) }
    }

    @Test("in stock only asks the signals")
    func inStock() throws {
        let found = try page(SearchQuery(text: "苹果", inStockOnly: true, limit: 50)).hits.map(\.productID)
        #expect(!found.contains(14) && found.contains(15))
        #expect(try page(SearchQuery(text: "华为", inStockOnly: true, limit: 50)).hits.map(\.productID).contains(3) == false)
    }

    @Test("sorts: price both ways, sales, newest; ties by product ID")
    func sorts() throws {
        let byPrice = try page(SearchQuery(text: "手机", categoryID: 11, sort: .priceAsc)).hits.map(\.productID)
        #expect(byPrice == [35, 4, 1, 3, 2])
        let byPriceDesc = try page(SearchQuery(text: "手机", categoryID: 11, sort: .priceDesc)).hits.map(\.productID)
        #expect(byPriceDesc == [2, 3, 1, 4, 35])
        let bySales = try page(SearchQuery(text: "手机", categoryID: 11, sort: .sales)).hits.map(\.productID)
        let sales = bySales.map { SearchCatalogFixture.signals($0).sales }
        #expect(sales == sales.sorted(by: >) && Set(bySales) == [1, 2, 3, 4, 35])
        #expect(try page(SearchQuery(sort: .newest, limit: 3)).hits.map(\.productID) == [40, 39, 38])
        #expect(try page(SearchQuery(limit: 3)).hits.map(\.productID) == [40, 39, 38], "browsing by relevance is newest first")
        // 17 and 20 both cost 29.90 yuan (2_990 fen), as does 5: ties go to the higher ID.
        let ties = try page(SearchQuery(minPriceFen: 2_990, maxPriceFen: 2_990, sort: .priceAsc)).hits.map(\.productID)
        #expect(ties == [20, 17, 5])
    }

    @Test("paging with cursors gives every hit once, in the order of one big page", arguments: SearchSort.allCases)
    func pagination(_ sort: SearchSort) throws {
        for text in ["", "苹果", "shouji"] {
            let whole = try page(SearchQuery(text: text, sort: sort, limit: 50))
            var seen: [UInt64] = []
            var cursor: String?
            var pages = 0
            repeat {
                let next = try page(SearchQuery(text: text, sort: sort, cursor: cursor, limit: 3))
                #expect(next.total == whole.total)
                seen += next.hits.map(\.productID)
                cursor = next.nextCursor
                pages += 1
            } while cursor != nil && pages < 100
            #expect(seen == whole.hits.map(\.productID), "\(sort) \(text)")
            #expect(Set(seen).count == seen.count)
            #expect(seen.count == whole.total)
        }
        #expect(try page(SearchQuery(sort: sort, limit: 50)).nextCursor == nil, "40 products fit one page")
    }

    @Test("a bad cursor is a typed error", arguments: ["", "!!!", "AAAA", "AgEAAAAAAAAAAAAAAAAAAAAA", "AQkAAAAAAAAAAAAAAAAAAAAA", String(repeating: "A", count: 500)])
    func badCursor(_ cursor: String) throws {
        #expect(throws: SearchQueryError.malformedCursor) { try page(SearchQuery(cursor: cursor)) }
    }

    @Test("a cursor of another sort is refused")
    func cursorOfOtherSort() throws {
        let first = try page(SearchQuery(sort: .newest, limit: 2))
        let cursor = try #require(first.nextCursor)
        #expect(throws: SearchQueryError.cursorSortMismatch) { try page(SearchQuery(sort: .priceAsc, cursor: cursor)) }
    }

    @Test("limit is clamped to 1...50")
    func limitClamped() throws {
        #expect(try page(SearchQuery(limit: 0)).hits.count == 1)
        #expect(try page(SearchQuery(limit: -5)).hits.count == 1)
        #expect(try page(SearchQuery(limit: 1_000)).hits.count == 40)
    }

    @Test("highlighting wraps matched spans in <em>, merges neighbours, escapes the name")
    func highlighting() throws {
        func highlighted(_ text: String, _ productID: UInt64) throws -> String? {
            try page(SearchQuery(text: text, limit: 50)).hits.first { $0.productID == productID }?.highlightedName
        }
        #expect(try highlighted("手机壳", 5) == "iPhone 15 <em>手机壳</em> 透明")
        #expect(try highlighted("苹果手机", 1) == "<em>Apple</em> <em>iPhone</em> 15 128GB <em>手机</em>")
        #expect(try highlighted("shouji", 5) == "iPhone 15 <em>手机</em>壳 透明")
        #expect(try highlighted("sjk", 39) == "透明 <em>手机壳</em> 适用华为P60")
        #expect(try highlighted("毛巾", 40) == "&lt;限时&gt; 特价 &amp; &quot;爆款&quot; 纯棉<em>毛巾</em>")
        #expect(try highlighted("红富士苹果", 14) == "烟台<em>红富士苹果</em> 5斤装 新鲜水果")
        #expect(try page(SearchQuery(limit: 50)).hits.first { $0.productID == 40 }?.highlightedName
                == "&lt;限时&gt; 特价 &amp; &quot;爆款&quot; 纯棉毛巾")
    }

    @Test("results are the same on an index built in another order")
    func deterministic() throws {
        var reversed = SearchIndex()
        for document in SearchCatalogFixture.documents.reversed() { reversed.upsert(document) }
        reversed.synonyms = index.synonyms
        for text in ["苹果", "手机", "shouji", "sjk", "", "红色"] {
            for sort in SearchSort.allCases {
                let query = SearchQuery(text: text, sort: sort, limit: 50)
                #expect(try page(query).hits == (try page(query, in: reversed)).hits, "\(text) \(sort)")
            }
        }
    }

    @Test("suggestions by text, pinyin and initials")
    func suggestions() {
        #expect(index.suggest(prefix: "手机", limit: 5) == ["手机", "手机壳", "手机支架"])
        #expect(index.suggest(prefix: "shouj", limit: 5) == ["手机", "手机壳", "手机支架"])
        #expect(index.suggest(prefix: "sjk", limit: 5) == ["手机壳"])
        #expect(index.suggest(prefix: "ＩＰ", limit: 5) == ["iphone", "ipad"])
        #expect(index.suggest(prefix: "手机", limit: 1) == ["手机"])
        #expect(index.suggest(prefix: "", limit: 5).isEmpty)
        #expect(index.suggest(prefix: "zzzz", limit: 5).isEmpty)
        #expect(index.suggest(prefix: "手", limit: 100).count <= SearchLimits.suggestionsMax)
    }
}
