import Foundation
import Testing
import WeChat

/// Sandbox gateways are RSA-2048 keys: generate two once for the whole run.
enum TestGateways {
    static let primary = Result { try SandboxPayGateway.generate(serial: "PUB_KEY_ID_0114TESTPRIMARY") }
    static let other = Result { try SandboxPayGateway.generate(serial: "PUB_KEY_ID_0114TESTOTHER") }
}

let sampleTransaction = PaymentTransaction(
    outTradeNo: "T20240101000001", transactionID: "4200000001202401010000000001", tradeState: "SUCCESS",
    amountTotalFen: 1_999, payerOpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", successTime: "2024-01-01T12:00:01+08:00",
    mchID: "1900000001", appID: "wx0000000000000001")

let notificationTime = Date(timeIntervalSince1970: 1_700_000_000)

@Suite("WeChat Pay notification verification")
struct NotificationVerifierTests {
    let gateway: SandboxPayGateway

    init() throws {
        gateway = try TestGateways.primary.get()
    }

    @Test("a genuine notification verifies and decrypts to its transaction")
    func validPasses() throws {
        let notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        let transaction = try gateway.verifier.verify(notification, now: notificationTime.addingTimeInterval(30))
        #expect(transaction == sampleTransaction)
        #expect(transaction.isPaid)
    }

    @Test("header names are matched without regard to case")
    func headersCaseInsensitive() throws {
        let notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        let lowered = PayNotification(
            headers: Dictionary(uniqueKeysWithValues: notification.headers.map { ($0.key.lowercased(), $0.value) }),
            body: notification.body)
        #expect(try gateway.verifier.verify(lowered, now: notificationTime) == sampleTransaction)
    }

    @Test("a notification whose body was changed by one byte is rejected")
    func tamperedBodyFails() throws {
        var notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        notification.body = notification.body.replacingOccurrences(of: "TRANSACTION.SUCCESS", with: "TRANSACTION.SUCCESs")
        #expect(throws: WeChatPayError.badSignature) { try gateway.verifier.verify(notification, now: notificationTime) }
    }

    @Test("a notification signed under an unknown serial is rejected")
    func wrongSerialFails() throws {
        var notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        notification.headers["Wechatpay-Serial"] = "PUB_KEY_ID_0114SOMEONEELSE"
        #expect(throws: WeChatPayError.unknownSerial) { try gateway.verifier.verify(notification, now: notificationTime) }
    }

    @Test("a notification signed by another key under our serial is rejected")
    func wrongKeyFails() throws {
        let impostor = try SandboxPayGateway(
            platformPrivateKeyPEM: try TestGateways.other.get().platformPrivateKeyPEM, apiV3Key: gateway.apiV3Key,
            serial: gateway.serial)
        let forged = try impostor.notification(for: sampleTransaction, now: notificationTime)
        #expect(throws: WeChatPayError.badSignature) { try gateway.verifier.verify(forged, now: notificationTime) }
    }

