import HTTPTypes

/// Header names the protection middlewares read or write that HTTPTypes does not predefine.
extension HTTPField.Name {
    static let xForwardedFor = literal("X-Forwarded-For")
    static let referrerPolicy = literal("Referrer-Policy")
    static let xFrameOptions = literal("X-Frame-Options")
    static let xMallTimestamp = literal("X-Mall-Timestamp")
    static let xMallNonce = literal("X-Mall-Nonce")
    static let xMallSignature = literal("X-Mall-Signature")

    /// A name written in this file: an invalid one is a typo here, not outside input.
    private static func literal(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("\(name) is not a valid HTTP field name") }
        return field
    }
}
