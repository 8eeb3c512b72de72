import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import NIOCore
import Testing

@Suite("MallResponder: the flash-sale purchase outside the API's trie")
struct MallResponderTests {
    @Test("only the exact purchase path shape is taken out of the API's router, its id segment as the parameter")
    func purchasePathShape() {
        for (path, id) in [("/api/v1/seckill/activities/1/orders", "1"), ("/api/v1/seckill/activities/abc/orders", "abc"),
                           ("/api/v1/seckill/activities/%2F/orders", "%2F"),
                           ("/api/v1/seckill/activities/18446744073709551616/orders", "18446744073709551616"),
                           ("/api/v1/seckill/activities/秒杀/orders", "秒杀")] {
            #expect(MallResponder.purchaseActivityID(in: path[...]) == id[...], "\(path)")
        }
        for path in ["", "/", "/api/v1/seckill/activities/1/orders/", "/api/v1/seckill/activities//orders",
                     "/api/v1/seckill/activities/orders", "/api/v1/seckill/activities/1/2/orders",
                     "/api/v1/seckill/activities/1/orders/x", "/API/v1/seckill/activities/1/orders",
                     "/api/v1/seckill/activities/1/order", "api/v1/seckill/activities/1/orders",
                     "/api/v1/seckill/activities/1orders", "/api/v1/seckill/activities/1/ordersx"] {
            #expect(MallResponder.purchaseActivityID(in: path[...]) == nil, "\(path)")
        }
    }

