import Foundation
import _CryptoExtras

/// Signs WeChat Pay v3 requests and `paySign` with the merchant API private key
/// (reference sections 5.2 and 5.5): SHA256withRSA, PKCS#1 v1.5, base64.
///
/// PKCS#1 v1.5 is deterministic, so the same key and message always give the
/// same signature (test vectors in section 8.3 rely on that).
public struct WeChatPaySigner: Sendable {
    public static let scheme = "WECHATPAY2-SHA256-RSA2048"

    public let mchID: String
    /// Serial number of the merchant API certificate (`serial_no`).
    public let serialNumber: String
    let privateKey: _RSA.Signing.PrivateKey

    /// - Parameter privateKeyPEM: the merchant API private key, PKCS#8
    ///   (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`), 2048 bits or more.
    public init(mchID: String, serialNumber: String, privateKeyPEM: String) throws(WeChatPayError) {
        guard !mchID.isEmpty, !serialNumber.isEmpty else { throw .invalidKey("mchid and serial_no must not be empty") }
        self.mchID = mchID
        self.serialNumber = serialNumber
        self.privateKey = try RSAKeys.privateKey(pem: privateKeyPEM, role: "merchant private key")
    }

    /// The five-line message of section 5.2, each line ending in `\n`.
    public static func requestMessage(
        method: String, pathWithQuery: String, timestamp: Int64, nonce: String, body: String
    ) -> String {
        "\(method)\n\(pathWithQuery)\n\(timestamp)\n\(nonce)\n\(body)\n"
    }

    /// The `paySign` message of section 5.5: `appId\ntimeStamp\nnonceStr\npackage\n`.
    public static func paySignMessage(appID: String, timeStamp: String, nonceStr: String, package: String) -> String {
        "\(appID)\n\(timeStamp)\n\(nonceStr)\n\(package)\n"
    }

    /// base64(SHA256withRSA(private key, UTF-8 message)).
    public func signature(for message: String) throws(WeChatPayError) -> String {
        do {
            let signature = try privateKey.signature(for: Data(message.utf8), padding: .insecurePKCS1v1_5)
            return signature.rawRepresentation.base64EncodedString()
        } catch {
            throw .invalidKey("merchant private key cannot sign")
        }
    }

    /// The `Authorization` header value for one request (section 5.2).
    ///
    /// - Parameters:
    ///   - pathWithQuery: absolute path plus `?query` exactly as sent, no scheme or host.
    ///   - body: the exact body sent; `""` for GET.
    public func authorization(
        method: String, pathWithQuery: String, timestamp: Int64, nonce: String, body: String
    ) throws(WeChatPayError) -> String {
        let message = Self.requestMessage(
            method: method, pathWithQuery: pathWithQuery, timestamp: timestamp, nonce: nonce, body: body)
        let signature = try signature(for: message)
        return "\(Self.scheme) mchid=\"\(mchID)\",nonce_str=\"\(nonce)\",signature=\"\(signature)\","
            + "timestamp=\"\(timestamp)\",serial_no=\"\(serialNumber)\""
    }
}

/// Random strings for nonces and ids: letters and digits from the system CSPRNG.
public enum WeChatPayNonce {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// - Parameter length: 32 for request and paySign nonces (the SDKs' choice,
    ///   and the `nonceStr` maximum); 12 for AES-GCM resource nonces.
    public static func make(length: Int = 32) -> String {
        precondition(length > 0 && length <= 1024, "nonce length must be in 1...1024, got \(length)")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}

enum RSAKeys {
    static let keySizeInBitsMin = 2048

    static func privateKey(pem: String, role: String) throws(WeChatPayError) -> _RSA.Signing.PrivateKey {
        let key: _RSA.Signing.PrivateKey
        do { key = try _RSA.Signing.PrivateKey(pemRepresentation: pem) } catch {
            throw .invalidKey("\(role) is not an RSA private key PEM of at least \(keySizeInBitsMin) bits")
        }
        return key
    }

    static func publicKey(pem: String, role: String) throws(WeChatPayError) -> _RSA.Signing.PublicKey {
        do { return try _RSA.Signing.PublicKey(pemRepresentation: pem) } catch {
            throw .invalidKey("\(role) is not an RSA public key PEM of at least \(keySizeInBitsMin) bits")
        }
    }
}
