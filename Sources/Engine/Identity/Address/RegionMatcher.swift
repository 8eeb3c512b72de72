/// Reads province, city and district names off the start of address text,
/// each level after the one before, full names or short ones (广东深圳南山).
///
/// The longest name at a position wins; between levels with a name of the
/// same length, the higher level wins (北京市 is the province, not its city
/// row). A name shared by several divisions that the province or city already
/// read cannot settle (鼓楼区, 朝阳区 with no city before) stops the reading:
/// it is left in the detail, never guessed.
struct RegionMatcher {
    struct Match: Sendable, Equatable {
        var province: Region?
        var city: Region?
        var district: Region?
        /// Scalars consumed from the start of the text.
        var end: Int = 0
    }

    private enum Step {
        case region(Region, length: Int, isShortName: Bool)
        /// Two cities of the province's own name (重庆市 500100 and 500200):
        /// the district read next decides which.
        case municipalityCity(length: Int)
        case ambiguous
    }

    /// Characters that begin a street or place word: a short name followed by
    /// one is that word's start (天河路, 南山大道, 白云山), not a division.
    private static let placeWordStarts: Set<Unicode.Scalar> = Set("路街道巷弄胡村镇乡号桥大广园小门站城湖山江河海里口苑花公".unicodeScalars)
    /// A direction before a street word: 北京东路, 广州北路, 上海中路.
    private static let directions: Set<Unicode.Scalar> = Set("东西南北中".unicodeScalars)
    private static let streetWords: Set<Unicode.Scalar> = Set("路街道巷大".unicodeScalars)

    let table: RegionTable

    /// - Complexity: O(k · m²) scalars looked up, k ≤ 3 levels read and m the longest name.
    func match(_ text: [Unicode.Scalar]) -> Match {
        var result = Match()
        var deepest: RegionLevel?
        // At most province, city (or a municipality's pending city) and district.
        for _ in 0..<3 {
            var position = result.end
            while position < text.count, text[position] == " " { position += 1 }
            guard let step = step(text, at: position, context: result, deepest: deepest) else { break }
            switch step {
            case .ambiguous:
                return completed(result)
            case .municipalityCity(let length):
                result.end = position + length
                deepest = .city
            case .region(let region, let length, let isShortName):
                result.end = position + length
                if isShortName, region.level == .province, result.end < text.count, text[result.end] == "省" {
                    result.end += 1  // 广西省, 新疆省: a common slip, still the province
                }
                place(region, in: &result)
                deepest = region.level
            }
            if deepest == .district { break }
        }
        return completed(result)
    }

    /// Whether the text starts with any division name, ambiguous ones included.
    func startsWithRegion(_ text: some Collection<Unicode.Scalar>) -> Bool {
        step(Array(text), at: 0, context: Match(), deepest: nil) != nil
    }

    private func step(_ text: [Unicode.Scalar], at position: Int, context: Match, deepest: RegionLevel?) -> Step? {
        guard let (length, candidates) = longestCandidates(text, at: position, context: context, deepest: deepest) else {
            return nil
        }
        guard let topLevel = candidates.map(\.region.level).min() else { return nil }
        let top = candidates.filter { $0.region.level == topLevel }
        if top.count == 1, let only = top.first {
            return .region(only.region, length: length, isShortName: only.isShortName)
        }
        if let province = context.province, topLevel == .city, top.allSatisfy({ $0.region.parentCode == province.code }) {
            return .municipalityCity(length: length)
        }
        return .ambiguous
    }

    /// The divisions named by the longest prefix at `position` that fit the
    /// context: below the deepest level read, inside the province and city read.
    private func longestCandidates(_ text: [Unicode.Scalar], at position: Int, context: Match, deepest: RegionLevel?)
        -> (Int, [(region: Region, isShortName: Bool)])?
    {
        let lengthMax = min(table.nameScalarsMax, text.count - position)
        guard lengthMax >= 2 else { return nil }
        for length in stride(from: lengthMax, through: 2, by: -1) {
            guard let entries = table.entriesByName[AddressText.string(text[position..<(position + length)])] else { continue }
            let following = text[(position + length)...].prefix(2)
            var fitting: [(region: Region, isShortName: Bool)] = []
            for entry in entries {
                let region = table.region(at: entry.regionIndex)
                guard fits(region, isShortName: entry.isShortName, context: context, deepest: deepest),
                      !fitting.contains(where: { $0.region == region }) else { continue }
                // 天河路 is a road, but 北京海淀区 and 石家庄桥西区 are divisions: a
                // place word after a short name counts only if no division below follows.
                if entry.isShortName, Self.startsPlaceWord(following), !startsWithChild(of: region, text, at: position + length) {
                    continue
                }
                fitting.append((region, entry.isShortName))
            }
            if !fitting.isEmpty { return (length, fitting) }
        }
        return nil
    }

    private func fits(_ region: Region, isShortName: Bool, context: Match, deepest: RegionLevel?) -> Bool {
        if let deepest, region.level <= deepest { return false }
        if let province = context.province, !table.isDescendant(region.code, of: province.code) { return false }
        if let city = context.city, !table.isDescendant(region.code, of: city.code) { return false }
        guard isShortName else { return true }
        // A district's short name alone (南山, 朝阳) is too common a word to
        // trust without the province or city before it.
        return region.level != .district || context.province != nil || context.city != nil
    }

    private func startsWithChild(of region: Region, _ text: [Unicode.Scalar], at position: Int) -> Bool {
        let lengthMax = min(table.nameScalarsMax, text.count - position)
        guard lengthMax >= 2 else { return false }
        for length in 2...lengthMax {
            let entries = table.entriesByName[AddressText.string(text[position..<(position + length)])] ?? []
            if entries.contains(where: { table.isDescendant(table.region(at: $0.regionIndex).code, of: region.code) }) { return true }
        }
        return false
    }

    private static func startsPlaceWord(_ following: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = following.first else { return false }
        if placeWordStarts.contains(first) { return true }
        return directions.contains(first) && following.dropFirst().first.map(streetWords.contains) == true
    }

    private func place(_ region: Region, in result: inout Match) {
        switch region.level {
        case .province:
            result.province = region
        case .city:
            result.city = region
        case .district:
            result.district = region
            if result.city == nil, let parent = region.parentCode.flatMap(table.region(code:)), parent.level == .city {
                result.city = parent
            }
        }
        if result.province == nil { result.province = table.province(of: region.code) }
    }

    /// A municipality read without a city gets its only city row (北京市 110100);
    /// 重庆市, with two, keeps none unless a district said which.
    private func completed(_ match: Match) -> Match {
        var result = match
        if result.city == nil, result.district == nil, let province = result.province {
            let cities = table.children(of: province.code).filter { $0.level == .city }
            if cities.count == 1, let only = cities.first, only.name == province.name { result.city = only }
        }
        return result
    }
}
