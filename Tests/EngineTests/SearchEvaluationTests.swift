@testable import Engine
import Foundation
import MallTestSupport
import PropertyBased
import Testing

/// The accumulator and the bounded, document-at-a-time ranking give the pages that
/// scoring every match exhaustively gives (`ExhaustiveSearch`, the former evaluation kept
/// as a reference): same hits, same scores to the millionth, same totals, same cursors.
@Suite("Search evaluation")
struct SearchEvaluationTests {
    static let words = ["手机", "手机壳", "苹果", "华为", "纯棉", "T恤", "蓝牙耳机", "保温杯", "黑色", "红色", "新款",
                        "XL", "256GB", "iPhone", "Pro", "充电宝", "移动电源", "短袖", "透明", "包邮", "水果", "15"]
    static let queryTexts = ["手机", "手机壳", "苹果手机", "纯棉T恤 XL", "sjk", "shouji", "shoujike", "xl", "黑色 手机",
                             "手机 256GB 黑色", "iphone 15", "蓝牙耳机", "新款 包邮 红色 透明", "hs", "充电宝", "t恤",
                             "苹果", "zzz 手机", "红色 蓝色 绿色 黑色", "", "水果 苹果"]
    static let leaves: [(UInt64, [String])] = [(11, ["数码", "手机"]), (12, ["数码", "手机壳"]), (21, ["服饰", "T恤"]),
                                               (31, ["食品", "水果"]), (41, ["家居", "保温杯"])]

