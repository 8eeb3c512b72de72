/// Login on a server that was given neither an AppID and AppSecret nor the
/// sandbox: every code is refused with `WeChatError.unconfigured`, which the
/// API answers with 503 naming the missing settings. The sandbox is a choice
/// the operator makes, never a fallback (DESIGN "External services"), so a
/// production server missing a credential says so instead of letting anyone
/// in as a sandbox user.
public struct UnconfiguredLoginClient: WeChatLoginClient {
    /// What the operator must set, e.g. "set MALL_WECHAT_APP_ID and MALL_WECHAT_APP_SECRET, or start with --sandbox".
    public let remedy: String

    public init(remedy: String) {
        precondition(!remedy.isEmpty, "UnconfiguredLoginClient needs the settings to name")
        self.remedy = remedy
    }

    public func session(forCode code: String) async throws(WeChatError) -> WeChatSession {
        throw .unconfigured(remedy: remedy)
    }
}
