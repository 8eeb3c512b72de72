import Crypto
import Foundation

/// Login for local runs, only when the operator asks for it (`mall serve
/// --sandbox`), never as a fallback for a missing credential: every code maps
/// to a stable sandbox user, so the same code always logs in the same user.
///
/// `openID` = `"sandbox_"` + the first 24 hex digits of SHA-256(code);
/// `sessionKey` = base64 of the first 16 bytes of SHA-256("session_key:" + code)
/// (16 bytes, like a real session key). Never touches the network.
public struct SandboxLoginClient: WeChatLoginClient {
    public static let openIDPrefix = "sandbox_"

    public init() {}

    public func session(forCode code: String) async throws(WeChatError) -> WeChatSession {
        try Self.makeSession(forCode: code)
    }

    /// The synchronous core of `session(forCode:)`.
    public static func makeSession(forCode code: String) throws(WeChatError) -> WeChatSession {
        try LoginCode.validate(code)
        let userDigest = SHA256.hash(data: Data(code.utf8))
        let hex = userDigest.map { byte in String(format: "%02x", byte) }.joined()
        let keyDigest = SHA256.hash(data: Data(("session_key:" + code).utf8))
        let sessionKey = Data(keyDigest.prefix(16)).base64EncodedString()
        return WeChatSession(openID: openIDPrefix + hex.prefix(24), unionID: nil, sessionKey: sessionKey)
    }
}
