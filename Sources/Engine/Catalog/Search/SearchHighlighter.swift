/// Marks where a query matched a product name: the name HTML-escaped, each run of
/// matched characters wrapped in `<em>`...`</em>` (touching spans merged).
enum SearchHighlighter {
    /// The terms of a query that matched (as `SearchTerms` spells them), sorted by kind so
    /// that a name's CJK characters are matched as numbers: a unigram or bigram by its
    /// scalars, a bigram's pinyin and initials by its characters' syllable indices. Building
    /// and hashing a string for every term of every name cost a fifth of a query.
    ///
    /// Exactly the matches of comparing strings: equal strings of plain ideographs are equal
    /// scalars, and a spelling is a pair of syllables. What could compare equal in another
    /// spelling — a CJK compatibility ideograph, equal to its unified twin — goes the string
    /// way (`isExact` false, or per name).
    struct Matcher {
        let terms: Set<String>
        let hasPinyin: Bool
        /// False when some term can only be compared as a string.
        private(set) var isExact = true
        private var unigrams: Set<UInt32> = []
        private var bigrams: Set<UInt64> = []
        /// Syllable index pairs whose spelling joined is a pinyin term.
        private var spelledPairs: Set<UInt32> = []
        /// Initial letter pairs of the initials terms.
        private var initialPairs: Set<UInt16> = []
        private let pinyin: PinyinTable

        init(terms: Set<String>, pinyin: PinyinTable = .shared) {
            self.terms = terms
            self.pinyin = pinyin
            hasPinyin = terms.contains { $0.hasPrefix(SearchTerms.pinyinPrefix) || $0.hasPrefix(SearchTerms.initialsPrefix) }
            for term in terms { add(term) }
        }

        private mutating func add(_ term: String) {
            let scalars = Array(term.unicodeScalars)
            if term.hasPrefix(SearchTerms.pinyinPrefix) || term.hasPrefix(SearchTerms.initialsPrefix) {
                guard term.utf8.allSatisfy({ $0 < 0x80 }) else { isExact = false; return }
                let letters = Array(term.utf8.dropFirst())
                if term.hasPrefix(SearchTerms.initialsPrefix) {
                    if letters.count == 2 { initialPairs.insert(UInt16(letters[0]) << 8 | UInt16(letters[1])) }
                    return
                }
                guard letters.count >= 2 else { return }
                for split in 1..<letters.count {
                    guard let first = pinyin.syllableIndex(spelled: String(decoding: letters[..<split], as: UTF8.self)),
                        let second = pinyin.syllableIndex(spelled: String(decoding: letters[split...], as: UTF8.self))
                    else { continue }
                    spelledPairs.insert(UInt32(first) << 16 | UInt32(second))
                }
                return
            }
            if scalars.contains(where: Self.isCompatibilityIdeograph) {
                isExact = false
                return
            }
            guard scalars.allSatisfy(SearchTokenizer.isCJK) else { return }  // a word: compared as a string
            if scalars.count == 1 { unigrams.insert(scalars[0].value) }
            if scalars.count == 2 { bigrams.insert(UInt64(scalars[0].value) << 32 | UInt64(scalars[1].value)) }
        }

        /// CJK ideographs with a canonical decomposition (to a unified ideograph).
        static func isCompatibilityIdeograph(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0xF900...0xFAFF, 0x2F800...0x2FA1F: true
            default: false
            }
        }

        /// Marks the matched scalars of a CJK run starting at offset `start` of the name.
        func markCJK(_ scalars: [Unicode.Scalar], start: Int, in marked: inout [Bool]) {
            for (offset, scalar) in scalars.enumerated() where unigrams.contains(scalar.value) {
                Self.mark(start + offset..<start + offset + 1, in: &marked)
            }
            guard scalars.count >= 2 else { return }
            var previousSyllable = hasPinyin ? pinyin.syllableIndex(of: scalars[0]) : 0
            for offset in 0..<(scalars.count - 1) {
                let span = start + offset..<start + offset + 2
                if bigrams.contains(UInt64(scalars[offset].value) << 32 | UInt64(scalars[offset + 1].value)) {
                    Self.mark(span, in: &marked)
                }
                guard hasPinyin else { continue }
                let syllable = pinyin.syllableIndex(of: scalars[offset + 1])
                defer { previousSyllable = syllable }
                guard previousSyllable != 0, syllable != 0 else { continue }
                if spelledPairs.contains(UInt32(previousSyllable) << 16 | UInt32(syllable)) { Self.mark(span, in: &marked) }
                if let first = pinyin.initialByte(ofSyllable: previousSyllable), let second = pinyin.initialByte(ofSyllable: syllable),
                    initialPairs.contains(UInt16(first) << 8 | UInt16(second)) {
                    Self.mark(span, in: &marked)
                }
            }
        }

        static func mark(_ span: Range<Int>, in marked: inout [Bool]) {
            for offset in span where offset < marked.count { marked[offset] = true }
        }
    }

    static func highlight(_ name: String, matcher: Matcher) -> String {
        guard matcher.isExact, !matcher.terms.isEmpty, !name.unicodeScalars.contains(where: Matcher.isCompatibilityIdeograph) else {
            return highlight(name, terms: matcher.terms)
        }
        var marked = [Bool](repeating: false, count: name.unicodeScalars.count)
        for token in SearchTokenizer.tokens(in: name, scalarsMax: SearchLimits.fieldScalarsMax) {
            switch token.script {
            case .letters, .digits:
                if matcher.terms.contains(String(token.text.unicodeScalars.prefix(SearchLimits.wordScalarsMax))) {
                    Matcher.mark(token.scalarRange, in: &marked)
                }
            case .cjk:
                matcher.markCJK(Array(token.text.unicodeScalars), start: token.scalarRange.lowerBound, in: &marked)
            }
        }
        return escaped(name, marked: marked)
    }

    /// - Parameter terms: the query's terms that matched (as `SearchTerms` spells them).
    static func highlight(_ name: String, terms: Set<String>) -> String {
        var marked: [Bool] = []
        if !terms.isEmpty {
            marked = [Bool](repeating: false, count: name.unicodeScalars.count)
            let hasPinyin = terms.contains { $0.hasPrefix(SearchTerms.pinyinPrefix) || $0.hasPrefix(SearchTerms.initialsPrefix) }
            SearchTerms.forEachTerm(in: name, pinyin: hasPinyin ? .shared : nil) { term, span in
                guard terms.contains(term) else { return }
                for offset in span where offset < marked.count { marked[offset] = true }
            }
        }
        return escaped(name, marked: marked)
    }

    static func escaped(_ name: String, marked: [Bool]) -> String {
        var result = ""
        var open = false
        for (offset, scalar) in name.unicodeScalars.enumerated() {
            let isMarked = offset < marked.count && marked[offset]
            if isMarked != open {
                result += isMarked ? "<em>" : "</em>"
                open = isMarked
            }
            switch scalar {
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        if open { result += "</em>" }
        return result
    }
}
