/// Hot search keywords: every search adds 1 to its keyword's score, and scores
/// halve every `halfLifeMs` (default 24 h): score(t) = score(t0) · 2^(−(t − t0)/halfLife) + 1.
///
/// Folded from WAL events that carry their time, so it never reads a clock and
/// must give bit-for-bit the same value on replay, on any machine and toolchain.
/// Hence integers only, no `Double` and no libm in the state:
///
/// - Forward decay. Instead of decaying every score, each search adds
///   2^((t − landmark)/halfLife) to its keyword's `weight`: all weights share the
///   landmark's frame, so comparing weights compares current scores at any time,
///   and score(t) = weight · 2^(−(t − landmark)/halfLife).
/// - Weights are unsigned fixed point with `fractionBits` (24) fraction bits; the
///   power of two is computed by `scaled(_:byExp2Of:halfLifeMs:)` from a table of
///   2^(2^−i), integer multiplications and shifts: the same bits everywhere.
/// - Weights would grow 2× per half-life; once the newest search is
///   `renormalizeAfterHalfLives` (8) half-lives past the landmark, the landmark
///   moves forward a whole number k of half-lives and every weight shifts right
///   by k (exact in the new frame up to truncation). Weights that reach 0 (a
///   keyword unsearched for ~30 half-lives) are forgotten.
/// - Weights add with saturation; reaching 2^64 takes about 2^26 searches of
///   one keyword within a half-life, beyond any realistic rate.
///
/// Bounded: at most `keywordsMax` (default 2,000) keywords. A new keyword at the
/// limit evicts the one with the lowest weight, ties broken by evicting the
/// keyword whose UTF-8 bytes sort last (the one `top` would list last). The new
/// keyword always gets in, so a rising keyword is never locked out by old ones.
///
/// `record` and `top` take `HotKeywordRules`: blocked keywords are not counted
/// (they would take slots from real ones) and never shown. Because `record`
/// depends on the rules, the rules must themselves be folded from the WAL in
/// order with the searches, or replay can diverge.
public struct HotKeywords: Sendable, Equatable {
    /// Spec: scores halve each day.
    public static var defaultHalfLifeMs: Int64 { 24 * 3_600_000 }
    /// Keeps `renormalizeAfterHalfLives · halfLifeMs` far from overflow.
    public static var halfLifeMsRange: ClosedRange<Int64> { 1_000...(366 * 24 * 3_600_000) }
    public static var defaultKeywordsMax: Int { 2_000 }
    /// Bounds `top` whatever a caller asks for.
    public static var topLimitMax: Int { 50 }
    /// A normalised keyword keeps at most this many characters...
    public static var keywordCharactersMax: Int { 30 }
    /// ...and this many UTF-8 bytes (30 characters of combining marks are not 30 bytes).
    public static var keywordBytesMax: Int { 120 }
    /// Only the start of a pasted text is looked at, however long it is.
    static let inputScalarsMax = 256
    static let fractionBits = 24
    static let renormalizeAfterHalfLives: Int64 = 8

    public let halfLifeMs: Int64
    public let keywordsMax: Int
    /// The time weights are relative to; nil until the first counted search.
    public private(set) var landmarkMs: Int64?
    /// Fixed-point forward-decayed weight (`fractionBits`) by normalised keyword.
    public private(set) var weightByKeyword: [String: UInt64] = [:]

    /// `halfLifeMs` is clamped to `halfLifeMsRange`, `keywordsMax` to at least 1.
    public init(halfLifeMs: Int64 = HotKeywords.defaultHalfLifeMs, keywordsMax: Int = HotKeywords.defaultKeywordsMax) {
        self.halfLifeMs = min(max(halfLifeMs, Self.halfLifeMsRange.lowerBound), Self.halfLifeMsRange.upperBound)
        self.keywordsMax = max(1, keywordsMax)
    }

    public var count: Int { weightByKeyword.count }

