import AsyncHTTPClient
import Logging

/// `code2Session` over HTTP: `GET {base}/sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code`
/// (reference sections 0 and 1). Point `baseURL` at a fake on 127.0.0.1 in tests.
///
/// Does not retry: codes are single-use, so a retry after an unknown outcome
/// may answer 40163; the caller decides (see `WeChatError.isRetryable`).
public struct HTTPLoginClient: WeChatLoginClient {
    /// A code2Session answer is a few hundred bytes; more is not WeChat.
    static let responseBytesMax = 64 * 1024

    let baseURL: String
    let appID: String
    let appSecret: String
    let httpClient: HTTPClient
    let timeout: Duration
    let logger: Logger

    public init(
        baseURL: String = "https://api.weixin.qq.com",
        appID: String,
        appSecret: String,
        httpClient: HTTPClient = .shared,
        timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "wechat.login")
    ) {
        precondition(!appID.isEmpty && !appSecret.isEmpty, "HTTPLoginClient needs a non-empty appID and appSecret")
        self.baseURL = BaseURL.normalized(baseURL)
        self.appID = appID
        self.appSecret = appSecret
        self.httpClient = httpClient
        self.timeout = timeout
        self.logger = logger
    }

    public func session(forCode code: String) async throws(WeChatError) -> WeChatSession {
        try LoginCode.validate(code)
        let query = BaseURL.query([
            ("appid", appID), ("secret", appSecret), ("js_code", code), ("grant_type", "authorization_code"),
        ])
        let request = HTTPClientRequest(url: baseURL + "/sns/jscode2session?" + query)
        // Error text may embed the URL, and the URL holds the secret and the code.
        let answer = try await WeChatAPICall.perform(
            request, httpClient: httpClient, timeout: timeout, responseBytesMax: Self.responseBytesMax,
            redacting: [appSecret, code], logger: logger)
        let session = try Self.session(from: answer)
        logger.debug("code2Session succeeded", metadata: ["openid": "\(session.openID)"])
        return session
    }

    /// Maps the errcodes of section 1; 40001/40013/40125/40164 mean the
    /// AppID, AppSecret or server IP is wrong (section 2.1): no access token
    /// is involved here, so 40001 cannot be a stale token.
    static func session(from answer: WeChatAPIAnswer) throws(WeChatError) -> WeChatSession {
        let json = answer.json
        switch answer.errcode {
        case 0: break
        case 40029, 40163: throw .invalidCode(errcode: answer.errcode, errmsg: answer.errmsg)
        case WeChatError.errcodeLoginRefused: throw .loginRefused(errmsg: answer.errmsg)
        case 45009, 45011: throw .rateLimited(errcode: answer.errcode, errmsg: answer.errmsg)
        case WeChatError.errcodeSystemBusy: throw .systemBusy(errmsg: answer.errmsg)
        case 40001, 40013, 40125, 40164: throw .misconfigured(errcode: answer.errcode, errmsg: answer.errmsg)
        default: throw .upstream(errcode: answer.errcode, errmsg: answer.errmsg)
        }
        guard let openID = json["openid"] as? String, !openID.isEmpty else { throw .badResponse("missing openid") }
        guard isIdentifier(openID) else { throw .badResponse("openid is not 1 to \(identifierCharactersMax) of A-Z a-z 0-9 - _") }
        guard let sessionKey = json["session_key"] as? String, !sessionKey.isEmpty else {
            throw .badResponse("missing session_key")
        }
        guard sessionKey.utf8.count <= sessionKeyBytesMax, sessionKey.utf8.allSatisfy(isBase64) else {
            throw .badResponse("session_key is not base64 of at most \(sessionKeyBytesMax) characters")
        }
        let unionID = (json["unionid"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        if let unionID, !isIdentifier(unionID) {
            throw .badResponse("unionid is not 1 to \(identifierCharactersMax) of A-Z a-z 0-9 - _")
        }
        return WeChatSession(openID: openID, unionID: unionID, sessionKey: sessionKey)
    }

    /// openid and unionid are 28 characters of URL-safe base64 today; they are
    /// stored, journaled and archived, so anything unlike one is refused here.
    static let identifierCharactersMax = 128
    /// A session key is base64 of 16 bytes (24 characters).
    static let sessionKeyBytesMax = 128

    static func isIdentifier(_ text: String) -> Bool {
        (1...identifierCharactersMax).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
            default: false
            }
        }
    }

    static func isBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): true
        default: false
        }
    }
}
