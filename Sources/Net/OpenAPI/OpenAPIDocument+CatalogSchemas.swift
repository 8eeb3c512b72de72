import Engine

private typealias S = OpenAPISchema

/// Request and response schemas of the catalog, search and browsing routes.
/// Request bounds come from the DTOs' rules; a response field its type may
/// leave out is never `required`.
extension OpenAPIDocument {
    static var catalogSchemas: [(key: String, value: OpenAPIValue)] {
        catalogRequestSchemas + catalogResponseSchemas + browsingSchemas
    }

    /// The SKU of a request: in `skus`, or `defaultSku` for every combination of the specs.
    private static var skuRequest: OpenAPIValue {
        S.object("", required: ["priceFen", "stock"], closed: true, [
            "name": ProductRequest.skuNameRule.schema("SKU name; default: its spec values joined by spaces.", example: "红 M"),
            "spec": S.map("Its combination of spec values, e.g. {\"颜色\": \"红\", \"尺寸\": \"M\"}; one of the matrix the specs make. Ignored in defaultSku.",
                          keys: ProductRequest.specNameRule, values: ProductRequest.specValueRule, entriesMax: CatalogLimits.specDimensionsMax),
            "priceFen": ProductRequest.priceRule.schema("Price."),
            "originalPriceFen": ProductRequest.priceRule.schema("Crossed-out price: 0 (none, the default) or at least priceFen."),
            "stock": ProductRequest.stockRule.schema("Opening stock of a new SKU (an existing SKU keeps its stock)."),
            "lowStockThreshold": ProductRequest.thresholdRule.schema("Listed in low stock at or below this; 0 (the default): never."),
        ])
    }

