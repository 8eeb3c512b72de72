// Catalog/Search owns product search in memory: the inverted index, its query
// planner and ranking, cursors, highlighting and suggestions. Pure value types, no
// I/O: the catalog feeds it one `upsert`/`remove` per event; HTTP lives in Net.

/// An inverted index of products for search, updated one product at a time.
///
/// Each document is indexed under the terms of `SearchTerms` with a term frequency per
/// field; a posting list per term is kept sorted by document slot, so an update
/// touches only that document's postings. Ranking is BM25F (field weights name >
/// keywords > category names > attributes), the query planned by `SearchQueryPlan`.
public struct SearchIndex: Sendable {
    /// The indexed fields, in `Posting.frequencies` byte order.
    enum Field: Int, CaseIterable {
        case name, keywords, categoryNames, attributes
    }

    /// One document under one term: its slot and a saturating count per field (one byte each).
    struct Posting: Sendable {
        var slot: UInt32
        var frequencies: UInt32

        func frequency(_ field: Field) -> UInt32 { (frequencies >> (UInt32(field.rawValue) * 8)) & 0xFF }
    }

    /// What a document keeps besides its postings, for highlighting and removal: read
    /// for the hits of a page only.
    struct Record: Sendable {
        var productID: UInt64
        var name: String
        /// The terms it is posted under, so that removal touches only those lists.
        var termIDs: [UInt32]
        var categoryIDs: [UInt64]
    }

    /// What every candidate of a query is filtered, sorted and scored on, in one dense array:
    /// reading `Record`s instead (each with three heap objects) cost a cache miss per
    /// object and made browsing 25,000 products take 25 ms. The field lengths are here
    /// too (they were a second array, so a scored candidate cost two cache misses), and
    /// the highest price is not (nothing filters or sorts on it): 40 bytes a slot.
    struct SlotFacts: Sendable {
        var productID: UInt64
        var minPriceFen: Int64
        var createdAtMs: Int64
        /// Field lengths in tokens, 16 bits a field in `Field` order.
        var fieldLengths: UInt64
        /// Index into `leafCategoryNames` of its own category's normalised name; 0 for none.
        var leafCategoryID: UInt32
        var isLive: Bool

        static let empty = SlotFacts(productID: 0, minPriceFen: 0, createdAtMs: 0, fieldLengths: 0, leafCategoryID: 0, isLive: false)

        /// The length of `field` in tokens.
        func length(_ field: Field) -> Int { Int((fieldLengths >> (UInt64(field.rawValue) * 16)) & 0xFFFF) }
    }

    var records: [Record?] = []
    var factsBySlot: [SlotFacts] = []
    /// Normalised leaf category names, interned (index 0 is "none"). Names are kept once
    /// seen: there are as many as categories, not products.
    var leafCategoryNames: [String] = [""]
    var leafCategoryIDByName: [String: UInt32] = ["": 0]
    var freeSlots: [UInt32] = []
    var slotByProductID: [UInt64: UInt32] = [:]
    var fieldLengthTotals = [Int64](repeating: 0, count: Field.allCases.count)
    /// Documents by field and non-zero length (`fieldLengthBuckets` a field, the last one
    /// "at least that long"): the shortest field a term can be in, for score bounds.
    var fieldLengthCounts = [Int](repeating: 0, count: Field.allCases.count * SearchIndex.fieldLengthBuckets)
    /// Live slots in browse order, oldest first: ascending (`createdAtMs`, product ID), the
    /// key of a newest-first page. A browse with no text and no filter reads its page
    /// from the end, and its total is `count`, instead of admitting every product.
    /// 4 bytes a product; an upsert that keeps its creation time does not move it.
    var browseOrder: [UInt32] = []

    var termIDByText: [String: UInt32] = [:]
    var termTexts: [String] = []
    var postingsByTerm: [[Posting]] = []
    var freeTermIDs: [UInt32] = []
    /// Slots by every category on their path, sorted: browsing a category reads one list.
    var slotsByCategory: [UInt64: [UInt32]] = [:]
    var suggestions = SearchSuggestions()

    /// Admin-edited synonym groups; a query is expanded with them when it is searched, so
    /// a change applies to the next query without reindexing.
    public var synonyms = SynonymTable()

    public init() {}

    /// Products indexed.
    public var count: Int { slotByProductID.count }

    /// Distinct terms indexed.
    var termCount: Int { termIDByText.count }

