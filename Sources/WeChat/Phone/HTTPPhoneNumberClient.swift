import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// `getPhoneNumber` over HTTP: `POST {base}/wxa/business/getuserphonenumber?access_token=…`
/// with `{"code": "…"}` (reference section 3).
///
/// When WeChat rejects the access token (40001/40014/42001) the client drops
/// it, fetches a new one and retries once (section 0): a rejected token is
/// refused before the code is looked at, so the code is still unused. Other
/// failures are not retried: after a transport error the code may be spent.
public struct HTTPPhoneNumberClient: WeChatPhoneNumberClient {
    /// A phone answer is a few hundred bytes; more is not WeChat.
    static let responseBytesMax = 64 * 1024
    /// E.164 allows 15 digits; room for `+`, spaces and dashes.
    static let phoneNumberCharactersMax = 32
    static let purePhoneNumberDigitsMax = 20
    static let countryCodeDigitsMax = 4
    /// AppIDs are 18 characters; a longer watermark is cut before it reaches an error.
    static let watermarkAppIDCharactersMax = 64

    let baseURL: String
    let appID: String
    let accessTokens: any WeChatAccessTokenSource
    let httpClient: HTTPClient
    let timeout: Duration
    let logger: Logger

    /// - Parameters:
    ///   - appID: the mini-program's AppID; answers watermarked for another are refused.
    ///   - accessTokens: the deployment's one token holder for this AppID.
    public init(
        baseURL: String = "https://api.weixin.qq.com",
        appID: String,
        accessTokens: any WeChatAccessTokenSource,
        httpClient: HTTPClient = .shared,
        timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "wechat.phone")
    ) {
        precondition(!appID.isEmpty, "HTTPPhoneNumberClient needs a non-empty appID")
        self.baseURL = BaseURL.normalized(baseURL)
        self.appID = appID
        self.accessTokens = accessTokens
        self.httpClient = httpClient
        self.timeout = timeout
        self.logger = logger
    }

    public func phoneNumber(forCode code: String) async throws(WeChatError) -> WeChatPhoneNumber {
        try PhoneCode.validate(code)
        return try await accessTokens.withAccessToken { (token: String) async throws(WeChatError) in
            try await call(code: code, token: token)
        }
    }

    struct Body: Encodable {
        var code: String
    }

    func call(code: String, token: String) async throws(WeChatError) -> AccessTokenOutcome<WeChatPhoneNumber> {
        let query = BaseURL.query([("access_token", token)])
        var request = HTTPClientRequest(url: baseURL + "/wxa/business/getuserphonenumber?" + query)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(try WeChatAPICall.jsonBody(Body(code: code)))
        let answer = try await WeChatAPICall.perform(
            request, httpClient: httpClient, timeout: timeout, responseBytesMax: Self.responseBytesMax,
            redacting: [token, code], logger: logger)
        if AccessTokenErrcode.isRejection(answer.errcode) {
            logger.notice("access token rejected", metadata: ["errcode": "\(answer.errcode)", "errmsg": "\(answer.errmsg)"])
            return .tokenRejected(errcode: answer.errcode, errmsg: answer.errmsg)
        }
        return .answered(try Self.phoneNumber(from: answer, appID: appID))
    }

    /// Maps the errcodes of section 3 and checks `phone_info`, its watermark first.
    static func phoneNumber(from answer: WeChatAPIAnswer, appID: String) throws(WeChatError) -> WeChatPhoneNumber {
        switch answer.errcode {
        case 0: break
        case 40029: throw .invalidCode(errcode: answer.errcode, errmsg: answer.errmsg)
        case WeChatError.errcodeSystemBusy: throw .systemBusy(errmsg: answer.errmsg)
        case 45009, 45011: throw .rateLimited(errcode: answer.errcode, errmsg: answer.errmsg)
        case 40013, 40164: throw .misconfigured(errcode: answer.errcode, errmsg: answer.errmsg)
        default: throw .upstream(errcode: answer.errcode, errmsg: answer.errmsg)
        }
        guard let info = answer.json["phone_info"] as? [String: Any] else { throw .badResponse("missing phone_info") }
        guard let watermark = info["watermark"] as? [String: Any], let watermarkAppID = watermark["appid"] as? String else {
            throw .badResponse("missing phone_info.watermark.appid")
        }
        guard watermarkAppID == appID else {
            throw .watermarkMismatch(appID: String(watermarkAppID.prefix(watermarkAppIDCharactersMax)))
        }
        guard let phoneNumber = info["phoneNumber"] as? String, isPhoneNumber(phoneNumber) else {
            throw .badResponse("phoneNumber is not 1 to \(phoneNumberCharactersMax) of 0-9 + - space with a digit")
        }
        guard let pureNumber = info["purePhoneNumber"] as? String, isDigits(pureNumber, countMax: purePhoneNumberDigitsMax) else {
            throw .badResponse("purePhoneNumber is not 1 to \(purePhoneNumberDigitsMax) digits")
        }
        guard let countryCode = countryCode(info["countryCode"]) else {
            throw .badResponse("countryCode is not 1 to \(countryCodeDigitsMax) digits")
        }
        return WeChatPhoneNumber(phoneNumber: phoneNumber, purePhoneNumber: pureNumber, countryCode: countryCode)
    }

    /// Documented as a string, shown as a number in WeChat's own example:
    /// both are accepted (section 3).
    static func countryCode(_ value: Any?) -> String? {
        if let text = value as? String { return isDigits(text, countMax: countryCodeDigitsMax) ? text : nil }
        guard let number = LenientJSON.int(value), number >= 0 else { return nil }
        let text = String(number)
        return isDigits(text, countMax: countryCodeDigitsMax) ? text : nil
    }

    static func isDigits(_ text: String, countMax: Int) -> Bool {
        (1...countMax).contains(text.utf8.count) && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Phone numbers are stored and shown to shop staff: only digits and the
    /// separators WeChat uses for foreign numbers pass.
    static func isPhoneNumber(_ text: String) -> Bool {
        guard (1...phoneNumberCharactersMax).contains(text.utf8.count) else { return false }
        var hasDigit = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): hasDigit = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: " "): continue
            default: return false
            }
        }
        return hasDigit
    }
}
