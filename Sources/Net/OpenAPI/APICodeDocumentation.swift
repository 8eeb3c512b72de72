import HTTPTypes

/// What each `APICode` means and what the caller should do, for the OpenAPI
/// document. Exhaustive on purpose: a new code does not build until it is documented here.
enum APICodeDocumentation {
    static func meaning(_ code: APICode) -> String {
        switch code {
        case .success: "Success; `data` holds the result."
        case .invalidInput: "Invalid input: `data.fieldErrors` names each bad field and the rule it broke. Fix the request; retrying it unchanged fails again."
        case .unauthorized: "Not logged in, or the access token is missing, malformed or expired (2 h): log in again or refresh."
        case .forbidden: "Logged in, but this account may not do this."
        case .notFound: "No such resource or route (another buyer's order also answers 404)."
        case .methodNotAllowed: "The path exists but does not serve this method: the `Allow` header lists the methods it serves."
        case .conflict: "Conflicts with the current state of the resource."
        case .payloadTooLarge: "Request body over 1 MiB."
        case .rateLimited: "Too many requests: retry after a pause."
        case .internalError: "Server error; the message carries a request id to quote. Nothing about the cause is shown."
        case .unavailable: "Temporarily unavailable (server at capacity, WeChat unreachable, or the archive database down or not configured via MALL_DATABASE_URL): retry later."
        case .soldOut: "Flash sale: the SKU is sold out."
        case .limitReached: "Flash sale: the per-user purchase limit is reached."
        case .activityNotActive: "Flash sale: the activity has not started yet or has ended."
        case .couponNotUsable: "The coupon cannot be used on this order."
        case .orderStateForbids: "The order's status does not allow this action (e.g. paying a cancelled order)."
        case .orderBusy: "The order is being changed by another request: retry."
        case .sessionEnded: "The access or refresh token belongs to a session that has ended: logout, a ban, a refresh token presented twice (the whole session ends), the account disabled or its password changed, or more than 10 logins since. Log in again."
        case .accountBanned: "The buyer's account is banned; the message carries the reason. Logging in again does not help."
        case .loginLocked: "Admin login: too many failed attempts in a row; the `Retry-After` header says when to try again."
        }
    }

    /// `| code | HTTP | message | meaning |` for every code.
    static var markdownTable: String {
        let rows = APICode.allCases.map { code in
            "| \(code.rawValue) | \(code.status.code) | \(code.message) | \(meaning(code)) |"
        }
        return (["| code | HTTP | message | meaning |", "|---|---|---|---|"] + rows).joined(separator: "\n")
    }

    /// The codes as a schema: the integer enum, with `x-codes` holding each one's status and meaning.
    static var schema: OpenAPIValue {
        [
            "type": "integer",
            "description": .string("The envelope's `code`. Five-digit codes are business failures whose first three digits are the HTTP status.\n\n" + markdownTable),
            "enum": .array(APICode.allCases.map { .integer($0.rawValue) }),
            "x-codes": .array(APICode.allCases.map { code in
                ["code": .integer(code.rawValue), "httpStatus": .integer(Int(code.status.code)),
                 "message": .string(code.message), "meaning": .string(meaning(code))]
            }),
        ]
    }
}
