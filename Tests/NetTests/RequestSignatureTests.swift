import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import NIOCore
import Testing

@Suite("RequestSignature")
struct RequestSignatureTests {
    static let startMs: Int64 = 1_732_400_000_000
    static let keyBytes = [UInt8](repeating: 0x42, count: 32)

    struct Echo: Encodable, Sendable {
        var body: String
    }

    /// `/echo` answers with the body it read, behind the signature middleware.
    static func router(_ configuration: RequestSignatureConfiguration = .init(isEnabled: true, keyBytes: Self.keyBytes),
                       clock: ManualClock) throws -> Router<MallRequestContext> {
        let router = Router(context: MallRequestContext.self)
        router.middlewares.add(ErrorEnvelopeMiddleware())
        let signed = router.group().add(middleware: try RequestSignatureMiddleware(configuration: configuration, nowMs: { clock.nowMs() }))
        for method: HTTPRequest.Method in [.get, .post] {
            signed.on("echo", method: method) { request, context in
                let buffer = try await request.body.collect(upTo: context.maxUploadSize)
                return Envelope(Echo(body: String(buffer: buffer)))
            }
        }
        return router
    }

    static func nonce(_ index: Int) -> String { "nonce-\(String(repeating: "0", count: 10))\(index)" }

    static func signedHeaders(_ method: HTTPRequest.Method, _ path: String, body: String = "", timestampMs: Int64 = Self.startMs,
                              nonce: String = Self.nonce(0), key: [UInt8] = Self.keyBytes) -> HTTPFields {
        let timestamp = String(timestampMs)
        let signature = RequestSignatureVerifier.signature(keyBytes: key, method: method.rawValue, pathWithQuery: path,
                                                           timestamp: timestamp, nonce: nonce, body: ByteBuffer(string: body))
        return [.xMallTimestamp: timestamp, .xMallNonce: nonce, .xMallSignature: signature]
    }

    @Test("the documented canonical string is what is signed")
    func canonicalString() {
        let canonical = RequestSignatureVerifier.canonical(method: "GET", pathWithQuery: "/api/v1/products?limit=2",
                                                           timestamp: "1732400000000", nonce: "aaaaaaaaaaaaaaaa", body: ByteBuffer())
        #expect(canonical == "GET\n/api/v1/products?limit=2\n1732400000000\naaaaaaaaaaaaaaaa\n"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("a correctly signed request passes, and the route reads the very body that was verified")
    func accepted() async throws {
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: try Self.router(clock: clock)).test(.router) { client in
            let body = #"{"skuId":"12","quantity":2}"#
            let post = try await client.execute(uri: "/echo?from=cart", method: .post,
                                                headers: Self.signedHeaders(.post, "/echo?from=cart", body: body),
                                                body: ByteBuffer(string: body)) { try Reply($0) }
            #expect(post.status == 200)
            #expect(post.data["body"] as? String == body)
            var upper = Self.signedHeaders(.get, "/echo", nonce: Self.nonce(1))
            upper[.xMallSignature] = upper[.xMallSignature]?.uppercased()
            let get = try await client.execute(uri: "/echo", method: .get, headers: upper) { try Reply($0) }
            #expect(get.status == 200, "hex digits of either case")
        }
    }

