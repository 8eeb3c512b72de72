/// Failures of WeChat Pay v3 signing, verification, decryption and calls
/// (reference section 5). `description` never contains keys, signatures or
/// decrypted payloads.
public enum WeChatPayError: Error, CustomStringConvertible, Equatable {
    /// The signature does not verify with the key for the given serial
    /// (includes `WECHATPAY/SIGNTEST/` probes and tampered bodies).
    case badSignature
    /// `Wechatpay-Serial` names no key we hold.
    case unknownSerial
    /// |now − Wechatpay-Timestamp| is 5 minutes or more.
    case staleTimestamp
    /// AES-256-GCM authentication failed: wrong APIv3 key, nonce, AAD or data.
    case decryptFailed
    /// A header, envelope or decrypted payload is missing a field or has the wrong shape.
    case malformed(String)
    /// A PEM key or the APIv3 key cannot be used (says which, never the key).
    case invalidKey(String)
    /// A request we were asked to send breaks a documented rule (section 5.4).
    case invalidRequest(String)
    /// WeChat Pay answered 4xx/5xx with `{"code","message"}` (section 5.10).
    case api(status: Int, code: String, message: String)
    /// The call did not complete: outcome unknown, retry with the same ids or query first.
    case transport(String)

    /// Whether the same call, with the same ids, may succeed later (section 5.10:
    /// 429 and 5xx, and unknown outcomes).
    public var isRetryable: Bool {
        switch self {
        case .api(let status, _, _): status == 429 || status >= 500
        case .transport: true
        case .badSignature, .unknownSerial, .staleTimestamp, .decryptFailed, .malformed, .invalidKey,
            .invalidRequest:
            false
        }
    }

    public var description: String {
        switch self {
        case .badSignature: "WeChat Pay signature verification failed"
        case .unknownSerial: "WeChat Pay serial names no known platform key"
        case .staleTimestamp: "WeChat Pay timestamp is 5 minutes or more away from now"
        case .decryptFailed: "WeChat Pay resource decryption failed"
        case .malformed(let reason): "WeChat Pay message malformed: \(reason)"
        case .invalidKey(let reason): "WeChat Pay key unusable: \(reason)"
        case .invalidRequest(let reason): "WeChat Pay request invalid: \(reason)"
        case .api(let status, let code, let message): "WeChat Pay API error \(status) \(code): \(message)"
        case .transport(let reason): "WeChat Pay unreachable: \(reason)"
        }
    }
}
