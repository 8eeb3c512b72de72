import Engine
import Hummingbird

/// A buyer's favorites, footprints (browsing history by day) and search history.
struct BrowsingController {
    let engine: MallEngine

    func addUserRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("favorites", use: favorites)
        group.put("favorites/:productId", use: addFavorite)
        group.delete("favorites/:productId", use: removeFavorite)
        group.get("footprints", use: footprints)
        group.delete("footprints", use: clearFootprints)
        group.delete("footprints/:productId", use: removeFootprint)
        group.get("search/history", use: searchHistory)
        group.delete("search/history", use: clearSearchHistory)
    }

    @Sendable func favorites(_ request: Request, context: MallRequestContext) async throws -> Envelope<FavoritePage> {
        let userID = try context.requireUserID()
        let (cursor, limit) = try Self.paging(request, parse: FavoriteList.Cursor.init)
        let browsing = try await browsing(userID)
        let page = browsing.favorites.page(after: cursor, limit: limit)
        let catalog = engine.catalog
        return Envelope(FavoritePage(items: page.entries.map { entry in
            let product = catalog.products[entry.productID]
            return FavoritePage.Item(product: product.map { ProductSummary($0, engine: engine) }, productId: EntityID(entry.productID),
                                     available: product.map(catalog.isOnStorefront) ?? false,
                                     favoritedAt: APITime.format(ms: entry.atMs))
        }, nextCursor: page.nextCursor?.description, total: browsing.favorites.count, limit: browsing.favorites.limit))
    }

    @Sendable func addFavorite(_ request: Request, context: MallRequestContext) async throws -> Envelope<FavoriteStatus> {
        let userID = try context.requireUserID()
        let productID = try EntityID.parse(context.parameters.get("productId"), field: "productId")
        let browsing = try await engine.setFavorite(userID: userID, productID: productID, favorite: true)
        return Envelope(FavoriteStatus(productId: EntityID(productID), favorite: true, total: browsing.favorites.count))
    }

    @Sendable func removeFavorite(_ request: Request, context: MallRequestContext) async throws -> Envelope<FavoriteStatus> {
        let userID = try context.requireUserID()
        let productID = try EntityID.parse(context.parameters.get("productId"), field: "productId")
        let browsing = try await engine.setFavorite(userID: userID, productID: productID, favorite: false)
        return Envelope(FavoriteStatus(productId: EntityID(productID), favorite: false, total: browsing.favorites.count))
    }

    /// The latest views (at most 200), one per product, newest first, grouped by day in China time.
    @Sendable func footprints(_ request: Request, context: MallRequestContext) async throws -> Envelope<FootprintPage> {
        let userID = try context.requireUserID()
        let (cursor, limit) = try Self.paging(request, parse: RecentList<UInt64>.Cursor.init)
        let views = try await browsing(userID).views
        let page = views.page(after: cursor, limit: limit)
        let catalog = engine.catalog
        let days = RecentList<UInt64>.groupedByDay(page.entries).map { day in
            FootprintPage.Day(day: day.day, items: day.entries.map { entry in
                let product = catalog.products[entry.element]
                return FootprintPage.Item(product: product.map { ProductSummary($0, engine: engine) },
                                          productId: EntityID(entry.element),
                                          available: product.map(catalog.isOnStorefront) ?? false,
                                          viewedAt: APITime.format(ms: entry.atMs))
            })
        }
        return Envelope(FootprintPage(days: days, nextCursor: page.nextCursor?.description, total: views.count))
    }

    @Sendable func clearFootprints(_ request: Request, context: MallRequestContext) async throws -> Envelope<ClearedResponse> {
        let userID = try context.requireUserID()
        let browsing = try await engine.clearHistory(userID: userID, kind: .browsing)
        return Envelope(ClearedResponse(remaining: browsing.views.count))
    }

    @Sendable func removeFootprint(_ request: Request, context: MallRequestContext) async throws -> Envelope<ClearedResponse> {
        let userID = try context.requireUserID()
        let productID = try EntityID.parse(context.parameters.get("productId"), field: "productId")
        let browsing = try await engine.clearHistory(userID: userID, kind: .browsing, productIDs: [productID])
        return Envelope(ClearedResponse(remaining: browsing.views.count))
    }

    /// The latest 20 searches, newest first.
    @Sendable func searchHistory(_ request: Request, context: MallRequestContext) async throws -> Envelope<SearchHistoryResponse> {
        let userID = try context.requireUserID()
        let searches = try await browsing(userID).searches
        return Envelope(SearchHistoryResponse(items: searches.entries.map {
            SearchHistoryResponse.Item(keyword: $0.element, searchedAt: APITime.format(ms: $0.atMs))
        }))
    }

    @Sendable func clearSearchHistory(_ request: Request, context: MallRequestContext) async throws -> Envelope<ClearedResponse> {
        let userID = try context.requireUserID()
        let browsing = try await engine.clearHistory(userID: userID, kind: .search)
        return Envelope(ClearedResponse(remaining: browsing.searches.count))
    }

    private func browsing(_ userID: UInt64) async throws(APIError) -> UserBrowsing {
        guard let browsing = await engine.browsing(userID: userID) else { throw APIError(.notFound, "user not found") }
        return browsing
    }

    static let limitRule = IntegerRule(1...100)
    static let cursorRule = TextRule(.visibleASCII, 1...50)

    static func paging<Cursor>(_ request: Request, parse: (String) -> Cursor?) throws(APIError) -> (Cursor?, Int) {
        let query = request.uri.queryParameters
        var validation = Validation()
        let limit = SearchParameters.integer(query.get("limit"), "limit", limitRule, &validation).map { Int($0) } ?? 20
        var cursor: Cursor?
        if let text = query.get("cursor") {
            cursor = cursorRule.accepts(text) ? parse(text) : nil
            validation.require(cursor != nil, "cursor", "must be the nextCursor of a previous page")
        }
        try validation.check()
        return (cursor, limit)
    }
}

struct FavoritePage: Encodable, Sendable {
    var items: [Item]
    var nextCursor: String?
    var total: Int
    var limit: Int

    struct Item: Encodable, Sendable {
        /// Absent when the product was deleted.
        var product: ProductSummary?
        var productId: EntityID
        /// On the storefront and for sale.
        var available: Bool
        var favoritedAt: String
    }
}

struct FavoriteStatus: Encodable, Sendable {
    var productId: EntityID
    var favorite: Bool
    var total: Int
}

struct FootprintPage: Encodable, Sendable {
    var days: [Day]
    var nextCursor: String?
    var total: Int

    struct Day: Encodable, Sendable {
        /// `yyyy-MM-dd` in China time (UTC+8).
        var day: String
        var items: [Item]
    }

    struct Item: Encodable, Sendable {
        var product: ProductSummary?
        var productId: EntityID
        var available: Bool
        var viewedAt: String
    }
}

struct ClearedResponse: Encodable, Sendable {
    var remaining: Int
}

struct SearchHistoryResponse: Encodable, Sendable {
    var items: [Item]

    struct Item: Encodable, Sendable {
        var keyword: String
        var searchedAt: String
    }
}
