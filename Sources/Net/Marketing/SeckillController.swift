import Engine
import Hummingbird

/// Flash sales: the back office creates activities and watches their stock;
/// buyers read them and buy.
struct SeckillController {
    let engine: MallEngine

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("seckill/activities", use: create)
        group.get("seckill/activities/:id", use: show)
    }

    func addPublicRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("seckill/activities/:id", use: show)
    }

    func addUserRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("seckill/activities/:id/orders", use: purchase)
    }

    @Sendable func create(_ request: Request, context: MallRequestContext) async throws -> Envelope<SeckillActivityResponse> {
        let input = try await RequestJSON.decode(CreateSeckillActivityRequest.self, from: request, context: context).validated()
        let activity = try await engine.createSeckillActivity(input)
        return Envelope(try await response(activityID: activity.id), status: .created)
    }

    @Sendable func show(_ request: Request, context: MallRequestContext) async throws -> Envelope<SeckillActivityResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        return Envelope(try await response(activityID: id))
    }

    @Sendable func purchase(_ request: Request, context: MallRequestContext) async throws -> Envelope<OrderResponse> {
        let userID = try context.requireUserID()
        let activityID = try EntityID.parse(context.parameters.get("id"), field: "id")
        let input = try await RequestJSON.decode(SeckillPurchaseRequest.self, from: request, context: context)
        let key = request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value
        if let key, !SeckillPurchaseRequest.idempotencyKeyRule.accepts(key) {
            throw APIError.invalid("Idempotency-Key", SeckillPurchaseRequest.idempotencyKeyRule.rule)
        }
        let order = try await engine.placeSeckillOrder(userID: userID, activityID: activityID, skuID: input.skuId.value,
                                                       quantity: try input.validatedQuantity(), idempotencyKey: key)
        return Envelope(OrderResponse(order), status: .created)
    }

    private func response(activityID: UInt64) async throws -> SeckillActivityResponse {
        guard let (activity, items) = await engine.seckillActivity(id: activityID) else {
            throw APIError(.notFound, "flash-sale activity not found")
        }
        return SeckillActivityResponse(activity, items: items, catalog: engine.catalog, nowMs: engine.nowMs)
    }
}
