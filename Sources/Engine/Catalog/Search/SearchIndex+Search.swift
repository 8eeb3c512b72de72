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
        if plan.isEmpty, query.categoryID == nil, query.minPriceFen == nil, query.maxPriceFen == nil, !query.inStockOnly,
            query.sort == .relevance || query.sort == .newest {
            return newestPage(sort: query.sort, after: cursor?.key, limit: limit)
        }

        var collector = SearchCollector(
            query: query, factsBySlot: factsBySlot, categorySlots: query.categoryID.map { slotsByCategory[$0] ?? [] },
            hasText: !plan.isEmpty, selection: TopSelection(limit: limit, after: cursor?.key))
        var highlightTerms = Set<String>()
        if plan.isEmpty {
            // Browsing walks the newest slots first (new products take new slots), so
            // that a newest-first page fills early and the rest is rejected in O(1).
            if let categorySlots = collector.categorySlots {
                collector.isCategoryChecked = true
                let last = categorySlots.count - 1
                forEachReadingAhead(count: categorySlots.count, slot: { categorySlots[last - $0] }) { position, facts in
                    let slot = categorySlots[last - position]
                    guard let admitted = collector.admit(slot, facts: facts, signals: signals) else { return }
                    collector.offer(admitted, slot: slot, score: 0)
                }
            } else {
                for slot in factsBySlot.indices.reversed() { collector.consider(UInt32(slot), score: 0, signals: signals) }
            }
        } else {
            highlightTerms = SearchAccumulatorPool.shared.withAccumulator { accumulator in
                let (terms, scorer) = evaluate(plan, accumulator: &accumulator, collector: &collector, signals: signals)
                if var scorer, query.sort != .relevance { scoreChosen(&collector.selection, scorer: &scorer, plan: plan) }
                return terms
            }
        }
        let hasText = collector.hasText
        let selection = collector.selection
        let total = collector.total
        let chosen = selection.sorted
        let matcher = SearchHighlighter.Matcher(terms: highlightTerms)
        let hits = chosen.compactMap { entry -> SearchHit? in
            guard let record = records[Int(entry.slot)] else { return nil }
            return SearchHit(productID: record.productID, score: hasText ? Double(Self.quantised(entry.score)) / Self.scoreScale : 0,
                             highlightedName: SearchHighlighter.highlight(record.name, matcher: matcher))
        }
        let nextCursor = selection.hasMore ? chosen.last.map { SearchCursor(sort: query.sort, key: $0.key).encoded } : nil
        return SearchPage(hits: hits, nextCursor: nextCursor, total: total)
    }

    /// A browse with no filter, newest first: its page is the end of `browseOrder` below
    /// the cursor and its total is every product, so nothing is walked. The same page as
    /// admitting every product (the key is `createdAtMs`, then product ID, either way).
    /// - Complexity: O(log n + limit).
    func newestPage(sort: SearchSort, after: SearchRankKey?, limit: Int) -> SearchPage {
        // Entries below `end` rank after the cursor; the page is the last `limit` of them.
        let end = after.map { browseEntries(below: $0) } ?? browseOrder.count
        let start = max(end - limit, 0)
        let matcher = SearchHighlighter.Matcher(terms: [])
        let hits = browseOrder[start..<end].reversed().compactMap { slot -> SearchHit? in
            guard let record = records[Int(slot)] else { return nil }  // unreachable: the order holds live slots
            return SearchHit(productID: record.productID, score: 0, highlightedName: SearchHighlighter.highlight(record.name, matcher: matcher))
        }
        let nextCursor = end > limit ? SearchCursor(sort: sort, key: browseKey(of: browseOrder[start])).encoded : nil
        return SearchPage(hits: hits, nextCursor: nextCursor, total: count)
    }

    /// Scores the hits kept by an order that does not rank on the score (a page shows it
    /// all the same): only they are scored, not every match.
    func scoreChosen(_ selection: inout TopSelection, scorer: inout SearchMatchScorer, plan: SearchQueryPlan) {
        scorer.rewind()
        var headByLeaf = [UInt8](repeating: 0, count: leafCategoryNames.count)
        selection.rescore(inSlotOrder: { slot in
            let score = scorer.score(of: slot, mask: .max, in: self)
            return headBonused(score, leafID: factsBySlot[Int(slot)].leafCategoryID, plan: plan, cache: &headByLeaf)
        })
    }

    static func quantised(_ score: Double) -> Int64 {
        guard score.isFinite, score > 0 else { return 0 }
        return Int64((min(score, scoreMax) * scoreScale).rounded())
    }

    /// Finds the documents matching enough of the plan's clauses and hands each to the
    /// collector in slot order, scored when the order needs the score; returns the terms
    /// that took part, for highlighting.
    ///
    /// A clause scores as one concept: the saturated, field-weighted term frequency of
    /// its best alternative (times the alternative's weight) times the IDF of the clause
    /// as a whole, so that a rare synonym does not outrank the word the shopper typed.
    ///
    /// Two passes: the first marks, per slot, the clauses whose alternatives hold it
    /// (`SearchAccumulator`) and counts each clause's documents for its IDF; the second
    /// reads the slots that matched enough clauses and scores only those the filters
    /// keep, walking each alternative's lists forward with cursors (`SearchMatchScorer`).
    func evaluate(
        _ plan: SearchQueryPlan, accumulator: inout SearchAccumulator, collector: inout SearchCollector,
        signals: (UInt64) -> SearchSignals
    ) -> (terms: Set<String>, scorer: SearchMatchScorer?) {
        typealias ClauseMask = SearchAccumulator.ClauseMask
        var terms = Set<String>()
        var scorer = SearchMatchScorer(averages: averageFieldLengths())
        // Per planned clause, the runs of its alternatives that some document has.
        var runsByClause: [[SearchAccumulator.Run]] = []
        var markedMax = 0
        var resolved: [(clause: Int, alternative: SearchQueryPlan.Alternative, lists: [[Posting]])] = []
        for (clauseIndex, clause) in plan.clauses.prefix(ClauseMask.bitWidth).enumerated() {
            runsByClause.append([])
            for alternative in clause.alternatives {
                let termIDs = alternative.terms.compactMap { termIDByText[$0] }
                guard termIDs.count == alternative.terms.count, !termIDs.isEmpty else { continue }
                let lists = termIDs.map { postingsByTerm[Int($0)] }.sorted { $0.count < $1.count }
                markedMax += lists[0].count
                resolved.append((clauseIndex, alternative, lists))
            }
        }
        accumulator.begin(slotCount: factsBySlot.count, markedMax: markedMax)
        for (clauseIndex, alternative, lists) in resolved {
            let run: SearchAccumulator.Run = lists.count == 1 ? .postings(lists[0]) : .recorded(accumulator.recordIntersection(of: lists))
            guard accumulator.count(of: run) > 0 else { continue }
            terms.formUnion(alternative.terms)
            runsByClause[clauseIndex].append(run)
            scorer.add(lists, weight: alternative.weight, clause: clauseIndex)
        }
        // One clause of one alternative (a word, most queries): its run is the answer,
        // nothing to mark.
        let isSingleRun = plan.clauses.count == 1 && runsByClause[0].count == 1
        var documentsByClause = [Int](repeating: 0, count: runsByClause.count)
        for (clauseIndex, runs) in runsByClause.enumerated() where !runs.isEmpty {
            if isSingleRun {
                documentsByClause[clauseIndex] = accumulator.count(of: runs[0])
                continue
            }
            accumulator.beginClause()
            for run in runs { accumulator.mark(run, bit: ClauseMask(1) << clauseIndex) }
            documentsByClause[clauseIndex] = accumulator.clauseCount
        }
        for (clauseIndex, documents) in documentsByClause.enumerated() where documents > 0 {
            scorer.setClause(clauseIndex, bit: ClauseMask(1) << clauseIndex,
                             weight: plan.clauses[clauseIndex].weight * idf(documentFrequency: documents))
        }
        // Counted over the planned clauses, matched or not: "手机壳" needs 机壳 even when
        // no product has it, or it would list every phone.
        let planned = plan.clauses.count
        let required = planned <= 2 ? planned : (2 * planned + 2) / 3
        let matched = documentsByClause.count { $0 > 0 }
        guard required > 0, matched >= required else {
            accumulator.clear()
            return (terms, nil)
        }
        // A match misses at most `matched - required` clauses: it is in one of the smallest
        // `matched - required + 1`.
        let driving = documentsByClause.indices.filter { documentsByClause[$0] > 0 }
            .sorted { documentsByClause[$0] < documentsByClause[$1] }.prefix(matched - required + 1)
        for clauseIndex in driving {
            for run in runsByClause[clauseIndex] {
                accumulator.drive(run, required: required, mask: isSingleRun ? 1 : nil)
            }
        }
        accumulator.finish()
        if collector.query.sort == .relevance {
            if isSingleRun, case .postings(let postings) = runsByClause[0][0] {
                // One word: its candidates are its postings, which hold their frequencies.
                assert(accumulator.candidates.count == postings.count, "a single run's candidates are its postings")
                rankSingleTerm(postings, plan: plan, scorer: scorer, collector: &collector, signals: signals)
            } else {
                rankByScore(accumulator.candidates, plan: plan, scorer: &scorer, collector: &collector, signals: signals)
            }
        } else {
            let candidates = accumulator.candidates
            forEachReadingAhead(count: candidates.count, slot: { UInt32(truncatingIfNeeded: candidates[$0] >> 16) }) { position, facts in
                let slot = UInt32(truncatingIfNeeded: candidates[position] >> 16)
                guard let admitted = collector.admit(slot, facts: facts, signals: signals) else { return }
                collector.offer(admitted, slot: slot, score: 0)
            }
        }
        return (terms, scorer)
    }

    /// Admits every candidate (the total counts them all), then scores them in classes of
    /// equal upper bound (`SearchMatchScorer.bound`, times the head bonus), highest class
    /// first, and stops once the page is settled and no further class can enter it: a
    /// page of 20 scores the few candidates that match the most clauses, not every match.
    /// - Parameter candidates: slot << 16 | clause mask, ascending.
    func rankByScore(
        _ candidates: [UInt64], plan: SearchQueryPlan, scorer: inout SearchMatchScorer, collector: inout SearchCollector,
        signals: (UInt64) -> SearchSignals
    ) {
        // Per leaf category: 0 not yet known, 1 the query ends with it, 2 it does not.
        var headByLeaf = [UInt8](repeating: 0, count: leafCategoryNames.count)
        var classBounds: [Double] = []
        var pending: [UInt64] = []
        pending.reserveCapacity(candidates.count)
        var lastMask: UInt64 = .max
        var lastBound = 0.0
        forEachReadingAhead(count: candidates.count, slot: { UInt32(truncatingIfNeeded: candidates[$0] >> 16) }) { position, facts in
            let candidate = candidates[position]
            let slot = UInt32(truncatingIfNeeded: candidate >> 16)
            guard let admitted = collector.admit(slot, facts: facts, signals: signals) else { return }
            let mask = candidate & 0xFFFF
            if mask != lastMask {
                lastBound = scorer.bound(of: SearchAccumulator.ClauseMask(truncatingIfNeeded: mask))
                lastMask = mask
            }
            let bound = headBonused(lastBound, leafID: admitted.facts.leafCategoryID, plan: plan, cache: &headByLeaf)
            var classIndex = classBounds.firstIndex(of: bound) ?? classBounds.count
            if classIndex == classBounds.count {
                // A class per distinct bound; past `classesMax` (many clauses in many
                // combinations) the rest share one unbounded class, scored first.
                if classBounds.count < Self.boundClassesMax {
                    classBounds.append(bound)
                } else {
                    classIndex = classBounds.firstIndex(of: .infinity) ?? classBounds.count
                    if classIndex == classBounds.count { classBounds.append(.infinity) }
                }
            }
            pending.append(UInt64(classIndex) << 48 | (candidate & 0xFFFF_FFFF_FFFF))
        }
        let order = classBounds.indices.sorted { classBounds[$0] > classBounds[$1] }
        let ranked = Self.grouped(pending, classCount: classBounds.count, order: order)
        var rankedIndex = 0
        for classIndex in order {
            let bound = classBounds[classIndex]
            scorer.rewind()
            while rankedIndex < ranked.count, Int(ranked[rankedIndex] >> 48) == classIndex {
                if collector.selection.isSettled(againstPrimaryAtMost: Self.quantised(bound)) { return }
                let slot = UInt32(truncatingIfNeeded: ranked[rankedIndex] >> 16)
                let mask = SearchAccumulator.ClauseMask(truncatingIfNeeded: ranked[rankedIndex])
                rankedIndex += 1
                let facts = factsBySlot[Int(slot)]
                var score = scorer.score(of: slot, mask: mask, in: self)
                score = headBonused(score, leafID: facts.leafCategoryID, plan: plan, cache: &headByLeaf)
                collector.offer(SearchCollector.Admitted(facts: facts, sales: 0), slot: slot, score: score)
            }
        }
    }

    /// Ranks a one-word query (one clause of one alternative of one term) in one pass over
    /// its postings, in slot order: each candidate the filters keep is counted, and scored
    /// only if its class could still enter the page. A class is the word's frequency in
    /// each field, bounded with the shortest field lengths indexed
    /// (`SearchMatchScorer.bound(ofFrequencies:)`): once the page is settled, "新款" only in
    /// the keywords is not scored against pages of it in names. Unlike `rankByScore`, no
    /// candidate list is kept or regrouped: the posting at hand gives the frequencies.
    func rankSingleTerm(
        _ postings: [Posting], plan: SearchQueryPlan, scorer: SearchMatchScorer, collector: inout SearchCollector,
        signals: (UInt64) -> SearchSignals
    ) {
        // Per leaf category: 0 not yet known, 1 the query ends with it, 2 it does not.
        var headByLeaf = [UInt8](repeating: 0, count: leafCategoryNames.count)
        let lengthsMin = fieldLengthsMin()
        // Per distinct frequencies met: the bound, quantised, without and with the head bonus.
        var classes: [(frequencies: UInt32, primary: Int64, headPrimary: Int64)] = []
        var current = (frequencies: UInt32(0), primary: Int64.max, headPrimary: Int64.max)
        forEachReadingAhead(count: postings.count, slot: { postings[$0].slot }) { position, facts in
            let posting = postings[position]
            guard let admitted = collector.admit(posting.slot, facts: facts, signals: signals) else { return }
            if posting.frequencies != current.frequencies || current.primary == .max {
                if let known = classes.first(where: { $0.frequencies == posting.frequencies }) {
                    current = known
                } else {
                    let bound = scorer.bound(ofFrequencies: posting.frequencies, in: self, lengthsMin: lengthsMin)
                    current = (posting.frequencies, Self.quantised(bound), Self.quantised(bound * Self.categoryHeadBonus))
                    classes.append(current)
                }
            }
            let leafID = admitted.facts.leafCategoryID
            let isHead = headBonused(1, leafID: leafID, plan: plan, cache: &headByLeaf) != 1
            if collector.selection.isSettled(againstPrimaryAtMost: isHead ? current.headPrimary : current.primary) { return }
            let score = headBonused(scorer.score(ofSingleTerm: posting, facts: facts, in: self), leafID: leafID, plan: plan, cache: &headByLeaf)
            collector.offer(admitted, slot: posting.slot, score: score)
        }
    }

    /// Distinct score bounds told apart per query, at most.
    static let boundClassesMax = 64

    /// Candidates whose facts are read ahead at a time by `forEachReadingAhead`.
    static let readAheadWidth = 64

    /// Calls `body` with each position below `count` and the facts of its slot (`slot(position)`;
    /// `SlotFacts.empty`, not live, for a slot past the array), in order. The facts of the next
    /// `readAheadWidth` positions are first copied in a loop that does nothing else, so that
    /// their cache misses overlap: read one candidate at a time, behind its filtering and
    /// scoring, the miss on its facts was 70 % of admitting it. Callers read the slot again
    /// from the position: carrying it in the buffer too (48-byte entries) measured slower
    /// (100,000 × 1 CPU p99 0.96 against 0.63 ms).
    @inline(__always)
    func forEachReadingAhead(count: Int, slot: (Int) -> UInt32, _ body: (Int, SlotFacts) -> Void) {
        factsBySlot.withUnsafeBufferPointer { factsBySlot in
            withUnsafeTemporaryAllocation(of: SlotFacts.self, capacity: Self.readAheadWidth) { ahead in
                var start = 0
                while start < count {
                    let end = min(start + Self.readAheadWidth, count)
                    for position in start..<end {
                        let index = Int(slot(position))
                        ahead.initializeElement(at: position - start, to: index < factsBySlot.count ? factsBySlot[index] : .empty)
                    }
                    for position in start..<end { body(position, ahead[position - start]) }
                    start = end
                }
            }
        }
    }

    /// `entries` (class index in the top 16 bits) grouped by class in `order`, each group
    /// in the order it came: a counting sort.
    static func grouped(_ entries: [UInt64], classCount: Int, order: [Int]) -> [UInt64] {
        guard classCount > 1 else { return entries }
        var counts = [Int](repeating: 0, count: classCount)
        for entry in entries { counts[Int(entry >> 48)] += 1 }
        var starts = [Int](repeating: 0, count: classCount)
        var next = 0
        for classIndex in order {
            starts[classIndex] = next
            next += counts[classIndex]
        }
        var result = [UInt64](repeating: 0, count: entries.count)
        for entry in entries {
            let classIndex = Int(entry >> 48)
            result[starts[classIndex]] = entry
            starts[classIndex] += 1
        }
        return result
    }

    /// The score times `categoryHeadBonus` when the query ends with the product's own category.
    func headBonused(_ score: Double, leafID: UInt32, plan: SearchQueryPlan, cache headByLeaf: inout [UInt8]) -> Double {
        let leaf = Int(leafID)
        guard leaf != 0, leaf < headByLeaf.count, leaf < leafCategoryNames.count else { return score }
        if headByLeaf[leaf] == 0 {
            headByLeaf[leaf] = Self.textEnds(plan.normalisedText, withCategory: leafCategoryNames[leaf]) ? 1 : 2
        }
        return headByLeaf[leaf] == 1 ? score * Self.categoryHeadBonus : score
    }

    /// The first index at or after `start` whose slot is not below `slot`, in a list sorted
    /// by slot: `lowerBound`, but probing 1, 2, 4... ahead first, so that a cursor moving a
    /// short way costs a few steps however long the list.
    @inline(__always)
    static func gallop<List: RandomAccessCollection<Element>, Element>(
        to slot: UInt32, in list: List, from start: Int, _ slotOf: (Element) -> UInt32
    ) -> Int where List.Index == Int {
        var low = start
        guard low < list.count, slotOf(list[low]) < slot else { return low }
        // Invariant: slotOf(list[low]) < slot; the answer is in (low, high].
        var step = 1
        var high = low + 1
        while high < list.count, slotOf(list[high]) < slot {
            low = high
            step = min(step * 2, list.count)
            high = low + step
        }
        high = min(high, list.count)
        low += 1
        while low < high {
            let middle = low + (high - low) / 2
            if slotOf(list[middle]) < slot { low = middle + 1 } else { high = middle }
        }
        return low
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

    /// At least `saturatedFrequency` of any posting with these frequencies: each field's
    /// length taken as short as any document's (`fieldLengthsMin()`), the norm growing with it.
    func saturatedFrequencyBound(_ frequencies: UInt32, averages: [Double], lengthsMin: [Int]) -> Double {
        Self.saturatedFrequency(frequencies, averages: averages) { field in Double(lengthsMin[field]) }
    }

    func saturatedFrequency(_ posting: Posting, averages: [Double]) -> Double {
        Self.saturatedFrequency(posting.frequencies, fieldLengths: factsBySlot[Int(posting.slot)].fieldLengths, averages: averages)
    }

    /// `saturatedFrequency(_:averages:)` of a posting whose slot's facts hold `fieldLengths`.
    @inline(__always)
    static func saturatedFrequency(_ frequencies: UInt32, fieldLengths lengths: UInt64, averages: [Double]) -> Double {
        saturatedFrequency(frequencies, averages: averages) { field in Double((lengths >> (UInt64(field) * 16)) & 0xFFFF) }
    }

    /// BM25's saturated term frequency over the fields, each field's length given by `length`:
    /// one arithmetic for a posting's score and for a bound of it.
    @inline(__always)
    private static func saturatedFrequency(_ frequencies: UInt32, averages: [Double], length: (Int) -> Double) -> Double {
        var weighted = 0.0
        for field in 0..<fieldWeights.count {
            let frequency = (frequencies >> (UInt32(field) * 8)) & 0xFF
            guard frequency > 0 else { continue }
            let norm = 1 - b + length(field) * averages[field]
            weighted += fieldWeights[field] * Double(frequency) / norm
        }
        return weighted * (k1 + 1) / (weighted + k1)
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

    /// A candidate the filters kept: what its rank key is made of.
    struct Admitted {
        var facts: SearchIndex.SlotFacts
        var sales: Int64
    }

    mutating func consider(_ slot: UInt32, score: Double, signals: (UInt64) -> SearchSignals) {
        guard let admitted = admit(slot, signals: signals) else { return }
        offer(admitted, slot: slot, score: score)
    }

    /// Applies the filters and counts the candidate when it passes; candidates come in
    /// ascending slot order (or the category's own list, `isCategoryChecked`).
    mutating func admit(_ slot: UInt32, signals: (UInt64) -> SearchSignals) -> Admitted? {
        guard Int(slot) < factsBySlot.count else { return nil }  // unreachable: slots index the facts
        return admit(slot, facts: factsBySlot[Int(slot)], signals: signals)
    }

    /// `admit(_:signals:)` with the slot's facts already read (`SearchIndex.forEachReadingAhead`).
    mutating func admit(_ slot: UInt32, facts: SearchIndex.SlotFacts, signals: (UInt64) -> SearchSignals) -> Admitted? {
        guard facts.isLive else { return nil }
        if let min = query.minPriceFen, facts.minPriceFen < min { return nil }
        if let max = query.maxPriceFen, facts.minPriceFen > max { return nil }
        if let categorySlots, !isCategoryChecked {
            categoryPosition = SearchIndex.gallop(to: slot, in: categorySlots, from: categoryPosition) { $0 }
            guard categoryPosition < categorySlots.count, categorySlots[categoryPosition] == slot else { return nil }
        }
        var sales: Int64 = 0
        if query.inStockOnly || query.sort == .sales {
            let figures = signals(facts.productID)
            if query.inStockOnly && !figures.inStock { return nil }
            sales = figures.sales
        }
        total += 1
        return Admitted(facts: facts, sales: sales)
    }

    /// Ranks an admitted candidate; `score` is read only by the relevance order.
    mutating func offer(_ admitted: Admitted, slot: UInt32, score: Double) {
        let facts = admitted.facts
        let primary: Int64
        switch query.sort {
        case .relevance: primary = hasText ? SearchIndex.quantised(score) : facts.createdAtMs
        case .sales: primary = admitted.sales
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

    /// Replaces the score of every entry kept, asking `score` in ascending slot order;
    /// the keys, and so the order, stay as they are.
    mutating func rescore(inSlotOrder score: (UInt32) -> Double) {
        for position in heap.indices.sorted(by: { heap[$0].slot < heap[$1].slot }) {
            heap[position].score = score(heap[position].slot)
        }
    }

    /// Whether no candidate whose key's primary is at most `primary` can change the page:
    /// it is full, another page is known to follow, and the worst kept ranks above it.
    func isSettled(againstPrimaryAtMost primary: Int64) -> Bool {
        guard heap.count == limit, candidatesAfterCursor > limit, let worst = heap.first else { return false }
        return primary < worst.key.primary
    }

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
