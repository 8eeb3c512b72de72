/// Marks where a query matched a product name: the name HTML-escaped, each run of
/// matched characters wrapped in `<em>`...`</em>` (touching spans merged).
enum SearchHighlighter {
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
