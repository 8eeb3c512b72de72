import Foundation

extension SearchIndex {
    /// BM25F parameters and field weights (name > keywords > category names > attributes).
    static let k1 = 1.2
    static let b = 0.75
    static let fieldWeights: [Double] = [3.0, 1.5, 1.0, 0.5]
    /// A product whose own category the query ends with ("苹果手机" and 手机) scores this much more.
    static let categoryHeadBonus = 1.5
    /// Scores are ranked and shown rounded to millionths, and bounded, so that ranking
    /// compares integers and a cursor holds the exact key.
    static let scoreScale = 1_000_000.0
    static let scoreMax = 1e12

    /// A document that matched, with its score.
    struct ScoredSlot: Sendable {
        var slot: UInt32
        var score: Double
    }

    /// One page of products matching the query.
    ///
    /// Text is planned into clauses (`SearchQueryPlan`); a product must match all of up
    /// to two clauses, or two thirds (rounded up) of more, so "手机壳" needs 手机 and 机壳
    /// and one stray word in a three-word query does not empty the list. With no text
    /// (or only punctuation) it browses.
    /// - Parameter signals: sales and stock per product ID, asked only when the query
    ///   filters on stock or sorts by sales, once per matching product.
    /// - Complexity: O(postings of the query's terms + matches × log(limit)).
    public func search(_ query: SearchQuery, signals: (UInt64) -> SearchSignals) -> Result<SearchPage, SearchQueryError> {
        Result { () throws(SearchQueryError) in try page(query, signals: signals) }
    }

    private func page(_ query: SearchQuery, signals: (UInt64) -> SearchSignals) throws(SearchQueryError) -> SearchPage {
        if let min = query.minPriceFen, min < 0 { throw .invalidPriceRange }
        if let max = query.maxPriceFen, max < 0 { throw .invalidPriceRange }
        if let min = query.minPriceFen, let max = query.maxPriceFen, min > max { throw .invalidPriceRange }
        var cursor: SearchCursor?
        if let text = query.cursor { cursor = try SearchCursor(decoding: text, expectedSort: query.sort) }
        let plan = try SearchQueryPlan(text: query.text, synonyms: synonyms)
        let limit = min(max(query.limit, SearchLimits.pageLimitRange.lowerBound), SearchLimits.pageLimitRange.upperBound)

        var collector = SearchCollector(
            query: query, factsBySlot: factsBySlot, categorySlots: query.categoryID.map { slotsByCategory[$0] ?? [] },
            hasText: !plan.isEmpty, selection: TopSelection(limit: limit, after: cursor?.key))
        var highlightTerms = Set<String>()
        if plan.isEmpty {
            // Browsing walks the newest slots first (new products take new slots), so
            // that a newest-first page fills early and the rest is rejected in O(1).
            if let categorySlots = collector.categorySlots {
                collector.isCategoryChecked = true
                for slot in categorySlots.reversed() { collector.consider(slot, score: 0, signals: signals) }
            } else {
                for slot in factsBySlot.indices.reversed() { collector.consider(UInt32(slot), score: 0, signals: signals) }
            }
        } else {
            let (matches, terms) = matches(of: plan)
            highlightTerms = terms
            for match in matches { collector.consider(match.slot, score: match.score, signals: signals) }
        }
        let hasText = collector.hasText
        let selection = collector.selection
        let total = collector.total
        let chosen = selection.sorted
        let hits = chosen.compactMap { entry -> SearchHit? in
            guard let record = records[Int(entry.slot)] else { return nil }
            return SearchHit(productID: record.productID, score: hasText ? Double(Self.quantised(entry.score)) / Self.scoreScale : 0,
                             highlightedName: SearchHighlighter.highlight(record.name, terms: highlightTerms))
        }
        let nextCursor = selection.hasMore ? chosen.last.map { SearchCursor(sort: query.sort, key: $0.key).encoded } : nil
        return SearchPage(hits: hits, nextCursor: nextCursor, total: total)
    }

