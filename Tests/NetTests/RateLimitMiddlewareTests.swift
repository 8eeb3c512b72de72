import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import NIOCore
import Testing

/// Signs a request in as the user named by `X-Test-User`, as `AuthMiddleware` would from a token.
private struct TestSignIn: RouterMiddleware {
    typealias Context = MallRequestContext
    static let header = HTTPField.Name("X-Test-User")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let name = Self.header, let id = request.headers[name].flatMap(UInt64.init) { context.principal = .user(id: id) }
        return try await next(request, context)
    }
}

@Suite("RateLimitMiddleware")
struct RateLimitMiddlewareTests {
    static let startMs: Int64 = 1_732_400_040_000

    /// `POST /login` limited as `.login`; `/items` by method, after a fake sign-in.
    static func router(_ policy: RateLimitPolicy, clock: ManualClock,
                       clientAddress: ClientAddressResolver = ClientAddressResolver()) -> Router<MallRequestContext> {
        let limiter = RateLimiter(policy: policy, nowMs: { clock.nowMs() })
        let router = Router(context: MallRequestContext.self)
        router.middlewares.add(ErrorEnvelopeMiddleware())
        router.group().add(middleware: RateLimitMiddleware(limiter: limiter, routeClass: .login, clientAddress: clientAddress))
            .post("login") { _, _ in Envelope(Empty()) }
        let items = router.group("items").add(middleware: TestSignIn())
            .add(middleware: RateLimitMiddleware(limiter: limiter, classification: .byMethod, clientAddress: clientAddress))
        items.get { _, _ in Envelope(Empty()) }
        items.post { _, _ in Envelope(Empty(), status: .created) }
        return router
    }

    static func headers(user: UInt64? = nil, forwardedFor: String? = nil) -> HTTPFields {
        var headers: HTTPFields = [:]
        if let user, let name = TestSignIn.header { headers[name] = String(user) }
        if let forwardedFor { headers[.xForwardedFor] = forwardedFor }
        return headers
    }

    @Test("past its limit a request gets 429, code 429 in the envelope and Retry-After; after that wait it passes")
    func tooManyRequests() async throws {
        var policy = RateLimitPolicy()
        policy.login = .perMinute(2)
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: Self.router(policy, clock: clock)).test(.router) { client in
            #expect(try await client.call(.post, "/login").status == 200)
            #expect(try await client.call(.post, "/login").status == 200)
            let (status, retryAfter, body) = try await client.execute(uri: "/login", method: .post) {
                (Int($0.status.code), $0.headers[.retryAfter], String(buffer: $0.body))
            }
            #expect(status == 429)
            // Full at the window's start: wait for 2 × (1 − e) + 1 ≤ 2, e = 0.5 into the next minute: 90 s.
            #expect(retryAfter == "90")
            let envelope = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(envelope["code"] as? Int == 429)
            #expect((envelope["message"] as? String)?.contains("retry in 90 s") == true, "\(body)")
            #expect(envelope.keys.sorted() == ["code", "data", "message", "timestamp"])
            clock.advance(byMs: 89_999)
            #expect(try await client.call(.post, "/login").status == 429)
            clock.advance(byMs: 1)
            #expect(try await client.call(.post, "/login").status == 200)
        }
    }

    @Test("signed-in buyers are counted by account, anonymous callers by address, reads apart from writes")
    func keyedByAccount() async throws {
        var policy = RateLimitPolicy()
        policy.write = .perMinute(1)
        policy.read = .perMinute(2)
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: Self.router(policy, clock: clock)).test(.router) { client async throws in
            func post(_ headers: HTTPFields) async throws -> Int {
                try await client.execute(uri: "/items", method: .post, headers: headers) { Int($0.status.code) }
            }
            func get(_ headers: HTTPFields) async throws -> Int {
                try await client.execute(uri: "/items", method: .get, headers: headers) { Int($0.status.code) }
            }
            #expect(try await post(Self.headers(user: 1)) == 201)
            #expect(try await post(Self.headers(user: 1)) == 429)
            #expect(try await post(Self.headers(user: 2)) == 201, "another account has its own count")
            #expect(try await post(Self.headers()) == 201, "no account: the address's count")
            #expect(try await post(Self.headers()) == 429)
            #expect(try await get(Self.headers(user: 1)) == 200, "reads are a class of their own")
            #expect(try await get(Self.headers(user: 1)) == 200)
            #expect(try await get(Self.headers(user: 1)) == 429)
            #expect(try await post(Self.headers(user: 3)) == 201)
        }
    }

    @Test("X-Forwarded-For is ignored unless the peer is a configured proxy")
    func forwardedForIgnoredByDefault() async throws {
        var policy = RateLimitPolicy()
        policy.login = .perMinute(1)
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: Self.router(policy, clock: clock)).test(.live) { client in
            let first = try await client.execute(uri: "/login", method: .post, headers: Self.headers(forwardedFor: "198.51.100.1")) { $0.status }
            let spoofed = try await client.execute(uri: "/login", method: .post, headers: Self.headers(forwardedFor: "198.51.100.2")) { $0.status }
            #expect(first == .ok)
            #expect(spoofed == .tooManyRequests, "a made-up X-Forwarded-For does not buy a fresh count")
        }
    }

    @Test("behind a trusted proxy each forwarded client has its own count")
    func forwardedForFromTrustedProxy() async throws {
        var policy = RateLimitPolicy()
        policy.login = .perMinute(1)
        let clock = ManualClock(nowMs: Self.startMs)
        let proxy = try ClientAddressResolver(trustedProxies: ["127.0.0.1", "::1"])
        try await Application(router: Self.router(policy, clock: clock, clientAddress: proxy)).test(.live) { client async throws in
            func login(_ forwardedFor: String) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/login", method: .post, headers: Self.headers(forwardedFor: forwardedFor)) { $0.status }
            }
            #expect(try await login("198.51.100.1") == .ok)
            #expect(try await login("198.51.100.2") == .ok)
            #expect(try await login("203.0.113.50, 198.51.100.1") == .tooManyRequests, "the proxy appended .1; the left entry is the client's claim")
        }
    }
}

