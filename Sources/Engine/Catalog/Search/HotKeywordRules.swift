/// The back office's say over the hot list: keywords pinned to its top (in the
/// admin's order) and keywords blocked from it.
///
/// Blocking matches by substring of the normalised keyword: blocking "赌博" also
/// hides "在线赌博" and "赌博 技巧", which is what someone cleaning up a hot
/// list means; a short term blocks a lot, and the admin sees that at once in the
/// list. A keyword both pinned and blocked is not shown: blocking is the safety
/// control and wins.
public struct HotKeywordRules: Sendable, Equatable {
    public static var pinnedMax: Int { 20 }
    public static var blockedMax: Int { 200 }

    /// Normalised (`HotKeywords.normalized`), duplicates removed, admin's order.
    public let pinned: [String]
    /// Normalised, duplicates removed, admin's order.
    public let blocked: [String]

    /// No pinned and no blocked keywords.
    public init() {
        (pinned, blocked) = ([], [])
    }

    /// Normalises both lists and removes duplicates (the first stays).
    /// - Throws: when a list is too long or holds a keyword that normalises to
    ///   nothing; the error names the list and the position.
    public init(pinned: [String], blocked: [String]) throws(HotKeywordRulesError) {
        guard pinned.count <= Self.pinnedMax else { throw .tooManyPinned(count: pinned.count, max: Self.pinnedMax) }
        guard blocked.count <= Self.blockedMax else { throw .tooManyBlocked(count: blocked.count, max: Self.blockedMax) }
        self.pinned = try Self.normalized(pinned, error: HotKeywordRulesError.emptyPinned(index:))
        self.blocked = try Self.normalized(blocked, error: HotKeywordRulesError.emptyBlocked(index:))
    }

    /// Whether a normalised keyword contains any blocked keyword.
    /// - Complexity: O(blocked · keyword length).
    public func isBlocked(_ normalizedKeyword: String) -> Bool {
        blocked.contains { normalizedKeyword.contains($0) }
    }

    private static func normalized(
        _ keywords: [String], error: (Int) -> HotKeywordRulesError
    ) throws(HotKeywordRulesError) -> [String] {
        var result: [String] = []
        var seen: Set<String> = []
        for (index, keyword) in keywords.enumerated() {
            guard let normalized = HotKeywords.normalized(keyword) else { throw error(index) }
            if seen.insert(normalized).inserted { result.append(normalized) }
        }
        return result
    }
}

public enum HotKeywordRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooManyPinned(count: Int, max: Int)
    case tooManyBlocked(count: Int, max: Int)
    /// `pinned[index]` is empty once spaces and control characters are removed.
    case emptyPinned(index: Int)
    case emptyBlocked(index: Int)

    public var description: String {
        switch self {
        case .tooManyPinned(let count, let max): "pinned: \(count) keywords, at most \(max)"
        case .tooManyBlocked(let count, let max): "blocked: \(count) keywords, at most \(max)"
        case .emptyPinned(let index): "pinned[\(index)]: empty keyword"
        case .emptyBlocked(let index): "blocked[\(index)]: empty keyword"
        }
    }
}

// MARK: - Codec

extension HotKeywordRules {
    public func encode(to writer: inout ByteWriter) {
        writer.write(pinned) { writer, keyword in writer.write(keyword) }
        writer.write(blocked) { writer, keyword in writer.write(keyword) }
    }

    /// Reads what `encode` wrote; anything `init(pinned:blocked:)` would not
    /// produce (too many, unnormalised, duplicated) is invalid.
    public init(from reader: inout ByteReader) throws(ByteDecodingError) {
        let pinned = try reader.readArray { reader throws(ByteDecodingError) in try reader.readString() }
        let blocked = try reader.readArray { reader throws(ByteDecodingError) in try reader.readString() }
        let rules: HotKeywordRules
        do { rules = try HotKeywordRules(pinned: pinned, blocked: blocked) } catch { throw .invalid("hot keyword rules: \(error)") }
        guard rules.pinned == pinned, rules.blocked == blocked else { throw .invalid("hot keyword rules not normalised") }
        self = rules
    }
}
