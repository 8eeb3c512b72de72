import Engine

private typealias S = OpenAPISchema

/// The catalog: categories, products and their SKUs, stock, the storefront's
/// list and search, and a buyer's favorites, footprints and search history.
/// Every parameter's rule is the one its handler validates with.
extension OpenAPIDocument {
    static var catalogRoutes: [Route] {
        let productID = S.pathID("Product id.")
        let categoryID = S.pathID("Category id.")
        let byID = "$response.body#/data/id"
        return [
            Route(method: "get", path: "/admin/v1/categories", operation: S.operation(
                "catalog", "Admin category tree", "Every category, disabled ones included, as a tree by sort order.",
                security: .admin, data: S.ref("CategoryTreeResponse"), errors: [401, 40101])),
            Route(method: "post", path: "/admin/v1/categories", operation: S.operation(
                "catalog", "Create category",
                "A category under `parentId` (or at the top), at most \(CatalogLimits.categoryDepthMax) levels deep. Its attribute templates (e.g. 颜色: 红, 蓝) bound the specs of the products filed under it and under its descendants. An unknown parent, a repeated attribute or option is a 400.",
                security: .admin, body: S.jsonBody(S.ref("CategoryRequest")), status: "201", data: S.ref("CategoryResponse"),
                errors: [400, 401, 40101, 409, 413, 500, 503], links: [
                    "Category": S.link("catalogAdminCategory", "The category created.", parameters: ["path.id": .string(byID)]),
                    "Update": S.link("catalogUpdateCategory", "Edit it.", parameters: ["path.id": .string(byID)]),
                    "Delete": S.link("catalogDeleteCategory", "Delete it.", parameters: ["path.id": .string(byID)]),
                ])),
            Route(method: "get", path: "/admin/v1/categories/{id}", operation: S.operation(
                "catalog", "Admin category", "The category with the tree under it.", security: .admin,
                parameters: [categoryID], data: S.ref("CategoryResponse"), errors: [400, 401, 40101, 404])),
            Route(method: "put", path: "/admin/v1/categories/{id}", operation: S.operation(
                "catalog", "Update category",
                "Replaces every field (omitted optional fields take their defaults); a new `parentId` moves the category with its subtree. Moving it under itself or a descendant, or deeper than \(CatalogLimits.categoryDepthMax) levels, is a 400. Disabling it hides it, its descendants and their products from the storefront.",
                security: .admin, parameters: [categoryID], body: S.jsonBody(S.ref("CategoryRequest")),
                data: S.ref("CategoryResponse"), errors: [400, 401, 40101, 404, 413, 500, 503])),
            Route(method: "delete", path: "/admin/v1/categories/{id}", operation: S.operation(
                "catalog", "Delete category", "Refused (409) while it has child categories or holds products.", security: .admin,
                parameters: [categoryID], data: S.ref("DeletedResponse"), errors: [400, 401, 40101, 404, 409, 500, 503])),
            Route(method: "get", path: "/api/v1/categories", operation: S.operation(
                "catalog", "Category tree", "The enabled categories as a tree by sort order; a disabled category hides its branch.",
                security: .none, data: S.ref("CategoryTreeResponse"), errors: [])),

            Route(method: "get", path: "/admin/v1/products", operation: S.operation(
                "catalog", "List products", "Every product not deleted, newest first, on the shelf or not.", security: .admin,
                parameters: [
                    S.parameter("categoryId", in: "query", S.id("A category."), "Only products filed in this category or under it."),
                    S.parameter("onShelf", in: "query", S.enumeration(["true", "false"], "Shelf state."), "Only products on (true) or off (false) the shelf."),
                    S.parameter("q", in: "query", ProductController.nameFilterRule.schema("Part of the name."),
                                "Only products whose name contains this (letter case ignored)."),
                    S.parameter("cursor", in: "query", S.id("A product id."), "`nextCursor` of the previous page."),
                    S.parameter("limit", in: "query", ProductController.adminLimitRule.schema("Products per page.", default: 20), "Products per page."),
                ],
                data: S.ref("ProductPage"), errors: [400, 401, 40101])),
            Route(method: "post", path: "/admin/v1/products", operation: S.operation(
                "catalog", "Create product",
                "A product (SPU) and its SKU matrix: give `specs` and either `skus` (a price and stock per combination; a subset is allowed) or `defaultSku` (every combination of the specs alike). When the category (or an ancestor) has attribute templates, each spec must be one of them with only its options (400 naming `specs[i].values` otherwise). `detailHtml` is sanitised.",
                security: .admin, body: S.jsonBody(S.ref("ProductRequest")), status: "201", data: S.ref("Product"),
                errors: [400, 401, 40101, 409, 413, 500, 503], links: [
                    "AdminProduct": S.link("catalogAdminProduct", "The product created.", parameters: ["path.id": .string(byID)]),
                    "Product": S.link("catalogProduct", "The product as buyers see it.", parameters: ["path.id": .string(byID)]),
                    "Update": S.link("catalogUpdateProduct", "Edit it.", parameters: ["path.id": .string(byID)]),
                    "Delete": S.link("catalogDeleteProduct", "Delete it.", parameters: ["path.id": .string(byID)]),
                    "StockIn": S.link("catalogStockInOrOut", "Stock in to its first SKU.", parameters: ["path.id": "$response.body#/data/skus/0/id"],
                                      requestBody: ["quantity": 10, "remark": "stock-in"]),
                    "FlashSale": S.link(
                        "seckillCreateFlashSale", "A flash sale of the first SKU, open from 2000 to 2100.", parameters: [:],
                        requestBody: ["name": "flash sale", "startTime": "2000-01-01T00:00:00Z", "endTime": "2100-01-01T00:00:00Z",
                                      "items": [["skuId": "$response.body#/data/skus/0/id", "seckillPriceFen": 100, "stock": 1_000,
                                                 "limitPerUser": 100]]]),
                ])),
            Route(method: "get", path: "/admin/v1/products/{id}", operation: S.operation(
                "catalog", "Admin product", "The product with every SKU, disabled ones included.", security: .admin,
                parameters: [productID], data: S.ref("Product"), errors: [400, 401, 40101, 404])),
            Route(method: "put", path: "/admin/v1/products/{id}", operation: S.operation(
                "catalog", "Update product",
                "Replaces every field and the SKU matrix. A SKU keeps its id (and stock) while its spec combination stays; a combination that left the matrix is disabled, never deleted, so orders keep naming it. New SKUs start with their `stock`; existing ones keep theirs (use the stock routes).",
                security: .admin, parameters: [productID], body: S.jsonBody(S.ref("ProductRequest")), data: S.ref("Product"),
                errors: [400, 401, 40101, 404, 413, 500, 503])),
            Route(method: "delete", path: "/admin/v1/products/{id}", operation: S.operation(
                "catalog", "Delete product",
                "Off the storefront and out of search for good; orders keep naming its SKUs. Refused (409) while a flash sale that has not ended sells one of its SKUs.",
                security: .admin, parameters: [productID], data: S.ref("DeletedResponse"), errors: [400, 401, 40101, 404, 409, 500, 503])),
            Route(method: "post", path: "/admin/v1/products/shelf", operation: S.operation(
                "catalog", "Shelve products", "Puts products on the shelf or takes them off, all or none (an unknown id is a 400 naming it).",
                security: .admin, body: S.jsonBody(S.ref("ShelveRequest")), data: S.ref("ShelveResponse"),
                errors: [400, 401, 40101, 413, 500, 503])),
            Route(method: "get", path: "/api/v1/products", operation: S.operation(
                "catalog", "Browse products",
                "Products on the storefront (on the shelf, in enabled categories), filtered and sorted; without `q` `relevance` lists the newest first. A logged-in buyer's token is optional.",
                security: .optionalUser, parameters: storefrontQueryParameters(textRequired: false),
                data: S.ref("ProductPage"), errors: [400, 401])),
            Route(method: "get", path: "/api/v1/products/{id}", operation: S.operation(
                "catalog", "Product",
                "A product on the storefront with its SKUs still sold, prices and current stock; off the shelf, in a disabled category or deleted answers 404. A logged-in buyer's view joins their footprints.",
                security: .optionalUser, parameters: [productID], data: S.ref("Product"), errors: [400, 401, 404])),

            Route(method: "post", path: "/admin/v1/skus/{id}/stock", operation: S.operation(
                "catalog", "Stock in or out",
                "Positive `quantity` adds units (stock-in), negative takes them out (stock-out; 409 when the SKU holds fewer). Each change is recorded for the stock log.",
                security: .admin, parameters: [S.pathID("SKU id.")], body: S.jsonBody(S.ref("StockChangeRequest")),
                data: S.ref("StockResponse"), errors: [400, 401, 40101, 404, 409, 413, 500, 503])),
            Route(method: "get", path: "/admin/v1/stock/low", operation: S.operation(
                "catalog", "Low stock", "SKUs whose stock is at or below their `lowStockThreshold` (SKUs with threshold 0 are never listed).",
                security: .admin, data: S.ref("LowStockResponse"), errors: [401, 40101])),
            Route(method: "post", path: "/admin/v1/seckill/activities/{id}/items/{skuId}/stock", operation: S.operation(
                "catalog", "Move flash sale stock",
                "Flash sales draw their units from the SKU's stock. Positive `quantity` moves units into the sale (409 when the SKU's stock is short), negative gives unsold units back (at most what is unsold).",
                security: .admin, parameters: [S.pathID("Activity id."), S.pathID("SKU id.", name: "skuId")],
                body: S.jsonBody(S.ref("StockChangeRequest")), data: S.ref("SeckillMoveResponse"),
                errors: [400, 401, 40101, 404, 409, 413, 500, 503])),
            Route(method: "delete", path: "/admin/v1/seckill/activities/{id}/items/{skuId}", operation: S.operation(
                "catalog", "Remove flash sale item", "Takes the SKU off the sale and gives its unsold units back to the SKU's stock.",
                security: .admin, parameters: [S.pathID("Activity id."), S.pathID("SKU id.", name: "skuId")],
                data: S.ref("SeckillMoveResponse"), errors: [400, 401, 40101, 404, 409, 500, 503])),
        ]
    }