    /// The shared SplitMix64 (MallTestSupport), with the two draws these tests use.
    struct Seeded {
        var generator: SeededGenerator
        init(state: UInt64) { generator = SeededGenerator(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
        mutating func pick<T>(_ options: [T]) -> T { options[below(options.count)] }
    }

    static func index(seed: UInt64, products: Int) -> SearchIndex {
        var random = Seeded(state: seed)
        var index = SearchIndex()
        for ordinal in 0..<products {
            let nameWords = (0..<(1 + random.below(4))).map { _ in random.pick(words) }
            let leaf = random.pick(leaves)
            let price = Int64(100 + random.below(50_000))
            index.upsert(SearchDocument(
                productID: UInt64(ordinal + 1), name: nameWords.joined(separator: random.below(2) == 0 ? " " : ""),
                keywords: random.below(2) == 0 ? random.pick(words) : "", categoryIDs: [leaf.0 / 10, leaf.0],
                categoryNames: leaf.1, attributes: [random.pick(words)], minPriceFen: price, maxPriceFen: price + 100,
                createdAtMs: Int64(random.below(1_000))))
            if random.below(10) == 0 { index.remove(productID: UInt64(random.below(ordinal + 1) + 1)) }
        }
        index.synonyms = (try? SynonymTable(groups: [["苹果", "iphone"], ["T恤", "短袖"], ["充电宝", "移动电源"]])) ?? SynonymTable()
        return index
    }

    static func signals(_ productID: UInt64) -> SearchSignals {
        SearchSignals(sales: Int64(productID % 7), inStock: productID % 5 != 0)
    }

    @Test("pages, scores and totals equal exhaustive scoring over random catalogs, queries, filters and cursors")
    func sameAsExhaustive() async {
        await propertyCheck(count: 40, input: Gen.int(in: 0...1_000_000)) { seed in
            var random = Seeded(state: UInt64(seed))
            let index = Self.index(seed: UInt64(seed), products: 20 + random.below(400))
            for _ in 0..<12 {
                var query = SearchQuery(text: random.pick(Self.queryTexts), sort: random.pick(SearchSort.allCases),
                                        limit: 1 + random.below(25))
                if random.below(3) == 0 { query.categoryID = random.pick([1, 2, 3, 11, 12, 21, 99]) }
                if random.below(3) == 0 { query.minPriceFen = Int64(random.below(20_000)) }
                if random.below(4) == 0 { query.inStockOnly = true }
                let expected = ExhaustiveSearch.ranking(query, index: index, signals: Self.signals)
                var seen: [SearchHit] = []
                var pages = 0
                repeat {
                    guard let page = try? index.search(query, signals: Self.signals).get() else {
                        Issue.record("\(query) failed")
                        return
                    }
                    #expect(page.total == expected.count, "\(query)")
                    seen += page.hits.map { SearchHit(productID: $0.productID, score: $0.score, highlightedName: "") }
                    query.cursor = page.nextCursor
                    pages += 1
                } while query.cursor != nil && pages < 30
                let prefix = Array(expected.prefix(seen.count))
                #expect(seen == prefix, "seed \(seed): \(query.text) \(query.sort)")
                if pages < 30 { #expect(seen.count == expected.count, "seed \(seed): \(query.text) \(query.sort) every page") }
            }
        }
    }

    @Test("an accumulator lent to queries of every size is left clear, and big after small works")
    func accumulatorReuse() throws {
        let big = Self.index(seed: 7, products: 2_000)
        let small = Self.index(seed: 8, products: 30)
        for (index, text) in [(big, "手机"), (small, "手机 黑色"), (big, "纯棉T恤 XL"), (small, "sjk"), (big, "红色 蓝色 绿色 黑色"),
                              (big, "zzz 手机"), (small, "")] {
            for sort in [SearchSort.relevance, .priceAsc] {
                let query = SearchQuery(text: text, sort: sort)
                let page = try index.search(query, signals: Self.signals).get()
                #expect(page.total == ExhaustiveSearch.ranking(query, index: index, signals: Self.signals).count, "\(text)")
            }
        }
        SearchAccumulatorPool.shared.withAccumulator { accumulator in
            #expect(accumulator.isClear)
        }
        #expect(SearchAccumulatorPool.shared.keptCount <= SearchAccumulatorPool.keptMax)
    }

    @Test("the accumulator keeps slots matching enough clauses, in slot order, once each")
    func accumulatorCounts() {
        let lists: [[UInt32]] = [[1, 3, 5, 7, 9], [3, 4, 5], [5, 9, 10], []]
        func postings(_ slots: [UInt32]) -> [SearchIndex.Posting] { slots.map { SearchIndex.Posting(slot: $0, frequencies: 1) } }
        for tracking in [0, 1_000] {  // a fill, then one by one
            var accumulator = SearchAccumulator()
            accumulator.begin(slotCount: 12, markedMax: tracking)
            for (clause, slots) in lists.enumerated() {
                accumulator.beginClause()
                accumulator.mark(.postings(postings(slots)), bit: 1 << clause)
                #expect(accumulator.clauseCount == slots.count)
            }
            let range = accumulator.recordIntersection(of: [postings([3, 5]), postings([1, 3, 5, 9])])
            #expect(Array(accumulator.intersections[range]) == [3, 5])
            accumulator.drive(.postings(postings(lists[1])), required: 2)
            accumulator.drive(.postings(postings(lists[2])), required: 2)
            accumulator.finish()
            #expect(accumulator.candidates.map { $0 >> 16 } == [3, 5, 9])
            #expect(accumulator.candidates.map { $0 & 0xFFFF } == [0b11, 0b111, 0b101])
            #expect(accumulator.isClear)
        }
        #expect(SearchLimits.clausesMax <= SearchAccumulator.ClauseMask.bitWidth, "a clause bit per planned clause")
    }

    @Test("galloping finds what binary search finds")
    func gallop() {
        let list: [UInt32] = [2, 4, 4, 8, 16, 23, 42, 42, 99]
        for start in 0...list.count {
            for slot in UInt32(0)...100 {
                #expect(SearchIndex.gallop(to: slot, in: list, from: start) { $0 }
                        == SearchIndex.lowerBound(of: slot, in: list, from: start) { $0 })
            }
        }
    }

    @Test("highlighting by numbers marks what comparing strings marks")
    func highlighter() {
        let index = Self.index(seed: 3, products: 200)
        for text in Self.queryTexts + ["豈", "\u{F900}手机"] {
            guard let plan = try? SearchQueryPlan(text: text, synonyms: index.synonyms) else { continue }
            let terms = Set(plan.clauses.flatMap { $0.alternatives.flatMap(\.terms) })
            let matcher = SearchHighlighter.Matcher(terms: terms)
            for slot in index.records.indices {
                guard let name = index.records[slot]?.name else { continue }
                for candidate in [name, name + " \u{F900}豈"] {
                    #expect(SearchHighlighter.highlight(candidate, matcher: matcher) == SearchHighlighter.highlight(candidate, terms: terms))
                }
            }
        }
    }
}

/// The evaluation before the accumulator: every alternative intersected and every
/// posting scored, clause lists merged, every match ranked. Kept as the reference the
/// faster path must equal.
enum ExhaustiveSearch {
    /// Every hit of the query, best first (score and product ID only).
    static func ranking(_ query: SearchQuery, index: SearchIndex, signals: (UInt64) -> SearchSignals) -> [SearchHit] {
        guard let plan = try? SearchQueryPlan(text: query.text, synonyms: index.synonyms) else { return [] }
        var scored: [(UInt32, Double)] = []
        if plan.isEmpty {
            scored = index.factsBySlot.indices.map { (UInt32($0), 0) }
        } else {
            scored = matches(of: plan, index: index)
        }
        var ranked: [(SearchRankKey, Double)] = []
        for (slot, score) in scored {
            let facts = index.factsBySlot[Int(slot)]
            guard facts.isLive else { continue }
            if let min = query.minPriceFen, facts.minPriceFen < min { continue }
            if let max = query.maxPriceFen, facts.minPriceFen > max { continue }
            if let category = query.categoryID, !(index.slotsByCategory[category] ?? []).contains(slot) { continue }
            let figures = signals(facts.productID)
            if query.inStockOnly && !figures.inStock { continue }
            let primary: Int64
            switch query.sort {
            case .relevance: primary = plan.isEmpty ? facts.createdAtMs : SearchIndex.quantised(score)
            case .sales: primary = figures.sales
            case .priceAsc: primary = -facts.minPriceFen
            case .priceDesc: primary = facts.minPriceFen
            case .newest: primary = facts.createdAtMs
            }
            ranked.append((SearchRankKey(primary: primary, productID: facts.productID), score))
        }
        ranked.sort { $1.0 < $0.0 }
        return ranked.map { key, score in
            SearchHit(productID: key.productID, score: plan.isEmpty ? 0 : Double(SearchIndex.quantised(score)) / SearchIndex.scoreScale,
                      highlightedName: "")
        }
    }

