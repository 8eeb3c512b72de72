/// Exchanges a `wx.login()` code for a session (reference section 1).
///
/// Implementations: `HTTPLoginClient` (real or fake WeChat host),
/// `SandboxLoginClient` (local runs, no network) and `UnconfiguredLoginClient`
/// (neither chosen: refuses every code).
public protocol WeChatLoginClient: Sendable {
    /// Login codes are single-use and live 5 minutes: never cache or replay one.
    func session(forCode code: String) async throws(WeChatError) -> WeChatSession
}

enum LoginCode {
    /// Real codes are 32 characters; anything far longer is garbage, and we
    /// refuse it before hashing or sending it.
    static let lengthMax = 256

    /// Rejects codes that cannot be valid without asking WeChat.
    static func validate(_ code: String) throws(WeChatError) {
        guard !code.isEmpty else { throw .invalidCode(errcode: 40029, errmsg: "empty login code") }
        guard code.utf8.count <= lengthMax else {
            throw .invalidCode(errcode: 40029, errmsg: "login code longer than \(lengthMax) bytes")
        }
    }
}