    static var searchRoutes: [Route] {
        let hotLimit = S.parameter("limit", in: "query", SearchController.hotLimitRule.schema("Keywords.", default: 10), "Keywords to list.")
        return [
            Route(method: "get", path: "/api/v1/search", operation: S.operation(
                "search", "Search products",
                "Words, pinyin (shoujike) and initials (sjk) match product names, subtitles, categories and attributes; synonyms widen the query. `highlightedName` marks the matches with `<em>`. A logged-in buyer's first-page search joins their search history and the hot keywords (recorded just after the answer).",
                security: .optionalUser, parameters: storefrontQueryParameters(textRequired: true),
                data: S.ref("ProductPage"), errors: [400, 401])),
            Route(method: "get", path: "/api/v1/search/suggest", operation: S.operation(
                "search", "Search suggestions", "Completions of what the buyer is typing: hot keywords first, then product words.",
                security: .optionalUser, parameters: [
                    S.parameter("q", in: "query", required: true, SearchController.prefixRule.schema("What was typed so far."), "What was typed so far."),
                    S.parameter("limit", in: "query", SearchController.suggestLimitRule.schema("Suggestions.", default: 10), "Suggestions to return."),
                ], data: S.ref("SuggestionsResponse"), errors: [400, 401])),
            Route(method: "get", path: "/api/v1/search/hot", operation: S.operation(
                "search", "Hot keywords", "The most searched keywords lately (halved every 24 hours), pinned ones first, blocked ones never.",
                security: .optionalUser, parameters: [hotLimit], data: S.ref("HotKeywordsResponse"), errors: [400, 401])),
            Route(method: "get", path: "/admin/v1/search/hot", operation: S.operation(
                "search", "Admin hot keywords", "The hot keywords as buyers see them, with their scores.",
                security: .admin, parameters: [hotLimit], data: S.ref("HotKeywordsResponse"), errors: [400, 401, 40101])),
            Route(method: "get", path: "/admin/v1/search/settings", operation: S.operation(
                "search", "Search settings", "Synonym groups and the pinned and blocked hot keywords.",
                security: .admin, data: S.ref("SearchSettingsBody"), errors: [401, 40101])),
            Route(method: "put", path: "/admin/v1/search/settings", operation: S.operation(
                "search", "Save search settings",
                "Replaces the synonym groups and the pinned and blocked keywords, whole; searches use them at once. Terms are stored normalised (half-width, lowercase); a term in two groups is a 400.",
                security: .admin, body: S.jsonBody(S.ref("SearchSettingsBody")), data: S.ref("SearchSettingsBody"),
                errors: [400, 401, 40101, 413, 500, 503])),
        ]
    }

