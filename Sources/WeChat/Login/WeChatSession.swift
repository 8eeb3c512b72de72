/// The result of a successful `code2Session` call (reference section 1).
///
/// `sessionKey` must stay on the server: never send it to the device or log it.
public struct WeChatSession: Sendable, Equatable {
    /// Per-app user id.
    public var openID: String
    /// Present only when the app is bound to an Open Platform account.
    public var unionID: String?
    /// Per-session key (base64); server-side only.
    public var sessionKey: String

    public init(openID: String, unionID: String?, sessionKey: String) {
        self.openID = openID
        self.unionID = unionID
        self.sessionKey = sessionKey
    }
}
