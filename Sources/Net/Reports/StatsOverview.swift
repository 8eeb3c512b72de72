/// Today and yesterday at a glance, days counted in the shop's time zone.
public struct StatsOverview: Encodable, Sendable, Equatable {
    /// IANA name, e.g. Asia/Shanghai.
    public var timeZone: String
    public var generatedAt: String
    public var today: DayStats
    public var yesterday: DayStats

    public init(timeZone: String, generatedAt: String, today: DayStats, yesterday: DayStats) {
        (self.timeZone, self.generatedAt, self.today, self.yesterday) = (timeZone, generatedAt, today, yesterday)
    }
}

/// One day's figures. Order counts, GMV and conversion follow the orders
/// created that day; `paidAmountFen` is the money received that day.
public struct DayStats: Encodable, Sendable, Equatable {
    /// The local date, YYYY-MM-DD.
    public var date: String
    /// Start of the day (inclusive) and of the next (exclusive), UTC.
    public var from: String
    public var to: String
    public var orders: Int64
    public var cancelledOrders: Int64
    public var paidOrders: Int64
    public var gmvFen: Int64
    public var paidAmountFen: Int64
    public var newUsers: Int64
    public var averageOrderValueFen: Int64
    /// paidOrders / orders, 0 to 1 (4 decimals); 0 without orders.
    public var conversionRate: Double

    public init(date: String, from: String, to: String, orders: Int64, cancelledOrders: Int64, paidOrders: Int64,
                gmvFen: Int64, paidAmountFen: Int64, newUsers: Int64, averageOrderValueFen: Int64, conversionRate: Double) {
        (self.date, self.from, self.to, self.orders, self.cancelledOrders) = (date, from, to, orders, cancelledOrders)
        (self.paidOrders, self.gmvFen, self.paidAmountFen, self.newUsers) = (paidOrders, gmvFen, paidAmountFen, newUsers)
        (self.averageOrderValueFen, self.conversionRate) = (averageOrderValueFen, conversionRate)
    }
}

/// Sales per day or hour; buckets without sales are present with zeros.
public struct SalesSeries: Encodable, Sendable, Equatable {
    public var timeZone: String
    public var granularity: String
    public var from: String
    public var to: String
    public var points: [SalesPoint]

    public init(timeZone: String, granularity: String, from: String, to: String, points: [SalesPoint]) {
        (self.timeZone, self.granularity, self.from, self.to, self.points) = (timeZone, granularity, from, to, points)
    }
}

public struct SalesPoint: Encodable, Sendable, Equatable {
    /// The bucket's start, UTC.
    public var start: String
    /// The bucket's start in the shop's time zone: `2026-11-27` or `2026-11-27 10:00`.
    public var label: String
    public var orders: Int64
    public var paidOrders: Int64
    public var gmvFen: Int64
    public var paidAmountFen: Int64

    public init(start: String, label: String, orders: Int64, paidOrders: Int64, gmvFen: Int64, paidAmountFen: Int64) {
        (self.start, self.label, self.orders, self.paidOrders, self.gmvFen, self.paidAmountFen) =
            (start, label, orders, paidOrders, gmvFen, paidAmountFen)
    }
}

public enum SalesGranularity: String, Sendable, CaseIterable {
    case day
    case hour

    /// The widest range one request may span, so a series stays small.
    public var rangeMsMax: Int64 {
        switch self {
        case .day: 400 * 86_400_000
        case .hour: 31 * 86_400_000
        }
    }
}

public enum TopProductRanking: String, Sendable, CaseIterable {
    case quantity
    case amount
}

/// Best sellers among paid, not cancelled orders.
public struct TopProducts: Encodable, Sendable, Equatable {
    public var by: String
    public var from: String?
    public var to: String?
    public var items: [TopProduct]

    /// Products one request may ask for.
    public static let limitMax = 100
    public static let limitDefault = 10

    public init(by: String, from: String?, to: String?, items: [TopProduct]) {
        (self.by, self.from, self.to, self.items) = (by, from, to, items)
    }
}

public struct TopProduct: Encodable, Sendable, Equatable {
    public var rank: Int
    public var productId: String
    public var productName: String
    public var quantity: Int64
    public var amountFen: Int64
    public var orders: Int64

    public init(rank: Int, productId: String, productName: String, quantity: Int64, amountFen: Int64, orders: Int64) {
        (self.rank, self.productId, self.productName, self.quantity, self.amountFen, self.orders) =
            (rank, productId, productName, quantity, amountFen, orders)
    }
}