    static func matches(of plan: SearchQueryPlan, index: SearchIndex) -> [(UInt32, Double)] {
        var clauseResults: [[(UInt32, Double)]] = []
        var weights: [Double] = []
        let averages = index.averageFieldLengths()
        for clause in plan.clauses {
            var alternativeResults: [[(UInt32, Double)]] = []
            for alternative in clause.alternatives {
                let termIDs = alternative.terms.compactMap { index.termIDByText[$0] }
                guard termIDs.count == alternative.terms.count, !termIDs.isEmpty else { continue }
                let result = intersection(termIDs, weight: alternative.weight, averages: averages, index: index)
                guard !result.isEmpty else { continue }
                alternativeResults.append(result)
            }
            guard !alternativeResults.isEmpty else { continue }
            var merged: [(UInt32, Double)] = []
            if alternativeResults.count == 1 {
                merged = alternativeResults[0]
            } else {
                merge(alternativeResults, weights: [Double](repeating: 1, count: alternativeResults.count)) { slot, _, best, _ in
                    merged.append((slot, best))
                }
            }
            clauseResults.append(merged)
            weights.append(clause.weight * index.idf(documentFrequency: merged.count))
        }
        let planned = plan.clauses.count
        let required = planned <= 2 ? planned : (2 * planned + 2) / 3
        guard required > 0, clauseResults.count >= required else { return [] }
        var matches: [(UInt32, Double)] = []
        merge(clauseResults, weights: weights) { slot, sum, _, holding in
            guard holding >= required else { return }
            var score = sum
            let leafID = Int(index.factsBySlot[Int(slot)].leafCategoryID)
            if leafID != 0, SearchIndex.textEnds(plan.normalisedText, withCategory: index.leafCategoryNames[leafID]) {
                score *= SearchIndex.categoryHeadBonus
            }
            matches.append((slot, score))
        }
        return matches
    }

    static func intersection(_ termIDs: [UInt32], weight: Double, averages: [Double], index: SearchIndex) -> [(UInt32, Double)] {
        let lists = termIDs.map { index.postingsByTerm[Int($0)] }.sorted { $0.count < $1.count }
        guard let shortest = lists.first else { return [] }
        let scale = weight / Double(lists.count)
        var result: [(UInt32, Double)] = []
        outer: for posting in shortest {
            var found: [SearchIndex.Posting] = []
            for list in lists.dropFirst() {
                guard let match = list.first(where: { $0.slot == posting.slot }) else { continue outer }
                found.append(match)
            }
            var score = index.saturatedFrequency(posting, averages: averages)
            for match in found { score += index.saturatedFrequency(match, averages: averages) }
            result.append((posting.slot, score * scale))
        }
        return result
    }

    static func merge(_ lists: [[(UInt32, Double)]], weights: [Double], _ body: (UInt32, Double, Double, Int) -> Void) {
        var positions = [Int](repeating: 0, count: lists.count)
        while true {
            var lowest = UInt32.max
            var any = false
            for index in lists.indices where positions[index] < lists[index].count {
                any = true
                lowest = min(lowest, lists[index][positions[index]].0)
            }
            guard any else { return }
            var sum = 0.0
            var best = 0.0
            var holding = 0
            for index in lists.indices where positions[index] < lists[index].count {
                let entry = lists[index][positions[index]]
                guard entry.0 == lowest else { continue }
                let score = entry.1 * weights[index]
                sum += score
                best = max(best, score)
                holding += 1
                positions[index] += 1
            }
            body(lowest, sum, best, holding)
        }
    }
}
