import Engine

private typealias S = OpenAPISchema

/// Schemas of logins and sessions, back-office accounts, buyers as the back
/// office sees them, the audit log, and a buyer's own profile and address book.
/// Request fields state the DTOs' own rules (`TextRule.schema`).
extension OpenAPIDocument {
    static var identitySchemas: [(key: String, value: OpenAPIValue)] {
        authSchemas + adminAccountSchemas + profileSchemas
    }

    private static var authSchemas: [(key: String, value: OpenAPIValue)] {
        [
            ("WeChatLoginRequest", S.object("", required: ["code"], closed: true, [
                "code": WeChatLoginRequest.codeRule.schema("The code from wx.login.", example: "0a3Xkq000sS9VQ1AJw100UOPAK3Xkq0c"),
                "phoneCode": WeChatLoginRequest.codeRule.schema(
                    "Phone-number login: the code a <button open-type=\"getPhoneNumber\"> hands the mini-program; the number is bound in the same call (503 when the server has no WeChat credentials and no --sandbox)."),
            ])),
            ("RefreshRequest", S.object("", required: ["refreshToken"], closed: true, [
                "refreshToken": RefreshRequest.tokenRule.schema(
                    "A refresh token; it rotates on use. The one just spent still gets the current tokens for \(IdentityLimits.refreshLeewayMs / 1000) s (parallel requests refreshing at once); presenting a spent one after that, or an older one, ends the whole session (40101)."),
            ])),
            ("LoginResponse", S.object("", required: ["accessToken", "refreshToken", "tokenType", "expiresIn", "refreshExpiresIn", "user"], [
                "accessToken": S.string("Bearer token for /api/v1, valid 2 h."),
                "refreshToken": S.string("For POST /api/v1/auth/refresh, valid 7 d; replaced by each refresh."),
                "tokenType": S.string("Bearer."),
                "expiresIn": S.integer("Seconds the access token stays valid."),
                "refreshExpiresIn": S.integer("Seconds the refresh token stays valid."),
                "user": S.object("", required: ["id", "isNew", "createdAt"], [
                    "id": S.id("The buyer."), "isNew": S.boolean("Registered by this login."), "createdAt": S.time("Registration."),
                    "phone": S.string("The bound phone number, masked (138****8000); absent when none.", example: "138****8000"),
                ]),
            ])),
            ("AdminLoginRequest", S.object("", required: ["username", "password"], closed: true, [
                "username": AdminLoginRequest.usernameRule.schema("Back-office user name."),
                "password": AdminLoginRequest.passwordRule.schema(
                    "The password. Admin passwords are 8 to \(AdminLoginRequest.passwordBytesMax) UTF-8 bytes (bcrypt reads no more): a longer one is wrong (401)."),
            ])),
            ("AdminLoginResponse", S.object("", required: ["accessToken", "refreshToken", "tokenType", "expiresIn", "refreshExpiresIn", "admin"], [
                "accessToken": S.string("Bearer token for /admin/v1, valid 2 h."),
                "refreshToken": S.string("For POST /admin/v1/auth/refresh, valid 7 d; replaced by each refresh."),
                "tokenType": S.string("Bearer."),
                "expiresIn": S.integer("Seconds the access token stays valid."),
                "refreshExpiresIn": S.integer("Seconds the refresh token stays valid."),
                "admin": S.ref("AdminResponse"),
            ])),
            ("LogoutResponse", S.object("The session has ended: its access and refresh tokens are refused (40101) from now on.",
                                        required: ["loggedOut"], ["loggedOut": S.boolean("Always true.")])),
            ("PasswordChangeRequest", S.object(
                "Rule across fields, refused with 400: newPassword differs from oldPassword. A wrong oldPassword is a 400 on oldPassword.",
                required: ["oldPassword", "newPassword"], closed: true, [
                "oldPassword": AdminLoginRequest.passwordRule.schema("The current password."),
                "newPassword": AdminRules.passwordRule.schema(
                    "The new password; at most \(AdminRules.passwordBytesMax) bytes in UTF-8 (bcrypt reads no more)."),
            ])),
        ]
    }

