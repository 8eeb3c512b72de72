import Foundation
import Testing
import WeChat

/// Runs `python3 -c script args...` and returns stdout, or nil on a non-zero exit.
/// Waits on the termination handler, not by blocking a concurrency thread.
func runPython(_ script: String, arguments: [String]) async throws -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    return status == 0 ? String(decoding: data, as: UTF8.self) : nil
}

/// Reference section 8.2: optional, skipped where Python `cryptography` is absent.
enum PythonCryptography {
    static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import cryptography"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}

@Suite("Cross-checks with Python cryptography", .enabled(if: PythonCryptography.isAvailable))
struct PythonCrossCheckTests {
    static let apiV3Key = "0123456789abcdef0123456789abcdef"

    /// argv: private key PEM, APIv3 key, timestamp. Prints body, nonce and signature, one per line.
    static let pythonNotifier = #"""
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key = serialization.load_pem_private_key(sys.argv[1].encode(), password=None)
tx = {"appid": "wx0000000000000001", "mchid": "1900000001", "out_trade_no": "PY0000001",
      "transaction_id": "4200000000000000000000000001", "trade_type": "JSAPI", "trade_state": "SUCCESS",
      "success_time": "2024-01-01T12:00:01+08:00", "payer": {"openid": "o-python"},
      "amount": {"total": 4321, "payer_total": 4321, "currency": "CNY", "payer_currency": "CNY"}}
ct = AESGCM(sys.argv[2].encode()).encrypt(b"pynonce12345", json.dumps(tx).encode(), b"transaction")
body = json.dumps({"id": "EV-PY", "create_time": "2024-01-01T12:00:01+08:00", "resource_type": "encrypt-resource",
    "event_type": "TRANSACTION.SUCCESS", "summary": "ok", "resource": {"original_type": "transaction",
    "algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(ct).decode(),
    "associated_data": "transaction", "nonce": "pynonce12345"}}, separators=(",", ":"))
nonce = "PYNONCE"
sig = key.sign(f"{sys.argv[3]}\n{nonce}\n{body}\n".encode(), padding.PKCS1v15(), hashes.SHA256())
print(body); print(nonce); print(base64.b64encode(sig).decode())
"""#

    /// argv: public key PEM, APIv3 key, timestamp, nonce, signature, body. Prints out_trade_no and total.
    static let pythonVerifier = #"""
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
pub = serialization.load_pem_public_key(sys.argv[1].encode())
ts, nonce, sig, body = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
pub.verify(base64.b64decode(sig), f"{ts}\n{nonce}\n{body}\n".encode(), padding.PKCS1v15(), hashes.SHA256())
r = json.loads(body)["resource"]
tx = json.loads(AESGCM(sys.argv[2].encode()).decrypt(r["nonce"].encode(), base64.b64decode(r["ciphertext"]),
    r["associated_data"].encode()))
print(tx["out_trade_no"], tx["amount"]["total"], tx["payer"]["openid"])
"""#

    @Test("a notification made by Python is accepted, and rejected once a body byte or the timestamp changes")
    func pythonNotificationVerifiesInSwift() async throws {
        let timestamp = "1700000000"
        let output = try #require(
            try await runPython(Self.pythonNotifier, arguments: [TestKeys.merchantPrivateKeyPEM, Self.apiV3Key, timestamp]))
        let lines = output.split(separator: "\n").map(String.init)
        try #require(lines.count == 3)
        let keys = try WeChatPayPlatformKeys(serial: "PUB_KEY_ID_PY", publicKeyPEM: TestKeys.merchantPublicKeyPEM)
        let verifier = try WeChatPayNotificationVerifier(platformKeys: keys, apiV3Key: Self.apiV3Key)
        let headers = [
            "wechatpay-timestamp": timestamp, "wechatpay-nonce": lines[1], "wechatpay-signature": lines[2],
            "wechatpay-serial": "PUB_KEY_ID_PY",
        ]
        let transaction = try verifier.verify(PayNotification(headers: headers, body: lines[0]), now: notificationTime)
        #expect(transaction.outTradeNo == "PY0000001")
        #expect(transaction.amountTotalFen == 4_321)
        let tampered = PayNotification(headers: headers, body: lines[0].replacingOccurrences(of: "EV-PY", with: "EV-PZ"))
        #expect(throws: WeChatPayError.badSignature) { try verifier.verify(tampered, now: notificationTime) }
        var shifted = headers
        shifted["wechatpay-timestamp"] = "1700000001"
        #expect(throws: WeChatPayError.badSignature) {
            try verifier.verify(PayNotification(headers: shifted, body: lines[0]), now: notificationTime)
        }
    }

    @Test("a sandbox notification made by Swift verifies and decrypts in Python")
    func swiftNotificationVerifiesInPython() async throws {
        let gateway = try TestGateways.primary.get()
        let notification = try gateway.notification(for: sampleTransaction, now: notificationTime)
        let arguments = [
            gateway.platformPublicKeyPEM, gateway.apiV3Key, notification.header("Wechatpay-Timestamp") ?? "",
            notification.header("Wechatpay-Nonce") ?? "", notification.header("Wechatpay-Signature") ?? "",
            notification.body,
        ]
        let output = try await runPython(Self.pythonVerifier, arguments: arguments)
        #expect(output == "T20240101000001 1999 oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\n")
    }
}
