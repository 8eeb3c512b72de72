import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Net
import Testing

@Suite("Stock log route")
struct StockLogRouteTests {
    @Test("GET /admin/v1/stock/logs passes its filters on, answers a page, and names each bad parameter with its rule")
    func filtersAndRefusals() async throws {
        let app = try await TestApp.make(reports: FakeReports(), isDurable: false)
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let page = try await client.call(.get, "/admin/v1/stock/logs?skuId=3&type=stock_out&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&limit=5",
                                             token: admin)
            #expect(page.status == 200)
            let items = try #require(page.data["items"] as? [[String: Any]])
            #expect(items.first?["type"] as? String == "stock_out" && items.first?["skuId"] as? String == "3")
            #expect(items.first?["operatorId"] as? String == "1" && items.first?["change"] as? Int == 5)
            #expect(page.data["nextCursor"] as? String == "czE6MTox")
            let last = try await client.call(.get, "/admin/v1/stock/logs?cursor=czE6MTox", token: admin)
            #expect(last.status == 200 && last.data.keys.contains("nextCursor") && last.data["nextCursor"] is NSNull)

            for (query, field) in [("type=teleported", "type"), ("skuId=abc", "skuId"), ("limit=0", "limit"), ("limit=101", "limit"),
                                   ("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to"), ("cursor=not%20a%20cursor", "cursor")] {
                let reply = try await client.call(.get, "/admin/v1/stock/logs?\(query)", token: admin)
                #expect(reply.status == 400 && reply.message.contains(field), "\(query): \(reply.message)")
            }
            #expect(try await client.call(.get, "/admin/v1/stock/logs?cursor=bad0", token: admin).status == 400)
            #expect(try await client.call(.get, "/admin/v1/stock/logs?skuId=503", token: admin).status == 503)
            #expect(try await client.call(.get, "/admin/v1/stock/logs").status == 401)
        }
        await app.close()
    }
}