    /// Counts one search. Keywords that normalise to nothing or are blocked are ignored.
    /// - Complexity: O(1), O(`keywordsMax`) when it evicts or renormalises.
    public mutating func record(_ keyword: String, atMs: Int64, rules: HotKeywordRules = HotKeywordRules()) {
        guard let keyword = Self.normalized(keyword), !rules.isBlocked(keyword) else { return }
        let landmark = landmarkMs ?? atMs
        landmarkMs = landmark
        let (sinceLandmarkMs, overflow) = atMs.subtractingReportingOverflow(landmark)
        if overflow {
            // Only a corrupt or absurd timestamp gets here (±292 million years).
            guard atMs > landmark else { return }
            weightByKeyword.removeAll()
            landmarkMs = atMs
        } else if sinceLandmarkMs >= Self.renormalizeAfterHalfLives * halfLifeMs {
            renormalize(halfLives: sinceLandmarkMs / halfLifeMs)
        }
        let increment = Self.scaled(Self.unitWeight, byExp2Of: atMs &- (landmarkMs ?? atMs), halfLifeMs: halfLifeMs)
        // A search far older than the landmark weighs nothing measurable.
        guard increment > 0 else { return }
        if let weight = weightByKeyword[keyword] {
            let (sum, saturated) = weight.addingReportingOverflow(increment)
            weightByKeyword[keyword] = saturated ? .max : sum
        } else {
            if weightByKeyword.count >= keywordsMax { evictLowest() }
            weightByKeyword[keyword] = increment
        }
        assert(checkInvariants())
    }

    /// Forgets keywords the rules now block (call when an admin blocks one).
    /// - Complexity: O(`count` · blocked terms).
    public mutating func removeBlocked(by rules: HotKeywordRules) {
        weightByKeyword = weightByKeyword.filter { !rules.isBlocked($0.key) }
    }

    /// The hot list: pinned keywords first in the admin's order, then tracked
    /// keywords by current score descending, ties by keyword (UTF-8 order).
    /// Blocked keywords never appear, pinned or not; a pinned keyword is not
    /// repeated below. `limit` is clamped to 0...`topLimitMax`.
    /// - Complexity: O(`count` · log `count`).
    public func top(_ limit: Int, atMs: Int64, rules: HotKeywordRules = HotKeywordRules()) -> [HotKeyword] {
        let limit = min(max(limit, 0), Self.topLimitMax)
        var result: [HotKeyword] = []
        for keyword in rules.pinned where result.count < limit && !rules.isBlocked(keyword) {
            result.append(HotKeyword(keyword: keyword, score: score(of: keyword, atMs: atMs), isPinned: true))
        }
        guard result.count < limit else { return result }
        let pinned = Set(rules.pinned)
        for (keyword, weight) in weightByKeyword.sorted(by: Self.listsBefore) {
            guard result.count < limit else { break }
            guard !pinned.contains(keyword), !rules.isBlocked(keyword) else { continue }
            result.append(HotKeyword(keyword: keyword, score: Self.score(weight, landmarkMs: landmarkMs, atMs: atMs, halfLifeMs: halfLifeMs), isPinned: false))
        }
        return result
    }

    /// The keyword's decayed score at `atMs` (0 when not tracked); for display
    /// only, never fed back into state.
    public func score(of keyword: String, atMs: Int64) -> Double {
        guard let keyword = Self.normalized(keyword), let weight = weightByKeyword[keyword] else { return 0 }
        return Self.score(weight, landmarkMs: landmarkMs, atMs: atMs, halfLifeMs: halfLifeMs)
    }

    // MARK: Internals

    static var unitWeight: UInt64 { 1 << UInt64(fractionBits) }

    /// Higher weight first, then keyword by UTF-8 bytes: a total order that does
    /// not depend on `String`'s Unicode-aware comparison.
    static func listsBefore(_ lhs: (key: String, value: UInt64), _ rhs: (key: String, value: UInt64)) -> Bool {
        lhs.value != rhs.value ? lhs.value > rhs.value : lhs.key.utf8.lexicographicallyPrecedes(rhs.key.utf8)
    }

    private mutating func evictLowest() {
        var lowest: (key: String, value: UInt64)?
        for entry in weightByKeyword where lowest.map({ Self.listsBefore($0, entry) }) ?? true { lowest = entry }
        if let lowest { weightByKeyword[lowest.key] = nil }
    }

    /// Moves the landmark `halfLives` forward, halving every weight that many times.
    private mutating func renormalize(halfLives: Int64) {
        guard let landmark = landmarkMs, halfLives > 0 else { return }
        landmarkMs = landmark + halfLives * halfLifeMs  // ≤ atMs: cannot overflow
        var shifted: [String: UInt64] = [:]
        shifted.reserveCapacity(weightByKeyword.count)
        for (keyword, weight) in weightByKeyword {
            let weight = halfLives >= 64 ? 0 : weight >> UInt64(halfLives)
            if weight > 0 { shifted[keyword] = weight }
        }
        weightByKeyword = shifted
    }