@Suite("RateLimit client address")
struct RateLimitClientAddressTests {
    static func peer(_ address: String) throws -> SocketAddress { try SocketAddress(ipAddress: address, port: 40_000) }
    static func forwarded(_ values: String...) -> HTTPFields {
        HTTPFields(values.map { HTTPField(name: .xForwardedFor, value: $0) })
    }

    @Test("by default the key is the connection's peer, whatever X-Forwarded-For says")
    func peerByDefault() throws {
        let resolver = ClientAddressResolver()
        #expect(resolver.key(peer: try Self.peer("203.0.113.9"), headers: Self.forwarded("198.51.100.1")) == .address("203.0.113.9"))
        #expect(resolver.key(peer: nil, headers: Self.forwarded("198.51.100.1")) == .unknownAddress)
    }

    @Test("from a trusted proxy the key is the rightmost address that is not a trusted proxy")
    func rightmostUntrusted() throws {
        let resolver = try ClientAddressResolver(trustedProxies: ["10.0.0.1", "10.0.0.2"])
        let proxy = try Self.peer("10.0.0.1")
        #expect(resolver.key(peer: proxy, headers: Self.forwarded("198.51.100.7")) == .address("198.51.100.7"))
        #expect(resolver.key(peer: proxy, headers: Self.forwarded("1.1.1.1, 198.51.100.7, 10.0.0.2")) == .address("198.51.100.7"))
        #expect(resolver.key(peer: proxy, headers: Self.forwarded("1.1.1.1", "198.51.100.7,10.0.0.2")) == .address("198.51.100.7"),
                "several header fields read as one list")
        #expect(resolver.key(peer: proxy, headers: [:]) == .address("10.0.0.1"), "no header: the proxy itself")
        #expect(resolver.key(peer: proxy, headers: Self.forwarded("garbage, 10.0.0.2")) == .address("10.0.0.2"),
                "malformed: the last hop that can be vouched for")
        #expect(resolver.key(peer: proxy, headers: Self.forwarded("198.51.100.7, unknown")) == .address("10.0.0.1"))
        let long = Array(repeating: "198.51.100.7", count: 200).joined(separator: ", ")
        #expect(resolver.key(peer: proxy, headers: Self.forwarded(long)) == .address("10.0.0.1"), "over 2 KB: ignored")
        #expect(resolver.key(peer: try Self.peer("10.0.0.3"), headers: Self.forwarded("198.51.100.7")) == .address("10.0.0.3"),
                "an untrusted peer's header is ignored")
    }

    @Test("IPv6 clients are keyed by their /64, IPv4-mapped ones as IPv4")
    func ipv6() throws {
        let resolver = try ClientAddressResolver(trustedProxies: ["::1"])
        #expect(resolver.key(peer: try Self.peer("2001:db8:0:1::5"), headers: [:]) == .address("2001:db8:0:1::/64"))
        #expect(resolver.key(peer: try Self.peer("2001:db8:0:1:ffff::9"), headers: [:]) == .address("2001:db8:0:1::/64"))
        #expect(resolver.key(peer: try Self.peer("::ffff:198.51.100.3"), headers: [:]) == .address("198.51.100.3"))
        #expect(resolver.key(peer: try Self.peer("::1"), headers: Self.forwarded("2001:db8:aa:bb:1:2:3:4")) == .address("2001:db8:aa:bb::/64"))
    }

    @Test("a trusted proxy that is not an IP address is a configuration error naming it")
    func invalidProxy() {
        #expect(throws: ClientAddressError.invalidProxyAddress("lb.internal")) {
            try ClientAddressResolver(trustedProxies: ["10.0.0.1", "lb.internal"])
        }
    }
}