    private static var adminAccountSchemas: [(key: String, value: OpenAPIValue)] {
        let role = S.enumeration(AdminRole.allCases.map(\.rawValue),
                                 "super_admin holds every permission; admin every one but admin:*; operator reads the shop (no admin:* or audit:*).")
        let permission = S.enumeration(Permission.all, "A permission, module:action.")
        let permissions = S.array(permission, "Granted on top of the role's defaults; repeats are merged.",
                                  counts: 0...AdminRules.permissionsMax)
        let password = AdminRules.passwordRule.schema(
            "At most \(AdminRules.passwordBytesMax) bytes in UTF-8 (bcrypt reads no more).")
        let nextCursor = S.nullable(S.string("Pass as cursor for the next page; absent on the last page."))
        return [
            ("AdminResponse", S.object("A back-office account (never its password hash). Optional fields are absent when unset.",
                                       required: ["id", "username", "role", "permissions", "effectivePermissions", "enabled", "deleted", "activeSessions"], [
                "id": S.id("The admin."), "username": S.string("Login name; cannot change."), "role": role,
                "permissions": S.array(permission, "Granted on top of the role's defaults."),
                "effectivePermissions": S.array(permission, "Everything the account may do now: the role's defaults and the grants."),
                "enabled": S.boolean("False: cannot log in."),
                "deleted": S.boolean("Deleted accounts stay listed (the audit log names them) but cannot log in."),
                "createdAt": S.time("Creation; absent for the account configured at start-up."),
                "lastLoginAt": S.time("Last successful login."),
                "lastLoginIp": S.string("Address of the last successful login."),
                "lockedUntil": S.time("Locked after too many failed logins until then (42901 meanwhile)."),
                "activeSessions": S.integer("Sessions (devices) still open."),
            ])),
            ("AdminListResponse", S.object("Every account, deleted ones included, by id.", required: ["items"], [
                "items": S.array(S.ref("AdminResponse")), "nextCursor": nextCursor,
            ])),
            ("CreateAdminRequest", S.object("A username already taken, also by a deleted account, is a 409.",
                                            required: ["username", "password", "role"], closed: true, [
                "username": AdminRules.usernameRule.schema("Login name; cannot change later."),
                "password": password,
                "role": role,
                "permissions": permissions,
            ])),
            ("UpdateAdminRequest", S.object(
                "Only the fields given change; at least one is required (400). An admin cannot disable or demote itself (409). Disabling the account or setting its password ends its sessions.",
                closed: true, [
                "role": role,
                "permissions": permissions,
                "enabled": S.boolean("False: the account cannot log in and its sessions end."),
                "password": password,
            ])),
            ("AuditEntry", S.object("One back-office write (or a refused attempt).",
                                    required: ["id", "adminId", "username", "action", "target", "ip", "resultCode", "at"], [
                "id": S.id("The entry; newer entries have larger ids."), "adminId": S.id("Who."),
                "username": S.string("Their name at the time."),
                "action": S.string("Method and route.", example: "PATCH /admin/v1/admins/{id}"),
                "target": S.string("The path requested.", example: "/admin/v1/admins/2"),
                "ip": S.string("Client address."),
                "resultCode": S.integer("200, or the API code of the refusal (e.g. 403, 40101)."),
                "at": S.time("When."),
            ])),
            ("AuditListResponse", S.object("", required: ["items"], [
                "items": S.array(S.ref("AuditEntry"), "Newest first."), "nextCursor": nextCursor,
            ])),
            ("BanRequest", S.object("", required: ["reason"], closed: true, [
                "reason": BanRequest.reasonRule.schema("Why; the buyer is told it when a login or refresh is refused (40301).",
                                                       example: "fraudulent orders"),
            ])),
            ("AdminUserResponse", S.object("A buyer as the back office sees it. Optional fields are absent when unset.",
                                           required: ["id", "nickname", "avatarUrl", "gender", "realNameVerified", "banned", "addresses", "activeSessions", "orders", "createdAt"], [
                "id": S.id("The buyer."), "nickname": S.string("Nickname; empty when never set."),
                "avatarUrl": S.string("Avatar URL; empty when never set."),
                "gender": S.enumeration(GenderName.all, "Gender."),
                "phone": S.string("Bound phone number, masked.", example: "138****8000"),
                "realNameVerified": S.boolean("Passed the real-name check."),
                "banned": S.boolean("Banned: logins and refreshes are refused (40301)."),
                "banReason": S.string("Why, when banned."), "bannedAt": S.time("When, when banned."),
                "addresses": S.integer("Addresses in the book."), "activeSessions": S.integer("Sessions (devices) still open."),
                "orders": S.integer("Orders placed."), "createdAt": S.time("Registration."),
            ])),
            ("AdminUserListResponse", S.object("", required: ["items"], [
                "items": S.array(S.ref("AdminUserResponse"), "By id, ascending."), "nextCursor": nextCursor,
            ])),
        ]
    }

