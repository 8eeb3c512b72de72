/// What a query's text asks for, before it meets an index: clauses in text order,
/// each satisfied by any of its alternatives, an alternative being terms that must all
/// be present.
///
/// - A synonym term in the text (longest first) is one clause: the term itself, or any
///   other term of its group a little lower (`synonymWeight`). It also ends a CJK run
///   for bigrams, so "苹果手机" is {苹果 | iphone | apple} + {手机}, not 苹果, 果手, 手机.
/// - A CJK run is one clause per bigram ("手机壳" → 手机, 机壳), a lone character one clause.
/// - A letters word is itself; or, if it splits into two or more pinyin syllables, their
///   consecutive pairs ("shoujike" → ~shouji ~jike); or, if it is short and all initial
///   consonants, its consecutive initial pairs ("sjk" → ^sj ^jk).
/// - A number is itself.
///
/// Clauses weigh more towards the end of the text (head-final: "苹果手机" is a 手机),
/// from 1 to `headWeight`.
struct SearchQueryPlan: Sendable, Equatable {
    struct Alternative: Sendable, Equatable {
        var terms: [String]
        var weight: Double
    }

    struct Clause: Sendable, Equatable {
        var alternatives: [Alternative]
        var weight: Double
    }

    static let synonymWeight = 0.8
    static let pinyinWeight = 0.9
    static let initialsWeight = 0.7
    static let headWeight = 1.5

    var clauses: [Clause]
    /// The normalised text ("iphone 15 手机壳"), for the category head bonus.
    var normalisedText: String

    var isEmpty: Bool { clauses.isEmpty }

    /// - Throws: `.textTooLong` past `SearchLimits.textScalarsMax` raw scalars or
    ///   `SearchLimits.textCharactersMax` normalised characters.
    init(text: String, synonyms: SynonymTable, pinyin: PinyinTable = .shared) throws(SearchQueryError) {
        guard text.unicodeScalars.count <= SearchLimits.textScalarsMax else {
            throw .textTooLong(charactersMax: SearchLimits.textCharactersMax)
        }
        let units = SearchUnit.units(of: SearchTokenizer.tokens(in: text))
        let normalisedText = SearchUnit.key(of: units)
        guard normalisedText.count <= SearchLimits.textCharactersMax else {
            throw .textTooLong(charactersMax: SearchLimits.textCharactersMax)
        }
        var clauses: [[Alternative]] = []
        var index = 0
        while index < units.count && clauses.count < SearchLimits.clausesMax {
            if let term = synonyms.longestTerm(in: units, at: index) {
                clauses.append(Self.synonymAlternatives(matched: term, synonyms: synonyms))
                index += term.units.count
                continue
            }
            let unit = units[index]
            switch unit.script {
            case .digits:
                clauses.append([Alternative(terms: [unit.text], weight: 1)])
                index += 1
            case .letters:
                clauses.append(Self.letterAlternatives(unit.text, pinyin: pinyin))
                index += 1
            case .cjk:
                var end = index + 1
                while end < units.count, units[end].script == .cjk, units[end].joined,
                    synonyms.longestTerm(in: units, at: end) == nil {
                    end += 1
                }
                let scalars = units[index..<end].compactMap { $0.text.unicodeScalars.first }
                for term in SearchTerms.literalTerms(ofCJK: scalars) {
                    clauses.append([Alternative(terms: [term], weight: 1)])
                }
                index = end
            }
        }
        let kept = clauses.prefix(SearchLimits.clausesMax)
        let last = max(kept.count - 1, 1)
        self.clauses = kept.enumerated().map { position, alternatives in
            Clause(alternatives: alternatives, weight: 1 + (Self.headWeight - 1) * Double(position) / Double(last))
        }
        self.normalisedText = normalisedText
    }

    /// The matched term first at full weight, the rest of its group lower.
    static func synonymAlternatives(matched: SynonymTerm, synonyms: SynonymTable) -> [Alternative] {
        let matchedKey = SearchUnit.key(of: matched.units)
        var alternatives = [Alternative(terms: literalTerms(of: matched.units), weight: 1)]
        for key in synonyms.groups[matched.groupIndex] where key != matchedKey {
            let units = SearchUnit.units(of: SearchTokenizer.tokens(in: key))
            alternatives.append(Alternative(terms: literalTerms(of: units), weight: synonymWeight))
        }
        return alternatives
    }

    static func letterAlternatives(_ word: String, pinyin: PinyinTable) -> [Alternative] {
        var alternatives = [Alternative(terms: [word], weight: 1)]
        if let syllables = pinyin.syllables(splitting: word), syllables.count >= 2 {
            let pairs = zip(syllables, syllables.dropFirst()).map { SearchTerms.pinyinPrefix + $0 + $1 }
            alternatives.append(Alternative(terms: pairs, weight: pinyinWeight))
        }
        if PinyinTable.isInitials(word) {
            let letters = Array(word)
            let pairs = zip(letters, letters.dropFirst()).map { SearchTerms.initialsPrefix + String($0) + String($1) }
            alternatives.append(Alternative(terms: pairs, weight: initialsWeight))
        }
        return alternatives
    }

    /// The terms of a unit sequence (a synonym term): words as they are, CJK runs as bigrams.
    static func literalTerms(of units: [SearchUnit]) -> [String] {
        var terms: [String] = []
        var run: [Unicode.Scalar] = []
        func flush() {
            if !run.isEmpty { terms += SearchTerms.literalTerms(ofCJK: run) }
            run = []
        }
        for unit in units {
            if unit.script == .cjk, let scalar = unit.text.unicodeScalars.first {
                if !unit.joined { flush() }
                run.append(scalar)
            } else {
                flush()
                terms.append(unit.text)
            }
        }
        flush()
        return terms
    }
}
