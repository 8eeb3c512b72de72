/// A user's favorite products, newest first.
///
/// Unlike `RecentList`, a full list refuses the next product instead of
/// evicting the oldest: history is a by-product of browsing and nobody misses
/// its tail, but a favorite is something the user chose to keep. Silently
/// dropping one (perhaps the product they saved months ago to buy at the next
/// sale) loses data they expect to find; a clear "favorites full, remove some"
/// lets them decide what goes.
///
/// Ordered by `(atMs, productID)` descending, so the order is a function of the
/// entries alone: a replay gives the same value whatever order ties arrive in.
public struct FavoriteList: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let productID: UInt64
        /// When the product was first added; adding it again keeps this time.
        public let atMs: Int64

        public init(productID: UInt64, atMs: Int64) { (self.productID, self.atMs) = (productID, atMs) }

        /// List order: newest first, larger id first on equal times.
        func isBefore(_ other: Entry) -> Bool {
            atMs != other.atMs ? atMs > other.atMs : productID > other.productID
        }
    }

    /// The entry a page ended on; `description` / `init?(_:)` give the
    /// `nextCursor` string form.
    public struct Cursor: Sendable, Equatable, CustomStringConvertible {
        public let atMs: Int64
        public let productID: UInt64

        public init(atMs: Int64, productID: UInt64) { (self.atMs, self.productID) = (atMs, productID) }

        public var description: String { "\(atMs).\(productID)" }

        /// Parses `description`; nil for anything else (a client-supplied string).
        public init?(_ text: String) {
            guard text.utf8.count <= 48 else { return nil }
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let atMs = Int64(parts[0]), let productID = UInt64(parts[1]) else { return nil }
            self.init(atMs: atMs, productID: productID)
        }
    }

    public struct Page: Sendable, Equatable {
        public let entries: [Entry]
        /// nil on the last page.
        public let nextCursor: Cursor?
    }

    public enum AddResult: Sendable, Equatable {
        case added
        /// Already a favorite: nothing changed, the original time stands.
        case alreadyPresent
    }

    /// Spec: at most 500 favorites per user.
    public static var defaultLimit: Int { 500 }
    /// Bounds a page whatever the client asks for.
    public static var pageLimitMax: Int { 100 }

    public let limit: Int
    /// Newest first, no product twice.
    public private(set) var entries: [Entry] = []
    /// Mirrors `entries` for O(1) `contains` (asked on every product page view).
    private var atMsByProductID: [UInt64: Int64] = [:]

    /// `limit` is clamped to at least 1.
    public init(limit: Int = FavoriteList.defaultLimit) {
        self.limit = max(1, limit)
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var isFull: Bool { entries.count >= limit }

    public func contains(_ productID: UInt64) -> Bool { atMsByProductID[productID] != nil }

    /// When the product was added, nil when it is not a favorite.
    public func addedAtMs(_ productID: UInt64) -> Int64? { atMsByProductID[productID] }

    /// Adds a product; idempotent. A product already present succeeds even when
    /// the list is full (a retried request must not turn into an error).
    /// - Throws: `FavoriteError.limitReached` when full; nothing changes.
    /// - Complexity: O(`count`) (O(1) to insert the newest).
    @discardableResult
    public mutating func add(_ productID: UInt64, atMs: Int64) throws(FavoriteError) -> AddResult {
        guard atMsByProductID[productID] == nil else { return .alreadyPresent }
        guard entries.count < limit else { throw .limitReached(limit: limit) }
        let entry = Entry(productID: productID, atMs: atMs)
        let index = entries.firstIndex { !$0.isBefore(entry) } ?? entries.endIndex
        entries.insert(entry, at: index)
        atMsByProductID[productID] = atMs
        assert(checkInvariants())
        return .added
    }

    /// - Returns: whether the product was a favorite.
    /// - Complexity: O(`count`).
    @discardableResult
    public mutating func remove(_ productID: UInt64) -> Bool {
        guard atMsByProductID.removeValue(forKey: productID) != nil else { return false }
        entries.removeAll { $0.productID == productID }
        assert(checkInvariants())
        return true
    }

    public mutating func removeAll() {
        entries.removeAll()
        atMsByProductID.removeAll()
    }

    /// Up to `limit` (clamped to 1...`pageLimitMax`) entries after `cursor`.
    /// Products added while a client pages sort before its cursor, so none shows
    /// twice or is skipped.
    /// - Complexity: O(log `count` + `limit`).
    public func page(after cursor: Cursor?, limit: Int) -> Page {
        let pageLimit = min(max(limit, 1), Self.pageLimitMax)
        var start = entries.startIndex
        if let cursor {
            let mark = Entry(productID: cursor.productID, atMs: cursor.atMs)
            // First entry strictly after the cursor: binary search over the sorted entries.
            var high = entries.endIndex
            while start < high {
                let middle = start + (high - start) / 2
                if entries[middle].isBefore(mark) || entries[middle] == mark { start = middle + 1 } else { high = middle }
            }
        }
        let end = min(start + pageLimit, entries.endIndex)
        let slice = Array(entries[start..<end])
        let next = end < entries.endIndex ? slice.last.map { Cursor(atMs: $0.atMs, productID: $0.productID) } : nil
        return Page(entries: slice, nextCursor: next)
    }

    /// Sorted, no duplicates, the index agrees. `count` may exceed `limit` only
    /// after a snapshot from a larger limit (see `init(from:limit:)`).
    func checkInvariants() -> Bool {
        for (earlier, later) in zip(entries, entries.dropFirst()) where !earlier.isBefore(later) { return false }
        guard atMsByProductID.count == entries.count else { return false }
        return entries.allSatisfy { atMsByProductID[$0.productID] == $0.atMs }
    }

    public static func == (lhs: FavoriteList, rhs: FavoriteList) -> Bool {
        lhs.limit == rhs.limit && lhs.entries == rhs.entries
    }
}

public enum FavoriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The list holds `limit` products: remove one before adding another.
    case limitReached(limit: Int)

    public var description: String {
        switch self {
        case .limitReached(let limit): "favorites are full (\(limit)): remove one before adding another"
        }
    }
}

// MARK: - Codec

extension FavoriteList {
    /// Writes the entries in list order, the canonical order: equal lists encode
    /// to equal bytes. `limit` is policy and is not written.
    public func encode(to writer: inout ByteWriter) {
        writer.write(entries) { writer, entry in
            writer.write(entry.productID)
            writer.write(entry.atMs)
        }
    }

    /// Reads what `encode` wrote; rejects entries out of order or duplicated.
    /// A list longer than `limit` (the limit lowered since) is kept whole: the
    /// user chose every one of them; they just cannot add more until under it.
    public init(from reader: inout ByteReader, limit: Int = FavoriteList.defaultLimit) throws(ByteDecodingError) {
        self.init(limit: limit)
        entries = try reader.readArray { reader throws(ByteDecodingError) in
            Entry(productID: try reader.read(UInt64.self), atMs: try reader.read(Int64.self))
        }
        for entry in entries { atMsByProductID[entry.productID] = entry.atMs }
        guard checkInvariants() else { throw .invalid("favorite entries out of order or duplicated") }
    }
}
