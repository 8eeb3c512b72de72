/// A node of the category tree (商品分类): at most `CatalogLimits.categoryDepthMax`
/// levels. Attribute templates (颜色, 尺寸 with their options) are what the
/// specs of the products filed under it, or under its descendants, are checked
/// against. A disabled category hides its whole branch from the storefront.
public struct Category: Sendable, Equatable {
    public var id: UInt64
    /// 0 for a top-level category.
    public var parentID: UInt64
    public var name: String
    public var icon: String
    public var sortOrder: Int32
    public var enabled: Bool
    public var attributes: [AttributeTemplate]
    public var createdAtMs: Int64
    public var updatedAtMs: Int64

    public init(id: UInt64, parentID: UInt64, name: String, icon: String, sortOrder: Int32, enabled: Bool,
                attributes: [AttributeTemplate], createdAtMs: Int64, updatedAtMs: Int64) {
        (self.id, self.parentID, self.name, self.icon, self.sortOrder, self.enabled) = (id, parentID, name, icon, sortOrder, enabled)
        (self.attributes, self.createdAtMs, self.updatedAtMs) = (attributes, createdAtMs, updatedAtMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(id); writer.write(parentID); writer.write(name); writer.write(icon); writer.write(sortOrder)
        writer.write(enabled)
        writer.write(attributes) { $1.encode(to: &$0) }
        writer.write(createdAtMs); writer.write(updatedAtMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        id = try reader.read(); parentID = try reader.read(); name = try reader.readString(); icon = try reader.readString()
        sortOrder = try reader.read(); enabled = try reader.readBool()
        attributes = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try AttributeTemplate(from: &r) }
        createdAtMs = try reader.read(); updatedAtMs = try reader.read()
    }
}

/// An attribute a category asks its products to specify, with the values allowed.
public struct AttributeTemplate: Sendable, Equatable {
    public var name: String
    public var options: [String]

    public init(name: String, options: [String]) { (self.name, self.options) = (name, options) }

    func encode(to writer: inout ByteWriter) {
        writer.write(name)
        writer.write(options) { $0.write($1) }
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        name = try reader.readString()
        options = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.readString() }
    }
}

public enum CatalogLimits {
    public static let categoryDepthMax = 5
    public static let categoriesMax = 10_000
    public static let attributesPerCategoryMax = 20
    public static let optionsPerAttributeMax = 100
    public static let imagesPerProductMax = 20
    public static let specDimensionsMax = 5
    public static let valuesPerSpecMax = 50
    public static let attributesPerProductMax = 30
    public static let detailHTMLBytesMax = 200_000
    public static let productsMax = 200_000
    public static let lowStockThresholdMax: Int64 = MallLimits.stockMax
}

extension CatalogState {
    /// The category and its ancestors, the category first; empty when it does not exist.
    /// Bounded by the depth limit, so a corrupted parent loop cannot spin.
    public func categoryPath(_ id: UInt64) -> [Category] {
        var path: [Category] = []
        var next = id
        while next != 0, path.count <= CatalogLimits.categoryDepthMax, let category = categories[next] {
            path.append(category)
            next = category.parentID
        }
        return path
    }

    /// Levels from the top (1) down to `id`; 0 when it does not exist.
    public func categoryLevel(_ id: UInt64) -> Int { categoryPath(id).count }

    /// Whether the category and every ancestor are enabled: products filed there are on the storefront.
    public func categoryIsVisible(_ id: UInt64) -> Bool {
        let path = categoryPath(id)
        return !path.isEmpty && path.allSatisfy(\.enabled)
    }

    /// Children of a category (0: the top level), by sort order then id.
    public func childCategories(of parentID: UInt64) -> [Category] {
        (categoryChildren[parentID] ?? []).compactMap { categories[$0] }
            .sorted { ($0.sortOrder, $0.id) < ($1.sortOrder, $1.id) }
    }

    /// Every category below `id`, not including it, depth first.
    public func descendantCategoryIDs(of id: UInt64) -> [UInt64] {
        var result: [UInt64] = []
        var stack = categoryChildren[id] ?? []
        while let next = stack.popLast() {
            result.append(next)
            stack.append(contentsOf: categoryChildren[next] ?? [])
        }
        return result
    }

    /// Levels below `id` (0 when it has no children).
    public func subtreeHeight(of id: UInt64) -> Int {
        var height = 0
        var level = categoryChildren[id] ?? []
        while !level.isEmpty, height <= CatalogLimits.categoryDepthMax {
            height += 1
            level = level.flatMap { categoryChildren[$0] ?? [] }
        }
        return height
    }

    /// The attribute templates in force for products of a category: its own and its ancestors'
    /// (the nearest definition of a name wins).
    public func attributeTemplates(for categoryID: UInt64) -> [AttributeTemplate] {
        var seen = Set<String>()
        var templates: [AttributeTemplate] = []
        for category in categoryPath(categoryID) {
            for template in category.attributes where seen.insert(template.name).inserted { templates.append(template) }
        }
        return templates
    }
}
