import Engine
import Foundation
import MallTestSupport
@testable import Net

/// Fuzz cases of the catalog's request DTOs: products with their specs and SKUs,
/// categories with attribute templates, shelving, stock changes, search settings.
extension DTOCase {
    static let skuShape = RequestShape.object([
        .init("name", .text(ProductRequest.skuNameRule), required: false),
        .init("spec", .map(keys: ProductRequest.specNameRule, values: ProductRequest.specValueRule,
                           entriesMax: CatalogLimits.specDimensionsMax), required: false),
        .init("priceFen", .integer(ProductRequest.priceRule, isOptional: false)),
        .init("originalPriceFen", .integer(ProductRequest.priceRule, isOptional: true), required: false),
        .init("stock", .integer(ProductRequest.stockRule, isOptional: false)),
        .init("lowStockThreshold", .integer(ProductRequest.thresholdRule, isOptional: true), required: false),
    ])

    static let createProduct = DTOCase(
        name: "ProductRequest", types: ["ProductRequest", "SKUInput", "SpecInput", "NameValue"],
        shape: .object([
            .init("name", .text(ProductRequest.nameRule)),
            .init("categoryId", .id, required: false),
            .init("subtitle", .text(ProductRequest.subtitleRule), required: false),
            .init("description", .text(ProductRequest.descriptionRule), required: false),
            .init("mainImage", .text(ProductRequest.imageRule), required: false),
            .init("images", .array(.text(ProductRequest.imageRule), counts: 0...CatalogLimits.imagesPerProductMax), required: false),
            .init("attributes", .array(.object([
                .init("name", .text(ProductRequest.attributeNameRule)),
                .init("value", .text(ProductRequest.attributeValueRule)),
            ]), counts: 0...CatalogLimits.attributesPerProductMax), required: false),
            .init("detailHtml", .text(TextRule(.anyButNUL, 0...300)), required: false),
            .init("specs", .array(.object([
                .init("name", .text(ProductRequest.specNameRule)),
                .init("values", .array(.text(ProductRequest.specValueRule), counts: 1...CatalogLimits.valuesPerSpecMax)),
            ]), counts: 0...CatalogLimits.specDimensionsMax), required: false),
            .init("skus", .array(skuShape, counts: ProductRequest.skusRange), required: false),
            .init("defaultSku", skuShape, required: false),
            .init("onShelf", .bool, required: false),
        ]),
        run: { data in
            outcome {
                let product = try decode(ProductRequest.self, data).validated()
                var violations: [String] = []
                if !(1...MallEngine.skusPerProductMax).contains(product.skus.count) { violations.append("skus.count \(product.skus.count)") }
                for sku in product.skus {
                    if !MallLimits.priceFenRange.contains(sku.priceFen) { violations.append("priceFen \(sku.priceFen)") }
                    if sku.originalPriceFen != 0, !MallLimits.priceFenRange.contains(sku.originalPriceFen) { violations.append("originalPriceFen") }
                    if !MallLimits.stockRange.contains(sku.stock) { violations.append("stock \(sku.stock)") }
                    if !(0...CatalogLimits.lowStockThresholdMax).contains(sku.lowStockThreshold) { violations.append("lowStockThreshold") }
                    if sku.spec.count > CatalogLimits.specDimensionsMax { violations.append("spec.count") }
                }
                if product.images.count > CatalogLimits.imagesPerProductMax { violations.append("images.count") }
                if product.attributes.count > CatalogLimits.attributesPerProductMax { violations.append("attributes.count") }
                if product.specs.count > CatalogLimits.specDimensionsMax { violations.append("specs.count") }
                if product.specs.contains(where: { $0.values.count > CatalogLimits.valuesPerSpecMax }) { violations.append("spec values") }
                if product.detailHTML.lowercased().contains("<script") { violations.append("script kept in detailHtml") }
                if !ProductRequest.nameRule.accepts(product.name) { violations.append("name") }
                return violations
            }
        },
        fixCrossFieldRules: { json, random in
            guard case .object(var members) = json else { return }
            // skus or defaultSku; with defaultSku alone the matrix must stay within the SKU limit.
            if !members.contains(where: { $0.key == "skus" || $0.key == "defaultSku" }) {
                members.append(FuzzMember("defaultSku", skuShape.valid(&random)))
            }
            if !members.contains(where: { $0.key == "skus" }) {
                for index in members.indices where members[index].key == "specs" {
                    guard case .array(let specs) = members[index].value else { continue }
                    members[index].value = .array(specs.map { spec in
                        guard case .object(var fields) = spec else { return spec }
                        for field in fields.indices where fields[field].key == "values" {
                            if case .array(let values) = fields[field].value { fields[field].value = .array(Array(values.prefix(2))) }
                        }
                        return .object(fields)
                    })
                }
            }
            // Spec objects read off the SKUs must span at most the dimension limit in all: keep them off.
            for index in members.indices where members[index].key == "skus" {
                guard case .array(let skus) = members[index].value else { continue }
                members[index].value = .array(skus.map { sku in
                    guard case .object(let fields) = sku else { return sku }
                    return .object(fields.filter { $0.key != "spec" })
                })
            }
            json = .object(members)
        })