    static var browsingRoutes: [Route] {
        let paging = [
            S.parameter("cursor", in: "query", BrowsingController.cursorRule.schema("Opaque."), "`nextCursor` of the previous page."),
            S.parameter("limit", in: "query", BrowsingController.limitRule.schema("Entries per page.", default: 20), "Entries per page."),
        ]
        let productID = S.pathID("Product id.", name: "productId")
        return [
            Route(method: "get", path: "/api/v1/favorites", operation: S.operation(
                "browsing", "My favorites", "Newest first; a product since deleted stays listed without `product`, and `available` says whether it is on sale.",
                security: .user, parameters: paging, data: S.ref("FavoritePage"), errors: [400, 401, 40101, 404])),
            Route(method: "put", path: "/api/v1/favorites/{productId}", operation: S.operation(
                "browsing", "Add favorite", "Idempotent. 404 for an unknown or deleted product; 409 when the favorites are full.",
                security: .user, parameters: [productID], data: S.ref("FavoriteStatus"), errors: [400, 401, 40101, 404, 409, 500, 503])),
            Route(method: "delete", path: "/api/v1/favorites/{productId}", operation: S.operation(
                "browsing", "Remove favorite", "Idempotent.", security: .user, parameters: [productID],
                data: S.ref("FavoriteStatus"), errors: [400, 401, 40101, 404, 500, 503])),
            Route(method: "get", path: "/api/v1/footprints", operation: S.operation(
                "browsing", "My footprints", "Product pages viewed (the latest view of each, at most 200), newest first, grouped by day in China time (UTC+8).",
                security: .user, parameters: paging, data: S.ref("FootprintPage"), errors: [400, 401, 40101, 404])),
            Route(method: "delete", path: "/api/v1/footprints", operation: S.operation(
                "browsing", "Clear footprints", security: .user, data: S.ref("ClearedResponse"), errors: [401, 40101, 404, 500, 503])),
            Route(method: "delete", path: "/api/v1/footprints/{productId}", operation: S.operation(
                "browsing", "Remove footprint", "Removes one product from the footprints.", security: .user, parameters: [productID],
                data: S.ref("ClearedResponse"), errors: [400, 401, 40101, 404, 500, 503])),
            Route(method: "get", path: "/api/v1/search/history", operation: S.operation(
                "browsing", "My search history", "The latest 20 searches, newest first, each keyword once.",
                security: .user, data: S.ref("SearchHistoryResponse"), errors: [401, 40101, 404])),
            Route(method: "delete", path: "/api/v1/search/history", operation: S.operation(
                "browsing", "Clear search history", security: .user, data: S.ref("ClearedResponse"), errors: [401, 40101, 404, 500, 503])),
        ]
    }

