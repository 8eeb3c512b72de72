import Foundation
import Logging
import Testing
import WeChat

/// A WeChat Pay fake for the prepay path (reference section 8.1): verifies the
/// merchant's Authorization header with the merchant public key, keeps orders
/// by out_trade_no, and signs every response with its platform key.
final class FakeWeChatPayHost: Sendable {
    static let mchID = "1900000001"
    static let appID = "wx0000000000000001"
    static let merchantSerial = "3775B6A45ACD588826D15E583A95F5DD********"

    struct State {
        var seenNonces: Set<String> = []
        var ordersByOutTradeNo: [String: String] = [:]  // out_trade_no -> canonical params
        var prepayCount = 0
        var requests: [FakeRequest] = []
        /// Fault switches.
        var signsWithWrongKey = false
        var responseClockOffsetSeconds: TimeInterval = 0
        var failsWithSystemError = false
    }

    let server: FakeHTTPServer
    let platform: SandboxPayGateway
    let state: LockedState<State>

    init(platform: SandboxPayGateway, impostor: SandboxPayGateway) throws {
        let state = LockedState(State())
        self.state = state
        self.platform = platform
        server = try FakeHTTPServer { request in
            let switches = state.withLock { state in
                state.requests.append(request)
                return (state.signsWithWrongKey, state.responseClockOffsetSeconds)
            }
            let response = Self.handle(request, state: state)
            let signer = switches.0 ? impostor : platform
            return Self.signed(response, by: signer, serial: platform.serial, now: Date().addingTimeInterval(switches.1))
        }
    }

    deinit { server.shutdown() }

    var requests: [FakeRequest] { state.withLock { $0.requests } }

    func update(_ body: (inout State) -> Void) { state.withLock { body(&$0) } }

    private static func signed(_ response: FakeResponse, by signer: SandboxPayGateway, serial: String, now: Date) -> FakeResponse {
        var response = response
        guard var headers = try? signer.signedHeaders(body: response.body, now: now) else { return FakeResponse(status: 500) }
        headers["Wechatpay-Serial"] = serial
        headers["Request-ID"] = "08F78BB5AF0610D302100800-0"
        response.headers.merge(headers) { _, new in new }
        return response
    }

    private static func error(_ status: Int, _ code: String, _ message: String) -> FakeResponse {
        .json(#"{"code":"\#(code)","message":"\#(message)"}"#, status: status)
    }

    private static func handle(_ request: FakeRequest, state: LockedState<State>) -> FakeResponse {
        if let failure = checkAuthorization(request, state: state) { return failure }
        if state.withLock({ $0.failsWithSystemError }) { return error(500, "SYSTEM_ERROR", "system error") }
        guard request.method == "POST", request.target == "/v3/pay/transactions/jsapi" else {
            return error(404, "RESOURCE_NOT_EXISTS", "no such resource")
        }
        guard request.headers["content-type"] == "application/json",
            let json = try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any],
            let outTradeNo = json["out_trade_no"] as? String,
            let amount = json["amount"] as? [String: Any], amount["total"] is Int, amount["currency"] as? String == "CNY",
            let payer = json["payer"] as? [String: Any], payer["openid"] is String,
            json["description"] is String, json["notify_url"] is String
        else { return error(400, "PARAM_ERROR", "missing field") }
        guard json["appid"] as? String == appID, json["mchid"] as? String == mchID else {
            return error(400, "APPID_MCHID_NOT_MATCH", "appid and mchid do not match")
        }
        let canonical = String(decoding: (try? JSONSerialization.data(withJSONObject: json, options: .sortedKeys)) ?? Data(), as: UTF8.self)
        return state.withLock { state in
            if let existing = state.ordersByOutTradeNo[outTradeNo], existing != canonical {
                return error(400, "INVALID_REQUEST", "out_trade_no used with different parameters")
            }
            state.ordersByOutTradeNo[outTradeNo] = canonical
            state.prepayCount += 1
            return .json(#"{"prepay_id":"wx\#(outTradeNo)\#(state.prepayCount)"}"#)
        }
    }

    /// Section 5.2 as a server checks it; any failure is 401 SIGN_ERROR.
    private static func checkAuthorization(_ request: FakeRequest, state: LockedState<State>) -> FakeResponse? {
        let signError = error(401, "SIGN_ERROR", "signature verification failed")
        guard let header = request.headers["authorization"], let parsed = parseAuthorization(header),
            parsed.scheme == "WECHATPAY2-SHA256-RSA2048",
            parsed.fields["mchid"] == mchID, parsed.fields["serial_no"] == merchantSerial,
            let timestamp = parsed.fields["timestamp"].flatMap({ TimeInterval($0) }),
            abs(Date().timeIntervalSince1970 - timestamp) < 300,
            let nonce = parsed.fields["nonce_str"], !nonce.isEmpty, nonce.count <= 32,
            let signature = parsed.fields["signature"]
        else { return signError }
        let isFresh = state.withLock { $0.seenNonces.insert(nonce).inserted }
        guard isFresh else { return signError }
        let message = "\(request.method)\n\(request.target)\n\(parsed.fields["timestamp"] ?? "")\n\(nonce)\n\(request.body)\n"
        let isValid = (try? isValidRSASignature(signature, message: message, publicKeyPEM: TestKeys.merchantPublicKeyPEM)) ?? false
        return isValid ? nil : signError
    }
}

@Suite("WeChat Pay JSAPI prepay")
struct WeChatPayClientTests {
    let host: FakeWeChatPayHost
    let client: WeChatPayClient

