@testable import Engine
import Foundation
import Testing

@Suite("Hot search keywords")
struct HotKeywordsTests {
    static let hourMs: Int64 = 3_600_000
    static let dayMs: Int64 = 24 * hourMs
    /// 2024-06-01T00:00:00Z, a realistic start.
    static let startMs: Int64 = 1_717_200_000_000

    static func keywords(_ list: [HotKeyword]) -> [String] { list.map(\.keyword) }

    static func encoded(_ hot: HotKeywords) -> [UInt8] {
        var writer = ByteWriter()
        hot.encode(to: &writer)
        return writer.bytes
    }

    // MARK: Normalisation

    @Test("keywords are trimmed, collapsed, half-width and lowercased", arguments: [
        ("  iPhone   15  ", "iphone 15"),
        ("ＩＰＨＯＮＥ１５", "iphone15"),
        ("\u{3000}手机\u{3000}\u{3000}壳\t", "手机 壳"),
        ("Nike\u{200B}Air", "nikeair"),
        ("CAFÉ", "cafÉ"),
        ("a\u{0}b\u{7F}c", "abc"),
        ("Ｎｉｋｅ　Ａｉｒ　Ｍａｘ", "nike air max"),
    ])
    func normalisation(_ input: String, _ expected: String) {
        #expect(HotKeywords.normalized(input) == expected)
    }

    @Test("empty or blank keywords are ignored", arguments: ["", "   ", "\u{3000}\t\n", "\u{200B}\u{FEFF}", "\u{0}\u{1}"])
    func blank(_ input: String) {
        #expect(HotKeywords.normalized(input) == nil)
        var hot = HotKeywords()
        hot.record(input, atMs: Self.startMs)
        #expect(hot.count == 0)
    }

    @Test("long keywords are cut to 30 characters, however long the paste")
    func longKeywords() throws {
        let chinese = String(repeating: "手机", count: 40)
        #expect(HotKeywords.normalized(chinese) == String(repeating: "手机", count: 15))
        let spaced = String(repeating: "a", count: 29) + "   b"
        #expect(HotKeywords.normalized(spaced) == String(repeating: "a", count: 29))
        let zalgo = "a" + String(repeating: "\u{0301}", count: 200)
        let cut = try #require(HotKeywords.normalized(zalgo))
        #expect(cut.utf8.count <= HotKeywords.keywordBytesMax)
        let huge = String(repeating: "x", count: 1_000_000)
        #expect(HotKeywords.normalized(huge)?.count == 30)
    }

    @Test("normalising twice changes nothing")
    func normalisationIdempotent() {
        for input in ["  A  b ", "ＡＢＣ　ｄ", String(repeating: "字", count: 50), "x" + String(repeating: "\u{0301}", count: 80)] {
            let once = HotKeywords.normalized(input)
            #expect(once.flatMap(HotKeywords.normalized) == once)
        }
    }

    // MARK: Scores

    @Test("a score halves every half-life and each search adds one")
    func decay() {
        var hot = HotKeywords()
        hot.record("手机", atMs: Self.startMs)
        #expect(hot.score(of: "手机", atMs: Self.startMs) == 1)
        #expect(abs(hot.score(of: "手机", atMs: Self.startMs + Self.dayMs) - 0.5) < 1e-6)
        #expect(abs(hot.score(of: "手机", atMs: Self.startMs + 3 * Self.dayMs) - 0.125) < 1e-6)
        hot.record("手机", atMs: Self.startMs + Self.dayMs)
        #expect(abs(hot.score(of: "手机", atMs: Self.startMs + Self.dayMs) - 1.5) < 1e-6)
        // Half a half-life: 1.5 · 2^-0.5.
        let expected = 1.5 * pow(2, -0.5)
        #expect(abs(hot.score(of: "手机", atMs: Self.startMs + Self.dayMs + Self.dayMs / 2) - expected) < 1e-6)
    }

    @Test("the fixed-point power of two matches the real one closely", arguments: [
        Int64(0), 1, 1_000, 3_600_000, 43_200_000, 86_399_999, 86_400_000, 100_000_000, 500_000_000,
        -1, -3_600_000, -86_400_000, -1_000_000_000,
    ])
    func fixedPoint(_ exponentMs: Int64) {
        let unit = HotKeywords.unitWeight
        let scaled = HotKeywords.scaled(unit, byExp2Of: exponentMs, halfLifeMs: Self.dayMs)
        let expected = Double(unit) * pow(2, Double(exponentMs) / Double(Self.dayMs))
        #expect(abs(Double(scaled) - expected) <= max(2, expected * 1e-9), "\(exponentMs)")
    }

