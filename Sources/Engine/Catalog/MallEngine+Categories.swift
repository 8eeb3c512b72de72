/// The category tree: create, edit, move, enable or disable, delete. Input arrives
/// validated field by field from Net; the engine decides what needs the tree
/// (the parent exists, no cycle, the depth limit, no products left).
public struct CategoryInput: Sendable {
    public var parentID: UInt64
    public var name: String
    public var icon: String
    public var sortOrder: Int32
    public var enabled: Bool
    public var attributes: [AttributeTemplate]

    public init(parentID: UInt64, name: String, icon: String = "", sortOrder: Int32 = 0, enabled: Bool = true,
                attributes: [AttributeTemplate] = []) {
        (self.parentID, self.name, self.icon, self.sortOrder, self.enabled, self.attributes) =
            (parentID, name, icon, sortOrder, enabled, attributes)
    }
}

extension MallEngine {
    /// Creates a category, or replaces category `id`'s fields (moving it when the parent changes).
    public func saveCategory(id: UInt64? = nil, _ input: CategoryInput, operatorID: UInt64) async throws(EngineError) -> Category {
        guard !input.name.isEmpty else { throw .invalid(field: "name", reason: "must not be empty") }
        guard input.attributes.count <= CatalogLimits.attributesPerCategoryMax else {
            throw .invalid(field: "attributes", reason: "must hold at most \(CatalogLimits.attributesPerCategoryMax) attributes")
        }
        var names = Set<String>()
        for (index, attribute) in input.attributes.enumerated() {
            guard names.insert(attribute.name).inserted else { throw .invalid(field: "attributes[\(index)].name", reason: "listed twice") }
            guard Set(attribute.options).count == attribute.options.count else {
                throw .invalid(field: "attributes[\(index)].options", reason: "must not repeat a value")
            }
        }
        let nowMs = clock.nowMs()
        let categoryID = if let id { id } else { try nextID() }
        let event = try await commit(atMs: nowMs) { decided throws(EngineError) in
            let catalog = decided.catalog
            let existing = catalog.categories[categoryID]
            if id != nil, existing == nil { throw .notFound("category") }
            if id == nil, catalog.categories.count >= CatalogLimits.categoriesMax {
                throw .conflict("the catalog already holds \(CatalogLimits.categoriesMax) categories")
            }
            if input.parentID != 0 {
                guard catalog.categories[input.parentID] != nil else { throw .invalid(field: "parentId", reason: "no such category") }
                guard input.parentID != categoryID,
                      !catalog.categoryPath(input.parentID).contains(where: { $0.id == categoryID }) else {
                    throw .invalid(field: "parentId", reason: "a category cannot move under itself or its descendants")
                }
            }
            let parentLevel = input.parentID == 0 ? 0 : catalog.categoryLevel(input.parentID)
            let height = existing == nil ? 0 : catalog.subtreeHeight(of: categoryID)
            guard parentLevel + 1 + height <= CatalogLimits.categoryDepthMax else {
                throw .invalid(field: "parentId", reason: "the tree would be deeper than \(CatalogLimits.categoryDepthMax) levels")
            }
            let category = Category(
                id: categoryID, parentID: input.parentID, name: input.name, icon: input.icon, sortOrder: input.sortOrder,
                enabled: input.enabled, attributes: input.attributes, createdAtMs: existing?.createdAtMs ?? nowMs, updatedAtMs: nowMs)
            if category == existing { return nil }
            return .categorySaved(CategorySaved(category: category, operatorID: operatorID))
        }
        _ = event
        guard let category = catalog.categories[categoryID] else { throw .unavailable("category \(categoryID) was not applied") }
        return category
    }

    /// Deletes a category that holds no products and no child categories.
    public func deleteCategory(id: UInt64, operatorID: UInt64) async throws(EngineError) {
        let nowMs = clock.nowMs()
        try await commit(atMs: nowMs) { decided throws(EngineError) in
            let catalog = decided.catalog
            guard catalog.categories[id] != nil else { throw .notFound("category") }
            guard (catalog.categoryChildren[id] ?? []).isEmpty else {
                throw .conflict("the category still has child categories; move or delete them first")
            }
            let held = catalog.productsByCategory[id]?.count ?? 0
            guard held == 0 else { throw .conflict("the category still holds \(held) products; move or delete them first") }
            return .categoryDeleted(CategoryDeleted(categoryID: id, operatorID: operatorID, atMs: nowMs))
        }
    }
}
