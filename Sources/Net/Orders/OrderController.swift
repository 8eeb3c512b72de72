import Engine
import Hummingbird

/// The buyer's orders, served from the buyer's user shard. Another user's
/// order answers 404, not 403, so order ids cannot be probed.
struct OrderController {
    let engine: MallEngine
    static let listLimitRule = IntegerRule(1...50)
    static let listLimitDefault = 20

    func addUserRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("orders", use: list)
        group.get("orders/:id", use: show)
        group.post("orders/:id/cancel", use: cancel)
    }

    @Sendable func show(_ request: Request, context: MallRequestContext) async throws -> Envelope<OrderResponse> {
        let userID = try context.requireUserID()
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        guard let order = await engine.order(id: id, ownedBy: userID) else { throw APIError(.notFound, "order not found") }
        return Envelope(OrderResponse(order))
    }

    /// Newest first; `cursor` is the id of the last order of the previous page.
    @Sendable func list(_ request: Request, context: MallRequestContext) async throws -> Envelope<OrderListResponse> {
        let userID = try context.requireUserID()
        let query = request.uri.queryParameters
        var validation = Validation()
        let limit = query.get("limit").map { text in
            let value = Self.listLimitRule.parse(text)
            validation.require(value != nil, "limit", Self.listLimitRule.rule)
            return Int(value ?? 0)
        } ?? Self.listLimitDefault
        let cursor = query.get("cursor").map { text in
            let value = EntityID.value(text)
            validation.require(value != nil, "cursor", "must be the nextCursor of a previous page: " + EntityID.rule.rule)
            return value ?? 0
        }
        let status = query.get("status")
        if let status {
            validation.require(OrderStatus(rawValue: status) != nil, "status",
                               "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try validation.check()
        let page = await engine.orders(ofUser: userID, beforeOrderID: cursor, status: status.flatMap(OrderStatus.init(rawValue:)),
                                       limit: limit)
        return Envelope(OrderListResponse(items: page.orders.map(OrderResponse.init), nextCursor: page.nextCursor.map(String.init)))
    }

    @Sendable func cancel(_ request: Request, context: MallRequestContext) async throws -> Envelope<OrderResponse> {
        let userID = try context.requireUserID()
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        return Envelope(OrderResponse(try await engine.cancelOrder(id: id, ownedBy: userID, reason: .user)))
    }
}
