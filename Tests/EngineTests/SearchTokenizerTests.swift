@testable import Engine
import Testing

@Suite("Search tokenizer")
struct SearchTokenizerTests {
    func tokens(_ text: String) -> [String] { SearchTokenizer.tokens(in: text).map(\.text) }

    @Test("full-width ASCII becomes half-width, Latin lowercase")
    func normalize() {
        #expect(SearchTokenizer.normalize("ｉＰｈｏｎｅ１５") == "iphone15")
        #expect(SearchTokenizer.normalize("Ａ\u{3000}Ｂ！") == "a b!")
        #expect(SearchTokenizer.normalize("手机壳ABC") == "手机壳abc")
        #expect(SearchTokenizer.normalize("ÉCOLE") == "école")
    }

    @Test("runs of CJK, letters and digits split from each other; punctuation separates")
    func split() {
        #expect(tokens("iPhone15手机壳") == ["iphone", "15", "手机壳"])
        let scripts = SearchTokenizer.tokens(in: "iPhone15手机壳").map(\.script)
        #expect(scripts == [.letters, .digits, .cjk])
        #expect(tokens("T恤，纯棉/XL") == ["t", "恤", "纯棉", "xl"])
        #expect(tokens("ｉＰｈｏｎｅ　１５ Pro-Max") == ["iphone", "15", "pro", "max"])
        #expect(tokens("  ，。！!!  ").isEmpty)
        #expect(tokens("").isEmpty)
        #expect(tokens("😀手机😀") == ["手机"])
        #expect(tokens("café") == ["café"])
        #expect(tokens("cafe\u{301}") == ["cafe\u{301}"], "a combining accent stays in its word")
    }

    @Test("spans point at the original scalars")
    func spans() {
        let found = SearchTokenizer.tokens(in: "Ａ 手机")
        #expect(found.map(\.scalarRange) == [0..<1, 2..<4])
    }

    @Test("scalarsMax bounds the text read")
    func bounded() {
        #expect(SearchTokenizer.tokens(in: "abc def", scalarsMax: 5).map(\.text) == ["abc", "d"])
        let long = String(repeating: "手", count: 10_000)
        #expect(SearchTokenizer.tokens(in: long, scalarsMax: 100).first?.text.count == 100)
    }

    @Test("index terms: words, CJK unigrams and bigrams, bigram pinyin and initials")
    func terms() {
        var terms: [String] = []
        let length = SearchTerms.forEachTerm(in: "iPhone15手机壳") { term, _ in terms.append(term) }
        #expect(terms == ["iphone", "15", "手", "机", "壳", "手机", "~shouji", "^sj", "机壳", "~jike", "^jk"])
        #expect(length == 5)
    }

    @Test("query plans: bigrams, synonyms end a run, pinyin and initials alternatives")
    func plans() throws {
        let synonyms = try SynonymTable(groups: [["苹果", "iphone"]])
        let phone = try SearchQueryPlan(text: "苹果手机", synonyms: synonyms)
        #expect(phone.clauses.map { $0.alternatives.map(\.terms) } == [[["苹果"], ["iphone"]], [["手机"]]])
        #expect(phone.clauses.map(\.weight) == [1, SearchQueryPlan.headWeight])
        let plain = try SearchQueryPlan(text: "苹果手机", synonyms: SynonymTable())
        #expect(plain.clauses.map { $0.alternatives.map(\.terms) } == [[["苹果"]], [["果手"]], [["手机"]]])
        let pinyin = try SearchQueryPlan(text: "shoujike", synonyms: SynonymTable())
        #expect(pinyin.clauses.first?.alternatives.map(\.terms) == [["shoujike"], ["~shouji", "~jike"]])
        let initials = try SearchQueryPlan(text: "sjk", synonyms: SynonymTable())
        #expect(initials.clauses.first?.alternatives.map(\.terms) == [["sjk"], ["^sj", "^jk"]])
        let single = try SearchQueryPlan(text: "壳", synonyms: SynonymTable())
        #expect(single.clauses.first?.alternatives.map(\.terms) == [["壳"]])
        #expect(try SearchQueryPlan(text: " ,，", synonyms: SynonymTable()).isEmpty)
    }

    @Test("query text and clauses are bounded")
    func planBounds() throws {
        let fifty = String(repeating: "手", count: SearchLimits.textCharactersMax)
        #expect(try SearchQueryPlan(text: fifty, synonyms: SynonymTable()).clauses.count == SearchLimits.clausesMax)
        #expect(throws: SearchQueryError.textTooLong(charactersMax: SearchLimits.textCharactersMax)) {
            try SearchQueryPlan(text: fifty + "手", synonyms: SynonymTable())
        }
        #expect(throws: SearchQueryError.textTooLong(charactersMax: SearchLimits.textCharactersMax)) {
            try SearchQueryPlan(text: String(repeating: "!", count: 100_000), synonyms: SynonymTable())
        }
        let words = (0..<20).map { String(UnicodeScalar(UInt8(97 + $0))) }.joined(separator: " ")
        #expect(try SearchQueryPlan(text: words, synonyms: SynonymTable()).clauses.count == SearchLimits.clausesMax)
    }
}