    static let category = DTOCase(
        name: "CategoryRequest", types: ["CategoryRequest", "AttributeInput"],
        shape: .object([
            .init("parentId", .id, required: false),
            .init("name", .text(CategoryRequest.nameRule)),
            .init("icon", .text(CategoryRequest.iconRule), required: false),
            .init("sortOrder", .integer(CategoryRequest.sortOrderRule, isOptional: true), required: false),
            .init("enabled", .bool, required: false),
            .init("attributes", .array(.object([
                .init("name", .text(CategoryRequest.attributeNameRule)),
                .init("options", .array(.text(CategoryRequest.optionRule), counts: 1...CatalogLimits.optionsPerAttributeMax)),
            ]), counts: 0...CatalogLimits.attributesPerCategoryMax), required: false),
        ]),
        run: { data in
            outcome {
                let input = try decode(CategoryRequest.self, data).validated()
                var violations: [String] = []
                if !CategoryRequest.nameRule.accepts(input.name) { violations.append("name") }
                if !CategoryRequest.sortOrderRule.accepts(Int64(input.sortOrder)) { violations.append("sortOrder \(input.sortOrder)") }
                if input.attributes.count > CatalogLimits.attributesPerCategoryMax { violations.append("attributes.count") }
                for attribute in input.attributes where !(1...CatalogLimits.optionsPerAttributeMax).contains(attribute.options.count) {
                    violations.append("options.count \(attribute.options.count)")
                }
                return violations
            }
        })

    static let shelve = DTOCase(
        name: "ShelveRequest", types: ["ShelveRequest"],
        shape: .object([
            .init("productIds", .array(.id, counts: ShelveRequest.idsRange)),
            .init("onShelf", .bool),
        ]),
        run: { data in
            outcome {
                let ids = try decode(ShelveRequest.self, data).validated()
                return ShelveRequest.idsRange.contains(ids.count) ? [] : ["productIds.count \(ids.count)"]
            }
        })

    static let stockChange = DTOCase(
        name: "StockChangeRequest", types: ["StockChangeRequest"],
        shape: .object([
            .init("quantity", .integer(StockChangeRequest.quantityRule, isOptional: false)),
            .init("remark", .text(StockChangeRequest.remarkRule), required: false),
        ]),
        run: { data in
            outcome {
                let input = try decode(StockChangeRequest.self, data)
                try input.validate()
                var violations: [String] = []
                if input.quantity == 0 || !(-MallLimits.stockMax...MallLimits.stockMax).contains(input.quantity) {
                    violations.append("quantity \(input.quantity)")
                }
                if let remark = input.remark, remark.count > MallEngine.stockRemarkMax { violations.append("remark") }
                return violations
            }
        },
        fixCrossFieldRules: { json, _ in
            guard case .object(let members) = json else { return }
            for member in members where member.key == "quantity" {
                if case .integer(0) = member.value { set(&json, "quantity", .integer(1)) }
            }
        })

    static let searchSettings = DTOCase(
        name: "SearchSettingsBody", types: ["SearchSettingsBody"],
        shape: .object([
            .init("synonyms", .array(.array(.text(SearchSettingsBody.termRule), counts: SynonymTable.termsPerGroupRange),
                                     counts: SearchSettingsBody.groupsRange)),
            .init("pinnedKeywords", .array(.text(SearchSettingsBody.keywordRule), counts: SearchSettingsBody.pinnedRange)),
            .init("blockedKeywords", .array(.text(SearchSettingsBody.keywordRule), counts: SearchSettingsBody.blockedRange)),
        ]),
        run: { data in
            outcome {
                let settings = try decode(SearchSettingsBody.self, data).validated()
                var violations: [String] = []
                if settings.synonymGroups.count > SynonymTable.groupsMax { violations.append("groups") }
                if settings.synonymGroups.contains(where: { !SynonymTable.termsPerGroupRange.contains($0.count) }) { violations.append("group size") }
                if settings.pinnedKeywords.count > HotKeywordRules.pinnedMax { violations.append("pinned") }
                if settings.blockedKeywords.count > HotKeywordRules.blockedMax { violations.append("blocked") }
                return violations
            }
        },
        fixCrossFieldRules: { json, _ in
            // A term must normalise to 1 to 20 characters and appear in one group only; a keyword must
            // keep a character once spaces and control characters go: distinct ASCII words keep both.
            var next = 0
            func word() -> FuzzJSON {
                next += 1
                var letters = ""
                var value = next
                while value > 0 { letters.append(Character(Unicode.Scalar(UInt8(97 + value % 26)))); value /= 26 }
                return .string("w" + letters)
            }
            guard case .object(var members) = json else { return }
            for index in members.indices {
                guard case .array(let values) = members[index].value else { continue }
                members[index].value = .array(values.map { value in
                    if case .array(let terms) = value { return .array(terms.map { _ in word() }) }
                    return word()
                })
            }
            json = .object(members)
        })
}
