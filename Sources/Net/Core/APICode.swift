import HTTPTypes

/// Every code the API answers with (CONVENTIONS.md). Five-digit codes are
/// business failures whose first three digits are the HTTP status.
public enum APICode: Int, CaseIterable, Sendable {
    case success = 200
    case invalidInput = 400
    case unauthorized = 401
    case forbidden = 403
    case notFound = 404
    case methodNotAllowed = 405
    case conflict = 409
    case payloadTooLarge = 413
    case rateLimited = 429
    case internalError = 500
    case unavailable = 503
    case soldOut = 40901
    case limitReached = 40902
    case activityNotActive = 40903
    case couponNotUsable = 40904
    case orderStateForbids = 40905
    case orderBusy = 40906
    case sessionEnded = 40101
    case accountBanned = 40301
    case loginLocked = 42901

    public var status: HTTPResponse.Status {
        let statusCode = rawValue >= 10_000 ? rawValue / 100 : rawValue
        return HTTPResponse.Status(code: statusCode)
    }

    /// The default message: what a mini-program developer or shop owner can act on.
    public var message: String {
        switch self {
        case .success: "success"
        case .invalidInput: "invalid input"
        case .unauthorized: "not logged in or the token has expired"
        case .forbidden: "no permission for this action"
        case .notFound: "not found"
        case .methodNotAllowed: "method not allowed on this path"
        case .conflict: "conflict with the current state"
        case .payloadTooLarge: "request body too large"
        case .rateLimited: "too many requests; retry later"
        case .internalError: "server error"
        case .unavailable: "temporarily unavailable; retry later"
        case .soldOut: "sold out"
        case .limitReached: "purchase limit reached"
        case .activityNotActive: "the activity has not started or has ended"
        case .couponNotUsable: "coupon not usable"
        case .orderStateForbids: "the order's status does not allow this"
        case .orderBusy: "the order is being updated; retry"
        case .sessionEnded: "the session has ended (logged out, signed in elsewhere too often, token reused, or the account changed): log in again"
        case .accountBanned: "this account is banned"
        case .loginLocked: "too many failed logins: the account is locked for a while"
        }
    }
}
