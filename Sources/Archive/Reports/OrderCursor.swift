import Foundation

/// Where a cursor page ends: the last row's sort key and id. Sent to clients
/// as opaque URL-safe base64 of `v1:<key>:<direction>:<value>:<id>`; it names
/// its sort so that a cursor cannot be replayed against another one.
struct OrderCursor: Sendable, Equatable {
    var sort: OrderSort
    /// Epoch microseconds of `created_at`, or `pay_amount_fen`.
    var sortValue: Int64
    var id: Int64

    static let version = "v1"
    /// A real cursor is under 60 bytes; anything longer is refused unread.
    static let encodedBytesMax = 200

    var encoded: String {
        let plain = [Self.version, sort.key.rawValue, sort.direction.rawValue, String(sortValue), String(id)]
            .joined(separator: ":")
        return Data(plain.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Parses a cursor issued for `sort`.
    init(decoding text: String, for sort: OrderSort) throws(ReportError) {
        guard !text.isEmpty, text.utf8.count <= Self.encodedBytesMax,
              text.utf8.allSatisfy({ Self.isBase64URL($0) }) else {
            throw .invalidCursor(reason: "is not a cursor this server issued")
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64.append(String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4))
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else {
            throw .invalidCursor(reason: "is not a cursor this server issued")
        }
        let parts = plain.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == Self.version,
              let key = OrderSort.Key(rawValue: String(parts[1])),
              let direction = OrderSort.Direction(rawValue: String(parts[2])),
              let value = Int64(parts[3]), let id = Int64(parts[4]) else {
            throw .invalidCursor(reason: "is not a cursor this server issued")
        }
        guard key == sort.key, direction == sort.direction else {
            throw .invalidCursor(reason: "was issued for sort=\(key.rawValue)&order=\(direction.rawValue); "
                + "start again without a cursor after changing the sort")
        }
        self.init(sort: sort, sortValue: value, id: id)
    }

    init(sort: OrderSort, sortValue: Int64, id: Int64) {
        (self.sort, self.sortValue, self.id) = (sort, sortValue, id)
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }
}
