import Foundation

/// A fake WeChat API host for the access token (reference 2.2) and
/// getPhoneNumber (section 3), following section 8.1. It runs on the test's
/// clock, so tokens expire when the test advances it:
///
/// - `POST /cgi-bin/stable_token` checks the JSON body (grant_type, appid,
///   secret, no force_refresh) and hands out the same token while it is valid;
///   within the last fifth of its life (at most 5 minutes) it issues a new one
///   and the old one stays valid until it expires.
/// - `POST /wxa/business/getuserphonenumber?access_token=` answers 40001 for
///   an unknown token, 42001 for an expired one, and the errcode a test chose
///   for a rejected one; only then does it look at the code.
/// - Phone codes are single-use; magic codes yield the documented errcodes.
final class FakeWeChatAPIHost: Sendable {
    static let appID = "wx0000000000000002"
    static let appSecret = "t0ken+s3cr3t&=/value"
    static let otherAppID = "wx9999999999999999"

    struct IssuedToken: Sendable {
        var expiresAt: TestClock.Instant
        var rejectionErrcode: Int?
    }

    struct State: Sendable {
        var lifetimeSeconds = 7200
        var tokens: [String: IssuedToken] = [:]
        var latestToken: String?
        var issuedCount = 0
        var tokenRequests: [FakeRequest] = []
        var phoneRequests: [FakeRequest] = []
        /// Answers the token endpoint gives, in order, before it issues tokens again.
        var scriptedTokenAnswers: [FakeResponse] = []
        var tokenDelayMs = 0
        /// When set, every phone call answers this errcode, whatever its token.
        var everyTokenRejection: Int?
        var usedPhoneCodes: Set<String> = []
    }

    let server: FakeHTTPServer
    let clock: TestClock
    private let state: LockedState<State>

