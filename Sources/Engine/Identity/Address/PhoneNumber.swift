/// A mainland phone number recognised in pasted text: a mobile number, or a
/// landline with or without its area code.
enum PhoneNumber: Sendable, Hashable {
    case mobile(MainlandPhone)
    /// `areaCode` keeps its leading 0 (0755, 010); nil when the text had none.
    case landline(areaCode: String?, subscriber: String)

    /// The canonical text: "13800138000", "0755-12345678" or "12345678".
    var text: String {
        switch self {
        case .mobile(let phone): phone.digits
        case .landline(let areaCode?, let subscriber): areaCode + "-" + subscriber
        case .landline(nil, let subscriber): subscriber
        }
    }

    var isMobile: Bool {
        if case .mobile = self { true } else { false }
    }

    /// Classifies bare digits, a country code (86 or 0086) allowed before a mobile.
    /// - Parameter allowsLocal: whether seven or eight digits alone count as a
    ///   landline without area code; the scanner allows it only for one unbroken group.
    init?(digits: [UInt8], allowsLocal: Bool) {
        if let phone = MainlandPhone(digits: Self.withoutCountryCode(digits)) {
            self = .mobile(phone)
        } else if let landline = Self.landline(digits, allowsLocal: allowsLocal) {
            self = landline
        } else if let national = Self.withoutCountryCodeForLandline(digits), let landline = Self.landline(national, allowsLocal: false) {
            self = landline
        } else {
            return nil
        }
    }

    /// 8613800138000 and 008613800138000 → 13800138000; anything else unchanged.
    static func withoutCountryCode(_ digits: [UInt8]) -> [UInt8] {
        if digits.count == 13, digits.starts(with: [8, 6]) { return Array(digits.dropFirst(2)) }
        if digits.count == 15, digits.starts(with: [0, 0, 8, 6]) { return Array(digits.dropFirst(4)) }
        return digits
    }

    /// +86 755 12345678 → 0755 12345678 (the 0 is dropped after the country
    /// code); +86 0755 ... keeps it. Nil without a country code.
    private static func withoutCountryCodeForLandline(_ digits: [UInt8]) -> [UInt8]? {
        let national: ArraySlice<UInt8>
        if digits.starts(with: [0, 0, 8, 6]) {
            national = digits.dropFirst(4)
        } else if digits.starts(with: [8, 6]) {
            national = digits.dropFirst(2)
        } else {
            return nil
        }
        return national.first == 0 ? Array(national) : [0] + national
    }

    /// Area codes are 010 and 02x (three digits, eight-digit numbers) or four
    /// digits 03xx–09xx (seven- or eight-digit numbers). A subscriber number
    /// never starts with 0; alone, without an area code, it must not start
    /// with 1 either (those are service numbers), which keeps a room or order
    /// number from passing for a phone.
    private static func landline(_ digits: [UInt8], allowsLocal: Bool) -> PhoneNumber? {
        func subscriber(_ rest: ArraySlice<UInt8>, firstDigitMin: UInt8) -> String? {
            guard (7...8).contains(rest.count), let first = rest.first, first >= firstDigitMin else { return nil }
            return String(decoding: rest.map { $0 + 0x30 }, as: UTF8.self)
        }
        func code(_ prefix: ArraySlice<UInt8>) -> String { String(decoding: prefix.map { $0 + 0x30 }, as: UTF8.self) }
        guard digits.first == 0 else {
            guard allowsLocal, let number = subscriber(digits[...], firstDigitMin: 2) else { return nil }
            return .landline(areaCode: nil, subscriber: number)
        }
        guard digits.count >= 2 else { return nil }
        let areaCodeCount = digits[1] <= 2 ? 3 : 4
        guard digits.count > areaCodeCount, digits[1] != 0, digits[1] != 1 || digits[2] == 0 else { return nil }  // 010, not 01x
        let rest = digits[areaCodeCount...]
        guard let number = subscriber(rest, firstDigitMin: 1), areaCodeCount == 4 || rest.count == 8 else { return nil }
        return .landline(areaCode: code(digits[..<areaCodeCount]), subscriber: number)
    }
}