    /// The storefront list's and search's query (`SearchParameters`).
    private static func storefrontQueryParameters(textRequired: Bool) -> [OpenAPIValue] {
        let words = textRequired ? "Words to search for (not blank)." : "Words to search for; without them the list is browsed."
        return [
            S.parameter("q", in: "query", required: textRequired, SearchParameters.textRule.schema(words), words),
            S.parameter("categoryId", in: "query", S.id("A category."), "Only products in this category or under it."),
            S.parameter("minPriceFen", in: "query", SearchParameters.priceRule.schema("Lowest price."), "Only products with a SKU at this price or above, in fen."),
            S.parameter("maxPriceFen", in: "query", SearchParameters.priceRule.schema("Highest price; not below minPriceFen."),
                        "Only products with a SKU at this price or below, in fen."),
            S.parameter("inStock", in: "query", S.enumeration(["true", "false"], "true: only products with stock."), "true: only products with stock."),
            S.parameter("sort", in: "query", S.enumeration(SearchSort.allCases.map(\.rawValue), "Order; default relevance."),
                        "relevance (words matched, then sales), sales, priceAsc, priceDesc or newest."),
            S.parameter("cursor", in: "query", SearchParameters.cursorRule.schema("Opaque."),
                        "`nextCursor` of the previous page, with the same query and sort."),
            S.parameter("limit", in: "query", SearchParameters.limitRule.schema("Products per page.", default: Int64(SearchParameters.limitDefault)),
                        "Products per page."),
        ]
    }
}
