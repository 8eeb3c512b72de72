import Engine
import Hummingbird

/// Query parameters of the admin report routes, validated into report
/// arguments. One 400 names every bad field and its rule; nothing invalid
/// reaches PostgreSQL.
struct ReportParameters {
    private let query: Parameters
    private var validation = Validation()

    init(_ request: Request) {
        query = request.uri.queryParameters
    }

    /// Order numbers are 22 digits (UTC time to the millisecond + a counter).
    static let orderNoDigits = 22

    /// `status, from, to, orderNo, userId, productId, minAmountFen, maxAmountFen, sort, order`.
    mutating func orderFilter() -> AdminOrderFilter {
        var filter = AdminOrderFilter()
        if let text = query.get("status") {
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let statuses = names.compactMap(OrderStatus.init(rawValue:))
            validation.require(!names.isEmpty && statuses.count == names.count, "status",
                               "must be one or more of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")), comma-separated")
            filter.statuses = statuses
        }
        (filter.createdFromMs, filter.createdToMs) = timeRange()
        if let text = query.get("orderNo") {
            let isDigits = Self.isDigits(text, countMax: Self.orderNoDigits)
            validation.require(isDigits, "orderNo", "must be 1 to \(Self.orderNoDigits) digits: all of them for one order, fewer for every order number starting with them")
            if isDigits { filter.orderNo = text.utf8.count == Self.orderNoDigits ? .exact(text) : .prefix(text) }
        }
        filter.userID = id("userId")
        filter.productID = id("productId")
        filter.payAmountMinFen = fen("minAmountFen")
        filter.payAmountMaxFen = fen("maxAmountFen")
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
            let size = integer("pageSize", in: 1...AdminPageRequest.limitMax) ?? AdminPageRequest.limitDefault
            let pageMax = AdminPageRequest.offsetRowsMax / size + 1
            let number = integer("page", in: 1...pageMax, rule: "must be 1 to \(pageMax) at this pageSize; use cursor for deeper lists") ?? 1
            return .page(number: number, size: size)
        }
        if let cursor {
            validation.require(!cursor.isEmpty && cursor.utf8.count <= 200, "cursor", "must be the nextCursor of a previous page")
        }
        return .cursor(cursor, limit: integer("limit", in: 1...AdminPageRequest.limitMax) ?? AdminPageRequest.limitDefault)
    }

    /// Optional `from` (inclusive) and `to` (exclusive), ISO-8601.
    mutating func timeRange() -> (fromMs: Int64?, toMs: Int64?) {
        let fromMs = time("from")
        let toMs = time("to")
        if let fromMs, let toMs { validation.require(toMs > fromMs, "to", "must be after from") }
        return (fromMs, toMs)
    }

    mutating func requiredTime(_ field: String) -> Int64? {
        validation.require(query.get(field) != nil, field, "is required: an ISO-8601 time, e.g. 2026-11-27T00:00:00+08:00")
        return time(field)
    }

    mutating func time(_ field: String) -> Int64? {
        guard let text = query.get(field) else { return nil }
        let ms = text.utf8.count <= 64 ? APITime.parse(text) : nil
        validation.require(ms != nil, field, "must be an ISO-8601 time, e.g. 2026-11-27T00:00:00Z or 2026-11-27T08:00:00+08:00")
        return ms
    }

    mutating func id(_ field: String) -> UInt64? {
        guard let text = query.get(field) else { return nil }
        let value = Self.isDigits(text, countMax: 20) ? UInt64(text) : nil
        validation.require(value != nil, field, "must be an id (digits)")
        return value
    }

    mutating func fen(_ field: String) -> Int64? {
        guard let text = query.get(field) else { return nil }
        let value = Self.isDigits(text, countMax: 18) ? Int64(text) : nil
        validation.require(value != nil, field, "must be an integer number of fen >= 0 (digits only)")
        return value
    }

    mutating func integer(_ field: String, in range: ClosedRange<Int>, rule: String? = nil) -> Int? {
        guard let text = query.get(field) else { return nil }
        let value = Self.isDigits(text, countMax: 9) ? Int(text) : nil
        let isValid = value.map(range.contains) ?? false
        validation.require(isValid, field, rule ?? "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        return isValid ? value : nil
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ field: String, default value: Choice) -> Choice
    where Choice.RawValue == String {
        guard let text = query.get(field) else { return value }
        let choice = Choice(rawValue: text)
        validation.require(choice != nil, field, "must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        return choice ?? value
    }

    /// 1 to `countMax` ASCII digits: no sign, space or other numeral (Int("+5") would pass).
    static func isDigits(_ text: String, countMax: Int) -> Bool {
        !text.isEmpty && text.utf8.count <= countMax && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    mutating func require(_ condition: Bool, _ field: String, _ rule: String) {
        validation.require(condition, field, rule)
    }

    func check() throws(APIError) {
        try validation.check()
    }
}
