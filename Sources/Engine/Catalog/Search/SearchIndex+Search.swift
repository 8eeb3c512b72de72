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
    /// Text is planned into clauses (`SearchQueryPlan`); clauses whose terms no product
    /// has are dropped; a product must then match all of up to two clauses, or two
    /// thirds (rounded up) of more, so "手机壳" needs 手机 and 机壳 and one stray word
    /// in a long query does not empty the list. With no text it browses.
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

        var selection = TopSelection(limit: limit, after: cursor?.key)
        var total = 0
        func consider(_ slot: UInt32, score: Double) {
            guard let record = records[Int(slot)], passesFilters(record, query) else { return }
            var sales: Int64 = 0
            if query.inStockOnly || query.sort == .sales {
                let figures = signals(record.productID)
                if query.inStockOnly && !figures.inStock { return }
                sales = figures.sales
            }
            total += 1
            let key = SearchRankKey(primary: Self.primaryKey(record, sort: query.sort, score: score, hasText: !plan.isEmpty, sales: sales),
                                    productID: record.productID)
            selection.offer(key, slot: slot, score: score)
        }
        var highlightTerms = Set<String>()
        if plan.isEmpty {
            if let categoryID = query.categoryID {
                for slot in slotsByCategory[categoryID] ?? [] { consider(slot, score: 0) }
            } else {
                for slot in records.indices where records[slot] != nil { consider(UInt32(slot), score: 0) }
            }
        } else {
            let (matches, terms) = matches(of: plan)
            highlightTerms = terms
            for match in matches { consider(match.slot, score: match.score) }
        }
        let chosen = selection.sorted
        let hits = chosen.compactMap { entry -> SearchHit? in
            guard let record = records[Int(entry.slot)] else { return nil }
            return SearchHit(productID: record.productID, score: plan.isEmpty ? 0 : Double(Self.quantised(entry.score)) / Self.scoreScale,
                             highlightedName: SearchHighlighter.highlight(record.name, terms: highlightTerms))
        }
        let nextCursor = selection.hasMore ? chosen.last.map { SearchCursor(sort: query.sort, key: $0.key).encoded } : nil
        return SearchPage(hits: hits, nextCursor: nextCursor, total: total)
    }

    private func passesFilters(_ record: Record, _ query: SearchQuery) -> Bool {
        if let min = query.minPriceFen, record.minPriceFen < min { return false }
        if let max = query.maxPriceFen, record.minPriceFen > max { return false }
        if let categoryID = query.categoryID, !record.categoryIDs.contains(categoryID) { return false }
        return true
    }

    static func primaryKey(_ record: Record, sort: SearchSort, score: Double, hasText: Bool, sales: Int64) -> Int64 {
        switch sort {
        case .relevance: hasText ? quantised(score) : record.createdAtMs
        case .sales: sales
        case .priceAsc: -record.minPriceFen  // prices are clamped to ≥ 0 on upsert
        case .priceDesc: record.minPriceFen
        case .newest: record.createdAtMs
        }
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
            guard !alternativeResults.isEmpty else { continue }  // no product has it: not required
            let merged = Self.merge(alternativeResults) { scores in scores.max() ?? 0 }.map(\.0)
            clauseResults.append(merged)
            weights.append(clause.weight * idf(documentFrequency: merged.count))
        }
        let clauseCount = clauseResults.count
        guard clauseCount > 0 else { return ([], terms) }
        let required = clauseCount <= 2 ? clauseCount : (2 * clauseCount + 2) / 3
        var headByLeaf: [String: Bool] = [:]
        var matches: [ScoredSlot] = []
        for (scored, matchedClauses) in Self.merge(clauseResults, weights: weights) where matchedClauses >= required {
            var scored = scored
            if let leaf = records[Int(scored.slot)]?.leafCategory, !leaf.isEmpty {
                let isHead = headByLeaf[leaf] ?? Self.textEnds(plan.normalisedText, withCategory: leaf)
                headByLeaf[leaf] = isHead
                if isHead { scored.score *= Self.categoryHeadBonus }
            }
            matches.append(scored)
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
            var score = saturatedFrequency(posting, averages: averages)
            for listIndex in 1..<lists.count {
                let list = lists[listIndex]
                let position = Self.lowerBound(of: posting.slot, in: list, from: positions[listIndex]) { $0.slot }
                positions[listIndex] = position
                guard position < list.count, list[position].slot == posting.slot else { continue outer }
                score += saturatedFrequency(list[position], averages: averages)
            }
            result.append(ScoredSlot(slot: posting.slot, score: score * scale))
        }
        return result
    }

    func idf(documentFrequency: Int) -> Double {
        let documents = Double(count)
        let frequency = Double(documentFrequency)
        return log(1 + max(documents - frequency + 0.5, 0) / (frequency + 0.5))
    }

    func averageFieldLengths() -> [Double] {
        let documents = Double(max(count, 1))
        return fieldLengthTotals.map { max(Double($0) / documents, 1) }
    }

    func saturatedFrequency(_ posting: Posting, averages: [Double]) -> Double {
        let lengths = fieldLengthsBySlot[Int(posting.slot)]
        var weighted = 0.0
        for field in Field.allCases {
            let frequency = posting.frequency(field)
            guard frequency > 0 else { continue }
            let length = Double((lengths >> (UInt64(field.rawValue) * 16)) & 0xFFFF)
            let norm = 1 - Self.b + Self.b * length / averages[field.rawValue]
            weighted += Self.fieldWeights[field.rawValue] * Double(frequency) / norm
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

    /// Walks lists sorted by slot together: for each slot in any, the combined score of
    /// the lists holding it.
    static func merge(_ lists: [[ScoredSlot]], combine: ([Double]) -> Double) -> [(ScoredSlot, Int)] {
        if lists.count == 1 { return lists[0].map { ($0, 1) } }
        var positions = [Int](repeating: 0, count: lists.count)
        var result: [(ScoredSlot, Int)] = []
        var scores: [Double] = []
        while true {
            var lowest = UInt32.max
            var any = false
            for (index, list) in lists.enumerated() where positions[index] < list.count {
                lowest = min(lowest, list[positions[index]].slot)
                any = true
            }
            guard any else { break }
            scores.removeAll(keepingCapacity: true)
            for (index, list) in lists.enumerated() where positions[index] < list.count && list[positions[index]].slot == lowest {
                scores.append(list[positions[index]].score)
                positions[index] += 1
            }
            result.append((ScoredSlot(slot: lowest, score: combine(scores)), scores.count))
        }
        return result
    }

    /// Clause results merged: the weighted sum of clause scores and the clauses matched.
    static func merge(_ lists: [[ScoredSlot]], weights: [Double]) -> [(ScoredSlot, Int)] {
        let weighted = zip(lists, weights).map { list, weight in list.map { ScoredSlot(slot: $0.slot, score: $0.score * weight) } }
        return merge(weighted) { $0.reduce(0, +) }
    }
}

/// The best `limit` keys ranking after a cursor, kept sorted best first; counts how
/// many there were, so the page knows whether another follows.
struct TopSelection {
    struct Entry {
        var key: SearchRankKey
        var slot: UInt32
        var score: Double
    }

    let limit: Int
    let after: SearchRankKey?
    private(set) var sorted: [Entry] = []
    private(set) var candidatesAfterCursor = 0

    init(limit: Int, after: SearchRankKey?) {
        self.limit = limit
        self.after = after
        sorted.reserveCapacity(limit + 1)
    }

    var hasMore: Bool { candidatesAfterCursor > limit }

    mutating func offer(_ key: SearchRankKey, slot: UInt32, score: Double) {
        if let after, !(key < after) { return }
        candidatesAfterCursor += 1
        if sorted.count == limit, let worst = sorted.last, !(worst.key < key) { return }
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if key < sorted[middle].key { low = middle + 1 } else { high = middle }
        }
        sorted.insert(Entry(key: key, slot: slot, score: score), at: low)
        if sorted.count > limit { sorted.removeLast() }
    }
}