    /// Indexes a document, replacing the earlier version with the same product ID.
    /// - Complexity: O(t log p + t m) for t terms in the document, p postings per term
    ///   and m the cost of moving postings after an insertion point (none when slots are appended).
    public mutating func upsert(_ document: SearchDocument) {
        let slot: UInt32
        var keepsBrowsePosition = false
        if let existing = slotByProductID[document.productID] {
            keepsBrowsePosition = records[Int(existing)] != nil && factsBySlot[Int(existing)].createdAtMs == document.createdAtMs
            removeSlot(existing, keepingBrowsePosition: keepsBrowsePosition)
            slot = existing
        } else if let free = freeSlots.popLast() {
            slot = free
        } else {
            // Unreachable from input: one document per product, and the engine refuses products past
            // CatalogLimits.productsMax (200,000) in the decision, so no log holds more.
            precondition(records.count < Int(UInt32.max), "more documents than UInt32 slots")
            slot = UInt32(records.count)
            records.append(nil)
            factsBySlot.append(.empty)
        }
        slotByProductID[document.productID] = slot

        var frequenciesByTerm: [String: UInt32] = [:]
        var lengths: UInt64 = 0
        for field in Field.allCases {
            var fieldLength = 0
            for text in Self.texts(of: document, field: field) {
                fieldLength += SearchTerms.forEachTerm(in: text) { term, _ in
                    frequenciesByTerm[term, default: 0] = Self.incremented(frequenciesByTerm[term, default: 0], field: field)
                }
            }
            let clamped = UInt64(min(fieldLength, Int(UInt16.max)))
            lengths |= clamped << (UInt64(field.rawValue) * 16)
            fieldLengthTotals[field.rawValue] += Int64(clamped)
            countFieldLength(Int(clamped), field: field, by: 1)
        }
        var termIDs: [UInt32] = []
        termIDs.reserveCapacity(frequenciesByTerm.count)
        for (term, frequencies) in frequenciesByTerm {
            let termID = internTerm(term)
            termIDs.append(termID)
            Self.insert(Posting(slot: slot, frequencies: frequencies), into: &postingsByTerm[Int(termID)])
        }
        let categoryIDs = Array(Set(document.categoryIDs.prefix(SearchLimits.categoryDepthMax))).sorted()
        for categoryID in categoryIDs { Self.insert(slot, into: &slotsByCategory[categoryID, default: []]) }
        records[Int(slot)] = Record(
            productID: document.productID, name: String(document.name.unicodeScalars.prefix(SearchLimits.fieldScalarsMax)),
            termIDs: termIDs, categoryIDs: categoryIDs)
        let leaf = document.categoryNames.last.map {
            SearchUnit.key(of: SearchUnit.units(of: SearchTokenizer.tokens(in: $0, scalarsMax: SearchLimits.fieldScalarsMax)))
        }
        factsBySlot[Int(slot)] = SlotFacts(
            productID: document.productID, minPriceFen: max(0, document.minPriceFen), createdAtMs: document.createdAtMs,
            fieldLengths: lengths, leafCategoryID: internLeafCategory(leaf ?? ""), isLive: true)
        if !keepsBrowsePosition { insertInBrowseOrder(slot) }
        suggestions.add(name: document.name)
    }

    /// Removes a product; nothing happens when it is not indexed.
    public mutating func remove(productID: UInt64) {
        guard let slot = slotByProductID.removeValue(forKey: productID) else { return }
        removeSlot(slot)
        freeSlots.append(slot)
    }

    /// Takes a slot's document out of every list it is in (but `browseOrder` when
    /// `keepingBrowsePosition`: its next version has the same key); the slot stays mapped by the caller.
    private mutating func removeSlot(_ slot: UInt32, keepingBrowsePosition: Bool = false) {
        guard let record = records[Int(slot)] else { return }
        if !keepingBrowsePosition { removeFromBrowseOrder(slot) }
        for termID in record.termIDs {
            let index = Int(termID)
            Self.remove(slot, from: &postingsByTerm[index])
            if postingsByTerm[index].isEmpty {
                termIDByText.removeValue(forKey: termTexts[index])
                termTexts[index] = ""
                postingsByTerm[index] = []
                freeTermIDs.append(termID)
            }
        }
        for categoryID in record.categoryIDs {
            guard var slots = slotsByCategory.removeValue(forKey: categoryID) else { continue }
            Self.remove(slot, from: &slots)
            if !slots.isEmpty { slotsByCategory[categoryID] = slots }
        }
        let facts = factsBySlot[Int(slot)]
        for field in Field.allCases {
            let length = facts.length(field)
            fieldLengthTotals[field.rawValue] -= Int64(length)
            countFieldLength(length, field: field, by: -1)
        }
        suggestions.remove(name: record.name)
        records[Int(slot)] = nil
        factsBySlot[Int(slot)] = .empty
    }

