import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Net
import NIOCore
import Testing

@Suite("SecurityHeaders")
struct SecurityHeadersTests {
    /// The edge middleware, as `buildRouter` adds it, then the real docs routes and two API-like routes.
    static func router(_ configuration: SecurityHeadersConfiguration = SecurityHeadersConfiguration()) -> Router<MallRequestContext> {
        let router = Router(context: MallRequestContext.self)
        router.middlewares.add(EdgeMiddleware(headers: configuration))
        OpenAPIController().addRoutes(to: router)
        router.get("api/v1/ping") { _, _ in Envelope(Empty()) }
        router.get("api/v1/banner") { _, _ in Response(status: .ok, headers: [.server: "leaky/1.0"]) }
        router.get("api/v1/forbidden") { _, _ -> Envelope<Empty> in throw APIError(.forbidden) }
        router.get("api/v1/framed") { _, _ in
            Response(status: .ok, headers: [.xFrameOptions: "SAMEORIGIN", .referrerPolicy: "origin", .contentType: "text/plain"])
        }
        return router
    }

    static func fields(_ uri: String, _ client: some TestClientProtocol) async throws -> (HTTPResponse.Status, HTTPFields, String) {
        try await client.execute(uri: uri, method: .get) { ($0.status, $0.headers, String(buffer: $0.body)) }
    }

    @Test("every response, errors included, says nosniff, no-referrer and DENY, and names no server software")
    func everyResponse() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            for uri in ["/api/v1/ping", "/api/v1/banner", "/api/v1/forbidden", "/api/v1/no-such-route", "/openapi.json", "/docs"] {
                let (status, headers, _) = try await Self.fields(uri, client)
                #expect(headers[.xContentTypeOptions] == "nosniff", "\(uri) \(status)")
                #expect(headers[.referrerPolicy] == "no-referrer", "\(uri)")
                #expect(headers[.xFrameOptions] == "DENY", "\(uri)")
                #expect(headers[.server] == nil, "\(uri)")
                #expect(headers[.strictTransportSecurity] == nil, "\(uri): HSTS is off unless configured")
            }
            #expect(try await Self.fields("/api/v1/forbidden", client).0 == .forbidden)
            #expect(try await Self.fields("/api/v1/no-such-route", client).0 == .notFound)
        }
    }

    @Test("a reply that sets one of these headers itself ends with one copy, the server's value, and keeps its others")
    func repliesSettingTheHeaders() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            let (status, headers, _) = try await Self.fields("/api/v1/framed", client)
            #expect(status == .ok)
            #expect(headers[values: .xFrameOptions] == ["DENY"])
            #expect(headers[values: .referrerPolicy] == ["no-referrer"])
            #expect(headers[values: .xContentTypeOptions] == ["nosniff"])
            #expect(headers[.contentType] == "text/plain")
            // The plain path appends: still one copy of each.
            let ping = try await Self.fields("/api/v1/ping", client).1
            #expect(ping[values: .xFrameOptions] == ["DENY"] && ping[values: .xContentTypeOptions] == ["nosniff"])
        }
    }

    @Test("an envelope's reply gets the prebuilt set: the fields the general path gives, in its order; /docs still gets its CSP")
    func envelopeRepliesGetTheSameFields() throws {
        let extra = try #require(HTTPField.Name("X-Probe"))
        for configuration in [SecurityHeadersConfiguration(), SecurityHeadersConfiguration(isBehindHTTPS: true)] {
            for sandbox in [false, true] {
                let headers = SecurityHeaders(configuration: configuration, sandbox: sandbox)
                for path in ["/api/v1/ping", "/", "/docs", "/docs/", "/docsx"] {
                    var envelope = Response(status: .ok, headers: Envelopes.fields)
                    headers.apply(to: &envelope, path: path[...])
                    // One more field of the reply's own sends it down the general path; without it, the same fields.
                    var general = Response(status: .ok, headers: [.contentType: Envelopes.contentType, extra: "1"])
                    headers.apply(to: &general, path: path[...])
                    general.headers[extra] = nil
                    #expect(Array(envelope.headers) == Array(general.headers), "\(path) sandbox \(sandbox)")
                    #expect((envelope.headers[.contentSecurityPolicy] != nil) == ["/docs", "/docs/"].contains(path), "\(path)")
                    #expect(envelope.headers[.mallSandbox] == (sandbox ? "1" : nil))
                }
            }
        }
    }

    @Test("/docs alone gets a CSP, allowing exactly its own inline script and style and fetches to this server")
    func docsPolicy() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            let (status, headers, page) = try await Self.fields("/docs", client)
            #expect(status == .ok)
            let policy = try #require(headers[.contentSecurityPolicy])
            // The page as served: one inline script, one inline style, no outside resource, nothing CSP would block.
            let scripts = page.components(separatedBy: "<script>").dropFirst().map { $0.components(separatedBy: "</script>")[0] }
            let styles = page.components(separatedBy: "<style>").dropFirst().map { $0.components(separatedBy: "</style>")[0] }
            #expect(scripts.count == 1 && styles.count == 1)
            #expect(page.components(separatedBy: "<script").count == 2 && page.components(separatedBy: "<style").count == 2)
            for needle in ["src=", "http:", "https:", "//cdn", "style=", " onclick=", " onload=", "<link", "<img", "url(", "@import"] {
                #expect(!page.contains(needle), "the page holds \(needle)")
            }
            // The example of the CSP specification, so the hash form is checked against an outside source.
            #expect(DocsContentSecurityPolicy.sourceHash("alert('Hello, world.');") == "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='")
            func hash(_ block: String) -> String { DocsContentSecurityPolicy.sourceHash(block[...]) }
            let directives = policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(directives == [
                "default-src 'none'",
                "script-src \(hash(scripts[0]))",
                "style-src \(hash(styles[0]))",
                "connect-src 'self'",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            ])
            #expect(!policy.contains("unsafe"))
            for uri in ["/openapi.json", "/api/v1/ping", "/api/v1/no-such-route", "/docsx"] {
                #expect(try await Self.fields(uri, client).1[.contentSecurityPolicy] == nil, "\(uri)")
            }
        }
    }

    @Test("Strict-Transport-Security is sent only when configured as behind HTTPS")
    func strictTransportSecurity() async throws {
        for (configuration, expected) in [
            (SecurityHeadersConfiguration(), nil),
            (SecurityHeadersConfiguration(isBehindHTTPS: true), "max-age=31536000"),
            (SecurityHeadersConfiguration(isBehindHTTPS: true, hstsMaxAgeSeconds: 600, hstsIncludesSubdomains: true),
             "max-age=600; includeSubDomains"),
        ] as [(SecurityHeadersConfiguration, String?)] {
            try await Application(router: Self.router(configuration)).test(.router) { client async throws in
                #expect(try await Self.fields("/api/v1/ping", client).1[.strictTransportSecurity] == expected)
                #expect(try await Self.fields("/docs", client).1[.strictTransportSecurity] == expected)
            }
        }
    }

    @Test("the application as built by buildApplication sends no Server banner")
    func noServerBanner() async throws {
        let app = try await TestApp.make()
        let application = buildApplication(app.services, host: "127.0.0.1", port: 0, logger: Logger(label: "security-headers-test"))
        try await application.test(.live) { client in
            let headers = try await client.execute(uri: "/healthz", method: .get) { $0.headers }
            #expect(headers[.server] == nil)
        }
        await app.close()
    }
}
