/// Today and yesterday at a glance, days counted in the shop's time zone.
public struct StatsOverview: Codable, Sendable, Equatable {
    /// IANA name, e.g. Asia/Shanghai.
    public var timeZone: String
    public var generatedAt: String
    public var today: DayStats
    public var yesterday: DayStats
}

/// One day's figures. Order counts, GMV and conversion follow the orders
/// created that day; `paidAmountFen` is the money received that day.
public struct DayStats: Codable, Sendable, Equatable {
    /// The local date, YYYY-MM-DD.
    public var date: String
    /// Start of the day (inclusive) and of the next (exclusive), UTC.
    public var from: String
    public var to: String
    /// Orders created.
    public var orders: Int64
    /// Of those, cancelled since.
    public var cancelledOrders: Int64
    /// Of those, paid since.
    public var paidOrders: Int64
    /// Sum of pay amounts of the day's orders that are not cancelled.
    public var gmvFen: Int64
    /// Sum of payments received during the day.
    public var paidAmountFen: Int64
    /// Users registered.
    public var newUsers: Int64
    /// gmvFen / (orders − cancelledOrders), rounded to the nearest fen; 0 without orders.
    public var averageOrderValueFen: Int64
    /// paidOrders / orders, 0 to 1 (4 decimals); 0 without orders.
    public var conversionRate: Double
}

/// Sales per day or hour; buckets without sales are present with zeros.
public struct SalesSeries: Codable, Sendable, Equatable {
    public var timeZone: String
    public var granularity: String
    public var from: String
    public var to: String
    public var points: [SalesPoint]
}

public struct SalesPoint: Codable, Sendable, Equatable {
    /// The bucket's start, UTC.
    public var start: String
    /// The bucket's start in the shop's time zone: `2026-11-27` or `2026-11-27 10:00`.
    public var label: String
    public var orders: Int64
    public var paidOrders: Int64
    public var gmvFen: Int64
    public var paidAmountFen: Int64
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

    var step: String {
        switch self {
        case .day: "1 day"
        case .hour: "1 hour"
        }
    }

    var labelFormat: String {
        switch self {
        case .day: "YYYY-MM-DD"
        case .hour: "YYYY-MM-DD HH24:MI"
        }
    }
}

public enum TopProductRanking: String, Sendable, CaseIterable {
    case quantity
    case amount

    var orderBySQL: StaticString {
        switch self {
        case .quantity: " ORDER BY quantity DESC, amount_fen DESC, oi.product_id"
        case .amount: " ORDER BY amount_fen DESC, quantity DESC, oi.product_id"
        }
    }
}

/// Best sellers among paid, not cancelled orders.
public struct TopProducts: Codable, Sendable, Equatable {
    public var by: String
    public var from: String?
    public var to: String?
    public var items: [TopProduct]
}

public struct TopProduct: Codable, Sendable, Equatable {
    public var rank: Int
    public var productId: String
    public var productName: String
    /// Units sold.
    public var quantity: Int64
    /// Sum of line amounts (unit price × quantity).
    public var amountFen: Int64
    /// Orders with this product.
    public var orders: Int64
}

/// How a flash sale went. Units: `issued` = remaining + sold − cancelled
/// (cancelled orders give their units back).
public struct SeckillReport: Codable, Sendable, Equatable {
    public var activityId: String
    public var name: String
    public var startTime: String
    public var endTime: String
    public var issuedUnits: Int64
    public var remainingUnits: Int64
    /// Units in every order placed, whatever became of it.
    public var soldUnits: Int64
    public var soldOrders: Int64
    public var paidUnits: Int64
    public var paidOrders: Int64
    public var paidAmountFen: Int64
    /// Cancelled for any reason (user, timeout, admin).
    public var cancelledUnits: Int64
    public var cancelledOrders: Int64
    /// Unpaid at the deadline and cancelled by the server.
    public var timeoutCancelledUnits: Int64
    public var timeoutCancelledOrders: Int64
    /// paidUnits / soldUnits, 0 to 1 (4 decimals); 0 when nothing sold.
    public var paidRate: Double
    public var items: [SeckillItemReport]
}

public struct SeckillItemReport: Codable, Sendable, Equatable {
    public var skuId: String
    public var productId: String?
    public var productName: String?
    public var skuName: String?
    public var seckillPriceFen: Int64
    public var issuedUnits: Int64
    public var remainingUnits: Int64
    public var soldUnits: Int64
    public var paidUnits: Int64
    public var paidAmountFen: Int64
    public var cancelledUnits: Int64
    public var timeoutCancelledUnits: Int64
    public var paidRate: Double
}

enum Ratio {
    /// numerator / denominator rounded to 4 decimals; 0 when the denominator is 0.
    static func of(_ numerator: Int64, _ denominator: Int64) -> Double {
        guard denominator > 0 else { return 0 }
        return (Double(numerator) / Double(denominator) * 10_000).rounded() / 10_000
    }

    /// numerator / denominator to the nearest integer (halves up); 0 when the denominator is 0.
    static func roundedQuotient(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        guard denominator > 0 else { return 0 }
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        return remainder * 2 >= denominator ? quotient + 1 : quotient
    }
}
