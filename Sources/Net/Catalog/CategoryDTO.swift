import Engine

/// `POST /admin/v1/categories` and `PUT /admin/v1/categories/:id`. Strict: no unknown
/// fields, no nulls. A PUT replaces every field; omitted optional fields take their defaults.
struct CategoryRequest: Decodable, Sendable {
    var parentId: EntityID?
    var name: String
    var icon: String?
    var sortOrder: Int64?
    var enabled: Bool?
    var attributes: [AttributeInput]?

    struct AttributeInput: Decodable, Sendable {
        var name: String
        var options: [String]

        enum CodingKeys: String, CodingKey, CaseIterable { case name, options }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try container.required(String.self, .name)
            options = try container.required([String].self, .options)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case parentId, name, icon, sortOrder, enabled, attributes }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        parentId = try container.optional(EntityID.self, .parentId)
        name = try container.required(String.self, .name)
        icon = try container.optional(String.self, .icon)
        sortOrder = try container.optional(Int64.self, .sortOrder)
        enabled = try container.optional(Bool.self, .enabled)
        attributes = try container.optional([AttributeInput].self, .attributes)
    }

    static let nameRule = TextRule(.text, 1...30)
    static let iconRule = TextRule(.visibleASCII, 0...500)
    static let sortOrderRule = IntegerRule(0...1_000_000)
    static let attributeNameRule = TextRule(.text, 1...20)
    static let optionRule = TextRule(.text, 1...30)

    func validated() throws(APIError) -> CategoryInput {
        var validation = Validation()
        validation.text(name, "name", Self.nameRule)
        if let icon { validation.text(icon, "icon", Self.iconRule) }
        if let sortOrder { validation.integer(sortOrder, "sortOrder", Self.sortOrderRule) }
        let attributes = attributes ?? []
        validation.require(attributes.count <= CatalogLimits.attributesPerCategoryMax, "attributes",
                           "must hold at most \(CatalogLimits.attributesPerCategoryMax) attributes")
        for (index, attribute) in attributes.prefix(CatalogLimits.attributesPerCategoryMax).enumerated() {
            validation.text(attribute.name, "attributes[\(index)].name", Self.attributeNameRule)
            validation.require((1...CatalogLimits.optionsPerAttributeMax).contains(attribute.options.count), "attributes[\(index)].options",
                               "must hold 1 to \(CatalogLimits.optionsPerAttributeMax) options")
            for (optionIndex, option) in attribute.options.prefix(CatalogLimits.optionsPerAttributeMax).enumerated() {
                validation.text(option, "attributes[\(index)].options[\(optionIndex)]", Self.optionRule)
            }
        }
        try validation.check()
        return CategoryInput(parentID: parentId?.value ?? 0, name: name, icon: icon ?? "",
                             sortOrder: Int32(clamping: sortOrder ?? 0), enabled: enabled ?? true,
                             attributes: attributes.map { AttributeTemplate(name: $0.name, options: $0.options) })
    }
}

struct CategoryResponse: Encodable, Sendable {
    var id: EntityID
    var parentId: EntityID?
    var name: String
    var icon: String
    var sortOrder: Int64
    var enabled: Bool
    var level: Int
    var attributes: [AttributeResponse]
    var productCount: Int
    var children: [CategoryResponse]?
    var createdAt: String
    var updatedAt: String

    struct AttributeResponse: Encodable, Sendable {
        var name: String
        var options: [String]
    }

    init(_ category: Category, catalog: CatalogState, children: [CategoryResponse]? = nil) {
        id = EntityID(category.id)
        parentId = category.parentID == 0 ? nil : EntityID(category.parentID)
        name = category.name
        icon = category.icon
        sortOrder = Int64(category.sortOrder)
        enabled = category.enabled
        level = catalog.categoryLevel(category.id)
        attributes = category.attributes.map { AttributeResponse(name: $0.name, options: $0.options) }
        productCount = catalog.productsByCategory[category.id]?.count ?? 0
        self.children = children
        createdAt = APITime.format(ms: category.createdAtMs)
        updatedAt = APITime.format(ms: category.updatedAtMs)
    }

    /// The tree under `parentID`, by sort order; `visibleOnly` leaves out disabled branches.
    static func tree(of catalog: CatalogState, under parentID: UInt64 = 0, visibleOnly: Bool) -> [CategoryResponse] {
        catalog.childCategories(of: parentID).compactMap { category in
            guard !visibleOnly || category.enabled else { return nil }
            return CategoryResponse(category, catalog: catalog,
                                    children: tree(of: catalog, under: category.id, visibleOnly: visibleOnly))
        }
    }
}

struct CategoryTreeResponse: Encodable, Sendable {
    var items: [CategoryResponse]
}
