import Foundation
import _CryptoExtras

/// WeChat Pay verification keys by serial (reference sections 5.1 and 5.3).
///
/// Holds public-key-mode keys (`PUB_KEY_ID_...`) and platform-certificate keys
/// (uppercase hex serial) side by side, because during migration WeChat Pay
/// may sign with either.
public struct WeChatPayPlatformKeys: Sendable {
    /// WeChat rotates keys one at a time; a handful covers any overlap.
    /// Adding beyond this is refused rather than growing without bound.
    public static let countMax = 16
    /// Section 5.3: reject when |now − timestamp| is 5 minutes or more.
    public static let timestampSkewSecondsMax: Int64 = 300
    /// Prefix of the deliberately mis-signed probes WeChat Pay sends (section 5.3).
    public static let probeSignaturePrefix = "WECHATPAY/SIGNTEST/"
    /// `Wechatpay-Timestamp` is Unix seconds: 11 digits reach the year 5138, so
    /// anything longer is not a timestamp, and every value parsed fits `Int64`
    /// with room to subtract (DESIGN invariant 10: a header never traps).
    public static let timestampDigitsMax = 11

    var keysBySerial: [String: _RSA.Signing.PublicKey] = [:]

    public init() {}

    /// One public-key-mode key.
    public init(serial: String, publicKeyPEM: String) throws(WeChatPayError) {
        try add(serial: serial, publicKeyPEM: publicKeyPEM)
    }

    /// The serials held, sorted.
    public var serials: [String] { keysBySerial.keys.sorted() }

    /// Adds (or replaces) the key for `serial`, e.g. `PUB_KEY_ID_0114...` with
    /// the PEM public key downloaded from the merchant console.
    public mutating func add(serial: String, publicKeyPEM: String) throws(WeChatPayError) {
        let key = try RSAKeys.publicKey(pem: publicKeyPEM, role: "platform public key \(serial)")
        try insert(key, serial: serial)
    }

    /// Adds the key of a platform certificate (certificate mode, section 5.11),
    /// using the certificate's own serial number, in uppercase hex.
    ///
    /// - Returns: the serial the key was stored under.
    @discardableResult
    public mutating func add(certificatePEM: String) throws(WeChatPayError) -> String {
        let parts = try CertificateReader.read(pem: certificatePEM)
        let key: _RSA.Signing.PublicKey
        do { key = try _RSA.Signing.PublicKey(derRepresentation: parts.subjectPublicKeyInfoDER) } catch {
            throw .invalidKey("platform certificate does not hold an RSA key of at least 2048 bits")
        }
        try insert(key, serial: parts.serialHex)
        return parts.serialHex
    }

    mutating func insert(_ key: _RSA.Signing.PublicKey, serial: String) throws(WeChatPayError) {
        guard !serial.isEmpty else { throw .invalidKey("platform key serial must not be empty") }
        guard keysBySerial[serial] != nil || keysBySerial.count < Self.countMax else {
            throw .invalidKey("more than \(Self.countMax) platform keys")
        }
        keysBySerial[serial] = key
    }

    /// Verifies a WeChat Pay response or callback signature (section 5.3):
    /// message `timestamp\nnonce\nbody\n`, PKCS#1 v1.5 SHA-256, key chosen by `serial`.
    ///
    /// - Parameter body: the body exactly as received (`""` for an empty body).
    public func verify(
        timestamp: String, nonce: String, signature: String, serial: String, body: String, now: Date
    ) throws(WeChatPayError) {
        guard let key = keysBySerial[serial] else { throw .unknownSerial }
        guard let seconds = Self.timestampSeconds(timestamp) else {
            throw .malformed("Wechatpay-Timestamp is not Unix seconds (1 to \(Self.timestampDigitsMax) digits)")
        }
        guard Self.isFresh(seconds, now: now) else { throw .staleTimestamp }
        guard !nonce.isEmpty else { throw .malformed("Wechatpay-Nonce is empty") }
        guard !signature.hasPrefix(Self.probeSignaturePrefix), let signatureBytes = Data(base64Encoded: signature)
        else { throw .badSignature }
        let message = Data("\(timestamp)\n\(nonce)\n\(body)\n".utf8)
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
        guard key.isValidSignature(rsaSignature, for: message, padding: .insecurePKCS1v1_5) else { throw .badSignature }
    }

    /// Unix seconds from 1 to `timestampDigitsMax` ASCII digits: no sign, space
    /// or other numeral (`Int64("+5")` and `Int64("-9223372036854775808")` parse).
    static func timestampSeconds(_ text: String) -> Int64? {
        let digits = text.utf8
        guard (1...timestampDigitsMax).contains(digits.count),
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }

    /// |now − seconds| < `timestampSkewSecondsMax`, decided without arithmetic
    /// that can overflow: a clock outside `Int64` seconds is never fresh.
    static func isFresh(_ seconds: Int64, now: Date) -> Bool {
        guard let nowSeconds = Int64(exactly: now.timeIntervalSince1970.rounded(.down)) else { return false }
        let (skewSeconds, overflow) = nowSeconds.subtractingReportingOverflow(seconds)
        return !overflow && skewSeconds.magnitude < timestampSkewSecondsMax.magnitude
    }
}
