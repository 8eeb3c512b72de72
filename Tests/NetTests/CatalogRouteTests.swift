import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import Testing

/// The catalog through the router: the back office builds categories and products,
/// the storefront lists, searches and shows them, a buyer keeps favorites,
/// footprints and a search history.
@Suite("Catalog over HTTP: categories, products, stock, search, favorites and histories")
struct CatalogRouteTests {
    static func fieldNames(_ reply: Reply) -> [String] {
        ((reply.data["fieldErrors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }

    static func ids(_ reply: Reply) -> [String] {
        ((reply.data["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    /// 数码 > 手机配件 (templates 颜色: 红/蓝, 尺寸: S/M) > 手机壳.
    static func makeTree(_ client: some TestClientProtocol, admin: String) async throws -> (top: String, middle: String, leaf: String) {
        let top = try await client.call(.post, "/admin/v1/categories", token: admin, json: ["name": "数码", "sortOrder": 1])
        #expect(top.status == 201, "\(top.raw)")
        let topID = try #require(top.data["id"] as? String)
        let middle = try await client.call(.post, "/admin/v1/categories", token: admin, json: [
            "parentId": topID, "name": "手机配件",
            "attributes": [["name": "颜色", "options": ["红", "蓝"]], ["name": "尺寸", "options": ["S", "M"]]],
        ])
        let middleID = try #require(middle.data["id"] as? String, "\(middle.raw)")
        let leaf = try await client.call(.post, "/admin/v1/categories", token: admin, json: ["parentId": middleID, "name": "手机壳"])
        let leafID = try #require(leaf.data["id"] as? String, "\(leaf.raw)")
        #expect(leaf.data["level"] as? Int == 3)
        return (topID, middleID, leafID)
    }

    @Test("categories, the SKU matrix, sanitised detail, storefront visibility, stock and search settings")
    func backOfficeAndStorefront() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let tree = try await Self.makeTree(client, admin: admin)

            let adminTree = try await client.call(.get, "/admin/v1/categories", token: admin)
            let topNode = try #require((adminTree.data["items"] as? [[String: Any]])?.first { $0["id"] as? String == tree.top })
            let middleNode = try #require((topNode["children"] as? [[String: Any]])?.first)
            #expect(middleNode["id"] as? String == tree.middle)
            #expect(((middleNode["children"] as? [[String: Any]])?.first?["id"] as? String) == tree.leaf)
            #expect((middleNode["attributes"] as? [[String: Any]])?.count == 2)

            // A spec value outside the inherited template: a 400 naming the field.
            let outside = try await client.call(.post, "/admin/v1/products", token: admin, json: [
                "name": "绿色手机壳", "categoryId": tree.leaf, "specs": [["name": "颜色", "values": ["红", "绿"]]],
                "defaultSku": ["priceFen": 100, "stock": 1],
            ])
            #expect(outside.status == 400, "\(outside.raw)")
            #expect(Self.fieldNames(outside) == ["specs[0].values"], "\(outside.raw)")
            #expect(outside.message.contains("绿"))

            let created = try await client.call(.post, "/admin/v1/products", token: admin, json: [
                "name": "硅胶手机壳", "categoryId": tree.leaf, "subtitle": "防摔",
                "specs": [["name": "颜色", "values": ["红", "蓝"]], ["name": "尺寸", "values": ["S", "M"]]],
                "defaultSku": ["priceFen": 1990, "originalPriceFen": 2990, "stock": 50, "lowStockThreshold": 10],
                "detailHtml": #"<p onclick="steal()">好壳<img src="https://img.example/a.png" onerror="alert(1)"><a href="javascript:alert(1)">看</a></p><script>alert(1)</script>"#,
            ])
            #expect(created.status == 201, "\(created.raw)")
            let productID = try #require(created.data["id"] as? String)
            let skus = try #require(created.data["skus"] as? [[String: Any]])
            #expect(skus.count == 4)
            let combinations = Set(skus.compactMap { sku -> String? in
                guard let spec = sku["spec"] as? [String: String] else { return nil }
                return "\(spec["颜色"] ?? "?")\(spec["尺寸"] ?? "?")"
            })
            #expect(combinations == ["红S", "红M", "蓝S", "蓝M"])
            #expect(skus.allSatisfy { $0["priceFen"] as? Int == 1990 && $0["stock"] as? Int == 50 })
            let detail = try #require(created.data["detailHtml"] as? String)
            #expect(!detail.contains("<script") && !detail.contains("alert(1)</script>"))
            #expect(!detail.contains("onerror") && !detail.contains("onclick") && !detail.contains("javascript:"))
            #expect(detail.contains("好壳") && detail.contains("<p>") && detail.contains("https://img.example/a.png"), "\(detail)")
            #expect((created.data["categoryPath"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["数码", "手机配件", "手机壳"])

            // The storefront lists it under the top category and finds it by pinyin and by words.
            let listed = try await client.call(.get, "/api/v1/products?categoryId=\(tree.top)")
            #expect(Self.ids(listed) == [productID], "\(listed.raw)")
            let byPinyin = try await client.call(.get, "/api/v1/search?q=shoujike")
            #expect(Self.ids(byPinyin) == [productID], "\(byPinyin.raw)")
            let highlighted = (byPinyin.data["items"] as? [[String: Any]])?.first?["highlightedName"] as? String
            #expect(highlighted?.contains("<em>") == true, "\(byPinyin.raw)")
            #expect(Self.ids(try await client.call(.get, "/api/v1/search?q=\("手机壳".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")) == [productID])
            #expect(try await client.call(.get, "/api/v1/search").status == 400)
            #expect(try await client.call(.get, "/api/v1/products", token: "not-a-token").status == 401)
            #expect(try await client.call(.get, "/api/v1/products/\(productID)").status == 200)

            // Off the shelf: gone from the storefront and from search; back on: back.
            let off = try await client.call(.post, "/admin/v1/products/shelf", token: admin, json: ["productIds": [productID], "onShelf": false])
            #expect(off.status == 200 && off.data["onShelf"] as? Bool == false, "\(off.raw)")
            #expect(try await client.call(.get, "/api/v1/products/\(productID)").status == 404)
            #expect(Self.ids(try await client.call(.get, "/api/v1/search?q=shoujike")).isEmpty)
            #expect(try await client.call(.get, "/admin/v1/products/\(productID)", token: admin).status == 200)
            let offList = try await client.call(.get, "/admin/v1/products?onShelf=false", token: admin)
            #expect(Self.ids(offList) == [productID], "\(offList.raw)")
            _ = try await client.call(.post, "/admin/v1/products/shelf", token: admin, json: ["productIds": [productID], "onShelf": true])
            #expect(try await client.call(.get, "/api/v1/products/\(productID)").status == 200)

            // Disabling the parent category hides the product and the branch.
            let disabled = try await client.call(.put, "/admin/v1/categories/\(tree.middle)", token: admin, json: [
                "parentId": tree.top, "name": "手机配件", "enabled": false,
                "attributes": [["name": "颜色", "options": ["红", "蓝"]], ["name": "尺寸", "options": ["S", "M"]]],
            ])
            #expect(disabled.status == 200 && disabled.data["enabled"] as? Bool == false, "\(disabled.raw)")
            #expect(try await client.call(.get, "/api/v1/products/\(productID)").status == 404)
            #expect(Self.ids(try await client.call(.get, "/api/v1/search?q=shoujike")).isEmpty)
            let publicTree = try await client.call(.get, "/api/v1/categories")
            let publicTop = try #require((publicTree.data["items"] as? [[String: Any]])?.first { $0["id"] as? String == tree.top })
            #expect((publicTop["children"] as? [[String: Any]] ?? []).isEmpty, "\(publicTree.raw)")
            _ = try await client.call(.put, "/admin/v1/categories/\(tree.middle)", token: admin, json: [
                "parentId": tree.top, "name": "手机配件",
                "attributes": [["name": "颜色", "options": ["红", "蓝"]], ["name": "尺寸", "options": ["S", "M"]]],
            ])
            #expect(try await client.call(.get, "/api/v1/products/\(productID)").status == 200)

            // A category holding products (or children) cannot be deleted.
            let refused = try await client.call(.delete, "/admin/v1/categories/\(tree.leaf)", token: admin)
            #expect(refused.status == 409, "\(refused.raw)")
            #expect(try await client.call(.delete, "/admin/v1/categories/\(tree.middle)", token: admin).status == 409)

            // Stock-in, stock-out, a stock-out beyond the stock, the low-stock list.
            let skuID = try #require(skus.first?["id"] as? String)
            let stockIn = try await client.call(.post, "/admin/v1/skus/\(skuID)/stock", token: admin, json: ["quantity": 5, "remark": "到货"])
            #expect(stockIn.status == 200 && stockIn.data["stock"] as? Int == 55, "\(stockIn.raw)")
            let tooMany = try await client.call(.post, "/admin/v1/skus/\(skuID)/stock", token: admin, json: ["quantity": -56])
            #expect(tooMany.status == 409, "\(tooMany.raw)")
            let zero = try await client.call(.post, "/admin/v1/skus/\(skuID)/stock", token: admin, json: ["quantity": 0])
            #expect(zero.status == 400 && Self.fieldNames(zero) == ["quantity"], "\(zero.raw)")
            let stockOut = try await client.call(.post, "/admin/v1/skus/\(skuID)/stock", token: admin, json: ["quantity": -47])
            #expect(stockOut.status == 200 && stockOut.data["stock"] as? Int == 8, "\(stockOut.raw)")
            #expect(await app.engine.stock(skuID: UInt64(skuID) ?? 0) == 8)
            let low = try await client.call(.get, "/admin/v1/stock/low", token: admin)
            let lowItems = try #require(low.data["items"] as? [[String: Any]])
            #expect(lowItems.map { $0["skuId"] as? String } == [skuID], "\(low.raw)")
            #expect(lowItems.first?["productName"] as? String == "硅胶手机壳" && lowItems.first?["threshold"] as? Int == 10)

            // Search settings round trip; a synonym makes a query match.
            let query = "/api/v1/search?q=\("保护套".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            #expect(Self.ids(try await client.call(.get, query)).isEmpty)
            let settings: [String: Any] = ["synonyms": [["保护套", "手机壳"]], "pinnedKeywords": ["新品"], "blockedKeywords": ["赌博"]]
            let saved = try await client.call(.put, "/admin/v1/search/settings", token: admin, json: settings)
            #expect(saved.status == 200, "\(saved.raw)")
            let read = try await client.call(.get, "/admin/v1/search/settings", token: admin)
            #expect(read.data["synonyms"] as? [[String]] == [["保护套", "手机壳"]])
            #expect(read.data["pinnedKeywords"] as? [String] == ["新品"] && read.data["blockedKeywords"] as? [String] == ["赌博"])
            #expect(Self.ids(try await client.call(.get, query)) == [productID])
            let hot = try await client.call(.get, "/api/v1/search/hot")
            #expect((hot.data["items"] as? [[String: Any]])?.first?["keyword"] as? String == "新品", "\(hot.raw)")
            let badSettings = try await client.call(.put, "/admin/v1/search/settings", token: admin, json: [
                "synonyms": [["保护套"]], "pinnedKeywords": [String](), "blockedKeywords": ["\u{200B}"],
            ])
            #expect(badSettings.status == 400 && Set(Self.fieldNames(badSettings)) == ["synonyms[0]"], "\(badSettings.raw)")

            // Deleting the product lets its category go.
            #expect(try await client.call(.delete, "/admin/v1/products/\(productID)", token: admin).status == 200)
            #expect(try await client.call(.get, "/admin/v1/products/\(productID)", token: admin).status == 404)
            let deleted = try await client.call(.delete, "/admin/v1/categories/\(tree.leaf)", token: admin)
            #expect(deleted.status == 200 && deleted.data["deleted"] as? Bool == true, "\(deleted.raw)")
        }
        await app.close()
    }

    @Test("a blocked keyword that normalises to nothing is a 400 naming blockedKeywords, not pinnedKeywords")
    func blockedKeywordFieldNamed() async throws {
        let body = #"{"synonyms": [], "pinnedKeywords": ["新品"], "blockedKeywords": ["\u200b"]}"#
        let decoded = try RequestJSON.decoder.decode(SearchSettingsBody.self, from: Data(body.utf8))
        #expect(throws: APIError.self) { try decoded.validated() }
        do {
            _ = try decoded.validated()
        } catch {
            #expect(error.fieldErrors.map(\.field) == ["blockedKeywords"], "\(error)")
        }
    }

    @Test("favorites, footprints by day and search history of a logged-in buyer; anonymous requests are refused")
    func buyerHistories() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            var productIDs: [String] = []
            for name in ["硅胶手机壳", "钢化膜"] {
                let created = try await client.call(.post, "/admin/v1/products", token: admin, json: [
                    "name": name, "skus": [["priceFen": 990, "stock": 10]],
                ])
                productIDs.append(try #require(created.data["id"] as? String, "\(created.raw)"))
            }
            let user = try await client.userToken(code: "browsing-buyer")

            // Favorites.
            #expect(try await client.call(.get, "/api/v1/favorites").status == 401)
            #expect(try await client.call(.put, "/api/v1/favorites/\(productIDs[0])").status == 401)
            let added = try await client.call(.put, "/api/v1/favorites/\(productIDs[0])", token: user)
            #expect(added.status == 200 && added.data["favorite"] as? Bool == true && added.data["total"] as? Int == 1, "\(added.raw)")
            let again = try await client.call(.put, "/api/v1/favorites/\(productIDs[0])", token: user)
            #expect(again.data["total"] as? Int == 1)
            #expect(try await client.call(.put, "/api/v1/favorites/999999", token: user).status == 404)
            let favorites = try await client.call(.get, "/api/v1/favorites", token: user)
            let favorite = try #require((favorites.data["items"] as? [[String: Any]])?.first, "\(favorites.raw)")
            #expect(favorite["productId"] as? String == productIDs[0] && favorite["available"] as? Bool == true)
            #expect((favorite["product"] as? [String: Any])?["name"] as? String == "硅胶手机壳")
            let removed = try await client.call(.delete, "/api/v1/favorites/\(productIDs[0])", token: user)
            #expect(removed.status == 200 && removed.data["total"] as? Int == 0, "\(removed.raw)")
            #expect((try await client.call(.get, "/api/v1/favorites", token: user).data["items"] as? [Any])?.isEmpty == true)

            // Footprints: an anonymous view leaves none; a logged-in one does, grouped by day, newest first.
            #expect(try await client.call(.get, "/api/v1/products/\(productIDs[0])").status == 200)
            #expect((try await client.call(.get, "/api/v1/footprints", token: user).data["total"] as? Int) == 0)
            #expect(try await client.call(.get, "/api/v1/products/\(productIDs[0])", token: user).status == 200)
            app.clock.advance(byMs: 86_400_000)
            #expect(try await client.call(.get, "/api/v1/products/\(productIDs[1])", token: user).status == 200)
            let footprints = try await client.call(.get, "/api/v1/footprints", token: user)
            let days = try #require(footprints.data["days"] as? [[String: Any]], "\(footprints.raw)")
            #expect(days.count == 2)
            #expect(days.map { (($0["items"] as? [[String: Any]])?.first?["productId"] as? String) ?? "" } == [productIDs[1], productIDs[0]])
            let dayNames = days.compactMap { $0["day"] as? String }
            #expect(dayNames.count == 2 && dayNames[0] > dayNames[1] && dayNames.allSatisfy { $0.count == 10 }, "\(dayNames)")
            #expect(try await client.call(.get, "/api/v1/footprints").status == 401)
            let one = try await client.call(.delete, "/api/v1/footprints/\(productIDs[0])", token: user)
            #expect(one.data["remaining"] as? Int == 1, "\(one.raw)")
            let cleared = try await client.call(.delete, "/api/v1/footprints", token: user)
            #expect(cleared.data["remaining"] as? Int == 0, "\(cleared.raw)")

            // Search history: recorded just after the answer, so read back with a bounded wait.
            #expect(try await client.call(.get, "/api/v1/search/history").status == 401)
            #expect(try await client.call(.get, "/api/v1/search?q=shoujike", token: user).status == 200)
            var keywords: [String] = []
            for _ in 0..<200 {
                let history = try await client.call(.get, "/api/v1/search/history", token: user)
                keywords = ((history.data["items"] as? [[String: Any]]) ?? []).compactMap { $0["keyword"] as? String }
                if !keywords.isEmpty { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(keywords == ["shoujike"])
            let historyCleared = try await client.call(.delete, "/api/v1/search/history", token: user)
            #expect(historyCleared.status == 200 && historyCleared.data["remaining"] as? Int == 0, "\(historyCleared.raw)")
            #expect((try await client.call(.get, "/api/v1/search/history", token: user).data["items"] as? [Any])?.isEmpty == true)
        }
        await app.close()
    }
}