    @Test("a notification 5 minutes or more away from now is rejected, just under 5 minutes is accepted")
    func staleTimestampFails() throws {
        let notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        #expect(throws: WeChatPayError.staleTimestamp) {
            try gateway.verifier.verify(notification, now: notificationTime.addingTimeInterval(300))
        }
        #expect(throws: WeChatPayError.staleTimestamp) {
            try gateway.verifier.verify(notification, now: notificationTime.addingTimeInterval(-301))
        }
        #expect(try gateway.verifier.verify(notification, now: notificationTime.addingTimeInterval(299)) == sampleTransaction)
    }

    @Test("a notification encrypted under another APIv3 key fails to decrypt")
    func wrongAPIv3KeyFails() throws {
        let notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        let verifier = try WeChatPayNotificationVerifier(
            platformKeys: gateway.verifier.platformKeys, apiV3Key: "ffffffffffffffffffffffffffffffff")
        #expect(throws: WeChatPayError.decryptFailed) { try verifier.verify(notification, now: notificationTime) }
    }

    @Test("WeChat Pay's SIGNTEST probe callbacks fail verification and get a 4xx reply")
    func signTestProbeFails() throws {
        var notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        notification.headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + (notification.headers["Wechatpay-Signature"] ?? "")
        do {
            _ = try gateway.verifier.verify(notification, now: notificationTime)
            Issue.record("a probe must not verify")
        } catch {
            #expect(error == .badSignature)
            let reply = PayNotificationReply.failure(error)
            #expect(reply.status == 401)
            #expect(reply.body == #"{"code":"FAIL","message":"signature verification failed"}"#)
        }
    }

    @Test("a Wechatpay-Timestamp that is not 1 to 11 digits is malformed, never an overflow",
          arguments: ["-9223372036854775808", "-9223372036854775807", "9223372036854775807", "99999999999999999999",
                      "+1700000000", " 1700000000", "1700000000 ", "-1", "", "1e9", "０１２", "123456789012"])
    func timestampOutOfBoundsMalformed(timestamp: String) throws {
        var notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        notification.headers["Wechatpay-Timestamp"] = timestamp
        #expect(throws: WeChatPayError.self) { try gateway.verifier.verify(notification, now: notificationTime) }
        do {
            _ = try gateway.verifier.verify(notification, now: notificationTime)
        } catch {
            let expected: WeChatPayError = timestamp.isEmpty
                ? .malformed("missing header Wechatpay-Timestamp")
                : .malformed("Wechatpay-Timestamp is not Unix seconds (1 to 11 digits)")
            #expect(error == expected, "timestamp \(timestamp)")
        }
    }

    @Test("the freshness check survives any clock: far future, far past, NaN, and the largest 11-digit timestamp")
    func freshnessNeverOverflows() throws {
        let notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        for now in [Date(timeIntervalSince1970: 1e30), Date(timeIntervalSince1970: -1e30), Date(timeIntervalSince1970: .nan),
                    Date(timeIntervalSince1970: 9.3e18), Date(timeIntervalSince1970: -9.3e18), Date.distantPast, Date.distantFuture] {
            #expect(throws: WeChatPayError.staleTimestamp) { try gateway.verifier.verify(notification, now: now) }
        }
        var latest = notification
        latest.headers["Wechatpay-Timestamp"] = "99999999999"
        #expect(throws: WeChatPayError.staleTimestamp) { try gateway.verifier.verify(latest, now: notificationTime) }
    }

    @Test("a notification missing a signature header is malformed")
    func missingHeaderMalformed() throws {
        var notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        notification.headers["Wechatpay-Nonce"] = nil
        #expect(throws: WeChatPayError.malformed("missing header Wechatpay-Nonce")) {
            try gateway.verifier.verify(notification, now: notificationTime)
        }
    }

    @Test("an APIv3 key that is not 32 bytes is refused up front")
    func shortAPIv3KeyRefused() {
        #expect(throws: WeChatPayError.invalidKey("APIv3 key must be 32 bytes, got 5")) {
            try WeChatPayNotificationVerifier(platformKeys: WeChatPayPlatformKeys(), apiV3Key: "short")
        }
    }

    @Test("the success reply is 204 with no body")
    func successReply() {
        #expect(PayNotificationReply.success == PayNotificationReply(status: 204, body: nil))
        #expect(PayNotificationReply.success.isSuccess)
        #expect(PayNotificationReply.failure(status: 500, message: "a \"b\"").body == #"{"code":"FAIL","message":"a \"b\""}"#)
    }
}

@Suite("AEAD_AES_256_GCM resources")
struct ResourceCipherTests {
    static let vectorCiphertext = "Eu6myr+6GaECeJdOZPZ6BX5liy+JsU13PMpM/bY5kZkYqdSZDG7Q8B850+VdwKWg/46LSJ9f8OESasmlTXRKpA=="
    static let vectorPlaintext = #"{"out_trade_no":"T0001","trade_state":"SUCCESS"}"#

    @Test("the section 8.3 vector decrypts to its plaintext")
    func vectorDecrypts() throws {
        let cipher = try WeChatPayResourceCipher(apiV3Key: "0123456789abcdef0123456789abcdef")
        let plaintext = try cipher.decrypt(
            ciphertext: Self.vectorCiphertext, nonce: "abcdefghijkl", associatedData: "transaction")
        #expect(String(decoding: plaintext, as: UTF8.self) == Self.vectorPlaintext)
    }

    @Test("encrypting the section 8.3 plaintext reproduces the vector")
    func vectorEncrypts() throws {
        let cipher = try WeChatPayResourceCipher(apiV3Key: "0123456789abcdef0123456789abcdef")
        let ciphertext = try cipher.encrypt(Data(Self.vectorPlaintext.utf8), nonce: "abcdefghijkl", associatedData: "transaction")
        #expect(ciphertext == Self.vectorCiphertext)
    }

