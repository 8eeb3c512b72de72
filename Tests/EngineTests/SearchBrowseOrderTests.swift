@testable import Engine
import PropertyBased
import Testing

/// What the index keeps so that a query need not walk every product: the browse order
/// (a newest-first page without a walk). It must give what the full walk gives.
@Suite("Search browse order and bounds")
struct SearchBrowseOrderTests {
    typealias Seeded = SearchEvaluationTests.Seeded

    static func document(_ productID: UInt64, random: inout Seeded) -> SearchDocument {
        let words = SearchEvaluationTests.words
        let price = Int64(random.below(5_000))
        return SearchDocument(
            productID: productID, name: (0...random.below(3)).map { _ in random.pick(words) }.joined(separator: " "),
            keywords: random.pick(words), categoryIDs: [1 + UInt64(random.below(3))], categoryNames: ["类"],
            attributes: [random.pick(words)], minPriceFen: price, maxPriceFen: price, createdAtMs: Int64(random.below(40)))
    }

    /// Every page of `query` by cursor; stops at 50 pages.
    static func pages(_ query: SearchQuery, index: SearchIndex) -> [SearchPage] {
        var query = query
        var pages: [SearchPage] = []
        repeat {
            guard let page = try? index.search(query, signals: SearchEvaluationTests.signals).get() else { return pages }
            pages.append(page)
            query.cursor = page.nextCursor
        } while query.cursor != nil && pages.count < 50
        return pages
    }

    @Test("the browse order and count follow new products, updates, off-shelf and re-publish, and page like a full walk")
    func browseOrderUnderChurn() async {
        await propertyCheck(count: 30, input: Gen.int(in: 0...1_000_000)) { seed in
            var random = Seeded(state: UInt64(seed))
            var index = SearchIndex()
            var live: [UInt64: SearchDocument] = [:]
            var offShelf: [UInt64: SearchDocument] = [:]
            var nextID: UInt64 = 1
            for step in 0..<(40 + random.below(250)) {
                let liveIDs = live.keys.sorted()
                switch random.below(6) {
                case 0, 1:  // a new product; creation times collide on purpose
                    let document = Self.document(nextID, random: &random)
                    nextID += 1
                    index.upsert(document)
                    live[document.productID] = document
                case 2 where !liveIDs.isEmpty:  // edited: same creation time, new text and price
                    var document = Self.document(random.pick(liveIDs), random: &random)
                    document.createdAtMs = live[document.productID]?.createdAtMs ?? 0
                    index.upsert(document)
                    live[document.productID] = document
                case 3 where !liveIDs.isEmpty:  // replaced with another creation time
                    let document = Self.document(random.pick(liveIDs), random: &random)
                    index.upsert(document)
                    live[document.productID] = document
                case 4 where !liveIDs.isEmpty:  // taken off the shelf (or deleted): removed
                    let productID = random.pick(liveIDs)
                    index.remove(productID: productID)
                    offShelf[productID] = live.removeValue(forKey: productID)
                case 5 where !offShelf.isEmpty:  // put back on the shelf as it was
                    let productID = random.pick(offShelf.keys.sorted())
                    guard let document = offShelf.removeValue(forKey: productID) else { break }
                    index.upsert(document)
                    live[productID] = document
                default:
                    index.remove(productID: nextID + 1_000)  // unknown: nothing happens
                }
                if step % 16 == 0 { index.checkInvariants() }
            }
            index.checkInvariants()
            #expect(index.browseOrder.count == live.count)
            for sort in [SearchSort.relevance, .newest] {
                let query = SearchQuery(sort: sort, limit: 1 + random.below(12))
                let fast = Self.pages(query, index: index)
                // A price floor of 0 filters nothing (prices are ≥ 0) but takes the walk.
                var walked = query
                walked.minPriceFen = 0
                #expect(fast == Self.pages(walked, index: index), "seed \(seed) \(sort)")
                let expected = ExhaustiveSearch.ranking(query, index: index, signals: SearchEvaluationTests.signals)
                let seen = fast.flatMap(\.hits).map(\.productID)
                #expect(seen == Array(expected.prefix(seen.count)).map(\.productID), "seed \(seed) \(sort)")
                if fast.count < 50 { #expect(seen.count == expected.count, "seed \(seed) \(sort) every page") }
                #expect(fast.allSatisfy { $0.total == live.count })
            }
        }
    }
}
