import Engine

private typealias S = OpenAPISchema

/// Logins and sessions, back-office accounts, buyers as the back office sees
/// them, the audit log, and (not served yet) a buyer's own profile and
/// address book.
extension OpenAPIDocument {
    static var authRoutes: [Route] {
        [
            Route(method: "post", path: "/api/v1/auth/wechat/login", operation: S.operation(
                "auth", "WeChat login",
                "Exchanges the `code` from `wx.login` for tokens and opens a session; registers the buyer on first login. A banned buyer gets 40301 with the reason. Beyond \(IdentityLimits.sessionsMax) open sessions the oldest ends. 503 naming the missing settings when the server has neither MALL_WECHAT_APP_ID and MALL_WECHAT_APP_SECRET nor `--sandbox`.",
                security: .none, body: S.jsonBody(S.ref("WeChatLoginRequest")), data: S.ref("LoginResponse"),
                errors: [400, 401, 40301, 429, 500, 503], links: [
                    "Refresh": S.link("authRefreshTokens", "Refresh before the access token expires.", parameters: [:],
                                      requestBody: ["refreshToken": "$response.body#/data/refreshToken"]),
                ])),
            Route(method: "post", path: "/api/v1/auth/refresh", operation: S.operation(
                "auth", "Refresh tokens",
                "Trades a refresh token (7 d) for a new access token and refresh token; the old refresh token is spent. A spent one presented again ends the whole session (40101: it was copied). A banned buyer gets 40301.",
                security: .none, body: S.jsonBody(S.ref("RefreshRequest")), data: S.ref("LoginResponse"),
                errors: [400, 401, 40101, 40301, 500, 503])),
            Route(method: "post", path: "/api/v1/auth/logout", operation: S.operation(
                "auth", "Logout", "Ends the session of the token: its access and refresh tokens are refused (40101) at once.",
                security: .user, data: S.ref("LogoutResponse"), errors: [401, 40101, 500, 503])),
            Route(method: "post", path: "/admin/v1/auth/login", operation: S.operation(
                "auth", "Admin login",
                "Username and password (1 to 72 bytes) for back-office tokens; opens a session. Unknown user, wrong password and a disabled or deleted account answer alike (401). After \(IdentityLimits.adminFailedLoginsMax) failures in a row the account is locked for \(IdentityLimits.adminLockoutMs / 60_000) minutes: 42901 with a `Retry-After` header, even for the right password.",
                security: .none, body: S.jsonBody(S.ref("AdminLoginRequest")), data: S.ref("AdminLoginResponse"),
                errors: [400, 401, 42901, 500, 503], links: [
                    "Refresh": S.link("authAdminRefresh", "Refresh before the access token expires.", parameters: [:],
                                      requestBody: ["refreshToken": "$response.body#/data/refreshToken"]),
                    "Admin": S.link("adminAccountsAdmin", "The account logged in.", parameters: ["path.id": "$response.body#/data/admin/id"]),
                ])),
            Route(method: "post", path: "/admin/v1/auth/refresh", operation: S.operation(
                "auth", "Admin refresh",
                "Trades a back-office refresh token (7 d) for new tokens; the old one is spent. A spent one presented again ends the whole session (40101), as do a disabled or deleted account and a password change.",
                security: .none, body: S.jsonBody(S.ref("RefreshRequest")), data: S.ref("AdminLoginResponse"),
                errors: [400, 401, 40101, 500, 503])),
            Route(method: "post", path: "/admin/v1/auth/logout", operation: S.operation(
                "auth", "Admin logout", "Ends the session of the token: its access and refresh tokens are refused (40101) at once.",
                security: .admin, data: S.ref("LogoutResponse"), errors: [401, 40101, 500, 503])),
            Route(method: "get", path: "/admin/v1/auth/me", operation: S.operation(
                "auth", "Current admin", "The account of the token, with its effective permissions (to show or hide back-office pages).",
                security: .admin, data: S.ref("AdminResponse"), errors: [401, 40101])),
            Route(method: "put", path: "/admin/v1/auth/password", operation: S.operation(
                "auth", "Change my password",
                "Changes the caller's own password. Every session of the account ends, this one too: log in again with the new password.",
                security: .admin, body: S.jsonBody(S.ref("PasswordChangeRequest")), data: S.ref("LogoutResponse"),
                errors: [400, 401, 40101, 500, 503])),
        ]
    }