    static func score(_ weight: UInt64, landmarkMs: Int64?, atMs: Int64, halfLifeMs: Int64) -> Double {
        guard let landmarkMs else { return 0 }
        let (exponentMs, overflow) = landmarkMs.subtractingReportingOverflow(atMs)
        guard !overflow else { return landmarkMs > atMs ? .infinity : 0 }
        return Double(scaled(weight, byExp2Of: exponentMs, halfLifeMs: halfLifeMs)) / Double(unitWeight)
    }

    func checkInvariants() -> Bool {
        weightByKeyword.count <= keywordsMax && weightByKeyword.values.allSatisfy { $0 > 0 }
            && (landmarkMs != nil || weightByKeyword.isEmpty)
    }
}

/// One row of the hot list.
public struct HotKeyword: Sendable, Equatable {
    public let keyword: String
    /// Decayed search count at the time asked; a pinned keyword nobody searched has 0.
    public let score: Double
    public let isPinned: Bool

    public init(keyword: String, score: Double, isPinned: Bool) {
        (self.keyword, self.score, self.isPinned) = (keyword, score, isPinned)
    }
}

// MARK: - Normalisation

extension HotKeywords {
    /// The form keywords are counted, pinned and blocked under: spaces trimmed
    /// and collapsed, full-width ASCII made half-width, A–Z lowercased, control
    /// and zero-width characters removed, cut to `keywordCharactersMax`
    /// characters and `keywordBytesMax` bytes. nil when nothing is left.
    ///
    /// Only ASCII letters are lowercased, and only fixed code point tables are
    /// used, so the result does not change with the toolchain's Unicode version.
    /// - Complexity: O(`inputScalarsMax`) whatever the input length.
    public static func normalized(_ text: String) -> String? {
        var scalars = String.UnicodeScalarView()
        var isSpacePending = false
        for scalar in text.unicodeScalars.prefix(inputScalarsMax) {
            let scalar = AddressText.halfWidth(scalar)
            if isSpace(scalar) {
                isSpacePending = !scalars.isEmpty
            } else if !isIgnorable(scalar) {
                if isSpacePending { scalars.append(" ") }
                isSpacePending = false
                scalars.append((0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0x20) ?? scalar : scalar)
            }
        }
        var keyword = String(scalars)
        if keyword.count > keywordCharactersMax { keyword = String(keyword.prefix(keywordCharactersMax)) }
        // Bytes are cut by scalar: one character of 200 combining marks keeps its first ones.
        while keyword.utf8.count > keywordBytesMax { keyword.unicodeScalars.removeLast() }
        while keyword.last == " " { keyword.removeLast() }
        return keyword.isEmpty ? nil : keyword
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    static func isIgnorable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0xAD, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0xFEFF: true
        default: false
        }
    }
}

// MARK: - Fixed-point powers of two

extension HotKeywords {
    /// `value · 2^(exponentMs / halfLifeMs)`, truncated toward zero, saturating
    /// at `UInt64.max`. Integer arithmetic only: bit-for-bit reproducible.
    static func scaled(_ value: UInt64, byExp2Of exponentMs: Int64, halfLifeMs: Int64) -> UInt64 {
        guard value > 0, halfLifeMs > 0 else { return 0 }
        var wholeHalfLives = exponentMs / halfLifeMs
        var remainderMs = exponentMs % halfLifeMs
        if remainderMs < 0 { (wholeHalfLives, remainderMs) = (wholeHalfLives - 1, remainderMs + halfLifeMs) }
        guard wholeHalfLives > -130 else { return 0 }
        // value ≥ 1 times 2^63 or more does not fit.
        guard wholeHalfLives <= 62 else { return .max }
        // remainder / halfLife as a 32-bit binary fraction: (remainder · 2^32) / halfLife < 2^32.
        let fraction = UInt64(halfLifeMs).dividingFullWidth((high: UInt64(remainderMs) >> 32, low: UInt64(remainderMs) << 32)).quotient
        let product = value.multipliedFullWidth(by: exp2Fraction(fraction))  // scale 2^62
        let rightShift = 62 - Int(wholeHalfLives)  // 0 ≤ rightShift < 192
        if rightShift >= 128 { return 0 }
        if rightShift >= 64 { return product.high >> UInt64(rightShift - 64) }
        guard product.high >> UInt64(rightShift) == 0 else { return .max }
        return product.high << UInt64(64 - rightShift) | product.low >> UInt64(rightShift)
    }

