/// The storefront's search index, derived from the catalog: every product on the
/// storefront is a document, refreshed by each catalog event before the write is
/// acknowledged, so a search sees a product right after the write that made it.
public struct CatalogSearch: Sendable {
    public private(set) var index = SearchIndex()

    public init(catalog: CatalogState) {
        index.synonyms = Self.synonyms(catalog.searchSettings)
        for id in catalog.products.keys.sorted() { refresh(id, catalog: catalog) }
    }

    mutating func apply(_ event: MallEvent, catalog: CatalogState) {
        switch event {
        case .productCreated(let created): refresh(created.productID, catalog: catalog)
        case .productSaved(let saved): refresh(saved.productID, catalog: catalog)
        case .productsShelved(let shelved): for id in shelved.productIDs { refresh(id, catalog: catalog) }
        case .productDeleted(let deleted): refresh(deleted.productID, catalog: catalog)
        case .categorySaved(let saved):
            // A rename, a move or a status change reaches every product of the branch.
            let branch = [saved.category.id] + catalog.descendantCategoryIDs(of: saved.category.id)
            for categoryID in branch {
                for id in (catalog.productsByCategory[categoryID] ?? []).sorted() { refresh(id, catalog: catalog) }
            }
        case .searchSettingsChanged:
            index.synonyms = Self.synonyms(catalog.searchSettings)
        default:
            break
        }
    }

    private mutating func refresh(_ productID: UInt64, catalog: CatalogState) {
        guard let product = catalog.products[productID], catalog.isOnStorefront(product),
              let document = Self.document(product, catalog: catalog) else {
            index.remove(productID: productID)
            return
        }
        index.upsert(document)
    }

    static func document(_ product: Product, catalog: CatalogState) -> SearchDocument? {
        let skus = product.sellableSKUs
        guard let minPrice = skus.map(\.priceFen).min(), let maxPrice = skus.map(\.priceFen).max() else { return nil }
        let path = catalog.categoryPath(product.details.categoryID).reversed()
        var attributes = product.details.attributes.map(\.value)
        for dimension in product.details.specs { attributes.append(contentsOf: dimension.values) }
        return SearchDocument(
            productID: product.id, name: product.name, keywords: product.details.subtitle,
            categoryIDs: path.map(\.id), categoryNames: path.map(\.name), attributes: attributes,
            minPriceFen: minPrice, maxPriceFen: maxPrice, createdAtMs: product.createdAtMs)
    }

    static func synonyms(_ settings: SearchSettings) -> SynonymTable {
        // The groups were validated by the same initialiser before they were logged.
        (try? SynonymTable(groups: settings.synonymGroups)) ?? SynonymTable()
    }
}
