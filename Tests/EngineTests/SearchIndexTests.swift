@testable import Engine
import Testing

@Suite("Search index updates")
struct SearchIndexTests {
    static func document(_ productID: UInt64, _ name: String, categoryIDs: [UInt64] = [1], priceFen: Int64 = 100) -> SearchDocument {
        SearchDocument(productID: productID, name: name, categoryIDs: categoryIDs, categoryNames: ["类目"],
                       minPriceFen: priceFen, maxPriceFen: priceFen, createdAtMs: Int64(productID))
    }

    func ids(_ index: SearchIndex, _ text: String, categoryID: UInt64? = nil) -> [UInt64] {
        let result = index.search(SearchQuery(text: text, categoryID: categoryID, limit: 50)) { _ in SearchSignals(sales: 0, inStock: true) }
        return (try? result.get())?.hits.map(\.productID) ?? []
    }

    @Test("a replaced product's old terms no longer match; its new ones do")
    func replace() throws {
        var index = SearchIndex()
        index.upsert(Self.document(1, "红色 手机壳"))
        index.upsert(Self.document(2, "蓝色 手机壳"))
        #expect(ids(index, "红色") == [1])
        index.upsert(Self.document(1, "绿色 保温杯", categoryIDs: [2]))
        try index.checkInvariants()
        #expect(index.count == 2)
        #expect(ids(index, "红色").isEmpty)
        #expect(ids(index, "hongse").isEmpty)
        #expect(ids(index, "手机壳") == [2])
        #expect(ids(index, "绿色") == [1])
        #expect(ids(index, "lvse") == [1])
        #expect(ids(index, "", categoryID: 1) == [2])
        #expect(ids(index, "", categoryID: 2) == [1])
        #expect(index.suggest(prefix: "红", limit: 5).isEmpty)
        #expect(index.suggest(prefix: "绿", limit: 5) == ["绿色"])
    }

    @Test("a removed product is gone from every list; removing twice or an unknown ID does nothing")
    func remove() throws {
        var index = SearchIndex()
        index.upsert(Self.document(1, "iPhone 15 手机壳"))
        index.upsert(Self.document(2, "iPhone 15 手机"))
        index.remove(productID: 1)
        index.remove(productID: 1)
        index.remove(productID: 99)
        try index.checkInvariants()
        #expect(index.count == 1)
        #expect(ids(index, "手机壳").isEmpty)
        #expect(ids(index, "iphone") == [2])
        #expect(ids(index, "") == [2])
        #expect(index.suggest(prefix: "手机", limit: 5) == ["手机"])
        index.remove(productID: 2)
        try index.checkInvariants()
        #expect(index.count == 0)
        #expect(index.termCount == 0, "terms with no postings are dropped")
        #expect(ids(index, "").isEmpty)
        #expect(index.suggest(prefix: "i", limit: 5).isEmpty)
    }

    @Test("slots and term IDs are reused; the index stays consistent through a churn of updates")
    func churn() throws {
        var index = SearchIndex()
        let names = ["红色 手机壳", "iPhone 15", "苹果 5斤", "纯棉T恤 XL", "保温杯 316", "手机支架", "烟台苹果"]
        var live = Set<UInt64>()
        var state: UInt64 = 42
        for step in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let productID = (state >> 33) % 50
            if (state >> 20) % 4 == 0 {
                index.remove(productID: productID)
                live.remove(productID)
            } else {
                index.upsert(Self.document(productID, names[Int((state >> 40) % UInt64(names.count))] + " \(step % 7)"))
                live.insert(productID)
            }
        }
        try index.checkInvariants()
        #expect(index.count == live.count)
        #expect(Set(ids(index, "")) == live)
        #expect(index.records.count <= 50, "slots are reused")
        // Rebuilt from scratch, the same products answer the same queries.
        var rebuilt = SearchIndex()
        for slot in index.records.indices {
            guard let record = index.records[slot] else { continue }
            rebuilt.upsert(Self.document(record.productID, record.name))
        }
        for text in ["手机", "苹果", "xl", "shouji", "sjk", "316", "", "5"] {
            #expect(Set(ids(index, text)) == Set(ids(rebuilt, text)), "\(text)")
        }
    }

    @Test("hostile documents are bounded, not trapped on")
    func hostileDocuments() throws {
        var index = SearchIndex()
        index.upsert(SearchDocument(
            productID: .max, name: String(repeating: "手机", count: 10_000) + String(repeating: "a", count: 10_000),
            keywords: String(repeating: "壳 ", count: 5_000), categoryIDs: Array(repeating: 7, count: 1_000),
            categoryNames: Array(repeating: "类", count: 1_000), attributes: Array(repeating: "XL", count: 1_000),
            minPriceFen: .min, maxPriceFen: .max, createdAtMs: .min))
        index.upsert(Self.document(0, ""))
        try index.checkInvariants()
        #expect(ids(index, "手机") == [.max])
        #expect(ids(index, "", categoryID: 7) == [.max])
        let cheapest = index.search(SearchQuery(sort: .priceAsc)) { _ in SearchSignals(sales: .min, inStock: false) }
        #expect((try? cheapest.get())?.hits.count == 2)
        let bySales = index.search(SearchQuery(inStockOnly: true, sort: .sales)) { _ in SearchSignals(sales: .max, inStock: true) }
        #expect((try? bySales.get())?.total == 2)
    }

    @Test("cursors round-trip and reject what they did not write")
    func cursor() throws {
        let key = SearchRankKey(primary: -5, productID: .max)
        let text = SearchCursor(sort: .priceAsc, key: key).encoded
        #expect(text.count == 24)
        #expect(try SearchCursor(decoding: text, expectedSort: .priceAsc).key == key)
        #expect(throws: SearchQueryError.cursorSortMismatch) { try SearchCursor(decoding: text, expectedSort: .sales) }
        #expect(throws: SearchQueryError.malformedCursor) { try SearchCursor(decoding: text + "A", expectedSort: .priceAsc) }
        #expect(throws: SearchQueryError.malformedCursor) { try SearchCursor(decoding: "é", expectedSort: .priceAsc) }
        for bytes in [[], [0], [1, 2], [1, 2, 3], [255, 254, 253, 252]] as [[UInt8]] {
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        #expect(Base64URL.encode([251, 255]) == "-_8")
        #expect(Base64URL.decode("-_9") == nil, "stray low bits")
    }
}