    /// 2^(fraction / 2^32) in Q62 (in [2^62, 2^63)): the product of 2^(2^−i) over
    /// the fraction's set bits.
    static func exp2Fraction(_ fraction: UInt64) -> UInt64 {
        var result: UInt64 = 1 << 62
        for bit in 0..<32 where fraction & (1 << UInt64(31 - bit)) != 0 {
            let product = result.multipliedFullWidth(by: exp2OfInversePowersOfTwo[bit])
            result = product.high << 2 | product.low >> 62
        }
        return result
    }

    /// 2^(2^−(i+1)) in Q62, rounded to nearest (computed with 60-digit decimals).
    static let exp2OfInversePowersOfTwo: [UInt64] = [
        0x5A82_7999_FCEF_3242, 0x4C1B_F828_C6DC_54B8, 0x45CA_E0F1_F545_EB73, 0x42D5_61B3_E624_3D8A,
        0x4166_C34C_5615_D0EC, 0x40B2_68F9_DE01_83BA, 0x4058_F6A7_ECCC_D5B6, 0x402C_6BE9_6AF2_FB58,
        0x4016_321B_6870_27A8, 0x400B_1817_8BA3_3B14, 0x4005_8BCE_4101_47E8, 0x4002_C5D7_BFF7_1DAF,
        0x4001_62E8_07EE_7E5B, 0x4000_B173_0DF6_A524, 0x4000_58B9_497B_8152, 0x4000_2C5C_955D_D701,
        0x4000_162E_46D6_F26C, 0x4000_0B17_2275_7B1B, 0x4000_058B_90FD_3E0C, 0x4000_02C5_C86F_3F26,
        0x4000_0162_E433_C79B, 0x4000_00B1_7218_EDD0, 0x4000_0058_B90C_3968, 0x4000_002C_5C86_0D54,
        0x4000_0016_2E43_02D2, 0x4000_000B_1721_8073, 0x4000_0005_8B90_BFFC, 0x4000_0002_C5C8_5FEF,
        0x4000_0001_62E4_2FF3, 0x4000_0000_B172_17F9, 0x4000_0000_58B9_0BFC, 0x4000_0000_2C5C_85FE,
    ]
}

// MARK: - Codec

extension HotKeywords {
    /// Writes the half-life, the landmark and the keywords sorted by UTF-8 bytes,
    /// so equal values encode to equal bytes. `keywordsMax` is policy and is not
    /// written; the half-life is, because the weights mean nothing without it.
    public func encode(to writer: inout ByteWriter) {
        writer.write(halfLifeMs)
        writer.write(landmarkMs != nil)
        writer.write(landmarkMs ?? 0)
        let sorted = weightByKeyword.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        writer.write(sorted) { writer, entry in
            writer.write(entry.key)
            writer.write(entry.value)
        }
    }

    /// Reads what `encode` wrote. Rejects unsorted, duplicated or unnormalised
    /// keywords and zero weights; more keywords than `keywordsMax` (a limit lowered
    /// since) are evicted lowest first, as `record` would.
    public init(from reader: inout ByteReader, keywordsMax: Int = HotKeywords.defaultKeywordsMax) throws(ByteDecodingError) {
        let halfLifeMs = try reader.read(Int64.self)
        guard Self.halfLifeMsRange.contains(halfLifeMs) else { throw .invalid("half-life \(halfLifeMs) ms out of range") }
        self.init(halfLifeMs: halfLifeMs, keywordsMax: keywordsMax)
        let hasLandmark = try reader.readBool()
        let landmark = try reader.read(Int64.self)
        landmarkMs = hasLandmark ? landmark : nil
        let entries = try reader.readArray { reader throws(ByteDecodingError) in
            (key: try reader.readString(), value: try reader.read(UInt64.self))
        }
        for (earlier, later) in zip(entries, entries.dropFirst())
        where !earlier.key.utf8.lexicographicallyPrecedes(later.key.utf8) { throw .invalid("hot keywords out of order") }
        for entry in entries {
            guard entry.value > 0, Self.normalized(entry.key) == entry.key else { throw .invalid("hot keyword entry") }
            weightByKeyword[entry.key] = entry.value
        }
        guard weightByKeyword.count == entries.count, hasLandmark || entries.isEmpty else { throw .invalid("hot keywords") }
        while weightByKeyword.count > self.keywordsMax { evictLowest() }
    }
}