    private static var catalogRequestSchemas: [(key: String, value: OpenAPIValue)] {
        let product = S.object(
            "Give skus, or defaultSku to sell every combination of specs alike (one of them is required). Without specs, the dimensions are read off the SKUs' spec objects.",
            required: ["name"], closed: true, [
                "name": ProductRequest.nameRule.schema("Product name.", example: "硅胶手机壳"),
                "categoryId": S.id("The category it is filed in; its attribute templates bound the specs."),
                "subtitle": ProductRequest.subtitleRule.schema("Subtitle."),
                "description": ProductRequest.descriptionRule.schema("Plain-text description."),
                "mainImage": ProductRequest.imageRule.schema("Main image URL."),
                "images": S.array(ProductRequest.imageRule.schema("An image URL."), "Gallery.", counts: 0...CatalogLimits.imagesPerProductMax),
                "attributes": S.array(S.object("", required: ["name", "value"], closed: true, [
                    "name": ProductRequest.attributeNameRule.schema("Attribute name.", example: "材质"),
                    "value": ProductRequest.attributeValueRule.schema("Its value.", example: "硅胶"),
                ]), "Display attributes (searchable).", counts: 0...CatalogLimits.attributesPerProductMax),
                "detailHtml": [
                    "type": "string", "minLength": 0, "maxLength": .integer(RichTextSanitizer.inputBytesMax / 4),
                    "pattern": .string(TextRule(.anyButNUL, 0...0).pattern),
                    "description": .string("Rich-text detail, at most \(RichTextSanitizer.inputBytesMax) UTF-8 bytes. Sanitised before it is stored: scripts, styles, frames and forms are removed with their content, event-handler attributes (onerror, onclick, ...) and javascript: URLs are removed, unknown tags are dropped keeping their text; the product returns the sanitised HTML. At most \(CatalogLimits.detailHTMLBytesMax) bytes once sanitised (400 otherwise)."),
                ],
                "specs": S.array(S.object("", required: ["name", "values"], closed: true, [
                    "name": ProductRequest.specNameRule.schema("Dimension name: one of the category's attributes when it has templates.", example: "颜色"),
                    "values": S.array(ProductRequest.specValueRule.schema("A value: one of the attribute's options when templated.", example: "红"),
                                      "Distinct values.", counts: 1...CatalogLimits.valuesPerSpecMax),
                ]), "Spec dimensions; their matrix (at most \(MallEngine.skusPerProductMax) combinations) is the SKUs sold.",
                counts: 0...CatalogLimits.specDimensionsMax),
                "skus": S.array(skuRequest, "A price and stock per combination (a subset of the matrix is allowed; each once).", counts: ProductRequest.skusRange),
                "defaultSku": skuRequest,
                "onShelf": S.boolean("On the storefront (default true)."),
            ]).merging(["anyOf": [["required": ["skus"]], ["required": ["defaultSku"]]]])
        return [
            ("ProductRequest", product),
            ("CategoryRequest", S.object("A PUT replaces every field; omitted optional fields take their defaults.", required: ["name"], closed: true, [
                "parentId": S.id("The parent; absent: a top-level category."),
                "name": CategoryRequest.nameRule.schema("Name.", example: "手机配件"),
                "icon": CategoryRequest.iconRule.schema("Icon URL."),
                "sortOrder": CategoryRequest.sortOrderRule.schema("Smaller first among siblings.", default: 0),
                "enabled": S.boolean("Shown on the storefront (default true)."),
                "attributes": S.array(S.object("", required: ["name", "options"], closed: true, [
                    "name": CategoryRequest.attributeNameRule.schema("Attribute name, once per category.", example: "颜色"),
                    "options": S.array(CategoryRequest.optionRule.schema("An option.", example: "红"), "Distinct options.",
                                       counts: 1...CatalogLimits.optionsPerAttributeMax),
                ]), "Attribute templates bounding the specs of products filed here or below.", counts: 0...CatalogLimits.attributesPerCategoryMax),
            ])),
            ("ShelveRequest", S.object("", required: ["productIds", "onShelf"], closed: true, [
                "productIds": S.array(S.id("A product."), "Products to shelve.", counts: ShelveRequest.idsRange),
                "onShelf": S.boolean("true: on the shelf; false: off."),
            ])),
            ("StockChangeRequest", S.object("", required: ["quantity"], closed: true, [
                "quantity": StockChangeRequest.quantityRule.schema("Units, not 0: positive in, negative out.")
                    .merging(["not": ["const": 0]]),
                "remark": StockChangeRequest.remarkRule.schema("Why, for the stock log."),
            ])),
            ("SearchSettingsBody", S.object("The search settings, whole.", required: ["synonyms", "pinnedKeywords", "blockedKeywords"], closed: true, [
                "synonyms": S.array(S.array(SearchSettingsBody.termRule.schema(
                    "A term; \(SynonymTable.termCharactersRange.lowerBound) to \(SynonymTable.termCharactersRange.upperBound) characters once normalised (half-width, lowercase), in one group only.",
                    example: "手机壳"), "Terms a shopper means alike.", counts: SynonymTable.termsPerGroupRange),
                    "Synonym groups: a query with one term also matches the others.", counts: SearchSettingsBody.groupsRange),
                "pinnedKeywords": S.array(SearchSettingsBody.keywordRule.schema("A keyword."), "Shown first among the hot keywords, in this order.",
                                          counts: SearchSettingsBody.pinnedRange),
                "blockedKeywords": S.array(SearchSettingsBody.keywordRule.schema("A keyword."), "Hot keywords containing one of these are never shown.",
                                           counts: SearchSettingsBody.blockedRange),
            ])),
        ]
    }

