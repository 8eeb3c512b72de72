import Engine
import Hummingbird

/// Query parameters of the storefront's product list and search, validated into a
/// `SearchQuery`: one 400 names every bad field and its rule.
struct SearchParameters {
    static let textRule = TextRule(.anyButNUL, 0...SearchLimits.textScalarsMax)
    static let priceRule = IntegerRule(MallLimits.priceFenRange, isFen: true)
    static let limitRule = IntegerRule(Int64(SearchLimits.pageLimitRange.lowerBound)...Int64(SearchLimits.pageLimitRange.upperBound))
    static let cursorRule = TextRule(.base64URL, 1...200)
    static let limitDefault = 20

    static func query(_ request: Request, textRequired: Bool) throws(APIError) -> SearchQuery {
        let query = request.uri.queryParameters
        var validation = Validation()
        let text = query.get("q") ?? ""
        validation.text(text, "q", Self.textRule)
        if textRequired { validation.require(!text.allSatisfy(\.isWhitespace), "q", "must hold a word to search for") }
        let categoryID = id(query.get("categoryId"), "categoryId", &validation)
        let minPrice = integer(query.get("minPriceFen"), "minPriceFen", Self.priceRule, &validation)
        let maxPrice = integer(query.get("maxPriceFen"), "maxPriceFen", Self.priceRule, &validation)
        if let minPrice, let maxPrice { validation.require(maxPrice >= minPrice, "maxPriceFen", "must not be below minPriceFen") }
        var inStockOnly = false
        if let text = query.get("inStock") {
            validation.require(text == "true" || text == "false", "inStock", "must be true or false")
            inStockOnly = text == "true"
        }
        var sort = SearchSort.relevance
        if let text = query.get("sort") {
            if let value = SearchSort(rawValue: text) { sort = value } else {
                validation.require(false, "sort", "must be one of \(SearchSort.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let cursor = query.get("cursor")
        if let cursor { validation.require(Self.cursorRule.accepts(cursor), "cursor", "must be the nextCursor of a previous page") }
        let limit = integer(query.get("limit"), "limit", Self.limitRule, &validation).map { Int($0) } ?? Self.limitDefault
        try validation.check()
        return SearchQuery(text: text, categoryID: categoryID, minPriceFen: minPrice, maxPriceFen: maxPrice,
                           inStockOnly: inStockOnly, sort: sort, cursor: cursor, limit: limit)
    }

    static func id(_ text: String?, _ field: String, _ validation: inout Validation) -> UInt64? {
        guard let text else { return nil }
        let value = EntityID.value(text)
        validation.require(value != nil, field, "must be an id: 1 to \(EntityID.rule.lengths.upperBound) digits")
        return value
    }

    static func integer(_ text: String?, _ field: String, _ rule: IntegerRule, _ validation: inout Validation) -> Int64? {
        guard let text else { return nil }
        let value = rule.parse(text)
        validation.require(value != nil, field, rule.rule)
        return value
    }
}

extension APIError {
    init(_ error: SearchQueryError) {
        switch error {
        case .textTooLong(let max): self = APIError.invalid("q", "must be at most \(max) characters")
        case .invalidPriceRange: self = APIError.invalid("maxPriceFen", "must not be below minPriceFen")
        case .malformedCursor: self = APIError.invalid("cursor", "must be the nextCursor of a previous page")
        case .cursorSortMismatch: self = APIError.invalid("cursor", "was made for another sort; start again without it")
        }
    }
}
