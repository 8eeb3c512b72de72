/// Splits a pasted shipping address ("张三 13800138000 广东省深圳市南山区科技园路1号")
/// into name, phone, province, city, district and detail.
///
/// The parts may come in any order, separated by spaces, commas (，、), line
/// breaks or colons, with labels (收货人：, 手机号码:, 所在地区：, 详细地址:), in
/// full-width characters. Phone numbers are found in any common grouping
/// (138-0013-8000, +86 138 0013 8000, 0755-12345678). Divisions are read
/// from where the address starts, by full or short name (see `RegionMatcher`);
/// whatever the reader cannot settle without guessing stays in `detail`.
///
/// Names: a labelled piece, else a piece of 2–4 Chinese characters starting
/// with a common surname (`ChineseSurname`) and holding no address word (路,
/// 号, 栋...), else a minority name with · (3–12 characters). A name written
/// before the address without a space (张三广东省...) is split off; one written
/// after the detail without a space is not (it stays in the detail).
public enum AddressParser {
    /// Longer input is not parsed at all (`isInputTooLong`): a pasted address
    /// is well under 100 characters, and a bound keeps the work per request small.
    public static let inputScalarsMax = 200

    /// Never traps: empty text, emoji, control characters and the like give
    /// an address with fewer parts.
    /// - Complexity: O(n · m), n ≤ `inputScalarsMax` and m the longest region name.
    public static func parse(_ text: String, regions: RegionTable = .shared) -> ParsedAddress {
        guard text.unicodeScalars.dropFirst(inputScalarsMax).isEmpty else { return ParsedAddress(isInputTooLong: true) }
        var scalars = AddressText.normalized(text)
        let phone = takePhone(from: &scalars)
        let matcher = RegionMatcher(table: regions)
        var tokens = labelled(AddressText.tokens(scalars), matcher: matcher)
        let name = takeName(from: &tokens, matcher: matcher)
        var address = readAddress(tokens, matcher: matcher)
        address.name = name
        address.phone = phone?.text
        return address
    }

    /// Removes the number kept as the phone: the first mobile, else the first
    /// landline with an area code, else the first without. Other numbers stay.
    private static func takePhone(from scalars: inout [Unicode.Scalar]) -> PhoneNumber? {
        let matches = PhoneScanner.matches(in: scalars)
        let chosen = matches.first { $0.number.isMobile }
            ?? matches.first { if case .landline(_?, _) = $0.number { true } else { false } }
            ?? matches.first
        guard let chosen else { return nil }
        scalars.replaceSubrange(chosen.range, with: repeatElement(AddressText.space, count: chosen.range.count))
        return chosen.number
    }

    /// Reads divisions from the first piece that starts with one; the rest of
    /// that text, then any pieces before it, make the detail.
    private static func readAddress(_ tokens: [AddressToken], matcher: RegionMatcher) -> ParsedAddress {
        let start = tokens.firstIndex { matcher.startsWithRegion($0.scalars) } ?? tokens.endIndex
        let text = Array(tokens[start...].map(\.scalars).joined(separator: [AddressText.space]))
        let match = matcher.match(text)
        let leading = tokens[..<start].map(\.scalars)
        let detailScalars = [Array(text[match.end...])] + leading
        let detail = collapsedSpaces(Array(detailScalars.joined(separator: [AddressText.space])))
        return ParsedAddress(province: match.province, city: match.city, district: match.district,
                             detail: detail.isEmpty ? nil : detail)
    }

    private static func collapsedSpaces(_ scalars: [Unicode.Scalar]) -> String {
        var result: [Unicode.Scalar] = []
        for scalar in scalars {
            if scalar == AddressText.space, result.isEmpty || result.last == AddressText.space { continue }
            result.append(scalar)
        }
        if result.last == AddressText.space { result.removeLast() }
        return AddressText.string(result)
    }
}
