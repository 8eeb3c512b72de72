/// The words of product names, for suggestions while typing: each word is found by
/// its text, and a CJK word also by its pinyin and initials ("手机壳" by "手机",
/// "shouj", "sjk"). A word is a letters token of two or more letters or a CJK run of
/// two to `cjkWordCharactersMax` characters; numbers are left out.
///
/// Words are counted by the documents whose names hold them, so an update adds or
/// removes only that name's words; keys are bucketed by their first scalar, so a
/// prefix reads one bucket.
struct SearchSuggestions: Sendable {
    static let cjkWordCharactersMax = 12

    /// A way to reach a word: its text, pinyin or initials.
    struct Key: Sendable, Hashable {
        var key: String
        var word: String
    }

    private(set) var documentCountByWord: [String: Int] = [:]
    private var keysByFirstScalar: [Unicode.Scalar: Set<Key>] = [:]

    mutating func add(name: String) {
        for word in Self.words(of: name) {
            let count = documentCountByWord[word, default: 0]
            documentCountByWord[word] = count + 1
            if count == 0 { for key in Self.keys(of: word) { insert(key) } }
        }
    }

    mutating func remove(name: String) {
        for word in Self.words(of: name) {
            guard let count = documentCountByWord[word] else { continue }
            if count > 1 {
                documentCountByWord[word] = count - 1
            } else {
                documentCountByWord.removeValue(forKey: word)
                for key in Self.keys(of: word) { delete(key) }
            }
        }
    }

    /// Words whose text, pinyin or initials start with `prefix` (normalised), most
    /// frequent first, then shorter, then in code point order.
    func suggest(prefix: String, limit: Int) -> [String] {
        let limit = min(max(limit, 0), SearchLimits.suggestionsMax)
        let normalised = SearchUnit.key(of: SearchUnit.units(of: SearchTokenizer.tokens(
            in: String(prefix.prefix(SearchLimits.suggestPrefixCharactersMax)))))
        guard limit > 0, let first = normalised.unicodeScalars.first, let bucket = keysByFirstScalar[first] else { return [] }
        var matches = Set<String>()
        for key in bucket where key.key.hasPrefix(normalised) { matches.insert(key.word) }
        let ranked = matches.map { (word: $0, count: documentCountByWord[$0, default: 0], length: $0.unicodeScalars.count) }
            .sorted { lhs, rhs in
                if lhs.count != rhs.count { return lhs.count > rhs.count }
                if lhs.length != rhs.length { return lhs.length < rhs.length }
                return lhs.word.unicodeScalars.lexicographicallyPrecedes(rhs.word.unicodeScalars)
            }
        return ranked.prefix(limit).map(\.word)
    }

    private mutating func insert(_ key: Key) {
        guard let first = key.key.unicodeScalars.first else { return }
        keysByFirstScalar[first, default: []].insert(key)
    }

    private mutating func delete(_ key: Key) {
        guard let first = key.key.unicodeScalars.first, var keys = keysByFirstScalar.removeValue(forKey: first) else { return }
        keys.remove(key)
        if !keys.isEmpty { keysByFirstScalar[first] = keys }
    }

    /// The distinct words of a name, in order of first appearance.
    static func words(of name: String) -> [String] {
        var seen = Set<String>()
        var words: [String] = []
        for token in SearchTokenizer.tokens(in: name, scalarsMax: SearchLimits.fieldScalarsMax) {
            let length = token.text.unicodeScalars.count
            switch token.script {
            case .digits: continue
            case .letters: guard (2...SearchLimits.wordScalarsMax).contains(length) else { continue }
            case .cjk: guard (2...cjkWordCharactersMax).contains(length) else { continue }
            }
            if seen.insert(token.text).inserted { words.append(token.text) }
        }
        return words
    }

    static func keys(of word: String, pinyin: PinyinTable = .shared) -> [Key] {
        var keys = [Key(key: word, word: word)]
        guard word.unicodeScalars.allSatisfy(SearchTokenizer.isCJK) else { return keys }
        if let spelling = pinyin.spelling(of: word.unicodeScalars) { keys.append(Key(key: spelling, word: word)) }
        if let initials = pinyin.initials(of: word.unicodeScalars) { keys.append(Key(key: initials, word: word)) }
        return keys
    }
}
