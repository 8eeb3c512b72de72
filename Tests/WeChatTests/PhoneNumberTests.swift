import Foundation
import Logging
import Testing
import WeChat

@Suite("getPhoneNumber over HTTP")
struct HTTPPhoneNumberClientTests {
    let clock = TestClock()
    let host: FakeWeChatAPIHost
    let logs = CapturedLogs()
    let tokens: WeChatAccessTokenProvider<TestClock>
    let client: HTTPPhoneNumberClient

    init() throws {
        host = try FakeWeChatAPIHost(clock: clock)
        tokens = AccessTokenProviderTests.provider(host: host, clock: clock, logger: logs.logger("test.wechat.token"))
        client = HTTPPhoneNumberClient(
            baseURL: host.server.baseURL + "/", appID: FakeWeChatAPIHost.appID, accessTokens: tokens,
            timeout: .seconds(5), logger: logs.logger("test.wechat.phone"))
    }

    @Test("a phone code returns the user's number; the call carries the token in the query and the code in JSON")
    func validCode() async throws {
        let phone = try await client.phoneNumber(forCode: "phone-13800138000")
        #expect(phone == WeChatPhoneNumber(phoneNumber: "13800138000", purePhoneNumber: "13800138000", countryCode: "86"))
        #expect(host.phoneCallTokens == [try #require(host.latestToken)])
        #expect(host.phoneCalls == 1)
        #expect(host.tokenCalls == 1)
    }

    @Test("countryCode sent as a number is accepted; a foreign number keeps its country code")
    func countryCodeForms() async throws {
        let numeric = try await client.phoneNumber(forCode: "phone-numeric-cc-13900139000")
        #expect(numeric.countryCode == "86")
        let foreign = try await client.phoneNumber(forCode: "foreign")
        #expect(foreign == WeChatPhoneNumber(phoneNumber: "+1 6502530000", purePhoneNumber: "6502530000", countryCode: "1"))
        #expect(host.tokenCalls == 1)
    }

    @Test("a token WeChat rejects is dropped, a new one fetched and the call retried once",
          arguments: [40001, 40014, 42001])
    func rejectedTokenRetriedOnce(errcode: Int) async throws {
        let old = try await tokens.accessToken()
        host.rejectIssuedTokens(with: errcode)
        let phone = try await client.phoneNumber(forCode: "phone-13700137000")
        #expect(phone.purePhoneNumber == "13700137000")
        let fresh = try #require(host.latestToken)
        #expect(fresh != old)
        #expect(host.phoneCallTokens == [old, fresh])
        #expect(host.tokenCalls == 2)
    }

