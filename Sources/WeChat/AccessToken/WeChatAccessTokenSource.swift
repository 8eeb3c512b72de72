/// Where API clients get the AppID's access token (reference section 2).
///
/// `WeChatAccessTokenProvider` is the implementation; clients depend on this
/// protocol so one provider per AppID can serve every client of a deployment.
public protocol WeChatAccessTokenSource: Sendable {
    /// A token that was valid when fetched; concurrent callers share one fetch.
    func accessToken() async throws(WeChatError) -> String

    /// Reports that an API answered 40001, 40014 or 42001 for `token`. Drops
    /// it only while it is still the current token, so a late report about an
    /// old token never throws away a fresh one.
    func invalidate(_ token: String) async
}

/// What one call with an access token produced: an answer, or the token's
/// rejection (40001/40014/42001), which `withAccessToken` handles.
enum AccessTokenOutcome<Value> {
    case answered(Value)
    case tokenRejected(errcode: Int, errmsg: String)
}

extension WeChatAccessTokenSource {
    /// Runs `call` with the current token. When WeChat rejects the token,
    /// drops it, fetches a new one (shared with concurrent callers) and runs
    /// `call` once more (section 0); a second rejection is
    /// `.accessTokenRejected`, never a loop.
    func withAccessToken<Value>(
        _ call: (String) async throws(WeChatError) -> AccessTokenOutcome<Value>
    ) async throws(WeChatError) -> Value {
        let token = try await accessToken()
        switch try await call(token) {
        case .answered(let value):
            return value
        case .tokenRejected:
            await invalidate(token)
        }
        let freshToken = try await accessToken()
        switch try await call(freshToken) {
        case .answered(let value):
            return value
        case .tokenRejected(let errcode, let errmsg):
            // WeChat says this one is bad too: the next call should not start with it.
            await invalidate(freshToken)
            throw .accessTokenRejected(errcode: errcode, errmsg: errmsg)
        }
    }
}