    static func quantised(_ score: Double) -> Int64 {
        guard score.isFinite, score > 0 else { return 0 }
        return Int64((min(score, scoreMax) * scoreScale).rounded())
    }

    /// The documents matching enough clauses, by slot, with their scores; and the terms
    /// that took part, for highlighting.
    ///
    /// A clause scores as one concept: the saturated, field-weighted term frequency of
    /// its best alternative (times the alternative's weight) times the IDF of the clause
    /// as a whole, so that a rare synonym does not outrank the word the shopper typed.
    func matches(of plan: SearchQueryPlan) -> (matches: [ScoredSlot], terms: Set<String>) {
        var clauseResults: [[ScoredSlot]] = []
        var weights: [Double] = []
        var terms = Set<String>()
        let averages = averageFieldLengths()
        for clause in plan.clauses {
            var alternativeResults: [[ScoredSlot]] = []
            for alternative in clause.alternatives {
                let termIDs = alternative.terms.compactMap { termIDByText[$0] }
                guard termIDs.count == alternative.terms.count, !termIDs.isEmpty else { continue }
                let result = intersection(termIDs, weight: alternative.weight, averages: averages)
                guard !result.isEmpty else { continue }
                alternativeResults.append(result)
                terms.formUnion(alternative.terms)
            }
            guard !alternativeResults.isEmpty else { continue }  // no product has it
            let merged = Self.union(alternativeResults)
            clauseResults.append(merged)
            weights.append(clause.weight * idf(documentFrequency: merged.count))
        }
        // Counted over the planned clauses, matched or not: "手机壳" needs 机壳 even when
        // no product has it, or it would list every phone.
        let planned = plan.clauses.count
        let required = planned <= 2 ? planned : (2 * planned + 2) / 3
        guard required > 0, clauseResults.count >= required else { return ([], terms) }
        // Per leaf category: 0 not yet known, 1 the query ends with it, 2 it does not.
        var headByLeaf = [UInt8](repeating: 0, count: leafCategoryNames.count)
        var matches: [ScoredSlot] = []
        Self.merge(clauseResults, weights: weights) { slot, sum, _, matchedClauses in
            guard matchedClauses >= required else { return }
            var score = sum
            let leafID = factsBySlot[Int(slot)].leafCategoryID
            if leafID != 0 {
                if headByLeaf[Int(leafID)] == 0 {
                    headByLeaf[Int(leafID)] = Self.textEnds(plan.normalisedText, withCategory: leafCategoryNames[Int(leafID)]) ? 1 : 2
                }
                if headByLeaf[Int(leafID)] == 1 { score *= Self.categoryHeadBonus }
            }
            matches.append(ScoredSlot(slot: slot, score: score))
        }
        return (matches, terms)
    }

    /// Documents holding every term, scored by the mean of their saturated field-weighted
    /// term frequencies (BM25F without the IDF) times `weight`.
    func intersection(_ termIDs: [UInt32], weight: Double, averages: [Double]) -> [ScoredSlot] {
        let lists = termIDs.map { postingsByTerm[Int($0)] }.sorted { $0.count < $1.count }
        guard let shortest = lists.first else { return [] }
        var positions = [Int](repeating: 0, count: lists.count)
        let scale = weight / Double(lists.count)
        var result: [ScoredSlot] = []
        outer: for posting in shortest {
            // Membership first: most postings of the shortest list are not in the others,
            // and scoring is the dearer part.
            for listIndex in 1..<lists.count {
                let list = lists[listIndex]
                let position = Self.lowerBound(of: posting.slot, in: list, from: positions[listIndex]) { $0.slot }
                positions[listIndex] = position
                guard position < list.count, list[position].slot == posting.slot else { continue outer }
            }
            var score = saturatedFrequency(posting, averages: averages)
            for listIndex in 1..<lists.count { score += saturatedFrequency(lists[listIndex][positions[listIndex]], averages: averages) }
            result.append(ScoredSlot(slot: posting.slot, score: score * scale))
        }
        return result
    }