    @Test("the power of two saturates or vanishes at the extremes instead of trapping")
    func fixedPointExtremes() {
        #expect(HotKeywords.scaled(1, byExp2Of: .max, halfLifeMs: 1_000) == .max)
        #expect(HotKeywords.scaled(.max, byExp2Of: 1, halfLifeMs: 1_000) == .max)
        #expect(HotKeywords.scaled(1, byExp2Of: .min, halfLifeMs: 1_000) == 0)
        #expect(HotKeywords.scaled(.max, byExp2Of: -200_000, halfLifeMs: 1_000) == 0)
        #expect(HotKeywords.scaled(0, byExp2Of: 5, halfLifeMs: 1_000) == 0)
        #expect(HotKeywords.scaled(1 << 20, byExp2Of: 62_000, halfLifeMs: 1_000) == .max)
        var hot = HotKeywords(halfLifeMs: 1_000)
        hot.record("a", atMs: .min)
        hot.record("b", atMs: .max)
        hot.record("c", atMs: 0)
        hot.record("d", atMs: .max)
        _ = hot.top(10, atMs: .min)
        _ = hot.top(10, atMs: .max)
        #expect(hot.checkInvariants())
    }

    @Test("ranking follows current scores: a burst today beats a bigger burst a week ago")
    func rankingByDecayedScore() {
        var hot = HotKeywords()
        for _ in 0..<50 { hot.record("羽绒服", atMs: Self.startMs) }
        for _ in 0..<5 { hot.record("短袖", atMs: Self.startMs + 7 * Self.dayMs) }
        let now = Self.startMs + 7 * Self.dayMs
        #expect(Self.keywords(hot.top(10, atMs: now)) == ["短袖", "羽绒服"])
        // A week earlier the order was the other way round; the ranking is the same at any read time
        // because it compares weights, but the shown scores decay.
        let top = hot.top(10, atMs: now)
        #expect(abs(top[1].score - 50.0 / 128) < 1e-6)
        #expect(abs(top[0].score - 5) < 1e-6)
    }

    @Test("equal scores list in keyword order")
    func ties() {
        var hot = HotKeywords()
        for keyword in ["c", "a", "b"] { hot.record(keyword, atMs: Self.startMs) }
        #expect(Self.keywords(hot.top(10, atMs: Self.startMs)) == ["a", "b", "c"])
    }

    @Test("months of searches stay accurate across landmark moves")
    func renormalisation() {
        var hot = HotKeywords()
        // One search of "steady" an hour for 90 days; the score converges to 1 / (1 - 2^(-1/24)).
        for hour in 0..<(90 * 24) { hot.record("steady", atMs: Self.startMs + Int64(hour) * Self.hourMs) }
        let end = Self.startMs + Int64(90 * 24 - 1) * Self.hourMs
        let limit = 1 / (1 - pow(2, -1.0 / 24))
        #expect(abs(hot.score(of: "steady", atMs: end) - limit) < 1e-3)
        #expect(hot.landmarkMs.map { end - $0 < 8 * Self.dayMs } == true)
    }

    @Test("keywords nobody searched for a month are forgotten")
    func forgetting() {
        var hot = HotKeywords()
        hot.record("old", atMs: Self.startMs)
        hot.record("new", atMs: Self.startMs + 40 * Self.dayMs)
        #expect(Self.keywords(hot.top(10, atMs: Self.startMs + 40 * Self.dayMs)) == ["new"])
        #expect(hot.count == 1)
    }

    // MARK: Bounds

    @Test("at the limit the lowest current score is evicted, ties by keyword order")
    func eviction() {
        var hot = HotKeywords(keywordsMax: 3)
        hot.record("a", atMs: Self.startMs)
        hot.record("a", atMs: Self.startMs)
        hot.record("b", atMs: Self.startMs)
        hot.record("c", atMs: Self.startMs)
        hot.record("d", atMs: Self.startMs)  // b and c tie lowest: c lists last, so c goes
        #expect(Set(hot.weightByKeyword.keys) == ["a", "b", "d"])
        hot.record("e", atMs: Self.startMs + Self.dayMs)  // b and d, a day old, are lowest; d goes
        #expect(Set(hot.weightByKeyword.keys) == ["a", "b", "e"])
        #expect(Self.keywords(hot.top(10, atMs: Self.startMs + Self.dayMs)) == ["a", "e", "b"])
    }

