/// Toneless pinyin for the CJK Unified Ideographs U+4E00...U+9FFF, from
/// `PinyinData` (see scripts/gen-pinyin for the source and its decisions: the
/// first, most common reading of each character; ü written v).
///
/// Index side it spells a bigram ("手机" → "shouji", initials "sj"); query side
/// it splits a Latin string into syllables ("shoujike" → shou ji ke).
public struct PinyinTable: Sendable {
    /// The whole table, parsed from `PinyinData` once, at first use.
    public static let shared = PinyinTable(lines: PinyinData.lines)

    static let firstScalar: UInt32 = 0x4E00
    static let lastScalar: UInt32 = 0x9FFF
    /// The longest syllable ("zhuang", "shuang").
    static let syllableLengthMax = 6

    /// Syllables, index 0 unused so that a zero in `syllableIndexByScalar` means "no reading".
    private let syllables: [String]
    /// One entry per code point of the block: an index into `syllables`, or 0.
    private let syllableIndexByScalar: [UInt16]
    /// Syllables a query may be split into: those with a vowel (hm, m, n are left out,
    /// or any run of consonants would split).
    private let querySyllables: Set<String>
    /// Index into `syllables` by spelling.
    private let syllableIndexBySpelling: [String: UInt16]

    /// - Parameter lines: `syllable<TAB>characters` lines, as in `PinyinData`.
    /// - Precondition: well-formed lines. The only caller is `shared`, with `PinyinData.lines`, a
    ///   string literal compiled into the binary (written by scripts/gen-pinyin, loaded whole by
    ///   PinyinTableTests), never input; a malformed table fails the tests, not a server.
    /// - Complexity: O(n) in the size of the table.
    /// The preconditions below check the generated `PinyinData` literal compiled into the binary
    /// (scripts/gen-pinyin), never outside input; PinyinTableTests parses it in every test run.
    init(lines: String) {
        let blockSize = Int(Self.lastScalar - Self.firstScalar) + 1
        var syllables = [""]
        var indexByScalar = [UInt16](repeating: 0, count: blockSize)
        var querySyllables = Set<String>()
        for line in lines.split(separator: "\n") {
            let columns = line.split(separator: "\t")
            precondition(columns.count == 2, "expected syllable<TAB>characters, got \(line)")
            let syllable = String(columns[0])
            precondition(
                (1...Self.syllableLengthMax).contains(syllable.utf8.count)
                    && syllable.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) },
                "expected a lowercase syllable of 1 to \(Self.syllableLengthMax) letters, got \(syllable)")
            precondition(syllables.count <= Int(UInt16.max), "more syllables than UInt16 indices")
            let syllableIndex = UInt16(syllables.count)
            syllables.append(syllable)
            if syllable.utf8.contains(where: { "aeiouv".utf8.contains($0) }) { querySyllables.insert(syllable) }
            for scalar in columns[1].unicodeScalars {
                precondition((Self.firstScalar...Self.lastScalar).contains(scalar.value), "\(scalar) is outside the block")
                let offset = Int(scalar.value - Self.firstScalar)
                precondition(indexByScalar[offset] == 0, "\(scalar) has two readings")
                indexByScalar[offset] = syllableIndex
            }
        }
        self.syllables = syllables
        self.syllableIndexByScalar = indexByScalar
        self.querySyllables = querySyllables
        var indexBySpelling: [String: UInt16] = [:]
        for (index, syllable) in syllables.enumerated().dropFirst() { indexBySpelling[syllable] = UInt16(index) }
        self.syllableIndexBySpelling = indexBySpelling
    }

    /// Number of characters with a reading.
    var characterCount: Int { syllableIndexByScalar.count { $0 != 0 } }

    /// All syllables, sorted.
    var allSyllables: [String] { Array(syllables.dropFirst()) }

    /// The toneless reading of a character, nil outside the block or without a reading.
    public func syllable(of scalar: Unicode.Scalar) -> String? {
        guard (Self.firstScalar...Self.lastScalar).contains(scalar.value) else { return nil }
        let index = Int(syllableIndexByScalar[Int(scalar.value - Self.firstScalar)])
        return index == 0 ? nil : syllables[index]
    }

    /// The index of a character's reading, 0 outside the block or without one: two
    /// characters read alike have the same index.
    func syllableIndex(of scalar: Unicode.Scalar) -> UInt16 {
        guard (Self.firstScalar...Self.lastScalar).contains(scalar.value) else { return 0 }
        return syllableIndexByScalar[Int(scalar.value - Self.firstScalar)]
    }

    /// The index of a syllable spelled so ("shou"), nil when the table has none.
    func syllableIndex(spelled spelling: String) -> UInt16? { syllableIndexBySpelling[spelling] }

    /// The first letter of the syllable at `index` (ASCII), nil for index 0 or out of range.
    func initialByte(ofSyllable index: UInt16) -> UInt8? {
        guard index != 0, Int(index) < syllables.count else { return nil }
        return syllables[Int(index)].utf8.first
    }

    /// The readings of every character joined ("手机壳" → "shoujike"), nil when one has none.
    public func spelling(of scalars: some Sequence<Unicode.Scalar>) -> String? {
        var result = ""
        for scalar in scalars {
            guard let syllable = syllable(of: scalar) else { return nil }
            result += syllable
        }
        return result.isEmpty ? nil : result
    }

    /// The first letters of the readings ("手机壳" → "sjk"), nil when a character has none.
    public func initials(of scalars: some Sequence<Unicode.Scalar>) -> String? {
        var result = ""
        for scalar in scalars {
            guard let first = syllable(of: scalar)?.first else { return nil }
            result.append(first)
        }
        return result.isEmpty ? nil : result
    }

    /// Splits lowercase ASCII letters into syllables, preferring the longest syllable at
    /// each step and backtracking when the rest cannot be split ("xianzai" → xian zai,
    /// "fangan" → fang an, "xian" → xian). Nil when no split exists or the input is
    /// longer than `lettersMax`.
    /// - Complexity: O(n × 6) with the failed positions remembered.
    public func syllables(splitting letters: String, lettersMax: Int = 64) -> [String]? {
        let bytes = Array(letters.utf8)
        guard !bytes.isEmpty, bytes.count <= lettersMax else { return nil }
        var failedAt = [Bool](repeating: false, count: bytes.count + 1)
        var result: [String] = []
        return split(bytes, from: 0, into: &result, failedAt: &failedAt) ? result : nil
    }

    private func split(_ bytes: [UInt8], from start: Int, into result: inout [String], failedAt: inout [Bool]) -> Bool {
        if start == bytes.count { return true }
        if failedAt[start] { return false }
        let longest = min(Self.syllableLengthMax, bytes.count - start)
        for length in stride(from: longest, through: 1, by: -1) {
            let candidate = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
            guard querySyllables.contains(candidate) else { continue }
            result.append(candidate)
            if split(bytes, from: start + length, into: &result, failedAt: &failedAt) { return true }
            result.removeLast()
        }
        failedAt[start] = true
        return false
    }

    /// Letters that begin a syllable with an initial consonant: a string of only these,
    /// short, reads as initials ("sjk").
    static let initialLetters = Set("bcdfghjklmnpqrstwxyz".utf8)

    /// Whether a lowercase ASCII word reads as pinyin initials: 2 to `lettersMax` letters,
    /// all initial consonants.
    public static func isInitials(_ word: String, lettersMax: Int = 8) -> Bool {
        let count = word.utf8.count
        return (2...lettersMax).contains(count) && word.utf8.allSatisfy { initialLetters.contains($0) }
    }
}