    static let order = JSAPIPrepayRequest(
        description: "Mall order T20240101000001", outTradeNo: "T20240101000001",
        notifyURL: "https://mall.example.com/api/v1/payments/wechat/notify", amountTotalFen: 1_999,
        payerOpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", timeExpire: "2024-01-01T12:30:00+08:00")

    init() throws {
        let platform = try TestGateways.primary.get()
        host = try FakeWeChatPayHost(platform: platform, impostor: try TestGateways.other.get())
        client = try Self.makeClient(host: host, merchantKeyPEM: TestKeys.merchantPrivateKeyPEM)
    }

    static func makeClient(host: FakeWeChatPayHost, merchantKeyPEM: String) throws -> WeChatPayClient {
        let signer = try WeChatPaySigner(
            mchID: FakeWeChatPayHost.mchID, serialNumber: FakeWeChatPayHost.merchantSerial, privateKeyPEM: merchantKeyPEM)
        let keys = try WeChatPayPlatformKeys(serial: host.platform.serial, publicKeyPEM: host.platform.platformPublicKeyPEM)
        return WeChatPayClient(
            baseURL: host.server.baseURL, appID: FakeWeChatPayHost.appID, signer: signer, platformKeys: keys,
            logger: Logger(label: "test.wechat.pay") { _ in SwiftLogNoOpLogHandler() })
    }

    @Test("prepay sends a correctly signed request and returns the verified prepay_id")
    func prepaySucceeds() async throws {
        let prepayID = try await client.prepay(Self.order)
        #expect(prepayID == "wxT202401010000011")
        let request = try #require(host.requests.first)
        #expect(request.headers["wechatpay-serial"] == host.platform.serial)
        #expect(request.headers["accept"] == "application/json")
        #expect(request.headers["user-agent"] != nil)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        #expect(body["time_expire"] as? String == "2024-01-01T12:30:00+08:00")
        #expect((body["amount"] as? [String: Any])?["total"] as? Int == 1_999)
    }

    @Test("repeating a prepay with identical parameters gives a fresh prepay_id; changed parameters are refused")
    func prepayIdempotency() async throws {
        let first = try await client.prepay(Self.order)
        let second = try await client.prepay(Self.order)
        #expect(first != second)
        var changed = Self.order
        changed.amountTotalFen = 1
        await #expect(throws: WeChatPayError.api(status: 400, code: "INVALID_REQUEST", message: "out_trade_no used with different parameters")) {
            try await client.prepay(changed)
        }
    }

    @Test("a request signed with the wrong merchant key gets SIGN_ERROR, which is not retryable")
    func wrongMerchantKey() async throws {
        let impostorKey = try TestGateways.other.get().platformPrivateKeyPEM
        let badClient = try Self.makeClient(host: host, merchantKeyPEM: impostorKey)
        do {
            _ = try await badClient.prepay(Self.order)
            Issue.record("a wrongly signed request must fail")
        } catch {
            #expect(error == .api(status: 401, code: "SIGN_ERROR", message: "signature verification failed"))
            #expect(!error.isRetryable)
        }
    }

    @Test("a 2xx response signed by the wrong key is not trusted")
    func forgedResponseRejected() async {
        host.update { $0.signsWithWrongKey = true }
        await #expect(throws: WeChatPayError.badSignature) { try await client.prepay(Self.order) }
    }

    @Test("a 2xx response with a timestamp 10 minutes old is not trusted")
    func staleResponseRejected() async {
        host.update { $0.responseClockOffsetSeconds = -600 }
        await #expect(throws: WeChatPayError.staleTimestamp) { try await client.prepay(Self.order) }
    }

    @Test("a 500 SYSTEM_ERROR is reported as retryable")
    func systemErrorRetryable() async {
        host.update { $0.failsWithSystemError = true }
        do {
            _ = try await client.prepay(Self.order)
            Issue.record("SYSTEM_ERROR must fail")
        } catch {
            #expect(error == .api(status: 500, code: "SYSTEM_ERROR", message: "system error"))
            #expect(error.isRetryable)
        }
    }

    @Test("an order breaking the section 5.4 rules is refused before anything is sent")
    func invalidOrderNotSent() async {
        var order = Self.order
        order.outTradeNo = "T1"
        await #expect(throws: WeChatPayError.invalidRequest("out_trade_no must be 6-32 characters of letters, digits, _ - * |")) {
            try await client.prepay(order)
        }
        order = Self.order
        order.notifyURL = "https://mall.example.com/notify?x=1"
        await #expect(throws: WeChatPayError.self) { try await client.prepay(order) }
        #expect(host.requests.isEmpty)
    }

    @Test("wx.requestPayment parameters carry a paySign that verifies with the merchant public key")
    func requestPaymentParameters() throws {
        let parameters = try client.requestPaymentParameters(
            prepayID: "wx201410272009395522657a690389285100", timestamp: Date(timeIntervalSince1970: 1_554_208_460),
            nonce: "593BEC0C930BF1AFEB40B4A08C8FB242")
        #expect(parameters.timeStamp == "1554208460")
        #expect(parameters.package == "prepay_id=wx201410272009395522657a690389285100")
        #expect(parameters.signType == "RSA")
        let message = "\(FakeWeChatPayHost.appID)\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\nprepay_id=wx201410272009395522657a690389285100\n"
        #expect(try isValidRSASignature(parameters.paySign, message: message, publicKeyPEM: TestKeys.merchantPublicKeyPEM))
        let fresh = try client.requestPaymentParameters(prepayID: "wx1")
        #expect(fresh.nonceStr.count == 32)
    }
}