    @Test("2,000 keywords at most, however many are searched")
    func defaultBound() {
        var hot = HotKeywords()
        for index in 0..<2_500 { hot.record("kw\(index)", atMs: Self.startMs + Int64(index)) }
        #expect(hot.count == 2_000)
        // The newest got in; the oldest went.
        #expect(hot.weightByKeyword["kw2499"] != nil)
        #expect(hot.weightByKeyword["kw0"] == nil)
        #expect(hot.top(1_000, atMs: Self.startMs).count == HotKeywords.topLimitMax)
        #expect(hot.top(-1, atMs: Self.startMs).isEmpty)
    }

    // MARK: Rules

    @Test("pinned keywords come first in the admin's order, blocked ones never show")
    func pinnedAndBlocked() throws {
        var hot = HotKeywords()
        for (keyword, count) in [("手机", 9), ("耳机", 7), ("在线赌博", 5), ("充电器", 3), ("数据线", 1)] {
            for _ in 0..<count { hot.record(keyword, atMs: Self.startMs) }
        }
        let rules = try HotKeywordRules(pinned: ["新品 上市", "充电器", "赌博 网站"], blocked: ["赌博"])
        let top = hot.top(5, atMs: Self.startMs, rules: rules)
        #expect(Self.keywords(top) == ["新品 上市", "充电器", "手机", "耳机", "数据线"])
        #expect(top.map(\.isPinned) == [true, true, false, false, false])
        #expect(top[0].score == 0)
        #expect(abs(top[1].score - 3) < 1e-6)
        #expect(Self.keywords(hot.top(1, atMs: Self.startMs, rules: rules)) == ["新品 上市"])
    }

    @Test("searches for a blocked keyword are not counted and take no slot")
    func blockedNotCounted() throws {
        let rules = try HotKeywordRules(pinned: [], blocked: ["代购"])
        var hot = HotKeywords(keywordsMax: 2)
        hot.record("鞋", atMs: Self.startMs, rules: rules)
        hot.record("包", atMs: Self.startMs, rules: rules)
        hot.record("香港代购", atMs: Self.startMs, rules: rules)
        hot.record("代购", atMs: Self.startMs, rules: rules)
        #expect(Set(hot.weightByKeyword.keys) == ["鞋", "包"])
        // Blocking after the fact hides and can purge what was counted.
        hot.record("免税代购", atMs: Self.startMs)
        #expect(hot.top(10, atMs: Self.startMs, rules: rules).allSatisfy { !$0.keyword.contains("代购") })
        hot.removeBlocked(by: rules)
        #expect(hot.weightByKeyword["免税代购"] == nil)
    }

