/// A user's favorites, browsing history (footprints) and search history, kept on
/// their shard. Each list is bounded (DESIGN invariant 8): favorites refuse past
/// their limit, the histories drop their oldest entry.
public struct UserBrowsing: Sendable, Equatable {
    public internal(set) var favorites = FavoriteList()
    public internal(set) var views = RecentList<UInt64>(limit: RecentList<UInt64>.browsingLimit)
    public internal(set) var searches = RecentList<String>(limit: RecentList<String>.searchLimit)

    public init() {}

    var isEmpty: Bool { favorites.isEmpty && views.isEmpty && searches.isEmpty && views.nextSequence == 0 && searches.nextSequence == 0 }

    func encode(to writer: inout ByteWriter) {
        favorites.encode(to: &writer)
        views.encode(to: &writer)
        searches.encode(to: &writer)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        favorites = try FavoriteList(from: &reader)
        views = try RecentList<UInt64>(from: &reader)
        searches = try RecentList<String>(from: &reader)
    }
}

extension UserState {
    mutating func applyBrowsingEvent(_ event: MallEvent) throws(ApplyError) {
        switch event {
        case .favoriteChanged(let changed):
            try changeBrowsing(of: changed.userID) { browsing throws(ApplyError) in
                if changed.added {
                    do {
                        _ = try browsing.favorites.add(changed.productID, atMs: changed.atMs)
                    } catch {
                        throw ApplyError("user \(changed.userID): \(error)")
                    }
                } else {
                    _ = browsing.favorites.remove(changed.productID)
                }
            }
        case .productViewed(let viewed):
            try changeBrowsing(of: viewed.userID) { $0.views.record(viewed.productID, atMs: viewed.atMs) }
        case .searchRecorded(let recorded):
            try changeBrowsing(of: recorded.userID) { $0.searches.record(recorded.keyword, atMs: recorded.atMs) }
        case .historyCleared(let cleared):
            try changeBrowsing(of: cleared.userID) { browsing in
                switch cleared.kind {
                case .browsing:
                    if cleared.clearsAll { browsing.views.removeAll() }
                    for id in cleared.productIDs { _ = browsing.views.remove(id) }
                case .search:
                    if cleared.clearsAll { browsing.searches.removeAll() }
                    for keyword in cleared.keywords { _ = browsing.searches.remove(keyword) }
                }
            }
        default:
            break
        }
    }

    private mutating func changeBrowsing(of userID: UInt64,
                                         _ change: (inout UserBrowsing) throws(ApplyError) -> Void) throws(ApplyError) {
        guard users[userID] != nil else { throw ApplyError("browsing of unknown user \(userID)") }
        var browsing = browsing.removeValue(forKey: userID) ?? UserBrowsing()
        defer { self.browsing[userID] = browsing.isEmpty ? nil : browsing }
        try change(&browsing)
    }
}
