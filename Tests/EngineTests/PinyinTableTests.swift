@testable import Engine
import Testing

@Suite("Pinyin table")
struct PinyinTableTests {
    let table = PinyinTable.shared

    @Test("the generated data loads whole")
    func dataLoads() {
        #expect(table.characterCount == PinyinData.characterCount)
        #expect(table.allSyllables.count == PinyinData.syllableCount)
        #expect(PinyinData.packageName == "pypinyin")
    }

    @Test("a character's first reading, toneless; ü as v")
    func readings() {
        #expect(table.syllable(of: "手") == "shou")
        #expect(table.syllable(of: "机") == "ji")
        #expect(table.syllable(of: "壳") == "ke")
        #expect(table.syllable(of: "绿") == "lv")
        #expect(table.syllable(of: "a") == nil)
        #expect(table.syllable(of: "〇") == nil)
        #expect(table.spelling(of: "手机壳".unicodeScalars) == "shoujike")
        #expect(table.initials(of: "手机壳".unicodeScalars) == "sjk")
        #expect(table.spelling(of: "手a".unicodeScalars) == nil)
    }

    @Test("a Latin string splits into syllables, longest first with backtracking", arguments: [
        ("shoujike", ["shou", "ji", "ke"]), ("shouji", ["shou", "ji"]), ("xian", ["xian"]),
        ("fangan", ["fang", "an"]), ("pingguo", ["ping", "guo"]), ("zhuangxiu", ["zhuang", "xiu"]),
        ("xianzai", ["xian", "zai"]), ("lvse", ["lv", "se"]),
    ])
    func split(_ letters: String, syllables: [String]) {
        #expect(table.syllables(splitting: letters) == syllables)
    }

    @Test("strings that are no pinyin do not split", arguments: ["iphone", "xl", "sjk", "", "shouj", "abc1"])
    func noSplit(_ letters: String) {
        #expect(table.syllables(splitting: letters) == nil)
    }

    @Test("splitting is bounded")
    func bounded() {
        #expect(table.syllables(splitting: String(repeating: "a", count: 65)) == nil)
        #expect(table.syllables(splitting: String(repeating: "a", count: 64))?.count == 64)
        #expect(table.syllables(splitting: String(repeating: "ng", count: 30) + "x") == nil)
    }

    @Test("initials: short, all initial consonants")
    func initials() {
        #expect(PinyinTable.isInitials("sjk"))
        #expect(PinyinTable.isInitials("xl"))
        #expect(!PinyinTable.isInitials("s"))
        #expect(!PinyinTable.isInitials("sjka"))
        #expect(!PinyinTable.isInitials("bcdfghjkl"))
    }
}
