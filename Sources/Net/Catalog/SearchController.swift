import Engine
import Hummingbird

/// Product search on the storefront (words, pinyin and initials, filters, sorts,
/// highlighted names), suggestions while typing, hot keywords; the back office
/// edits synonyms and pins or blocks hot keywords.
struct SearchController {
    let engine: MallEngine

    /// Behind an optional user token: a logged-in buyer's searches join their history and the hot keywords.
    func addAPIRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("search", use: search)
        group.get("search/suggest", use: suggest)
        group.get("search/hot", use: hot)
    }

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("search/settings", use: settings)
        group.put("search/settings", use: saveSettings)
        group.get("search/hot", use: hot)
    }

    @Sendable func search(_ request: Request, context: MallRequestContext) async throws -> Envelope<ProductPage> {
        let query = try SearchParameters.query(request, textRequired: true)
        let page = try Self.page(query, engine: engine)
        if case .user(let userID) = context.principal, query.cursor == nil {
            // Logged after the answer: one per user at a time (`recordSearch`), so this stays bounded.
            let engine = self.engine
            Task { await engine.recordSearch(userID: userID, text: query.text) }
        }
        return Envelope(page)
    }

    static func page(_ query: SearchQuery, engine: MallEngine) throws(APIError) -> ProductPage {
        let result: SearchPage
        do {
            result = try engine.search(query)
        } catch {
            throw APIError(error)
        }
        let catalog = engine.catalog
        let items = result.hits.compactMap { hit in
            catalog.products[hit.productID].map {
                ProductSummary($0, engine: engine, highlightedName: query.text.isEmpty ? nil : hit.highlightedName)
            }
        }
        return ProductPage(items: items, nextCursor: result.nextCursor, total: result.total)
    }

    @Sendable func suggest(_ request: Request, context: MallRequestContext) async throws -> Envelope<SuggestionsResponse> {
        let query = request.uri.queryParameters
        var validation = Validation()
        let prefix = query.get("q") ?? ""
        validation.text(prefix, "q", Self.prefixRule)
        let limit = SearchParameters.integer(query.get("limit"), "limit", Self.suggestLimitRule, &validation).map { Int($0) } ?? 10
        try validation.check()
        let hot = engine.hotKeywords(limit: HotKeywords.topLimitMax).map(\.keyword)
        let normalized = HotKeywords.normalized(prefix) ?? prefix
        var items = hot.filter { $0.hasPrefix(normalized) }.prefix(limit / 2).map { $0 }
        for suggestion in engine.suggest(prefix: prefix, limit: limit) where items.count < limit && !items.contains(suggestion) {
            items.append(suggestion)
        }
        return Envelope(SuggestionsResponse(items: items))
    }

    @Sendable func hot(_ request: Request, context: MallRequestContext) async throws -> Envelope<HotKeywordsResponse> {
        let query = request.uri.queryParameters
        var validation = Validation()
        let limit = SearchParameters.integer(query.get("limit"), "limit", Self.hotLimitRule, &validation).map { Int($0) } ?? 10
        try validation.check()
        return Envelope(HotKeywordsResponse(items: engine.hotKeywords(limit: limit).map {
            HotKeywordsResponse.Item(keyword: $0.keyword, pinned: $0.isPinned, score: ($0.score * 100).rounded() / 100)
        }))
    }

    @Sendable func settings(_ request: Request, context: MallRequestContext) async throws -> Envelope<SearchSettingsBody> {
        Envelope(SearchSettingsBody(engine.catalog.searchSettings))
    }

    @Sendable func saveSettings(_ request: Request, context: MallRequestContext) async throws -> Envelope<SearchSettingsBody> {
        let input = try await RequestJSON.decode(SearchSettingsBody.self, from: request, context: context).validated()
        let saved = try await engine.saveSearchSettings(input, operatorID: try context.requireAdminID())
        return Envelope(SearchSettingsBody(saved))
    }

    static let prefixRule = TextRule(.text, 1...SearchLimits.suggestPrefixCharactersMax)
    static let suggestLimitRule = IntegerRule(1...Int64(SearchLimits.suggestionsMax))
    static let hotLimitRule = IntegerRule(1...Int64(HotKeywords.topLimitMax))
}

