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

    /// The checked name and number; only their masked forms are kept.
    func validated() throws(APIError) -> (RealName, ChineseIDNumber) {
        var validation = Validation()
        validation.text(name, "name", Self.nameRule)
        validation.text(idNumber, "idNumber", Self.idNumberRule)
        try validation.check()
        var realName: RealName?
        var number: ChineseIDNumber?
        do { realName = try RealName(name) } catch { validation.require(false, "name", error.description) }
        do { number = try ChineseIDNumber(idNumber) } catch { validation.require(false, "idNumber", error.description) }
        try validation.check()
        guard let realName, let number else { throw APIError(.invalidInput) }
        return (realName, number)
    }
}

/// `POST /api/v1/users/me/addresses` and `PUT .../addresses/{id}`.
struct AddressRequest: Decodable, Sendable {
    var name: String
    var phone: String
    var provinceCode: String
    var cityCode: String?
    var districtCode: String?
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
        cityCode = try container.optional(String.self, .cityCode)
        districtCode = try container.optional(String.self, .districtCode)
        detail = try container.required(String.self, .detail)
        isDefault = try container.optional(Bool.self, .isDefault) ?? false
    }

    /// Checks every field, the region triple against the division table, and the
    /// phone number; answers the address with the region names filled in.
    func validated(regions: RegionTable = .shared) throws(APIError) -> AddressBook.AddressInput {
        var validation = Validation()
        validation.text(name, "name", Self.nameRule)
        validation.text(phone, "phone", Self.phoneRule)
        validation.text(provinceCode, "provinceCode", Self.regionCodeRule)
        if let cityCode { validation.text(cityCode, "cityCode", Self.regionCodeRule) }
        if let districtCode { validation.text(districtCode, "districtCode", Self.regionCodeRule) }
        validation.text(detail, "detail", Self.detailRule)
        try validation.check()
        var mobile: MainlandPhone?
        do { mobile = try MainlandPhone(phone) } catch { validation.require(false, "phone", error.description) }
        var path: RegionPath?
        do {
            path = try regions.validate(provinceCode: Int(provinceCode) ?? 0, cityCode: cityCode.flatMap { Int($0) },
                                        districtCode: districtCode.flatMap { Int($0) })
        } catch {
            validation.require(false, error.field, error.description)
        }
        try validation.check()
        guard let mobile, let path else { throw APIError(.invalidInput) }
        return AddressBook.AddressInput(
            name: name, phone: mobile.digits, provinceCode: String(path.province.code), province: path.province.name,
            cityCode: path.city.map { String($0.code) } ?? "", city: path.city?.name ?? "",
            districtCode: path.district.map { String($0.code) } ?? "", district: path.district?.name ?? "",
            detail: detail, isDefault: isDefault)
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

/// The buyer's own account as the mini-program shows it: numbers masked.
struct ProfileResponse: Encodable, Sendable {
    var id: EntityID
    var nickname: String
    var avatarUrl: String
    var gender: String
    var phone: String?
    var realName: String?
    var idNumber: String?
    var createdAt: String

    init(_ user: User, _ identity: UserIdentity) {
        let profile = identity.profile
        id = EntityID(user.id)
        nickname = profile.nickname
        avatarUrl = profile.avatarURL
        gender = GenderName.name(profile.gender)
        phone = profile.phone.isEmpty ? nil : MainlandPhone.masked(profile.phone)
        realName = profile.maskedRealName.isEmpty ? nil : profile.maskedRealName
        idNumber = profile.maskedIDNumber.isEmpty ? nil : profile.maskedIDNumber
        createdAt = APITime.format(ms: user.createdAtMs)
    }
}

struct AddressResponse: Encodable, Sendable {
    var id: EntityID
    var name: String
    var phone: String
    var provinceCode: String
    var province: String
    var cityCode: String?
    var city: String?
    var districtCode: String?
    var district: String?
    var detail: String
    var isDefault: Bool
    var createdAt: String
    var updatedAt: String

    init(_ address: Address) {
        id = EntityID(address.id)
        name = address.name
        phone = MainlandPhone.masked(address.phone)
        provinceCode = address.provinceCode
        province = address.province
        cityCode = address.cityCode.isEmpty ? nil : address.cityCode
        city = address.city.isEmpty ? nil : address.city
        districtCode = address.districtCode.isEmpty ? nil : address.districtCode
        district = address.district.isEmpty ? nil : address.district
        detail = address.detail
        isDefault = address.isDefault
        createdAt = APITime.format(ms: address.createdAtMs)
        updatedAt = APITime.format(ms: address.updatedAtMs)
    }
}

struct AddressListResponse: Encodable, Sendable {
    var items: [AddressResponse]

    init(_ addresses: [Address]) { items = addresses.map(AddressResponse.init) }
}

/// What the parser found; every part may be missing.
struct ParsedAddressResponse: Encodable, Sendable {
    struct RegionResponse: Encodable, Sendable {
        var code: String
        var name: String
    }

    var name: String?
    var phone: String?
    var province: RegionResponse?
    var city: RegionResponse?
    var district: RegionResponse?
    var detail: String?

    init(_ parsed: ParsedAddress) {
        name = parsed.name
        phone = parsed.phone
        province = parsed.province.map { RegionResponse(code: String($0.code), name: $0.name) }
        city = parsed.city.map { RegionResponse(code: String($0.code), name: $0.name) }
        district = parsed.district.map { RegionResponse(code: String($0.code), name: $0.name) }
        detail = parsed.detail
    }
}
