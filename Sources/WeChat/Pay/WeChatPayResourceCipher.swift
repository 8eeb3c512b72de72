import Crypto
import Foundation

/// AEAD_AES_256_GCM as WeChat Pay uses it for notification resources and
/// platform certificates (reference sections 5.6 and 5.11): key = the 32 bytes
/// of the APIv3 key, IV = the 12 bytes of `nonce`, AAD = `associated_data`,
/// `ciphertext` = base64(ciphertext ‖ 16-byte tag).
public struct WeChatPayResourceCipher: Sendable {
    public static let keyBytes = 32
    public static let nonceBytes = 12
    static let tagBytes = 16
    /// Notifications are a few KB; refuse to base64-decode megabytes.
    public static let ciphertextBase64BytesMax = 256 * 1024

    let key: SymmetricKey

    public init(apiV3Key: String) throws(WeChatPayError) {
        let bytes = Data(apiV3Key.utf8)
        guard bytes.count == Self.keyBytes else {
            throw .invalidKey("APIv3 key must be \(Self.keyBytes) bytes, got \(bytes.count)")
        }
        key = SymmetricKey(data: bytes)
    }

    public func decrypt(ciphertext: String, nonce: String, associatedData: String) throws(WeChatPayError) -> Data {
        guard ciphertext.utf8.count <= Self.ciphertextBase64BytesMax else { throw .malformed("ciphertext too large") }
        guard let combined = Data(base64Encoded: ciphertext), combined.count >= Self.tagBytes else {
            throw .malformed("ciphertext is not base64 of at least \(Self.tagBytes) bytes")
        }
        let nonceData = Data(nonce.utf8)
        guard nonceData.count == Self.nonceBytes else { throw .malformed("nonce must be \(Self.nonceBytes) bytes") }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: try AES.GCM.Nonce(data: nonceData),
                ciphertext: combined.prefix(combined.count - Self.tagBytes),
                tag: combined.suffix(Self.tagBytes))
            return try AES.GCM.open(box, using: key, authenticating: Data(associatedData.utf8))
        } catch {
            throw .decryptFailed
        }
    }

    /// The inverse of `decrypt`, for sandboxes and fakes.
    public func encrypt(_ plaintext: Data, nonce: String, associatedData: String) throws(WeChatPayError) -> String {
        let nonceData = Data(nonce.utf8)
        guard nonceData.count == Self.nonceBytes else { throw .malformed("nonce must be \(Self.nonceBytes) bytes") }
        do {
            let box = try AES.GCM.seal(
                plaintext, using: key, nonce: try AES.GCM.Nonce(data: nonceData),
                authenticating: Data(associatedData.utf8))
            return (box.ciphertext + box.tag).base64EncodedString()
        } catch {
            throw .malformed("AES-GCM sealing failed")
        }
    }
}
