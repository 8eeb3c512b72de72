import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Net
import NIOCore
import Testing
import WeChat

@Suite("WeChat Pay notifications over HTTP")
struct PaymentNotificationTests {
    @Test("a notification whose Wechatpay-Timestamp is Int64.min or otherwise out of bounds answers 400, and the server keeps serving",
          arguments: ["-9223372036854775808", "-9223372036854775807", "9223372036854775807", "+1700000000", "123456789012"])
    func timestampOutOfBounds(timestamp: String) async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let sandbox = try #require(app.services.payments.sandbox)
            let notification = try sandbox.notification(for: .init(
                outTradeNo: "2026112710000012300001", transactionID: "4200000000", tradeState: "SUCCESS", amountTotalFen: 1,
                payerOpenID: "o", successTime: nil, mchID: "m", appID: "a"), now: Date())
            var headers = HTTPFields()
            for (name, value) in notification.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
            headers[HTTPField.Name(WeChatPayHeader.timestamp)!] = timestamp
            #expect(headers[HTTPField.Name(WeChatPayHeader.serial)!] == SandboxPayGateway.defaultSerial)
            let (status, body) = try await client.execute(uri: "/api/v1/payments/wechat/notify", method: .post, headers: headers,
                                                          body: ByteBuffer(string: notification.body)) {
                (Int($0.status.code), String(buffer: $0.body))
            }
            #expect(status == 400)
            #expect(body == #"{"code":"FAIL","message":"notification could not be decrypted or parsed"}"#)
            #expect(try await client.call(.get, "/healthz").status == 200)
        }
        await app.close()
    }
}
