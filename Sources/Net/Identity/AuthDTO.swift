/// `POST /api/v1/auth/wechat/login`: the code from `wx.login` (real ones are 32 characters),
/// and for a phone-number login the code of the phone-number button too. Also the body of
/// `POST /api/v1/users/me/phone`, which takes `code` alone.
struct WeChatLoginRequest: Decodable, Sendable {
    var code: String
    var phoneCode: String?

    static let codeRule = TextRule(.visibleASCII, 1...128)

    enum CodingKeys: String, CodingKey, CaseIterable { case code, phoneCode }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        code = try container.required(String.self, .code)
        phoneCode = try container.optional(String.self, .phoneCode)
    }

    init(code: String) { self.code = code }

    func validated() throws(APIError) -> String {
        try validatedWithPhone().code
    }

    func validatedWithPhone() throws(APIError) -> (code: String, phoneCode: String?) {
        var validation = Validation()
        validation.text(code, "code", Self.codeRule)
        if let phoneCode { validation.text(phoneCode, "phoneCode", Self.codeRule) }
        try validation.check()
        return (code, phoneCode)
    }
}

/// `POST /api/v1/auth/refresh`.
struct RefreshRequest: Decodable, Sendable {
    var refreshToken: String

    /// A JWT: this server's are about 300 characters.
    static let tokenRule = TextRule(.jwt, 1...4096)

    enum CodingKeys: String, CodingKey, CaseIterable { case refreshToken }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        refreshToken = try container.required(String.self, .refreshToken)
    }

    init(refreshToken: String) { self.refreshToken = refreshToken }

    func validated() throws(APIError) -> String {
        var validation = Validation()
        validation.text(refreshToken, "refreshToken", Self.tokenRule)
        try validation.check()
        return refreshToken
    }
}

/// `POST /admin/v1/auth/login`.
struct AdminLoginRequest: Decodable, Sendable {
    var username: String
    var password: String

    static let usernameRule = TextRule(.text, 1...64)
    /// Any password the schema allows is checked; one longer than bcrypt's 72
    /// bytes cannot be an admin's (see `passwordBytesMax`) and is simply wrong.
    static let passwordRule = TextRule(.anyButNUL, 1...1024)
    /// bcrypt reads at most 72 bytes: a longer password would match on its
    /// first 72 alone, so it never matches (401), and no admin can set one.
    static let passwordBytesMax = 72

    enum CodingKeys: String, CodingKey, CaseIterable { case username, password }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        username = try container.required(String.self, .username)
        password = try container.required(String.self, .password)
    }

    init(username: String, password: String) { (self.username, self.password) = (username, password) }

    func validated() throws(APIError) -> AdminLoginRequest {
        var validation = Validation()
        validation.text(username, "username", Self.usernameRule)
        validation.text(password, "password", Self.passwordRule)
        try validation.check()
        return self
    }

    /// Whether bcrypt can judge the password: NUL-free (checked) and at most 72 bytes.
    var isPasswordCheckable: Bool { password.utf8.count <= Self.passwordBytesMax }
}
