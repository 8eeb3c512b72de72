import Foundation

/// An 18-character mainland resident identity number (GB 11643-1999):
/// six digits of region, eight of birth date (YYYYMMDD), three of sequence,
/// then a check character (0–9 or X) by ISO 7064 MOD 11-2.
///
/// Only the province part of the region is checked: the six digits name the
/// place of first registration, which may since have been abolished or
/// renumbered, so the current table cannot judge them. A lowercase x is
/// accepted and stored as X (phone keyboards offer it first); surrounding
/// spaces and full-width characters are tolerated. Whether the birth date lies
/// in the past is the caller's check against its clock: the engine has none here.
/// `description` is the masked form, so a number never lands whole in a log.
public struct ChineseIDNumber: Sendable, Hashable, CustomStringConvertible {
    public struct BirthDate: Sendable, Hashable, Comparable {
        public let year: Int
        public let month: Int
        public let day: Int

        public static func < (lhs: BirthDate, rhs: BirthDate) -> Bool {
            (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
        }
    }

    static let characterCount = 18
    /// Longer input is refused before it is normalised.
    static let inputScalarsMax = 64
    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// The eighteen characters, X uppercase.
    public let value: String
    public let birthDate: BirthDate
    /// The first six digits: the division of first registration.
    public let regionCode: Int

    /// - Throws: the first rule broken, in the order length, characters, region,
    ///   birth date, checksum.
    public init(_ text: String, regions: RegionTable = .shared) throws(IdentityFieldError) {
        let scalarCount = text.unicodeScalars.count
        guard scalarCount <= Self.inputScalarsMax else { throw .idNumberLength(countFound: scalarCount) }
        let scalars = AddressText.normalized(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard scalars.count == Self.characterCount else { throw .idNumberLength(countFound: scalars.count) }
        let digits = scalars.prefix(17).compactMap { AddressText.isDigit($0) ? Int($0.value - 0x30) : nil }
        let last: Character = scalars[17] == "x" ? "X" : Character(scalars[17])
        guard digits.count == 17, last == "X" || last.isASCII && last.isNumber else { throw .idNumberCharacters }
        guard let province = regions.region(code: (digits[0] * 10 + digits[1]) * 10_000), province.level == .province else {
            throw .idNumberRegion
        }
        guard let birthDate = Self.birthDate(digits[6..<14]) else { throw .idNumberBirthDate }
        guard Self.checkCharacter(digits) == last else { throw .idNumberChecksum }
        self.value = digits.map(String.init).joined() + String(last)
        self.regionCode = digits[0..<6].reduce(0) { $0 * 10 + $1 }
        self.birthDate = birthDate
    }

    /// The first four and last four characters, ten asterisks between:
    /// "1101**********1234". Four digits of region say no more than a city.
    public var masked: String { String(value.prefix(4)) + String(repeating: "*", count: 10) + String(value.suffix(4)) }

    public var description: String { masked }

    /// ISO 7064 MOD 11-2 over the first seventeen digits; nil unless `digits` holds seventeen values 0–9.
    static func checkCharacter(_ digits: some Collection<Int>) -> Character? {
        guard digits.count == 17, digits.allSatisfy({ (0...9).contains($0) }) else { return nil }
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    private static func birthDate(_ digits: ArraySlice<Int>) -> BirthDate? {
        let values = Array(digits)
        let year = values[0..<4].reduce(0) { $0 * 10 + $1 }
        let month = values[4] * 10 + values[5]
        let day = values[6] * 10 + values[7]
        guard (1900...2099).contains(year), (1...12).contains(month), day >= 1 else { return nil }
        let isLeapYear = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let daysInMonth = [31, isLeapYear ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= daysInMonth[month - 1] else { return nil }
        return BirthDate(year: year, month: month, day: day)
    }
}