    func idf(documentFrequency: Int) -> Double {
        let documents = Double(count)
        let frequency = Double(documentFrequency)
        return log(1 + max(documents - frequency + 0.5, 0) / (frequency + 0.5))
    }

    /// Per field, `b` over the average length: what a document's length is multiplied by
    /// in BM25's length norm (so scoring a posting divides once per field, not twice).
    func averageFieldLengths() -> [Double] {
        let documents = Double(max(count, 1))
        return fieldLengthTotals.map { Self.b / max(Double($0) / documents, 1) }
    }

    func saturatedFrequency(_ posting: Posting, averages: [Double]) -> Double {
        let lengths = fieldLengthsBySlot[Int(posting.slot)]
        var weighted = 0.0
        for field in 0..<Self.fieldWeights.count {
            let frequency = (posting.frequencies >> (UInt32(field) * 8)) & 0xFF
            guard frequency > 0 else { continue }
            let length = Double((lengths >> (UInt64(field) * 16)) & 0xFFFF)
            let norm = 1 - Self.b + length * averages[field]
            weighted += Self.fieldWeights[field] * Double(frequency) / norm
        }
        return weighted * (Self.k1 + 1) / (weighted + Self.k1)
    }

    /// Whether the query text ends with a product's own category name ("苹果手机" with
    /// 手机): as text at a word boundary, or as its pinyin or initials ("pingguoshouji").
    static func textEnds(_ text: String, withCategory leaf: String, pinyin: PinyinTable = .shared) -> Bool {
        if text.hasSuffix(leaf) {
            let before = text.dropLast(leaf.count)
            guard let previous = before.unicodeScalars.last, let first = leaf.unicodeScalars.first else { return true }
            if previous == " " || (SearchTokenizer.isCJK(first) && SearchTokenizer.isCJK(previous)) { return true }
        }
        guard leaf.unicodeScalars.count >= 2, leaf.unicodeScalars.allSatisfy(SearchTokenizer.isCJK) else { return false }
        if let spelling = pinyin.spelling(of: leaf.unicodeScalars), text.hasSuffix(spelling) { return true }
        if let initials = pinyin.initials(of: leaf.unicodeScalars), text.hasSuffix(initials),
            PinyinTable.isInitials(String(text.split(separator: " ").last ?? "")) {
            return true
        }
        return false
    }

    /// Walks lists sorted by slot together: for each slot in any of them, `body` gets the
    /// slot, the sum of its weighted scores, their maximum and the number of lists holding it.
    /// - Complexity: O(n × k) for n entries in k lists (k is small: alternatives or clauses).
    static func merge(_ lists: [[ScoredSlot]], weights: [Double], _ body: (UInt32, Double, Double, Int) -> Void) {
        var positions = [Int](repeating: 0, count: lists.count)
        while true {
            var lowest = UInt32.max
            var any = false
            for index in lists.indices where positions[index] < lists[index].count {
                any = true
                lowest = min(lowest, lists[index][positions[index]].slot)
            }
            guard any else { return }
            var sum = 0.0
            var best = 0.0
            var holding = 0
            for index in lists.indices where positions[index] < lists[index].count {
                let entry = lists[index][positions[index]]
                guard entry.slot == lowest else { continue }
                let score = entry.score * weights[index]
                sum += score
                best = max(best, score)
                holding += 1
                positions[index] += 1
            }
            body(lowest, sum, best, holding)
        }
    }

    /// The union of lists sorted by slot, each slot with its best score.
    static func union(_ lists: [[ScoredSlot]]) -> [ScoredSlot] {
        if lists.count == 1 { return lists[0] }
        var result: [ScoredSlot] = []
        result.reserveCapacity(lists.map(\.count).max() ?? 0)
        merge(lists, weights: [Double](repeating: 1, count: lists.count)) { slot, _, best, _ in
            result.append(ScoredSlot(slot: slot, score: best))
        }
        return result
    }
}