    static var adminAccountRoutes: [Route] {
        let limit = S.parameter("limit", in: "query", AdminAccountController.listLimitRule.schema(
            "Entries per page.", default: Int64(AdminAccountController.listLimitDefault)), "Entries per page.")
        let cursor = S.parameter("cursor", in: "query", S.id("An entry id."), "`nextCursor` of the previous page.")
        let byID = "$response.body#/data/id"
        return [
            Route(method: "get", path: "/admin/v1/admins", operation: S.operation(
                "admin-accounts", "List admins", "Every back-office account, deleted ones included, by id.",
                security: .admin, data: S.ref("AdminListResponse"), errors: [401, 40101, 403])),
            Route(method: "post", path: "/admin/v1/admins", operation: S.operation(
                "admin-accounts", "Create admin", "A new account with its role and extra permissions. Usernames are never reused, not even a deleted account's.",
                security: .admin, body: S.jsonBody(S.ref("CreateAdminRequest")), status: "201", data: S.ref("AdminResponse"),
                errors: [400, 401, 40101, 403, 409, 500, 503], links: [
                    "Admin": S.link("adminAccountsAdmin", "The account created.", parameters: ["path.id": .string(byID)]),
                    "Update": S.link("adminAccountsUpdateAdmin", "Change its role, permissions or password, or disable it.",
                                     parameters: ["path.id": .string(byID)]),
                    "Delete": S.link("adminAccountsDeleteAdmin", "Delete it.", parameters: ["path.id": .string(byID)]),
                ])),
            Route(method: "get", path: "/admin/v1/admins/{id}", operation: S.operation(
                "admin-accounts", "Admin", security: .admin, parameters: [S.pathID("Admin id.")], data: S.ref("AdminResponse"),
                errors: [400, 401, 40101, 403, 404])),
            Route(method: "patch", path: "/admin/v1/admins/{id}", operation: S.operation(
                "admin-accounts", "Update admin",
                "Only the fields given change. Disabling the account or setting its password ends its sessions at once. An admin cannot disable or demote itself (409).",
                security: .admin, parameters: [S.pathID("Admin id.")], body: S.jsonBody(S.ref("UpdateAdminRequest")),
                data: S.ref("AdminResponse"), errors: [400, 401, 40101, 403, 404, 409, 500, 503])),
            Route(method: "delete", path: "/admin/v1/admins/{id}", operation: S.operation(
                "admin-accounts", "Delete admin",
                "Marks the account deleted: it cannot log in, its sessions end, its id and name stay in the audit log. An admin cannot delete itself (409).",
                security: .admin, parameters: [S.pathID("Admin id.")], data: S.ref("AdminResponse"),
                errors: [400, 401, 40101, 403, 404, 409, 500, 503])),
            Route(method: "get", path: "/admin/v1/audit-logs", operation: S.operation(
                "admin-accounts", "Audit log",
                "Every back-office write, refused attempts included, newest first: who, which route, on what, from where, with which result. The newest \(IdentityLimits.auditEntriesMax) entries are kept here.",
                security: .admin,
                parameters: [limit, cursor, S.parameter("adminId", in: "query", S.id("An admin id."), "Only this admin's entries.")],
                data: S.ref("AuditListResponse"), errors: [400, 401, 40101, 403], links: [
                    "Admin": S.link("adminAccountsAdmin", "Who made the newest entry.",
                                    parameters: ["path.id": "$response.body#/data/items/0/adminId"]),
                ])),
            Route(method: "get", path: "/admin/v1/users", operation: S.operation(
                "admin-users", "List users", "Buyers by id, ascending, optionally filtered.", security: .admin,
                parameters: [
                    limit, cursor,
                    S.parameter("banned", in: "query", S.enumeration(["true", "false"], "Ban state."), "Only banned (true) or not banned (false) buyers."),
                    S.parameter("nickname", in: "query", AdminAccountController.searchRule.schema("Part of a nickname."),
                                "Only buyers whose nickname contains this."),
                    S.parameter("phone", in: "query", AdminAccountController.phoneSearchRule.schema("Digits of a phone number."),
                                "Only buyers whose bound phone number contains these digits."),
                ],
                data: S.ref("AdminUserListResponse"), errors: [400, 401, 40101, 403], links: [
                    "User": S.link("adminUsersUser", "The first buyer listed.", parameters: ["path.id": "$response.body#/data/items/0/id"]),
                ])),
            Route(method: "get", path: "/admin/v1/users/{id}", operation: S.operation(
                "admin-users", "User", security: .admin, parameters: [S.pathID("Buyer id.")], data: S.ref("AdminUserResponse"),
                errors: [400, 401, 40101, 403, 404])),
            Route(method: "post", path: "/admin/v1/users/{id}/ban", operation: S.operation(
                "admin-users", "Ban user",
                "Every session of the buyer ends at once (40101 on their next request); logins and refreshes are refused with 40301 and the reason until unbanned.",
                security: .admin, parameters: [S.pathID("Buyer id.")], body: S.jsonBody(S.ref("BanRequest")),
                data: S.ref("AdminUserResponse"), errors: [400, 401, 40101, 403, 404, 500, 503], links: [
                    "Unban": S.link("adminUsersUnbanUser", "Lift the ban.", parameters: ["path.id": .string(byID)]),
                ])),
            Route(method: "post", path: "/admin/v1/users/{id}/unban", operation: S.operation(
                "admin-users", "Unban user", "The buyer may log in again; sessions ended by the ban stay ended.",
                security: .admin, parameters: [S.pathID("Buyer id.")], data: S.ref("AdminUserResponse"),
                errors: [400, 401, 40101, 403, 404, 500, 503])),
        ]
    }

