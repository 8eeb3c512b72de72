import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Net
import NIOCore
import Testing

/// The sandbox is a choice (`--sandbox`), never a fallback: without it a server
/// missing its WeChat settings says so with a 503, and with it every reply is
/// labelled so nobody mistakes a fake login or payment for a real one.
@Suite("Sandbox mode")
struct SandboxTests {
    @Test("without --sandbox or WeChat credentials, WeChat login answers 503 naming the settings to set")
    func loginUnconfigured() async throws {
        let app = try await TestApp.make(sandbox: false)
        try await app.application.test(.router) { client in
            let reply = try await client.call(.post, "/api/v1/auth/wechat/login", json: ["code": "alice"])
            #expect(reply.status == 503)
            #expect(reply.code == 503)
            for setting in ["MALL_WECHAT_APP_ID", "MALL_WECHAT_APP_SECRET", "--sandbox"] {
                #expect(reply.message.contains(setting), "\(reply.message)")
            }
            let registered = await app.engine.users(matching: UserFilter(), afterUserID: 0, limit: 1).users
            #expect(registered.isEmpty, "a refused login must not register anyone")
        }
        await app.close()
    }

    @Test("without --sandbox, paying an order and a payment notification answer 503 naming --sandbox")
    func paymentsUnconfigured() async throws {
        let app = try await TestApp.make(sandbox: false)
        // No login works here: the buyer is registered and issued a token directly.
        let (buyer, _) = try await app.engine.registerUser(openID: "o-buyer", unionID: nil)
        let session = try await app.engine.openSession(.user(buyer.id), ip: "")
        let token = try await app.services.tokens.issue(subjectID: buyer.id, kind: .user, familyID: session.familyID)
        try await app.application.test(.router) { client in
            let admin = try await client.adminToken()
            let (activityID, skuID) = try await client.makeSale(admin: admin, stock: 1, limitPerUser: 1, now: app.now)
            let order = try await client.call(.post, "/api/v1/seckill/activities/\(activityID)/orders", token: token,
                                              json: ["skuId": skuID, "quantity": 1])
            let orderID = try #require(order.data["orderId"] as? String, "\(order.raw)")

            let pay = try await client.call(.post, "/api/v1/orders/\(orderID)/pay", token: token)
            #expect(pay.status == 503)
            #expect(pay.message.contains("--sandbox"), "\(pay.message)")
            let unpaid = try await client.call(.get, "/api/v1/orders/\(orderID)", token: token)
            #expect(unpaid.data["status"] as? String == "pending_payment")

            let notification = try await client.execute(uri: "/api/v1/payments/wechat/notify", method: .post,
                                                        headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(notification.status.code == 503)
            #expect(String(buffer: notification.body).contains("\"code\":\"FAIL\""))
        }
        await app.close()
    }

    @Test("a sandbox server labels every reply with X-Mall-Sandbox: 1, errors included")
    func headerOnEveryReply() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let ok = try await client.execute(uri: "/healthz", method: .get)
            #expect(ok.status == .ok)
            #expect(ok.headers[.mallSandbox] == "1")
            let login = try await client.execute(uri: "/api/v1/auth/wechat/login", method: .post,
                                                 headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"code":"alice"}"#))
            #expect(login.status == .ok)
            #expect(login.headers[.mallSandbox] == "1")
            let notFound = try await client.execute(uri: "/api/v1/no-such-route", method: .get)
            #expect(notFound.status == .notFound)
            #expect(notFound.headers[.mallSandbox] == "1")
            let invalid = try await client.execute(uri: "/api/v1/auth/wechat/login", method: .post,
                                                   headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"code":""}"#))
            #expect(invalid.status == .badRequest)
            #expect(invalid.headers[.mallSandbox] == "1")
            let wrongMethod = try await client.execute(uri: "/api/v1/orders/1", method: .delete)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.mallSandbox] == "1")
        }
        await app.close()
    }

    @Test("without --sandbox no reply carries X-Mall-Sandbox")
    func noHeaderWithoutSandbox() async throws {
        let app = try await TestApp.make(sandbox: false)
        try await app.application.test(.router) { client in
            for (uri, method) in [("/healthz", HTTPRequest.Method.get), ("/api/v1/no-such-route", .get),
                                  ("/api/v1/auth/wechat/login", .post), ("/api/v1/orders/1", .delete)] {
                let response = try await client.execute(uri: uri, method: method, headers: [.contentType: "application/json"],
                                                        body: ByteBuffer(string: #"{"code":"alice"}"#))
                #expect(response.headers[.mallSandbox] == nil, "\(method) \(uri) answered \(response.status)")
            }
        }
        await app.close()
    }

    @Test("/readyz and /metrics say whether the sandbox is on", arguments: [true, false])
    func readinessAndMetrics(sandbox: Bool) async throws {
        let app = try await TestApp.make(sandbox: sandbox)
        try await app.application.test(.router) { client in
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == 200)
            #expect(ready.data["sandbox"] as? Bool == sandbox)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let lines = String(buffer: metrics.body).split(separator: "\n")
            #expect(lines.contains("mall_sandbox \(sandbox ? 1 : 0).0") || lines.contains("mall_sandbox \(sandbox ? 1 : 0)"),
                    "\(lines.filter { $0.contains("sandbox") })")
        }
        await app.close()
    }

    @Test("no reply names the server software in a Server header")
    func noServerHeader() async throws {
        let app = try await TestApp.make()
        let application = buildApplication(app.services, host: "127.0.0.1", port: 0, logger: Logger(label: "net-test"))
        try await application.test(.live) { client in
            for uri in ["/healthz", "/api/v1/no-such-route"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.headers[.server] == nil, "\(uri): \(response.headers)")
                #expect(response.headers[.mallSandbox] == "1", "\(uri): \(response.headers)")
            }
        }
        await app.close()
    }
}
