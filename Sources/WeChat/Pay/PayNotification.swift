/// A notification POSTed by WeChat Pay to `notify_url` (reference section 5.6),
/// as the HTTP layer received it.
public struct PayNotification: Sendable {
    /// Request headers; names are matched case-insensitively by `header(_:)`.
    public var headers: [String: String]
    /// The body exactly as received: the signature covers these bytes.
    public var body: String

    public init(headers: [String: String], body: String) {
        self.headers = headers
        self.body = body
    }

    /// The value of header `name`, ignoring case.
    ///
    /// - Complexity: O(n) in the number of headers.
    public func header(_ name: String) -> String? {
        if let exact = headers[name] { return exact }
        let lowered = name.lowercased()
        return headers.first { $0.key.lowercased() == lowered }?.value
    }
}

/// The `Wechatpay-*` header names of section 5.3.
public enum WeChatPayHeader {
    public static let timestamp = "Wechatpay-Timestamp"
    public static let nonce = "Wechatpay-Nonce"
    public static let signature = "Wechatpay-Signature"
    public static let serial = "Wechatpay-Serial"
    public static let signatureType = "Wechatpay-Signature-Type"
    public static let requestID = "Request-ID"
}
