import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// The sandbox is chosen with `--sandbox` or MALL_SANDBOX=1, never fallen
    /// back to: the real binary without it and without WeChat credentials
    /// refuses logins with a 503 naming what to set, and with it labels every reply.
    @Suite("Sandbox is a choice") struct SandboxEndToEndTests {
        @Test("without --sandbox or WeChat credentials, login answers 503 naming the settings and no reply is labelled sandbox")
        func withoutSandbox() async throws {
            try await withMallServer(sandbox: false) { server, client in
                let login = try await client.post("/api/v1/auth/wechat/login", body: ["code": "alice"])
                #expect(login.status == 503, "\(login)")
                #expect(login.code == 503, "\(login)")
                for setting in ["MALL_WECHAT_APP_ID", "MALL_WECHAT_APP_SECRET", "--sandbox"] {
                    #expect(login.message?.contains(setting) == true, "\(login)")
                }
                let ready = try await client.get("/readyz")
                #expect(ready.data["sandbox"] == .bool(false), "\(ready)")
                let notFound = try await client.get("/api/v1/no-such-route")
                for response in [login, ready, notFound] {
                    #expect(response.headers.first(name: "X-Mall-Sandbox") == nil, "\(response.headers)")
                    #expect(response.headers.first(name: "Server") == nil, "\(response.headers)")
                }
                let keys = server.dataDirectory.appendingPathComponent("secrets/sandbox-pay.json").path
                #expect(!FileManager.default.fileExists(atPath: keys), "sandbox payment keys were made without --sandbox")
                let log = try String(contentsOf: server.logFile, encoding: .utf8)
                #expect(log.contains("WeChat login off"), "\(log.suffix(800))")
                #expect(!log.contains("sandbox mode"), "\(log.suffix(800))")
            }
        }

        @Test("with --sandbox, login works, every reply carries X-Mall-Sandbox: 1 and the log says what is fake")
        func withSandbox() async throws {
            try await withMallServer { server, client in
                let buyer = try await client.loginBuyer(code: "alice")
                #expect(!buyer.token.isEmpty)
                let login = try await client.post("/api/v1/auth/wechat/login", body: ["code": "alice"])
                let invalid = try await client.post("/api/v1/auth/wechat/login", body: ["code": ""])
                let notFound = try await client.get("/api/v1/no-such-route")
                let ready = try await client.get("/readyz")
                #expect(invalid.status == 400 && notFound.status == 404, "\(invalid) \(notFound)")
                #expect(ready.data["sandbox"] == .bool(true), "\(ready)")
                for response in [login, invalid, notFound, ready] {
                    #expect(response.headers.first(name: "X-Mall-Sandbox") == "1", "HTTP \(response.status): \(response.headers)")
                    #expect(response.headers.first(name: "Server") == nil, "\(response.headers)")
                }
                let metrics = try await client.get("/metrics")
                #expect(metrics.body.split(separator: "\n").contains { $0.hasPrefix("mall_sandbox 1") }, "\(metrics.body.prefix(600))")
                let log = try String(contentsOf: server.logFile, encoding: .utf8)
                #expect(log.contains("sandbox mode"), "\(log.suffix(800))")
            }
        }

        @Test("MALL_SANDBOX=1 turns the sandbox on like --sandbox")
        func sandboxFromEnvironment() async throws {
            try await withMallServer(environment: ["MALL_SANDBOX": "1"], sandbox: false) { _, client in
                let login = try await client.post("/api/v1/auth/wechat/login", body: ["code": "alice"])
                #expect(login.status == 200, "\(login)")
                #expect(login.headers.first(name: "X-Mall-Sandbox") == "1", "\(login.headers)")
            }
        }
    }
}
