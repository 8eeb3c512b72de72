/// Failures of the mini-program server API (reference sections 0 and 1).
///
/// `description` carries WeChat's errcode and errmsg but never an AppSecret,
/// a login code or a session key.
public enum WeChatError: Error, CustomStringConvertible, Equatable {
    /// The login code is invalid (40029) or already used (40163): the device
    /// must call `wx.login` again; retrying the same code cannot succeed.
    case invalidCode(errcode: Int, errmsg: String)
    /// 45011: too many logins for this user; back off.
    case rateLimited
    /// Any other non-zero errcode, e.g. -1 (system busy, retryable), 40226
    /// (high-risk user, login refused), 40001/40013 (wrong AppSecret/AppID).
    case upstream(errcode: Int, errmsg: String)
    /// The call did not complete (connect, timeout, reset): outcome unknown.
    case transport(String)
    /// WeChat answered something that is not the documented shape.
    case badResponse(String)
    /// This server has no way to log anyone in: no AppID and AppSecret, and no
    /// sandbox chosen. `remedy` names the settings that would fix it.
    case unconfigured(remedy: String)

    /// errcode -1: "system busy", worth one retry after a pause.
    public static let errcodeSystemBusy = -1
    /// errcode 40226: high-risk user; surface as "login refused".
    public static let errcodeLoginRefused = 40226

    /// Whether retrying the same call later can succeed (section 1 table).
    public var isRetryable: Bool {
        switch self {
        case .transport: true
        case .upstream(let errcode, _): errcode == Self.errcodeSystemBusy
        case .invalidCode, .rateLimited, .badResponse, .unconfigured: false
        }
    }

    public var description: String {
        switch self {
        case .invalidCode(let errcode, let errmsg): "WeChat rejected the login code (errcode \(errcode): \(errmsg))"
        case .rateLimited: "WeChat rate-limited the login (errcode 45011)"
        case .upstream(let errcode, let errmsg): "WeChat API error (errcode \(errcode): \(errmsg))"
        case .transport(let reason): "WeChat API unreachable: \(reason)"
        case .badResponse(let reason): "WeChat API answered unexpectedly: \(reason)"
        case .unconfigured(let remedy): "WeChat login is not configured on this server: \(remedy)"
        }
    }
}