    /// The buyer's own profile and address book.
    static var profileRoutes: [Route] {
        let addressID = S.pathID("Address id.")
        let byID = "$response.body#/data/id"
        return [
            Route(method: "get", path: "/api/v1/users/me", operation: S.operation(
                "profile", "My profile", "Nickname, avatar, gender, and the phone number, real name and ID number masked.",
                security: .user, data: S.ref("ProfileResponse"), errors: [401, 40101])),
            Route(method: "put", path: "/api/v1/users/me/profile", operation: S.operation(
                "profile", "Update my profile", "Only the fields given change.",
                security: .user, body: S.jsonBody(S.ref("ProfileUpdateRequest")), data: S.ref("ProfileResponse"),
                errors: [400, 401, 40101, 500, 503])),
            Route(method: "post", path: "/api/v1/users/me/phone", operation: S.operation(
                "profile", "Bind my phone",
                "Binds the phone number WeChat vouches for: send the `code` of a `getPhoneNumber` button. 503 when WeChat phone binding is not configured or WeChat is unreachable.",
                security: .user, body: S.jsonBody(S.ref("PhoneCodeRequest")), data: S.ref("ProfileResponse"),
                errors: [400, 401, 40101, 429, 500, 503])),
            Route(method: "post", path: "/api/v1/users/me/real-name", operation: S.operation(
                "profile", "Verify my real name",
                "Checks the name and the ID number and keeps both masked only; the full values are never stored or shown.",
                security: .user, body: S.jsonBody(S.ref("RealNameRequest")), data: S.ref("ProfileResponse"),
                errors: [400, 401, 40101, 500, 503])),
            Route(method: "get", path: "/api/v1/users/me/addresses", operation: S.operation(
                "profile", "My addresses", "The whole address book, the default first.",
                security: .user, data: S.ref("AddressListResponse"), errors: [401, 40101])),
            Route(method: "post", path: "/api/v1/users/me/addresses", operation: S.operation(
                "profile", "Add address",
                "At most \(IdentityLimits.addressesMax) addresses (409 for one more). The first address becomes the default.",
                security: .user, body: S.jsonBody(S.ref("AddressRequest")), status: "201", data: S.ref("AddressResponse"),
                errors: [400, 401, 40101, 409, 500, 503], links: [
                    "Update": S.link("profileUpdateAddress", "Edit it.", parameters: ["path.id": .string(byID)]),
                    "Delete": S.link("profileDeleteAddress", "Delete it.", parameters: ["path.id": .string(byID)]),
                    "Default": S.link("profileMakeAddressDefault", "Make it the default.", parameters: ["path.id": .string(byID)]),
                ])),
            Route(method: "put", path: "/api/v1/users/me/addresses/{id}", operation: S.operation(
                "profile", "Update address", "Replaces the address; another buyer's address answers 404.",
                security: .user, parameters: [addressID], body: S.jsonBody(S.ref("AddressRequest")), data: S.ref("AddressResponse"),
                errors: [400, 401, 40101, 404, 500, 503])),
            Route(method: "delete", path: "/api/v1/users/me/addresses/{id}", operation: S.operation(
                "profile", "Delete address", "Returns the book that remains; deleting the default makes the newest remaining address the default.",
                security: .user, parameters: [addressID], data: S.ref("AddressListResponse"),
                errors: [400, 401, 40101, 404, 500, 503])),
            Route(method: "post", path: "/api/v1/users/me/addresses/{id}/default", operation: S.operation(
                "profile", "Make address default", "The address becomes the default; the previous default no longer is.",
                security: .user, parameters: [addressID], data: S.ref("AddressResponse"),
                errors: [400, 401, 40101, 404, 500, 503])),
            Route(method: "post", path: "/api/v1/addresses/parse", operation: S.operation(
                "profile", "Parse address",
                "Splits pasted text into recipient, phone number, province, city, district and detail, to fill the address form. Saves nothing.",
                security: .user, body: S.jsonBody(S.ref("AddressParseRequest")), data: S.ref("ParsedAddressResponse"),
                errors: [400, 401, 40101])),
        ]
    }

