import Engine
import Hummingbird

/// Query parameters of the admin report routes, validated into report
/// arguments. One 400 names every bad field and its rule; nothing invalid
/// reaches the report service. Each rule is a value the OpenAPI document
/// states as well (`OpenAPIDocument+Reports.swift`).
struct ReportParameters {
    private let query: Parameters
    private var validation = Validation()

    init(_ request: Request) {
        query = request.uri.queryParameters
    }

    /// Order numbers are 22 digits (UTC time to the millisecond + a counter); fewer is a prefix.
    static let orderNoDigits = 22
    static let orderNoRule = TextRule(.digits, 1...orderNoDigits)
    /// `status=pending_shipment,pending_receipt`.
    static let statusListPattern: String = {
        let names = "(" + OrderStatus.allCases.map(\.rawValue).joined(separator: "|") + ")"
        return "^\(names)(,\(names))*$"
    }()
    static let statusListCharactersMax = 100
    /// Pay amounts to filter by: any amount an order can have, and more.
    static let amountFenRule = IntegerRule(0...999_999_999_999_999_999, isFen: true)
    static let limitRule = IntegerRule(1...AdminPageRequest.limitMax)
    /// The deepest page at the smallest page size; a larger `pageSize` lowers it (`AdminPageRequest.pageMax`).
    static let pageRule = IntegerRule(1...AdminPageRequest.pageMax(size: 1))
    static let cursorRule = TextRule(.base64URL, 1...AdminPageRequest.cursorCharactersMax)
    static let topProductsLimitRule = IntegerRule(1...TopProducts.limitMax)

    /// `status, from, to, orderNo, userId, productId, minAmountFen, maxAmountFen, sort, order`.
    mutating func orderFilter() -> AdminOrderFilter {
        var filter = AdminOrderFilter()
        if let text = query.get("status") {
            let names = text.utf8.count <= Self.statusListCharactersMax
                ? text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
            let statuses = names.compactMap(OrderStatus.init(rawValue:))
            validation.require(!names.isEmpty && statuses.count == names.count, "status",
                               "must be one or more of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")), comma-separated, at most \(Self.statusListCharactersMax) characters")
            filter.statuses = statuses
        }
        (filter.createdFromMs, filter.createdToMs) = timeRange()
        if let text = query.get("orderNo") {
            let isDigits = Self.orderNoRule.accepts(text)
            validation.require(isDigits, "orderNo", "must be 1 to \(Self.orderNoDigits) digits: all of them for one order, fewer for every order number starting with them")
            if isDigits { filter.orderNo = text.utf8.count == Self.orderNoDigits ? .exact(text) : .prefix(text) }
        }
        filter.userID = id("userId")
        filter.productID = id("productId")
        filter.payAmountMinFen = integer("minAmountFen", Self.amountFenRule)
        filter.payAmountMaxFen = integer("maxAmountFen", Self.amountFenRule)
        if let min = filter.payAmountMinFen, let max = filter.payAmountMaxFen {
            validation.require(max >= min, "maxAmountFen", "must not be below minAmountFen")
        }
        filter.sort = AdminOrderFilter.Sort(key: choice("sort", default: .createdAt), direction: choice("order", default: .descending))
        return filter
    }

    /// `cursor` + `limit`, or `page` + `pageSize`.
    mutating func pageRequest() -> AdminPageRequest {
        let cursor = query.get("cursor")
        let isPageMode = query.get("page") != nil || query.get("pageSize") != nil
        if isPageMode {
            validation.require(cursor == nil, "cursor", "cannot be combined with page or pageSize")
            validation.require(query.get("limit") == nil, "limit", "cannot be combined with page or pageSize; use pageSize")
            let size = integer("pageSize", Self.limitRule).map { Int($0) } ?? AdminPageRequest.limitDefault
            let pageMax = AdminPageRequest.pageMax(size: size)
            let number = integer("page", IntegerRule(1...pageMax),
                                 rule: "must be 1 to \(pageMax) at this pageSize; use cursor for deeper lists").map { Int($0) } ?? 1
            return .page(number: number, size: size)
        }
        if let cursor {
            validation.require(Self.cursorRule.accepts(cursor), "cursor", "must be the nextCursor of a previous page")
        }
        return .cursor(cursor, limit: integer("limit", Self.limitRule).map { Int($0) } ?? AdminPageRequest.limitDefault)
    }

    /// Optional `from` (inclusive) and `to` (exclusive), RFC 3339.
    mutating func timeRange() -> (fromMs: Int64?, toMs: Int64?) {
        let fromMs = time("from")
        let toMs = time("to")
        if let fromMs, let toMs { validation.require(toMs > fromMs, "to", "must be after from") }
        return (fromMs, toMs)
    }

    mutating func requiredTime(_ field: String) -> Int64? {
        validation.require(query.get(field) != nil, field, "is required: " + APITime.rule)
        return time(field)
    }

    mutating func time(_ field: String) -> Int64? {
        guard let text = query.get(field) else { return nil }
        return validation.time(text, field)
    }

    mutating func id(_ field: String) -> UInt64? {
        guard let text = query.get(field) else { return nil }
        let value = EntityID.value(text)
        validation.require(value != nil, field, "must be an id: " + EntityID.rule.rule)
        return value
    }

    mutating func integer(_ field: String, _ rule: IntegerRule, rule words: String? = nil) -> Int64? {
        guard let text = query.get(field) else { return nil }
        let value = rule.parse(text)
        validation.require(value != nil, field, words ?? rule.rule)
        return value
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ field: String, default value: Choice) -> Choice
    where Choice.RawValue == String {
        guard let text = query.get(field) else { return value }
        let choice = Choice(rawValue: text)
        validation.require(choice != nil, field, "must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        return choice ?? value
    }

    /// A choice with no default: nil when the parameter is absent.
    mutating func optionalChoice<Choice: RawRepresentable & CaseIterable>(_ field: String, _ type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let text = query.get(field) else { return nil }
        let choice = Choice(rawValue: text)
        validation.require(choice != nil, field, "must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        return choice
    }

    mutating func require(_ condition: Bool, _ field: String, _ rule: String) {
        validation.require(condition, field, rule)
    }

    func check() throws(APIError) {
        try validation.check()
    }
}
