/// Where a page ended: the sort it was written for, the last hit's sort key and its
/// product ID. Written as base64url (no padding) of 18 bytes: a version, the sort,
/// the key and the ID big-endian. The next page holds the hits that rank strictly
/// after it, so a page boundary neither repeats nor skips a hit while the index and
/// the signals are unchanged.
struct SearchCursor: Sendable, Equatable {
    static let version: UInt8 = 1
    static let byteCount = 18

    var sort: SearchSort
    var key: SearchRankKey

    var encoded: String {
        var bytes: [UInt8] = [Self.version, Self.tag(of: sort)]
        bytes += Self.bigEndianBytes(UInt64(bitPattern: key.primary))
        bytes += Self.bigEndianBytes(key.productID)
        return Base64URL.encode(bytes)
    }

    /// - Throws: `.malformedCursor` for anything this type did not write;
    ///   `.cursorSortMismatch` for a cursor of another sort.
    init(decoding text: String, expectedSort: SearchSort) throws(SearchQueryError) {
        guard text.utf8.count <= 64, let bytes = Base64URL.decode(text), bytes.count == Self.byteCount,
            bytes[0] == Self.version, let sort = SearchSort.allCases.first(where: { Self.tag(of: $0) == bytes[1] })
        else { throw .malformedCursor }
        guard sort == expectedSort else { throw .cursorSortMismatch }
        self.sort = sort
        self.key = SearchRankKey(
            primary: Int64(bitPattern: Self.uint64(bytes[2..<10])), productID: Self.uint64(bytes[10..<18]))
    }

    init(sort: SearchSort, key: SearchRankKey) {
        self.sort = sort
        self.key = key
    }

    static func tag(of sort: SearchSort) -> UInt8 {
        switch sort {
        case .relevance: 1
        case .sales: 2
        case .priceAsc: 3
        case .priceDesc: 4
        case .newest: 5
        }
    }

    static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }

    static func uint64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { ($0 << 8) | UInt64($1) }
    }
}

/// A hit's place in a result list: higher `primary` first, then higher product ID.
struct SearchRankKey: Sendable, Equatable, Comparable {
    var primary: Int64
    var productID: UInt64

    static func < (lhs: SearchRankKey, rhs: SearchRankKey) -> Bool {
        lhs.primary != rhs.primary ? lhs.primary < rhs.primary : lhs.productID < rhs.productID
    }
}

/// RFC 4648 §5 base64url without padding.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * UInt32(offset)) }
            for position in 0...chunk.count { output.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Nil for a character outside the alphabet, a length no encoding has, or stray bits.
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        for byte in text.utf8 {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt32(value))
        }
        guard values.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var value: UInt32 = 0
            for (offset, sextet) in chunk.enumerated() { value |= sextet << (18 - 6 * UInt32(offset)) }
            let byteCount = chunk.count - 1
            for position in 0..<byteCount { bytes.append(UInt8(truncatingIfNeeded: value >> (16 - 8 * UInt32(position)))) }
            // Bits below the last whole byte must be zero, so each byte string has one encoding.
            guard value & ((1 << UInt32(24 - 8 * byteCount)) - 1) == 0 else { return nil }
            index += 4
        }
        return bytes
    }
}
