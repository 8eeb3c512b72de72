@testable import Engine
import PropertyBased
import Testing

/// What the index keeps so that a query need not walk every product: the browse order
/// (a newest-first page without a walk) and the field lengths behind one-word score
/// bounds. Each must give what the full walk and exhaustive scoring give.
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

    /// Records an issue when the index is out of step. Inside a `propertyCheck` body a thrown
    /// error would end the body unreported (the library runs it under `try?`), so the
    /// bodies call this instead of `try index.checkInvariants()`.
    static func expectInvariants(_ index: SearchIndex, _ seed: Int) {
        do { try index.checkInvariants() } catch { Issue.record("seed \(seed): \(error)") }
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
    func browseOrderUnderChurn() async throws {
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
                if step % 16 == 0 { Self.expectInvariants(index, seed) }
            }
            Self.expectInvariants(index, seed)
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

    @Test("an index after churn scores like one built afresh from its live documents (the slot facts' lengths follow every upsert)")
    func slotFactsFollowChurn() async throws {
        let texts = ["手机", "红色", "新款 包邮", "纯棉T恤 XL", "sjk", "xl", "苹果手机", "水果 苹果", "15"]
        await propertyCheck(count: 20, input: Gen.int(in: 0...1_000_000)) { seed in
            var random = Seeded(state: UInt64(seed))
            var index = SearchIndex()
            var live: [UInt64: SearchDocument] = [:]
            for step in 0..<(60 + random.below(300)) {
                let productID = UInt64(1 + random.below(80))
                if random.below(4) == 0 {
                    index.remove(productID: productID)
                    live[productID] = nil
                } else {
                    // Same product, new text (other lengths), sometimes the same creation time.
                    var document = Self.document(productID, random: &random)
                    if let old = live[productID], random.below(2) == 0 { document.createdAtMs = old.createdAtMs }
                    if random.below(3) == 0 { document.name += " " + String(repeating: "红色 ", count: random.below(6)) }
                    index.upsert(document)
                    live[productID] = document
                }
                if step % 32 == 0 { Self.expectInvariants(index, seed) }
            }
            Self.expectInvariants(index, seed)
            var fresh = SearchIndex()
            for productID in live.keys.sorted() { if let document = live[productID] { fresh.upsert(document) } }
            for (slot, facts) in index.factsBySlot.enumerated() where facts.isLive {
                let freshSlot = fresh.slotByProductID[facts.productID].map(Int.init) ?? -1
                #expect(fresh.factsBySlot.indices.contains(freshSlot) && fresh.factsBySlot[freshSlot].fieldLengths == facts.fieldLengths,
                        "seed \(seed) slot \(slot)")
            }
            for text in texts {
                for limit in [3, 20] {
                    let query = SearchQuery(text: text, limit: limit)
                    #expect(Self.pages(query, index: index) == Self.pages(query, index: fresh),
                            "seed \(seed): \(text)")
                }
            }
        }
    }

    @Test("the invariant check reports a browse order or length count out of step, and no trap")
    func invariantViolations() throws {
        let index = SearchEvaluationTests.index(seed: 4, products: 50)
        try index.checkInvariants()
        var swapped = index
        swapped.browseOrder.swapAt(0, swapped.browseOrder.count - 1)
        #expect(throws: SearchIndex.InvariantViolation.self) { try swapped.checkInvariants() }
        var miscounted = index
        miscounted.fieldLengthCounts[0] += 1
        #expect(throws: SearchIndex.InvariantViolation.self) { try miscounted.checkInvariants() }
        var stale = index
        if let slot = stale.factsBySlot.firstIndex(where: \.isLive) { stale.factsBySlot[slot].fieldLengths += 1 }
        #expect(throws: SearchIndex.InvariantViolation.self) { try stale.checkInvariants() }
        var leftOver = index
        if let slot = leftOver.factsBySlot.firstIndex(where: { !$0.isLive }) {
            leftOver.factsBySlot[slot].fieldLengths = 1
            #expect(throws: SearchIndex.InvariantViolation.self) { try leftOver.checkInvariants() }
        }
    }

    @Test("a one-word score bound is never below the score of a posting with those frequencies")
    func oneWordBound() throws {
        for seed: UInt64 in [1, 2, 3] {
            var index = SearchEvaluationTests.index(seed: seed, products: 300)
            // A long name and a one-token one stretch the length range.
            index.upsert(SearchDocument(productID: 9_001, name: String(repeating: "手机 ", count: 80), minPriceFen: 1, maxPriceFen: 1,
                                        createdAtMs: 0))
            index.upsert(SearchDocument(productID: 9_002, name: "XL", keywords: "XL XL", minPriceFen: 1, maxPriceFen: 1, createdAtMs: 0))
            try index.checkInvariants()
            let averages = index.averageFieldLengths()
            let lengthsMin = index.fieldLengthsMin()
            #expect(lengthsMin[SearchIndex.Field.name.rawValue] == 1)
            for postings in index.postingsByTerm {
                for posting in postings {
                    let bound = index.saturatedFrequencyBound(posting.frequencies, averages: averages, lengthsMin: lengthsMin)
                    #expect(bound >= index.saturatedFrequency(posting, averages: averages))
                }
            }
        }
    }

    @Test("one-word pages ranked within frequency classes equal exhaustive scoring, page after page")
    func oneWordPages() async {
        let words = ["新款", "红色", "黑色", "包邮", "透明", "xl", "15", "256gb", "pro", "手机", "水果"]
        await propertyCheck(count: 25, input: Gen.int(in: 0...1_000_000)) { seed in
            var random = Seeded(state: UInt64(seed))
            let index = SearchEvaluationTests.index(seed: UInt64(seed), products: 50 + random.below(500))
            for _ in 0..<8 {
                var query = SearchQuery(text: random.pick(words), limit: 1 + random.below(6))
                if random.below(3) == 0 { query.minPriceFen = Int64(random.below(20_000)) }
                if random.below(4) == 0 { query.inStockOnly = true }
                if random.below(4) == 0 { query.categoryID = random.pick([1, 2, 11, 21]) }
                let pages = Self.pages(query, index: index)
                let expected = ExhaustiveSearch.ranking(query, index: index, signals: SearchEvaluationTests.signals)
                let seen = pages.flatMap(\.hits).map { SearchHit(productID: $0.productID, score: $0.score, highlightedName: "") }
                #expect(seen == Array(expected.prefix(seen.count)), "seed \(seed): \(query.text)")
                if pages.count < 50 { #expect(seen.count == expected.count, "seed \(seed): \(query.text) every page") }
                #expect(pages.allSatisfy { $0.total == expected.count })
            }
        }
    }
}
