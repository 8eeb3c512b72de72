import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// WeChat Pay API v3 client for a direct merchant (reference section 5):
/// signs every request (5.2), verifies every 2xx response (5.3) and maps
/// `{"code","message"}` errors (5.10). Point `baseURL` at a fake on 127.0.0.1
/// in tests: nothing signed covers the host.
///
/// Does not retry: a retry must reuse the same `out_trade_no`, which only the
/// caller knows is safe (see `WeChatPayError.isRetryable`).
public struct WeChatPayClient: Sendable {
    /// Prepay answers are tiny; error bodies are small JSON.
    static let responseBytesMax = 256 * 1024
    static let userAgent = "mall-wechat/1.0"

    let baseURL: String
    let appID: String
    let signer: WeChatPaySigner
    let platformKeys: WeChatPayPlatformKeys
    let httpClient: HTTPClient
    let timeout: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    /// - Parameters:
    ///   - baseURL: the WeChat Pay API host; no trailing path.
    ///   - platformKeys: the keys that sign WeChat Pay's responses.
    ///   - now: the clock for request timestamps and the response timestamp check.
    public init(
        baseURL: String = "https://api.mch.weixin.qq.com",
        appID: String,
        signer: WeChatPaySigner,
        platformKeys: WeChatPayPlatformKeys,
        httpClient: HTTPClient = .shared,
        timeout: Duration = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "wechat.pay")
    ) {
        precondition(!appID.isEmpty, "WeChatPayClient needs a non-empty appID")
        self.baseURL = BaseURL.normalized(baseURL)
        self.appID = appID
        self.signer = signer
        self.platformKeys = platformKeys
        self.httpClient = httpClient
        self.timeout = timeout
        self.now = now
        self.logger = logger
    }

    /// `POST /v3/pay/transactions/jsapi` (section 5.4).
    ///
    /// - Returns: the `prepay_id`, valid for 2 hours. Calling again with the same
    ///   `outTradeNo` and identical parameters returns a fresh one for the same order.
    public func prepay(_ request: JSAPIPrepayRequest) async throws(WeChatPayError) -> String {
        try request.validate()
        let body = try SandboxPayGateway.encodeJSON(JSAPIPrepayBody(request, appID: appID, mchID: signer.mchID))
        let response = try await send(method: "POST", pathWithQuery: "/v3/pay/transactions/jsapi", body: body)
        struct PrepayResponse: Decodable { var prepay_id: String }
        guard let decoded = try? JSONDecoder().decode(PrepayResponse.self, from: response.body),
            !decoded.prepay_id.isEmpty
        else { throw .malformed("prepay response has no prepay_id") }
        return decoded.prepay_id
    }

    /// The `wx.requestPayment` parameters for `prepayID` (section 5.5), signed
    /// with the merchant key over `appId\ntimeStamp\nnonceStr\npackage\n`.
    public func requestPaymentParameters(
        prepayID: String, timestamp: Date? = nil, nonce: String? = nil
    ) throws(WeChatPayError) -> RequestPaymentParameters {
        guard !prepayID.isEmpty else { throw .invalidRequest("prepay_id must not be empty") }
        let nonceStr = nonce ?? WeChatPayNonce.make(length: 32)
        guard (1...32).contains(nonceStr.count) else { throw .invalidRequest("nonceStr must be 1-32 characters") }
        let timeStamp = String(Self.unixSeconds(timestamp ?? now()))
        let package = "prepay_id=" + prepayID
        let message = WeChatPaySigner.paySignMessage(
            appID: appID, timeStamp: timeStamp, nonceStr: nonceStr, package: package)
        return RequestPaymentParameters(
            timeStamp: timeStamp, nonceStr: nonceStr, package: package, signType: "RSA",
            paySign: try signer.signature(for: message))
    }

    struct Response {
        var status: Int
        var body: Data
    }

    /// Sends one signed request; returns only verified 2xx responses.
    func send(method: String, pathWithQuery: String, body: Data) async throws(WeChatPayError) -> Response {
        let bodyText = String(decoding: body, as: UTF8.self)
        let authorization = try signer.authorization(
            method: method, pathWithQuery: pathWithQuery, timestamp: Self.unixSeconds(now()),
            nonce: WeChatPayNonce.make(length: 32), body: bodyText)
        var request = HTTPClientRequest(url: baseURL + pathWithQuery)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        if let publicKeyID = platformKeys.serials.first(where: { $0.hasPrefix("PUB_KEY_ID_") }) {
            request.headers.add(name: WeChatPayHeader.serial, value: publicKeyID)
        }
        if !body.isEmpty {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let headers: HTTPHeaders
        let responseBody: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: .init(timeout), logger: logger)
            status = Int(response.status.code)
            headers = response.headers
            responseBody = try await response.body.collect(upTo: Self.responseBytesMax)
        } catch {
            throw .transport(String(describing: error))
        }
        let text = String(buffer: responseBody)
        let requestID = headers.first(name: WeChatPayHeader.requestID) ?? ""
        guard (200..<300).contains(status) else { throw Self.apiError(status: status, body: text, requestID: requestID, logger: logger) }
        try verify(headers: headers, body: text)
        return Response(status: status, body: Data(text.utf8))
    }

    func verify(headers: HTTPHeaders, body: String) throws(WeChatPayError) {
        func required(_ name: String) throws(WeChatPayError) -> String {
            guard let value = headers.first(name: name), !value.isEmpty else { throw .malformed("missing header \(name)") }
            return value
        }
        try platformKeys.verify(
            timestamp: try required(WeChatPayHeader.timestamp), nonce: try required(WeChatPayHeader.nonce),
            signature: try required(WeChatPayHeader.signature), serial: try required(WeChatPayHeader.serial),
            body: body, now: now())
    }

    /// 4xx/5xx bodies are not signed (section 5.3): they are error information
    /// only, never trusted as a result.
    static func apiError(status: Int, body: String, requestID: String, logger: Logger) -> WeChatPayError {
        struct ErrorBody: Decodable {
            var code: String
            var message: String?
        }
        let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.utf8))
        let error = WeChatPayError.api(
            status: status, code: decoded?.code ?? "HTTP_\(status)", message: decoded?.message ?? "")
        logger.warning("WeChat Pay call failed", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
        return error
    }

    static func unixSeconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
}
