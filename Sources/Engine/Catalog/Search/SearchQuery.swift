/// The orders a result list can come in. Every order breaks ties by product ID,
/// highest first, so a page never depends on hashing or insertion order.
public enum SearchSort: String, Sendable, CaseIterable {
    /// Best match first; with no text, newest first.
    case relevance
    /// Most sold first (`SearchSignals.sales`).
    case sales
    /// Cheapest first (`SearchDocument.minPriceFen`).
    case priceAsc
    /// Dearest first (`SearchDocument.minPriceFen`).
    case priceDesc
    /// Most recently created first.
    case newest
}

/// One search: text (may be empty: then it browses), filters, order and page.
public struct SearchQuery: Sendable, Equatable {
    /// Raw text as typed; at most `SearchLimits.textScalarsMax` scalars raw and
    /// `SearchLimits.textCharactersMax` characters normalised.
    public var text: String
    /// Only products in this category or one of its descendants.
    public var categoryID: UInt64?
    /// Only products whose lowest price is at least this, in fen.
    public var minPriceFen: Int64?
    /// Only products whose lowest price is at most this, in fen.
    public var maxPriceFen: Int64?
    /// Only products the caller's signals say are in stock.
    public var inStockOnly: Bool
    public var sort: SearchSort
    /// `SearchPage.nextCursor` of the previous page, nil for the first.
    public var cursor: String?
    /// Hits per page, clamped to `SearchLimits.pageLimitRange`.
    public var limit: Int

    public init(
        text: String = "", categoryID: UInt64? = nil, minPriceFen: Int64? = nil, maxPriceFen: Int64? = nil,
        inStockOnly: Bool = false, sort: SearchSort = .relevance, cursor: String? = nil, limit: Int = 20
    ) {
        self.text = text
        self.categoryID = categoryID
        self.minPriceFen = minPriceFen
        self.maxPriceFen = maxPriceFen
        self.inStockOnly = inStockOnly
        self.sort = sort
        self.cursor = cursor
        self.limit = limit
    }
}

/// One product found.
public struct SearchHit: Sendable, Equatable {
    public var productID: UInt64
    /// The relevance score (0 when the query has no text). Ranking compares the score
    /// rounded to millionths, which is what this holds, so equal scores are equal here too.
    public var score: Double
    /// The name HTML-escaped (`<`, `>`, `&`, `"`), matched spans wrapped in `<em>`...`</em>`.
    public var highlightedName: String

    public init(productID: UInt64, score: Double, highlightedName: String) {
        self.productID = productID
        self.score = score
        self.highlightedName = highlightedName
    }
}

/// One page of results.
public struct SearchPage: Sendable, Equatable {
    public var hits: [SearchHit]
    /// Pass as `SearchQuery.cursor` for the next page; nil on the last page.
    public var nextCursor: String?
    /// Products matching the query and filters, on all pages.
    public var total: Int

    public init(hits: [SearchHit], nextCursor: String?, total: Int) {
        self.hits = hits
        self.nextCursor = nextCursor
        self.total = total
    }
}

/// Why a query was refused: each names the field and the rule.
public enum SearchQueryError: Error, Sendable, Equatable {
    /// `text` is longer than the bound (raw scalars or normalised characters).
    case textTooLong(charactersMax: Int)
    /// `minPriceFen`/`maxPriceFen` negative, or min above max.
    case invalidPriceRange
    /// `cursor` is not one this index wrote.
    case malformedCursor
    /// `cursor` was written for another sort order.
    case cursorSortMismatch
}

/// The bounds on a query and on what the index stores.
public enum SearchLimits {
    /// Raw query text read at most, in Unicode scalars.
    public static let textScalarsMax = 200
    /// Query text after normalisation, in characters.
    public static let textCharactersMax = 50
    /// Query clauses (words, CJK bigrams, synonym phrases) kept; later ones are dropped.
    public static let clausesMax = 16
    public static let pageLimitRange = 1...50
    /// Scalars of a document's field that are indexed; the rest is ignored.
    public static let fieldScalarsMax = 500
    /// Attribute values per document indexed.
    public static let attributesMax = 64
    /// Category levels per document kept.
    public static let categoryDepthMax = 16
    /// A letters or digits token longer than this is indexed and searched truncated.
    public static let wordScalarsMax = 32
    /// Suggestions returned at most; the prefix read at most, in characters.
    public static let suggestionsMax = 20
    public static let suggestPrefixCharactersMax = 20
}