    private static var catalogResponseSchemas: [(key: String, value: OpenAPIValue)] {
        [
            ("Product", S.object("", required: ["id", "name", "categoryPath", "subtitle", "description", "mainImage", "images", "attributes",
                                                "detailHtml", "specs", "skus", "onShelf", "sales", "inStock", "minPriceFen", "createdAt", "updatedAt"], [
                "id": S.id("The product."),
                "name": S.string("Name."),
                "categoryId": S.id("Its category; absent when filed in none."),
                "categoryPath": S.array(S.object("", required: ["id", "name"], ["id": S.id("A category."), "name": S.string("Its name.")]),
                                        "From the top category down to its own."),
                "subtitle": S.string("Subtitle."), "description": S.string("Description."), "mainImage": S.string("Main image URL."),
                "images": S.array(S.string("An image URL.")),
                "attributes": S.array(S.object("", required: ["name", "value"], ["name": S.string("Name."), "value": S.string("Value.")])),
                "detailHtml": S.string("The sanitised rich-text detail."),
                "specs": S.array(S.object("", required: ["name", "values"], ["name": S.string("Dimension."), "values": S.array(S.string("A value."))])),
                "skus": S.array(S.object("Disabled SKUs (out of the matrix) are listed in the back office only.",
                                         required: ["id", "name", "spec", "priceFen", "originalPriceFen", "stock", "sales", "lowStockThreshold", "enabled"], [
                    "id": S.id("The SKU."), "name": S.string("Name."), "spec": S.map("Its spec values by dimension."),
                    "priceFen": S.fen("Price."), "originalPriceFen": S.fen("Crossed-out price; 0: none."),
                    "stock": S.integer("Units in stock now."), "sales": S.integer("Units sold."),
                    "lowStockThreshold": S.integer("Low-stock alert at or below; 0: none."), "enabled": S.boolean("Still sold."),
                ])),
                "onShelf": S.boolean("On the storefront now (on the shelf and its categories enabled)."),
                "sales": S.integer("Units sold over its SKUs."), "inStock": S.boolean("A SKU still sold has stock."),
                "minPriceFen": S.fen("Lowest price of the SKUs still sold."),
                "createdAt": S.time("Creation."), "updatedAt": S.time("Last change."),
            ])),
            ("ProductSummary", S.object("A product card.", required: ["id", "name", "subtitle", "mainImage", "minPriceFen", "originalPriceFen",
                                                                      "sales", "inStock", "onShelf", "createdAt"], [
                "id": S.id("The product."), "name": S.string("Name."),
                "highlightedName": S.string("Search only: the name, HTML-escaped, with the matched words in <em>."),
                "subtitle": S.string("Subtitle."), "mainImage": S.string("Main image URL."),
                "categoryId": S.id("Its category; absent when filed in none."),
                "minPriceFen": S.fen("Lowest price."), "originalPriceFen": S.fen("Crossed-out price of the cheapest SKU; 0: none."),
                "sales": S.integer("Units sold."), "inStock": S.boolean("A SKU still sold has stock."),
                "onShelf": S.boolean("On the storefront now."), "createdAt": S.time("Creation."),
            ])),
            ("ProductPage", S.object("", required: ["items"], [
                "items": S.array(S.ref("ProductSummary")),
                "nextCursor": S.nullable(S.string("Pass as cursor for the next page; absent on the last page.")),
                "total": S.integer("Search and storefront list: products matching."),
            ])),
            ("CategoryResponse", S.object("", required: ["id", "name", "icon", "sortOrder", "enabled", "level", "attributes", "productCount",
                                                         "createdAt", "updatedAt"], [
                "id": S.id("The category."), "parentId": S.id("Its parent; absent at the top."),
                "name": S.string("Name."), "icon": S.string("Icon URL; may be empty."), "sortOrder": S.integer("Smaller first."),
                "enabled": S.boolean("Shown on the storefront."), "level": S.integer("1 at the top."),
                "attributes": S.array(S.object("", required: ["name", "options"], ["name": S.string("Attribute."), "options": S.array(S.string("An option."))]),
                                      "Its own attribute templates."),
                "productCount": S.integer("Products filed directly in it."),
                "children": S.array(S.ref("CategoryResponse"), "The categories under it (trees only)."),
                "createdAt": S.time("Creation."), "updatedAt": S.time("Last change."),
            ])),
            ("CategoryTreeResponse", S.object("", required: ["items"], ["items": S.array(S.ref("CategoryResponse"), "Top-level categories.")])),
            ("DeletedResponse", S.object("", required: ["id", "deleted"], ["id": S.id("What was deleted."), "deleted": S.boolean("Always true.")])),
            ("ShelveResponse", S.object("", required: ["productIds", "onShelf"], [
                "productIds": S.array(S.id("A product.")), "onShelf": S.boolean("Their shelf state now."),
            ])),
            ("StockResponse", S.object("", required: ["skuId", "stock"], ["skuId": S.id("The SKU."), "stock": S.integer("Units in stock after the change.")])),
            ("SeckillMoveResponse", S.object("", required: ["activityId", "skuId", "movedToSale", "stock"], [
                "activityId": S.id("The flash sale."), "skuId": S.id("The SKU."),
                "movedToSale": S.integer("Units moved into the sale; negative: back to the SKU's stock."),
                "stock": S.integer("The SKU's stock after the move."),
            ])),
            ("LowStockResponse", S.object("", required: ["items"], [
                "items": S.array(S.object("", required: ["productId", "productName", "skuId", "skuName", "stock", "threshold"], [
                    "productId": S.id("Product."), "productName": S.string("Its name."), "skuId": S.id("SKU."), "skuName": S.string("Its name."),
                    "stock": S.integer("Units in stock."), "threshold": S.integer("Its low-stock threshold."),
                ])),
            ])),
            ("SuggestionsResponse", S.object("", required: ["items"], ["items": S.array(S.string("A completion."))])),
            ("HotKeywordsResponse", S.object("", required: ["items"], [
                "items": S.array(S.object("", required: ["keyword", "pinned", "score"], [
                    "keyword": S.string("Normalised keyword."), "pinned": S.boolean("Pinned by the back office."),
                    "score": S.number("Searches, halved every 24 hours; 2 decimals."),
                ])),
            ])),
        ]
    }

