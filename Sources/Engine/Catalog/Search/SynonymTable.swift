/// Groups of terms a shopper means interchangeably (["苹果", "iphone", "apple"],
/// ["手机壳", "保护壳", "phone case"]). A query containing one term of a group also
/// matches products with another, a little below products with the term itself.
///
/// Terms are stored normalised (half-width, lowercase, tokens joined by one space),
/// so "iPhone" and "ｉｐｈｏｎｅ" are the same term. Bounded: `groupsMax` groups of
/// `termsPerGroupRange` terms of `termCharactersRange` characters; a term belongs
/// to one group at most.
public struct SynonymTable: Sendable, Equatable {
    public static let groupsMax = 500
    public static let termsPerGroupRange = 2...10
    public static let termCharactersRange = 1...20

    /// The groups, terms normalised, in the order given.
    public private(set) var groups: [[String]] = []
    /// Every term, by the first unit of its text, longest first: the query matcher's entry point.
    private(set) var termsByFirstUnit: [String: [SynonymTerm]] = [:]

    public init() {}

    /// - Throws: the first group or term that breaks a bound, or a term given twice.
    public init(groups: [[String]]) throws(SynonymTableError) {
        guard groups.count <= Self.groupsMax else { throw .tooManyGroups(groupsMax: Self.groupsMax) }
        var seen = Set<String>()
        var normalisedGroups: [[String]] = []
        var termsByFirstUnit: [String: [SynonymTerm]] = [:]
        for (groupIndex, group) in groups.enumerated() {
            guard Self.termsPerGroupRange.contains(group.count) else {
                throw .groupSize(groupIndex: groupIndex, termsPerGroup: Self.termsPerGroupRange)
            }
            var normalisedGroup: [String] = []
            for term in group {
                guard term.unicodeScalars.count <= Self.termCharactersRange.upperBound * 4 else {
                    throw .termLength(term: String(term.prefix(Self.termCharactersRange.upperBound)), characters: Self.termCharactersRange)
                }
                let units = SearchUnit.units(of: SearchTokenizer.tokens(in: term))
                let key = SearchUnit.key(of: units)
                guard Self.termCharactersRange.contains(key.count) else {
                    throw .termLength(term: term, characters: Self.termCharactersRange)
                }
                guard seen.insert(key).inserted else { throw .duplicateTerm(term: key) }
                normalisedGroup.append(key)
                if let first = units.first {
                    termsByFirstUnit[first.text, default: []].append(SynonymTerm(units: units, groupIndex: groupIndex))
                }
            }
            normalisedGroups.append(normalisedGroup)
        }
        for key in termsByFirstUnit.keys {
            // Longest first, so that the matcher takes "手机壳" before "手机"; then by text, for determinism.
            termsByFirstUnit[key]?.sort { lhs, rhs in
                lhs.units.count != rhs.units.count
                    ? lhs.units.count > rhs.units.count : SearchUnit.key(of: lhs.units) < SearchUnit.key(of: rhs.units)
            }
        }
        self.groups = normalisedGroups
        self.termsByFirstUnit = termsByFirstUnit
    }

    /// The group of a term (normalised first), nil when it is in none.
    public func group(containing term: String) -> [String]? {
        let units = SearchUnit.units(of: SearchTokenizer.tokens(in: term))
        guard let first = units.first, let candidates = termsByFirstUnit[first.text] else { return nil }
        return candidates.first { $0.units == units }.map { groups[$0.groupIndex] }
    }

    /// The longest term starting at `units[start]`, if any.
    func longestTerm(in units: [SearchUnit], at start: Int) -> SynonymTerm? {
        guard units.indices.contains(start), let candidates = termsByFirstUnit[units[start].text] else { return nil }
        return candidates.first { term in
            let end = start + term.units.count
            guard end <= units.count, let first = term.units.first, first.script == units[start].script else { return false }
            // The first unit may continue a run ("苹果" in "红苹果"); the rest must match as they join.
            return zip(term.units.dropFirst(), units[(start + 1)..<end]).allSatisfy(==)
        }
    }

    public static func == (lhs: SynonymTable, rhs: SynonymTable) -> Bool { lhs.groups == rhs.groups }
}

/// Why a synonym table was refused.
public enum SynonymTableError: Error, Sendable, Equatable {
    case tooManyGroups(groupsMax: Int)
    /// The group at `groupIndex` has too few or too many terms.
    case groupSize(groupIndex: Int, termsPerGroup: ClosedRange<Int>)
    /// A term is empty after normalisation (only punctuation) or too long.
    case termLength(term: String, characters: ClosedRange<Int>)
    /// A term (normalised) appears twice, in one group or two.
    case duplicateTerm(term: String)
}

/// A synonym term, as units, and its group.
struct SynonymTerm: Sendable, Equatable {
    var units: [SearchUnit]
    var groupIndex: Int
}

/// One step of text as the query planner walks it: a whole letters or digits token,
/// or one CJK character. `joined` marks a CJK character continuing the run of the one
/// before it, so that a term "手机" does not match "手 机".
struct SearchUnit: Sendable, Hashable {
    var text: String
    var script: SearchScript
    var joined: Bool
    /// The unit's span in the original text, in scalars (not part of equality).
    var scalarRange: Range<Int>

    static func == (lhs: SearchUnit, rhs: SearchUnit) -> Bool {
        lhs.text == rhs.text && lhs.script == rhs.script && lhs.joined == rhs.joined
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(joined)
    }

    static func units(of tokens: [SearchToken]) -> [SearchUnit] {
        var units: [SearchUnit] = []
        for token in tokens {
            switch token.script {
            case .letters, .digits:
                let text = String(token.text.unicodeScalars.prefix(SearchLimits.wordScalarsMax))
                units.append(SearchUnit(text: text, script: token.script, joined: false, scalarRange: token.scalarRange))
            case .cjk:
                for (offset, scalar) in token.text.unicodeScalars.enumerated() {
                    let start = token.scalarRange.lowerBound + offset
                    units.append(SearchUnit(text: String(scalar), script: .cjk, joined: offset > 0, scalarRange: start..<(start + 1)))
                }
            }
        }
        return units
    }

    /// The normalised text of units: CJK characters of one run together, anything else
    /// separated by one space ("phone case", "t恤" from "T恤" is "t 恤").
    static func key(of units: some Collection<SearchUnit>) -> String {
        var key = ""
        for unit in units {
            if !key.isEmpty && !unit.joined { key += " " }
            key += unit.text
        }
        return key
    }
}
