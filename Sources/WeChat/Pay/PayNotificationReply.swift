/// What the server answers to a WeChat Pay notification (reference section 5.6):
/// 204 with no body once the notification is verified and durably applied (or
/// recognised as a duplicate); otherwise 4xx/5xx with
/// `{"code":"FAIL","message":"..."}`, and WeChat Pay retries on its schedule.
public struct PayNotificationReply: Sendable, Equatable {
    public var status: Int
    /// JSON body, or nil for no body.
    public var body: String?
    public static let contentType = "application/json"

    public init(status: Int, body: String?) {
        precondition((200...599).contains(status), "HTTP status must be in 200...599, got \(status)")
        self.status = status
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// Verified and applied, or a duplicate of one already applied.
    public static let success = PayNotificationReply(status: 204, body: nil)

    /// A failure WeChat Pay will retry. `message` goes to WeChat Pay: keep it
    /// generic (no keys, paths or internal state).
    public static func failure(status: Int, message: String) -> PayNotificationReply {
        precondition(status >= 400, "a failure reply needs a 4xx/5xx status, got \(status)")
        let escaped = message.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case _ where scalar.value < 0x20: "\\u" + hex4(scalar.value)
            default: String(scalar)
            }
        }.joined()
        return PayNotificationReply(status: status, body: "{\"code\":\"FAIL\",\"message\":\"\(escaped)\"}")
    }

    /// The reply for a notification that failed verification or decryption:
    /// 401 for signature, serial and clock problems (WeChat's own probe
    /// callbacks must get a 4xx), 400 for malformed content, 500 otherwise.
    public static func failure(_ error: WeChatPayError) -> PayNotificationReply {
        switch error {
        case .badSignature, .unknownSerial, .staleTimestamp:
            .failure(status: 401, message: "signature verification failed")
        case .decryptFailed, .malformed:
            .failure(status: 400, message: "notification could not be decrypted or parsed")
        case .invalidKey, .invalidRequest, .api, .transport:
            .failure(status: 500, message: "internal error")
        }
    }
}

/// Four uppercase hex digits, for JSON `\u` escapes of control characters.
private func hex4(_ value: UInt32) -> String {
    let hex = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}
