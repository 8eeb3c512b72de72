extension AddressParser {
    /// Characters that make a piece an address word, not a name (科技园, 张江镇).
    /// Checked after the first character, which may be a surname (路, 庄).
    private static let addressWordCharacters: Set<Unicode.Scalar> =
        Set("省市区县镇乡村路街道巷弄号栋幢楼室苑园厦场院屯湾寓座层庄城阁居府馆厂店司局校所部队门口".unicodeScalars)
    static let plainNameScalarsRange = 2...4
    static let dottedNameScalarsRange = 3...12

    /// Takes the name out of the pieces: a labelled one, else the first that
    /// looks like a name, else one glued before the address.
    static func takeName(from tokens: inout [AddressToken], matcher: RegionMatcher) -> String? {
        if let index = tokens.firstIndex(where: { $0.label == .name && isLabelledName($0.scalars) }) {
            return takeLabelledName(at: index, from: &tokens)
        }
        if let index = tokens.firstIndex(where: { $0.label == .none && looksLikeName($0.scalars, matcher: matcher) }) {
            return tokens.remove(at: index).text
        }
        for index in tokens.indices where tokens[index].label == .none {
            let scalars = tokens[index].scalars
            guard !matcher.startsWithRegion(scalars) else { continue }
            for length in plainNameScalarsRange where length < scalars.count {
                let name = scalars[..<length]
                if looksLikeName(name, matcher: matcher), matcher.startsWithRegion(scalars[length...]) {
                    tokens[index].scalars.removeFirst(length)
                    return AddressText.string(name)
                }
            }
        }
        return nil
    }

    /// A labelled name is trusted whatever it looks like, within `RealName`'s
    /// length and without digits; a Latin one takes the Latin words after it
    /// (收货人: Tom Smith).
    private static func takeLabelledName(at index: Int, from tokens: inout [AddressToken]) -> String {
        var words = [tokens.remove(at: index).text]
        let isLatin: (AddressToken) -> Bool = { token in token.scalars.allSatisfy(AddressText.isASCIILetter) }
        if let first = words.first, first.unicodeScalars.allSatisfy(AddressText.isASCIILetter) {
            while index < tokens.count, tokens[index].label == .none, isLatin(tokens[index]),
                  (words + [tokens[index].text]).joined(separator: " ").count <= RealName.lengthRange.upperBound {
                words.append(tokens.remove(at: index).text)
            }
        }
        return words.joined(separator: " ")
    }

    private static func isLabelledName(_ scalars: [Unicode.Scalar]) -> Bool {
        scalars.count <= RealName.lengthRange.upperBound && !scalars.contains(where: AddressText.isDigit)
    }

    static func looksLikeName(_ scalars: some Collection<Unicode.Scalar>, matcher: RegionMatcher) -> Bool {
        guard scalars.allSatisfy({ AddressText.isCJK($0) || $0 == AddressText.middleDot }) else { return false }
        if scalars.contains(AddressText.middleDot) {
            return dottedNameScalarsRange.contains(scalars.count) && RealName.hasDotsOnlyBetweenParts(Array(scalars))
        }
        guard plainNameScalarsRange.contains(scalars.count), ChineseSurname.length(at: scalars) > 0 else { return false }
        guard !scalars.dropFirst().contains(where: addressWordCharacters.contains) else { return false }
        return matcher.table.entriesByName[AddressText.string(scalars)] == nil && !matcher.startsWithRegion(scalars)
    }
}