    @Test("rules normalise their keywords, drop duplicates and enforce their bounds")
    func rulesValidation() throws {
        let rules = try HotKeywordRules(pinned: ["  ＮＩＫＥ ", "nike", "Adidas"], blocked: ["Ｘ", "x"])
        #expect(rules.pinned == ["nike", "adidas"])
        #expect(rules.blocked == ["x"])
        #expect(throws: HotKeywordRulesError.emptyPinned(index: 1)) { try HotKeywordRules(pinned: ["a", " "], blocked: []) }
        #expect(throws: HotKeywordRulesError.emptyBlocked(index: 0)) { try HotKeywordRules(pinned: [], blocked: [""]) }
        let tooMany = (0...20).map { "k\($0)" }
        #expect(throws: HotKeywordRulesError.tooManyPinned(count: 21, max: 20)) { try HotKeywordRules(pinned: tooMany, blocked: []) }
        let tooManyBlocked = (0...200).map { "k\($0)" }
        #expect(throws: HotKeywordRulesError.tooManyBlocked(count: 201, max: 200)) {
            try HotKeywordRules(pinned: [], blocked: tooManyBlocked)
        }
        var writer = ByteWriter()
        rules.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try HotKeywordRules(from: &reader) == rules)
        // Unnormalised bytes are refused.
        var raw = ByteWriter()
        raw.write(["NIKE"]) { writer, keyword in writer.write(keyword) }
        raw.write([String]()) { writer, keyword in writer.write(keyword) }
        reader = ByteReader(raw.bytes)
        #expect(throws: ByteDecodingError.self) { try HotKeywordRules(from: &reader) }
    }

    // MARK: Determinism and codec

    /// A seeded stream of searches with repeats, bursts, same-millisecond events and long gaps.
    static func events(seed: UInt64, count: Int) -> [(String, Int64)] {
        var state = seed
        var timeMs = startMs
        var result: [(String, Int64)] = []
        for _ in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let random = state >> 33
            timeMs += Int64(random % 50 == 0 ? random % UInt64(dayMs) : random % 60_000)
            let keyword = ["手机", "耳机", "Nike Air", "ｎｉｋｅ　ａｉｒ", "kw\((random >> 8) % 300)", "  "][Int(random % 6)]
            result.append((keyword, timeMs))
        }
        return result
    }

    @Test("two instances fed the same events are equal and encode to the same bytes")
    func determinism() throws {
        var live = HotKeywords(keywordsMax: 100), replayed = HotKeywords(keywordsMax: 100)
        let rules = try HotKeywordRules(pinned: [], blocked: ["kw1"])
        for (keyword, atMs) in Self.events(seed: 42, count: 5_000) {
            live.record(keyword, atMs: atMs, rules: rules)
        }
        for (keyword, atMs) in Self.events(seed: 42, count: 5_000) {
            replayed.record(keyword, atMs: atMs, rules: rules)
        }
        #expect(live == replayed)
        #expect(Self.encoded(live) == Self.encoded(replayed))
        #expect(live.count == 100)
    }

    @Test("a snapshot taken mid-stream plus the rest of the events equals the live state")
    func snapshotThenReplay() throws {
        let events = Self.events(seed: 7, count: 3_000)
        var live = HotKeywords(keywordsMax: 150)
        for (keyword, atMs) in events { live.record(keyword, atMs: atMs) }
        var early = HotKeywords(keywordsMax: 150)
        for (keyword, atMs) in events.prefix(1_234) { early.record(keyword, atMs: atMs) }
        var reader = ByteReader(Self.encoded(early))
        var restored = try HotKeywords(from: &reader, keywordsMax: 150)
        try reader.expectEnd()
        #expect(restored == early)
        for (keyword, atMs) in events.dropFirst(1_234) { restored.record(keyword, atMs: atMs) }
        #expect(restored == live)
        #expect(Self.encoded(restored) == Self.encoded(live))
    }

    @Test("the encoding does not depend on the order keywords were first seen")
    func canonicalEncoding() {
        var first = HotKeywords(), second = HotKeywords()
        for keyword in ["b", "a", "c"] { first.record(keyword, atMs: Self.startMs) }
        for keyword in ["c", "b", "a"] { second.record(keyword, atMs: Self.startMs) }
        #expect(first == second)
        #expect(Self.encoded(first) == Self.encoded(second))
        #expect(Self.encoded(HotKeywords()) == Self.encoded(HotKeywords()))
    }

    @Test("decoding with a lower limit evicts the lowest scores")
    func decodeWithLowerLimit() throws {
        var hot = HotKeywords()
        for index in 0..<10 {
            for _ in 0...index { hot.record("k\(index)", atMs: Self.startMs) }
        }
        var reader = ByteReader(Self.encoded(hot))
        let smaller = try HotKeywords(from: &reader, keywordsMax: 3)
        #expect(Self.keywords(smaller.top(10, atMs: Self.startMs)) == ["k9", "k8", "k7"])
    }

    @Test("corrupt snapshots are refused, never trap")
    func corruptBytes() {
        func bytes(halfLifeMs: Int64 = 86_400_000, landmark: Int64? = 0, _ entries: [(String, UInt64)]) -> [UInt8] {
            var writer = ByteWriter()
            writer.write(halfLifeMs)
            writer.write(landmark != nil)
            writer.write(landmark ?? 0)
            writer.write(entries) { writer, entry in writer.write(entry.0); writer.write(entry.1) }
            return writer.bytes
        }
        let invalid: [[UInt8]] = [
            bytes(halfLifeMs: 0, []),
            bytes([("b", 1), ("a", 1)]),
            bytes([("a", 1), ("a", 2)]),
            bytes([("A", 1)]),
            bytes([("a", 0)]),
            bytes([(" a", 1)]),
            bytes(landmark: nil, [("a", 1)]),
        ]
        for snapshot in invalid {
            var reader = ByteReader(snapshot)
            #expect(throws: ByteDecodingError.self) { try HotKeywords(from: &reader) }
        }
        var hot = HotKeywords()
        for keyword in ["x", "y", "z"] { hot.record(keyword, atMs: Self.startMs) }
        let valid = Self.encoded(hot)
        for cut in 0..<valid.count {
            var reader = ByteReader(Array(valid.prefix(cut)))
            #expect(throws: ByteDecodingError.self) { try HotKeywords(from: &reader) }
        }
    }
}
