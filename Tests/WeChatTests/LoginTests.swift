import Foundation
import Testing
import WeChat

@Suite("Sandbox login")
struct SandboxLoginTests {
    @Test("the same code always logs in the same sandbox user")
    func sameCodeSameUser() async throws {
        let client = SandboxLoginClient()
        let first = try await client.session(forCode: "code-123")
        let second = try await client.session(forCode: "code-123")
        #expect(first == second)
        #expect(first.unionID == nil)
    }

    @Test("the sandbox openid is sandbox_ plus the first 24 hex digits of SHA-256(code)")
    func openIDFormula() async throws {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        let session = try await SandboxLoginClient().session(forCode: "abc")
        #expect(session.openID == "sandbox_ba7816bf8f01cfea414140de")
        #expect(Data(base64Encoded: session.sessionKey)?.count == 16)
    }

    @Test("different codes log in different users with different session keys")
    func differentCodesDifferentUsers() async throws {
        let client = SandboxLoginClient()
        let alice = try await client.session(forCode: "alice")
        let bob = try await client.session(forCode: "bob")
        #expect(alice.openID != bob.openID)
        #expect(alice.sessionKey != bob.sessionKey)
    }

    @Test("an empty or oversized code is rejected as an invalid code")
    func emptyCodeRejected() async {
        let client = SandboxLoginClient()
        await #expect(throws: WeChatError.invalidCode(errcode: 40029, errmsg: "empty login code")) {
            try await client.session(forCode: "")
        }
        await #expect {
            try await client.session(forCode: String(repeating: "x", count: 10_000))
        } throws: { error in
            if case .invalidCode = error as? WeChatError { true } else { false }
        }
    }
}

/// A code2Session fake (reference section 8.1): checks appid, secret and
/// grant_type; codes are single-use; magic codes yield documented errcodes.
final class FakeCode2SessionHost: Sendable {
    static let appID = "wx0000000000000001"
    static let appSecret = "s3cr3t+&=/value"

    let server: FakeHTTPServer
    private let usedCodes = LockedState<Set<String>>([])
    private let callCount = LockedState(0)

    var calls: Int { callCount.withLock { $0 } }

    init() throws {
        let usedCodes = self.usedCodes
        let callCount = self.callCount
        server = try FakeHTTPServer { request in
            callCount.withLock { $0 += 1 }
            return Self.respond(to: request, usedCodes: usedCodes)
        }
    }

    deinit { server.shutdown() }