    /// For the buyer routes of `profileRoutes`; in the document already so they are checked with the rest.
    private static var profileSchemas: [(key: String, value: OpenAPIValue)] {
        let masked = { (what: String, example: String) in S.nullable(S.string(what + ", masked; absent when none.", example: example)) }
        return [
            ("ProfileResponse", S.object("The buyer's own profile. Phone, real name and ID number only ever leave the server masked.",
                                         required: ["id", "nickname", "avatarUrl", "gender", "createdAt"], [
                "id": S.id("The buyer."), "nickname": S.string("Nickname; empty when never set."),
                "avatarUrl": S.string("Avatar URL; empty when never set."),
                "gender": S.enumeration(GenderName.all, "Gender."),
                "phone": masked("Bound phone number", "138****8000"),
                "realName": masked("Verified real name", "张*"),
                "idNumber": masked("Verified ID number", "1101**********1234"),
                "createdAt": S.time("Registration."),
            ])),
            ("ProfileUpdateRequest", S.object("Only the fields given change; at least one is required (400).", closed: true, [
                "nickname": ProfileUpdateRequest.nicknameRule.schema("Nickname.", example: "小明"),
                "avatarUrl": ProfileUpdateRequest.avatarRule.schema(
                    "Avatar URL: must start with https:// or /uploads/.", example: "https://thirdwx.qlogo.cn/mmopen/abc/132"),
                "gender": S.enumeration(GenderName.all, "Gender."),
            ])),
            ("PhoneCodeRequest", S.object("", required: ["code"], closed: true, [
                "code": WeChatLoginRequest.codeRule.schema(
                    "The code a <button open-type=\"getPhoneNumber\"> hands the mini-program (not the wx.login code)."),
            ])),
            ("RealNameRequest", S.object("Checked, then kept masked only: the full name and ID number are never stored.",
                                         required: ["name", "idNumber"], closed: true, [
                "name": RealNameRequest.nameRule.schema("Name as on the ID card.", example: "张三"),
                "idNumber": RealNameRequest.idNumberRule.schema("Mainland resident ID number; the last character may be X.",
                                                                example: "11010519491231002X"),
            ])),
            ("AddressRequest", S.object(
                "A shipping address. The region codes must name one province and, when given, a city in it and a district in that city. cityCode and districtCode may be left out (regions without them); do not send null. At most \(IdentityLimits.addressesMax) addresses per buyer (409 for one more).",
                required: ["name", "phone", "provinceCode", "detail"], closed: true, [
                "name": AddressRequest.nameRule.schema("Recipient.", example: "张三"),
                "phone": AddressRequest.phoneRule.schema("Recipient's phone number.", example: "13800138000"),
                "provinceCode": AddressRequest.regionCodeRule.schema("Province code (GB/T 2260).", example: "440000"),
                "cityCode": AddressRequest.regionCodeRule.schema("City code; leave out where the province has none.", example: "440300"),
                "districtCode": AddressRequest.regionCodeRule.schema("District code; leave out where the city has none.", example: "440305"),
                "detail": AddressRequest.detailRule.schema("Street, building and room.", example: "科技园南区 1 栋 101"),
                "isDefault": S.boolean("Make it the default address (default false; the first address is always the default)."),
            ])),
            ("AddressResponse", S.object("", required: ["id", "name", "phone", "provinceCode", "province", "detail", "isDefault", "createdAt", "updatedAt"], [
                "id": S.id("The address."), "name": S.string("Recipient."),
                "phone": S.string("Recipient's phone number, masked.", example: "138****8000"),
                "provinceCode": S.string("Province code.", example: "440000"), "province": S.string("Province name.", example: "广东省"),
                "cityCode": S.nullable(S.string("City code; null where there is none.")),
                "city": S.nullable(S.string("City name; null where there is none.")),
                "districtCode": S.nullable(S.string("District code; null where there is none.")),
                "district": S.nullable(S.string("District name; null where there is none.")),
                "detail": S.string("Street, building and room."),
                "isDefault": S.boolean("The default address; exactly one is when the book is not empty."),
                "createdAt": S.time("Creation."), "updatedAt": S.time("Last change."),
            ])),
            ("AddressListResponse", S.object("", required: ["items"], [
                "items": S.array(S.ref("AddressResponse"), "The whole book, at most \(IdentityLimits.addressesMax) addresses."),
            ])),
            ("AddressParseRequest", S.object("", required: ["text"], closed: true, [
                "text": AddressParseRequest.textRule.schema("Pasted text holding a name, a phone number and an address.",
                                                            example: "张三 13800138000 广东省深圳市南山区科技园南区1栋101"),
            ])),
            ("Region", S.object("", required: ["code", "name"], [
                "code": S.string("Division code (GB/T 2260).", example: "440300"), "name": S.string("Full name.", example: "深圳市"),
            ])),
            ("ParsedAddressResponse", S.object(
                "What the text appears to say, to fill the address form for the buyer to check; a part not found is absent. Nothing is saved.",
                required: [], [
                "name": S.nullable(S.string("Recipient.")), "phone": S.nullable(S.string("Phone number.")),
                "province": S.nullable(S.ref("Region")), "city": S.nullable(S.ref("Region")), "district": S.nullable(S.ref("Region")),
                "detail": S.nullable(S.string("The rest: street, building and room.")),
            ])),
        ]
    }
}