    private static var browsingSchemas: [(key: String, value: OpenAPIValue)] {
        let item = { (time: String, timeDescription: String) in
            S.object("", required: ["productId", "available", time], [
                "product": S.ref("ProductSummary").merging(["description": "Absent when the product was deleted."]),
                "productId": S.id("The product."), "available": S.boolean("On the storefront and for sale."),
                time: S.time(timeDescription),
            ])
        }
        return [
            ("FavoritePage", S.object("", required: ["items", "total", "limit"], [
                "items": S.array(item("favoritedAt", "When it was added.")),
                "nextCursor": S.nullable(S.string("Pass as cursor for the next page; absent on the last page.")),
                "total": S.integer("Favorites in all."), "limit": S.integer("Favorites a buyer may keep."),
            ])),
            ("FavoriteStatus", S.object("", required: ["productId", "favorite", "total"], [
                "productId": S.id("The product."), "favorite": S.boolean("In the favorites now."), "total": S.integer("Favorites in all."),
            ])),
            ("FootprintPage", S.object("", required: ["days", "total"], [
                "days": S.array(S.object("", required: ["day", "items"], [
                    "day": S.string("yyyy-MM-dd in China time (UTC+8).", example: "2026-11-27"),
                    "items": S.array(item("viewedAt", "The latest view.")),
                ]), "Newest day first."),
                "nextCursor": S.nullable(S.string("Pass as cursor for the next page; absent on the last page.")),
                "total": S.integer("Footprints in all."),
            ])),
            ("ClearedResponse", S.object("", required: ["remaining"], ["remaining": S.integer("Entries left.")])),
            ("SearchHistoryResponse", S.object("", required: ["items"], [
                "items": S.array(S.object("", required: ["keyword", "searchedAt"], [
                    "keyword": S.string("Normalised keyword."), "searchedAt": S.time("Latest search."),
                ]), "Newest first."),
            ])),
        ]
    }
}
