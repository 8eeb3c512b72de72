import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// A token and how long WeChat said it lives, counted from the request.
struct AccessTokenGrant: Sendable, Equatable {
    var token: String
    var lifetime: Duration
}

/// `POST {base}/cgi-bin/stable_token` with `force_refresh: false`
/// (section 2.2): the reference prefers it to `GET /cgi-bin/token` because it
/// hands every caller the same token while it is valid, so two instances of
/// the server (or a deploy overlapping the old one) do not knock each other's
/// tokens out. `force_refresh` is never sent: it is limited to 20 a day and
/// meant for a leaked token, an operator's decision.
struct StableAccessTokenFetcher: Sendable {
    /// A token answer is a few hundred bytes.
    static let responseBytesMax = 64 * 1024
    /// WeChat asks to store at least 512 characters; four times that is not a token.
    static let tokenBytesMax = 2048
    /// Section 2.2 documents `expires_in` ≤ 7200. A larger value is clamped,
    /// not refused: refreshing early is harmless, refusing would stop every call.
    static let lifetimeSecondsMax = 7200

    let baseURL: String
    let appID: String
    let appSecret: String
    let httpClient: HTTPClient
    let timeout: Duration
    let logger: Logger

    struct Body: Encodable {
        var grant_type = "client_credential"
        var appid: String
        var secret: String
        var force_refresh = false
    }

    func fetch() async -> Result<AccessTokenGrant, WeChatError> {
        do throws(WeChatError) {
            var request = HTTPClientRequest(url: baseURL + "/cgi-bin/stable_token")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(try WeChatAPICall.jsonBody(Body(appid: appID, secret: appSecret)))
            let answer = try await WeChatAPICall.perform(
                request, httpClient: httpClient, timeout: timeout, responseBytesMax: Self.responseBytesMax,
                redacting: [appSecret], logger: logger)
            return .success(try Self.grant(from: answer))
        } catch {
            return .failure(error)
        }
    }

    /// Maps the errcodes of sections 2.1 and 2.2. Here 40001 means a wrong
    /// AppSecret (no token is involved), like 40125.
    static func grant(from answer: WeChatAPIAnswer) throws(WeChatError) -> AccessTokenGrant {
        switch answer.errcode {
        case 0: break
        case WeChatError.errcodeSystemBusy: throw .systemBusy(errmsg: answer.errmsg)
        case 40001, 40013, 40125, 40164: throw .misconfigured(errcode: answer.errcode, errmsg: answer.errmsg)
        case 45009, 45011: throw .rateLimited(errcode: answer.errcode, errmsg: answer.errmsg)
        default: throw .upstream(errcode: answer.errcode, errmsg: answer.errmsg)
        }
        guard let token = answer.json["access_token"] as? String, !token.isEmpty else {
            throw .badResponse("missing access_token")
        }
        // The token goes into URLs and logs are kept free of it: refuse
        // anything but a bounded run of visible ASCII.
        guard token.utf8.count <= tokenBytesMax, token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .badResponse("access_token is not 1 to \(tokenBytesMax) visible ASCII characters")
        }
        guard let seconds = LenientJSON.int(answer.json["expires_in"]), seconds > 0 else {
            throw .badResponse("expires_in is not a positive integer")
        }
        return AccessTokenGrant(token: token, lifetime: .seconds(min(seconds, lifetimeSecondsMax)))
    }
}
