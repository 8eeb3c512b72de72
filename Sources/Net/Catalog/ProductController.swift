import Engine
import Hummingbird

/// Products: the back office creates, edits, shelves and deletes them; the
/// mini-program lists and reads them from memory (off-shelf products and
/// disabled categories are not on the storefront).
struct ProductController {
    let engine: MallEngine

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("products", use: adminList)
        group.post("products", use: create)
        group.get("products/:id", use: adminShow)
        group.put("products/:id", use: update)
        group.delete("products/:id", use: delete)
        group.post("products/shelf", use: shelve)
    }

    /// Behind an optional user token: a logged-in buyer's product page view joins their footprints.
    func addAPIRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("products", use: storefrontList)
        group.get("products/:id", use: storefrontShow)
    }

    @Sendable func create(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProductResponse> {
        let input = try await RequestJSON.decode(ProductRequest.self, from: request, context: context).validated()
        let product = try await engine.saveProduct(id: nil, input, operatorID: context.adminIDIfAny)
        return Envelope(ProductResponse(product, engine: engine), status: .created)
    }

    @Sendable func update(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProductResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        let input = try await RequestJSON.decode(ProductRequest.self, from: request, context: context).validated()
        let product = try await engine.saveProduct(id: id, input, operatorID: context.adminIDIfAny)
        return Envelope(ProductResponse(product, engine: engine))
    }

    @Sendable func delete(_ request: Request, context: MallRequestContext) async throws -> Envelope<DeletedResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        try await engine.deleteProduct(id: id, operatorID: context.adminIDIfAny)
        return Envelope(DeletedResponse(id: EntityID(id), deleted: true))
    }

    @Sendable func shelve(_ request: Request, context: MallRequestContext) async throws -> Envelope<ShelveResponse> {
        let decoded = try await RequestJSON.decode(ShelveRequest.self, from: request, context: context)
        let ids = try decoded.validated()
        try await engine.shelveProducts(ids, onShelf: decoded.onShelf, operatorID: context.adminIDIfAny)
        return Envelope(ShelveResponse(productIds: ids.map(EntityID.init), onShelf: decoded.onShelf))
    }

    @Sendable func adminShow(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProductResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        guard let product = engine.product(id: id), !product.details.deleted else { throw APIError(.notFound, "product not found") }
        return Envelope(ProductResponse(product, engine: engine))
    }

    /// Every product not deleted, newest first by id; filters: `categoryId` (with its descendants),
    /// `onShelf`, `q` (a substring of the name).
    @Sendable func adminList(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProductPage> {
        let query = request.uri.queryParameters
        var validation = Validation()
        let categoryID = SearchParameters.id(query.get("categoryId"), "categoryId", &validation)
        let cursor = SearchParameters.id(query.get("cursor"), "cursor", &validation)
        let limit = SearchParameters.integer(query.get("limit"), "limit", Self.adminLimitRule, &validation).map { Int($0) } ?? 20
        var onShelf: Bool?
        if let text = query.get("onShelf") {
            validation.require(text == "true" || text == "false", "onShelf", "must be true or false")
            onShelf = text == "true"
        }
        let name = query.get("q")
        if let name { validation.text(name, "q", Self.nameFilterRule) }
        try validation.check()
        let catalog = engine.catalog
        var categories: Set<UInt64>?
        if let categoryID { categories = Set([categoryID] + catalog.descendantCategoryIDs(of: categoryID)) }
        let matching = catalog.products.values.filter { product in
            guard !product.details.deleted else { return false }
            if let cursor, product.id >= cursor { return false }
            if let categories, !categories.contains(product.details.categoryID) { return false }
            if let onShelf, product.details.onShelf != onShelf { return false }
            if let name, !product.name.lowercased().contains(name.lowercased()) { return false }
            return true
        }.sorted { $0.id > $1.id }
        let page = matching.prefix(limit)
        return Envelope(ProductPage(items: page.map { ProductSummary($0, engine: engine) },
                                    nextCursor: matching.count > limit ? page.last.map { String($0.id) } : nil,
                                    total: nil))
    }

    /// The storefront's product list: the search index browsed without words (filters and sorts of search).
    @Sendable func storefrontList(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProductPage> {
        let query = try SearchParameters.query(request, textRequired: false)
        return Envelope(try SearchController.page(query, engine: engine))
    }

    @Sendable func storefrontShow(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProductResponse> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        guard let product = engine.product(id: id), engine.catalog.isOnStorefront(product) else {
            throw APIError(.notFound, "product not found or no longer on sale")
        }
        if case .user(let userID) = context.principal {
            // The view joins the footprints before the page answers: a footprint list read right after shows it.
            try? await engine.recordView(userID: userID, productID: id)
        }
        return Envelope(ProductResponse(product, engine: engine, storefront: true))
    }

    static let adminLimitRule = IntegerRule(1...100)
    static let nameFilterRule = TextRule(.text, 1...50)
}

struct ShelveResponse: Encodable, Sendable {
    var productIds: [EntityID]
    var onShelf: Bool
}

extension MallRequestContext {
    /// The acting admin's id; 0 outside the back office.
    var adminIDIfAny: UInt64 {
        if case .admin(let id, _, _) = principal { return id }
        return 0
    }
}
