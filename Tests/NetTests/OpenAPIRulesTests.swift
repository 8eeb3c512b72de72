import Archive
import Engine
import Foundation
import MallTestSupport
@testable import Net
import Testing

/// The OpenAPI document states the rules validation enforces, from the same
/// constants: these tests read the served JSON and compare.
@Suite("OpenAPI document and validation agree")
struct OpenAPIRulesTests {
    static func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    static func schema(_ name: String) throws -> [String: Any] {
        let components = try #require(try document()["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: Any])
        return try #require(schemas[name] as? [String: Any], "no schema \(name)")
    }

    /// `path` through `properties` and array `items`, e.g. ["skus", "priceFen"].
    static func property(_ schema: [String: Any], _ path: [String]) throws -> [String: Any] {
        var current = schema
        for name in path {
            if current["type"] as? String == "array" { current = try #require(current["items"] as? [String: Any]) }
            let properties = try #require(current["properties"] as? [String: Any], "no properties at \(name)")
            current = try #require(properties[name] as? [String: Any], "no property \(name)")
        }
        return current
    }

    static func int64(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }

    @Test("money and quantity limits in the schema are MallLimits, in fen")
    func moneyAndQuantities() throws {
        let product = try Self.schema("ProductRequest")
        let seckill = try Self.schema("CreateSeckillActivityRequest")
        let purchase = try Self.schema("SeckillPurchaseRequest")
        let stockChange = try Self.schema("StockChangeRequest")
        let expected: [([String: Any], [String], ClosedRange<Int64>, Bool)] = [
            (product, ["skus", "priceFen"], MallLimits.priceFenRange, true),
            (product, ["skus", "originalPriceFen"], MallLimits.priceFenRange, true),
            (product, ["skus", "stock"], MallLimits.stockRange, false),
            (product, ["skus", "lowStockThreshold"], 0...CatalogLimits.lowStockThresholdMax, false),
            (product, ["defaultSku", "priceFen"], MallLimits.priceFenRange, true),
            (product, ["defaultSku", "stock"], MallLimits.stockRange, false),
            (stockChange, ["quantity"], -MallLimits.stockMax...MallLimits.stockMax, false),
            (seckill, ["items", "seckillPriceFen"], MallLimits.priceFenRange, true),
            (seckill, ["items", "stock"], MallLimits.stockRange, false),
            (seckill, ["items", "limitPerUser"], MallLimits.limitPerUserRange, false),
            (purchase, ["quantity"], MallLimits.quantityRange, false),
        ]
        for (schema, path, range, isFen) in expected {
            let field = try Self.property(schema, path)
            #expect(field["type"] as? String == "integer", "\(path)")
            #expect(Self.int64(field["minimum"]) == range.lowerBound, "\(path)")
            #expect(Self.int64(field["maximum"]) == range.upperBound, "\(path)")
            #expect((field["x-unit"] as? String == "fen") == isFen, "\(path)")
            if isFen { #expect((field["description"] as? String)?.contains("fen") == true, "\(path)") }
        }
        #expect(Self.int64(try Self.property(product, ["skus"])["maxItems"]) == Int64(MallEngine.skusPerProductMax))
        #expect(Self.int64(try Self.property(product, ["specs"])["maxItems"]) == Int64(CatalogLimits.specDimensionsMax))
        #expect(Self.int64(try Self.property(product, ["specs", "values"])["maxItems"]) == Int64(CatalogLimits.valuesPerSpecMax))
        #expect(Self.int64(try Self.property(product, ["images"])["maxItems"]) == Int64(CatalogLimits.imagesPerProductMax))
        #expect(product["required"] as? [String] == ["name"])
        #expect((try Self.property(product, ["detailHtml"])["description"] as? String)?.contains("javascript:") == true)
        #expect(Self.int64(try Self.property(seckill, ["items"])["maxItems"]) == Int64(MallEngine.seckillItemsMax))
        #expect(SeckillPurchaseRequest.quantityRule.range.upperBound == MallEngine.seckillQuantityMax)
    }

    @Test("every request body refuses unknown fields and bounds every string, number, array and map it takes")
    func everyRequestFieldIsBounded() throws {
        let names = ["WeChatLoginRequest", "RefreshRequest", "AdminLoginRequest", "ProductRequest",
                     "CreateSeckillActivityRequest", "SeckillPurchaseRequest", "PasswordChangeRequest", "CreateAdminRequest",
                     "UpdateAdminRequest", "BanRequest", "ProfileUpdateRequest", "PhoneCodeRequest", "RealNameRequest",
                     "AddressRequest", "AddressParseRequest", "CategoryRequest", "ShelveRequest", "StockChangeRequest",
                     "SearchSettingsBody", "PresignUploadRequest", "AdminPresignUploadRequest"]
        func check(_ schema: [String: Any], at path: String) {
            switch schema["type"] as? String {
            case "object":
                if let properties = schema["properties"] as? [String: Any] {
                    #expect(schema["additionalProperties"] as? Bool == false, "\(path) must say additionalProperties: false")
                    for (name, property) in properties { check(property as? [String: Any] ?? [:], at: path + "." + name) }
                } else {
                    #expect(schema["maxProperties"] != nil && schema["propertyNames"] != nil, "\(path): map without bounds")
                    if let values = schema["additionalProperties"] as? [String: Any] { check(values, at: path + ".*") }
                }
            case "array":
                #expect(schema["maxItems"] != nil && schema["minItems"] != nil, "\(path): array without bounds")
                check(schema["items"] as? [String: Any] ?? [:], at: path + "[]")
            case "string" where schema["enum"] != nil:
                #expect((schema["enum"] as? [String])?.isEmpty == false, "\(path): empty enumeration")
            case "string":
                #expect(schema["maxLength"] != nil && schema["pattern"] != nil, "\(path): string without bounds")
            case "boolean":
                break
            case "integer":
                #expect(schema["minimum"] != nil && schema["maximum"] != nil, "\(path): integer without bounds")
            default:
                Issue.record("\(path): unexpected schema \(schema)")
            }
        }
        for name in names { check(try Self.schema(name), at: name) }
    }

    @Test("every query, path and header parameter is bounded or an enumeration")
    func everyParameterIsBounded() throws {
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        for (path, operations) in paths {
            for (method, operation) in operations {
                for parameter in (operation as? [String: Any])?["parameters"] as? [[String: Any]] ?? [] {
                    let schema = parameter["schema"] as? [String: Any] ?? [:]
                    let name = "\(method) \(path) \(parameter["name"] ?? "?")"
                    switch schema["type"] as? String {
                    case "string": #expect(schema["enum"] != nil || schema["maxLength"] != nil || schema["pattern"] != nil, "\(name)")
                    case "integer": #expect(schema["minimum"] != nil && schema["maximum"] != nil, "\(name)")
                    default: Issue.record("\(name): unexpected schema \(schema)")
                    }
                }
            }
        }
    }

    @Test("each text rule's pattern and length, read by a regex engine, accepts exactly what validation accepts")
    func patternsMatchPredicates() throws {
        let rules: [TextRule] = [
            ProductRequest.nameRule, ProductRequest.specNameRule, EntityID.rule, WeChatLoginRequest.codeRule,
            RefreshRequest.tokenRule, AdminLoginRequest.passwordRule, AdminLoginRequest.usernameRule,
            SeckillPurchaseRequest.idempotencyKeyRule, ReportParameters.cursorRule, ReportParameters.orderNoRule,
            AdminRules.usernameRule, AdminRules.passwordRule, BanRequest.reasonRule, AdminAccountController.searchRule,
            AdminAccountController.phoneSearchRule, ProfileUpdateRequest.nicknameRule, ProfileUpdateRequest.avatarRule,
            RealNameRequest.nameRule, RealNameRequest.idNumberRule, AddressRequest.nameRule, AddressRequest.phoneRule,
            AddressRequest.regionCodeRule, AddressRequest.detailRule, AddressParseRequest.textRule,
            ProductRequest.imageRule, ProductRequest.subtitleRule, CategoryRequest.nameRule, CategoryRequest.iconRule,
            StockChangeRequest.remarkRule, SearchSettingsBody.termRule, SearchSettingsBody.keywordRule, SearchParameters.textRule,
            SearchParameters.cursorRule, SearchController.prefixRule, BrowsingController.cursorRule, ProductController.nameFilterRule,
        ]
        let seed = FuzzSeed.make("patterns")
        var random = SeededGenerator(seed: seed)
        for rule in rules {
            let regex = try NSRegularExpression(pattern: rule.pattern)
            for index in 0..<2_000 {
                let text = random.chance(0.5) ? RequestShape.validText(rule, &random)
                    : random.chance(0.5) ? RequestShape.invalidText(rule, &random) : FuzzValues.string(&random, lengthMax: 8)
                let range = NSRange(text.startIndex..., in: text)
                let isWholeMatch = regex.firstMatch(in: text, range: range)?.range == range
                let count = text.unicodeScalars.count
                let schemaAccepts = isWholeMatch && rule.lengths.contains(count)
                #expect(schemaAccepts == rule.accepts(text), "seed \(seed) case \(index): \(rule) on \(text.debugDescription)")
            }
        }
    }

    @Test("RFC 3339 times: the pattern, the parser and Foundation agree")
    func times() throws {
        let regex = try NSRegularExpression(pattern: APITime.pattern)
        let valid = ["2026-11-27T10:00:00Z", "2026-11-27T18:00:00+08:00", "2026-11-27T10:00:00.5Z", "2024-02-29T00:00:00Z",
                     "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999-23:59", "2026-06-30T23:59:60Z"]
        let invalid = ["2026-11-27", "2026-11-27T10:00Z", "2026-11-27T10:00:00", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                       "2026-11-27T24:00:00Z", "2026-11-27T10:00:00+24:00", "2026-11-27t10:00:00z", "2026-11-27T10:00:00.Z",
                       "2026-11-27T10:00:00.1234567890Z", "+2026-11-27T10:00:00Z", "2026-11-27T10:00:00+0800", " 2026-11-27T10:00:00Z"]
        for text in valid { #expect(APITime.parse(text) != nil, "\(text)") }
        for text in invalid { #expect(APITime.parse(text) == nil, "\(text)") }
        #expect(APITime.parse("2026-11-27T18:00:00.123+08:00") == APITime.parse("2026-11-27T10:00:00.123Z"))
        #expect(APITime.parse("1970-01-01T00:00:00.0019Z") == 1)
        #expect(APITime.parse("0000-01-01T00:00:00Z") == -62_167_219_200_000)
        let seed = FuzzSeed.make("times")
        var random = SeededGenerator(seed: seed)
        for index in 0..<5_000 {
            let text = RequestShape.validTime(&random)
            let range = NSRange(text.startIndex..., in: text)
            #expect(regex.firstMatch(in: text, range: range)?.range == range, "seed \(seed) case \(index): \(text)")
            let ms = try #require(APITime.parse(text), "seed \(seed) case \(index): \(text)")
            if text.hasPrefix("19") || text.hasPrefix("20") {
                let formats: [Date.ISO8601FormatStyle] = [.init(includingFractionalSeconds: true), .init()]
                if let date = formats.lazy.compactMap({ try? $0.parse(text) }).first {
                    #expect(abs(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) - ms) <= 1, "seed \(seed) case \(index): \(text)")
                }
            }
        }
    }

    @Test("every link names an operation of the document and a parameter it takes")
    func linksResolve() throws {
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        var parametersByOperation: [String: Set<String>] = [:]
        for operations in paths.values {
            for case let operation as [String: Any] in operations.values {
                guard let id = operation["operationId"] as? String else { continue }
                let parameters = (operation["parameters"] as? [[String: Any]] ?? []).compactMap { parameter -> String? in
                    guard let name = parameter["name"] as? String, let location = parameter["in"] as? String else { return nil }
                    return "\(location).\(name)"
                }
                parametersByOperation[id] = Set(parameters)
            }
        }
        var links = 0
        for operations in paths.values {
            for case let operation as [String: Any] in operations.values {
                for case let response as [String: Any] in (operation["responses"] as? [String: Any] ?? [:]).values {
                    for case let (name, link as [String: Any]) in response["links"] as? [String: Any] ?? [:] {
                        links += 1
                        let target = try #require(link["operationId"] as? String, "\(name)")
                        let parameters = try #require(parametersByOperation[target], "link \(name): no operation \(target)")
                        for key in (link["parameters"] as? [String: Any] ?? [:]).keys {
                            #expect(parameters.contains(key), "link \(name): \(target) takes no \(key)")
                        }
                    }
                }
            }
        }
        #expect(links >= 10)
    }

    @Test("every admin operation states the permission the router checks; public ones state none")
    func adminPermissionsStated() throws {
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        var stated = 0
        for (path, operations) in paths where path.hasPrefix("/admin/v1/") {
            for (method, operation) in operations {
                let operation = try #require(operation as? [String: Any])
                let key = "\(method.uppercased()) \(path)"
                if AdminPermissions.publicRoutes.contains(key) {
                    #expect(operation["x-permission"] == nil, "\(key)")
                    continue
                }
                let permission = try #require(AdminPermissions.byRoute[key], "\(key) has no permission in AdminPermissions")
                #expect(operation["x-permission"] as? String == permission, "\(key)")
                let sentence = permission.isEmpty ? "Any signed-in admin" : "`\(permission)`"
                #expect((operation["description"] as? String)?.contains(sentence) == true, "\(key)")
                #expect(((operation["responses"] as? [String: Any])?["403"] != nil) == !permission.isEmpty, "\(key)")
                stated += 1
            }
        }
        #expect(stated == AdminPermissions.byRoute.count)
    }

    @Test("the profile routes, documented ahead of their handlers, name only schemas and operations that exist")
    func profileRoutesResolve() throws {
        let document = try Self.document()
        let components = try #require(document["components"] as? [String: Any])
        let schemas = Set(try #require(components["schemas"] as? [String: Any]).keys)
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operationIDs = Set(paths.values.flatMap { $0.values.compactMap { ($0 as? [String: Any])?["operationId"] as? String } })
        var texts: [String] = []
        for route in OpenAPIDocument.profileRoutes {
            let operation = try #require(try JSONSerialization.jsonObject(with: Data(route.operation.json.utf8)) as? [String: Any])
            operationIDs.insert(try #require(operation["operationId"] as? String))
            #expect(route.path.hasPrefix("/api/v1/") && ["get", "post", "put", "delete"].contains(route.method), "\(route.path)")
            texts.append(route.operation.json)
        }
        #expect(OpenAPIDocument.profileRoutes.count == 10)
        let reference = try NSRegularExpression(pattern: #""(?:\$ref|operationId)":"(?:#/components/schemas/)?([A-Za-z]+)""#)
        for text in texts {
            for match in reference.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let name = String(text[range])
                #expect(schemas.contains(name) || operationIDs.contains(name), "\(name) resolves to nothing")
            }
        }
    }

    @Test("Net's report limits are the archive's, so a request Net lets through is never refused by the archive")
    func reportLimitsMatchArchive() {
        #expect(AdminPageRequest.limitMax == PageRequest.limitMax)
        #expect(AdminPageRequest.limitDefault == PageRequest.limitDefault)
        #expect(AdminPageRequest.offsetRowsMax == PageRequest.offsetRowsMax)
        #expect(TopProducts.limitMax == StatsQueries.topProductsLimitMax)
        #expect(ReportParameters.orderNoDigits <= OrderFilter.orderNoCharactersMax)
        for granularity in Net.SalesGranularity.allCases {
            #expect(granularity.rangeMsMax == Archive.SalesGranularity(rawValue: granularity.rawValue)?.rangeMsMax)
        }
        #expect(Net.TopProductRanking.allCases.map(\.rawValue) == Archive.TopProductRanking.allCases.map(\.rawValue))
        #expect(AdminOrderFilter.Sort.Key.allCases.map(\.rawValue) == OrderSort.Key.allCases.map(\.rawValue))
        #expect(AdminOrderFilter.Sort.Direction.allCases.map(\.rawValue) == OrderSort.Direction.allCases.map(\.rawValue))
    }
}
