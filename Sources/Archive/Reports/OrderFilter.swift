import Engine

/// Which orders a back-office list or export shows, and in which order.
/// Every field is optional; an empty filter lists every order.
public struct OrderFilter: Sendable, Equatable {
    /// Any of these statuses; empty means all.
    public var statuses: [OrderStatus]
    /// `created_at >= createdFromMs` (epoch ms, inclusive).
    public var createdFromMs: Int64?
    /// `created_at < createdToMs` (epoch ms, exclusive).
    public var createdToMs: Int64?
    public var orderNo: OrderNumberMatch?
    public var userID: UInt64?
    /// Orders with at least one line of this product.
    public var productID: UInt64?
    public var payAmountMinFen: Int64?
    public var payAmountMaxFen: Int64?
    public var sort: OrderSort

    public init(statuses: [OrderStatus] = [], createdFromMs: Int64? = nil, createdToMs: Int64? = nil,
                orderNo: OrderNumberMatch? = nil, userID: UInt64? = nil, productID: UInt64? = nil,
                payAmountMinFen: Int64? = nil, payAmountMaxFen: Int64? = nil, sort: OrderSort = OrderSort()) {
        (self.statuses, self.createdFromMs, self.createdToMs) = (statuses, createdFromMs, createdToMs)
        (self.orderNo, self.userID, self.productID) = (orderNo, userID, productID)
        (self.payAmountMinFen, self.payAmountMaxFen, self.sort) = (payAmountMinFen, payAmountMaxFen, sort)
    }

    /// Longest order number accepted in a filter: real ones have 22 digits.
    public static let orderNoCharactersMax = 64

    func validate() throws(ReportError) {
        if let from = createdFromMs, let to = createdToMs, to < from {
            throw .invalidArgument(field: "to", rule: "must not be before from")
        }
        if let min = payAmountMinFen, let max = payAmountMaxFen, max < min {
            throw .invalidArgument(field: "maxAmountFen", rule: "must not be below minAmountFen")
        }
        if let orderNo, orderNo.text.isEmpty || orderNo.text.count > Self.orderNoCharactersMax {
            throw .invalidArgument(field: "orderNo", rule: "must be 1 to \(Self.orderNoCharactersMax) characters")
        }
        // PostgreSQL text cannot hold NUL: refuse it here rather than fail in the server.
        if let orderNo, orderNo.text.unicodeScalars.contains("\u{0}") {
            throw .invalidArgument(field: "orderNo", rule: "must not contain NUL characters")
        }
    }
}

/// An order-number filter: the whole number, or its first characters (a
/// number's digits start with its UTC creation time, so a prefix is a time range).
public enum OrderNumberMatch: Sendable, Equatable {
    case exact(String)
    case prefix(String)

    var text: String {
        switch self {
        case .exact(let text), .prefix(let text): text
        }
    }

    /// The LIKE pattern matching `text` as a literal prefix: `\`, `%` and `_`
    /// are escaped (`\` is PostgreSQL's default LIKE escape character).
    static func likePrefixPattern(_ text: String) -> String {
        var pattern = ""
        pattern.reserveCapacity(text.utf8.count + 1)
        for character in text {
            if character == "\\" || character == "%" || character == "_" { pattern.append("\\") }
            pattern.append(character)
        }
        pattern.append("%")
        return pattern
    }
}

public struct OrderSort: Sendable, Equatable, Hashable {
    public enum Key: String, Sendable, CaseIterable {
        case createdAt
        case payAmount
    }

    public enum Direction: String, Sendable, CaseIterable {
        case ascending = "asc"
        case descending = "desc"
    }

    public var key: Key
    public var direction: Direction

    public init(key: Key = .createdAt, direction: Direction = .descending) {
        (self.key, self.direction) = (key, direction)
    }

    /// The ORDER BY clause: one of four fixed fragments, with the id as the
    /// tie-breaker so the order is total (keyset pagination needs that).
    var orderBySQL: StaticString {
        switch (key, direction) {
        case (.createdAt, .descending): " ORDER BY o.created_at DESC, o.id DESC"
        case (.createdAt, .ascending): " ORDER BY o.created_at ASC, o.id ASC"
        case (.payAmount, .descending): " ORDER BY o.pay_amount_fen DESC, o.id DESC"
        case (.payAmount, .ascending): " ORDER BY o.pay_amount_fen ASC, o.id ASC"
        }
    }

    /// Appends `AND (sort key, id) < / > (cursor)`, matching `orderBySQL`.
    func appendKeyset(_ cursor: OrderCursor, to sql: inout ReportSQL) {
        switch key {
        case .createdAt: sql.append(" AND (o.created_at, o.id)")
        case .payAmount: sql.append(" AND (o.pay_amount_fen, o.id)")
        }
        switch direction {
        case .descending: sql.append(" < (")
        case .ascending: sql.append(" > (")
        }
        switch key {
        case .createdAt: sql.bindTime(us: cursor.sortValue)
        case .payAmount: sql.bind(cursor.sortValue)
        }
        sql.append(", ")
        sql.bind(cursor.id)
        sql.append(")")
    }
}

/// Which slice of a list: after a cursor (stable while new orders arrive),
/// or a numbered page for the table view (which also counts the total).
public enum PageRequest: Sendable, Equatable {
    /// `cursor` is `nextCursor` of the previous page, nil for the first page.
    case cursor(String?, limit: Int)
    /// `number` counts from 1.
    case page(number: Int, size: Int)

    /// Rows per page at most, in both modes.
    public static let limitMax = 100
    public static let limitDefault = 20
    /// Offset paging reads and skips every earlier row: beyond this many, use cursors.
    public static let offsetRowsMax = 100_000

    func validate() throws(ReportError) {
        switch self {
        case .cursor(_, let limit):
            guard (1...Self.limitMax).contains(limit) else {
                throw .invalidArgument(field: "limit", rule: "must be 1 to \(Self.limitMax)")
            }
        case .page(let number, let size):
            guard (1...Self.limitMax).contains(size) else {
                throw .invalidArgument(field: "pageSize", rule: "must be 1 to \(Self.limitMax)")
            }
            guard number >= 1, (number - 1) <= Self.offsetRowsMax / size else {
                throw .invalidArgument(field: "page", rule: "must be 1 to \(Self.offsetRowsMax / size + 1) at this pageSize; use cursor for deeper lists")
            }
        }
    }
}
