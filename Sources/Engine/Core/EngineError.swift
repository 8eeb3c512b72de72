/// Every way a command can be refused. Net maps each case to exactly one API
/// code; the cause rides along so logs can say what happened.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case invalid(field: String, reason: String)
    case conflict(String)
    case soldOut(skuID: UInt64)
    case limitReached(limitPerUser: Int64)
    case activityNotActive(startMs: Int64, endMs: Int64)
    case orderStateForbids(status: OrderStatus, action: String)
    case orderBusy(orderID: UInt64)
    case overloaded
    case unavailable(String)
    /// The session or account may not act (logged out, refresh token reused, banned, locked).
    case unauthorized(String)

    public var description: String {
        switch self {
        case .notFound(let what): "\(what) not found"
        case .invalid(let field, let reason): "\(field): \(reason)"
        case .conflict(let reason): reason
        case .soldOut(let skuID): "sold out (sku \(skuID))"
        case .limitReached(let limit): "purchase limit of \(limit) per user reached"
        case .activityNotActive: "the activity has not started or has ended"
        case .orderStateForbids(let status, let action): "an order in status \(status.rawValue) cannot be \(action)"
        case .orderBusy(let orderID): "order \(orderID) is being updated; retry"
        case .overloaded: "the write-ahead log queue is full"
        case .unavailable(let reason): reason
        case .unauthorized(let reason): reason
        }
    }
}