    @Test("each missing header is a 401 that names it")
    func missingHeaders() async throws {
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: try Self.router(clock: clock)).test(.router) { client in
            for name: HTTPField.Name in [.xMallTimestamp, .xMallNonce, .xMallSignature] {
                var headers = Self.signedHeaders(.get, "/echo")
                headers[name] = nil
                let reply = try await client.execute(uri: "/echo", method: .get, headers: headers) { try Reply($0) }
                #expect(reply.status == 401)
                #expect(reply.code == 401)
                #expect(reply.message == "request signature: header \(name.rawName) is missing")
            }
        }
    }

    @Test("malformed headers are 401s that state the rule")
    func malformedHeaders() async throws {
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: try Self.router(clock: clock)).test(.router) { client in
            let good = Self.signedHeaders(.get, "/echo")
            let cases: [(HTTPField.Name, String, String)] = [
                (.xMallNonce, "short-nonce-15c", "16 to 64 characters of A-Z a-z 0-9 - _"),
                (.xMallNonce, "nonce=with+padding==", "16 to 64 characters of A-Z a-z 0-9 - _"),
                (.xMallNonce, String(repeating: "n", count: 65), "16 to 64 characters"),
                (.xMallTimestamp, "17324e11", "digits"),
                (.xMallTimestamp, String(repeating: "9", count: 40), "digits"),
                (.xMallSignature, String(repeating: "a", count: 63), "64 hex digits"),
                (.xMallSignature, String(repeating: "g", count: 64), "64 hex digits"),
            ]
            for (name, value, rule) in cases {
                var headers = good
                headers[name] = value
                let reply = try await client.execute(uri: "/echo", method: .get, headers: headers) { try Reply($0) }
                #expect(reply.status == 401, "\(name): \(value)")
                #expect(reply.message.hasPrefix("request signature: header \(name.rawName)"), "\(reply.message)")
                #expect(reply.message.contains(rule), "\(reply.message)")
            }
            var twice = good
            twice.append(HTTPField(name: .xMallNonce, value: Self.nonce(9)))
            let reply = try await client.execute(uri: "/echo", method: .get, headers: twice) { try Reply($0) }
            #expect(reply.status == 401)
            #expect(reply.message == "request signature: header X-Mall-Nonce must appear once")
        }
    }

    @Test("a timestamp more than 300 s from the server's clock is refused, either way; 300 s is still accepted")
    func staleTimestamp() async throws {
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: try Self.router(clock: clock)).test(.router) { client in
            func get(_ timestampMs: Int64, _ nonce: Int) async throws -> Reply {
                try await client.execute(uri: "/echo", method: .get,
                                         headers: Self.signedHeaders(.get, "/echo", timestampMs: timestampMs, nonce: Self.nonce(nonce))) {
                    try Reply($0)
                }
            }
            let behind = try await get(Self.startMs - 301_000, 1)
            #expect(behind.status == 401)
            #expect(behind.message
                    == "request signature: X-Mall-Timestamp is 301000 ms behind the server's clock; at most 300000 ms is allowed")
            let ahead = try await get(Self.startMs + 300_001, 2)
            #expect(ahead.status == 401)
            #expect(ahead.message.contains("300001 ms ahead of the server's clock"))
            #expect(try await get(Self.startMs - 300_000, 3).status == 200)
            #expect(try await get(Self.startMs + 300_000, 4).status == 200)
        }
    }

    @Test("the same nonce twice is a replay, refused; it stays refused until its timestamp is stale anyway")
    func replay() async throws {
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: try Self.router(clock: clock)).test(.router) { client in
            let body = #"{"orderId":"7"}"#
            let headers = Self.signedHeaders(.post, "/echo", body: body, timestampMs: Self.startMs + 300_000)
            func send() async throws -> Reply {
                try await client.execute(uri: "/echo", method: .post, headers: headers, body: ByteBuffer(string: body)) { try Reply($0) }
            }
            #expect(try await send().status == 200)
            let replayed = try await send()
            #expect(replayed.status == 401)
            #expect(replayed.message == "request signature: X-Mall-Nonce was already used; send a new nonce with every request")
            // The timestamp was 300 s ahead: it passes until 600 s from now, inclusive, and so must the nonce's memory.
            clock.advance(byMs: 600_000)
            #expect(try await send().message.contains("already used"))
            clock.advance(byMs: 1)
            #expect(try await send().message.contains("X-Mall-Timestamp is 300001 ms behind"))
        }
    }

    @Test("a changed body, path, query, method or key fails the signature")
    func tampering() async throws {
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: try Self.router(clock: clock)).test(.router) { client in
            let body = #"{"quantity":1}"#
            let cases: [(HTTPRequest.Method, String, String, HTTPFields)] = [
                (.post, "/echo", #"{"quantity":9}"#, Self.signedHeaders(.post, "/echo", body: body, nonce: Self.nonce(1))),
                (.post, "/echo?x=2", body, Self.signedHeaders(.post, "/echo?x=1", body: body, nonce: Self.nonce(2))),
                (.get, "/echo", "", Self.signedHeaders(.post, "/echo", nonce: Self.nonce(3))),
                (.post, "/echo", body, Self.signedHeaders(.post, "/echo", body: body, nonce: Self.nonce(4),
                                                          key: [UInt8](repeating: 0x43, count: 32))),
            ]
            for (method, uri, sentBody, headers) in cases {
                let reply = try await client.execute(uri: uri, method: method, headers: headers,
                                                     body: ByteBuffer(string: sentBody)) { try Reply($0) }
                #expect(reply.status == 401, "\(method) \(uri)")
                #expect(reply.message == "request signature: X-Mall-Signature does not match the request")
            }
            // A request that failed its signature did not use up its nonce.
            let honest = try await client.execute(uri: "/echo", method: .post, headers: Self.signedHeaders(.post, "/echo", body: body,
                                                                                                            nonce: Self.nonce(1)),
                                                  body: ByteBuffer(string: body)) { try Reply($0) }
            #expect(honest.status == 200)
        }
    }

    @Test("a body over the upload limit is a 413, read no further")
    func bodyLimit() async throws {
        let clock = ManualClock(nowMs: Self.startMs)
        try await Application(router: try Self.router(clock: clock)).test(.router) { client in
            let body = String(repeating: "x", count: (1 << 20) + 1)
            let reply = try await client.execute(uri: "/echo", method: .post, headers: Self.signedHeaders(.post, "/echo", body: body),
                                                 body: ByteBuffer(string: body)) { try Reply($0) }
            #expect(reply.status == 413)
            #expect(reply.code == 413)
        }
    }

    @Test("at its limit the nonce cache refuses new requests with 503 and Retry-After, and forgets no nonce early")
    func nonceCacheFull() async throws {
        let clock = ManualClock(nowMs: Self.startMs)
        let configuration = RequestSignatureConfiguration(isEnabled: true, keyBytes: Self.keyBytes, nonceEntriesMax: 2, nonceShardCount: 1)
        try await Application(router: try Self.router(configuration, clock: clock)).test(.router) { client in
            func get(_ nonce: Int, timestampMs: Int64 = Self.startMs) async throws -> (Reply, String?) {
                try await client.execute(uri: "/echo", method: .get,
                                         headers: Self.signedHeaders(.get, "/echo", timestampMs: timestampMs, nonce: Self.nonce(nonce))) {
                    (try Reply($0), $0.headers[.retryAfter])
                }
            }
            #expect(try await get(1).0.status == 200)
            clock.advance(byMs: 1_000)
            #expect(try await get(2).0.status == 200)
            let (full, retryAfter) = try await get(3)
            #expect(full.status == 503)
            #expect(full.code == 503)
            // Nonce 1 is remembered through start + 600 s, 599 s from now; its slot frees 1 ms later.
            #expect(full.message == "replay protection is at capacity; retry in 600 s")
            #expect(retryAfter == "600")
            #expect(try await get(1).0.message.contains("already used"), "nonce 1 is still remembered")
            clock.advance(byMs: 599_000)
            #expect(try await get(3, timestampMs: clock.nowMs()).0.status == 503, "nonce 1 is remembered to its last millisecond")
            clock.advance(byMs: 1)
            #expect(try await get(3, timestampMs: clock.nowMs()).0.status == 200)
        }
    }

    @Test("the nonce cache never holds more than its limit, however many distinct nonces arrive")
    func nonceCacheBounded() {
        let cache = NonceCache(entriesMax: 1_000, shardCount: 16, lifetimeMs: 600_000)
        #expect(cache.entriesMax == 992, "a whole number per shard, never more than asked")
        var accepted = 0, full = 0
        for index in 0..<20_000 {
            switch cache.insert("n\(index)", nowMs: Self.startMs + Int64(index)) {
            case .accepted: accepted += 1
            case .full: full += 1
            case .replayed: Issue.record("nonce \(index) was never sent before")
            }
            #expect(cache.count <= cache.entriesMax)
        }
        #expect(accepted == cache.entriesMax)
        #expect(full == 20_000 - cache.entriesMax)
        // Once the entries have outlived their lifetime, the room is back.
        #expect(cache.insert("late", nowMs: Self.startMs + 20_000 + 600_001) == .accepted)
        #expect(cache.count <= cache.entriesMax)
    }

    @Test("signing is off by default and then lets unsigned requests through; on, it needs a 32-byte key")
    func configuration() async throws {
        let clock = ManualClock(nowMs: Self.startMs)
        #expect(RequestSignatureConfiguration().isEnabled == false)
        try await Application(router: try Self.router(RequestSignatureConfiguration(), clock: clock)).test(.router) { client async throws in
            #expect(try await client.call(.get, "/echo").status == 200)
        }
        #expect(throws: RequestSignatureConfigurationError.keyTooShort(bytes: 31)) {
            try RequestSignatureVerifier(configuration: .init(isEnabled: true, keyBytes: [UInt8](repeating: 1, count: 31)), nowMs: { 0 })
        }
    }
}