    @Test("a request's target path is what its URI's path is, for every form of target")
    func targetPathIsTheURIPath() {
        for target in ["/", "/docs", "/docs/", "/docs?x=1", "/a/b?q=1&r=2", "/a?", "/?x", "/a#frag", "/a?b#c", "/a%2Fb?x=/y",
                       "//a", "/秒杀?x=1", "http://host/docs?x=1", "http://host:8080/api/v1/seckill/activities/1/orders",
                       "http://host", "*", "docs", "", "?x=1"] {
            let request = Request(head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: target, headerFields: [:]),
                                  body: .init(buffer: ByteBuffer()))
            #expect(request.targetPath == request.uri.path[...], "\(target)")
        }
        let noTarget = Request(head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: nil, headerFields: [:]),
                               body: .init(buffer: ByteBuffer()))
        #expect(noTarget.targetPath == noTarget.uri.path[...])
    }

    @Test("the router registers the purchase route under the path the responder takes")
    func purchaseRouteRegistered() async throws {
        let app = try await TestApp.make()
        let routes = buildRouter(app.services).routes.map { ($0.method, $0.path.description) }
        #expect(routes.contains { $0 == (.post, MallResponder.purchasePath) })
        await app.close()
    }

    /// What a reply shows a client, timestamps and generated ids aside.
    struct Seen: Equatable, CustomStringConvertible {
        var status: Int
        var code: Int
        var message: String
        var dataKeys: [String]
        var headers: [String]

        var description: String { "\(status) \(code) \(message) \(dataKeys) \(headers)" }
    }

    /// The same requests, in the same order, against two identical servers.
    static func script(_ application: some ApplicationProtocol, app: TestApp) async throws -> [Seen] {
        try await application.test(.router) { client in
            let admin = try await client.adminToken()
            let (activityID, skuID) = try await client.makeSale(admin: admin, stock: 2, limitPerUser: 1, now: app.now)
            let alice = try await client.userToken(code: "alice")
            let bob = try await client.userToken(code: "bob")
            let carol = try await client.userToken(code: "carol")
            let path = "/api/v1/seckill/activities/\(activityID)/orders"
            let body = ["skuId": skuID, "quantity": 1] as [String: Any]
            var seen: [Seen] = []
            func record(_ method: HTTPRequest.Method, _ uri: String, token: String?, json: Any? = nil, rawBody: String? = nil,
                        headers extra: HTTPFields = [:]) async throws {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let token { headers[.authorization] = "Bearer \(token)" }
                headers.append(contentsOf: extra)
                var buffer: ByteBuffer?
                if let json { buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)) }
                if let rawBody { buffer = ByteBuffer(string: rawBody) }
                seen.append(try await client.execute(uri: uri, method: method, headers: headers, body: buffer) { response in
                    let reply = try Reply(response)
                    let shown: [HTTPField.Name] = [.contentType, .mallSandbox, .xFrameOptions, .xContentTypeOptions, .allow, .server]
                    return Seen(status: reply.status, code: reply.code, message: reply.message,
                                dataKeys: reply.data.keys.sorted(),
                                headers: shown.map { "\($0)=\(response.headers[values: $0])" })
                })
            }
            try await record(.post, path, token: alice, json: body)
            try await record(.post, path, token: alice, json: body)  // over the per-user limit
            try await record(.post, path, token: bob, json: body, headers: [HTTPField.Name("Idempotency-Key")!: "key-1"])
            try await record(.post, path, token: bob, json: body, headers: [HTTPField.Name("Idempotency-Key")!: "key-1"])  // replay
            try await record(.post, path, token: bob, json: body, headers: [HTTPField.Name("Idempotency-Key")!: "bad key \u{7}"])
            try await record(.post, path, token: carol, json: body)  // sold out
            try await record(.post, path, token: nil, json: body)
            try await record(.post, path, token: "not-a-token", json: body)
            try await record(.post, path, token: carol, rawBody: "{\"skuId\":")
            try await record(.post, path, token: carol, json: ["skuId": skuID, "quantity": 0])
            try await record(.post, "/api/v1/seckill/activities/abc/orders", token: carol, json: body)
            try await record(.post, "/api/v1/seckill/activities/999/orders", token: carol, json: body)
            try await record(.get, path, token: carol)
            try await record(.post, path + "/", token: carol, json: body)
            try await record(.post, "/api/v1/seckill/activities//orders", token: carol, json: body)
            try await record(.get, "/api/v1/orders", token: alice)
            return seen
        }
    }

    @Test("with request signing on, the purchase is checked for a signature as the routed endpoint is")
    func signingOn() async throws {
        let app = try await TestApp.make()
        var services = app.services
        let clock = ManualClock(nowMs: RequestSignatureTests.startMs)
        services.protection.signing = try RequestSignatureVerifier(
            configuration: .init(isEnabled: true, keyBytes: RequestSignatureTests.keyBytes), nowMs: { clock.nowMs() })
        let path = "/api/v1/seckill/activities/1/orders"
        let body = #"{"skuId":"1"}"#
        func replies(_ application: some ApplicationProtocol) async throws -> [Seen] {
            try await application.test(.router) { client in
                var seen: [Seen] = []
                // Unsigned, then signed (the signature holds; the token check comes next and refuses).
                for headers in [[.contentType: "application/json"],
                                RequestSignatureTests.signedHeaders(.post, path, body: body)] as [HTTPFields] {
                    seen.append(try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) {
                        let reply = try Reply($0)
                        return Seen(status: reply.status, code: reply.code, message: reply.message, dataKeys: [], headers: [])
                    })
                }
                return seen
            }
        }
        let viaRouter = try await replies(Application(router: buildRouter(services)))
        // A fresh nonce cache for the second server: the same nonce would otherwise be refused as a replay.
        services.protection.signing = try RequestSignatureVerifier(
            configuration: .init(isEnabled: true, keyBytes: RequestSignatureTests.keyBytes), nowMs: { clock.nowMs() })
        let viaResponder = try await replies(Application(responder: buildResponder(services)))
        #expect(viaRouter == viaResponder)
        #expect(viaResponder.map(\.status) == [401, 401])
        #expect(viaResponder.first?.message != viaResponder.last?.message, "the first is refused by signing, the second by auth")
        await app.close()
    }

    @Test("every purchase reply, refusals and near-miss paths included, is the one the API's router gives")
    func sameRepliesAsTheRouter() async throws {
        let routed = try await TestApp.make(name: "routed")
        let responded = try await TestApp.make(name: "responded")
        let viaRouter = try await Self.script(Application(router: buildRouter(routed.services)), app: routed)
        let viaResponder = try await Self.script(Application(responder: buildResponder(responded.services)), app: responded)
        #expect(viaRouter.count == viaResponder.count)
        for (index, (expected, actual)) in zip(viaRouter, viaResponder).enumerated() {
            #expect(expected == actual, "request \(index)")
        }
        // The script covers what it means to: purchases, refusals, a 404 and a 405. The last two paths are
        // Hummingbird's to read (its trie skips a trailing slash and empty segments): `/orders/` is the
        // purchase (sold out by then) and `activities//orders` the activity route `orders`, GET only.
        #expect(viaResponder.map(\.status) == [201, 409, 201, 201, 400, 409, 401, 401, 400, 400, 400, 404, 405, 409, 405, 200])
        await routed.close()
        await responded.close()
    }
}