struct SuggestionsResponse: Encodable, Sendable {
    var items: [String]
}

struct HotKeywordsResponse: Encodable, Sendable {
    var items: [Item]

    struct Item: Encodable, Sendable {
        var keyword: String
        var pinned: Bool
        /// Searches, decayed by half every 24 hours.
        var score: Double
    }
}

/// `PUT /admin/v1/search/settings` and its answer: synonym groups and the hot-keyword rules, whole.
struct SearchSettingsBody: Codable, Sendable {
    var synonyms: [[String]]
    var pinnedKeywords: [String]
    var blockedKeywords: [String]

    enum CodingKeys: String, CodingKey, CaseIterable { case synonyms, pinnedKeywords, blockedKeywords }

    init(_ settings: SearchSettings) {
        (synonyms, pinnedKeywords, blockedKeywords) = (settings.synonymGroups, settings.pinnedKeywords, settings.blockedKeywords)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        synonyms = try container.required([[String]].self, .synonyms)
        pinnedKeywords = try container.required([String].self, .pinnedKeywords)
        blockedKeywords = try container.required([String].self, .blockedKeywords)
    }

    /// Raw terms and keywords, before normalisation; the engine's tables then check the normalised forms.
    static let termRule = TextRule(.text, 1...SynonymTable.termCharactersRange.upperBound * 4)
    static let keywordRule = TextRule(.text, 1...HotKeywords.keywordCharactersMax)
    static let groupsRange = 0...SynonymTable.groupsMax
    static let pinnedRange = 0...HotKeywordRules.pinnedMax
    static let blockedRange = 0...HotKeywordRules.blockedMax

    func validated() throws(APIError) -> SearchSettings {
        var validation = Validation()
        validation.require(Self.groupsRange.contains(synonyms.count), "synonyms", "must hold at most \(SynonymTable.groupsMax) groups")
        for (index, group) in synonyms.prefix(SynonymTable.groupsMax).enumerated() {
            validation.require(SynonymTable.termsPerGroupRange.contains(group.count), "synonyms[\(index)]",
                               "must hold \(SynonymTable.termsPerGroupRange.lowerBound) to \(SynonymTable.termsPerGroupRange.upperBound) terms")
            for (termIndex, term) in group.prefix(SynonymTable.termsPerGroupRange.upperBound).enumerated() {
                validation.text(term, "synonyms[\(index)][\(termIndex)]", Self.termRule)
            }
        }
        for (field, keywords, range) in [("pinnedKeywords", pinnedKeywords, Self.pinnedRange), ("blockedKeywords", blockedKeywords, Self.blockedRange)] {
            validation.require(range.contains(keywords.count), field, "must hold at most \(range.upperBound) keywords")
            for (index, keyword) in keywords.prefix(range.upperBound).enumerated() {
                validation.text(keyword, "\(field)[\(index)]", Self.keywordRule)
            }
        }
        try validation.check()
        do {
            _ = try SynonymTable(groups: synonyms)
        } catch {
            throw APIError.invalid("synonyms", "\(error)")
        }
        do {
            _ = try HotKeywordRules(pinned: pinnedKeywords, blocked: blockedKeywords)
        } catch {
            switch error {
            case .tooManyBlocked, .emptyBlocked: throw APIError.invalid("blockedKeywords", "\(error)")
            case .tooManyPinned, .emptyPinned: throw APIError.invalid("pinnedKeywords", "\(error)")
            }
        }
        return SearchSettings(synonymGroups: synonyms, pinnedKeywords: pinnedKeywords, blockedKeywords: blockedKeywords)
    }
}
