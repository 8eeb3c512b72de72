/// A user's favorites, browsing history and search history. Tags 28–31
/// (`MallEvent.Tag`); every one is version 1. They change the user's shard,
/// and a search also counts toward the hot keywords.

public struct FavoriteChanged: Sendable, Equatable {
    public var userID: UInt64
    public var productID: UInt64
    public var added: Bool
    public var atMs: Int64

    public init(userID: UInt64, productID: UInt64, added: Bool, atMs: Int64) {
        (self.userID, self.productID, self.added, self.atMs) = (userID, productID, added, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(userID); writer.write(productID); writer.write(added); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        userID = try reader.read(); productID = try reader.read(); added = try reader.readBool(); atMs = try reader.read()
    }
}

public struct ProductViewed: Sendable, Equatable {
    public var userID: UInt64
    public var productID: UInt64
    public var atMs: Int64

    public init(userID: UInt64, productID: UInt64, atMs: Int64) {
        (self.userID, self.productID, self.atMs) = (userID, productID, atMs)
    }

    func encode(to writer: inout ByteWriter) { writer.write(userID); writer.write(productID); writer.write(atMs) }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        userID = try reader.read(); productID = try reader.read(); atMs = try reader.read()
    }
}

/// A logged-in user's search: their search history and the hot keywords both fold it in.
public struct SearchRecorded: Sendable, Equatable {
    public var userID: UInt64
    /// Normalised (`HotKeywords.normalize`) before it is logged.
    public var keyword: String
    public var atMs: Int64

    public init(userID: UInt64, keyword: String, atMs: Int64) { (self.userID, self.keyword, self.atMs) = (userID, keyword, atMs) }

    func encode(to writer: inout ByteWriter) { writer.write(userID); writer.write(keyword); writer.write(atMs) }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        userID = try reader.read(); keyword = try reader.readString(); atMs = try reader.read()
    }
}

public enum HistoryKind: UInt8, Sendable, CaseIterable {
    case browsing = 1
    case search = 2
}

/// The user cleared a history, whole (`productIDs` and `keywords` empty) or some entries of it.
public struct HistoryCleared: Sendable, Equatable {
    public var userID: UInt64
    public var kind: HistoryKind
    public var productIDs: [UInt64]
    public var keywords: [String]
    public var atMs: Int64

    public init(userID: UInt64, kind: HistoryKind, productIDs: [UInt64] = [], keywords: [String] = [], atMs: Int64) {
        (self.userID, self.kind, self.productIDs, self.keywords, self.atMs) = (userID, kind, productIDs, keywords, atMs)
    }

    public var clearsAll: Bool { productIDs.isEmpty && keywords.isEmpty }

    func encode(to writer: inout ByteWriter) {
        writer.write(userID); writer.write(kind.rawValue)
        writer.write(productIDs) { $0.write($1) }
        writer.write(keywords) { $0.write($1) }
        writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        userID = try reader.read()
        let code: UInt8 = try reader.read()
        guard let kind = HistoryKind(rawValue: code) else { throw .invalid("unknown history kind \(code)") }
        self.kind = kind
        productIDs = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.read() }
        keywords = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.readString() }
        atMs = try reader.read()
    }
}