    @Test("a wrong associated data fails authentication")
    func wrongAAD() throws {
        let cipher = try WeChatPayResourceCipher(apiV3Key: "0123456789abcdef0123456789abcdef")
        #expect(throws: WeChatPayError.decryptFailed) {
            try cipher.decrypt(ciphertext: Self.vectorCiphertext, nonce: "abcdefghijkl", associatedData: "refund")
        }
    }
}

@Suite("WeChat Pay platform keys")
struct PlatformKeysTests {
    @Test("a platform certificate's key is stored under the certificate's uppercase hex serial")
    func certificateMode() throws {
        var keys = WeChatPayPlatformKeys()
        let serial = try keys.add(certificatePEM: TestKeys.platformCertificatePEM)
        #expect(serial == TestKeys.platformCertificateSerial)
        // The certificate wraps the fixed test key, so the Python-made vector verifies under it.
        try keys.verify(
            timestamp: "1700000000", nonce: "NONCE", signature: Self.signatureOverTimestampNonceBody,
            serial: serial, body: "{}", now: notificationTime)
    }

    @Test("public-key and certificate keys are held side by side during migration")
    func bothModes() throws {
        var keys = try WeChatPayPlatformKeys(serial: "PUB_KEY_ID_0114A", publicKeyPEM: TestKeys.merchantPublicKeyPEM)
        try keys.add(certificatePEM: TestKeys.platformCertificatePEM)
        #expect(keys.serials == [TestKeys.platformCertificateSerial, "PUB_KEY_ID_0114A"])
    }

    @Test("a certificate that is not DER is refused")
    func garbageCertificate() {
        var keys = WeChatPayPlatformKeys()
        #expect(throws: WeChatPayError.invalidKey("certificate DER is malformed")) {
            try keys.add(certificatePEM: "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----")
        }
    }

    /// Signed by the fixed test key over "1700000000\nNONCE\n{}\n" (computed with the signer).
    static var signatureOverTimestampNonceBody: String {
        (try? WeChatPaySigner(mchID: "1", serialNumber: "S", privateKeyPEM: TestKeys.merchantPrivateKeyPEM)
            .signature(for: "1700000000\nNONCE\n{}\n")) ?? ""
    }
}

@Suite("Sandbox pay gateway")
struct SandboxPayGatewayTests {
    @Test("a sandbox notification round-trips through the production verifier")
    func roundTrip() throws {
        let gateway = try TestGateways.primary.get()
        let now = Date()
        let notification = try gateway.notification(for: sampleTransaction, now: now)
        #expect(notification.header("wechatpay-signature-type") == "WECHATPAY2-SHA256-RSA2048")
        #expect(notification.body.contains(#""event_type":"TRANSACTION.SUCCESS""#))
        #expect(!notification.body.contains(sampleTransaction.outTradeNo))  // encrypted, not in clear
        let event = try gateway.verifier.verifiedEvent(notification, now: now)
        #expect(event.originalType == "transaction")
        #expect(try gateway.verifier.verify(notification, now: now) == sampleTransaction)
    }

    @Test("a gateway reloaded from its persisted PEM and keys verifies the old one's notifications")
    func persistAndReload() throws {
        let original = try TestGateways.primary.get()
        let reloaded = try SandboxPayGateway(
            platformPrivateKeyPEM: original.platformPrivateKeyPEM, apiV3Key: original.apiV3Key, serial: original.serial)
        #expect(original.platformPrivateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(reloaded.platformPublicKeyPEM == original.platformPublicKeyPEM)
        let notification = try original.notification(for: sampleTransaction, now: notificationTime)
        #expect(try reloaded.verifier.verify(notification, now: notificationTime) == sampleTransaction)
        // And a verifier built only from the exported public key (public-key mode) agrees.
        let keys = try WeChatPayPlatformKeys(serial: original.serial, publicKeyPEM: original.platformPublicKeyPEM)
        let verifier = try WeChatPayNotificationVerifier(platformKeys: keys, apiV3Key: original.apiV3Key)
        #expect(try verifier.verify(notification, now: notificationTime) == sampleTransaction)
    }

    @Test("sandbox transaction ids are unique")
    func transactionIDs() {
        let id = SandboxPayGateway.makeTransactionID()
        #expect(id.hasPrefix("SANDBOX") && id.count == 31)
        #expect(id != SandboxPayGateway.makeTransactionID())
    }
}