    /// `route` with the permission `AdminPermissions.byRoute` gives it, for every
    /// `/admin/v1` route that takes a token: `x-permission` (empty: any signed-in
    /// admin), a sentence in the description, and the 403 the check can answer.
    static func statingPermission(_ route: Route) -> Route {
        let key = "\(route.method.uppercased()) \(route.path)"
        guard route.path.hasPrefix("/admin/v1/"), !AdminPermissions.publicRoutes.contains(key),
              let permission = AdminPermissions.byRoute[key], case .object(var members) = route.operation else { return route }
        let sentence = permission.isEmpty
            ? "Any signed-in admin (x-permission empty)."
            : "Needs the permission `\(permission)` (x-permission), from the account's role or granted to it; 403 without."
        if let index = members.firstIndex(where: { $0.key == "description" }), case .string(let text) = members[index].value {
            members[index].value = .string(text + " " + sentence)
        } else {
            let index = members.firstIndex { $0.key == "summary" }.map { $0 + 1 } ?? 0
            members.insert(.init(key: "description", value: .string(sentence)), at: index)
        }
        let afterSecurity = members.firstIndex { $0.key == "security" }.map { $0 + 1 } ?? members.count
        members.insert(.init(key: "x-permission", value: .string(permission)), at: afterSecurity)
        if !permission.isEmpty, let index = members.firstIndex(where: { $0.key == "responses" }),
           case .object(var responses) = members[index].value, !responses.contains(where: { $0.key == "403" }) {
            let at = responses.firstIndex { (Int($0.key) ?? 0) > 403 } ?? responses.count
            responses.insert(.init(key: "403", value: ["$ref": "#/components/responses/E403"]), at: at)
            members[index].value = .object(responses)
        }
        return Route(method: route.method, path: route.path, operation: .object(members))
    }

    /// Every `/api/v1` and `/admin/v1` route but the WeChat Pay callback is rate-limited
    /// (`RateLimitMiddleware`): each lists 429, which carries `Retry-After`.
    static func statingRateLimit(_ route: Route) -> Route {
        guard route.path.hasPrefix("/api/v1/") || route.path.hasPrefix("/admin/v1/"),
              route.path != "/api/v1/payments/wechat/notify", case .object(var members) = route.operation,
              let index = members.firstIndex(where: { $0.key == "responses" }),
              case .object(var responses) = members[index].value, !responses.contains(where: { $0.key == "429" }) else { return route }
        let at = responses.firstIndex { (Int($0.key) ?? 0) > 429 } ?? responses.count
        responses.insert(.init(key: "429", value: ["$ref": "#/components/responses/E429"]), at: at)
        members[index].value = .object(responses)
        return Route(method: route.method, path: route.path, operation: .object(members))
    }
}

