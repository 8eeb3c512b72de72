import Foundation

/// Verifies and decrypts WeChat Pay notifications (reference sections 5.3 and 5.6):
/// signature with the platform key named by `Wechatpay-Serial`, timestamp within
/// 5 minutes of `now`, then AES-256-GCM decryption of `resource` with the APIv3 key.
///
/// Both production and `SandboxPayGateway` notifications go through this one path.
public struct WeChatPayNotificationVerifier: Sendable {
    /// Real notifications are a few KB; anything above this is refused unread.
    public static let bodyBytesMax = 64 * 1024

    public let platformKeys: WeChatPayPlatformKeys
    let cipher: WeChatPayResourceCipher

    public init(platformKeys: WeChatPayPlatformKeys, apiV3Key: String) throws(WeChatPayError) {
        self.platformKeys = platformKeys
        self.cipher = try WeChatPayResourceCipher(apiV3Key: apiV3Key)
    }

    /// Verifies, decrypts and decodes a payment (`TRANSACTION.*`) notification.
    ///
    /// A notification that arrives twice verifies twice: deduplicating by
    /// `outTradeNo`/`transactionID` is the caller's job.
    public func verify(_ notification: PayNotification, now: Date) throws(WeChatPayError) -> PaymentTransaction {
        let event = try verifiedEvent(notification, now: now)
        guard event.originalType == nil || event.originalType == "transaction" else {
            throw .malformed("resource.original_type is \(event.originalType ?? ""), expected transaction")
        }
        let decoded: TransactionJSON
        do { decoded = try JSONDecoder().decode(TransactionJSON.self, from: event.plaintext) } catch {
            throw .malformed("decrypted resource is not a transaction")
        }
        return decoded.transaction
    }

    /// Verifies and decrypts any notification (payments, refunds) and returns
    /// the decrypted resource undecoded.
    public func verifiedEvent(_ notification: PayNotification, now: Date) throws(WeChatPayError) -> PayNotificationEvent {
        guard notification.body.utf8.count <= Self.bodyBytesMax else { throw .malformed("body too large") }
        try verifySignature(notification, now: now)
        let envelope: NotificationEnvelope
        do { envelope = try JSONDecoder().decode(NotificationEnvelope.self, from: Data(notification.body.utf8)) } catch {
            throw .malformed("body is not a notification envelope")
        }
        let resource = envelope.resource
        guard resource.algorithm == "AEAD_AES_256_GCM" else { throw .malformed("resource.algorithm is not AEAD_AES_256_GCM") }
        let plaintext = try cipher.decrypt(
            ciphertext: resource.ciphertext, nonce: resource.nonce, associatedData: resource.associated_data ?? "")
        return PayNotificationEvent(
            id: envelope.id, eventType: envelope.event_type, createTime: envelope.create_time,
            originalType: resource.original_type, plaintext: plaintext)
    }

    func verifySignature(_ notification: PayNotification, now: Date) throws(WeChatPayError) {
        func required(_ name: String) throws(WeChatPayError) -> String {
            guard let value = notification.header(name), !value.isEmpty else { throw .malformed("missing header \(name)") }
            return value
        }
        let serial = try required(WeChatPayHeader.serial)
        let timestamp = try required(WeChatPayHeader.timestamp)
        let nonce = try required(WeChatPayHeader.nonce)
        let signature = try required(WeChatPayHeader.signature)
        try platformKeys.verify(
            timestamp: timestamp, nonce: nonce, signature: signature, serial: serial, body: notification.body, now: now)
    }
}

/// A verified, decrypted notification.
public struct PayNotificationEvent: Sendable, Equatable {
    public var id: String
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`.
    public var eventType: String
    public var createTime: String?
    /// `transaction` or `refund`.
    public var originalType: String?
    /// The decrypted resource JSON.
    public var plaintext: Data
}

/// The notification envelope of section 5.6.
struct NotificationEnvelope: Codable {
    struct Resource: Codable {
        var original_type: String?
        var algorithm: String
        var ciphertext: String
        var associated_data: String?
        var nonce: String
    }

    var id: String
    var create_time: String?
    var resource_type: String?
    var event_type: String
    var summary: String?
    var resource: Resource
}
