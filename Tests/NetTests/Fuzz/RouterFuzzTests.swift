import Foundation
import MallTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import NIOCore
import NIOFoundationEssentialsCompat
import Testing
import WeChat

/// Random requests through the whole router: every route, random methods,
/// path ids, query strings, headers and bodies, with and without tokens.
@Suite("The router under fuzzing")
struct RouterFuzzTests {
    struct Route {
        var method: HTTPRequest.Method
        /// Path segments; nil is a capture.
        var segments: [String?]
        /// Parameter names the OpenAPI document lists, by location.
        var query: [String]
        var headers: [String]
    }

    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .head, .options,
                                                HTTPRequest.Method("PURGE") ?? .get]

    static let queryValues = [
        "", "1", "0", "-1", "+1", "1.5", "20", "50", "51", "100", "101", "1000", "100001", "99999999999999999999",
        "9223372036854775807", "2026-11-27T00:00:00Z", "2026-11-27T00:00:00%2B08:00", "2026-11-28T00:00:00Z",
        "2026-02-30T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "pending_payment",
        "pending_payment,cancelled", "pending_payment,,", "createdAt", "payAmount", "asc", "desc", "day", "hour",
        "quantity", "amount", "2026112710000012300001", "20261127", "djE6Y3JlYXRlZEF0", "bad-cursor", "%00", "%ZZ", "%",
        "%E7%BA%AF", String(repeating: "9", count: 300), "404",
    ]

    static func routes(_ router: Router<MallRequestContext>) throws -> [Route] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return router.routes.map { route in
            // RouterPath describes a capture as `{name}`, as the OpenAPI document writes it.
            let documentPath = route.path.description
            let segments = documentPath.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
            let operation = paths[documentPath]?[route.method.rawValue.lowercased()] as? [String: Any]
            let parameters = operation?["parameters"] as? [[String: Any]] ?? []
            let named = { (location: String) in parameters.filter { $0["in"] as? String == location }.compactMap { $0["name"] as? String } }
            return Route(method: route.method, segments: segments, query: named("query"), headers: named("header"))
        }
    }

    /// A DTO shape for the body of the route, if it takes one.
    static func bodyShape(_ route: Route) -> RequestShape? {
        let path = route.segments.map { $0 ?? "*" }.joined(separator: "/")
        switch path {
        case "api/v1/auth/wechat/login": return DTOCase.wechatLogin.shape
        case "api/v1/auth/refresh": return DTOCase.refresh.shape
        case "admin/v1/auth/login": return DTOCase.adminLogin.shape
        case "admin/v1/products", "admin/v1/products/*": return DTOCase.createProduct.shape
        case "admin/v1/products/shelf": return DTOCase.shelve.shape
        case "admin/v1/categories", "admin/v1/categories/*": return DTOCase.category.shape
        case "admin/v1/skus/*/stock", "admin/v1/seckill/activities/*/items/*/stock": return DTOCase.stockChange.shape
        case "admin/v1/search/settings": return DTOCase.searchSettings.shape
        case "admin/v1/seckill/activities": return DTOCase.createSeckill.shape
        case "api/v1/seckill/activities/*/orders": return DTOCase.purchase.shape
        case "api/v1/uploads/presign", "admin/v1/uploads/presign": return DTOCase.presignUpload.shape
        default: return nil
        }
    }

    /// Values for the headers the document lists. The sandbox serial is public, so the
    /// timestamp, nonce and signature checks behind it must hold for any value.
    static func headerValue(_ name: String, _ random: inout SeededGenerator) -> String {
        let anyValue = ["", "1", "a b", String(repeating: "k", count: 65), FuzzValues.string(&random, lengthMax: 10)
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"]
        switch name {
        case WeChatPayHeader.serial: return random.chance(0.6) ? SandboxPayGateway.defaultSerial : random.pick(anyValue)
        case WeChatPayHeader.timestamp:
            return random.pick(["-9223372036854775808", "9223372036854775807", "-9223372036854775807", "-1", "0", "99999999999",
                                "999999999999", "+1700000000", String(Int(Date().timeIntervalSince1970))] + anyValue)
        case WeChatPayHeader.signature: return random.pick(["WECHATPAY/SIGNTEST/abc", "c2lnbmF0dXJl", "%%%"] + anyValue)
        default: return random.pick(anyValue)
        }
    }

    static func pathID(_ random: inout SeededGenerator, known: [String]) -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0...3 where !known.isEmpty: return random.pick(known)
        case 4: return String(UInt64.random(in: 0...UInt64.max, using: &random))
        case 5: return random.pick(["0", "-1", "+1", "%20", "1.0", "18446744073709551616", "abc", "%00", "%E7%BA%AF", "404", ".."])
        case 6: return String(repeating: "1", count: Int.random(in: 18...400, using: &random))
        default: return String(Int.random(in: 1...1_000, using: &random))
        }
    }

    @Test("random requests to every route never answer 5xx")
    func neverServerError() async throws {
        let app = try await TestApp.make(reports: FakeReports(), isDurable: false)
        let router = buildRouter(app.services)
        let routes = try Self.routes(router)
        let seed = FuzzSeed.make("router")
        try await Application(router: router).test(.router) { client in
            var random = SeededGenerator(seed: seed)
            let admin = try await client.adminToken()
            let user = try await client.userToken(code: "fuzz-buyer")
            let (activityID, skuID) = try await client.makeSale(admin: admin, stock: 1_000, limitPerUser: 100, now: app.now)
            let bought = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: user, json: ["skuId": skuID])
            let known = [activityID, skuID, bought.data["orderId"] as? String ?? "1", "404"]
            let tokens: [String?] = [admin, user, nil, "garbage", admin + "x", String(repeating: "a.", count: 3_000)]
            var statuses: [Int: Int] = [:]
            for index in 0..<FuzzSeed.cases(2_000) {
                let route = random.pick(routes)
                let method = random.chance(0.8) ? route.method : random.pick(Self.methods)
                var uri = "/" + route.segments.map { $0 ?? Self.pathID(&random, known: known) }.joined(separator: "/")
                var query: [String] = []
                for name in route.query where random.chance(0.4) { query.append("\(name)=\(random.pick(Self.queryValues))") }
                if random.chance(0.1) { query.append("\(FuzzValues.string(&random, lengthMax: 6).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x")=1") }
                if !query.isEmpty { uri += "?" + query.joined(separator: "&") }
                var headers = HTTPFields()
                if let token = random.pick(tokens) { headers[.authorization] = "Bearer " + token }
                if random.chance(0.7) { headers[.contentType] = random.pick(["application/json", "text/plain", "application/json; charset=utf-16"]) }
                for name in route.headers where random.chance(0.8) {
                    if let field = HTTPField.Name(name) { headers[field] = Self.headerValue(name, &random) }
                }
                let body: ByteBuffer?
                if let shape = Self.bodyShape(route), random.chance(0.8) {
                    body = ByteBuffer(string: shape.fuzzed(&random, rate: random.pick([0.0, 0.1, 0.4])).text)
                } else if random.chance(0.5) {
                    body = ByteBuffer(bytes: FuzzValues.mutateBytes(FuzzValues.anyJSON(&random).text, &random))
                } else {
                    body = nil
                }
                let label = "seed \(seed) case \(index): \(method) \(uri) \(headers) \(body.map { String(buffer: $0).prefix(300) } ?? "")"
                let status = try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
                    Int(response.status.code)
                }
                statuses[status, default: 0] += 1
                #expect(status < 500, "\(label)")
            }
            print("fuzz router: statuses \(statuses.sorted { $0.key < $1.key })")
            // The fuzzer reached past validation, not only 400s and 401s.
            #expect(statuses[200, default: 0] + statuses[201, default: 0] > 0)
            #expect(try await client.call(.get, "/healthz").status == 200)
        }
        await app.close()
    }
}
