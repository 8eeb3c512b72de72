import Foundation

/// A person's real name as a consignee or for real-name checks: 2 to 20
/// characters, either Chinese characters (with · between the parts of a
/// minority or transliterated name: 买买提·艾力) or, for foreign names, Latin
/// letters with single spaces between words (accents allowed: José Núñez).
/// Dot look-alikes (•, ・, ･) become ·; runs of spaces become one; surrounding
/// spaces are dropped. `description` is the masked form.
public struct RealName: Sendable, Hashable, CustomStringConvertible {
    public static let lengthRange = 2...20
    /// Longer input is refused before it is normalised.
    static let inputScalarsMax = 80

    public let value: String
    public let isChinese: Bool

    public init(_ text: String) throws(IdentityFieldError) {
        let scalarCount = text.unicodeScalars.count
        guard scalarCount <= Self.inputScalarsMax else { throw .realNameLength(countFound: scalarCount) }
        let scalars = Self.normalized(text)
        guard Self.lengthRange.contains(scalars.count) else { throw .realNameLength(countFound: scalars.count) }
        if scalars.allSatisfy({ AddressText.isCJK($0) || $0 == AddressText.middleDot }) {
            guard Self.hasDotsOnlyBetweenParts(scalars) else { throw .realNameCharacters }
            isChinese = true
        } else if scalars.allSatisfy({ Self.isLatinLetter($0) || $0 == " " }) {
            isChinese = false
        } else {
            throw .realNameCharacters
        }
        value = AddressText.string(scalars)
    }

    /// Chinese: the surname (a compound one whole, when the name is longer
    /// than it) then one asterisk per character, · kept: 张*, 欧阳**, 买**·**.
    /// Latin: the first letter of each word: J*** S****.
    public var masked: String {
        let scalars = Array(value.unicodeScalars)
        let keptCount = isChinese ? max(1, min(ChineseSurname.length(at: scalars), scalars.count - 1)) : 0
        var result = String.UnicodeScalarView()
        for (offset, scalar) in scalars.enumerated() {
            let startsWord = !isChinese && (offset == 0 || scalars[offset - 1] == " ")
            let isKept = offset < keptCount || startsWord || scalar == " " || scalar == AddressText.middleDot
            result.append(isKept ? scalar : "*")
        }
        return String(result)
    }

    public var description: String { masked }

    /// Precomposed (so é is one letter), dots unified, spaces collapsed and trimmed.
    private static func normalized(_ text: String) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            let mapped: Unicode.Scalar = switch scalar.value {
            case 0x2022, 0x2027, 0x2219, 0x22C5, 0x30FB, 0xFF65: AddressText.middleDot
            case 0x3000, 0x09, 0x0A, 0x0D, 0xA0: " "
            default: scalar
            }
            if mapped == " ", result.last == " " || result.isEmpty { continue }
            result.append(mapped)
        }
        if result.last == " " { result.removeLast() }
        return result
    }

    /// No · first, last or twice in a row.
    static func hasDotsOnlyBetweenParts(_ scalars: [Unicode.Scalar]) -> Bool {
        guard scalars.first != AddressText.middleDot, scalars.last != AddressText.middleDot else { return false }
        return !zip(scalars, scalars.dropFirst()).contains { $0 == AddressText.middleDot && $1 == AddressText.middleDot }
    }

    /// Letters of the Latin blocks up to Latin Extended-B: no digits, no Cyrillic.
    private static func isLatinLetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x250 && scalar.properties.isAlphabetic
    }
}