    /// Length buckets kept per field in `fieldLengthCounts`: 1 to 63 tokens, and 64 or more.
    static let fieldLengthBuckets = 64

    private mutating func countFieldLength(_ length: Int, field: Field, by delta: Int) {
        guard length > 0 else { return }
        fieldLengthCounts[field.rawValue * Self.fieldLengthBuckets + min(length, Self.fieldLengthBuckets) - 1] += delta
    }

    /// Per field, a length no document holding a term in that field is shorter than: the
    /// shortest non-empty one indexed (1 when none is; a term in a field makes it non-empty).
    func fieldLengthsMin() -> [Int] {
        Field.allCases.map { field in
            let counts = fieldLengthCounts[(field.rawValue * Self.fieldLengthBuckets)...].prefix(Self.fieldLengthBuckets)
            return (counts.firstIndex { $0 > 0 }).map { $0 - field.rawValue * Self.fieldLengthBuckets + 1 } ?? 1
        }
    }

    /// A slot's place in `browseOrder`: the rank key of a newest-first page.
    func browseKey(of slot: UInt32) -> SearchRankKey {
        let facts = factsBySlot[Int(slot)]
        return SearchRankKey(primary: facts.createdAtMs, productID: facts.productID)
    }

    /// The number of entries of `browseOrder` whose key is below `key`.
    /// - Complexity: O(log n).
    func browseEntries(below key: SearchRankKey) -> Int {
        var low = 0
        var high = browseOrder.count
        while low < high {
            let middle = low + (high - low) / 2
            if browseKey(of: browseOrder[middle]) < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// - Complexity: O(1) for a product newer than every other (the usual case), else
    ///   O(n) to move the newer entries.
    private mutating func insertInBrowseOrder(_ slot: UInt32) {
        let key = browseKey(of: slot)
        if let last = browseOrder.last, !(browseKey(of: last) < key) {
            browseOrder.insert(slot, at: browseEntries(below: key))
        } else {
            browseOrder.append(slot)
        }
    }

    /// Called while the slot's facts are still its own: they hold the key it is found by.
    private mutating func removeFromBrowseOrder(_ slot: UInt32) {
        let position = browseEntries(below: browseKey(of: slot))
        guard position < browseOrder.count, browseOrder[position] == slot else {
            assertionFailure("slot \(slot) missing from the browse order")
            return
        }
        browseOrder.remove(at: position)
    }

    private mutating func internLeafCategory(_ name: String) -> UInt32 {
        if let existing = leafCategoryIDByName[name] { return existing }
        // Unreachable: at most one name per category, and categories stop at CatalogLimits.categoriesMax.
        precondition(leafCategoryNames.count < Int(UInt32.max), "more category names than UInt32 IDs")
        let leafID = UInt32(leafCategoryNames.count)
        leafCategoryNames.append(name)
        leafCategoryIDByName[name] = leafID
        return leafID
    }

    private mutating func internTerm(_ term: String) -> UInt32 {
        if let existing = termIDByText[term] { return existing }
        let termID: UInt32
        if let free = freeTermIDs.popLast() {
            termID = free
            termTexts[Int(free)] = term
        } else {
            // Unreachable: a document's fields are cut to SearchLimits.fieldScalarsMax, giving at most a few
            // thousand terms each; 200,000 products then stay below 10^9 distinct terms, under UInt32.max.
            precondition(termTexts.count < Int(UInt32.max), "more terms than UInt32 IDs")
            termID = UInt32(termTexts.count)
            termTexts.append(term)
            postingsByTerm.append([])
        }
        termIDByText[term] = termID
        return termID
    }

    static func texts(of document: SearchDocument, field: Field) -> [String] {
        switch field {
        case .name: [document.name]
        case .keywords: [document.keywords]
        case .categoryNames: Array(document.categoryNames.prefix(SearchLimits.categoryDepthMax))
        case .attributes: Array(document.attributes.prefix(SearchLimits.attributesMax))
        }
    }

    static func incremented(_ frequencies: UInt32, field: Field) -> UInt32 {
        let shift = UInt32(field.rawValue) * 8
        return ((frequencies >> shift) & 0xFF) == 0xFF ? frequencies : frequencies + (1 << shift)
    }

    static func insert(_ posting: Posting, into postings: inout [Posting]) {
        if let last = postings.last, last.slot < posting.slot { postings.append(posting); return }
        let index = lowerBound(of: posting.slot, in: postings, from: 0) { $0.slot }
        // A document's terms are merged before they are posted, so a slot never comes twice; should it,
        // the list keeps one posting rather than trap on a document that came from the log.
        guard index == postings.count || postings[index].slot != posting.slot else {
            assertionFailure("slot \(posting.slot) posted twice")
            return
        }
        postings.insert(posting, at: index)
    }

    static func remove(_ slot: UInt32, from postings: inout [Posting]) {
        let index = lowerBound(of: slot, in: postings, from: 0) { $0.slot }
        guard index < postings.count && postings[index].slot == slot else {
            assertionFailure("slot \(slot) missing from a list it was posted to")
            return
        }
        postings.remove(at: index)
    }

    static func insert(_ slot: UInt32, into slots: inout [UInt32]) {
        if let last = slots.last, last < slot { slots.append(slot); return }
        let index = lowerBound(of: slot, in: slots, from: 0) { $0 }
        if index == slots.count || slots[index] != slot { slots.insert(slot, at: index) }
    }

    static func remove(_ slot: UInt32, from slots: inout [UInt32]) {
        let index = lowerBound(of: slot, in: slots, from: 0) { $0 }
        if index < slots.count && slots[index] == slot { slots.remove(at: index) }
    }

    /// The first index at or after `start` whose slot is not below `slot`, in a list sorted by slot.
    @inline(__always)
    static func lowerBound<Element>(of slot: UInt32, in list: [Element], from start: Int, _ slotOf: (Element) -> UInt32) -> Int {
        var low = start
        var high = list.count
        while low < high {
            let middle = low + (high - low) / 2
            if slotOf(list[middle]) < slot { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// A cross-reference of the index found out of step by `checkInvariants`.
    struct InvariantViolation: Error, CustomStringConvertible {
        var description: String
    }

    /// Checks every cross-reference; for tests. Throws the first one out of step.
    func checkInvariants() throws(InvariantViolation) {
        func require(_ holds: Bool, _ what: @autoclosure () -> String) throws(InvariantViolation) {
            if !holds { throw InvariantViolation(description: what()) }
        }
        var postingCount = 0
        for (termID, postings) in postingsByTerm.enumerated() {
            try require(zip(postings, postings.dropFirst()).allSatisfy { $0.slot < $1.slot }, "postings unsorted")
            if !postings.isEmpty { try require(termIDByText[termTexts[termID]] == UInt32(termID), "term table out of step") }
            postingCount += postings.count
        }
        var recordTermCount = 0
        for (productID, slot) in slotByProductID {
            guard let record = records[Int(slot)] else { throw InvariantViolation(description: "product \(productID) maps to an empty slot") }
            try require(record.productID == productID, "slot of \(productID) holds \(record.productID)")
            try require(factsBySlot[Int(slot)].isLive && factsBySlot[Int(slot)].productID == productID, "facts of \(productID) out of step")
            recordTermCount += record.termIDs.count
        }
        try require(postingCount == recordTermCount, "\(postingCount) postings for \(recordTermCount) document terms")
        try require(records.count { $0 != nil } == slotByProductID.count, "records and product map disagree")
        let live = factsBySlot.indices.filter { factsBySlot[$0].isLive }.map { UInt32($0) }
            .sorted { browseKey(of: $0) < browseKey(of: $1) }
        try require(browseOrder == live, "browse order is not every live slot by (createdAtMs, product ID)")
        var lengthCounts = [Int](repeating: 0, count: fieldLengthCounts.count)
        for facts in factsBySlot where facts.isLive {
            for field in Field.allCases {
                let length = facts.length(field)
                if length > 0 { lengthCounts[field.rawValue * Self.fieldLengthBuckets + min(length, Self.fieldLengthBuckets) - 1] += 1 }
            }
        }
        try require(lengthCounts == fieldLengthCounts, "field length counts out of step")
        let lengthTotals = Field.allCases.map { field in
            factsBySlot.reduce(Int64(0)) { $1.isLive ? $0 + Int64($1.length(field)) : $0 }
        }
        try require(lengthTotals == fieldLengthTotals, "field length totals out of step")
        try require(factsBySlot.allSatisfy { $0.isLive || $0.fieldLengths == 0 }, "a free slot keeps field lengths")
    }
}

extension SearchIndex {
    /// Words of product names starting with `prefix`, or whose pinyin or initials do
    /// ("手机", "shouj", "sjk" → 手机壳), most common first; at most `limit`, capped at
    /// `SearchLimits.suggestionsMax`.
    public func suggest(prefix: String, limit: Int) -> [String] {
        suggestions.suggest(prefix: prefix, limit: limit)
    }
}
