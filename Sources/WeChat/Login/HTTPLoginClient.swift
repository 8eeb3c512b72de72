import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

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
        let status: Int
        let body: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: .init(timeout), logger: logger)
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: Self.responseBytesMax)
        } catch {
            // Error text may embed the URL, and the URL holds the secret and the code.
            throw .transport(Redaction.redact(String(describing: error), secrets: [appSecret, code]))
        }
        guard status == 200 else { throw .badResponse("HTTP status \(status)") }
        let session = try Self.parse(Data(body.readableBytesView))
        logger.debug("code2Session succeeded", metadata: ["openid": "\(session.openID)"])
        return session
    }

    /// Parses a code2Session body. errcode may be a number or a numeric string
    /// (section 0); absent or 0 means success.
    static func parse(_ body: Data) throws(WeChatError) -> WeChatSession {
        guard let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw .badResponse("body is not a JSON object")
        }
        let errcode: Int
        if let value = json["errcode"] {
            guard let parsed = LenientJSON.int(value) else { throw .badResponse("errcode is not an integer") }
            errcode = parsed
        } else {
            errcode = 0
        }
        // errmsg reaches logs and error descriptions: cut it to a bounded length.
        let errmsg = String((json["errmsg"] as? String ?? "").prefix(Self.errmsgCharactersMax))
        switch errcode {
        case 0: break
        case 40029, 40163: throw .invalidCode(errcode: errcode, errmsg: errmsg)
        case 45011: throw .rateLimited
        default: throw .upstream(errcode: errcode, errmsg: errmsg)
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
    static let errmsgCharactersMax = 256

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

enum LenientJSON {
    /// An integer sent as a JSON number or as a numeric string; nil for
    /// anything else, including numbers with a fraction or beyond `Int`
    /// (`NSNumber.intValue` would truncate or wrap those).
    static func int(_ value: Any?) -> Int? {
        switch value {
        case let text as String: return Int(text.trimmingCharacters(in: .whitespaces))
        // Exact below 2^53, which covers every errcode WeChat documents.
        case let number as NSNumber: return Int(exactly: number.doubleValue)
        default: return nil
        }
    }
}

enum Redaction {
    static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where !secret.isEmpty {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return result
    }
}

enum BaseURL {
    /// Drops trailing slashes so paths can be appended with a leading "/".
    static func normalized(_ url: String) -> String {
        var result = url
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }

    /// RFC 3986 unreserved characters pass; everything else is percent-encoded,
    /// so a code or secret with `&`, `=` or `+` cannot change the query.
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )

    static func query(_ items: [(String, String)]) -> String {
        return items.map { name, value in
            let encoded = value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
            return name + "=" + encoded
        }.joined(separator: "&")
    }
}
