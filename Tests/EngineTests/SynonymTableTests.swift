@testable import Engine
import Testing

@Suite("Synonym table")
struct SynonymTableTests {
    @Test("terms are normalised and found by any spelling")
    func normalised() throws {
        let table = try SynonymTable(groups: [["苹果", "iPhone", "ＡＰＰＬＥ"], ["手机壳", "Phone Case"]])
        #expect(table.groups == [["苹果", "iphone", "apple"], ["手机壳", "phone case"]])
        #expect(table.group(containing: "IPHONE") == ["苹果", "iphone", "apple"])
        #expect(table.group(containing: "phone  case") == ["手机壳", "phone case"])
        #expect(table.group(containing: "phone") == nil)
        #expect(table == (try SynonymTable(groups: [["苹果", "iphone", "apple"], ["手机壳", "phone case"]])))
    }

    @Test("bounds and duplicates are refused with the rule broken")
    func validation() {
        #expect(throws: SynonymTableError.groupSize(groupIndex: 1, termsPerGroup: SynonymTable.termsPerGroupRange)) {
            try SynonymTable(groups: [["a", "b"], ["c"]])
        }
        #expect(throws: SynonymTableError.groupSize(groupIndex: 0, termsPerGroup: SynonymTable.termsPerGroupRange)) {
            try SynonymTable(groups: [(0..<11).map { "t\($0)" }])
        }
        #expect(throws: SynonymTableError.tooManyGroups(groupsMax: SynonymTable.groupsMax)) {
            try SynonymTable(groups: (0...SynonymTable.groupsMax).map { ["a\($0)", "b\($0)"] })
        }
        #expect(throws: SynonymTableError.termLength(term: "!!", characters: SynonymTable.termCharactersRange)) {
            try SynonymTable(groups: [["ok", "!!"]])
        }
        let long = String(repeating: "长", count: 21)
        #expect(throws: SynonymTableError.termLength(term: long, characters: SynonymTable.termCharactersRange)) {
            try SynonymTable(groups: [["ok", long]])
        }
        #expect(throws: SynonymTableError.duplicateTerm(term: "iphone")) {
            try SynonymTable(groups: [["苹果", "iphone"], ["IPhone", "爱疯"]])
        }
        #expect(throws: (any Error).self) { try SynonymTable(groups: [["ok", String(repeating: "!", count: 1_000)]]) }
        #expect((try? SynonymTable(groups: (0..<SynonymTable.groupsMax).map { ["a\($0)", "b\($0)"] })) != nil)
    }

    @Test("the longest term wins where two start at the same place")
    func longest() throws {
        let table = try SynonymTable(groups: [["手机", "mobile"], ["手机壳", "保护壳"]])
        let units = SearchUnit.units(of: SearchTokenizer.tokens(in: "红色手机壳"))
        #expect(table.longestTerm(in: units, at: 2).map { SearchUnit.key(of: $0.units) } == "手机壳")
        #expect(table.longestTerm(in: units, at: 0) == nil)
        #expect(table.longestTerm(in: SearchUnit.units(of: SearchTokenizer.tokens(in: "手 机")), at: 0) == nil)
    }
}