    @Test("a rejection of the fresh token too is an error after two calls, not a loop")
    func secondRejectionSurfaces() async throws {
        host.rejectEveryToken(with: 40001)
        do {
            _ = try await client.phoneNumber(forCode: "phone-13600136000")
            Issue.record("a token rejected twice must fail")
        } catch {
            #expect(error == .accessTokenRejected(
                errcode: 40001, errmsg: "invalid credential, access_token is invalid or not latest"))
            #expect(!error.isRetryable)
        }
        #expect(host.phoneCalls == 2)
        #expect(host.tokenCalls == 2)
    }

    @Test("concurrent calls that all see a rejected token share one new token")
    func concurrentRejectionsShareOneRefresh() async throws {
        let old = try await tokens.accessToken()
        host.rejectIssuedTokens(with: 40001)
        host.setTokenDelay(ms: 200)
        let client = self.client
        let numbers = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask { try await client.phoneNumber(forCode: "phone-1380000000\(index)").purePhoneNumber }
            }
            var numbers: [String] = []
            for try await number in group { numbers.append(number) }
            return numbers
        }
        #expect(numbers.count == 8)
        #expect(host.tokenCalls == 2)
        #expect(Set(host.phoneCallTokens) == [old, try #require(host.latestToken)])
    }

    @Test("an answer watermarked for another AppID is refused")
    func watermarkMismatch() async {
        await #expect(throws: WeChatError.watermarkMismatch(appID: FakeWeChatAPIHost.otherAppID)) {
            try await client.phoneNumber(forCode: "other-app")
        }
    }

    static let errcodeCases: [(String, WeChatError)] = [
        ("unknown-code", .invalidCode(errcode: 40029, errmsg: "invalid code rid: 6")),
        ("busy", .systemBusy(errmsg: "system error")),
        ("daily-quota", .rateLimited(errcode: 45009, errmsg: "reach max api daily quota limit")),
        ("minute-quota", .rateLimited(errcode: 45011, errmsg: "api minute-quota reach limit")),
        ("bad-appid", .misconfigured(errcode: 40013, errmsg: "invalid appid")),
        ("ip-not-allowed", .misconfigured(errcode: 40164, errmsg: "invalid ip, not in whitelist")),
        ("undocumented", .upstream(errcode: 48001, errmsg: "api unauthorized")),
    ]

    @Test("each documented errcode maps to its error, with no retry", arguments: HTTPPhoneNumberClientTests.errcodeCases)
    func errcodeMapped(code: String, expected: WeChatError) async {
        await #expect(throws: expected) { try await client.phoneNumber(forCode: code) }
        #expect(host.phoneCalls == 1)
        #expect(expected.isRetryable == (code == "busy"))
    }

    @Test("a used phone code is an invalid code")
    func usedCode() async throws {
        _ = try await client.phoneNumber(forCode: "phone-13500135000")
        await #expect(throws: WeChatError.invalidCode(errcode: 40029, errmsg: "invalid code rid: 7")) {
            try await client.phoneNumber(forCode: "phone-13500135000")
        }
    }

    static let malformedCases: [(String, String)] = [
        ("garbled", "body is not a JSON object"),
        ("http-502", "HTTP status 502"),
        ("huge", "body larger than 65536 bytes"),
        ("no-phone-info", "missing phone_info"),
        ("no-watermark", "missing phone_info.watermark.appid"),
        ("odd-phone", "phoneNumber is not 1 to 32 of 0-9 + - space with a digit"),
        ("odd-pure-phone", "purePhoneNumber is not 1 to 20 digits"),
        ("odd-country", "countryCode is not 1 to 4 digits"),
        ("fractional-country", "countryCode is not 1 to 4 digits"),
    ]

    @Test("an oversized, malformed or odd answer is a bad response, never a trap",
          arguments: HTTPPhoneNumberClientTests.malformedCases)
    func malformedAnswer(code: String, reason: String) async {
        await #expect(throws: WeChatError.badResponse(reason)) { try await client.phoneNumber(forCode: code) }
    }

    @Test("when no token can be fetched, WeChat never sees the phone code")
    func tokenFailureStopsCall() async {
        let wrongTokens = AccessTokenProviderTests.provider(host: host, clock: clock, appSecret: "wrong-secret")
        let client = HTTPPhoneNumberClient(
            baseURL: host.server.baseURL, appID: FakeWeChatAPIHost.appID, accessTokens: wrongTokens)
        await #expect(throws: WeChatError.misconfigured(errcode: 40125, errmsg: "invalid appsecret, rid: 3")) {
            try await client.phoneNumber(forCode: "phone-13400134000")
        }
        #expect(host.phoneCalls == 0)
    }

    @Test("an empty or oversized phone code is refused without calling WeChat")
    func badCodeNotSent() async {
        await #expect(throws: WeChatError.invalidCode(errcode: 40029, errmsg: "empty phone code")) {
            try await client.phoneNumber(forCode: "")
        }
        await #expect(throws: WeChatError.invalidCode(errcode: 40029, errmsg: "phone code longer than 256 bytes")) {
            try await client.phoneNumber(forCode: String(repeating: "c", count: 257))
        }
        #expect(host.tokenCalls == 0)
        #expect(host.phoneCalls == 0)
    }

    @Test("an unreachable host is a transport error whose text hides the token and the code")
    func unreachableHost() async throws {
        let token = try await tokens.accessToken()
        let client = HTTPPhoneNumberClient(
            baseURL: try FakeHTTPServer.closedPortURL(), appID: FakeWeChatAPIHost.appID, accessTokens: tokens,
            timeout: .seconds(2), logger: logs.logger("test.dead"))
        do {
            _ = try await client.phoneNumber(forCode: "phone-secret-code")
            Issue.record("a closed port must fail")
        } catch {
            guard case .transport = error else { Issue.record("expected transport, got \(error)"); return }
            #expect(!error.description.contains(token))
            #expect(!error.description.contains("phone-secret-code"))
        }
    }

    @Test("tokens, phone codes and the secret never reach the logs")
    func nothingSecretLogged() async throws {
        let old = try await tokens.accessToken()
        host.rejectIssuedTokens(with: 40001)
        _ = try await client.phoneNumber(forCode: "phone-13300133000")
        let fresh = try #require(host.latestToken)
        let text = logs.text
        #expect(text.contains("access token rejected"))
        for secret in [old, fresh, "phone-13300133000", FakeWeChatAPIHost.appSecret] { #expect(!text.contains(secret)) }
    }
}

@Suite("Sandbox phone number")
struct SandboxPhoneNumberTests {
    @Test("sandbox-phone-<digits> yields that mainland number, the same every time")
    func spelledOutNumber() async throws {
        let client = SandboxPhoneNumberClient()
        let phone = try await client.phoneNumber(forCode: "sandbox-phone-13800138000")
        #expect(phone == WeChatPhoneNumber(phoneNumber: "13800138000", purePhoneNumber: "13800138000", countryCode: "86"))
        #expect(try await client.phoneNumber(forCode: "sandbox-phone-13800138000") == phone)
    }

    @Test("any other code is an invalid code whose message shows the form",
          arguments: ["13800138000", "sandbox-phone-1234", "sandbox-phone-1380013800a", "sandbox-phone-", "", "sandbox-phone-1234567890123456"])
    func otherCodesRefused(code: String) async {
        let error = await #expect(throws: WeChatError.self) {
            try await SandboxPhoneNumberClient().phoneNumber(forCode: code)
        }
        guard case .invalidCode(40029, let errmsg) = error else { Issue.record("expected 40029, got \(String(describing: error))"); return }
        #expect(code.isEmpty || errmsg.contains("sandbox-phone-13800138000"))
    }
}