    private static func respond(to request: FakeRequest, usedCodes: LockedState<Set<String>>) -> FakeResponse {
        guard request.method == "GET", request.path == "/sns/jscode2session" else {
            return .json(#"{"errcode":404,"errmsg":"not found"}"#, status: 404)
        }
        let query = request.query
        guard query["appid"] == appID else { return .json(#"{"errcode":40013,"errmsg":"invalid appid"}"#) }
        guard query["secret"] == appSecret else { return .json(#"{"errcode":40125,"errmsg":"invalid appsecret"}"#) }
        guard query["grant_type"] == "authorization_code" else {
            return .json(#"{"errcode":40002,"errmsg":"invalid grant_type"}"#)
        }
        let code = query["js_code"] ?? ""
        switch code {
        case "rate-limited": return .json(#"{"errcode":45011,"errmsg":"api minute-quota reach limit rid: 1"}"#)
        case "busy": return .json(#"{"errcode":"-1","errmsg":"system error"}"#)  // errcode as a string
        case "risky": return .json(#"{"errcode":40226,"errmsg":"high risk user"}"#)
        case "credential": return .json(#"{"errcode":40001,"errmsg":"invalid credential"}"#)
        case "ip-not-allowed": return .json(#"{"errcode":40164,"errmsg":"invalid ip, not in whitelist"}"#)
        case "undocumented": return .json(#"{"errcode":"48001","errmsg":"api unauthorized"}"#)
        case "garbled": return .json("<html>gateway</html>")
        case "http-502": return .json(#"{"errcode":-1}"#, status: 502)
        case "huge-body": return .json(#"{"openid":"o1","session_key":"a2V5","x":"\#(String(repeating: "z", count: 100_000))"}"#)
        case "huge-errcode": return .json(#"{"errcode":1e300,"errmsg":"x"}"#)
        case "overflowing-errcode": return .json(#"{"errcode":92233720368547758070,"errmsg":"x"}"#)
        case "fractional-errcode": return .json(#"{"errcode":-1.5,"errmsg":"x"}"#)
        case "long-errmsg": return .json(#"{"errcode":40226,"errmsg":"\#(String(repeating: "m", count: 10_000))"}"#)
        case "long-openid": return .json(#"{"openid":"\#(String(repeating: "o", count: 10_000))","session_key":"a2V5"}"#)
        case "nul-openid": return .json(#"{"openid":"o\u0000x","session_key":"a2V5"}"#)
        case "odd-session-key": return .json(#"{"openid":"o1","session_key":"a2V5\n\u0000"}"#)
        case "odd-unionid": return .json(#"{"openid":"o1","session_key":"a2V5","unionid":"u 1"}"#)
        case _ where code.hasPrefix("good-"): break
        default: return .json(#"{"errcode":40029,"errmsg":"invalid code, rid: 2"}"#)
        }
        let isFirstUse = usedCodes.withLock { $0.insert(code).inserted }
        guard isFirstUse else { return .json(#"{"errcode":40163,"errmsg":"code been used"}"#) }
        let unionField = code.hasSuffix("-union") ? #","unionid":"union-1""# : ""
        return .json(#"{"openid":"openid-\#(code)","session_key":"a2V5a2V5a2V5a2V5a2V5aw=="\#(unionField)}"#)
    }
}

@Suite("code2Session over HTTP")
struct HTTPLoginClientTests {
    let host: FakeCode2SessionHost
    let client: HTTPLoginClient

    init() throws {
        host = try FakeCode2SessionHost()
        client = HTTPLoginClient(
            baseURL: host.server.baseURL + "/", appID: FakeCode2SessionHost.appID,
            appSecret: FakeCode2SessionHost.appSecret)
    }

    @Test("a valid code returns the user's openid and session key")
    func validCode() async throws {
        let session = try await client.session(forCode: "good-1")
        #expect(session == WeChatSession(openID: "openid-good-1", unionID: nil, sessionKey: "a2V5a2V5a2V5a2V5a2V5aw=="))
        let withUnion = try await client.session(forCode: "good-2-union")
        #expect(withUnion.unionID == "union-1")
    }

    @Test("an invalid code (40029) and a reused code (40163) are invalid codes, not retryable")
    func invalidAndReusedCode() async throws {
        await #expect(throws: WeChatError.invalidCode(errcode: 40029, errmsg: "invalid code, rid: 2")) {
            try await client.session(forCode: "nope")
        }
        _ = try await client.session(forCode: "good-once")
        do {
            _ = try await client.session(forCode: "good-once")
            Issue.record("a reused code must fail")
        } catch {
            #expect(error == .invalidCode(errcode: 40163, errmsg: "code been used"))
            #expect(!error.isRetryable)
        }
    }

    @Test("45011 is reported as rate limiting, not retryable at once")
    func rateLimited() async {
        do {
            _ = try await client.session(forCode: "rate-limited")
            Issue.record("a rate-limited login must fail")
        } catch {
            #expect(error == .rateLimited(errcode: 45011, errmsg: "api minute-quota reach limit rid: 1"))
            #expect(!error.isRetryable)
        }
    }

    @Test("a string errcode of -1 is parsed as system busy and marked retryable")
    func systemBusyAsString() async {
        do {
            _ = try await client.session(forCode: "busy")
            Issue.record("busy must fail")
        } catch {
            #expect(error == .systemBusy(errmsg: "system error"))
            #expect(error.isRetryable)
        }
    }

    @Test("a high-risk user (40226) is a refused login, not retryable")
    func loginRefused() async {
        do {
            _ = try await client.session(forCode: "risky")
            Issue.record("a high-risk user must be refused")
        } catch {
            #expect(error == .loginRefused(errmsg: "high risk user"))
            #expect(!error.isRetryable)
        }
    }

    @Test("a wrong AppSecret (40125) is a configuration error whose text hides the secret")
    func wrongSecret() async throws {
        let wrong = HTTPLoginClient(
            baseURL: host.server.baseURL, appID: FakeCode2SessionHost.appID, appSecret: "the-wrong-secret")
        do {
            _ = try await wrong.session(forCode: "good-3")
            Issue.record("a wrong secret must fail")
        } catch {
            #expect(error == .misconfigured(errcode: 40125, errmsg: "invalid appsecret"))
            #expect(!error.isRetryable)
            #expect(!error.description.contains("the-wrong-secret"))
        }
    }

    @Test("a wrong AppID (40013) is a configuration error")
    func wrongAppID() async {
        let wrong = HTTPLoginClient(
            baseURL: host.server.baseURL, appID: "wx0000000000000099", appSecret: FakeCode2SessionHost.appSecret)
        await #expect(throws: WeChatError.misconfigured(errcode: 40013, errmsg: "invalid appid")) {
            try await wrong.session(forCode: "good-4")
        }
    }

    @Test("40001 (credential) and 40164 (IP not allowed) are configuration errors; an undocumented errcode is upstream")
    func otherErrcodes() async {
        await #expect(throws: WeChatError.misconfigured(errcode: 40001, errmsg: "invalid credential")) {
            try await client.session(forCode: "credential")
        }
        await #expect(throws: WeChatError.misconfigured(errcode: 40164, errmsg: "invalid ip, not in whitelist")) {
            try await client.session(forCode: "ip-not-allowed")
        }
        await #expect(throws: WeChatError.upstream(errcode: 48001, errmsg: "api unauthorized")) {
            try await client.session(forCode: "undocumented")
        }
    }

    @Test("an oversized body or a non-200 status is a bad response, not a transport error")
    func oversizedOrNon200() async {
        await #expect(throws: WeChatError.badResponse("body larger than 65536 bytes")) {
            try await client.session(forCode: "huge-body")
        }
        await #expect(throws: WeChatError.badResponse("HTTP status 502")) {
            try await client.session(forCode: "http-502")
        }
    }

    @Test("a non-JSON answer is a bad response")
    func garbledAnswer() async {
        await #expect(throws: WeChatError.badResponse("body is not a JSON object")) {
            try await client.session(forCode: "garbled")
        }
    }

    @Test("an errcode that is no integer (huge, fractional, beyond Int) is a bad response, not a trap",
          arguments: ["huge-errcode", "overflowing-errcode", "fractional-errcode"])
    func errcodeOutOfRange(code: String) async {
        await #expect(throws: WeChatError.badResponse("errcode is not an integer")) {
            try await client.session(forCode: code)
        }
    }

    @Test("WeChat's errmsg is cut to 256 characters before it reaches an error or a log")
    func longErrmsgBounded() async {
        await #expect(throws: WeChatError.loginRefused(errmsg: String(repeating: "m", count: 256))) {
            try await client.session(forCode: "long-errmsg")
        }
    }

    @Test("an openid, unionid or session key unlike WeChat's is refused before it is stored",
          arguments: ["long-openid", "nul-openid", "odd-session-key", "odd-unionid"])
    func oddIdentifiersRefused(code: String) async {
        await #expect {
            try await client.session(forCode: code)
        } throws: { error in
            if case .badResponse = error as? WeChatError { true } else { false }
        }
    }

    @Test("an empty code is refused without calling WeChat")
    func emptyCodeNotSent() async {
        await #expect(throws: WeChatError.self) { try await client.session(forCode: "") }
        #expect(host.calls == 0)
    }

    @Test("an unreachable host is a transport error whose text hides the secret and code")
    func unreachableHost() async throws {
        let deadURL = try FakeHTTPServer.closedPortURL()
        let client = HTTPLoginClient(
            baseURL: deadURL, appID: FakeCode2SessionHost.appID, appSecret: FakeCode2SessionHost.appSecret,
            timeout: .seconds(2))
        do {
            _ = try await client.session(forCode: "good-secret-code")
            Issue.record("a closed port must fail")
        } catch {
            guard case .transport = error else { Issue.record("expected transport, got \(error)"); return }
            #expect(error.isRetryable)
            #expect(!error.description.contains(FakeCode2SessionHost.appSecret))
            #expect(!error.description.contains("good-secret-code"))
        }
    }
}