    init(clock: TestClock) throws {
        let state = LockedState(State())
        self.state = state
        self.clock = clock
        server = try FakeHTTPServer { request in
            switch (request.method, request.path) {
            case ("POST", "/cgi-bin/stable_token"): FakeWeChatAPIHost.stableToken(request, state: state, now: clock.now)
            case ("POST", "/wxa/business/getuserphonenumber"): FakeWeChatAPIHost.phoneNumber(request, state: state, now: clock.now)
            default: .json(#"{"errcode":404,"errmsg":"not found"}"#, status: 404)
            }
        }
    }

    deinit { server.shutdown() }

    // MARK: - Test controls and observations

    var tokenCalls: Int { state.withLock { $0.tokenRequests.count } }
    var tokenRequests: [FakeRequest] { state.withLock { $0.tokenRequests } }
    var phoneCalls: Int { state.withLock { $0.phoneRequests.count } }
    /// The `access_token` of each phone call, in order.
    var phoneCallTokens: [String] { state.withLock { $0.phoneRequests.map { $0.query["access_token"] ?? "" } } }
    var latestToken: String? { state.withLock { $0.latestToken } }

    func setTokenLifetime(seconds: Int) { state.withLock { $0.lifetimeSeconds = seconds } }
    func setTokenDelay(ms: Int) { state.withLock { $0.tokenDelayMs = ms } }
    func scriptTokenAnswers(_ answers: [FakeResponse]) { state.withLock { $0.scriptedTokenAnswers = answers } }
    func rejectEveryToken(with errcode: Int?) { state.withLock { $0.everyTokenRejection = errcode } }

    /// Every token issued so far now answers `errcode` (40001: revoked, e.g.
    /// by a force refresh elsewhere; 40014: not a token; 42001: expired early);
    /// the next token request gets a new token.
    func rejectIssuedTokens(with errcode: Int) {
        state.withLock { state in
            for token in state.tokens.keys { state.tokens[token]?.rejectionErrcode = errcode }
        }
    }

    // MARK: - Endpoints

    private static func stableToken(_ request: FakeRequest, state: LockedState<State>, now: TestClock.Instant) -> FakeResponse {
        let delayMs = state.withLock { state in
            state.tokenRequests.append(request)
            return state.tokenDelayMs
        }
        if delayMs > 0 { Thread.sleep(forTimeInterval: Double(delayMs) / 1000) }
        guard request.headers["content-type"]?.hasPrefix("application/json") == true,
              let body = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: Any] else {
            return .json(#"{"errcode":47001,"errmsg":"data format error"}"#)
        }
        guard body["grant_type"] as? String == "client_credential" else {
            return .json(#"{"errcode":40002,"errmsg":"invalid grant_type"}"#)
        }
        guard body["appid"] as? String == appID else { return .json(#"{"errcode":40013,"errmsg":"invalid appid"}"#) }
        guard body["secret"] as? String == appSecret else {
            return .json(#"{"errcode":40125,"errmsg":"invalid appsecret, rid: 3"}"#)
        }
        // The client must never force a refresh: it is limited to 20 a day.
        guard (body["force_refresh"] as? Bool) != true else {
            return .json(#"{"errcode":45009,"errmsg":"reach max api daily quota limit"}"#)
        }
        return state.withLock { state in
            if !state.scriptedTokenAnswers.isEmpty { return state.scriptedTokenAnswers.removeFirst() }
            return issueOrReuseToken(&state, now: now)
        }
    }

    private static func issueOrReuseToken(_ state: inout State, now: TestClock.Instant) -> FakeResponse {
        let lifetime = Duration.seconds(state.lifetimeSeconds)
        let overlap = min(Duration.seconds(300), lifetime / 5)
        if let latest = state.latestToken, let issued = state.tokens[latest], issued.rejectionErrcode == nil,
           now.advanced(by: overlap) < issued.expiresAt {
            let remainingSeconds = now.duration(to: issued.expiresAt).components.seconds
            return .json(#"{"access_token":"\#(latest)","expires_in":\#(remainingSeconds)}"#)
        }
        state.issuedCount += 1
        let token = "ACCESS_TOKEN_\(state.issuedCount)_" + String(repeating: "x", count: 100)
        state.tokens[token] = IssuedToken(expiresAt: now.advanced(by: lifetime))
        state.latestToken = token
        return .json(#"{"access_token":"\#(token)","expires_in":\#(state.lifetimeSeconds)}"#)
    }

    private static func phoneNumber(_ request: FakeRequest, state: LockedState<State>, now: TestClock.Instant) -> FakeResponse {
        let tokenAnswer: FakeResponse? = state.withLock { state in
            state.phoneRequests.append(request)
            if let errcode = state.everyTokenRejection {
                return .json(#"{"errcode":\#(errcode),"errmsg":"invalid credential, access_token is invalid or not latest"}"#)
            }
            guard let token = request.query["access_token"], let issued = state.tokens[token] else {
                return .json(#"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest rid: 4"}"#)
            }
            if let errcode = issued.rejectionErrcode {
                return .json(#"{"errcode":\#(errcode),"errmsg":"access_token rejected"}"#)
            }
            guard now < issued.expiresAt else {
                return .json(#"{"errcode":42001,"errmsg":"access_token expired rid: 5"}"#)
            }
            return nil
        }
        if let tokenAnswer { return tokenAnswer }
        guard request.headers["content-type"]?.hasPrefix("application/json") == true,
              let body = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: Any],
              let code = body["code"] as? String else {
            return .json(#"{"errcode":47001,"errmsg":"data format error"}"#)
        }
        if let answer = magicPhoneAnswer(code) { return answer }
        guard code.hasPrefix("phone-") else { return .json(#"{"errcode":40029,"errmsg":"invalid code rid: 6"}"#) }
        let isFirstUse = state.withLock { $0.usedPhoneCodes.insert(code).inserted }
        guard isFirstUse else { return .json(#"{"errcode":40029,"errmsg":"invalid code rid: 7"}"#) }
        let digits = String(code.split(separator: "-").last ?? "")
        // WeChat's published example sends countryCode as a number; the field list says string.
        let countryCode = code.hasPrefix("phone-numeric-cc-") ? "86" : #""86""#
        return .json(phoneInfo(phone: digits, pure: digits, countryCode: countryCode, appID: appID))
    }

    static func phoneInfo(phone: String, pure: String, countryCode: String, appID: String) -> String {
        #"{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"\#(phone)","purePhoneNumber":"\#(pure)","# +
            #""countryCode":\#(countryCode),"watermark":{"timestamp":1637744274,"appid":"\#(appID)"}}}"#
    }

    private static func magicPhoneAnswer(_ code: String) -> FakeResponse? {
        switch code {
        case "foreign": .json(phoneInfo(phone: "+1 6502530000", pure: "6502530000", countryCode: #""1""#, appID: appID))
        case "other-app": .json(phoneInfo(phone: "13800138000", pure: "13800138000", countryCode: #""86""#, appID: otherAppID))
        case "no-watermark":
            .json(#"{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"138","purePhoneNumber":"138","countryCode":"86"}}"#)
        case "no-phone-info": .json(#"{"errcode":0,"errmsg":"ok"}"#)
        case "odd-phone": .json(phoneInfo(phone: "138<b>", pure: "138", countryCode: #""86""#, appID: appID))
        case "odd-pure-phone": .json(phoneInfo(phone: "138", pure: "+86138", countryCode: #""86""#, appID: appID))
        case "odd-country": .json(phoneInfo(phone: "138", pure: "138", countryCode: #""86a""#, appID: appID))
        case "fractional-country": .json(phoneInfo(phone: "138", pure: "138", countryCode: "8.6", appID: appID))
        case "busy": .json(#"{"errcode":"-1","errmsg":"system error"}"#)  // errcode as a string (section 0)
        case "daily-quota": .json(#"{"errcode":45009,"errmsg":"reach max api daily quota limit"}"#)
        case "minute-quota": .json(#"{"errcode":45011,"errmsg":"api minute-quota reach limit"}"#)
        case "bad-appid": .json(#"{"errcode":40013,"errmsg":"invalid appid"}"#)
        case "ip-not-allowed": .json(#"{"errcode":40164,"errmsg":"invalid ip, not in whitelist"}"#)
        case "undocumented": .json(#"{"errcode":"48001","errmsg":"api unauthorized"}"#)
        case "garbled": .json("<html>gateway</html>")
        case "http-502": .json(#"{"errcode":-1}"#, status: 502)
        case "huge": .json(#"{"errcode":0,"errmsg":"\#(String(repeating: "z", count: 100_000))"}"#)
        default: nil
        }
    }
}
