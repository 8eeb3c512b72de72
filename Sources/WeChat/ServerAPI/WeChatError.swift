/// Failures of the mini-program server API (reference sections 0–3).
///
/// `description` carries WeChat's errcode and errmsg but never an AppSecret,
/// an access token, a login or phone code, or a session key.
public enum WeChatError: Error, CustomStringConvertible, Equatable {
    /// The code is invalid (40029) or already used (40163): a login code needs
    /// a new `wx.login`, a phone code a new tap on the getPhoneNumber button.
    /// Retrying the same code cannot succeed.
    case invalidCode(errcode: Int, errmsg: String)
    /// 40226: WeChat's risk control blocks this user's login. Surface as
    /// "login refused"; retrying cannot help.
    case loginRefused(errmsg: String)
    /// 45011 (per-user or per-minute limit) or 45009 (API quota, usually
    /// daily): back off, do not hammer.
    case rateLimited(errcode: Int, errmsg: String)
    /// -1: WeChat is busy; one retry after a pause may succeed.
    case systemBusy(errmsg: String)
    /// The deployment's WeChat settings are wrong, so no call can succeed
    /// until an operator fixes them: invalid AppID (40013), invalid AppSecret
    /// (40125, or 40001 from an endpoint that takes the secret), or this
    /// server's IP is not on the API allow-list (40164).
    case misconfigured(errcode: Int, errmsg: String)
    /// 40001/40014/42001 for an access token fetched afresh after the first
    /// rejection: the retry is spent. Usually another process refreshes the
    /// same AppID's token with `/cgi-bin/token` (section 2.3).
    case accessTokenRejected(errcode: Int, errmsg: String)
    /// `phone_info.watermark.appid` names another mini-program: the number was
    /// not issued to us and must not be trusted.
    case watermarkMismatch(appID: String)
    /// Any other non-zero errcode.
    case upstream(errcode: Int, errmsg: String)
    /// The call did not complete (connect, timeout, reset): outcome unknown.
    case transport(String)
    /// WeChat answered something that is not the documented shape: not JSON,
    /// too large, a non-200 status, or a field out of its documented form.
    case badResponse(String)
    /// This server has no way to call WeChat: no AppID and AppSecret, and no
    /// sandbox chosen. `remedy` names the settings that would fix it.
    case unconfigured(remedy: String)

    /// errcode -1: "system busy".
    public static let errcodeSystemBusy = -1
    /// errcode 40226: high-risk user; surfaced as `loginRefused`.
    public static let errcodeLoginRefused = 40226

    /// Whether retrying the same call later can succeed (sections 0 and 1).
    /// A login code may be spent by the first try: a retry answering 40163 or
    /// 40029 means the device must fetch a new code.
    public var isRetryable: Bool {
        switch self {
        case .transport, .systemBusy: true
        case .invalidCode, .loginRefused, .rateLimited, .misconfigured, .accessTokenRejected, .watermarkMismatch,
             .upstream, .badResponse, .unconfigured: false
        }
    }

    public var description: String {
        switch self {
        case .invalidCode(let errcode, let errmsg): "WeChat rejected the code (errcode \(errcode): \(errmsg))"
        case .loginRefused(let errmsg): "WeChat refused this user's login (errcode 40226: \(errmsg))"
        case .rateLimited(let errcode, let errmsg): "WeChat rate-limited the call (errcode \(errcode): \(errmsg))"
        case .systemBusy(let errmsg): "WeChat is busy (errcode -1: \(errmsg))"
        case .misconfigured(let errcode, let errmsg):
            "WeChat rejected the AppID, AppSecret or server IP (errcode \(errcode): \(errmsg))"
        case .accessTokenRejected(let errcode, let errmsg):
            "WeChat rejected a freshly fetched access token (errcode \(errcode): \(errmsg))"
        case .watermarkMismatch(let appID): "WeChat's answer is watermarked for another AppID (\(appID))"
        case .upstream(let errcode, let errmsg): "WeChat API error (errcode \(errcode): \(errmsg))"
        case .transport(let reason): "WeChat API unreachable: \(reason)"
        case .badResponse(let reason): "WeChat API answered unexpectedly: \(reason)"
        case .unconfigured(let remedy): "WeChat is not configured on this server: \(remedy)"
        }
    }
}