/// Filters candidates, counts them and keeps the best for the page. A struct with
/// mutating methods rather than a closure over local variables: captured variables
/// are boxed and every access to them is checked for exclusivity, which cost more than
/// the filtering itself on a 25,000-product browse.
struct SearchCollector {
    let query: SearchQuery
    let factsBySlot: [SearchIndex.SlotFacts]
    /// The filter category's slots, sorted; candidates come in slot order, so it is walked once.
    let categorySlots: [UInt32]?
    let hasText: Bool
    var selection: TopSelection
    var total = 0
    var categoryPosition = 0
    /// Set when the candidates are the category's own list: no look-up needed.
    var isCategoryChecked = false

    init(query: SearchQuery, factsBySlot: [SearchIndex.SlotFacts], categorySlots: [UInt32]?, hasText: Bool, selection: TopSelection) {
        self.query = query
        self.factsBySlot = factsBySlot
        self.categorySlots = categorySlots
        self.hasText = hasText
        self.selection = selection
    }

    mutating func consider(_ slot: UInt32, score: Double, signals: (UInt64) -> SearchSignals) {
        let facts = factsBySlot[Int(slot)]
        guard facts.isLive else { return }
        if let min = query.minPriceFen, facts.minPriceFen < min { return }
        if let max = query.maxPriceFen, facts.minPriceFen > max { return }
        if let categorySlots, !isCategoryChecked {
            categoryPosition = SearchIndex.lowerBound(of: slot, in: categorySlots, from: categoryPosition) { $0 }
            guard categoryPosition < categorySlots.count, categorySlots[categoryPosition] == slot else { return }
        }
        var sales: Int64 = 0
        if query.inStockOnly || query.sort == .sales {
            let figures = signals(facts.productID)
            if query.inStockOnly && !figures.inStock { return }
            sales = figures.sales
        }
        total += 1
        let primary: Int64
        switch query.sort {
        case .relevance: primary = hasText ? SearchIndex.quantised(score) : facts.createdAtMs
        case .sales: primary = sales
        case .priceAsc: primary = -facts.minPriceFen  // prices are clamped to ≥ 0 on upsert
        case .priceDesc: primary = facts.minPriceFen
        case .newest: primary = facts.createdAtMs
        }
        selection.offer(SearchRankKey(primary: primary, productID: facts.productID), slot: slot, score: score)
    }
}

/// The best `limit` keys ranking after a cursor, in a min-heap whose root is the worst
/// kept; counts how many ranked after the cursor, so the page knows whether another follows.
struct TopSelection {
    struct Entry {
        var key: SearchRankKey
        var slot: UInt32
        var score: Double
    }

    let limit: Int
    let after: SearchRankKey?
    private var heap: [Entry] = []
    private(set) var candidatesAfterCursor = 0

    init(limit: Int, after: SearchRankKey?) {
        self.limit = limit
        self.after = after
        heap.reserveCapacity(limit)
    }

    var hasMore: Bool { candidatesAfterCursor > limit }

    /// The entries kept, best first.
    var sorted: [Entry] { heap.sorted { $1.key < $0.key } }

    /// - Complexity: O(1) for a key no better than the worst kept, else O(log limit).
    mutating func offer(_ key: SearchRankKey, slot: UInt32, score: Double) {
        if let after, !(key < after) { return }
        candidatesAfterCursor += 1
        let entry = Entry(key: key, slot: slot, score: score)
        if heap.count < limit {
            heap.append(entry)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child].key < heap[parent].key else { break }
                heap.swapAt(child, parent)
                child = parent
            }
            return
        }
        guard let worst = heap.first, worst.key < key else { return }
        heap[0] = entry
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            let smaller = right < heap.count && heap[right].key < heap[left].key ? right : left
            guard heap[smaller].key < heap[parent].key else { break }
            heap.swapAt(smaller, parent)
            parent = smaller
        }
    }
}
