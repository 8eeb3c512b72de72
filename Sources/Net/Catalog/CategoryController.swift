import Engine
import Hummingbird

/// The category tree: the back office edits it; the storefront reads the enabled branches.
struct CategoryController {
    let engine: MallEngine

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("categories", use: adminTree)
        group.post("categories", use: create)
        group.get("categories/:id", use: show)
        group.put("categories/:id", use: update)
        group.delete("categories/:id", use: delete)
    }

    func addAPIRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("categories", use: storefrontTree)
    }

    @Sendable func adminTree(_ request: Request, context: MallRequestContext) async throws -> Envelope<CategoryTreeResponse> {
        Envelope(CategoryTreeResponse(items: CategoryResponse.tree(of: engine.catalog, visibleOnly: false)))
    }

    @Sendable func storefrontTree(_ request: Request, context: MallRequestContext) async throws -> Envelope<CategoryTreeResponse> {
        Envelope(CategoryTreeResponse(items: CategoryResponse.tree(of: engine.catalog, visibleOnly: true)))
    }

    @Sendable func show(_ request: Request, context: MallRequestContext) async throws -> Envelope<CategoryResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        let catalog = engine.catalog
        guard let category = catalog.categories[id] else { throw APIError(.notFound, "category not found") }
        return Envelope(CategoryResponse(category, catalog: catalog, children: CategoryResponse.tree(of: catalog, under: id, visibleOnly: false)))
    }

    @Sendable func create(_ request: Request, context: MallRequestContext) async throws -> Envelope<CategoryResponse> {
        let input = try await RequestJSON.decode(CategoryRequest.self, from: request, context: context).validated()
        let category = try await engine.saveCategory(input, operatorID: try context.requireAdminID())
        return Envelope(CategoryResponse(category, catalog: engine.catalog), status: .created)
    }

    @Sendable func update(_ request: Request, context: MallRequestContext) async throws -> Envelope<CategoryResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        let input = try await RequestJSON.decode(CategoryRequest.self, from: request, context: context).validated()
        let category = try await engine.saveCategory(id: id, input, operatorID: try context.requireAdminID())
        return Envelope(CategoryResponse(category, catalog: engine.catalog))
    }

    @Sendable func delete(_ request: Request, context: MallRequestContext) async throws -> Envelope<DeletedResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        try await engine.deleteCategory(id: id, operatorID: try context.requireAdminID())
        return Envelope(DeletedResponse(id: EntityID(id), deleted: true))
    }
}

struct DeletedResponse: Encodable, Sendable {
    var id: EntityID
    var deleted: Bool
}

extension MallRequestContext {
    /// The admin acting, for the records' operator field.
    func requireAdminID() throws -> UInt64 {
        guard case .admin(let id, _, _) = principal else { throw APIError(.unauthorized) }
        return id
    }
}
