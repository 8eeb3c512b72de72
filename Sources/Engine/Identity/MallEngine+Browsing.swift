import Logging
import Synchronization

/// Favorites, footprints and search history of a user, and the storefront search
/// that feeds the hot keywords. Reads come from the published catalog and the
/// user's shard; each change is one record on the user's shard.
extension MallEngine {
    /// Adds (or removes) a favorite. Adding an existing one or removing an absent one logs nothing.
    public func setFavorite(userID: UInt64, productID: UInt64, favorite: Bool) async throws(EngineError) -> UserBrowsing {
        if favorite {
            guard let product = catalog.products[productID], !product.details.deleted else { throw .notFound("product") }
        }
        return try await changeBrowsing(userID: userID) { browsing throws(EngineError) in
            let nowMs = self.clock.nowMs()
            if favorite {
                guard !browsing.favorites.contains(productID) else { return nil }
                guard !browsing.favorites.isFull else {
                    throw .conflict("favorites are full (\(browsing.favorites.limit)): remove one before adding another")
                }
            } else {
                guard browsing.favorites.contains(productID) else { return nil }
            }
            return .favoriteChanged(FavoriteChanged(userID: userID, productID: productID, added: favorite, atMs: nowMs))
        }
    }

    /// Records a product page view in the user's footprints.
    public func recordView(userID: UInt64, productID: UInt64) async throws(EngineError) {
        guard catalog.products[productID] != nil else { throw .notFound("product") }
        _ = try await changeBrowsing(userID: userID) { _ throws(EngineError) in
            .productViewed(ProductViewed(userID: userID, productID: productID, atMs: self.clock.nowMs()))
        }
    }

    /// Clears a history whole (no ids and no keywords given) or the entries named.
    public func clearHistory(userID: UInt64, kind: HistoryKind, productIDs: [UInt64] = [], keywords: [String] = []) async throws(EngineError) -> UserBrowsing {
        guard productIDs.count <= 200, keywords.count <= 200 else { throw .invalid(field: "items", reason: "must name at most 200 entries") }
        return try await changeBrowsing(userID: userID) { browsing throws(EngineError) in
            let isEmpty = kind == .browsing ? browsing.views.isEmpty : browsing.searches.isEmpty
            guard !isEmpty else { return nil }
            return .historyCleared(HistoryCleared(userID: userID, kind: kind, productIDs: productIDs, keywords: keywords,
                                                  atMs: self.clock.nowMs()))
        }
    }

    public func browsing(userID: UInt64) async -> UserBrowsing? {
        await userShard(forUser: userID).browsing(of: userID)
    }

    /// Logs a logged-in user's search (their history and the hot keywords). One per user at a time:
    /// a search made while the user's previous one is still being logged is not recorded, so the
    /// user's history applies in log order live as on replay. Returns whether it was logged.
    @discardableResult
    public func recordSearch(userID: UInt64, text: String) async -> Bool {
        guard let keyword = HotKeywords.normalized(text) else { return false }
        guard searchesInFlight.withLock({ $0.insert(userID).inserted }) else { return false }
        defer { _ = searchesInFlight.withLock { $0.remove(userID) } }
        let nowMs = clock.nowMs()
        do {
            try await commit(atMs: nowMs) { _ throws(EngineError) in
                .searchRecorded(SearchRecorded(userID: userID, keyword: keyword, atMs: nowMs))
            }
            return true
        } catch {
            logger.debug("search not recorded", metadata: ["user": "\(userID)", "error": "\(error)"])
            return false
        }
    }

    /// Searches the storefront: the published index, with sales and stock from `StockLevels`.
    public func search(_ query: SearchQuery) throws(SearchQueryError) -> SearchPage {
        let published = publishedState.current
        guard let search = published.search else { return SearchPage(hits: [], nextCursor: nil, total: 0) }
        let catalog = published.catalog
        let levels = stockLevels
        return try search.index.search(query) { productID in
            guard let product = catalog.products[productID] else { return SearchSignals(sales: 0, inStock: false) }
            return levels.signals(of: product)
        }.get()
    }

    public func suggest(prefix: String, limit: Int) -> [String] {
        publishedState.current.search?.index.suggest(prefix: prefix, limit: limit) ?? []
    }

    public func hotKeywords(limit: Int) -> [HotKeyword] {
        let catalog = self.catalog
        return catalog.hotKeywords.top(limit, atMs: clock.nowMs(), rules: catalog.searchSettings.hotKeywordRules)
    }

    /// Sales and whether a sellable SKU has stock, as of the shards' last change.
    public func productSignals(_ product: Product) -> SearchSignals { stockLevels.signals(of: product) }

    private func changeBrowsing(
        userID: UInt64, _ decide: @Sendable (UserBrowsing) throws(EngineError) -> MallEvent?
    ) async throws(EngineError) -> UserBrowsing {
        let shard = userShard(forUser: userID)
        let nowMs = clock.nowMs()
        guard let (lsn, event) = try await shard.beginBrowsingChange(userID: userID, atMs: nowMs, decide) else {
            guard let browsing = await shard.browsing(of: userID) else { throw .notFound("user \(userID)") }
            return browsing
        }
        do {
            try await waitDurable(lsn)
        } catch {
            await shard.abandonUserChange(userID: userID)
            throw error
        }
        do {
            return try await shard.finishBrowsingChange(event, userID: userID)
        } catch {
            reportDivergence(error, event: event)
            throw .unavailable("the change to user \(userID) did not apply; see the server log")
        }
    }
}

extension SearchSettings {
    /// The rules were validated by the same initialiser before they were logged.
    public var hotKeywordRules: HotKeywordRules {
        (try? HotKeywordRules(pinned: pinnedKeywords, blocked: blockedKeywords)) ?? HotKeywordRules()
    }
}

extension MallEngine {
    /// A SKU's stock and units sold as its shard last published them (no actor hop).
    public func stockLevel(skuID: UInt64) -> (stock: Int64, sold: Int64)? {
        stockLevels.level(of: skuID).map { ($0.stock, $0.sold) }
    }
}
