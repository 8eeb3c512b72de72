import Foundation
import Testing
import WeChat
import _CryptoExtras

/// Splits `WECHATPAY2-SHA256-RSA2048 k="v",...` into its pairs, in any order
/// (section 5.2: SDKs order them differently).
func parseAuthorization(_ header: String) -> (scheme: String, fields: [String: String])? {
    guard let space = header.firstIndex(of: " ") else { return nil }
    var fields: [String: String] = [:]
    for pair in header[header.index(after: space)...].split(separator: ",") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, parts[1].hasPrefix("\""), parts[1].hasSuffix("\""), parts[1].count >= 2 else { return nil }
        fields[String(parts[0]).trimmingCharacters(in: .whitespaces)] = String(parts[1].dropFirst().dropLast())
    }
    return (String(header[..<space]), fields)
}

func isValidRSASignature(_ base64: String, message: String, publicKeyPEM: String) throws -> Bool {
    let key = try _RSA.Signing.PublicKey(pemRepresentation: publicKeyPEM)
    let signature = _RSA.Signing.RSASignature(rawRepresentation: try #require(Data(base64Encoded: base64)))
    return key.isValidSignature(signature, for: Data(message.utf8), padding: .insecurePKCS1v1_5)
}

@Suite("WeChat Pay request signing")
struct WeChatPaySignerTests {
    let signer: WeChatPaySigner

    init() throws {
        signer = try WeChatPaySigner(
            mchID: "1900000001", serialNumber: "MERCHANT_SERIAL_1", privateKeyPEM: TestKeys.merchantPrivateKeyPEM)
    }

    @Test("the request message matches the section 8.3 vector for POST and GET")
    func requestMessageVector() {
        #expect(
            WeChatPaySigner.requestMessage(
                method: "POST", pathWithQuery: "/v3/pay/transactions/jsapi", timestamp: 1_700_000_000, nonce: "NONCE",
                body: "{}") == "POST\n/v3/pay/transactions/jsapi\n1700000000\nNONCE\n{}\n")
        #expect(
            WeChatPaySigner.requestMessage(
                method: "GET", pathWithQuery: "/v3/pay/transactions/out-trade-no/T1?mchid=1900000001",
                timestamp: 1_700_000_000, nonce: "NONCE", body: "")
                .hasSuffix("\nNONCE\n\n"))
    }

    @Test("the paySign message matches the section 8.3 vector")
    func paySignMessageVector() {
        let message = WeChatPaySigner.paySignMessage(
            appID: "wx2421b1c4370ec43b", timeStamp: "1554208460", nonceStr: "593BEC0C930BF1AFEB40B4A08C8FB242",
            package: "prepay_id=wx201410272009395522657a690389285100")
        #expect(
            message
                == "wx2421b1c4370ec43b\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\nprepay_id=wx201410272009395522657a690389285100\n"
        )
    }

    @Test("signatures are byte-identical to Python cryptography's for the same key and message")
    func signaturesMatchPython() throws {
        let request = WeChatPaySigner.requestMessage(
            method: "POST", pathWithQuery: "/v3/pay/transactions/jsapi", timestamp: 1_700_000_000, nonce: "NONCE",
            body: "{}")
        #expect(try signer.signature(for: request) == TestKeys.requestVectorSignature)
        let paySign = WeChatPaySigner.paySignMessage(
            appID: "wx2421b1c4370ec43b", timeStamp: "1554208460", nonceStr: "593BEC0C930BF1AFEB40B4A08C8FB242",
            package: "prepay_id=wx201410272009395522657a690389285100")
        #expect(try signer.signature(for: paySign) == TestKeys.paySignVectorSignature)
    }

    @Test("the Authorization header carries all five fields and verifies with the merchant public key")
    func authorizationVerifies() throws {
        let body = #"{"mchid":"1900000001"}"#
        let header = try signer.authorization(
            method: "POST", pathWithQuery: "/v3/pay/transactions/out-trade-no/T1/close", timestamp: 1_700_000_123,
            nonce: "N0NCE", body: body)
        let parsed = try #require(parseAuthorization(header))
        #expect(parsed.scheme == "WECHATPAY2-SHA256-RSA2048")
        #expect(parsed.fields["mchid"] == "1900000001")
        #expect(parsed.fields["serial_no"] == "MERCHANT_SERIAL_1")
        #expect(parsed.fields["timestamp"] == "1700000123")
        #expect(parsed.fields["nonce_str"] == "N0NCE")
        let signature = try #require(parsed.fields["signature"])
        let message = "POST\n/v3/pay/transactions/out-trade-no/T1/close\n1700000123\nN0NCE\n\(body)\n"
        #expect(try isValidRSASignature(signature, message: message, publicKeyPEM: TestKeys.merchantPublicKeyPEM))
        #expect(!(try isValidRSASignature(signature, message: message + " ", publicKeyPEM: TestKeys.merchantPublicKeyPEM)))
    }

    @Test("a PEM that is not an RSA private key is refused without echoing it")
    func badPEMRefused() {
        #expect {
            try WeChatPaySigner(mchID: "1", serialNumber: "S", privateKeyPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n")
        } throws: { error in
            guard case .invalidKey(let reason) = error as? WeChatPayError else { return false }
            return !reason.contains("AAAA")
        }
    }

    @Test("nonces are 32 letters and digits and do not repeat")
    func nonces() {
        let first = WeChatPayNonce.make()
        #expect(first.count == 32)
        #expect(first.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(first != WeChatPayNonce.make())
    }
}
