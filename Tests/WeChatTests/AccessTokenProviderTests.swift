import Foundation
import Logging
import Testing
import WeChat

@Suite("Access token")
struct AccessTokenProviderTests {
    let clock = TestClock()
    let host: FakeWeChatAPIHost
    let logs = CapturedLogs()
    let tokens: WeChatAccessTokenProvider<TestClock>

    init() throws {
        host = try FakeWeChatAPIHost(clock: clock)
        tokens = Self.provider(host: host, clock: clock, logger: logs.logger("test.wechat.token"))
    }

    static func provider(
        host: FakeWeChatAPIHost, clock: TestClock, appID: String = FakeWeChatAPIHost.appID,
        appSecret: String = FakeWeChatAPIHost.appSecret,
        logger: Logger = Logger(label: "test.wechat.token") { _ in SwiftLogNoOpLogHandler() }
    ) -> WeChatAccessTokenProvider<TestClock> {
        WeChatAccessTokenProvider(
            baseURL: host.server.baseURL, appID: appID, appSecret: appSecret, timeout: .seconds(5), clock: clock,
            logger: logger)
    }

    @Test("50 concurrent callers share one token fetch and get the same token")
    func concurrentCallersShareOneFetch() async throws {
        host.setTokenDelay(ms: 200)
        let tokens = self.tokens
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await tokens.accessToken() } }
            var results: [String] = []
            for try await token in group { results.append(token) }
            return results
        }
        #expect(results.count == 50)
        #expect(Set(results) == [try #require(host.latestToken)])
        #expect(host.tokenCalls == 1)
    }

    @Test("the token comes from POST /cgi-bin/stable_token with the app's credentials and no forced refresh")
    func requestShape() async throws {
        _ = try await tokens.accessToken()
        let request = try #require(host.tokenRequests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/cgi-bin/stable_token")
        #expect(request.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        #expect(body["grant_type"] as? String == "client_credential")
        #expect(body["appid"] as? String == FakeWeChatAPIHost.appID)
        #expect(body["secret"] as? String == FakeWeChatAPIHost.appSecret)
        #expect(body["force_refresh"] as? Bool == false)
    }

    @Test("a cached token is served without asking WeChat until 5 minutes before it expires")
    func cachedUntilRefreshTime() async throws {
        let first = try await tokens.accessToken()
        clock.advance(by: .seconds(7200 - 300 - 1))
        #expect(try await tokens.accessToken() == first)
        #expect(host.tokenCalls == 1)
    }

    @Test("after the token expired, the next caller waits for a new one")
    func refreshedAfterExpiry() async throws {
        let first = try await tokens.accessToken()
        clock.advance(by: .seconds(7201))
        let second = try await tokens.accessToken()
        #expect(second != first)
        #expect(second == host.latestToken)
        #expect(host.tokenCalls == 2)
    }

    @Test("in its last 5 minutes the old token is still served while one background fetch gets the new one")
    func refreshedAheadInBackground() async throws {
        let first = try await tokens.accessToken()
        clock.advance(by: .seconds(6950))
        #expect(try await tokens.accessToken() == first)
        let tokens = self.tokens
        #expect(await eventually { (try? await tokens.accessToken()) != first })
        #expect(try await tokens.accessToken() == host.latestToken)
        #expect(host.tokenCalls == 2)
    }

    @Test("a short lifetime is refreshed after four fifths of it")
    func shortLifetime() async throws {
        host.setTokenLifetime(seconds: 60)
        let first = try await tokens.accessToken()
        clock.advance(by: .seconds(47))
        #expect(try await tokens.accessToken() == first)
        #expect(host.tokenCalls == 1)
        clock.advance(by: .seconds(14))
        #expect(try await tokens.accessToken() != first)
        #expect(host.tokenCalls == 2)
    }

    @Test("invalidating the current token makes the next caller fetch a new one")
    func invalidateCurrent() async throws {
        let first = try await tokens.accessToken()
        host.rejectIssuedTokens(with: 40001)
        await tokens.invalidate(first)
        let second = try await tokens.accessToken()
        #expect(second != first)
        #expect(host.tokenCalls == 2)
    }

    @Test("a late invalidation of an old token keeps the fresh one")
    func staleInvalidationKeepsFreshToken() async throws {
        let first = try await tokens.accessToken()
        host.rejectIssuedTokens(with: 40001)
        await tokens.invalidate(first)
        let second = try await tokens.accessToken()
        await tokens.invalidate(first)  // a second caller's 40001 for the old token, arriving late
        #expect(try await tokens.accessToken() == second)
        #expect(host.tokenCalls == 2)
    }

    static let fetchFailures: [(FakeResponse, WeChatError)] = [
        (.json(#"{"errcode":-1,"errmsg":"system error"}"#), .systemBusy(errmsg: "system error")),
        (.json(#"{"errcode":"45009","errmsg":"quota"}"#), .rateLimited(errcode: 45009, errmsg: "quota")),
        (.json(#"{"errcode":45011,"errmsg":"minute quota"}"#), .rateLimited(errcode: 45011, errmsg: "minute quota")),
        (.json(#"{"errcode":40001,"errmsg":"invalid credential"}"#), .misconfigured(errcode: 40001, errmsg: "invalid credential")),
        (.json(#"{"errcode":40164,"errmsg":"invalid ip"}"#), .misconfigured(errcode: 40164, errmsg: "invalid ip")),
        (.json(#"{"errcode":40002,"errmsg":"invalid grant_type"}"#), .upstream(errcode: 40002, errmsg: "invalid grant_type")),
        (.json(#"{"expires_in":7200}"#), .badResponse("missing access_token")),
        (.json(#"{"access_token":"a b","expires_in":7200}"#),
         .badResponse("access_token is not 1 to 2048 visible ASCII characters")),
        (.json(#"{"access_token":"\#(String(repeating: "t", count: 2049))","expires_in":7200}"#),
         .badResponse("access_token is not 1 to 2048 visible ASCII characters")),
        (.json(#"{"access_token":"tok","expires_in":0}"#), .badResponse("expires_in is not a positive integer")),
        (.json(#"{"access_token":"tok","expires_in":"soon"}"#), .badResponse("expires_in is not a positive integer")),
        (.json(#"{"access_token":"tok","expires_in":1e300}"#), .badResponse("expires_in is not a positive integer")),
        (.json(#"{"errcode":1.5,"errmsg":"x"}"#), .badResponse("errcode is not an integer")),
        (.json("<html>gateway</html>"), .badResponse("body is not a JSON object")),
        (.json(#"{"access_token":"\#(String(repeating: "t", count: 100_000))","expires_in":7200}"#),
         .badResponse("body larger than 65536 bytes")),
        (.json(#"{"errcode":-1}"#, status: 502), .badResponse("HTTP status 502")),
    ]

    @Test("each token endpoint failure maps to its error, never a trap", arguments: AccessTokenProviderTests.fetchFailures)
    func fetchFailureMapped(answer: FakeResponse, expected: WeChatError) async {
        host.scriptTokenAnswers([answer])
        await #expect(throws: expected) { try await tokens.accessToken() }
    }

    @Test("expires_in as a numeric string is accepted; beyond 7200 s it is clamped to 7200 s")
    func lenientExpiresIn() async throws {
        host.scriptTokenAnswers([.json(#"{"access_token":"scripted-token","expires_in":"86400"}"#)])
        #expect(try await tokens.accessToken() == "scripted-token")
        clock.advance(by: .seconds(7200 - 300 - 1))
        #expect(try await tokens.accessToken() == "scripted-token")
        clock.advance(by: .seconds(302))
        #expect(try await tokens.accessToken() != "scripted-token")
        #expect(host.tokenCalls == 2)
    }

    @Test("a wrong AppSecret (40125) or AppID (40013) is a configuration error; the secret is in no error or log")
    func wrongCredentials() async {
        let wrongSecret = "wrong+secret/value"
        let wrong = Self.provider(host: host, clock: clock, appSecret: wrongSecret, logger: logs.logger("test.wrong"))
        do {
            _ = try await wrong.accessToken()
            Issue.record("a wrong secret must fail")
        } catch {
            #expect(error == .misconfigured(errcode: 40125, errmsg: "invalid appsecret, rid: 3"))
            #expect(!error.isRetryable)
            #expect(!error.description.contains(wrongSecret))
        }
        let wrongApp = Self.provider(host: host, clock: clock, appID: "wx0000000000000099")
        await #expect(throws: WeChatError.misconfigured(errcode: 40013, errmsg: "invalid appid")) {
            try await wrongApp.accessToken()
        }
        #expect(!logs.text.isEmpty)
        #expect(!logs.text.contains(wrongSecret))
    }

    @Test("neither the token nor the secret is logged")
    func nothingSecretLogged() async throws {
        let first = try await tokens.accessToken()
        host.rejectIssuedTokens(with: 40001)
        await tokens.invalidate(first)
        let second = try await tokens.accessToken()
        let text = logs.text
        #expect(text.contains("access token fetched"))
        for secret in [first, second, FakeWeChatAPIHost.appSecret] { #expect(!text.contains(secret)) }
    }

    @Test("after a failed fetch, callers get that failure for the pause, then one new fetch succeeds")
    func failurePause() async throws {
        host.scriptTokenAnswers([.json(#"{"errcode":-1,"errmsg":"system error"}"#)])
        await #expect(throws: WeChatError.systemBusy(errmsg: "system error")) { try await tokens.accessToken() }
        await #expect(throws: WeChatError.systemBusy(errmsg: "system error")) { try await tokens.accessToken() }
        #expect(host.tokenCalls == 1)
        clock.advance(by: .seconds(5))
        #expect(try await tokens.accessToken() == host.latestToken)
        #expect(host.tokenCalls == 2)
    }

    @Test("a failed background refresh keeps the still-valid token in service and is retried after the pause")
    func failedBackgroundRefresh() async throws {
        let first = try await tokens.accessToken()
        host.scriptTokenAnswers([.json(#"{"errcode":-1,"errmsg":"system error"}"#)])
        clock.advance(by: .seconds(6950))
        #expect(try await tokens.accessToken() == first)
        let logs = self.logs
        #expect(await eventually { logs.text.contains("access token fetch failed") })
        #expect(try await tokens.accessToken() == first)
        #expect(host.tokenCalls == 2)
        clock.advance(by: .seconds(6))
        #expect(try await tokens.accessToken() == first)
        let tokens = self.tokens
        #expect(await eventually { (try? await tokens.accessToken()) != first })
        #expect(host.tokenCalls == 3)
    }

    @Test("an unreachable host is a transport error whose text hides the secret")
    func unreachableHost() async throws {
        let tokens = WeChatAccessTokenProvider(
            baseURL: try FakeHTTPServer.closedPortURL(), appID: FakeWeChatAPIHost.appID,
            appSecret: FakeWeChatAPIHost.appSecret, timeout: .seconds(2), clock: clock, logger: logs.logger("test.dead"))
        do {
            _ = try await tokens.accessToken()
            Issue.record("a closed port must fail")
        } catch {
            guard case .transport = error else { Issue.record("expected transport, got \(error)"); return }
            #expect(error.isRetryable)
            #expect(!error.description.contains(FakeWeChatAPIHost.appSecret))
        }
    }
}
