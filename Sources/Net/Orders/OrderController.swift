import Engine
import Hummingbird

/// The buyer's orders, served from the buyer's user shard. Another user's
/// order answers 404, not 403, so order ids cannot be probed.
struct OrderController {
    let engine: MallEngine
    static let listLimitMax = 50

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
        let limitText = request.uri.queryParameters.get("limit")
        let limit = try limitText.map { text throws(APIError) -> Int in
            guard let value = Int(text), (1...Self.listLimitMax).contains(value) else {
                throw APIError.invalid("limit", "must be 1 to \(Self.listLimitMax)")
            }
            return value
        } ?? 20
        let cursor = try request.uri.queryParameters.get("cursor").map { text throws(APIError) in
            try EntityID.parse(text, field: "cursor")
        }
        let status = request.uri.queryParameters.get("status")
        if let status, OrderStatus(rawValue: status) == nil {
            throw APIError.invalid("status", "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
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
