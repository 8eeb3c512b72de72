/// A mainland China mobile number: eleven digits, `1[3-9]` then nine more.
///
/// Accepts what users paste: 13800138000, 138-0013-8000, 138 0013 8000,
/// +86 13800138000, 86-13800138000, 0086 13800138000, full-width digits.
/// `description` is the masked form, so a phone never lands whole in a log.
public struct MainlandPhone: Sendable, Hashable, CustomStringConvertible {
    /// Longer input is refused before it is looked at.
    public static let inputScalarsMax = 32

    /// The eleven digits, e.g. "13800138000".
    public let digits: String

    /// - Throws: `IdentityFieldError.phoneFormat` for anything but a mobile number
    ///   in one of the accepted formats.
    public init(_ text: String) throws(IdentityFieldError) {
        guard text.unicodeScalars.count <= Self.inputScalarsMax else { throw .phoneFormat }
        var numbers: [UInt8] = []
        var hasPlus = false
        for scalar in text.unicodeScalars.map(AddressText.halfWidth) {
            if AddressText.isDigit(scalar) {
                numbers.append(UInt8(scalar.value - 0x30))
            } else if scalar == "+" {
                guard numbers.isEmpty, !hasPlus else { throw .phoneFormat }  // only "+86 ..."
                hasPlus = true
            } else if !" -()\t\n\r".unicodeScalars.contains(scalar) {
                throw .phoneFormat
            }
        }
        guard !hasPlus || numbers.starts(with: [8, 6]) else { throw .phoneFormat }  // +1 ... is not mainland
        guard let phone = MainlandPhone(digits: PhoneNumber.withoutCountryCode(numbers)) else { throw .phoneFormat }
        self = phone
    }

    /// - Parameter digits: values 0–9, no country code.
    init?(digits: [UInt8]) {
        guard digits.count == 11, digits[0] == 1, (3...9).contains(digits[1]), digits.allSatisfy({ $0 <= 9 }) else {
            return nil
        }
        self.digits = String(decoding: digits.map { $0 + 0x30 }, as: UTF8.self)
    }

    /// The first three and last four digits: "138****8000".
    public var masked: String { Self.masked(digits) }

    /// The same mask for a stored number: first three and last four characters, all hidden when shorter than 7.
    public static func masked(_ digits: String) -> String {
        guard digits.count >= 7 else { return String(repeating: "*", count: digits.count) }
        return String(digits.prefix(3)) + "****" + String(digits.suffix(4))
    }

    public var description: String { masked }
}
