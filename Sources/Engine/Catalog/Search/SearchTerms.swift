/// The terms a text is indexed under, each with the span of the original text it
/// came from (so the highlighter can use the same function):
/// - a letters or digits token: the token ("iphone", "15");
/// - each CJK character (unigram) and each pair of neighbours in a run (bigram):
///   "手机壳" → 手, 机, 壳, 手机, 机壳;
/// - for each bigram whose characters have readings, its pinyin ("~shouji") and its
///   initials ("^sj"). The prefixes keep them apart from literal words: "case"
///   typed as an English word must not match 擦色 (ca se).
enum SearchTerms {
    static let pinyinPrefix = "~"
    static let initialsPrefix = "^"

    /// Calls `body` with every term of `text` and its span in scalars; returns the
    /// text's length in tokens (a word or a CJK character each).
    /// - Parameter pinyin: nil leaves out the pinyin and initials terms (the highlighter
    ///   of a query without them saves the look-ups).
    @discardableResult
    static func forEachTerm(
        in text: String, scalarsMax: Int = SearchLimits.fieldScalarsMax, pinyin: PinyinTable? = .shared,
        _ body: (String, Range<Int>) -> Void
    ) -> Int {
        var length = 0
        for token in SearchTokenizer.tokens(in: text, scalarsMax: scalarsMax) {
            switch token.script {
            case .letters, .digits:
                body(String(token.text.unicodeScalars.prefix(SearchLimits.wordScalarsMax)), token.scalarRange)
                length += 1
            case .cjk:
                let scalars = Array(token.text.unicodeScalars)
                let start = token.scalarRange.lowerBound
                for (offset, scalar) in scalars.enumerated() {
                    body(String(scalar), (start + offset)..<(start + offset + 1))
                }
                length += scalars.count
                forEachBigram(of: scalars, pinyin: pinyin) { offset, bigram, spelling, initials in
                    let span = (start + offset)..<(start + offset + 2)
                    body(bigram, span)
                    if let spelling { body(pinyinPrefix + spelling, span) }
                    if let initials { body(initialsPrefix + initials, span) }
                }
            }
        }
        return length
    }

    /// Each bigram of a CJK run with its offset, pinyin and initials (nil without readings).
    static func forEachBigram(
        of scalars: [Unicode.Scalar], pinyin: PinyinTable?,
        _ body: (Int, String, String?, String?) -> Void
    ) {
        guard scalars.count >= 2 else { return }
        for offset in 0..<(scalars.count - 1) {
            let pair = scalars[offset...(offset + 1)]
            var bigram = String.UnicodeScalarView()
            bigram.append(contentsOf: pair)
            body(offset, String(bigram), pinyin?.spelling(of: pair), pinyin?.initials(of: pair))
        }
    }

    /// The query terms of a CJK run: its bigrams, or the character alone.
    static func literalTerms(ofCJK scalars: [Unicode.Scalar]) -> [String] {
        guard scalars.count >= 2 else { return scalars.map { String($0) } }
        return (0..<(scalars.count - 1)).map { offset in
            var bigram = String.UnicodeScalarView()
            bigram.append(contentsOf: scalars[offset...(offset + 1)])
            return String(bigram)
        }
    }
}
