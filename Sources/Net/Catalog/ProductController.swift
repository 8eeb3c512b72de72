import Engine
import Hummingbird

/// Products: the back office creates them; the mini-program reads them from memory.
struct ProductController {
    let engine: MallEngine

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("products", use: create)
        group.get("products/:id", use: show)
    }

    func addAPIRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("products/:id", use: show)
    }

    @Sendable func create(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProductResponse> {
        let input = try await RequestJSON.decode(CreateProductRequest.self, from: request, context: context).validated()
        let product = try await engine.createProduct(input)
        return Envelope(await ProductResponse.make(product, engine: engine), status: .created)
    }

    @Sendable func show(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProductResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        guard let product = engine.product(id: id) else { throw APIError(.notFound, "product not found") }
        return Envelope(await ProductResponse.make(product, engine: engine))
    }
}
