import Engine

/// `PUT /api/v1/users/me/profile`: only the fields given change.
struct ProfileUpdateRequest: Decodable, Sendable {
    var nickname: String?
    var avatarURL: String?
    var gender: Gender?

    static let nicknameRule = TextRule(.text, 1...32)
    /// An https URL (uploads are served from this server or object storage).
    static let avatarRule = TextRule(.visibleASCII, 1...512)

    enum CodingKeys: String, CodingKey, CaseIterable { case nickname, avatarUrl, gender }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        nickname = try container.optional(String.self, .nickname)
        avatarURL = try container.optional(String.self, .avatarUrl)
        let genderName = try container.optional(String.self, .gender)
        if let genderName {
            guard let gender = GenderName.gender(genderName) else {
                throw APIError.invalid("gender", "must be one of \(GenderName.all.joined(separator: ", "))")
            }
            self.gender = gender
        }
    }

    func validated() throws(APIError) -> ProfileUpdateRequest {
        var validation = Validation()
        if let nickname { validation.text(nickname, "nickname", Self.nicknameRule) }
        if let avatarURL {
            validation.text(avatarURL, "avatarUrl", Self.avatarRule)
            validation.require(avatarURL.hasPrefix("https://") || avatarURL.hasPrefix("/uploads/"), "avatarUrl",
                               "must start with https:// or /uploads/")
        }
        validation.require(nickname != nil || avatarURL != nil || gender != nil, "body",
                           "must change at least one of nickname, avatarUrl, gender")
        try validation.check()
        return self
    }
}

/// `POST /api/v1/users/me/real-name`: checked, then kept masked only.
struct RealNameRequest: Decodable, Sendable {
    var name: String
    var idNumber: String

    static let nameRule = TextRule(.text, 2...20)
    static let idNumberRule = TextRule(.visibleASCII, 18...18)

    enum CodingKeys: String, CodingKey, CaseIterable { case name, idNumber }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.required(String.self, .name)
        idNumber = try container.required(String.self, .idNumber)
    }
}

/// `POST /api/v1/users/me/addresses` and `PUT .../addresses/{id}`.
struct AddressRequest: Decodable, Sendable {
    var name: String
    var phone: String
    var provinceCode: String
    var cityCode: String
    var districtCode: String
    var detail: String
    var isDefault: Bool

    static let nameRule = TextRule(.text, 1...20)
    static let phoneRule = TextRule(.visibleASCII, 11...20)
    static let regionCodeRule = TextRule(.digits, 6...6)
    static let detailRule = TextRule(.text, 2...120)

    enum CodingKeys: String, CodingKey, CaseIterable { case name, phone, provinceCode, cityCode, districtCode, detail, isDefault }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.required(String.self, .name)
        phone = try container.required(String.self, .phone)
        provinceCode = try container.required(String.self, .provinceCode)
        cityCode = try container.required(String.self, .cityCode)
        districtCode = try container.required(String.self, .districtCode)
        detail = try container.required(String.self, .detail)
        isDefault = try container.optional(Bool.self, .isDefault) ?? false
    }
}

/// `POST /api/v1/addresses/parse`.
struct AddressParseRequest: Decodable, Sendable {
    var text: String

    static let textRule = TextRule(.text, 1...200)

    enum CodingKeys: String, CodingKey, CaseIterable { case text }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        text = try container.required(String.self, .text)
    }

    func validated() throws(APIError) -> String {
        var validation = Validation()
        validation.text(text, "text", Self.textRule)
        try validation.check()
        return text
    }
}
