import Engine

/// Which orders a back-office list or export shows, and in which order, as
/// the routes validated it. Every field is optional; an empty filter lists
/// every order. Net's own type: the report service adapts it to its queries.
public struct AdminOrderFilter: Sendable, Equatable {
    /// Any of these statuses; empty means all.
    public var statuses: [OrderStatus] = []
    /// Created at or after (epoch ms, inclusive).
    public var createdFromMs: Int64?
    /// Created before (epoch ms, exclusive).
    public var createdToMs: Int64?
    public var orderNo: OrderNumber?
    public var userID: UInt64?
    /// Orders with at least one line of this product.
    public var productID: UInt64?
    public var payAmountMinFen: Int64?
    public var payAmountMaxFen: Int64?
    public var sort = Sort()

    public init() {}

    /// The whole order number, or its first digits (numbers start with their
    /// UTC creation time, so a prefix is a time range).
    public enum OrderNumber: Sendable, Equatable {
        case exact(String)
        case prefix(String)
    }

    public struct Sort: Sendable, Equatable {
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
    }
}

/// Which slice of a list: after a cursor (stable while new orders arrive), or
/// a numbered page for the table view (which also counts the total).
public enum AdminPageRequest: Sendable, Equatable {
    /// `cursor` is `nextCursor` of the previous page, nil for the first page.
    case cursor(String?, limit: Int)
    /// `number` counts from 1.
    case page(number: Int, size: Int)

    /// Rows per page at most, in both modes.
    public static let limitMax = 100
    public static let limitDefault = 20
    /// Offset paging reads and skips every earlier row: beyond this many, use cursors.
    public static let offsetRowsMax = 100_000
    /// A cursor is an opaque token this server issued; real ones are far shorter.
    public static let cursorCharactersMax = 200

    /// The deepest page at `size` rows per page (a size below 1 counts as 1).
    public static func pageMax(size: Int) -> Int {
        offsetRowsMax / max(1, size) + 1
    }
}
