import Foundation
import _CryptoExtras

/// Stands in for WeChat Pay on local runs with no merchant configured: it holds
/// an RSA-2048 "platform" key pair and an APIv3 key and builds notifications
/// exactly as WeChat Pay would (section 5.6), so sandbox payments take the same
/// verify-and-decrypt path as production (`verifier`).
///
/// Persist `platformPrivateKeyPEM`, `apiV3Key` and `serial` in the data
/// directory so notifications stay verifiable across restarts.
public struct SandboxPayGateway: Sendable {
    public static let defaultSerial = "PUB_KEY_ID_0000SANDBOX"

    public let serial: String
    public let apiV3Key: String
    let platformPrivateKey: _RSA.Signing.PrivateKey
    /// Verifies what `notification(for:now:)` produces.
    public let verifier: WeChatPayNotificationVerifier

    public init(platformPrivateKeyPEM: String, apiV3Key: String, serial: String = defaultSerial) throws(WeChatPayError) {
        let key = try RSAKeys.privateKey(pem: platformPrivateKeyPEM, role: "sandbox platform private key")
        try self.init(platformPrivateKey: key, apiV3Key: apiV3Key, serial: serial)
    }

    init(platformPrivateKey: _RSA.Signing.PrivateKey, apiV3Key: String, serial: String) throws(WeChatPayError) {
        var keys = WeChatPayPlatformKeys()
        try keys.insert(platformPrivateKey.publicKey, serial: serial)
        self.platformPrivateKey = platformPrivateKey
        self.apiV3Key = apiV3Key
        self.serial = serial
        self.verifier = try WeChatPayNotificationVerifier(platformKeys: keys, apiV3Key: apiV3Key)
    }

    /// A fresh RSA-2048 platform key and a random 32-character APIv3 key.
    /// Key generation takes tens of milliseconds: do it once and persist.
    public static func generate(serial: String = defaultSerial) throws(WeChatPayError) -> SandboxPayGateway {
        let key: _RSA.Signing.PrivateKey
        do { key = try _RSA.Signing.PrivateKey(keySize: .bits2048) } catch {
            throw .invalidKey("RSA-2048 key generation failed")
        }
        return try SandboxPayGateway(platformPrivateKey: key, apiV3Key: WeChatPayNonce.make(length: 32), serial: serial)
    }

    /// PKCS#8 PEM (`BEGIN PRIVATE KEY`) of the platform private key.
    public var platformPrivateKeyPEM: String { platformPrivateKey.pkcs8PEMRepresentation }
    /// SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`), the public-key-mode format.
    public var platformPublicKeyPEM: String { platformPrivateKey.publicKey.pemRepresentation }

    /// A `TRANSACTION.SUCCESS` notification for `transaction`, encrypted with
    /// the APIv3 key (AAD `transaction`, random 12-character nonce) and signed
    /// with the platform key over `timestamp\nnonce\nbody\n`.
    public func notification(for transaction: PaymentTransaction, now: Date) throws(WeChatPayError) -> PayNotification {
        let plaintext = try Self.encodeJSON(TransactionJSON(transaction))
        let cipher = try WeChatPayResourceCipher(apiV3Key: apiV3Key)
        let resourceNonce = WeChatPayNonce.make(length: WeChatPayResourceCipher.nonceBytes)
        let envelope = NotificationEnvelope(
            id: "EV-" + WeChatPayNonce.make(length: 24),
            create_time: Self.rfc3339Beijing(now),
            resource_type: "encrypt-resource",
            event_type: "TRANSACTION.SUCCESS",
            summary: "支付成功",
            resource: .init(
                original_type: "transaction", algorithm: "AEAD_AES_256_GCM",
                ciphertext: try cipher.encrypt(plaintext, nonce: resourceNonce, associatedData: "transaction"),
                associated_data: "transaction", nonce: resourceNonce))
        let body = String(decoding: try Self.encodeJSON(envelope), as: UTF8.self)
        return PayNotification(headers: try signedHeaders(body: body, now: now), body: body)
    }

    /// The five `Wechatpay-*` headers of section 5.3 for `body`, as WeChat Pay
    /// sends them on callbacks and responses.
    public func signedHeaders(body: String, now: Date) throws(WeChatPayError) -> [String: String] {
        let timestamp = String(Int64(now.timeIntervalSince1970.rounded(.down)))
        let nonce = WeChatPayNonce.make(length: 32)
        let message = Data("\(timestamp)\n\(nonce)\n\(body)\n".utf8)
        let signature: _RSA.Signing.RSASignature
        do { signature = try platformPrivateKey.signature(for: message, padding: .insecurePKCS1v1_5) } catch {
            throw .invalidKey("sandbox platform key cannot sign")
        }
        return [
            WeChatPayHeader.timestamp: timestamp,
            WeChatPayHeader.nonce: nonce,
            WeChatPayHeader.signature: signature.rawRepresentation.base64EncodedString(),
            WeChatPayHeader.serial: serial,
            WeChatPayHeader.signatureType: WeChatPaySigner.scheme,
        ]
    }

    /// A unique transaction id for sandbox payments (`SANDBOX` + 24 digits).
    public static func makeTransactionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "SANDBOX" + (0..<24).map { _ in String(generator.next(upperBound: UInt8(10))) }.joined()
    }

    static func encodeJSON(_ value: some Encodable) throws(WeChatPayError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        do { return try encoder.encode(value) } catch { throw .malformed("JSON encoding failed") }
    }

    /// RFC 3339 in Beijing time, as WeChat Pay writes times: `2024-01-01T12:00:01+08:00`.
    static func rfc3339Beijing(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        return formatter.string(from: date)
    }
}
