import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// The catalog against the real server: the back office builds a category tree and a product
    /// with specs, the storefront lists and searches it, a buyer favorites and browses it, and all
    /// of it holds across kill -9 (catalog and browsing are WAL state; the index is rebuilt).
    @Suite("Catalog end to end") struct CatalogEndToEndTests {
        static func query(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        }

        @Test("admin builds a tree and a product with specs; the storefront lists and searches it; a buyer favorites and browses; kill -9 keeps it all")
        func catalogSearchAndBrowsing() async throws {
            try await withMallServer { server, client in
                let admin = try await client.adminLogin()
                let top = try client.expectSuccess(try await client.post("/admin/v1/categories", token: admin, body: [
                    "name": "数码", "attributes": [["name": "颜色", "options": ["透明", "黑色"]]]]), status: 201, "top category")
                let middle = try client.expectSuccess(try await client.post("/admin/v1/categories", token: admin, body: [
                    "name": "手机配件", "parentId": top["id"]]), status: 201, "middle category")
                let leaf = try client.expectSuccess(try await client.post("/admin/v1/categories", token: admin, body: [
                    "name": "手机壳", "parentId": middle["id"]]), status: 201, "leaf category")
                #expect(leaf["level"].int == 3)
                let product = try client.expectSuccess(try await client.post("/admin/v1/products", token: admin, body: [
                    "name": "iPhone 15 手机壳 透明", "categoryId": leaf["id"], "subtitle": "防摔",
                    "detailHtml": "<p onclick=\"steal()\">好壳<script>alert(1)</script><a href=\"javascript:alert(1)\">看</a></p>",
                    "specs": [["name": "颜色", "values": ["透明", "黑色"]]],
                    "defaultSku": ["priceFen": 3_900, "stock": 50],
                ]), status: 201, "product")
                let productID = try #require(product["id"].string)
                #expect(product["skus"].array?.count == 2)
                let detail = product["detailHtml"].string ?? ""
                #expect(!detail.contains("script") && !detail.contains("onclick") && !detail.contains("javascript:"), "\(detail)")
                let wrongSpec = try await client.post("/admin/v1/products", token: admin, body: [
                    "name": "x", "categoryId": leaf["id"], "specs": [["name": "颜色", "values": ["红"]]],
                    "defaultSku": ["priceFen": 1, "stock": 1]])
                #expect(wrongSpec.status == 400, "\(wrongSpec)")

                let listed = try client.expectSuccess(try await client.get("/api/v1/products?categoryId=\(top["id"].string ?? "")"), "list")
                #expect(listed["items"].array?.map { $0["id"].string } == [productID])
                for text in ["手机壳", "shoujike", "sjk"] {
                    let found = try client.expectSuccess(try await client.get("/api/v1/search?q=\(Self.query(text))"), "search \(text)")
                    #expect(found["items"].array?.first?["id"].string == productID, "\(text): \(found)")
                }

                let buyer = try await client.loginBuyer(code: "e2e-catalog")
                _ = try client.expectSuccess(try await client.get("/api/v1/products/\(productID)", token: buyer.token), "view")
                _ = try client.expectSuccess(try await client.send(.PUT, "/api/v1/favorites/\(productID)", token: buyer.token), "favorite")
                #expect(try await client.get("/api/v1/favorites").status == 401)

                server.signal(SIGKILL)
                _ = try await server.waitExit(timeout: .seconds(10))
                try await server.restart(client)

                let buyerAgain = try await client.loginBuyer(code: "e2e-catalog")
                let favorites = try client.expectSuccess(try await client.get("/api/v1/favorites", token: buyerAgain.token), "favorites")
                #expect(favorites["items"].array?.map { $0["productId"].string } == [productID], "\(favorites)")
                let footprints = try client.expectSuccess(try await client.get("/api/v1/footprints", token: buyerAgain.token), "footprints")
                #expect(footprints["days"].array?.first?["items"].array?.first?["productId"].string == productID, "\(footprints)")
                let found = try client.expectSuccess(try await client.get("/api/v1/search?q=\(Self.query("手机壳"))"), "search after restart")
                #expect(found["items"].array?.first?["id"].string == productID)

                let adminAgain = try await client.adminLogin()
                _ = try client.expectSuccess(try await client.post("/admin/v1/products/shelf", token: adminAgain, body: [
                    "productIds": [.string(productID)], "onShelf": false]), "off shelf")
                #expect(try await client.get("/api/v1/products/\(productID)").status == 404)
                let gone = try client.expectSuccess(try await client.get("/api/v1/search?q=\(Self.query("手机壳"))"), "search off shelf")
                #expect(gone["items"].array?.isEmpty == true)
            }
        }
    }
}
