import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Net
import NIOCore
import NIOFoundationEssentialsCompat
import Testing

@Suite("OpenAPI document and archive-off behaviour")
struct DocumentationTests {
    @Test("/openapi.json lists exactly the routes the router serves, and every API code")
    func openAPIMatchesRouter() async throws {
        let app = try await TestApp.make()
        let router = buildRouter(app.services)
        let served = Set(router.routes.map { route -> String in
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return "\(route.method.rawValue.lowercased()) /" + path.joined(separator: "/")
        })
        try await Application(router: router).test(.router) { client in
            let document = try await client.execute(uri: "/openapi.json", method: .get) { response in
                try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            }
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
            #expect(documented == served)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
            for code in APICode.allCases { #expect(text.contains(String(code.rawValue))) }
            let docs = try await client.execute(uri: "/docs", method: .get) { String(buffer: $0.body) }
            #expect(docs.contains("openapi.json"))
            #expect(!docs.contains("http://") && !docs.contains("https://"))
        }
        await app.close()
    }

    @Test("without the archive, back-office reports answer 503 and say how to turn it on")
    func reportsOffWithoutArchive() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            for uri in ["/admin/v1/orders", "/admin/v1/orders/1", "/admin/v1/orders/export", "/admin/v1/stats/overview",
                        "/admin/v1/stats/sales?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&granularity=day",
                        "/admin/v1/stats/top-products", "/admin/v1/stats/seckill/1", "/admin/v1/stock/logs"] {
                let reply = try await client.call(.get, uri, token: admin)
                #expect(reply.status == 503, "\(uri)")
                #expect(reply.message.contains("MALL_DATABASE_URL"), "\(uri)")
            }
            #expect(try await client.call(.get, "/admin/v1/orders").status == 401)
        }
        await app.close()
    }
}

@Suite("Hand-written JSON on the hot path")
struct JSONFragmentTests {
    @Test("an order envelope written by hand decodes to exactly what JSONEncoder writes")
    func orderMatchesJSONEncoder() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let product = try await client.call(.post, "/admin/v1/products", token: admin, json: [
                "name": "名字 \"quoted\" \\ back\nslash\t\u{01}", "skus": [["name": "白/色", "priceFen": 7900, "stock": 10]],
            ])
            let skuID = try #require((product.data["skus"] as? [[String: Any]])?.first?["id"] as? String)
            let now = app.now
            let sale = try await client.call(.post, "/admin/v1/seckill/activities", token: admin, json: [
                "name": "s", "startTime": now.addingTimeInterval(-60).ISO8601Format(),
                "endTime": now.addingTimeInterval(3600).ISO8601Format(),
                "items": [["skuId": skuID, "seckillPriceFen": 100, "stock": 5, "limitPerUser": 5]],
            ])
            let activityID = try #require(sale.data["id"] as? String)
            let user = try await client.userToken(code: "json")
            let bought = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: user,
                                               json: ["skuId": skuID, "quantity": 2])
            let orderID = try #require(bought.data["orderId"] as? String)
            let order = try #require(await app.engine.order(id: UInt64(orderID) ?? 0))
            let viaEncoder = try JSONSerialization.jsonObject(with: JSONEncoder().encode(OrderResponse(order)))
            #expect(NSDictionary(dictionary: bought.data).isEqual(to: viaEncoder as? [String: Any] ?? [:]))
            #expect(bought.code == 200 && bought.message == "success" && bought.raw["timestamp"] is Int)
        }
        await app.close()
    }
}
