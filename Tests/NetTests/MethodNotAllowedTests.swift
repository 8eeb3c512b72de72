import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import NIOCore
import Testing

@Suite("405 Method Not Allowed")
struct MethodNotAllowedTests {
    @Test("a path asked with a method it does not serve answers 405, the envelope and an Allow header")
    func knownPathWrongMethod() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.delete, "/api/v1/orders/1", "GET"),
                (.post, "/healthz", "GET"),
                (.get, "/api/v1/orders/1/cancel", "POST"),
                (.put, "/admin/v1/orders/export", "GET"),
                (.get, "/api/v1/payments/wechat/notify", "POST"),
                (.patch, "/admin/v1/products", "GET, POST"),
                (.delete, "/api/v1/products/1", "GET"),
                (.head, "/openapi.json", "GET"),
            ]
            for (method, path, allow) in cases {
                let (status, allowHeader, body) = try await client.execute(uri: path, method: method) { response in
                    (Int(response.status.code), response.headers[.allow], String(buffer: response.body))
                }
                #expect(status == 405, "\(method) \(path)")
                #expect(allowHeader == allow, "\(method) \(path)")
                if method != .head {
                    let envelope = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                    #expect(envelope?["code"] as? Int == 405, "\(method) \(path): \(body)")
                }
            }
            let unknown = try await client.call(.delete, "/api/v1/no-such-thing")
            #expect(unknown.status == 404)
            let tooDeep = try await client.call(.get, "/api/v1/orders/1/cancel/more")
            #expect(tooDeep.status == 404)
        }
        await app.close()
    }

    @Test("for every route path, every method it does not serve answers 405 listing exactly the methods it serves")
    func everyPath() async throws {
        let app = try await TestApp.make()
        let router = buildRouter(app.services)
        var served: [String: Set<String>] = [:]
        for route in router.routes {
            let path = "/" + route.path.description.split(separator: "/").map { $0.hasPrefix("{") ? "1" : String($0) }.joined(separator: "/")
            served[path, default: []].insert(route.method.rawValue)
        }
        let servedByPath = served
        try await Application(router: router).test(.router) { client in
            for (path, methods) in servedByPath {
                for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where !methods.contains(method.rawValue) {
                    let (status, allow) = try await client.execute(uri: path, method: method) {
                        (Int($0.status.code), $0.headers[.allow])
                    }
                    #expect(status == 405, "\(method) \(path)")
                    #expect(allow.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) } == methods,
                            "\(method) \(path): Allow \(allow ?? "none")")
                }
            }
        }
        await app.close()
    }
}
